"""The checks of the exercises of notebooks 06 and 07: valid answers, stubs, wrong ones."""

import numpy as np
import pandas as pd
import pytest

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.movielens import (
    check_blend_weight,
    check_leave_last_out,
    check_movie_effects,
)


def stub(*args):
    raise NotImplementedError


# --- movie effects


def effects(movie_ids, ratings, n_movies, regularization, subtract_mean=True, plus=True):
    centred = ratings - (ratings.mean() if subtract_mean else 0.0)
    total = np.bincount(movie_ids, weights=centred, minlength=n_movies)
    count = np.bincount(movie_ids, minlength=n_movies) + (regularization if plus else 0.0)
    return np.divide(total, count, out=np.zeros(n_movies), where=count > 0)


def effects_pandas(movie_ids, ratings, n_movies, regularization):
    centred = pd.Series(ratings - ratings.mean())
    grouped = centred.groupby(movie_ids)
    sums = grouped.sum().reindex(range(n_movies), fill_value=0.0)
    counts = grouped.size().reindex(range(n_movies), fill_value=0)
    return np.where(counts + regularization > 0, sums / (counts + regularization).clip(1e-12), 0)


def effects_loop(movie_ids, ratings, n_movies, regularization):
    mean = float(np.mean(ratings))
    result = []
    for movie in range(n_movies):
        mine = [r - mean for m, r in zip(movie_ids, ratings, strict=True) if m == movie]
        result.append(sum(mine) / (len(mine) + regularization) if mine else 0.0)
    return result


def unguarded(movie_ids, ratings, n_movies, regularization):
    """Right whenever regularization > 0; 0 / 0 for an unrated movie without it."""
    centred = ratings - ratings.mean()
    total = np.bincount(movie_ids, weights=centred, minlength=n_movies)
    with np.errstate(invalid="ignore"):
        return total / (np.bincount(movie_ids, minlength=n_movies) + regularization)


def rated_movies_first(movie_ids, ratings, n_movies, regularization):
    """Effects of the rated movies in id order, then zeros: right only if the unrated are last."""
    rated, inverse = np.unique(movie_ids, return_inverse=True)
    centred = ratings - ratings.mean()
    total = np.bincount(inverse, weights=centred)
    count = np.bincount(inverse)
    return np.concatenate([total / (count + regularization), np.zeros(n_movies - len(rated))])


@pytest.mark.parametrize("answer", [effects, effects_pandas, effects_loop])
def test_movie_effects_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_movie_effects(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (movie_effects): each effect is the movie's summed residual over n_i + "
        "regularization.\n"
    )


def test_movie_effects_stub_is_not_attempted():
    assert check_movie_effects(stub).status == NOT_ATTEMPTED


def plain_division(movie_ids, ratings, n_movies, regularization):
    centred = ratings - ratings.mean()
    total = np.bincount(movie_ids, weights=centred, minlength=n_movies)
    with np.errstate(invalid="ignore"):  # movie 3: 0 / 0, the mistake under test
        return total / np.bincount(movie_ids, minlength=n_movies)


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda m, r, n, lam: effects(m, r, n, lam, plus=False), "you divided by n_i"),
        (lambda m, r, n, lam: effects(m, r, n, lam, subtract_mean=False), "subtract the mean"),
        (plain_division, "movie 3 has no ratings"),
        (lambda m, r, n, lam: effects(m, r, n, lam)[m], "shape (4,)"),
        (lambda m, r, n, lam: effects(m, r, n, lam) * 2, "the effects are [0.667, -0.722"),
        (unguarded, "movie 1 has no ratings and its effect is 0 / (0 + 0)"),
        (rated_movies_first, "regularization=0 the effects are [-0.5, 0.0, -0.5, 2.0]"),
        (lambda m, r, n, lam: m[100], "your code raised IndexError"),
    ],
)
def test_movie_effects_wrong_answers_get_their_own_message(answer, says):
    result = check_movie_effects(answer)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda *a: None, "the effects should be an array of numbers; yours is None"),
        (lambda *a: {0: 0.6, 1: -0.7}, "yours is a dict"),
        (lambda m, r, n, lam: [[0.1], [0.2, 0.3]], "yours is a list of 2 items of shapes"),
        (
            lambda m, r, n, lam: effects(m, r, n, lam) if lam else "nan",
            "regularization=0: the effects should be an array of numbers; yours is the text",
        ),
    ],
)
def test_movie_effects_wrong_types_get_the_checks_own_message(answer, says):
    result = check_movie_effects(answer)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


# --- leave-last-out


def leave_last_out(ratings):
    order = ratings.sort_values(["user", "timestamp"], kind="stable")
    several = order.groupby("user")["user"].transform("size") > 1
    is_last = ~order["user"].duplicated(keep="last") & several
    return order[~is_last], order[is_last]


def last_row(ratings):
    several = ratings.groupby("user")["user"].transform("size") > 1
    is_last = ~ratings["user"].duplicated(keep="last") & several
    return ratings[~is_last], ratings[is_last]


def earliest(ratings):
    order = ratings.sort_values(["user", "timestamp"], ascending=[True, False])
    return last_row(order)


def single_raters_too(ratings):
    order = ratings.sort_values(["user", "timestamp"])
    is_last = ~order["user"].duplicated(keep="last")
    return order[~is_last], order[is_last]


def by_idxmax(ratings):
    counts = ratings.groupby("user")["user"].transform("size")
    latest_rows = ratings[counts > 1].groupby("user")["timestamp"].idxmax()
    return ratings.drop(index=latest_rows), ratings.loc[latest_rows]


