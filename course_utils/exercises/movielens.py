"""Checks for the exercises of notebooks 06 and 07 (MovieLens): effects, blends, last-out.

Each check builds a table small enough to work out by hand and says, in the learner's terms,
what the right answer is on it.
"""

import numpy as np
import pandas as pd

from course_utils.exercises.core import (
    CheckResult,
    as_array,
    attempt,
    correct,
    further_case,
    number,
    pair,
    run_check,
    wrong,
)

# Six ratings of four movies; movie 3 has none. The mean rating is 19 / 6.
_MOVIES = np.array([0, 0, 1, 2, 2, 2])
_STARS = np.array([5.0, 4.0, 1.0, 3.0, 4.0, 2.0])
_N_MOVIES, _LAMBDA = 4, 2.0
# A second case the exercise's text names: no regularization, so the unrated movie (1, in
# the middle) is 0 / 0 unless the answer makes it 0, and ids that are not sorted.
_OTHER_MOVIES = np.array([2, 0, 3, 0, 2])
_OTHER_STARS = np.array([4.0, 2.0, 5.0, 3.0, 1.0])
_OTHER_N_MOVIES, _OTHER_LAMBDA = 4, 0.0


def _effects(
    regularization: float, subtract_mean: bool = True, movies=_MOVIES, stars=_STARS
) -> np.ndarray:
    centred = stars - (stars.mean() if subtract_mean else 0.0)
    total = np.bincount(movies, weights=centred, minlength=_N_MOVIES)
    count = np.bincount(movies, minlength=_N_MOVIES)
    denominator = count + regularization
    return np.divide(total, denominator, out=np.zeros(_N_MOVIES), where=denominator > 0)


def _rounded(values) -> list[float]:
    return [round(float(v), 3) for v in values]


def check_movie_effects(movie_effects) -> CheckResult:
    """Check `movie_effects(movie_ids, ratings, n_movies, regularization) -> (n_movies,)`.

    Movie i's effect is sum over its ratings of (rating - mean) / (n_i + regularization),
    with the mean of all `ratings`; a movie with no ratings gets 0, regularization 0 included.
    """
    exercise = "movie_effects"

    def body() -> CheckResult:
        got = attempt(movie_effects, _MOVIES.copy(), _STARS.copy(), _N_MOVIES, _LAMBDA)
        got = as_array(got, "the effects").astype(float)
        expected = _effects(_LAMBDA)
        case = (
            f"movies {_MOVIES.tolist()} rated {_STARS.tolist()}, n_movies={_N_MOVIES}, "
            f"regularization={_LAMBDA:g}"
        )
        if got.shape != (_N_MOVIES,):
            return wrong(
                exercise,
                f"return one effect per movie: shape ({_N_MOVIES},) for {case}; yours has "
                f"shape {got.shape}.",
            )
        if np.isnan(got[3]):
            return wrong(
                exercise,
                "movie 3 has no ratings, so its effect is 0 / (0 + regularization) = 0; yours "
                "is nan. Divide only where there is something to divide (np.divide with "
                "`where=`), or add the regularization before dividing.",
            )
        if np.allclose(got, _effects(0.0)):
            return wrong(
                exercise,
                f"these are plain means of (rating - mean): you divided by n_i. Regularised "
                f"effects divide by n_i + regularization, so movie 1 (one rating) gets "
                f"{expected[1]:.3f}, not {got[1]:.3f}.",
            )
        if np.allclose(got, _effects(_LAMBDA, subtract_mean=False)):
            return wrong(
                exercise,
                f"subtract the mean rating ({_STARS.mean():.3f}) before summing: an effect "
                f"says how much better than average a movie is. Expected "
                f"{_rounded(expected)}.",
            )
        if not np.allclose(got, expected, atol=1e-6):
            return wrong(
                exercise,
                f"for {case} the effects are {_rounded(expected)}; yours are {_rounded(got)}.",
            )
        return _no_regularization(exercise, movie_effects) or correct(
            exercise, "each effect is the movie's summed residual over n_i + regularization."
        )

    return run_check(exercise, body)


