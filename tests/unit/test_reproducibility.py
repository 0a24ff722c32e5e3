"""course_utils.reproducibility by hand: what setup() sets, and when it warns."""

import random
import warnings

import matplotlib as mpl
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from course_utils import config, reproducibility, setup


def test_setup_warns_when_tensorflow_was_imported_first_with_onednn_on(monkeypatch):
    import tensorflow  # noqa: F401  (already imported by the suite; now surely)

    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    with pytest.warns(UserWarning) as caught:
        setup(seed=0)
    assert str(caught[0].message) == (
        "TensorFlow was imported before setup(): oneDNN stays on, the thread pools keep "
        "the machine's size, and results may differ in the last digits. Call setup() "
        "first, then restart the kernel."
    )
    # stacklevel=2: the warning points at setup()'s caller: this test, or under
    # `make mutants` the wrappers mutmut puts around setup (setup.__code__ is their file;
    # there are two, so stacklevel=3 points at that file too and survives there)
    caller = setup.__code__.co_filename if hasattr(setup, "__wrapped__") else __file__
    assert caught[0].filename == caller
    assert caught[0].filename != reproducibility.__file__


def test_setup_does_not_warn_when_onednn_is_off_before_tensorflow(monkeypatch):
    import tensorflow  # noqa: F401

    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        setup(seed=0)


def test_setup_limits_the_blas_already_loaded_to_blas_threads(monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", str(config.BLAS_THREADS))
    threadpool_limits(limits=2)
    setup(seed=0)
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "NumPy's BLAS is not visible to threadpoolctl"
    assert {pool["num_threads"] for pool in blas} == {config.BLAS_THREADS}


def test_setup_gives_every_plot_the_course_defaults():
    mpl.rcdefaults()
    setup(seed=0)
    assert tuple(mpl.rcParams["figure.figsize"]) == (6.4, 4.0)
    assert mpl.rcParams["figure.dpi"] == 80
    assert mpl.rcParams["axes.grid"] is True
    assert mpl.rcParams["grid.alpha"] == 0.3
    assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["axes.spines.right"] is False


def test_setup_refuses_a_float_seed_and_takes_a_numpy_int():
    with pytest.raises(ValueError, match=r"seed must be a non-negative int, got 1\.5"):
        setup(seed=1.5)
    setup(seed=np.int64(3))
    first = random.random()
    setup(seed=3)
    assert random.random() == first
