"""The checks of notebook 09's exercises: valid answers, the stubs, and wrong ones."""

import numpy as np
import pytest
import scipy.sparse as sp

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.next_item import (
    check_ease_weights,
    check_histories,
    check_transition_counts,
)


def stub(*args):
    raise NotImplementedError


# --- last_movies


def last_movies(rated, n):
    history = np.zeros(n, int)
    recent = np.asarray(rated[-n:], int) + 1
    history[n - len(recent) :] = recent
    return history


def last_movies_padded(rated, n):
    recent = [movie + 1 for movie in rated][-n:]
    return np.array([0] * (n - len(recent)) + recent, dtype=np.int32)


def last_movies_pad(rated, n):
    recent = np.asarray(rated, dtype=np.int64)[len(rated) - min(n, len(rated)) :] + 1
    return np.pad(recent, (n - len(recent), 0))


def negative_slice(rated, n):
    """history[-len(recent):] is the whole array when recent is empty: -0 is 0."""
    history = np.zeros(n, int)
    recent = np.asarray(rated[-n:], int) + 1
    history[-len(recent) :] = recent
    return history


@pytest.mark.parametrize("answer", [last_movies, last_movies_padded, last_movies_pad])
def test_histories_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_histories(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (last_movies): the last n movies, id + 1, right-aligned, padded with 0.\n"
    )


def test_histories_stub_is_not_attempted():
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
        (lambda r, n: last_movies(r, n).astype(float), "the history is an array of float64"),
        (negative_slice, "for a user with no rating yet (rated=[], n=3), your code raised"),
    ],
)
def test_histories_wrong_answers(attempt, says):
    result = check_histories(attempt)
    assert result.status == WRONG and says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda r, n: None, "the history should be an array of numbers; yours is None"),
        (lambda r, n: "0 0 6 8 10", "yours is the text '0 0 6 8 10'"),
        (lambda r, n: [[0, 0], [6, 8, 10]], "yours is a list of 2 items of shapes (2,), (3,)"),
        (
            lambda r, n: last_movies(r, n) if r else None,
            "for a user with no rating yet (rated=[], n=3): the history should be an array",
        ),
    ],
)
def test_histories_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_histories(attempt)
    assert result.status == WRONG and says in result.message


# --- ease_weights


def ease(gram, regularization):
    inverse = np.linalg.inv(gram + regularization * np.eye(len(gram)))
    weights = -inverse / np.diag(inverse)
    np.fill_diagonal(weights, 0.0)
    return weights


def ease_solve(gram, regularization):
    """P by a linear solve, and the diagonal zeroed with a mask."""
    size = gram.shape[0]
    inverse = np.linalg.solve(gram + regularization * np.identity(size), np.identity(size))
    weights = -inverse / inverse.diagonal()[None, :]
    return np.where(np.eye(size, dtype=bool), 0.0, weights)


def ease_loops(gram, regularization):
    inverse = np.linalg.inv(gram + np.diag([regularization] * len(gram)))
    return np.array(
        [
            [0.0 if i == j else -inverse[i, j] / inverse[j, j] for j in range(len(gram))]
            for i in range(len(gram))
        ]
    )


def ease_without_lambda_times_identity(gram, regularization):
    """Right for λ = 1 only: the identity added as it is."""
    return ease(gram, 1.0)


@pytest.mark.parametrize("answer", [ease, ease_solve, ease_loops])
def test_ease_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_ease_weights(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (ease_weights): B = -P / diag(P) with P = (XᵀX + λI)⁻¹ and a zero diagonal.\n"
    )


def test_ease_stub_is_not_attempted():
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
        (ease_without_lambda_times_identity, "for 4 movies with λ=2.5 yours is B for λ=1"),
        (lambda g, lam: ease(g[:3, :3], lam), "B should have shape (4, 4)"),
    ],
)
def test_ease_wrong_answers(attempt, says):
    result = check_ease_weights(attempt)
    assert result.status == WRONG and says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda g, lam: None, "B should be an array of numbers; yours is None"),
        (lambda g, lam: (ease(g, lam), lam), "B should be an array of numbers; yours is a tuple"),
        (lambda g, lam: "B", "yours is the text 'B'"),
    ],
)
def test_ease_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_ease_weights(attempt)
    assert result.status == WRONG and says in result.message


