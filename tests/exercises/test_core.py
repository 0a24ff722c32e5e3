"""The helpers every exercise check shares: reading an answer, and saying what is wrong."""

import builtins
import heapq
import sys

import numpy as np
import pytest

from course_utils.exercises.core import (
    CORRECT,
    NOT_ATTEMPTED,
    WRONG,
    WrongAnswer,
    as_array,
    attempt,
    correct,
    describe,
    further_case,
    number,
    pair,
    run_check,
)
from course_utils.exercises.sort_watch import watching_sorts


def stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    ("got", "says"),
    [
        (None, "None (does your function end with `return ...`?)"),
        ("abc", "the text 'abc'"),
        ("x" * 60, "the text '" + "x" * 36 + "..."),
        (np.zeros((2, 3)), "an array of float64 of shape (2, 3)"),
        ((np.zeros((4, 1)), np.zeros(1)), "a tuple of 2 items of shapes (4, 1), (1,)"),
        ([1, 2, 3], "a list of 3 items"),
        ([7], "a list of 1 item"),
        ({"a": 1}, "a dict"),
        (3, "an int"),
    ],
)
def test_describe_names_what_came_back(got, says):
    assert describe(got) == says


@pytest.mark.parametrize(
    "got", [3, 2.5, np.float32(1.5), np.int64(4), np.array(0.25), np.bool_(True)]
)
def test_number_accepts_one_number_of_any_numeric_type(got):
    assert number(got, "the mean") == float(got)


@pytest.mark.parametrize(
    ("got", "says"),
    [
        ([1.0, 2.0], "return one number, the mean; yours has shape (2,)."),
        (np.zeros((3, 1)), "return one number, the mean; yours has shape (3, 1)."),
        (None, "return one number, the mean; yours is None"),
        ("3.0", "return one number, the mean; yours is the text '3.0'."),
        ({"mse": 3.0}, "return one number, the mean; yours is a dict."),
        ([[1.0], [2.0, 3.0]], "return one number, the mean; yours is a list of 2 items"),
        (1 + 2j, "return one number, the mean; yours is a complex."),
    ],
)
def test_number_says_what_came_back_instead(got, says):
    with pytest.raises(WrongAnswer) as raised:
        number(got, "the mean")
    assert str(raised.value).startswith(says)


@pytest.mark.parametrize("got", [[1, 2], np.arange(3.0), [[True, False]], np.float64(2.0)])
def test_as_array_accepts_numbers_of_any_shape(got):
    assert np.array_equal(as_array(got, "the ids"), np.asarray(got))


@pytest.mark.parametrize(
    ("got", "says"),
    [
        (None, "the ids should be an array of numbers; yours is None"),
        ("0 1 2", "the ids should be an array of numbers; yours is the text '0 1 2'."),
        ([[0, 1], [2]], "the ids should be an array of numbers; yours is a list of 2 items"),
        (["a", "b"], "the ids should be an array of numbers; yours is a list of 2 items."),
        ({0: 1}, "the ids should be an array of numbers; yours is a dict."),
    ],
)
def test_as_array_says_what_came_back_instead(got, says):
    with pytest.raises(WrongAnswer) as raised:
        as_array(got, "the ids")
    assert str(raised.value).startswith(says)


@pytest.mark.parametrize("got", [(1, 2), [1, 2]])
def test_pair_accepts_a_tuple_or_a_list_of_two(got):
    assert pair(got, "(X, y)") == (1, 2)


@pytest.mark.parametrize(
    ("got", "says"),
    [
        (np.zeros((6, 3)), "return a pair (X, y); yours returned an array of float64"),
        ((1, 2, 3), "return a pair (X, y); yours returned a tuple of 3 items."),
        (None, "return a pair (X, y); yours returned None"),
    ],
)
def test_pair_says_what_came_back_instead(got, says):
    with pytest.raises(WrongAnswer) as raised:
        pair(got, "(X, y)")
    assert str(raised.value).startswith(says)


def test_run_check_reports_a_wrong_answer_a_crash_and_a_stub_without_raising(capsys):
    def wrong_type():
        number(None, "the mean")

    assert run_check("ex", wrong_type).message.startswith("return one number, the mean")
    assert run_check("ex", lambda: 1 / 0).message == "your code raised ZeroDivisionError: " + (
        "division by zero"
    )
    assert run_check("ex", lambda: attempt(stub)).status == NOT_ATTEMPTED
    assert run_check("ex", lambda: correct("ex", "fine")).status == CORRECT
    assert capsys.readouterr().out.count("(ex)") == 4


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (lambda: number(None, "the mean"), WRONG, "with k=3: return one number, the mean;"),
        (lambda: 1 / 0, WRONG, "with k=3, your code raised ZeroDivisionError: division by zero"),
        (lambda: attempt(stub), NOT_ATTEMPTED, "replace `raise NotImplementedError`"),
    ],
)
def test_further_case_names_the_case_it_went_wrong_in(body, status, says):
    def check():
        with further_case("with k=3"):
            body()
        return correct("ex", "fine")

    result = run_check("ex", check)
    assert result.status == status
    assert says in result.message


def test_further_case_lets_a_right_case_through():
    with further_case("with k=3"):
        value = number(0.5, "the mean")
    assert value == 0.5


# --- watching_sorts: what "without sorting everything" sees


SCORES = np.random.default_rng(0).normal(size=1000)


@pytest.mark.parametrize(
    ("sort", "longest"),
    [
        (lambda: np.argsort(SCORES), 1000),
        (lambda: np.sort(SCORES.reshape(1000, 1), axis=0), 1000),
        (lambda: np.asarray(SCORES).argsort(), 1000),
        (lambda: SCORES.copy().sort(), 1000),
        (lambda: sorted(SCORES.tolist()), 1000),
        (lambda: SCORES.tolist().sort(), 1000),
        (lambda: np.argsort(SCORES[np.argpartition(-SCORES, 4)[:5]]), 5),
        (lambda: heapq.nlargest(5, range(1000), key=SCORES.__getitem__), 5),
    ],
    ids=[
        "np.argsort",
        "np.sort of a column",
        "a plain array's method",
        "in place",
        "sorted",
        "list.sort",
        "partition then sort 5",
        "heapq",
    ],
)
def test_watching_sorts_sees_every_way_to_sort(sort, longest):
    with watching_sorts() as lengths:
        sort()
    assert max(lengths, default=0) == longest


def test_watching_sorts_restores_the_profile_hook_and_sorted_even_on_an_error():
    def hook(frame, event, arg):
        return None

    builtin_sorted = sorted
    sys.setprofile(hook)
    try:
        with pytest.raises(ZeroDivisionError), watching_sorts():
            1 / 0  # noqa: B018
        assert sys.getprofile() is hook
    finally:
        sys.setprofile(None)
    assert builtins.sorted is builtin_sorted
    with watching_sorts() as lengths:
        pass
    np.argsort(SCORES)
    assert lengths == []
