"""Properties of course_utils.validation (Hypothesis).

Validators: every kind of bad value is refused by name, good ones pass through.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import validation
from tests.properties.strategies import (
    matrices,
    refused,
)
from tests.properties.wrong_values import (
    wrong_array,
    wrong_fraction,
    wrong_int,
    wrong_real,
    wrong_seed,
)


@given(matrices(rows=(0, 5), cols=(0, 5)))
def test_as_matrix_returns_a_finite_float_copy(array):
    out = validation.as_matrix("a", array)
    assert out.dtype == float and out.shape == array.shape
    np.testing.assert_array_equal(out, array)


@given(matrices(), st.sampled_from(["rank", "nan/inf", "dtype", "type"]), st.data())
def test_as_matrix_refuses_every_class_of_bad_array(array, kind, data):
    bad = data.draw(wrong_array(array, kind))
    refused(lambda: validation.as_matrix("my_arg", bad), "my_arg")


@given(hnp.arrays(np.int64, st.integers(0, 9), elements=st.integers(0, 20)))
def test_as_index_array_keeps_valid_ids(ids):
    np.testing.assert_array_equal(validation.as_index_array("ids", ids, upper=21), ids)


@given(
    hnp.arrays(np.int64, st.integers(1, 9), elements=st.integers(0, 20)),
    st.sampled_from(["rank", "ids", "dtype", "bool", "type"]),
    st.data(),
)
def test_as_index_array_refuses_every_class_of_bad_ids(ids, kind, data):
    bad = data.draw(wrong_array(ids, kind, upper=21))
    refused(lambda: validation.as_index_array("my_ids", bad, upper=21), "my_ids")


@given(st.integers(1, 10**9))
def test_positive_ints_and_seeds_pass(value):
    assert validation.check_positive_int("n", value) == value
    assert validation.check_seed("seed", value) == value
    assert validation.check_seed("seed", 0) == 0


@given(st.sampled_from(["type", "bool", "nan/inf", "value"]).flatmap(wrong_int))
def test_check_positive_int_refuses(value):
    refused(lambda: validation.check_positive_int("n_things", value), "n_things")


@given(st.sampled_from(["type", "bool", "value"]).flatmap(wrong_seed))
def test_check_seed_refuses(value):
    refused(lambda: validation.check_seed("my_seed", value), "my_seed")


@given(
    st.floats(0, 1e9),
    st.sampled_from(["nan/inf", "type", "bool", "dtype", "value"]).flatmap(
        lambda kind: wrong_real(kind, low=0.0)
    ),
)
def test_check_real_accepts_finite_reals_and_refuses_the_rest(good, bad):
    assert validation.check_real("x", good, low=0.0) == good
    refused(lambda: validation.check_real("my_real", bad, low=0.0), "my_real")
    refused(lambda: validation.check_real("my_real", 0.0, low=0.0, low_inclusive=False), ">")


@given(
    st.floats(1e-9, 1 - 1e-9),
    st.sampled_from(["value", "nan/inf", "type", "bool"]).flatmap(wrong_fraction),
)
def test_check_fraction(good, bad):
    assert validation.check_fraction("f", good) == good
    refused(lambda: validation.check_fraction("my_fraction", bad), "my_fraction")


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(0.01, 10)))
def test_check_probabilities(weights):
    probability = weights / weights.sum()
    np.testing.assert_allclose(validation.check_probabilities("p", probability), probability)
    refused(lambda: validation.check_probabilities("my_p", weights * 2 + 1), "my_p")
    refused(lambda: validation.check_probabilities("my_p", probability - 2 * weights), "my_p")
    refused(lambda: validation.check_probabilities("my_p", probability, size=99), "my_p")


@given(st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_check_same_rows_names_every_count(lengths):
    arrays = {f"array_{i}": np.zeros(n) for i, n in enumerate(lengths)}
    if len(set(lengths)) == 1:
        assert validation.check_same_rows(**arrays) == lengths[0]
    else:
        message = refused(lambda: validation.check_same_rows(**arrays), "array_0")
        assert all(f"array_{i} has {n} rows" in message for i, n in enumerate(lengths))
    assert issubclass(validation.ArgumentTypeError, TypeError)
    assert issubclass(validation.ArgumentTypeError, ValueError)
