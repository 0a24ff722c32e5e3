"""Properties of course_utils.reproducibility (Hypothesis).

The configuration's defaults and setup()'s refusals.
"""

import os

from hypothesis import given
from hypothesis import strategies as st

from course_utils import config, setup, validation
from course_utils.reproducibility import set_runtime_env
from tests.properties.strategies import (
    refused,
)
from tests.properties.wrong_values import wrong_seed


def test_config_defaults_are_usable():
    assert validation.check_seed("DEFAULT_SEED", config.DEFAULT_SEED) == config.DEFAULT_SEED
    assert config.MIN_STARS < config.MAX_STARS
    assert config.RUNTIME_ENV["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert config.RUNTIME_ENV["TF_NUM_INTRAOP_THREADS"] == str(config.THREADS)


@given(
    st.sampled_from(["type", "bool", "value"]).flatmap(wrong_seed),
    st.text("0123", min_size=1, max_size=2),
)
def test_setup_refuses_bad_seeds_and_the_env_keeps_user_values(seed, value):
    refused(lambda: setup(seed), "seed")
    saved = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = value
    try:
        set_runtime_env()
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == value
    finally:
        if saved is None:
            del os.environ["TF_CPP_MIN_LOG_LEVEL"]
        else:
            os.environ["TF_CPP_MIN_LOG_LEVEL"] = saved


def test_setup_seeds_with_the_seed_it_is_given_not_the_default():
    """Issue 23: a setup() that seeded with DEFAULT_SEED whatever it got passed every test."""
    import keras
    import numpy as np

    draws = {}
    for seed in (config.DEFAULT_SEED, 7, 7):
        setup(seed)
        draws.setdefault(seed, []).append(
            (
                np.random.random(),  # noqa: NPY002 (the global state notebooks draw from)
                float(keras.random.uniform(()).numpy()),
            )
        )
    assert draws[7][0] == draws[7][1]  # the same seed, the same draws
    assert draws[7][0][0] != draws[config.DEFAULT_SEED][0][0]  # NumPy
    assert draws[7][0][1] != draws[config.DEFAULT_SEED][0][1]  # the Keras backend
