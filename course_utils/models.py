"""Keras models of the course, each built from its constructor arguments alone.

Call `course_utils.setup()` before importing this module: it imports Keras.
"""

import keras
import numpy as np
import tensorflow as tf

from course_utils.validation import (
    as_index_array,
    check_positive_int,
    check_probabilities,
    check_real,
    check_same_rows,
)


def build_mlp(
    n_features: int,
    hidden_units: tuple[int, ...] = (64, 32),
    output_activation: str = "linear",
    name: str = "mlp",
) -> keras.Model:
    """The seed notebook's MLP: concatenated features -> ReLU layers -> one output.

    Introduced in notebooks/03_mlp.py. With the defaults it is the seed's 64-32-1 network
    for ratings; `output_activation="sigmoid"` gives a probability, for implicit feedback.
    A `keras.Model` that refuses features and targets with different row counts.
    """
    check_positive_int("n_features", n_features)
    if not hidden_units:
        raise ValueError("hidden_units must name at least one layer, got ()")
    for units in hidden_units:
        check_positive_int("hidden_units", units)
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for units in hidden_units:
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(1, activation=output_activation)(x)
    return RowCheckedModel(inputs, outputs, name=name)


class _RowChecks:
    """Checks every input of a Keras model before Keras sees it, whatever the entry point.

    Keras checks row counts only sometimes (not under `validation_split`, not for
    `sample_weight`, not in `model(x)` or `train_on_batch`, where a 1-row input broadcasts
    against 1,000). A subclass says what one input looks like (`_check_arrays`, and
    `_check_x_spec` for a `tf.data.Dataset`); this class runs the check at every entry
    point, and inside each compiled step too, so batches of different sizes stop there.
    """

    _x_name = "x"

    def _check_arrays(self, x, y=None, sample_weight=None) -> int:
        raise NotImplementedError

    def _check_x_spec(self, spec) -> None:
        raise NotImplementedError

    def _check_data(self, x, y, sample_weight, *, where: str = "x") -> None:
        if isinstance(x, tf.data.Dataset):
            if y is not None or sample_weight is not None:
                raise ValueError(
                    f"{where} is a tf.data.Dataset, so y and sample_weight must be None: "
                    "the dataset yields (x, y) or (x, y, sample_weight) itself"
                )
            _check_dataset(x, self._check_x_spec, where=where)
        else:
            self._check_arrays(x, y, sample_weight)

    def _check_validation_data(self, validation_data) -> None:
        if validation_data is None or isinstance(validation_data, tf.data.Dataset):
            if validation_data is not None:
                _check_dataset(validation_data, self._check_x_spec, where="validation_data")
            return
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError(
                "validation_data must be (x, y), (x, y, sample_weight) or a tf.data.Dataset, "
                f"got {type(validation_data).__name__}"
            )
        try:
            self._check_arrays(*validation_data)
        except ValueError as error:
            raise type(error)(f"validation_data: {error}") from None

    def fit(self, x=None, y=None, **kwargs):
        self._check_data(x, y, kwargs.get("sample_weight"))
        self._check_validation_data(kwargs.get("validation_data"))
        build_before_fit(self, x)
        return super().fit(x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        self._check_data(x, y, kwargs.get("sample_weight"))
        return super().evaluate(x, y, **kwargs)

    def predict(self, x, **kwargs):
        self._check_data(x, None, None)
        return super().predict(x, **kwargs)

    def train_on_batch(self, x, y=None, sample_weight=None, **kwargs):
        self._check_arrays(x, y, sample_weight)
        return super().train_on_batch(x, y, sample_weight=sample_weight, **kwargs)

    def test_on_batch(self, x, y=None, sample_weight=None, **kwargs):
        self._check_arrays(x, y, sample_weight)
        return super().test_on_batch(x, y, sample_weight=sample_weight, **kwargs)

    def predict_on_batch(self, x):
        self._check_arrays(x)
        return super().predict_on_batch(x)

    def __call__(self, *args, **kwargs):
        inputs = args[0] if args else kwargs.get("inputs")
        if tf.executing_eagerly() and not _symbolic(inputs):
            self._check_arrays(inputs)
        return super().__call__(*args, **kwargs)

    # Inside the compiled steps (a Dataset's batches, the last batch of a zip of datasets
    # of different lengths): the batch sizes must agree, checked in the graph.
    def train_step(self, data):
        return super().train_step(_same_batch(self._x_name, data))

    def test_step(self, data):
        return super().test_step(_same_batch(self._x_name, data))

    def predict_step(self, data):
        return super().predict_step(_same_batch(self._x_name, data))


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


def _symbolic(inputs) -> bool:
    """True for Keras' placeholder tensors, when a model is being built, not run."""
    return any(isinstance(t, keras.KerasTensor) for t in tf.nest.flatten(inputs))


def _named_tensors(x_name: str, data) -> dict:
    """The batch's tensors by name: x's (one per dict key), y and sample_weight."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    if isinstance(x, dict):
        named = {f"{x_name}[{key!r}]": value for key, value in x.items()}
    else:
        named = {x_name: x}
    named |= {name: v for name, v in (("y", y), ("sample_weight", sample_weight)) if v is not None}
    return {name: v for name, v in named.items() if hasattr(v, "shape") and len(v.shape)}


def _same_batch(x_name: str, data):
    """`data`, after checking that its tensors have the same batch size, naming them.

    With static shapes the check is a ValueError now; otherwise an assertion in the graph
    that the step's computation waits for (an InvalidArgumentError with the same message).
    """
    named = _named_tensors(x_name, data)
    if len(named) < 2:
        return data
    (first, tensor), *rest = named.items()
    assertions = []
    for name, other in rest:
        message = f"a batch has a different number of rows in {first} and {name}"
        if tensor.shape[0] is not None and other.shape[0] is not None:
            if tensor.shape[0] != other.shape[0]:
                raise ValueError(f"{message}: {tensor.shape[0]} and {other.shape[0]}")
        elif not tf.executing_eagerly():
            assertions.append(
                tf.debugging.assert_equal(tf.shape(tensor)[0], tf.shape(other)[0], message=message)
            )
    if not assertions:
        return data
    with tf.control_dependencies(assertions):
        return tf.nest.map_structure(lambda t: t if t is None else tf.identity(t), data)


def _check_dataset(dataset, check_x_spec, *, where: str) -> None:
    """A dataset of (x, y[, sample_weight]) or x: check x's structure and every zip in it.

    `tf.data.Dataset.zip` stops at its shortest input without a word: zipping 1,000
    customers with 5,000 product rows gives 1,000 pairs, most of them wrong. So every zip
    in the pipeline must join inputs of the same, known length.
    """
    spec = dataset.element_spec
    x_spec = spec[0] if isinstance(spec, tuple) else spec
    check_x_spec(x_spec)
    for zipped in _zips(dataset):
        inputs = zipped._inputs()
        lengths = [int(d.cardinality()) for d in inputs]
        if tf.data.UNKNOWN_CARDINALITY in lengths:
            raise ValueError(
                f"{where} zips datasets whose lengths are unknown (lengths {lengths}; -2 is "
                "unknown, e.g. after filter), so their rows cannot be checked to pair up: "
                "zip arrays instead (Dataset.from_tensor_slices((x, y))), or state each "
                "length with .apply(tf.data.experimental.assert_cardinality(n))"
            )
        if len(set(lengths)) > 1:
            raise ValueError(
                f"{where} zips datasets of different lengths {lengths}; zip stops at the "
                "shortest, pairing rows that do not belong together"
            )


def _zips(dataset) -> list:
    """Every zip in a dataset's pipeline (through tf.data's `_inputs`, its input graph)."""
    found, stack = [], [dataset]
    while stack:
        current = stack.pop()
        if type(current).__name__ == "_ZipDataset":
            found.append(current)
        stack.extend(current._inputs())
    return found


def _spec_rank(name: str, spec, rank: int = 2) -> None:
    if not isinstance(spec, tf.TensorSpec):
        raise ValueError(f"{name} must be a tensor, got {spec}")
    if spec.shape.rank != rank:
        hint = "; batch the dataset first, e.g. dataset.batch(256)" if spec.shape.rank == 1 else ""
        raise ValueError(f"{name} must be {rank}-D (batch, features), got shape {spec.shape}{hint}")


class RowCheckedModel(_RowChecks, keras.Model):
    """A functional Keras model on one feature matrix that refuses mismatched rows.

    `build_mlp` returns one: features, targets and sample weights must have the same rows,
    at every entry point (`fit` with `validation_split` included).
    """

    def _check_arrays(self, x, y=None, sample_weight=None) -> int:
        if isinstance(x, dict):
            raise ValueError(f"x must be one 2-D array (n_rows, n_features), got a dict {list(x)}")
        if np.ndim(x) != 2:
            raise ValueError(f"x must be 2-D (n_rows, n_features), got shape {np.shape(x)}")
        n_features = self.inputs[0].shape[-1]
        if n_features is not None and np.shape(x)[1] != n_features:
            raise ValueError(f"x must have {n_features} columns (features), got {np.shape(x)[1]}")
        return _check_rows({"x": x}, y, sample_weight)

    def _check_x_spec(self, spec) -> None:
        _spec_rank("the dataset's features", spec)


def _check_rows(arrays: dict, y, sample_weight) -> int:
    for name, value in (("targets", y), ("sample weight", sample_weight)):
        if value is not None:
            if np.ndim(value) == 0:
                raise ValueError(f"{name} must have one row per pair, got a scalar {value!r}")
            arrays[name] = value
    return check_same_rows(**arrays)


PAIR_INPUTS = ("customer", "product")


def check_pair_inputs(x, y=None, sample_weight=None) -> int:
    """Check a two-tower input: {"customer": ..., "product": ...}, one row per pair.

    Keras checks row counts in `fit` only sometimes: with `validation_split` it takes the
    cut from the first array and slices every array at that row (1,000 customer rows and
    5,000 product rows are both cut at row 800), so the lengths then agree and it trains
    on mismatched rows without a word (notebook 05 counts the batches). This check always
    runs, and names the counts.

    Returns:
        the number of pairs.
    """
    if not isinstance(x, dict) or sorted(x) != sorted(PAIR_INPUTS):
        got = sorted(x) if isinstance(x, dict) else type(x).__name__
        raise ValueError(f"x must be a dict with keys {list(PAIR_INPUTS)}, got {got}")
    arrays = {"customer features": x["customer"], "product features": x["product"]}
    for name, array in arrays.items():
        if np.ndim(array) != 2:
            raise ValueError(f"{name} must be 2-D, got shape {np.shape(array)}")
    return _check_rows(arrays, y, sample_weight)


def check_pair_dataset_spec(spec) -> None:
    """Check a `tf.data.Dataset`'s x: a dict of batched customer and product features."""
    if not isinstance(spec, dict) or sorted(spec) != sorted(PAIR_INPUTS):
        got = sorted(spec) if isinstance(spec, dict) else spec
        raise ValueError(f"the dataset's x must be a dict with keys {list(PAIR_INPUTS)}, got {got}")
    for key in PAIR_INPUTS:
        _spec_rank(f"the dataset's {key} features", spec[key])


