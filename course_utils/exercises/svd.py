"""Checks for the exercises of notebooks/02_svd_baseline.py: truncated SVD and its rank."""

from functools import cache

import numpy as np

from course_utils.baselines import fit_svd
from course_utils.data import make_world, pair_table, split_pairs
from course_utils.exercises.core import (
    CheckResult,
    WrongAnswer,
    as_array,
    attempt,
    correct,
    describe,
    further_case,
    number,
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
        not_factors = f"Return the rank-{rank} matrix itself (u_r * s_r) @ vt_r, not its factors."
        try:
            got = as_array(attempt(truncated_svd, _MATRIX.copy(), rank), "the approximation")
        except WrongAnswer as problem:
            return wrong(exercise, f"{problem} {not_factors}")
        problem = shape_problem("the approximation", got, _MATRIX.shape)
        if problem:
            return wrong(exercise, f"{problem} {not_factors}")
        got = got.astype(float)
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
        with further_case("at rank 3"):
            full = as_array(attempt(truncated_svd, _MATRIX.copy(), 3), "the approximation")
        if full.shape != _MATRIX.shape or not np.allclose(full, _MATRIX, atol=1e-8):
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
# A second split, so that an answer must read `ranks`, `fraction` and `seed` from its
# arguments: the notebook's own VALIDATION_FRACTION is 0.2 as well.
_OTHER_RANKS, _OTHER_FRACTION, _OTHER_SEED = [3, 1], 0.3, 2


@cache
def _tiny_train():
    world = make_world(n_customers=_N_CUSTOMERS, n_products=_N_PRODUCTS, seed=_SEED)
    table = pair_table(world.customer_features, world.product_features, world.ratings)
    return split_pairs(table, _FRACTION, seed=_SEED)[0]


def _mse_by_rank(fit, measure, ranks=tuple(_RANKS)) -> dict[int, float]:
    """MSE on `measure` of a truncated SVD fitted on `fit`, for each rank."""
    result = {}
    for rank in ranks:
        model = fit_svd(fit, _N_CUSTOMERS, _N_PRODUCTS, rank)
        predicted = model.predict(measure.customer_ids, measure.product_ids)
        result[rank] = float(np.mean((predicted - measure.y) ** 2))
    return result


def _close(got: dict, expected: dict) -> bool:
    return all(np.isclose(got[r], expected[r], rtol=1e-6) for r in expected)


def _worked(errors: dict) -> str:
    return ", ".join(f"rank {r}: {v:.3f}" for r, v in errors.items())


def _by_rank(got, ranks: list[int]) -> dict[int, float]:
    """The answer as {rank: float}; `WrongAnswer` unless it is a dict of one number per rank."""
    if not isinstance(got, dict):
        raise WrongAnswer(f"return a dict {{rank: MSE}}; yours is {describe(got)}.")
    if set(got) != set(ranks):
        try:
            keys = sorted(got)
        except TypeError:  # keys of mixed types
            keys = list(got)
        raise WrongAnswer(f"return one entry per rank, keys {sorted(ranks)}; yours has {keys}.")
    return {rank: number(got[rank], f"the validation MSE of rank {rank}") for rank in ranks}


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
        got = _by_rank(got, _RANKS)
        fit, validation = split_pairs(train, _FRACTION, seed=_SEED)
        expected = _mse_by_rank(fit, validation)
        best = min(expected, key=expected.get)
        if _close(got, expected):
            return _other_split(exercise, validation_mse_by_rank, train) or correct(
                exercise, f"{_worked(expected)}; validation chooses rank {best}."
            )
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
        if all(np.isclose(got[r] ** 2, expected[r], rtol=1e-6) for r in expected):
            return wrong(exercise, "these are RMSEs (square roots); return MSEs.")
        return wrong(
            exercise,
            f"with fit, validation = split_pairs(train, fraction, seed=seed) and fit_svd's "
            f"defaults, the validation MSEs are {_worked(expected)}; yours at rank 1 is "
            f"{got[1]:.3f}.",
        )

    return run_check(exercise, body)


def _other_split(exercise: str, validation_mse_by_rank, train) -> CheckResult | None:
    """A `wrong(...)` if the answer is not also right on another split and ranks, else None."""
    with further_case(f"with ranks={_OTHER_RANKS}, fraction={_OTHER_FRACTION}, seed={_OTHER_SEED}"):
        got = attempt(
            validation_mse_by_rank,
            train,
            list(_OTHER_RANKS),
            _N_CUSTOMERS,
            _N_PRODUCTS,
            _OTHER_FRACTION,
            _OTHER_SEED,
        )
        got = _by_rank(got, _OTHER_RANKS)
    fit, validation = split_pairs(train, _OTHER_FRACTION, seed=_OTHER_SEED)
    expected = _mse_by_rank(fit, validation, _OTHER_RANKS)
    if _close(got, expected):
        return None
    return wrong(
        exercise,
        f"right for fraction={_FRACTION}, seed={_SEED}, but with ranks={_OTHER_RANKS}, "
        f"fraction={_OTHER_FRACTION}, seed={_OTHER_SEED} the validation MSEs are "
        f"{_worked(expected)}; yours are {_worked(got)}. Use the arguments `ranks`, "
        "`fraction` and `seed`, not the notebook's constants.",
    )
