"""The checks of notebook 12's exercises: valid answers, the stubs, and wrong ones."""

import numpy as np
import pytest

from course_utils.exercises.beyond_accuracy import check_ips, check_novelty
from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.metrics import novelty as novelty_metric


def stub(*args):
    raise NotImplementedError


# --- ips


def ips(clicks, new_probability, propensity):
    return np.mean(new_probability / propensity * clicks)


def ips_loop(clicks, new_probability, propensity):
    total = 0.0
    for click, pi, pi0 in zip(clicks, new_probability, propensity, strict=True):
        total += pi / pi0 * click
    return total / len(clicks)


@pytest.mark.parametrize(
    "answer", [ips, ips_loop, lambda c, t, p: float(np.dot(t / p, c) / len(c))]
)
def test_ips_valid_answers_pass(answer, capsys):
    assert check_ips(answer).status == CORRECT
    assert capsys.readouterr().out == "✅ Correct (ips): IPS on the tiny log is 1.167.\n"


def test_ips_stub_is_not_attempted():
    assert check_ips(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda c, t, p: np.mean(t * c), "Divide by the propensity"),
        (lambda c, t, p: np.mean(t * p * c), "you multiplied by the propensity"),
        (lambda c, t, p: np.sum(t / p * c) / np.sum(t / p), "self-normalised IPS"),
        (lambda c, t, p: np.mean((t / p * c)[c > 0]), "over the clicked events only"),
        (lambda c, t, p: np.mean(t / p), "without the clicks"),
        (lambda c, t, p: np.sum(t / p * c) / 6, "on a second log of 4 events"),
        (lambda c, t, p: np.sum(t / p * c), "IPS = (2 + 5) / 6 = 1.167; yours is 7.000"),
        (lambda c, t, p: t / p * c, "return one number"),
        (lambda c, t, p: None, "return one number"),
    ],
)
def test_ips_wrong_answers(attempt, says):
    result = check_ips(attempt)
    assert result.status == WRONG and says in result.message


# --- novelty


def novelty_loop(recommended, counts, n_customers):
    bits = [-np.log2((counts[j] + 1) / (n_customers + 1)) for ids in recommended for j in ids]
    return sum(bits) / len(bits)


@pytest.mark.parametrize("answer", [novelty_metric, novelty_loop])
def test_novelty_valid_answers_pass(answer, capsys):
    assert check_novelty(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (novelty): novelty on the tiny case is 0.750 bits.\n"
    )


def test_novelty_stub_is_not_attempted():
    assert check_novelty(stub).status == NOT_ATTEMPTED


def _share(counts, n):
    return (np.asarray(counts) + 1) / (n + 1)


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda r, c, n: np.mean(-np.log(_share(c, n)[r])), "nats"),
        (lambda r, c, n: np.mean(np.log2(_share(c, n)[r])), "negative"),
        (lambda r, c, n: np.mean(-np.log2(_share(c, n)[np.unique(r)])), "distinct products"),
        (lambda r, c, n: np.mean(-np.log2((np.asarray(c) / n)[r])), "add 1 to each count"),
        (lambda r, c, n: np.mean(-np.log2(_share(c, 3)[r])), "with n_customers=7"),
        (lambda r, c, n: np.mean(np.asarray(c)[r]), "(0 + 1 + 0 + 2) / 4 = 0.750; yours is 1.750"),
        (lambda r, c, n: -np.log2(_share(c, n)[r]), "return one number"),
    ],
)
def test_novelty_wrong_answers(attempt, says):
    result = check_novelty(attempt)
    assert result.status == WRONG and says in result.message