class PairModel(_RowChecks, keras.Model):
    """A Keras model on (customer, product) pairs that refuses mismatched inputs.

    x is {"customer": (n, f_c) array, "product": (n, f_p) array}, or a `tf.data.Dataset`
    of such dicts (with targets) in batches. Row counts are checked at every entry point:
    `fit` (`validation_split`, `validation_data` and `sample_weight` included), `evaluate`,
    `predict`, `model(x)`, `train_on_batch`, `test_on_batch`, `predict_on_batch`; for a
    dataset, every `zip` in its pipeline must join inputs of the same length, and each
    batch's tensors must have the same number of rows.
    """

    def _check_arrays(self, x, y=None, sample_weight=None) -> int:
        return check_pair_inputs(x, y, sample_weight)

    def _check_x_spec(self, spec) -> None:
        check_pair_dataset_spec(spec)


def build_tower(
    n_features: int,
    hidden_units: tuple[int, ...] = (32,),
    embedding_dim: int | None = None,
    name: str = "tower",
) -> keras.Sequential:
    """Features -> ReLU layers -> (optionally) a linear embedding of size `embedding_dim`."""
    check_positive_int("n_features", n_features)
    layers = [keras.Input(shape=(n_features,))]
    layers += [
        keras.layers.Dense(check_positive_int("hidden_units", u), activation="relu")
        for u in hidden_units
    ]
    if embedding_dim is not None:
        layers.append(keras.layers.Dense(check_positive_int("embedding_dim", embedding_dim)))
    if len(layers) == 1:
        raise ValueError("a tower needs hidden_units or an embedding_dim")
    return keras.Sequential(layers, name=name)


