"""The checks of notebook 06's exercises: right, untouched, and typical wrong answers."""

import numpy as np
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


def test_movie_effects_right_answer_passes(capsys):
    assert check_movie_effects(effects).status == CORRECT
    assert capsys.readouterr().out.startswith("✅ Correct (movie_effects)")


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
        (lambda m, r, n, lam: m[100], "your code raised IndexError"),
    ],
)
def test_movie_effects_wrong_answers_get_their_own_message(answer, says):
    result = check_movie_effects(answer)
    assert result.status == WRONG
    assert says in result.message


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


def test_leave_last_out_right_answer_passes():
    assert check_leave_last_out(leave_last_out).status == CORRECT


def test_leave_last_out_stub_is_not_attempted():
    assert check_leave_last_out(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (last_row, "rows are not in time order"),
        (earliest, "you took each user's earliest rating"),
        (single_raters_too, "user 2 has a single rating"),
        (lambda r: (r, leave_last_out(r)[1]), "every row goes to exactly one side"),
        (lambda r: leave_last_out(r)[1], "return a pair (earlier, latest)"),
        (lambda r: (leave_last_out(r)[0], [1, 2]), "latest should be a data frame"),
        (lambda r: (r.iloc[[0, 2, 3, 5]], r.iloc[[1, 4]]), "latest should be the (user, movie)"),
    ],
)
def test_leave_last_out_wrong_answers_get_their_own_message(answer, says):
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


def test_blend_right_answer_passes():
    result = check_blend_weight(best_weight)
    assert result.status == CORRECT and "weight 0.6" in result.message


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
        (lambda a, b, y, w: np.array([0.6, 0.4]), "return one number"),
    ],
)
def test_blend_wrong_answers_get_their_own_message(answer, says):
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
