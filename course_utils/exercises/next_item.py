"""Checks for the exercises of notebooks/09_next_item.py: histories, EASE, Markov counts."""

import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    as_array,
    attempt,
    correct,
    further_case,
    run_check,
    wrong,
)

_RATED = [5, 7, 9]  # one user's movie ids, oldest first


def check_histories(last_movies) -> CheckResult:
    """Check `last_movies(rated, n) -> (n,) ints`: ids + 1, right-aligned, 0-padded on the left.

    Cases: more room than ratings (n=5), fewer (n=2), and a user with no rating yet, whose
    history is all padding (a user's first event has one).
    """
    exercise = "last_movies"

    def body() -> CheckResult:
        long = as_array(attempt(last_movies, list(_RATED), 5), "the history")
        short = as_array(attempt(last_movies, list(_RATED), 2), "the history")
        if long.shape != (5,) or short.shape != (2,):
            return wrong(
                exercise,
                f"with n=5 the history has shape (5,) and with n=2 shape (2,); yours have "
                f"{long.shape} and {short.shape}.",
            )
        if long.tolist() == [6, 8, 10, 0, 0]:
            return wrong(
                exercise,
                "the padding is on the right. The model reads the last column as the movie "
                "rated just before: pad on the left, [0, 0, 6, 8, 10].",
            )
        if long.tolist() == [0, 0, 5, 7, 9]:
            return wrong(
                exercise,
                "id 0 means padding, so movie 0 would vanish: store movie id + 1, "
                "[0, 0, 6, 8, 10].",
            )
        if short.tolist() == [6, 8]:
            return wrong(
                exercise, "with n=2 you kept the two oldest movies; keep the last two, [8, 10]."
            )
        if long.tolist() != [0, 0, 6, 8, 10] or short.tolist() != [8, 10]:
            return wrong(
                exercise,
                f"for rated={_RATED}: n=5 gives [0, 0, 6, 8, 10] and n=2 gives [8, 10]; "
                f"yours give {long.tolist()} and {short.tolist()}.",
            )
        if not (np.issubdtype(long.dtype, np.integer) and np.issubdtype(short.dtype, np.integer)):
            return wrong(
                exercise,
                f"the values are right, but the history is an array of {long.dtype}: return "
                "ints (np.zeros(n, int)), as an Embedding layer reads ids.",
            )
        case = "for a user with no rating yet (rated=[], n=3)"
        with further_case(case):
            empty = as_array(attempt(last_movies, [], 3), "the history")
        if empty.tolist() != [0, 0, 0] or not np.issubdtype(empty.dtype, np.integer):
            return wrong(
                exercise,
                f"{case} the history is all padding, [0, 0, 0] as ints; yours is "
                f"{empty.tolist()} ({empty.dtype}). Careful with history[-len(recent):] "
                "when recent is empty: -0 is 0, the whole array.",
            )
        return correct(exercise, "the last n movies, id + 1, right-aligned, padded with 0.")

    return run_check(exercise, body)


# Three movies; four users rated (0, 1), (0,), (0, 1, 2) and (1, 2): the Gram matrix X^T X.
_GRAM = np.array([[3.0, 2.0, 1.0], [2.0, 3.0, 2.0], [1.0, 2.0, 2.0]])
# Four movies and λ = 2.5, so neither the size nor λ = 1 can be written in.
_OTHER_GRAM = np.array(
    [[4.0, 2.0, 1.0, 0.0], [2.0, 3.0, 1.0, 1.0], [1.0, 1.0, 2.0, 1.0], [0.0, 1.0, 1.0, 3.0]]
)
_OTHER_LAMBDA = 2.5


def _ease_reference(gram: np.ndarray, regularization: float) -> np.ndarray:
    inverse = np.linalg.inv(gram + regularization * np.eye(len(gram)))
    weights = -inverse / np.diag(inverse)
    np.fill_diagonal(weights, 0.0)
    return weights


def check_ease_weights(ease_weights) -> CheckResult:
    """Check `ease_weights(gram, regularization) -> (items, items)`: EASE's closed form."""
    exercise = "ease_weights"

    def body() -> CheckResult:
        got = as_array(attempt(ease_weights, _GRAM.copy(), 1.0), "B").astype(float)
        expected = _ease_reference(_GRAM, 1.0)
        if got.shape != (3, 3):
            return wrong(exercise, f"for 3 movies B is (3, 3); yours has shape {got.shape}.")
        if np.allclose(got, expected, atol=1e-6):
            return _other_gram(exercise, ease_weights) or correct(
                exercise, "B = -P / diag(P) with P = (XᵀX + λI)⁻¹ and a zero diagonal."
            )
        if not np.allclose(np.diag(got), 0.0):
            return wrong(
                exercise,
                "the diagonal of B must be 0: a movie may not predict itself (that is the "
                "constraint that makes EASE learn anything).",
            )
        inverse = np.linalg.inv(_GRAM + np.eye(3))
        by_rows = -inverse / np.diag(inverse)[:, None]
        np.fill_diagonal(by_rows, 0.0)
        if np.allclose(got, by_rows):
            return wrong(
                exercise,
                "you divided each row by P[i, i]; divide each column j by P[j, j]: "
                "-P / np.diag(P) broadcasts over columns.",
            )
        if np.allclose(got, -expected):
            return wrong(exercise, "the sign is flipped: B = -P / diag(P).")
        if np.allclose(got, _ease_reference(_GRAM, 0.0)):
            return wrong(exercise, "λ is missing: invert XᵀX + λI, not XᵀX.")
        return wrong(
            exercise,
            f"on the 3-movie Gram matrix with λ=1, B[0, 1] should be "
            f"{expected[0, 1]:.4f}; yours is {got[0, 1]:.4f}.",
        )

    return run_check(exercise, body)


