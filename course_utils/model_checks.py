"""Checks of the course's models' arguments and inputs: errors that name what is wrong.

Introduced in notebooks/03_mlp.py. The models of `course_utils.models` call these before
Keras sees a value, so a mistake stops with a ValueError or TypeError whose first line
names the argument, not with "Exception encountered when calling Sequential.call()" or
"'int' object is not iterable". The checks of whole inputs (rows that must pair up) are
in `course_utils.row_checks`. Call `course_utils.setup()` before importing this module.
"""

import keras
import numpy as np
import tensorflow as tf

from course_utils.validation import (
    ArgumentTypeError,
    as_index_array,
    as_matrix,
    check_positive_int,
)

# --- constructor arguments


def check_sizes(name: str, value, *, allow_empty: bool = False) -> tuple[int, ...]:
    """Return layer sizes such as (64, 32) as a tuple of ints >= 1, or raise naming `name`."""
    if not isinstance(value, (tuple, list)):
        raise ArgumentTypeError(
            f"{name} must be a tuple of layer sizes such as (64, 32), got {value!r}"
        )
    if not value and not allow_empty:
        raise ValueError(f"{name} must name at least one layer, got {value!r}")
    return tuple(check_positive_int(name, units) for units in value)


def check_activation(name: str, value):
    """Return `value` if Keras knows it as an activation ('relu', 'sigmoid', a function)."""
    try:
        keras.activations.get(value)
    except (ValueError, TypeError):
        raise ValueError(
            f"{name} must be a Keras activation such as 'linear' or 'sigmoid', got {value!r}"
        ) from None
    return value


def check_flag(name: str, value) -> bool:
    """Return `value` if it is True or False, or raise naming `name`."""
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_tower(name: str, tower) -> keras.layers.Layer:
    """Return `tower` if it is a Keras layer (a model is one), or raise naming `name`."""
    if not isinstance(tower, keras.layers.Layer):
        raise ArgumentTypeError(
            f"{name} must be a Keras layer or model, got {type(tower).__name__}"
        )
    return tower


def known_width(layer, shape: str = "input_shape") -> int | None:
    """The last axis of a layer's `input_shape` or `output_shape`, if Keras knows it yet."""
    known = getattr(layer, shape, None)  # a Sequential without keras.Input has none yet
    return known[-1] if isinstance(known, tuple) and known else None


def check_same_output_size(customer_tower, product_tower) -> None:
    """Refuse towers whose vectors cannot meet in a dot product (sizes compared when known)."""
    customer, product = (known_width(t, "output_shape") for t in (customer_tower, product_tower))
    if None not in (customer, product) and customer != product:
        raise ValueError(
            f"product_tower outputs vectors of size {product} but customer_tower of size "
            f"{customer}; a dot product needs one size (give both the same embedding_dim)"
        )


# --- inputs


def check_features(name: str, value, width: int | None = None) -> np.ndarray:
    """Return `value` as a finite float32 (rows, width) matrix, or raise naming `name`."""
    array = as_matrix(name, value)
    check_width(name, array.shape[1], width)
    return array.astype("float32")


def check_ids(name: str, ids, upper: int) -> None:
    """Refuse ids outside 0..upper-1, or fractional ones (whole floats such as 3.0 pass)."""
    array = np.asarray(ids).reshape(-1)
    if array.dtype.kind == "f" and (array != np.round(array)).any():
        raise ArgumentTypeError(
            f"{name} must be whole numbers, got {array[array != np.round(array)][:3]}"
        )
    as_index_array(name, array.astype(np.int64) if array.dtype.kind == "f" else array, upper=upper)


def ids_in_range(ids, upper: int, name: str):
    """`ids` as int32, once the graph has asserted each is in 0..upper-1.

    `keras.ops.take` counts -1 from the end, as NumPy does: id -1 would silently pick the
    last row. Eager arrays are checked earlier, by `check_ids`, with a ValueError.
    """
    ids = keras.ops.cast(ids, "int32")
    message = f"{name} must be in 0..{upper - 1}"
    with tf.control_dependencies(
        [
            tf.debugging.assert_non_negative(ids, message=message),
            tf.debugging.assert_less(ids, upper, message=message),
        ]
    ):
        return tf.identity(ids)


def check_width(name: str, got, width: int | None) -> None:
    """Refuse `got` columns where the model was built for `width` (None: not known yet)."""
    if width is not None and got is not None and got != width:
        raise ValueError(f"{name} must have {width} columns, the model's input width, got {got}")
