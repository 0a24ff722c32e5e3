"""The check of notebook 08's Markov count-table exercise: valid answers, the stub, wrong ones."""

import numpy as np
import pytest
import scipy.sparse as sp

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.next_item import check_transition_counts


def stub(*args):
    raise NotImplementedError


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
def test_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_transition_counts(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (count_transitions): entry [a, b] counts b right after a, within each user.\n"
    )


def test_the_stub_is_not_attempted():
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
def test_wrong_answers(attempt, says):
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
def test_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_transition_counts(attempt)
    assert result.status == WRONG and says in result.message


def test_an_answer_that_changes_the_histories_does_not_change_the_check():
    def emptying(histories, n_movies):
        counts = loops(histories, n_movies)
        for rated in histories:
            rated.clear()
        return counts

    assert check_transition_counts(emptying).status == CORRECT
    assert check_transition_counts(loops).status == CORRECT
