"""The check of notebook 01's noise-floor exercise: valid answers, the stub, and wrong ones."""

import numpy as np
import pytest

from course_utils.data import make_world, star_distribution
from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.noise_floor import check_noise_floor

STARS = np.arange(1, 6)


def right(probabilities):
    mean = probabilities @ STARS
    return float(np.mean(probabilities @ STARS**2 - mean**2))


def by_deviations(probabilities):
    """E[(stars - mean)^2], without the E[s^2] - E[s]^2 shortcut, as a 0-d array."""
    mean = probabilities @ STARS
    return np.mean(((STARS - mean[..., None]) ** 2 * probabilities).sum(axis=-1))


def flattened_pairs(probabilities):
    """Every pair as a row, then the mean of a size-1 array: one number all the same."""
    rows = probabilities.reshape(-1, 5)
    variances = [np.average((STARS - row @ STARS) ** 2, weights=row) for row in rows]
    return np.array([np.mean(variances)])


def stub(probabilities):
    raise NotImplementedError


def axis_one(probabilities):
    """Right on (n, 5), wrong on (n, 1, 5): sums over axis 1 instead of the last axis."""
    mean = np.sum(probabilities * STARS, axis=1)
    return float(np.mean(np.sum(probabilities * STARS**2, axis=1) - mean**2))


def first_axis_only(probabilities):
    """Averages over the first axis only: one number for (3, 5) and (3, 1, 5), not (2, 3, 5)."""
    mean = probabilities @ STARS
    return np.mean(probabilities @ STARS**2 - mean**2, axis=0)


@pytest.mark.parametrize("answer", [right, by_deviations, flattened_pairs])
def test_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_noise_floor(answer)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out == (
        "✅ Correct (noise_floor): the mean of the pairs' variances, (0 + 4 + 0.25) / 3 = 1.417.\n"
    )


def test_right_answer_matches_the_worlds_noise_floor():
    world = make_world(n_customers=30, n_products=7, seed=5)
    probabilities = star_distribution(
        world.taste.latent(world.customer_features, world.product_features), 0.5
    )
    assert right(probabilities) == pytest.approx(world.noise_floor)


def test_untouched_stub_is_not_attempted_and_does_not_raise(capsys):
    result = check_noise_floor(stub)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert capsys.readouterr().out == (
        "⏳ Not attempted yet (noise_floor): replace `raise NotImplementedError` with your "
        "code, then run this cell again.\n"
    )


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda p: np.var(p @ STARS), "variance of the expected ratings"),
        (lambda p: np.mean(np.sqrt(p @ STARS**2 - (p @ STARS) ** 2)), "averaged standard"),
        (lambda p: np.sqrt(right(p)), "the square root (an RMSE)"),
        (lambda p: np.mean(p @ STARS**2), "did not subtract E[stars]²"),
        (lambda p: right(p) + 0.1, "noise floor of (0 + 4 + 0.25) / 3 = 1.417; yours is 1.517"),
        (axis_one, "a (3, 1, 5) array of the same pairs"),
        (first_axis_only, "a (2, 3, 5) array of the same pairs (customers × products × stars"),
        (lambda p: p["stars"], "your code raised IndexError"),
    ],
)
def test_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_noise_floor(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    "attempt",
    [lambda p: [1.0, 2.0], lambda p: None, lambda p: "1.417", lambda p: {"floor": 1.417}],
    ids=["a list", "None", "text", "a dict"],
)
def test_answers_of_the_wrong_type_get_the_checks_own_message(attempt):
    result = check_noise_floor(attempt)
    assert result.status == WRONG
    assert "return one number, the mean variance over all pairs." in result.message
