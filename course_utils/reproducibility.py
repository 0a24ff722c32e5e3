"""One explicit call that makes a notebook reproducible: `setup(seed=42)`."""

import os
import sys
import warnings

import numpy as np
from threadpoolctl import threadpool_limits

from course_utils.config import DEFAULT_SEED, RUNTIME_ENV


def set_runtime_env() -> None:
    """Set the variables TensorFlow, OpenBLAS and OpenMP read at load, unless already set.

    They only take effect for a library not loaded yet, which is why `setup` must be the
    first thing a notebook calls; a variable the user set is kept.
    """
    for name, value in RUNTIME_ENV.items():
        os.environ.setdefault(name, value)


def setup(seed: int = DEFAULT_SEED) -> None:
    """Seed Python, NumPy and Keras, make TensorFlow deterministic, set plot defaults.

    Also gives every thread pool the same size on every machine (`config.THREADS`,
    `config.BLAS_THREADS`), so that a machine with one core or eight sums in the same
    order as the one that stored the outputs.
    Call it once, at the top of a notebook, before importing TensorFlow or Keras.
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if "tensorflow" in sys.modules and os.environ.get("TF_ENABLE_ONEDNN_OPTS") != "0":
        warnings.warn(
            "TensorFlow was imported before setup(): oneDNN stays on, the thread pools keep "
            "the machine's size, and results may differ in the last digits. Call setup() "
            "first, then restart the kernel.",
            stacklevel=2,
        )
    set_runtime_env()
    # NumPy's OpenBLAS is already loaded (this package imports NumPy), so the variable
    # above comes too late for it: limit the pools of the libraries loaded so far.
    threadpool_limits(limits=int(os.environ["OPENBLAS_NUM_THREADS"]))

    import keras  # imported here so the environment above is in place first
    import matplotlib as mpl
    import tensorflow as tf

    keras.utils.set_random_seed(int(seed))  # Python, NumPy and the backend; no np.int64
    tf.config.experimental.enable_op_determinism()

    mpl.rcParams.update(
        {
            "figure.figsize": (6.4, 4.0),
            "figure.dpi": 80,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
