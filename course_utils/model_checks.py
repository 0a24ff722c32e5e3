"""The course's Keras models' guard rails and plumbing, kept out of the lesson's module.

Introduced in notebooks/05_two_tower.py. The seed notebook trained on 1,000 customer rows
beside 5,000 product rows and Keras said nothing: `validation_split` cuts every array at
row 800 of the first, after which the lengths agree (notebook 05 counts the batches). The
models of `course_utils.models` inherit `RowChecks`, so such inputs stop with an error
that names the counts, whatever the entry point:

- arrays given to `fit` (`validation_data` too), `evaluate`, `predict`, the `*_on_batch`
  methods or `model(x)` are checked before Keras sees them: the keys of x, numbers without
  NaN, each input's rank and width, one target column, the same rows in every array;
- a `tf.data.Dataset` is checked from its `element_spec` (structure, rank, width), and
  each compiled step asserts in the graph that its batch's tensors have the same rows.

No model can see a pipeline that paired rows wrongly before it: `Dataset.zip` stops at
its shortest input, as Python's `zip` does. Build datasets from arrays instead, with
`Dataset.from_tensor_slices((x, y))`, which refuses arrays of different lengths.

Public Keras and TensorFlow APIs only. Call `course_utils.setup()` before importing this.
"""

from contextlib import contextmanager

import keras
import numpy as np
import tensorflow as tf

from course_utils.validation import (
    ArgumentTypeError,
    as_index_array,
    as_matrix,
    check_positive_int,
    check_same_rows,
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
    _check_width(name, array.shape[1], width)
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


def _check_width(name: str, got, width: int | None) -> None:
    if width is not None and got is not None and got != width:
        raise ValueError(f"{name} must have {width} columns, the model's input width, got {got}")


def _check_targets_shape(name: str, shape: tuple) -> None:
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] != 1):
        raise ValueError(
            f"{name} must hold one target per row, shape (n,) or (n, 1), for the model's one "
            f"output, got shape {shape}"
        )


def _spec_shape(name: str, spec, ndim: int) -> tuple:
    """The shape of a dataset's batches of one input, once it has rank `ndim`."""
    if not isinstance(spec, tf.TensorSpec):
        raise ValueError(f"{name} must be one tensor, got {spec}")
    if spec.shape.rank != ndim:
        hint = "; batch it first, e.g. dataset.batch(256)" if spec.shape.rank == ndim - 1 else ""
        raise ValueError(f"{name} must be {ndim}-D, got shape {tuple(spec.shape)}{hint}")
    return tuple(spec.shape)


def _named(expected: dict, x) -> dict:
    """x's parts by their names in messages, once x has the structure `expected` says."""
    if None in expected:
        if isinstance(x, dict):
            raise ValueError(f"x must be one 2-D array (n_rows, n_features), got a dict {list(x)}")
        return {expected[None][0]: x}
    if not isinstance(x, dict) or sorted(x) != sorted(expected):
        got = sorted(x) if isinstance(x, dict) else type(x).__name__
        raise ValueError(f"x must be a dict with keys {list(expected)}, got {got}")
    return {name: x[key] for key, (name, _, _) in expected.items()}


ROWS_DIFFER = "a batch with different row counts in"
"""The start of the message of the graph's assertion that a batch's tensors have the same rows."""


@contextmanager
def _batches_named():
    """Raise the graph's assertion on a dataset's batch as a ValueError that names x."""
    try:
        yield
    except tf.errors.InvalidArgumentError as error:
        if ROWS_DIFFER not in error.message:
            raise
        detail = error.message.split(ROWS_DIFFER, 1)[1].split("]", 1)[0]  # our own words
        raise ValueError(
            f"x, a tf.data.Dataset, gave {ROWS_DIFFER}{detail}; each row must be one "
            "(customer, product) pair (TensorFlow's report below)"
        ) from error


