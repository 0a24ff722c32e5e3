"""How every benchmark measures: median wall time, and peak NumPy memory."""

import timeit
import tracemalloc

import numpy as np


def median_seconds(function, repeats: int = 30) -> float:
    """Median wall time of one call, after one warm-up call."""
    function()
    return float(np.median(timeit.repeat(function, number=1, repeat=repeats)))


def peak_megabytes(function) -> float:
    """Peak memory NumPy allocated while `function` ran, in MB."""
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6
