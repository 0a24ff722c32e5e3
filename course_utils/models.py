"""Keras models of the course, each built from its constructor arguments alone.

Call `course_utils.setup()` before importing this module: it imports Keras.
"""

import keras
import numpy as np
import tensorflow as tf

from course_utils.model_checks import (
    check_activation,
    check_features,
    check_flag,
    check_ids,
    check_same_output_size,
    check_sizes,
    check_tower,
    ids_in_range,
    known_width,
)
from course_utils.row_checks import PairModel, RowCheckedModel
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
    A `RowCheckedModel` is a `keras.Model` that also refuses inputs it cannot pair up,
    such as features and targets with different row counts (`course_utils.row_checks`).
    """
    check_positive_int("n_features", n_features)
    hidden_units = check_sizes("hidden_units", hidden_units)
    check_activation("output_activation", output_activation)
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for units in hidden_units:
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(1, activation=output_activation)(x)
    return RowCheckedModel(inputs, outputs, name=name)


def build_tower(
    n_features: int,
    hidden_units: tuple[int, ...] = (32,),
    embedding_dim: int | None = None,
    name: str = "tower",
) -> keras.Sequential:
    """Features -> ReLU layers -> (optionally) a linear embedding of size `embedding_dim`."""
    layers = [keras.Input(shape=(check_positive_int("n_features", n_features),))]
    for units in check_sizes("hidden_units", hidden_units, allow_empty=True):
        layers.append(keras.layers.Dense(units, activation="relu"))
    if embedding_dim is not None:
        layers.append(keras.layers.Dense(check_positive_int("embedding_dim", embedding_dim)))
    if len(layers) == 1:
        raise ValueError("a tower needs hidden_units or an embedding_dim, got () and None")
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
        self.customer_tower = check_tower("customer_tower", customer_tower)
        self.product_tower = check_tower("product_tower", product_tower)
        self.concat = keras.layers.Concatenate()
        head_units = check_sizes("head_units", head_units, allow_empty=True)
        self.head = [keras.layers.Dense(u, activation="relu") for u in head_units]
        check_activation("output_activation", output_activation)
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
        self.customer_tower = check_tower("customer_tower", customer_tower)
        self.product_tower = check_tower("product_tower", product_tower)
        check_same_output_size(customer_tower, product_tower)
        self.use_bias = check_flag("use_bias", use_bias)
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
        features = check_features(
            "customer_features", customer_features, known_width(self.customer_tower)
        )
        vectors = _call(self.customer_tower, features)
        if not self.use_bias:
            return vectors
        bias = _call(self.customer_bias, vectors)
        return np.concatenate([vectors, bias, np.ones_like(bias)], axis=1)

    def embed_products(self, product_features) -> np.ndarray:
        """Product vectors, matching `embed_customers`. (n_products, dim + 2)."""
        features = check_features(
            "product_features", product_features, known_width(self.product_tower)
        )
        vectors = _call(self.product_tower, features)
        if not self.use_bias:
            return vectors
        bias = _call(self.product_bias, vectors)
        return np.concatenate([vectors, np.ones_like(bias), bias], axis=1)


def _call(layer, inputs) -> np.ndarray:
    """Run a layer once on a NumPy array, without `predict`'s per-call set-up (~40 ms)."""
    return keras.ops.convert_to_numpy(layer(np.asarray(inputs, "float32"), training=False))


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

    def __call__(self, customer_ids, *args, **kwargs):
        if not isinstance(customer_ids, keras.KerasTensor) and tf.executing_eagerly():
            check_ids("customer_ids", customer_ids, self.n_customers)  # before Keras wraps it
        return super().__call__(customer_ids, *args, **kwargs)

    def call(self, customer_ids):
        # One fused op: gather each rating's product vector, sum per customer, divide by
        # sqrt(count); a customer with no ratings gets zeros. Notebook 06's history model
        # trained about a quarter faster with it than with `take` then `segment_sum`.
        every_customer = tf.sparse.segment_sqrt_n(
            self.product_vectors,
            self.history_products,
            self.history_customers,
            num_segments=self.n_customers,
        )
        ids = ids_in_range(customer_ids, self.n_customers, "customer_ids")  # take wraps -1
        return keras.ops.take(every_customer, ids, axis=0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)


