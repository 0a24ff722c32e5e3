"""Mismatched rows never train silently: the models' guard rails, out of the lesson's module.

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

Public Keras and TensorFlow APIs only. Also here: `build_before_fit`, a speed-up of `fit`.
Call `course_utils.setup()` before importing this module.
"""

from contextlib import contextmanager

import keras
import numpy as np
import tensorflow as tf

from course_utils.model_checks import check_width, known_width
from course_utils.validation import as_matrix, check_same_rows


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
            check_width(prefix + name, shape[1] if ndim == 2 else None, width)
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