# --- count_transitions


def loops(histories, n_movies):
    counts = np.zeros((n_movies, n_movies), int)
    for rated in histories:
        for i in range(1, len(rated)):
            counts[rated[i - 1], rated[i]] += 1
    return counts


def with_add_at(histories, n_movies):
    counts = np.zeros((n_movies, n_movies), np.int64)
    for rated in histories:
        np.add.at(counts, (rated[:-1], rated[1:]), 1)
    return counts


def with_sparse(histories, n_movies):
    pairs = [(a, b) for rated in histories for a, b in zip(rated, rated[1:], strict=False)]
    rows, columns = zip(*pairs, strict=True)
    shape = (n_movies, n_movies)
    return sp.coo_matrix((np.ones(len(pairs), int), (rows, columns)), shape=shape).toarray()


@pytest.mark.parametrize("answer", [loops, with_add_at, with_sparse])
def test_transition_counts_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_transition_counts(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (count_transitions): entry [a, b] counts b right after a, within each user.\n"
    )


def test_transition_counts_the_stub_is_not_attempted():
    assert check_transition_counts(stub).status == NOT_ATTEMPTED


def joined(histories, n_movies):
    return loops([[movie for rated in histories for movie in rated]], n_movies)


def every_later(histories, n_movies):
    counts = np.zeros((n_movies, n_movies), int)
    for rated in histories:
        for i, a in enumerate(rated):
            for b in rated[i + 1 :]:
                counts[a, b] += 1
    return counts


def right_only_for_three_movies(histories, n_movies):
    """Sized by a fixed 3: wrong on the second case only."""
    return loops(histories, 3) if n_movies == 3 else np.zeros((3, 3), int)


def passes_the_first_case_only(histories, n_movies):
    counts = loops(histories, n_movies)
    if n_movies == 4:
        counts[3, 0] = 0  # as if a user's first pair were skipped
    return counts


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda h, n: loops(h, n).T, "transposed"),
        (joined, "ran the users together"),
        (every_later, "every later movie"),
        (lambda h, n: loops(h, n) + loops(h, n).T, "both directions"),
        (lambda h, n: (loops(h, n) > 0).astype(int), "marked pairs with 1"),
        (lambda h, n: loops(h, n)[:2], "(3, 3)"),
        (lambda h, n: loops(h, n).astype(float), "stored as float64"),
        (
            right_only_for_three_movies,
            "for 4 movies with a one-movie and an empty history the table is (n_movies, "
            "n_movies) = (4, 4); yours has shape (3, 3)",
        ),
        (passes_the_first_case_only, "the table should be [[0, 2, 0, 0]"),
        (lambda h, n: loops(h, n) + 1, "for [[0, 1, 2], [1, 2]] the table should be"),
    ],
)
def test_transition_counts_wrong_answers(attempt, says):
    result = check_transition_counts(attempt)
    assert result.status == WRONG and says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda h, n: None, "the table should be an array of numbers; yours is None"),
        (lambda h, n: "counts", "yours is the text 'counts'"),
        (
            lambda h, n: loops(h, n) if n == 3 else None,
            "for 4 movies with a one-movie and an empty history: the table should be an array",
        ),
        (lambda h, n: [[0, 1], [0, 0, 2]], "yours is a list of 2 items of shapes (2,), (3,)"),
    ],
)
def test_transition_counts_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_transition_counts(attempt)
    assert result.status == WRONG and says in result.message


def test_transition_counts_an_answer_that_changes_the_histories_does_not_change_the_check():
    def emptying(histories, n_movies):
        counts = loops(histories, n_movies)
        for rated in histories:
            rated.clear()
        return counts

    assert check_transition_counts(emptying).status == CORRECT
    assert check_transition_counts(loops).status == CORRECT