ACCIDENTAL_HIT_LOGIT = -1e9
"""Logit given to an accidental hit: its softmax weight becomes exactly 0."""

PROBABILITY_FLOOR = 1e-6
"""Sampling probabilities are clipped here before their log is taken, as keras-rs does."""


def in_batch_softmax_losses(logits, product_ids, log_q):
    """Each row's in-batch softmax loss, (B,): row i's label is its own product, column i.

    Introduced in notebooks/05_two_tower.py; `InBatchSoftmax` and notebook 10's training
    loop (`course_utils.distributed`) both use it.

    Args:
        logits: (B, B) customer vectors @ product vectors.T (over a temperature).
        product_ids: (B,) each row's product, to find accidental hits.
        log_q: (B,) log sampling probability of each row's product, subtracted from its
            column (the logQ correction, as keras-rs' `SamplingProbabilityCorrection`).
    """
    labels = keras.ops.eye(keras.ops.shape(logits)[0])
    logits = logits - log_q
    same_product = keras.ops.equal(product_ids[:, None], product_ids[None, :])
    accidental = keras.ops.logical_and(same_product, keras.ops.equal(labels, 0.0))
    logits = keras.ops.where(accidental, ACCIDENTAL_HIT_LOGIT, logits)
    return keras.losses.categorical_crossentropy(labels, logits, from_logits=True)


class InBatchSoftmax(PairModel):
    """Train two towers for retrieval on positive pairs only, by in-batch softmax.

    Introduced in notebooks/05_two_tower.py. In a batch of B (customer, product) positives,
    each customer's product is the right answer and the other B - 1 products of the batch are
    its negatives: logits = customer_embeddings @ product_embeddings.T, (B, B), with the
    labels on the diagonal. Two corrections:

    - popular products turn up as negatives more often than rare ones, so their logits are
      lowered by log(sampling probability), the "logQ" correction (as keras-rs'
      `SamplingProbabilityCorrection` computes it);
    - a product appearing twice in a batch is not a negative for the customer who bought it:
      its logit is masked. We do this ourselves: keras-rs 0.4's `RemoveAccidentalHits` adds
      about 1e-40 to those logits, which changes nothing (keras-team/keras-rs pull #206).

    Inputs: {"customer": features, "product": features, "product_id": ids}, no targets.
    `evaluate` gives the loss on held-out positive pairs (batches as in `fit`).
    """

    has_targets = False

    def __init__(
        self, customer_tower, product_tower, product_probability, temperature=1.0, **kwargs
    ):
        super().__init__(**kwargs)
        self.customer_tower = check_tower("customer_tower", customer_tower)
        self.product_tower = check_tower("product_tower", product_tower)
        check_same_output_size(customer_tower, product_tower)
        # A product never sampled has probability 0: its log is -inf, but it never appears
        # in a batch, so its logit is never corrected.
        self.product_probability = check_probabilities(
            "product_probability", product_probability
        ).astype("float32")
        self.temperature = check_real("temperature", temperature, low=0.0, low_inclusive=False)

    def build(self, input_shape=None):
        """The towers arrive built, and the loss holds no weights."""
        self.built = True

    def expected_inputs(self) -> dict:
        return super().expected_inputs() | {"product_id": ("product_id", 1, None)}

    def check_data(self, x, y=None, sample_weight=None, **kwargs) -> None:
        super().check_data(x, y, sample_weight, **kwargs)
        if isinstance(x, dict):
            check_ids("product_id", x["product_id"], len(self.product_probability))

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
        ids = ids_in_range(x["product_id"], len(self.product_probability), "product_id")
        q = keras.ops.clip(keras.ops.take(self.product_probability, ids), PROBABILITY_FLOOR, 1.0)
        return keras.ops.mean(in_batch_softmax_losses(y_pred, ids, keras.ops.log(q)))
