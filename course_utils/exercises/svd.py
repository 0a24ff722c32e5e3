"""Checks for the exercises of notebooks/02_svd_baseline.py: truncated SVD and its rank."""

from functools import cache

import numpy as np

from course_utils.baselines import fit_svd
from course_utils.data import make_world, pair_table, split_pairs
from course_utils.exercises.core import (
    CheckResult,
    attempt,
    correct,
    run_check,
    shape_problem,
    wrong,
)

# --- Truncated SVD by hand, on a matrix small enough to print.
_MATRIX = np.array(
    [[4.0, 2.0, 0.0], [3.0, 1.0, 1.0], [0.0, 1.0, 5.0], [1.0, 0.0, 4.0]]
)  # 4 customers × 3 products


def _rank_r(matrix: np.ndarray, components) -> np.ndarray:
    """The sum of the given SVD components of `matrix`."""
    u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    return (u[:, components] * s[components]) @ vt[components]


def check_truncated_svd(truncated_svd) -> CheckResult:
    """Check `truncated_svd(matrix, rank) -> (n_rows, n_columns) array`, the best rank-r fit."""
    exercise = "truncated_svd"
    rank = 1

    def body() -> CheckResult:
        got = attempt(truncated_svd, _MATRIX.copy(), rank)
        problem = shape_problem("the approximation", got, _MATRIX.shape)
        if problem:
            return wrong(
                exercise,
                f"{problem} Return the rank-{rank} matrix itself (u_r * s_r) @ vt_r, "
                "not its factors.",
            )
        got = np.asarray(got, dtype=float)
        expected = _rank_r(_MATRIX, slice(0, rank))
        u, s, vt = np.linalg.svd(_MATRIX, full_matrices=False)
        mistakes = [
            (
                u[:, :rank] @ vt[:rank],
                "you left out the singular values: u[:, :r] @ vt[:r] has every direction "
                "at weight 1. Scale by s[:r]: (u[:, :r] * s[:r]) @ vt[:r].",
            ),
            (
                _rank_r(_MATRIX, slice(len(s) - rank, len(s))),
                "you kept the smallest singular values. np.linalg.svd sorts them largest "
                "first, so the best rank-r fit keeps the first r: s[:r].",
            ),
            (
                _rank_r(_MATRIX, slice(0, rank + 1)),
                f"you kept {rank + 1} components for rank {rank}: keep exactly the first r "
                "(u[:, :r], s[:r], vt[:r]).",
            ),
        ]
        if not np.allclose(got, expected, atol=1e-8):
            for value, message in mistakes:
                if np.allclose(got, value, atol=1e-8):
                    return wrong(exercise, message)
            return wrong(
                exercise,
                f"the best rank-{rank} approximation of the 4 × 3 matrix starts with row "
                f"{np.round(expected[0], 3).tolist()}; yours starts with "
                f"{np.round(got[0], 3).tolist()}.",
            )
        full = attempt(truncated_svd, _MATRIX.copy(), 3)
        if np.shape(full) != _MATRIX.shape or not np.allclose(full, _MATRIX, atol=1e-8):
            return wrong(
                exercise,
                "right at rank 1, but at rank 3 (every component of a 4 × 3 matrix) you "
                "should get the matrix back. Use `rank`, not a fixed number.",
            )
        return correct(
            exercise,
            f"rank {rank} keeps the largest singular value ({s[0]:.3f}); rank 3 gives the "
            "matrix back.",
        )

    return run_check(exercise, body)


# --- Choosing the rank on validation, on a world small enough to fit in milliseconds.
_N_CUSTOMERS, _N_PRODUCTS, _RANKS, _FRACTION, _SEED = 100, 20, [1, 2, 4, 8], 0.2, 1


@cache
def _tiny_train():
    world = make_world(n_customers=_N_CUSTOMERS, n_products=_N_PRODUCTS, seed=_SEED)
    table = pair_table(world.customer_features, world.product_features, world.ratings)
    return split_pairs(table, _FRACTION, seed=_SEED)[0]


def _mse_by_rank(fit, measure) -> dict[int, float]:
    """MSE on `measure` of a truncated SVD fitted on `fit`, for each rank."""
    result = {}
    for rank in _RANKS:
        model = fit_svd(fit, _N_CUSTOMERS, _N_PRODUCTS, rank)
        predicted = model.predict(measure.customer_ids, measure.product_ids)
        result[rank] = float(np.mean((predicted - measure.y) ** 2))
    return result


def _close(got: dict, expected: dict) -> bool:
    return all(np.isclose(float(got[r]), expected[r], rtol=1e-6) for r in expected)


def check_validation_mse_by_rank(validation_mse_by_rank) -> CheckResult:
    """Check `validation_mse_by_rank(train, ranks, n_customers, n_products, fraction, seed)`.

    The right answer carves `fit, validation = split_pairs(train, fraction, seed=seed)`, fits
    `fit_svd(fit, n_customers, n_products, rank)` for each rank and returns
    {rank: MSE on the validation pairs}.
    """
    exercise = "validation_mse_by_rank"

    def body() -> CheckResult:
        train = _tiny_train()
        got = attempt(
            validation_mse_by_rank, train, list(_RANKS), _N_CUSTOMERS, _N_PRODUCTS, _FRACTION, _SEED
        )
        if not isinstance(got, dict):
            return wrong(exercise, f"return a dict {{rank: MSE}}; yours is {type(got).__name__}.")
        if sorted(got) != _RANKS:
            return wrong(
                exercise, f"return one entry per rank, keys {_RANKS}; yours has {sorted(got)}."
            )
        fit, validation = split_pairs(train, _FRACTION, seed=_SEED)
        expected = _mse_by_rank(fit, validation)
        best = min(expected, key=expected.get)
        worked = ", ".join(f"rank {r}: {v:.3f}" for r, v in expected.items())
        if _close(got, expected):
            return correct(exercise, f"{worked}; validation chooses rank {best}.")
        on_fit = _mse_by_rank(fit, fit)
        if _close(got, on_fit):
            return wrong(
                exercise,
                "you measured each rank on the pairs it was fitted on. That error always "
                f"falls as the rank grows (rank {_RANKS[-1]}: {on_fit[_RANKS[-1]]:.3f}), so it "
                "would choose the largest rank. Measure on the validation pairs.",
            )
        leaked = _mse_by_rank(train, validation)
        if _close(got, leaked):
            return wrong(
                exercise,
                "you fitted on all of `train`, validation pairs included, then measured on "
                "them: the model has seen its answers. Fit on the other pairs only.",
            )
        if all(np.isclose(float(got[r]) ** 2, expected[r], rtol=1e-6) for r in expected):
            return wrong(exercise, "these are RMSEs (square roots); return MSEs.")
        return wrong(
            exercise,
            f"with fit, validation = split_pairs(train, fraction, seed=seed) and fit_svd's "
            f"defaults, the validation MSEs are {worked}; yours at rank 1 is "
            f"{float(got[1]):.3f}.",
        )

    return run_check(exercise, body)
