"""The checks of notebook 02's exercises: right, untouched, and typical wrong answers."""

import numpy as np
import pytest

from course_utils.baselines import fit_svd
from course_utils.data import split_pairs
from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.svd import check_truncated_svd, check_validation_mse_by_rank


def stub(*args):
    raise NotImplementedError


# --- truncated_svd


def truncated(matrix, rank):
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return (u[:, :rank] * s[:rank]) @ vt[:rank]


def test_truncated_svd_right_answer_passes(capsys):
    result = check_truncated_svd(truncated)
    assert result.status == CORRECT
    assert capsys.readouterr().out.startswith("✅ Correct (truncated_svd)")


def test_truncated_svd_stub_is_not_attempted():
    assert check_truncated_svd(stub).status == NOT_ATTEMPTED


def without_s(matrix, rank):
    u, _, vt = np.linalg.svd(matrix, full_matrices=False)
    return u[:, :rank] @ vt[:rank]


def smallest(matrix, rank):
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return (u[:, -rank:] * s[-rank:]) @ vt[-rank:]


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


def on_fit(train, ranks, n_customers, n_products, fraction, seed):
    fit, _ = split_pairs(train, fraction, seed=seed)
    return mse_by_rank(fit, fit, ranks, n_customers, n_products)


def leaked(train, ranks, n_customers, n_products, fraction, seed):
    _, validation = split_pairs(train, fraction, seed=seed)
    return mse_by_rank(train, validation, ranks, n_customers, n_products)


def rmse(*args):
    return {rank: value**0.5 for rank, value in right(*args).items()}


def other_split(train, ranks, n_customers, n_products, fraction, seed):
    return right(train, ranks, n_customers, n_products, fraction, seed + 1)


def test_rank_right_answer_passes(capsys):
    result = check_validation_mse_by_rank(right)
    assert result.status == CORRECT
    out = capsys.readouterr().out
    assert out.startswith("✅ Correct (validation_mse_by_rank)")
    assert "validation chooses rank 2" in out


def test_rank_stub_is_not_attempted():
    assert check_validation_mse_by_rank(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (on_fit, "measured each rank on the pairs it was fitted on"),
        (leaked, "you fitted on all of `train`"),
        (rmse, "these are RMSEs"),
        (other_split, "the validation MSEs are rank 1: 0.518"),
        (lambda train, ranks, *rest: {r: 0.5 for r in ranks[:2]}, "keys [1, 2, 4, 8]"),
        (lambda *args: [0.5, 0.4], "return a dict"),
    ],
)
def test_rank_typical_wrong_answers(attempt, says):
    result = check_validation_mse_by_rank(attempt)
    assert result.status == WRONG
    assert says in result.message
