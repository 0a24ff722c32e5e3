"""The check of notebook 01's noise-floor exercise: right, untouched, and typical wrong answers."""

import numpy as np
import pytest

from course_utils.data import make_world, star_distribution
from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.noise_floor import check_noise_floor

STARS = np.arange(1, 6)


def right(probabilities):
    mean = probabilities @ STARS
    return float(np.mean(probabilities @ STARS**2 - mean**2))


def stub(probabilities):
    raise NotImplementedError


def test_right_answer_passes(capsys):
    result = check_noise_floor(right)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out.startswith("✅ Correct (noise_floor)")


def test_right_answer_matches_the_worlds_noise_floor():
    world = make_world(n_customers=30, n_products=7, seed=5)
    probabilities = star_distribution(
        world.taste.latent(world.customer_features, world.product_features), 0.5
    )
    assert right(probabilities) == pytest.approx(world.noise_floor)


def test_untouched_stub_is_not_attempted_and_does_not_raise(capsys):
    result = check_noise_floor(stub)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert "Not attempted yet" in capsys.readouterr().out


def axis_one(probabilities):
    """Right on (n, 5), wrong on (n, 1, 5): sums over axis 1 instead of the last axis."""
    mean = np.sum(probabilities * STARS, axis=1)
    return float(np.mean(np.sum(probabilities * STARS**2, axis=1) - mean**2))


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda p: np.var(p @ STARS), "variance of the expected ratings"),
        (lambda p: np.mean(np.sqrt(p @ STARS**2 - (p @ STARS) ** 2)), "averaged standard"),
        (lambda p: np.sqrt(right(p)), "the square root (an RMSE)"),
        (lambda p: np.mean(p @ STARS**2), "did not subtract E[stars]²"),
        (lambda p: right(p) + 0.1, "noise floor of (0 + 4 + 0.25) / 3 = 1.417; yours is 1.517"),
        (lambda p: [1.0, 2.0], "return one number"),
        (axis_one, "(3, 1, 5) array"),
        (lambda p: p["stars"], "your code raised IndexError"),
    ],
)
def test_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_noise_floor(attempt)
    assert result.status == WRONG
    assert says in result.message
