"""The shared checks: what each refuses, and the first line of what it says."""

import numpy as np
import pandas as pd
import pytest

from course_utils.validation import (
    ArgumentTypeError,
    as_index_array,
    as_matrix,
    check_frame,
    check_instance,
    check_width,
    input_width,
)


def first_line(call) -> str:
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    return str(caught.value).splitlines()[0]


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([0, 2.5], "ids must hold integer ids, got 2.5 at position 1 (dtype float64)"),
        ([np.nan, 1], "ids must hold integer ids, got nan at position 0 (dtype float64)"),
        ([np.inf, 1], "ids must hold integer ids, got inf at position 0 (dtype float64)"),
        (
            [0.0, 1.0],
            "ids must hold integer ids, got whole numbers of dtype float64; "
            "convert them with .astype(int)",
        ),
        ([True, False], "ids must hold integer ids, got dtype bool"),
        ([3, -2, 1], "ids has a negative id: -2 at position 1"),
    ],
)
def test_ids_that_are_not_ids_are_named_with_the_first_culprit(ids, message):
    assert first_line(lambda: as_index_array("ids", ids)) == message


def test_an_id_beyond_a_named_bound_names_the_bound():
    message = first_line(lambda: as_index_array("ids", [0, 5], upper=5, upper_name="n_users"))
    assert message == "ids has id 5, but n_users is 5"
    assert (
        first_line(lambda: as_index_array("ids", [5], upper=5))
        == "ids has id 5, but there are only 5"
    )


def test_as_matrix_copies_unless_told_not_to():
    x = np.zeros((2, 3))
    assert as_matrix("x", x) is not x
    assert as_matrix("x", x, copy=False) is x
    assert as_matrix("x", x.astype(int), copy=False).dtype == float


def test_as_matrix_keeps_float32_only_when_asked_and_still_checks_values():
    x = np.zeros((2, 3), np.float32)
    assert as_matrix("x", x, copy=False).dtype == np.float64
    assert as_matrix("x", x, copy=False, keep_float32=True) is x
    assert as_matrix("x", x, keep_float32=True) is not x
    assert as_matrix("x", x.astype(int), keep_float32=True).dtype == np.float64
    x[1, 2] = np.nan
    with pytest.raises(ValueError, match="x contains 1 NaN values"):
        as_matrix("x", x, copy=False, keep_float32=True)


def test_check_instance_names_the_type_it_got():
    assert check_instance("t", 3, int, "an int") == 3
    with pytest.raises(ArgumentTypeError, match="^t must be a dict, got list$"):
        check_instance("t", [], dict, "a dict")


FRAME = pd.DataFrame({"user": [0, 1], "score": [0.5, 1.5]})


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (FRAME.to_numpy(), "frame must be a pandas DataFrame, got ndarray"),
        (FRAME.drop(columns="score"), "frame is missing columns ['score']"),
        (FRAME.iloc[:0], "frame has no rows"),
        (
            FRAME.assign(user=[0.0, np.nan]),
            "frame['user'] must hold integer ids, got nan at position 1",
        ),
        (FRAME.assign(user=[0, -1]), "frame['user'] has a negative id: -1 at position 1"),
        (FRAME.assign(score=["a", "b"]), "frame['score'] must be numeric, got dtype object"),
        (FRAME.assign(score=[0.5, np.nan]), "frame['score'] contains 1 NaN values"),
    ],
)
def test_check_frame_names_the_column(frame, message):
    call = lambda: check_frame("frame", frame, ids=("user",), numbers=("score",))  # noqa: E731
    assert first_line(call).startswith(message)


def test_check_frame_returns_a_clean_frame():
    assert check_frame("frame", FRAME, ids=("user",), numbers=("score",)) is FRAME


def test_input_width_reads_keras_and_ignores_the_rest():
    from course_utils import setup

    setup(seed=0)
    from course_utils.models import build_tower

    assert input_width(build_tower(7, (2,))) == 7
    assert input_width(object()) is None and input_width(None) is None
    check_width("x", np.zeros((1, 7)), None, what="anything")  # None: any width
    with pytest.raises(ValueError, match="^x has 6 columns, but the tower takes 7$"):
        check_width("x", np.zeros((1, 6)), 7, what="the tower")
