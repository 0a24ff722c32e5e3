"""Checks for the exercises of notebooks/01_synthetic_data.py: the noise floor.

The noise floor is the mean, over pairs, of Var[stars | features]: the MSE of a model that
predicts E[stars | features] exactly, the lowest any model can reach.
"""

import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    WrongAnswer,
    as_array,
    attempt,
    correct,
    describe,
    further_case,
    run_check,
    wrong,
)

_STARS = np.arange(1, 6)
# Three pairs whose star distributions are worked out by hand (columns: 1 to 5 stars).
_PROBABILITIES = np.array(
    [
        [0.0, 0.0, 1.0, 0.0, 0.0],  # always 3 stars: mean 3, variance 0
        [0.5, 0.0, 0.0, 0.0, 0.5],  # 1 or 5 stars: mean 3, variance 4
        [0.0, 0.0, 0.0, 0.5, 0.5],  # 4 or 5 stars: mean 4.5, variance 0.25
    ]
)
_FLOOR = (0.0 + 4.0 + 0.25) / 3


def _as_number(value) -> float | None:
    """`value` as a float if it is one number (a scalar or a size-1 array), else None."""
    try:
        array = as_array(value, "the noise floor")
    except WrongAnswer:
        return None
    return float(array.reshape(-1)[0]) if array.size == 1 else None


def check_noise_floor(noise_floor) -> CheckResult:
    """Check `noise_floor(probabilities) -> float`.

    `probabilities` is a (..., 5) array: for each pair, the probability of 1, 2, 3, 4 and 5
    stars. The answer is the mean over pairs of each pair's variance of stars.
    """
    exercise = "noise_floor"
    worked = f"(0 + 4 + 0.25) / 3 = {_FLOOR:.3f}"

    def body() -> CheckResult:
        result = attempt(noise_floor, _PROBABILITIES.copy())
        got = _as_number(result)
        if got is None:
            return wrong(
                exercise,
                "return one number, the mean variance over all pairs. Yours is "
                f"{describe(result)}.",
            )
        expected_means = _PROBABILITIES @ _STARS
        mistakes = [
            (
                np.var(expected_means),
                "you computed the variance of the expected ratings across pairs: that is "
                "the signal a model can learn, not the noise. Take each pair's own variance "
                "of stars, then average.",
            ),
            (
                np.mean(np.sqrt(_PROBABILITIES @ _STARS**2 - expected_means**2)),
                "you averaged standard deviations. An MSE is in squared stars: average the "
                "variances, without a square root.",
            ),
            (
                np.sqrt(_FLOOR),
                "you returned the square root (an RMSE). The noise floor is an MSE: leave "
                "out the square root.",
            ),
            (
                np.mean(_PROBABILITIES @ _STARS**2),
                "you averaged E[stars²] but did not subtract E[stars]²: the variance is "
                "E[stars²] - E[stars]².",
            ),
        ]
        if not np.isclose(got, _FLOOR, rtol=1e-6):
            for value, message in mistakes:
                if np.isclose(got, value, rtol=1e-6):
                    return wrong(exercise, f"{message} Here the floor is {worked}.")
            return wrong(
                exercise,
                f"three pairs with variances 0, 4 and 0.25 have a noise floor of {worked}; "
                f"yours is {got:.3f}.",
            )
        # The same pairs laid out as the world's (customers, products, 5): the variances
        # of every pair, averaged over both axes, not over the first one only.
        grids = [_PROBABILITIES.reshape(3, 1, 5), np.stack([_PROBABILITIES, _PROBABILITIES[::-1]])]
        for grid in grids:
            case = f"on a {grid.shape} array of the same pairs"
            with further_case(case):
                got = _as_number(attempt(noise_floor, grid.copy()))
            if got is None or not np.isclose(got, _FLOOR, rtol=1e-6):
                return wrong(
                    exercise,
                    f"right for a (3, 5) array, but a {grid.shape} array of the same pairs "
                    f"(customers × products × stars, as the world's) should give {_FLOOR:.3f}; "
                    f"yours gives {'not one number' if got is None else f'{got:.3f}'}. Work on "
                    "the last axis only, e.g. `probabilities @ stars`, and average over all "
                    "the others.",
                )
        return correct(exercise, f"the mean of the pairs' variances, {worked}.")

    return run_check(exercise, body)
