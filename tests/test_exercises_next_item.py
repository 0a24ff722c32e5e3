"""The checks of notebook 08's exercises: right, untouched, and typical wrong answers."""

import numpy as np
import pytest

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.next_item import check_ease_weights, check_histories


def last_movies(rated, n):
    history = np.zeros(n, int)
    recent = np.asarray(rated[-n:], int) + 1
    history[n - len(recent) :] = recent
    return history


def stub(*args):
    raise NotImplementedError


def test_histories_right_answer_and_stub():
    assert check_histories(last_movies).status == CORRECT
    assert check_histories(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (
            lambda r, n: np.r_[np.asarray(r[-n:]) + 1, np.zeros(n - len(r[-n:]), int)],
            "on the right",
        ),
        (lambda r, n: last_movies(r, n) - (last_movies(r, n) > 0), "store movie id + 1"),
        (lambda r, n: np.r_[np.zeros(max(n - len(r), 0), int), np.asarray(r[:n]) + 1], "oldest"),
        (lambda r, n: np.asarray(r) + 1, "has shape (5,)"),
    ],
)
def test_histories_wrong_answers(attempt, says):
    result = check_histories(attempt)
    assert result.status == WRONG and says in result.message


def ease(gram, regularization):
    inverse = np.linalg.inv(gram + regularization * np.eye(len(gram)))
    weights = -inverse / np.diag(inverse)
    np.fill_diagonal(weights, 0.0)
    return weights


def test_ease_right_answer_and_stub():
    assert check_ease_weights(ease).status == CORRECT
    assert check_ease_weights(stub).status == NOT_ATTEMPTED


def by_rows(gram, regularization):
    inverse = np.linalg.inv(gram + regularization * np.eye(len(gram)))
    weights = -inverse / np.diag(inverse)[:, None]
    np.fill_diagonal(weights, 0.0)
    return weights


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (
            lambda g, lam: (
                -np.linalg.inv(g + lam * np.eye(3)) / np.diag(np.linalg.inv(g + lam * np.eye(3)))
            ),
            "diagonal of B must be 0",
        ),
        (by_rows, "divided each row"),
        (lambda g, lam: -ease(g, lam), "sign is flipped"),
        (lambda g, lam: ease(g, 0.0), "λ is missing"),
        (lambda g, lam: ease(g, 2 * lam), "B[0, 1] should be"),
        (lambda g, lam: ease(g, lam)[:2], "(3, 3)"),
    ],
)
def test_ease_wrong_answers(attempt, says):
    result = check_ease_weights(attempt)
    assert result.status == WRONG and says in result.message