def _no_regularization(exercise: str, movie_effects) -> CheckResult | None:
    """A `wrong(...)` unless the unrated movie gets 0 with regularization 0 as well."""
    case = (
        f"with movies {_OTHER_MOVIES.tolist()} rated {_OTHER_STARS.tolist()}, "
        f"n_movies={_OTHER_N_MOVIES} and regularization=0"
    )
    with further_case(case):
        got = attempt(
            movie_effects,
            _OTHER_MOVIES.copy(),
            _OTHER_STARS.copy(),
            _OTHER_N_MOVIES,
            _OTHER_LAMBDA,
        )
        got = as_array(got, "the effects").astype(float)
    expected = _effects(_OTHER_LAMBDA, movies=_OTHER_MOVIES, stars=_OTHER_STARS)
    if got.shape == expected.shape and np.allclose(got, expected, atol=1e-6):
        return None
    if got.shape == expected.shape and np.isnan(got[1]):
        return wrong(
            exercise,
            f"{case}, movie 1 has no ratings and its effect is 0 / (0 + 0): the exercise "
            "says it gets 0, yours is nan. Divide only where n_i + regularization > 0 "
            "(np.divide with `where=` and `out=np.zeros(n_movies)`).",
        )
    return wrong(
        exercise,
        f"right with regularization={_LAMBDA:g}, but {case} the effects are "
        f"{_rounded(expected)}; yours are "
        f"{_rounded(got) if got.shape == expected.shape else f'of shape {got.shape}'}.",
    )


# Rows in an order where each user's last row is NOT their latest rating.
_HISTORY = pd.DataFrame(
    {
        "user": [0, 0, 0, 1, 1, 2],
        "movie": [10, 11, 12, 10, 13, 12],
        "rating": [4.0, 3.0, 5.0, 2.0, 4.5, 3.5],
        "timestamp": [5, 9, 7, 3, 1, 4],
    }
)
_LATEST = {(0, 11), (1, 10)}
_EARLIER = {(0, 10), (0, 12), (1, 13), (2, 12)}


def _pairs(frame) -> set[tuple[int, int]]:
    return {(int(u), int(m)) for u, m in zip(frame["user"], frame["movie"], strict=True)}


def check_leave_last_out(leave_last_out) -> CheckResult:
    """Check `leave_last_out(ratings) -> (earlier, latest)` on a 6-row table.

    `latest` holds each user's most recent rating (by timestamp), for users with at least
    two ratings; `earlier` holds every other row.
    """
    exercise = "leave_last_out"

    def body() -> CheckResult:
        earlier, latest = pair(attempt(leave_last_out, _HISTORY.copy()), "(earlier, latest)")
        for name, frame in (("earlier", earlier), ("latest", latest)):
            if not isinstance(frame, pd.DataFrame) or not set(_HISTORY) <= set(frame):
                return wrong(
                    exercise,
                    f"{name} should be a data frame with the columns of `ratings` "
                    f"({', '.join(_HISTORY)}): whole rows, not only some columns.",
                )
        got_latest, got_earlier = _pairs(latest), _pairs(earlier)
        if got_latest == {(0, 12), (1, 13)}:
            return wrong(
                exercise,
                "you took each user's last row in the table, but rows are not in time order: "
                "user 0's latest rating is movie 11 (timestamp 9). Sort by timestamp first.",
            )
        if got_latest == {(0, 10), (1, 13)}:
            return wrong(
                exercise,
                "you took each user's earliest rating; the test item is the latest (largest "
                "timestamp): movie 11 for user 0, movie 10 for user 1.",
            )
        if (2, 12) in got_latest:
            return wrong(
                exercise,
                "user 2 has a single rating: hiding it leaves nothing to learn them from, so "
                "it stays in `earlier` and user 2 is not evaluated.",
            )
        if got_latest & got_earlier or len(earlier) + len(latest) != len(_HISTORY):
            return wrong(
                exercise,
                f"every row goes to exactly one side: {len(_HISTORY)} rows in all; yours has "
                f"{len(earlier)} earlier and {len(latest)} latest, "
                f"{len(got_latest & got_earlier)} on both sides.",
            )
        if got_latest != _LATEST or got_earlier != _EARLIER:
            return wrong(
                exercise,
                f"latest should be the (user, movie) pairs {sorted(_LATEST)}; yours are "
                f"{sorted(got_latest)}.",
            )
        return correct(exercise, "each user's latest rating, by timestamp, is held out.")

    return run_check(exercise, body)