class RowChecks:
    """A mixin for `keras.Model`: what it is given is checked at every entry point.

    Keras compares row counts only sometimes: not after `validation_split`, not in
    `model(x)` or the `*_on_batch` methods, where 1 row broadcasts against 1,000. A
    subclass says what x holds (`expected_inputs`); see the module's docstring for the rest.
    """

    has_targets = True
    """False for a model that learns from x alone (y must then be None)."""

    def expected_inputs(self) -> dict:
        """{key of x (None: x is one matrix): (name in messages, rank, width or None)}."""
        raise NotImplementedError

    def check_data(self, x, y=None, sample_weight=None, *, learning: bool = False) -> None:
        """Refuse x, y and sample_weight (arrays, or x a batched `tf.data.Dataset`).

        `learning`: for `fit`, `evaluate` and their `*_on_batch`, which need targets.
        """
        dataset = isinstance(x, tf.data.Dataset)
        if dataset:
            if y is not None or sample_weight is not None:
                raise ValueError(
                    "y and sample_weight must be None when x is a tf.data.Dataset: the "
                    "dataset yields (x, y) or (x, y, sample_weight) itself"
                )
            x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(x.element_spec)
        if y is not None and not self.has_targets:
            raise ValueError(
                f"y must be None: {type(self).__name__} learns from x alone, each row's own "
                f"product being its label; got {type(y).__name__}"
            )
        prefix = "the dataset x's " if dataset else ""
        if y is None and learning and self.has_targets:
            raise ValueError(
                f"{prefix}y must be given: {type(self).__name__} learns from targets, "
                "one per row of x; got None"
            )
        expected, arrays = self.expected_inputs(), {}
        parts = _named(expected, x)
        for name, ndim, width in expected.values():
            if dataset:
                shape = _spec_shape(prefix + name, parts[name], ndim)
            else:
                arrays[name] = as_matrix(name, parts[name], ndim=ndim)
                shape = arrays[name].shape
            _check_width(prefix + name, shape[1] if ndim == 2 else None, width)
        if y is not None:
            _check_targets_shape(prefix + "y", tuple(y.shape) if dataset else np.shape(y))
            arrays["targets"] = y if dataset else as_matrix("y", y, ndim=np.ndim(y))
        if sample_weight is not None and not dataset:
            arrays["sample weight"] = as_matrix("sample_weight", sample_weight, ndim=1)
        if not dataset:
            check_same_rows(**arrays)

    def fit(self, x=None, y=None, **kwargs):
        self.check_data(x, y, kwargs.get("sample_weight"), learning=True)
        if kwargs.get("validation_data") is not None:
            validation = keras.utils.unpack_x_y_sample_weight(kwargs["validation_data"])
            try:
                self.check_data(*validation, learning=True)
            except ValueError as error:
                raise type(error)(f"validation_data: {error}") from None
        build_before_fit(self, x)
        with _batches_named():
            return super().fit(x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        self.check_data(x, y, kwargs.get("sample_weight"), learning=True)
        with _batches_named():
            return super().evaluate(x, y, **kwargs)

    def predict(self, x, **kwargs):
        self.check_data(x)
        with _batches_named():
            return super().predict(x, **kwargs)

    def train_on_batch(self, x, y=None, sample_weight=None, **kwargs):
        self.check_data(x, y, sample_weight, learning=True)
        return super().train_on_batch(x, y, sample_weight=sample_weight, **kwargs)

    def test_on_batch(self, x, y=None, sample_weight=None, **kwargs):
        self.check_data(x, y, sample_weight, learning=True)
        return super().test_on_batch(x, y, sample_weight=sample_weight, **kwargs)

    def predict_on_batch(self, x):
        self.check_data(x)
        return super().predict_on_batch(x)

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        symbolic = any(isinstance(t, keras.KerasTensor) for t in tf.nest.flatten(inputs))
        if tf.executing_eagerly() and not symbolic:  # not while Keras builds or traces
            self.check_data(inputs)
        return super().__call__(*args, **kwargs)

    # A dataset's batches are seen only inside the compiled steps: check them there.
    def train_step(self, data):
        return super().train_step(self._same_rows(data))

    def test_step(self, data):
        return super().test_step(self._same_rows(data))

    def predict_step(self, data):
        return super().predict_step(self._same_rows(data))

    def _same_rows(self, data):
        """`data`, a batch, once the graph has asserted its tensors have the same rows."""
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        tensors = _named(self.expected_inputs(), x) | {"targets": y, "sample weight": sample_weight}
        (first, reference), *others = [(n, t) for n, t in tensors.items() if t is not None]
        checks = [
            tf.debugging.assert_equal(
                tf.shape(reference)[0],
                tf.shape(tensor)[0],
                message=f"{ROWS_DIFFER} {first} and {name}",
            )
            for name, tensor in others
        ]
        with tf.control_dependencies(checks):
            return tf.nest.map_structure(lambda t: t if t is None else tf.identity(t), data)


class RowCheckedModel(RowChecks, keras.Model):
    """A functional `keras.Model` on one feature matrix x, checked as `RowChecks` says."""

    def expected_inputs(self) -> dict:
        return {None: ("x", 2, self.inputs[0].shape[-1])}


class PairModel(RowChecks, keras.Model):
    """A Keras model on x = {"customer": (n, f_c), "product": (n, f_p)}, one row per pair.

    A subclass sets `customer_tower` and `product_tower`; their input widths, once known,
    are checked too.
    """

    def expected_inputs(self) -> dict:
        return {
            "customer": ("customer features", 2, known_width(self.customer_tower)),
            "product": ("product features", 2, known_width(self.product_tower)),
        }


# --- plumbing


def build_before_fit(model: keras.Model, x) -> None:
    """Create `model`'s layer and optimizer variables now, before `fit` compiles its step.

    Left to `fit`, Adam's moment variables (and any layer built on first call) are created
    while TensorFlow traces the first training step, and `tf.function` traces a function
    that creates variables twice: about a third of a second more for every model trained.
    Creating them first gives the same trained weights, to the bit. `x` is what `fit`
    gets: arrays (a dict of them) or a `tf.data.Dataset`.
    """
    if model.optimizer is None or model.optimizer.built:
        return
    if isinstance(x, tf.data.Dataset):
        x = keras.utils.unpack_x_y_sample_weight(next(iter(x)))[0]
        first = tf.nest.map_structure(lambda t: t[:1], x)
    else:
        first = tf.nest.map_structure(lambda a: np.asarray(a)[:1], x)
    model(first, training=False)  # builds any layer still unbuilt
    with model.distribute_strategy.scope():
        model.optimizer.build(model.trainable_variables)
