"""The check of notebook 01's pairing exercise: valid answers, the stub, and wrong ones."""

import numpy as np
import pytest

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.pairing import check_pair_rows


def right(customers, products, ratings):
    n_customers, n_products = ratings.shape
    features = np.column_stack(
        [np.repeat(customers, n_products, axis=0), np.tile(products, (n_customers, 1))]
    )
    return features, ratings.reshape(-1)


def by_loops(customers, products, ratings):
    rows, labels = [], []
    for i, customer in enumerate(customers):
        for j, product in enumerate(products):
            rows.append([*customer, *product])
            labels.append(ratings[i, j])
    return np.array(rows), np.array(labels)


def by_broadcasting(customers, products, ratings):
    n_customers, n_products = ratings.shape
    grid = np.concatenate(
        [
            np.broadcast_to(customers[:, None, :], (n_customers, n_products, customers.shape[1])),
            np.broadcast_to(products[None, :, :], (n_customers, n_products, products.shape[1])),
        ],
        axis=2,
    )
    return grid.reshape(n_customers * n_products, -1), ratings.ravel()


def stub(customers, products, ratings):
    raise NotImplementedError


def seed_bug(customers, products, ratings):
    """The seed's mistake: X customer-major, y product-major."""
    features, _ = right(customers, products, ratings)
    return features, ratings.T.reshape(-1)


def repeat_products(customers, products, ratings):
    n_customers, n_products = ratings.shape
    features = np.column_stack(
        [np.tile(customers, (n_products, 1)), np.repeat(products, n_customers, axis=0)]
    )
    return features, ratings.reshape(-1)


def products_first(customers, products, ratings):
    features, labels = right(customers, products, ratings)
    return np.column_stack([features[:, 2:], features[:, :2]]), labels


def crashes(customers, products, ratings):
    return np.column_stack([customers, products]), ratings


@pytest.mark.parametrize(
    "answer",
    [right, by_loops, by_broadcasting, lambda c, p, r: list(right(c, p, r))],
    ids=["repeat-tile", "loops", "broadcasting", "a list pair"],
)
def test_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_pair_rows(answer)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out == (
        "✅ Correct (pair_rows): every row pairs a customer's and a product's features with "
        "their rating.\n"
    )


def test_untouched_stub_is_not_attempted_and_does_not_raise(capsys):
    result = check_pair_rows(stub)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert capsys.readouterr().out == (
        "⏳ Not attempted yet (pair_rows): replace `raise NotImplementedError` with your code, "
        "then run this cell again.\n"
    )


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (seed_bug, "the seed's bug"),
        (repeat_products, "products are repeated where they should be tiled"),
        (products_first, "row 1 should be (customer 0, product 1) = [10.0, 11.0, 0.7]"),
        (lambda c, p, r: (right(c, p, r)[0][:, :2], r.reshape(-1)), "shape (6, 3)"),
        (lambda c, p, r: (right(c, p, r)[0], r), "y should have shape (6,)"),
        (crashes, "your code raised ValueError"),
    ],
)
def test_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_pair_rows(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda c, p, r: right(c, p, r)[0], "return a pair (X, y); yours returned an array"),
        (lambda c, p, r: None, "yours returned None (does your function end with `return"),
        (lambda c, p, r: (*right(c, p, r), 6), "yours returned a tuple of 3 items"),
        (lambda c, p, r: ([[1.0, 2.0], [3.0]], r.ravel()), "X should be an array of numbers"),
        (lambda c, p, r: (right(c, p, r)[0], "ratings"), "y should be an array of numbers"),
    ],
)
def test_answers_of_the_wrong_type_get_the_checks_own_message(attempt, says):
    result = check_pair_rows(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


def test_not_callable_is_reported_not_raised():
    result = check_pair_rows(None)
    assert result.status == WRONG and "expected your function" in result.message
