"""Keras models: shapes, and the flattening that prevents silent broadcasting."""

import numpy as np
import pytest

from course_utils import setup

setup(seed=0)

from course_utils.models import build_mlp  # noqa: E402
from course_utils.recommend import predict_pairs  # noqa: E402


def test_mlp_is_the_seeds_64_32_1():
    model = build_mlp(15)
    assert [layer.units for layer in model.layers[1:]] == [64, 32, 1]
    assert model.count_params() == 15 * 64 + 64 + 64 * 32 + 32 + 32 + 1


def test_predict_pairs_returns_one_flat_value_per_row():
    model = build_mlp(3, (4,))
    assert predict_pairs(model, np.zeros((7, 3))).shape == (7,)


def test_sigmoid_output_is_a_probability():
    model = build_mlp(3, (4,), output_activation="sigmoid")
    predictions = predict_pairs(model, np.random.default_rng(0).normal(size=(50, 3)) * 10)
    assert np.all((predictions >= 0) & (predictions <= 1))


def test_same_seed_same_initial_model():
    setup(seed=5)
    first = build_mlp(3, (4,)).get_weights()[0]
    setup(seed=5)
    second = build_mlp(3, (4,)).get_weights()[0]
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_features": 0}, "n_features must be an int >= 1, got 0"),
        ({"n_features": 3, "hidden_units": ()}, "hidden_units must name at least one layer"),
        ({"n_features": 3, "hidden_units": (8, -1)}, "hidden_units must be an int >= 1, got -1"),
    ],
)
def test_bad_sizes_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_mlp(**kwargs)


def test_predict_pairs_refuses_a_flat_input():
    with pytest.raises(ValueError, match=r"features must be 2-D, got shape \(3,\)"):
        predict_pairs(build_mlp(3, (4,)), np.zeros(3))


def test_setup_refuses_a_bad_seed():
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        setup(seed=-1)
