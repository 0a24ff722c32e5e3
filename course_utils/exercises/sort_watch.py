"""Plumbing for the checks that ask "without sorting everything": see every sort a call makes.

Used by `ranking.check_top_k_new_customer`. The interpreter's profile hook reports each call
into C, with the array or list whose `sort` or `argsort` method runs: NumPy's `np.sort` and
`np.argsort` end there too, whatever the array and however NumPy was imported. `sorted()`
hides its argument from the hook, so it is wrapped for the duration of the block.
"""

import builtins
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

_SORTS = ("sort", "argsort")


@contextmanager
def watching_sorts() -> Iterator[list[int]]:
    """Record how many values each sort inside the block sorted, in a list it yields.

    The profile hook and `builtins.sorted` are restored on leaving, even on an exception.
    """
    lengths: list[int] = []

    def profile(frame, event, arg) -> None:
        if event == "c_call" and getattr(arg, "__name__", None) in _SORTS:
            owner = getattr(arg, "__self__", None)
            if isinstance(owner, np.ndarray):
                lengths.append(int(owner.size))
            elif isinstance(owner, list):
                lengths.append(len(owner))

    original_sorted = builtins.sorted

    def watched_sorted(iterable, /, *, key=None, reverse=False):
        result = original_sorted(iterable, key=key, reverse=reverse)
        lengths.append(len(result))
        return result

    previous = sys.getprofile()
    builtins.sorted = watched_sorted
    sys.setprofile(profile)
    try:
        yield lengths
    finally:
        sys.setprofile(previous)
        builtins.sorted = original_sorted