# Validation predictions of two models, and the truth: model A is better alone, the mix best.
_TRUTH = np.array([4.0, 3.0, 5.0, 2.0, 3.5])
_MODEL_A = np.array([3.6, 3.4, 4.4, 2.6, 3.5])
_MODEL_B = np.array([4.6, 2.2, 5.2, 1.6, 4.1])
_WEIGHTS = np.linspace(0, 1, 11)
# Other candidates, in no order, so the answer must choose among `weights` as given.
_OTHER_WEIGHTS = np.array([0.9, 0.35, 0.75, 0.55, 0.2])


def _blend_rmse(weight) -> float:
    blend = weight * _MODEL_A + (1 - weight) * _MODEL_B
    return float(np.sqrt(np.mean((blend - _TRUTH) ** 2)))


def check_blend_weight(best_blend_weight) -> CheckResult:
    """Check `best_blend_weight(a, b, y, weights) -> float`.

    The answer is the w among `weights` of least RMSE of w * a + (1 - w) * b against y.
    """
    exercise = "best_blend_weight"

    def body() -> CheckResult:
        a, b, y = _MODEL_A.copy(), _MODEL_B.copy(), _TRUTH.copy()
        got = attempt(best_blend_weight, a, b, y, _WEIGHTS.copy())
        got = number(got, "the weight")
        scores = [_blend_rmse(w) for w in _WEIGHTS]
        best = float(_WEIGHTS[int(np.argmin(scores))])
        worst = float(_WEIGHTS[int(np.argmax(scores))])
        if np.isclose(got, min(scores)):
            return wrong(
                exercise,
                f"{got:.3f} is the best blend's RMSE; return the weight that gives it "
                f"({best:.1f}).",
            )
        if np.isclose(got, worst) and not np.isclose(worst, best):
            return wrong(
                exercise,
                f"weight {got:.1f} gives the largest RMSE ({max(scores):.3f}): take the argmin, "
                f"not the argmax.",
            )
        if np.isclose(got, 1 - best) and not np.isclose(best, 0.5):
            return wrong(
                exercise,
                f"weight {got:.1f} is 1 minus the right one: the weight multiplies `a`, and "
                f"(1 - weight) multiplies `b`.",
            )
        if not np.isclose(got, best):
            table = ", ".join(f"{w:.1f}: {s:.3f}" for w, s in zip(_WEIGHTS, scores, strict=True))
            return wrong(
                exercise, f"RMSE by weight on `a` is {table}; the best is {best:.1f}, yours {got}."
            )
        return _other_weights(exercise, best_blend_weight) or correct(
            exercise, f"weight {best:.1f} on `a` gives the least validation RMSE."
        )

    return run_check(exercise, body)


def _other_weights(exercise: str, best_blend_weight) -> CheckResult | None:
    """A `wrong(...)` unless the answer also picks the best of other candidate weights."""
    weights = _OTHER_WEIGHTS.tolist()
    case = f"with weights={weights}"
    a, b, y = _MODEL_A.copy(), _MODEL_B.copy(), _TRUTH.copy()
    with further_case(case):
        got = number(attempt(best_blend_weight, a, b, y, _OTHER_WEIGHTS.copy()), "the weight")
    best = weights[int(np.argmin([_blend_rmse(w) for w in weights]))]
    if np.isclose(got, best):
        return None
    return wrong(
        exercise,
        f"right for 11 weights from 0 to 1, but {case} (in no order) the least RMSE is at "
        f"{best}; yours is {got:g}. Choose among `weights` as given, not a grid of your own.",
    )
