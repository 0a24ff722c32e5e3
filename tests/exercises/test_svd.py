"""The checks of notebook 02's exercises: valid answers, the stubs, and wrong ones."""

import numpy as np
import pytest
import scipy.linalg

from course_utils.baselines import fit_svd
from course_utils.data import split_pairs
from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.svd import check_truncated_svd, check_validation_mse_by_rank
from course_utils.metrics import rmse


def stub(*args):
    raise NotImplementedError


# --- truncated_svd


def truncated(matrix, rank):
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return (u[:, :rank] * s[:rank]) @ vt[:rank]


def with_diag(matrix, rank):
    u, s, vt = np.linalg.svd(matrix)  # full matrices: u is (4, 4)
    return u[:, :rank] @ np.diag(s[:rank]) @ vt[:rank, :]


def by_scipy(matrix, rank):
    u, s, vt = scipy.linalg.svd(matrix, full_matrices=False)
    return sum(s[i] * np.outer(u[:, i], vt[i]) for i in range(rank))


def zeroed(matrix, rank):
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    kept = np.where(np.arange(len(s)) < rank, s, 0.0)
    return (u * kept) @ vt


@pytest.mark.parametrize("answer", [truncated, with_diag, by_scipy, zeroed])
def test_truncated_svd_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_truncated_svd(answer)
    assert result.status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (truncated_svd): rank 1 keeps the largest singular value (6.855); rank 3 "
        "gives the matrix back.\n"
    )


def test_truncated_svd_stub_is_not_attempted(capsys):
    assert check_truncated_svd(stub).status == NOT_ATTEMPTED
    assert capsys.readouterr().out == (
        "⏳ Not attempted yet (truncated_svd): replace `raise NotImplementedError` with your "
        "code, then run this cell again.\n"
    )


def without_s(matrix, rank):
    u, _, vt = np.linalg.svd(matrix, full_matrices=False)
    return u[:, :rank] @ vt[:rank]


def smallest(matrix, rank):
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return (u[:, -rank:] * s[-rank:]) @ vt[-rank:]


def factors(matrix, rank):
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return u[:, :rank], s[:rank], vt[:rank]


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (without_s, "you left out the singular values"),
        (smallest, "you kept the smallest singular values"),
        (lambda m, r: truncated(m, r + 1), "you kept 2 components for rank 1"),
        (lambda m, r: truncated(m, 1), "at rank 3"),
        (lambda m, r: np.linalg.svd(m, full_matrices=False)[0][:, :r], "shape (4, 3)"),
        (lambda m, r: truncated(m, r) + 0.5, "the best rank-1 approximation"),
    ],
)
def test_truncated_svd_typical_wrong_answers(attempt, says):
    result = check_truncated_svd(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (
            factors,
            "the approximation should be an array of numbers; yours is a tuple of 3 items of "
            "shapes (4, 1), (1,), (1, 3). Return the rank-1 matrix itself",
        ),
        (lambda m, r: None, "yours is None (does your function end with `return ...`?)"),
        (lambda m, r: "u s vt", "yours is the text 'u s vt'"),
        (lambda m, r: truncated(m, r).tolist() if r == 1 else None, "yours is None"),
    ],
    ids=["the factors", "None", "text", "None at rank 3"],
)
def test_truncated_svd_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_truncated_svd(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


# --- validation_mse_by_rank


def mse_by_rank(fit, measure, ranks, n_customers, n_products):
    errors = {}
    for rank in ranks:
        model = fit_svd(fit, n_customers, n_products, rank)
        predicted = model.predict(measure.customer_ids, measure.product_ids)
        errors[rank] = float(np.mean((predicted - measure.y) ** 2))
    return errors


def right(train, ranks, n_customers, n_products, fraction, seed):
    fit, validation = split_pairs(train, fraction, seed=seed)
    return mse_by_rank(fit, validation, ranks, n_customers, n_products)


def comprehension(train, ranks, n_customers, n_products, fraction, seed):
    fit, validation = split_pairs(train, fraction, seed=seed)
    models = {rank: fit_svd(fit, n_customers, n_products, rank) for rank in ranks}
    return {
        np.int64(rank): np.mean(
            (model.predict(validation.customer_ids, validation.product_ids) - validation.y) ** 2
        )
        for rank, model in models.items()
    }


def via_rmse(train, ranks, n_customers, n_products, fraction, seed):
    """The course's rmse, squared: the same MSE up to rounding."""
    fit, validation = split_pairs(train, fraction, seed=seed)
    errors = {}
    for rank in sorted(ranks):
        predicted = fit_svd(fit, n_customers, n_products, rank).predict(
            validation.customer_ids, validation.product_ids
        )
        errors[rank] = rmse(validation.y, predicted) ** 2
    return errors


def on_fit(train, ranks, n_customers, n_products, fraction, seed):
    fit, _ = split_pairs(train, fraction, seed=seed)
    return mse_by_rank(fit, fit, ranks, n_customers, n_products)


def leaked(train, ranks, n_customers, n_products, fraction, seed):
    _, validation = split_pairs(train, fraction, seed=seed)
    return mse_by_rank(train, validation, ranks, n_customers, n_products)


def rmses(*args):
    return {rank: value**0.5 for rank, value in right(*args).items()}


def other_split(train, ranks, n_customers, n_products, fraction, seed):
    return right(train, ranks, n_customers, n_products, fraction, seed + 1)


def notebook_constants(train, ranks, n_customers, n_products, fraction, seed):
    """The notebook's VALIDATION_FRACTION (0.2) and the check's first seed, written in."""
    return right(train, ranks, n_customers, n_products, 0.2, 1)


def squared_errors(train, ranks, n_customers, n_products, fraction, seed):
    fit, validation = split_pairs(train, fraction, seed=seed)
    return {
        rank: (
            fit_svd(fit, n_customers, n_products, rank).predict(
                validation.customer_ids, validation.product_ids
            )
            - validation.y
        )
        ** 2
        for rank in ranks
    }


@pytest.mark.parametrize("answer", [right, comprehension, via_rmse])
def test_rank_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_validation_mse_by_rank(answer)
    assert result.status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (validation_mse_by_rank): rank 1: 0.518, rank 2: 0.438, rank 4: 0.622, "
        "rank 8: 0.864; validation chooses rank 2.\n"
    )


def test_rank_stub_is_not_attempted():
    assert check_validation_mse_by_rank(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (on_fit, "measured each rank on the pairs it was fitted on"),
        (leaked, "you fitted on all of `train`"),
        (rmses, "these are RMSEs"),
        (other_split, "the validation MSEs are rank 1: 0.518"),
        (lambda train, ranks, *rest: {r: 0.5 for r in ranks[:2]}, "keys [1, 2, 4, 8]"),
        (
            notebook_constants,
            "right for fraction=0.2, seed=1, but with ranks=[3, 1], fraction=0.3, seed=2",
        ),
    ],
)
def test_rank_typical_wrong_answers(attempt, says):
    result = check_validation_mse_by_rank(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *args: [0.5, 0.4], "return a dict {rank: MSE}; yours is a list of 2 items"),
        (lambda *args: None, "yours is None"),
        (squared_errors, "return one number, the validation MSE of rank 1; yours has shape"),
        (lambda train, ranks, *rest: {r: "low" for r in ranks}, "yours is the text 'low'"),
        (lambda train, ranks, *rest: {"1": 0.5, 2: 0.4, 4: 0.6, 8: 0.8}, "yours has ['1', 2"),
    ],
)
def test_rank_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_validation_mse_by_rank(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message
