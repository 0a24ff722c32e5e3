"""Keras models of the course, each built from its constructor arguments alone.

Call `course_utils.setup()` before importing this module: it imports Keras.
"""

import keras
import numpy as np

from course_utils.validation import as_index_array, check_positive_int, check_same_rows


def build_mlp(
    n_features: int,
    hidden_units: tuple[int, ...] = (64, 32),
    output_activation: str = "linear",
    name: str = "mlp",
) -> keras.Model:
    """The seed notebook's MLP: concatenated features -> ReLU layers -> one output.

    Introduced in notebooks/03_mlp.py. With the defaults it is the seed's 64-32-1 network
    for ratings; `output_activation="sigmoid"` gives a probability, for implicit feedback.
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
    return keras.Model(inputs, outputs, name=name)


PAIR_INPUTS = ("customer", "product")


def check_pair_inputs(x, y=None) -> int:
    """Check a two-tower input: {"customer": ..., "product": ...}, one row per pair.

    Keras checks row counts in `fit` only sometimes: with `validation_split` it slices
    each array at its own 80% and trains on mismatched rows without a word (notebook 05
    shows it). This check always runs, and names the counts.

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
    if y is not None:
        arrays["targets"] = y
    return check_same_rows(**arrays)


class PairModel(keras.Model):
    """A Keras model on (customer, product) pairs that refuses mismatched inputs."""

    def fit(self, x=None, y=None, **kwargs):
        check_pair_inputs(x, y)
        return super().fit(x, y, **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        check_pair_inputs(x, y)
        return super().evaluate(x, y, **kwargs)

    def predict(self, x, **kwargs):
        check_pair_inputs(x)
        return super().predict(x, **kwargs)


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
        counts = np.bincount(customers, minlength=self.n_customers)
        self.history_customers = customers.astype("int32")
        self.history_products = products.astype("int32")
        self.history_scale = (1 / np.sqrt(counts[customers])).astype("float32")[:, None]
        self.product_vectors = self.add_weight(
            shape=(self.n_products, self.output_dim),
            initializer=keras.initializers.RandomNormal(stddev=0.05),
            name="product_vectors",
        )

    def call(self, customer_ids):
        rows = keras.ops.take(self.product_vectors, self.history_products, axis=0)
        every_customer = keras.ops.segment_sum(
            rows * self.history_scale, self.history_customers, num_segments=self.n_customers
        )
        return keras.ops.take(every_customer, keras.ops.cast(customer_ids, "int32"), axis=0)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)


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
        self.product_probability = np.asarray(product_probability, "float32")
        self.temperature = float(temperature)
        self.correction = keras_rs.layers.SamplingProbabilityCorrection()

    def build(self, input_shape=None):
        """The towers arrive built and the keras-rs layers hold no weights."""
        self.built = True

    def fit(self, x=None, y=None, **kwargs):
        if not isinstance(x, dict) or sorted(x) != ["customer", "product", "product_id"]:
            got = sorted(x) if isinstance(x, dict) else type(x).__name__
            raise ValueError(
                f"x must be a dict with keys ['customer', 'product', 'product_id'], got {got}"
            )
        check_same_rows(
            customer_features=x["customer"],
            product_features=x["product"],
            product_id=x["product_id"],
        )
        return super().fit(x, y, **kwargs)

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
