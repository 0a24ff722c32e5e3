"""Checks at the boundary of every public helper: loud, specific `ValueError`s.

The seed notebook trained a model on 1,000 customer rows beside 5,000 product rows and
Keras said nothing. These checks make such a mistake stop with a message that teaches.
"""

import numpy as np


def as_matrix(name: str, value, *, ndim: int = 2, allow_nan: bool = False) -> np.ndarray:
    """Return `value` as a float array of rank `ndim`, or raise naming `name`."""
    array = np.asarray(value)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{name} must be numeric, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    array = array.astype(float)
    if not allow_nan and np.isnan(array).any():
        raise ValueError(f"{name} contains {int(np.isnan(array).sum())} NaN values")
    if np.isinf(array).any():
        raise ValueError(f"{name} contains infinite values")
    return array


def as_index_array(name: str, value, *, upper: int | None = None) -> np.ndarray:
    """Return `value` as a 1-D int64 array of ids in [0, upper), or raise naming `name`."""
    array = np.asarray(value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integer ids, got dtype {array.dtype}")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"{name} has a negative id: {int(array.min())}")
    if upper is not None and array.size and array.max() >= upper:
        raise ValueError(f"{name} has id {int(array.max())}, but there are only {upper}")
    return array


def check_positive_int(name: str, value) -> int:
    """Return `value` if it is an int of at least 1, or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


def check_fraction(name: str, value) -> float:
    """Return `value` if it is strictly between 0 and 1, or raise naming `name`."""
    if not isinstance(value, (float, int)) or not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return float(value)


def check_same_rows(**arrays) -> int:
    """Return the shared row count of the named arrays, or raise naming each count.

    >>> check_same_rows(customer_features=np.zeros((1000, 5)), product_rows=np.zeros((5000, 3)))
    Traceback (most recent call last):
    ...
    ValueError: row counts differ: customer_features has 1000 rows, product_rows has 5000 ...
    """
    counts = {name: len(array) for name, array in arrays.items()}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{name} has {n} rows" for name, n in counts.items())
        raise ValueError(
            f"row counts differ: {listed}; each row must be one (customer, product) pair"
        )
    return next(iter(counts.values()))
