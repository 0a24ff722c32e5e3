"""Checks at the boundary of every public helper: loud, specific errors naming the argument.

The seed notebook trained a model on 1,000 customer rows beside 5,000 product rows and
Keras said nothing. These checks make such a mistake stop with a message that teaches.
Every public helper in `course_utils` checks its arguments with these functions, so the
messages read the same everywhere: `ValueError` for a wrong value or shape, `TypeError`
for a wrong kind of thing (a string, a float id, a float seed).
"""

import numbers

import numpy as np


class ArgumentTypeError(TypeError, ValueError):
    """A wrong kind of argument (a string, a float id, a complex array).

    A `TypeError`, and also a `ValueError` so that `except ValueError` around a helper
    still catches every bad argument, as it did before the two were told apart.
    """


def _numeric_array(name: str, value) -> np.ndarray:
    """`value` as an array of real numbers (or bools), or a TypeError naming `name`."""
    if isinstance(value, (str, bytes)):
        raise ArgumentTypeError(f"{name} must be numeric, got the string {value!r}")
    try:
        array = np.asarray(value)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array: {error}") from None
    if np.issubdtype(array.dtype, np.complexfloating):
        raise ArgumentTypeError(f"{name} must be real, got complex dtype {array.dtype}")
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ArgumentTypeError(f"{name} must be numeric, got dtype {array.dtype}")
    return array


def as_matrix(
    name: str,
    value,
    *,
    ndim: int = 2,
    allow_nan: bool = False,
    copy: bool = True,
    keep_float32: bool = False,
) -> np.ndarray:
    """Return `value` as a float array of rank `ndim`, or raise naming `name`.

    `copy=False` returns `value` itself when it is already a float64 array, or, with
    `keep_float32`, a float32 one (large score matrices compared as they are: no float64 copy).
    """
    array = _numeric_array(name, value)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}")
    dtype = np.float32 if keep_float32 and array.dtype == np.float32 else float
    array = array.astype(dtype, copy=copy)
    if not allow_nan and np.isnan(array).any():
        raise ValueError(f"{name} contains {int(np.isnan(array).sum())} NaN values")
    if np.isinf(array).any():
        raise ValueError(f"{name} contains infinite values")
    return array


def as_index_array(
    name: str, value, *, upper: int | None = None, upper_name: str | None = None
) -> np.ndarray:
    """Return `value` as a 1-D int64 array of ids in [0, upper), or raise naming `name`.

    `upper_name` names where `upper` comes from (an argument such as "n_customers").
    """
    array = _numeric_array(name, value)
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ArgumentTypeError(f"{name} must hold integer ids, got {_not_an_id(array)}")
    if array.size and array.dtype == np.uint64 and array.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{name} has id {int(array.max())}, too large for an id")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        position = int(np.argmin(array))
        raise ValueError(f"{name} has a negative id: {int(array.min())} at position {position}")
    if upper is not None and array.size and array.max() >= upper:
        bound = f"{upper_name} is {upper}" if upper_name else f"there are only {upper}"
        raise ValueError(f"{name} has id {int(array.max())}, but {bound}")
    return array


def _not_an_id(array: np.ndarray) -> str:
    """What makes a non-integer array wrong as ids: its first NaN or fraction, or its dtype."""
    if np.issubdtype(array.dtype, np.floating):
        wrong = ~np.isfinite(array) | (array != np.round(array))
        if wrong.any():
            position = int(np.argmax(wrong))
            return f"{array[position]} at position {position} (dtype {array.dtype})"
        return f"whole numbers of dtype {array.dtype}; convert them with .astype(int)"
    return f"dtype {array.dtype}"


def check_positive_int(name: str, value) -> int:
    """Return `value` if it is an int of at least 1, or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{name} must be an int >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)


def check_seed(name: str, value) -> int:
    """Return `value` if it can seed `np.random.default_rng`: an int >= 0."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ArgumentTypeError(f"{name} must be an int >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an int >= 0, got {value!r}")
    return int(value)


def check_real(name: str, value, *, low: float, low_inclusive: bool = True) -> float:
    """Return `value` as a finite float >= `low` (> `low` if not `low_inclusive`)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a real number, got {value!r}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if value < low or (value == low and not low_inclusive):
        relation = ">=" if low_inclusive else ">"
        raise ValueError(f"{name} must be {relation} {low:g}, got {value!r}")
    return float(value)


def check_fraction(name: str, value) -> float:
    """Return `value` if it is strictly between 0 and 1, or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    if not 0 < value < 1:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value!r}")
    return float(value)


def check_probabilities(name: str, value, *, size: int | None = None) -> np.ndarray:
    """Return `value` as a 1-D float array of probabilities that sum to 1."""
    array = as_matrix(name, value, ndim=1)
    if size is not None and len(array) != size:
        raise ValueError(f"{name} must have {size} entries, got {len(array)}")
    if (array < 0).any():
        raise ValueError(f"{name} has a negative probability: {float(array.min())!r}")
    if not np.isclose(array.sum(), 1.0, rtol=0, atol=1e-4):
        raise ValueError(f"{name} must sum to 1, got {float(array.sum())!r}")
    return array


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


def check_instance(name: str, value, kind: type, what: str):
    """Return `value` if it is a `kind`, or raise naming `name` and what it got instead."""
    if not isinstance(value, kind):
        raise ArgumentTypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def check_frame(name: str, frame, *, ids=(), numbers=()):
    """Return `frame` if it is a non-empty DataFrame whose columns are clean, or raise.

    Columns in `ids` must hold integer ids >= 0 (no NaN, no 1.5); columns in `numbers`
    finite real numbers. Each error names the column: `ratings['user'] ...`.
    """
    import pandas as pd  # only the helpers that take data frames need it

    check_instance(name, frame, pd.DataFrame, "a pandas DataFrame")
    missing = (set(ids) | set(numbers)) - set(frame.columns)
    if missing:
        raise ValueError(f"{name} is missing columns {sorted(missing)}")
    if not len(frame):
        raise ValueError(f"{name} has no rows")
    for column in ids:
        as_index_array(f"{name}['{column}']", frame[column].to_numpy())
    for column in numbers:
        as_matrix(f"{name}['{column}']", frame[column].to_numpy(), ndim=1, copy=False)
    return frame


def input_width(model) -> int | None:
    """How many features per row a Keras model takes, or None if it does not say."""
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):  # not a Keras model, a subclassed one, or unbuilt
        return None
    if isinstance(shape, tuple) and len(shape) == 2 and isinstance(shape[1], int):
        return shape[1]
    return None


def check_width(name: str, array: np.ndarray, width: int | None, *, what: str) -> None:
    """Raise naming `name` unless the 2-D `array` has `width` columns (None: any width)."""
    if width is not None and array.shape[1] != width:
        raise ValueError(f"{name} has {array.shape[1]} columns, but {what} takes {width}")