class ConcatTwoTower(PairModel):
    """The seed's two-tower: both towers' outputs concatenated, then a dense head.

    Introduced in notebooks/05_two_tower.py. Every (customer, product) pair must still run
    through the head, so product outputs cannot be computed once and reused.
    """

    def __init__(
        self, customer_tower, product_tower, head_units=(), output_activation="linear", **kwargs
    ):
        super().__init__(**kwargs)
        self.customer_tower = customer_tower
        self.product_tower = product_tower
        self.concat = keras.layers.Concatenate()
        self.head = [keras.layers.Dense(u, activation="relu") for u in head_units]
        self.out = keras.layers.Dense(1, activation=output_activation)

    def call(self, inputs):
        x = self.concat(
            [self.customer_tower(inputs["customer"]), self.product_tower(inputs["product"])]
        )
        for layer in self.head:
            x = layer(x)
        return self.out(x)


class DotTwoTower(PairModel):
    """score = <customer embedding, product embedding> + customer bias + product bias + offset.

    Introduced in notebooks/05_two_tower.py. The towers never see each other's input, so
    every product embedding can be computed once; scoring a customer against the whole
    catalogue is then one matrix product (`embed_customers(c) @ embed_products(p).T`).
    """

    def __init__(self, customer_tower, product_tower, use_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.customer_tower = customer_tower
        self.product_tower = product_tower
        self.use_bias = use_bias
        if use_bias:
            self.customer_bias = keras.layers.Dense(1, name="customer_bias")
            self.product_bias = keras.layers.Dense(1, name="product_bias")

    def call(self, inputs):
        customers = self.customer_tower(inputs["customer"])
        products = self.product_tower(inputs["product"])
        score = keras.ops.sum(customers * products, axis=-1, keepdims=True)
        if self.use_bias:
            score = score + self.customer_bias(customers) + self.product_bias(products)
        return score

    def embed_customers(self, customer_features) -> np.ndarray:
        """Customer vectors, biases folded in as two extra columns. (n_customers, dim + 2)."""
        vectors = _call(self.customer_tower, customer_features)
        if not self.use_bias:
            return vectors
        bias = _call(self.customer_bias, vectors)
        return np.concatenate([vectors, bias, np.ones_like(bias)], axis=1)

    def embed_products(self, product_features) -> np.ndarray:
        """Product vectors, matching `embed_customers`. (n_products, dim + 2)."""
        vectors = _call(self.product_tower, product_features)
        if not self.use_bias:
            return vectors
        bias = _call(self.product_bias, vectors)
        return np.concatenate([vectors, np.ones_like(bias), bias], axis=1)


class HistoryEmbedding(keras.layers.Layer):
    """A customer as the products they rated: the scaled sum of those products' vectors.

    Introduced in notebooks/06_movielens.py; the implicit part of Koren's SVD++. Customer u,
    who rated the products N(u), gets |N(u)|^(-1/2) * sum of y_j over j in N(u), where y_j
    is a learned vector per product; a customer who rated nothing gets zeros. Which
    products, not the ratings given, so the history says what a customer chose to watch.

    Args:
        customer_ids, product_ids: (n_ratings,) the history, one row per rating.
        n_customers, n_products: the id ranges.
        output_dim: the length of each vector.

    Called on customer ids, (batch,), it returns (batch, output_dim). Each call computes all
    n_customers vectors from all n_ratings rows, then takes the batch's: cheap for 100,000
    ratings, but a catalogue of millions would look up only the batch's histories.
    """

    def __init__(self, customer_ids, product_ids, n_customers, n_products, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.n_customers = check_positive_int("n_customers", n_customers)
        self.n_products = check_positive_int("n_products", n_products)
        self.output_dim = check_positive_int("output_dim", output_dim)
        customers = as_index_array("customer_ids", customer_ids, upper=self.n_customers)
        products = as_index_array("product_ids", product_ids, upper=self.n_products)
        check_same_rows(customer_ids=customers, product_ids=products)
        order = np.argsort(customers, kind="stable")  # segment_sqrt_n wants sorted segments
        self.history_customers = customers[order].astype("int32")
        self.history_products = products[order].astype("int32")
        self.product_vectors = self.add_weight(
            shape=(self.n_products, self.output_dim),
            initializer=keras.initializers.RandomNormal(stddev=0.05),
            name="product_vectors",
        )

    def call(self, customer_ids):
        customer_ids = self._checked_ids(customer_ids)
        # One fused op: gather each rating's product vector, sum per customer, divide by
        # sqrt(count); a customer with no ratings gets zeros. Notebook 06's history model
        # trained about a quarter faster with it than with `take` then `segment_sum`.
        every_customer = tf.sparse.segment_sqrt_n(
            self.product_vectors,
            self.history_products,
            self.history_customers,
            num_segments=self.n_customers,
        )
        return keras.ops.take(every_customer, keras.ops.cast(customer_ids, "int32"), axis=0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def _checked_ids(self, customer_ids):
        """Ids in 0..n_customers-1: `take` would wrap -1 round to the last customer."""
        if _symbolic(customer_ids):
            return customer_ids
        message = f"customer_ids must be in 0..{self.n_customers - 1}"
        if tf.executing_eagerly():
            ids = np.asarray(customer_ids).reshape(-1)
            if np.issubdtype(ids.dtype, np.floating) and (ids != np.round(ids)).any():
                fractional = ids[ids != np.round(ids)][:3]
                raise ValueError(f"customer_ids must be whole numbers, got {fractional}")
            as_index_array("customer_ids", ids.astype(np.int64), upper=self.n_customers)
            return customer_ids
        ids = keras.ops.cast(customer_ids, "int32")
        with tf.control_dependencies(
            [
                tf.debugging.assert_non_negative(ids, message=message),
                tf.debugging.assert_less(ids, self.n_customers, message=message),
            ]
        ):
            return tf.identity(ids)


ACCIDENTAL_HIT_LOGIT = -1e9
"""Logit given to an accidental hit: its softmax weight becomes exactly 0."""


def _call(layer, inputs) -> np.ndarray:
    """Run a layer once on a NumPy array, without `predict`'s per-call set-up (~40 ms)."""
    return keras.ops.convert_to_numpy(layer(np.asarray(inputs, "float32"), training=False))


class InBatchSoftmax(keras.Model):
    """Train two towers for retrieval on positive pairs only, by in-batch softmax.

    Introduced in notebooks/05_two_tower.py. In a batch of B (customer, product) positives,
    each customer's product is the right answer and the other B - 1 products of the batch are
    its negatives: logits = customer_embeddings @ product_embeddings.T, (B, B), with the
    labels on the diagonal. Two corrections:

    - popular products turn up as negatives more often than rare ones, so their logits are
      lowered by log(sampling probability) (keras-rs' `SamplingProbabilityCorrection`, the
      "logQ" correction);
    - a product appearing twice in a batch is not a negative for the customer who bought it:
      its logit is masked. We do this ourselves: keras-rs 0.4's `RemoveAccidentalHits` adds
      about 1e-40 to those logits, which changes nothing (keras-team/keras-rs pull #206).

    Inputs: {"customer": features, "product": features, "product_id": ids}.
    """

    def __init__(
        self, customer_tower, product_tower, product_probability, temperature=1.0, **kwargs
    ):
        import keras_rs

        super().__init__(**kwargs)
        self.customer_tower = customer_tower
        self.product_tower = product_tower
        # A product never sampled has probability 0: its log is -inf, but it never appears
        # in a batch, so its logit is never corrected.
        self.product_probability = check_probabilities(
            "product_probability", product_probability
        ).astype("float32")
        self.temperature = check_real("temperature", temperature, low=0.0, low_inclusive=False)
        self.correction = keras_rs.layers.SamplingProbabilityCorrection()

    def build(self, input_shape=None):
        """The towers arrive built and the keras-rs layers hold no weights."""
        self.built = True

    def _check_inputs(self, x, y=None) -> None:
        if not isinstance(x, dict) or sorted(x) != ["customer", "product", "product_id"]:
            got = sorted(x) if isinstance(x, dict) else type(x).__name__
            raise ValueError(
                f"x must be a dict with keys ['customer', 'product', 'product_id'], got {got}"
            )
        if y is not None:
            raise ValueError(
                "y must be None: in-batch softmax learns from positive pairs alone, each "
                "customer's own product is the label"
            )
        for key in ("customer", "product"):
            if np.ndim(x[key]) != 2:
                raise ValueError(f"{key} features must be 2-D, got shape {np.shape(x[key])}")
        as_index_array("product_id", x["product_id"], upper=len(self.product_probability))
        check_same_rows(
            customer_features=x["customer"],
            product_features=x["product"],
            product_id=x["product_id"],
        )

    def fit(self, x=None, y=None, **kwargs):
        self._check_inputs(x, y)
        if kwargs.get("validation_data") is not None:
            validation = kwargs["validation_data"]
            self._check_inputs(validation[0] if isinstance(validation, tuple) else validation)
        build_before_fit(self, x)
        return super().fit(x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        """The in-batch softmax loss on held-out positive pairs (batches as in `fit`)."""
        self._check_inputs(x, y)
        return super().evaluate(x, y, **kwargs)

    def predict(self, x, **kwargs):
        raise NotImplementedError(
            "InBatchSoftmax.predict would return each batch's (B, B) logits, which depend on "
            "how rows fall into batches. To score customers against products, embed them: "
            "model.customer_tower.predict(c) @ model.product_tower.predict(p).T"
        )

    def predict_on_batch(self, x):
        return self.predict(x)

    def call(self, inputs):
        customers = self.customer_tower(inputs["customer"])
        products = self.product_tower(inputs["product"])
        return keras.ops.matmul(customers, keras.ops.transpose(products)) / self.temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        ids = keras.ops.cast(x["product_id"], "int32")
        labels = keras.ops.eye(keras.ops.shape(y_pred)[0])
        logits = self.correction(y_pred, keras.ops.take(self.product_probability, ids))
        same_product = keras.ops.equal(ids[:, None], ids[None, :])
        accidental = keras.ops.logical_and(same_product, keras.ops.equal(labels, 0.0))
        logits = keras.ops.where(accidental, ACCIDENTAL_HIT_LOGIT, logits)
        loss = keras.losses.categorical_crossentropy(labels, logits, from_logits=True)
        return keras.ops.mean(loss)