def _other_gram(exercise: str, ease_weights) -> CheckResult | None:
    """A `wrong(...)` unless B is right for 4 movies with λ = 2.5 too."""
    case = f"for 4 movies with λ={_OTHER_LAMBDA:g}"
    with further_case(case):
        got = as_array(attempt(ease_weights, _OTHER_GRAM.copy(), _OTHER_LAMBDA), "B")
    got = got.astype(float)
    expected = _ease_reference(_OTHER_GRAM, _OTHER_LAMBDA)
    if got.shape == expected.shape and np.allclose(got, expected, atol=1e-6):
        return None
    if got.shape == expected.shape and np.allclose(got, _ease_reference(_OTHER_GRAM, 1.0)):
        return wrong(
            exercise,
            f"right with λ=1, but {case} yours is B for λ=1: multiply the identity by "
            "`regularization`, gram + regularization * np.eye(len(gram)).",
        )
    return wrong(
        exercise,
        f"right on the 3-movie case with λ=1, but {case} B should have shape (4, 4) and "
        f"B[0, 1] = {expected[0, 1]:.4f}; yours has shape {got.shape}"
        f"{f' and B[0, 1] = {got[0, 1]:.4f}' if got.shape == expected.shape else ''}. "
        "Use `regularization` and the size of `gram`, not fixed numbers.",
    )


# Two users; the pair (1, 2) occurs twice, and user 0's last movie (2) is user 1's first's
# predecessor only if the lists are run together.
_HISTORIES = [[0, 1, 2], [1, 2]]
_EXPECTED_COUNTS = [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
# Four movies, one user who rated a single movie and one with no rating: no pair from them.
_OTHER_HISTORIES = [[3, 0, 1], [2], [], [0, 1]]
_OTHER_COUNTS = [[0, 2, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]]


def _counts_mistakes(histories: list, n_movies: int) -> dict[str, np.ndarray]:
    """What the usual mistakes give on `histories`: {message: (n_movies, n_movies) counts}."""
    joined = [movie for rated in histories for movie in rated]
    later, across, once = (np.zeros((n_movies, n_movies), int) for _ in range(3))
    for a, b in zip(joined[:-1], joined[1:], strict=True):
        across[a, b] += 1
    for rated in histories:
        for i, a in enumerate(rated):
            for b in rated[i + 1 :]:
                later[a, b] += 1
        for a, b in zip(rated[:-1], rated[1:], strict=True):
            once[a, b] = 1
    right = np.zeros((n_movies, n_movies), int)
    for rated in histories:
        for a, b in zip(rated[:-1], rated[1:], strict=True):
            right[a, b] += 1
    return {
        "the table is transposed: [a, b] counts b followed by a. Count b right AFTER a.": (right.T),
        "you ran the users together: a user's last movie is not followed by the next "
        "user's first. Count pairs within each user's list.": across,
        "you counted every later movie, not only the next one: [a, b] counts b RIGHT "
        "after a (zip(rated[:-1], rated[1:])).": later,
        "you counted both directions: [a, b] counts b after a, not a after b.": right + right.T,
        "you marked pairs with 1 instead of counting them: add 1 each time a pair occurs.": (once),
    }


def check_transition_counts(count_transitions) -> CheckResult:
    """Check `count_transitions(histories, n_movies) -> (n_movies, n_movies)` ints.

    Entry [a, b] counts how often b was rated right after a by the same user. Cases: two
    users sharing a pair; then four movies with a user of one rating and one of none.
    """
    exercise = "count_transitions"

    def body() -> CheckResult:
        for case, histories, n_movies, expected in [
            ("", _HISTORIES, 3, np.array(_EXPECTED_COUNTS)),
            (
                "for 4 movies with a one-movie and an empty history",
                _OTHER_HISTORIES,
                4,
                np.array(_OTHER_COUNTS),
            ),
        ]:
            copies = [list(rated) for rated in histories]
            if case:
                with further_case(case):
                    got = as_array(attempt(count_transitions, copies, n_movies), "the table")
            else:
                got = as_array(attempt(count_transitions, copies, n_movies), "the table")
            where = f"{case} " if case else f"for {histories} "
            if got.shape != expected.shape:
                return wrong(
                    exercise,
                    f"{where}the table is (n_movies, n_movies) = {expected.shape}; yours has "
                    f"shape {got.shape}. Size it with n_movies, not the largest id.",
                )
            if np.array_equal(got, expected):
                continue
            for message, mistake in _counts_mistakes(histories, n_movies).items():
                if np.array_equal(got, mistake):
                    return wrong(exercise, message)
            return wrong(
                exercise,
                f"{where}the table should be {expected.tolist()}; yours is {got.tolist()}.",
            )
        if not np.issubdtype(got.dtype, np.integer):
            return wrong(
                exercise,
                f"the counts are right, but stored as {got.dtype}: return ints "
                "(np.zeros((n_movies, n_movies), int)): a count is a whole number.",
            )
        return correct(exercise, "entry [a, b] counts b right after a, within each user.")

    return run_check(exercise, body)