def by_rank(ratings):
    newest = ratings.groupby("user")["timestamp"].rank(method="first", ascending=False) == 1
    several = ratings.groupby("user")["user"].transform("size") > 1
    is_latest = newest & several
    return [ratings[~is_latest], ratings[is_latest]]  # a list pair unpacks the same


@pytest.mark.parametrize("answer", [leave_last_out, by_idxmax, by_rank])
def test_leave_last_out_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_leave_last_out(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (leave_last_out): each user's latest rating, by timestamp, is held out.\n"
    )


def test_leave_last_out_stub_is_not_attempted():
    assert check_leave_last_out(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (last_row, "rows are not in time order"),
        (earliest, "you took each user's earliest rating"),
        (single_raters_too, "user 2 has a single rating"),
        (lambda r: (r, leave_last_out(r)[1]), "every row goes to exactly one side"),
        (lambda r: (r.iloc[[0, 2, 3, 5]], r.iloc[[1, 4]]), "latest should be the (user, movie)"),
        (
            lambda r: (leave_last_out(r)[0], leave_last_out(r)[1][["user", "movie"]]),
            "latest should be a data frame with the columns of `ratings` (user, movie, rating, "
            "timestamp)",
        ),
    ],
)
def test_leave_last_out_wrong_answers_get_their_own_message(answer, says):
    result = check_leave_last_out(answer)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda r: leave_last_out(r)[1], "return a pair (earlier, latest); yours returned a "),
        (lambda r: None, "return a pair (earlier, latest); yours returned None"),
        (lambda r: (leave_last_out(r)[0], [1, 2]), "latest should be a data frame"),
        (lambda r: (*leave_last_out(r), r), "yours returned a tuple of 3 items"),
    ],
)
def test_leave_last_out_wrong_types_get_the_checks_own_message(answer, says):
    result = check_leave_last_out(answer)
    assert result.status == WRONG
    assert says in result.message


def test_leave_last_out_check_does_not_let_the_learner_change_its_table():
    def sorts_in_place(ratings):
        ratings.sort_values("timestamp", inplace=True)
        return leave_last_out(ratings)

    assert check_leave_last_out(sorts_in_place).status == CORRECT
    assert check_leave_last_out(leave_last_out).status == CORRECT


# --- blend weight


def best_weight(a, b, y, weights):
    scores = [np.sqrt(np.mean((w * a + (1 - w) * b - y) ** 2)) for w in weights]
    return weights[int(np.argmin(scores))]


def weight_by_mse(a, b, y, weights):
    """The MSE has its least value at the same weight as the RMSE."""
    errors = {float(w): np.mean((w * a + (1 - w) * b - y) ** 2) for w in weights}
    return min(errors, key=errors.get)


def weight_vectorised(a, b, y, weights):
    blends = np.outer(weights, a) + np.outer(1 - weights, b)  # one row per weight
    return float(weights[np.argmin(np.sqrt(((blends - y) ** 2).mean(axis=1)))])


def own_grid(a, b, y, weights):
    """Ignores `weights`: its own 11 weights, the same as the check's first case."""
    return best_weight(a, b, y, np.linspace(0, 1, 11))


def index_over_ten(a, b, y, weights):
    scores = [np.sqrt(np.mean((w * a + (1 - w) * b - y) ** 2)) for w in weights]
    return int(np.argmin(scores)) / 10


@pytest.mark.parametrize("answer", [best_weight, weight_by_mse, weight_vectorised])
def test_blend_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_blend_weight(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (best_blend_weight): weight 0.6 on `a` gives the least validation RMSE.\n"
    )


def test_blend_stub_is_not_attempted():
    assert check_blend_weight(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (
            lambda a, b, y, w: min(np.sqrt(np.mean((x * a + (1 - x) * b - y) ** 2)) for x in w),
            "is the best blend's RMSE",
        ),
        (
            lambda a, b, y, w: w[
                int(np.argmax([np.sqrt(np.mean((x * a + (1 - x) * b - y) ** 2)) for x in w]))
            ],
            "not the argmax",
        ),
        (lambda a, b, y, w: 1 - best_weight(a, b, y, w), "1 minus the right one"),
        (lambda a, b, y, w: 0.5, "the best is 0.6"),
        (own_grid, "(in no order) the least RMSE is at 0.55; yours is 0.6"),
        (index_over_ten, "the least RMSE is at 0.55; yours is 0.3"),
    ],
)
def test_blend_wrong_answers_get_their_own_message(answer, says):
    result = check_blend_weight(answer)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (lambda a, b, y, w: np.array([0.6, 0.4]), "return one number, the weight; yours has"),
        (lambda a, b, y, w: None, "return one number, the weight; yours is None"),
        (lambda a, b, y, w: "0.6", "yours is the text '0.6'"),
        (
            lambda a, b, y, w: best_weight(a, b, y, w) if len(w) == 11 else [0.55],
            "with weights=[0.9, 0.35, 0.75, 0.55, 0.2]: return one number",
        ),
    ],
)
def test_blend_wrong_types_get_the_checks_own_message(answer, says):
    result = check_blend_weight(answer)
    assert result.status == WRONG
    assert says in result.message


def test_checks_are_deterministic():
    for check, answer in [
        (check_movie_effects, plain_division),
        (check_leave_last_out, last_row),
        (check_blend_weight, lambda a, b, y, w: 0.5),
    ]:
        assert check(answer).message == check(answer).message
