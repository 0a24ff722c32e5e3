"""The check of notebook 01's pairing exercise: right, untouched, and typical wrong answers."""

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


def crashes(customers, products, ratings):
    return np.column_stack([customers, products]), ratings


def test_right_answer_passes(capsys):
    result = check_pair_rows(right)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out.startswith("✅ Correct (pair_rows)")


def test_untouched_stub_is_not_attempted_and_does_not_raise(capsys):
    result = check_pair_rows(stub)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert "Not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (seed_bug, "the seed's bug"),
        (repeat_products, "products are repeated where they should be tiled"),
        (lambda c, p, r: right(c, p, r)[0], "return a pair (X, y)"),
        (lambda c, p, r: (right(c, p, r)[0][:, :2], r.reshape(-1)), "shape (6, 3)"),
        (lambda c, p, r: (right(c, p, r)[0], r), "y should have shape (6,)"),
        (crashes, "your code raised ValueError"),
    ],
)
def test_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_pair_rows(attempt)
    assert result.status == WRONG
    assert says in result.message


def test_not_callable_is_reported_not_raised():
    result = check_pair_rows(None)
    assert result.status == WRONG and "expected your function" in result.message
