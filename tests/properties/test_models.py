"""Properties of course_utils.models (Hypothesis).

Keras models on generated rows: few examples each, tiny models built once.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_utils import setup

setup(seed=0)

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from course_utils.models import (  # noqa: E402
    ConcatTwoTower,
    DotTwoTower,
    HistoryEmbedding,
    InBatchSoftmax,
    PairModel,
    RowCheckedModel,
    build_mlp,
    build_tower,
)
from tests.properties.strategies import refused  # noqa: E402
from tests.properties.wrong_values import wrong_int, wrong_real  # noqa: E402

KERAS = settings(max_examples=8)


def _towers(dim=4):
    keras.utils.set_random_seed(0)
    return build_tower(5, (8,), dim, name="c"), build_tower(3, (8,), dim, name="p")


DOT = DotTwoTower(*_towers())
DOT.compile(loss="mse", optimizer="adam")
CONCAT = ConcatTwoTower(*_towers(), head_units=(4,))
CONCAT.compile(loss="mse", optimizer="adam")
MLP = build_mlp(4, (6, 3))
MLP.compile(loss="mse", optimizer="adam")

rows = st.integers(1, 12)


def _pairs(n_customers, n_products, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "customer": rng.normal(size=(n_customers, 5)).astype("float32"),
        "product": rng.normal(size=(n_products, 3)).astype("float32"),
    }


@KERAS
@given(rows, st.integers(0, 1000))
def test_pair_models_score_each_row_from_that_row_alone(n, seed):
    x = _pairs(n, n, seed)
    order = np.random.default_rng(seed).permutation(n)
    shuffled = {key: value[order] for key, value in x.items()}
    for model in (DOT, CONCAT):
        assert isinstance(model, PairModel)
        out = keras.ops.convert_to_numpy(model(x))
        assert out.shape == (n, 1)
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(model(shuffled)), out[order], rtol=1e-5, atol=1e-6
        )
    scores = DOT.embed_customers(x["customer"]) @ DOT.embed_products(x["product"]).T
    np.testing.assert_allclose(
        np.diag(scores), keras.ops.convert_to_numpy(DOT(x))[:, 0], rtol=1e-4, atol=1e-5
    )
    DOT.check_data(x, np.zeros(n))  # one row per pair: accepted


@KERAS
@given(rows, rows)
def test_pair_models_refuse_mismatched_rows_at_every_entry_point(n_customers, n_products):
    assume(n_customers != n_products)
    x = _pairs(n_customers, n_products)
    y = np.zeros(n_customers)
    good = _pairs(n_customers, n_customers)
    counts = f"customer features has {n_customers} rows, product features has {n_products}"
    for call in (
        lambda: DOT(x),
        lambda: DOT.predict(x, verbose=0),
        lambda: DOT.predict_on_batch(x),
        lambda: DOT.train_on_batch(x, y),
        lambda: DOT.test_on_batch(x, y),
        lambda: DOT.evaluate(x, y, verbose=0),
        lambda: DOT.fit(x, y, validation_split=0.5, verbose=0),
        lambda: CONCAT.fit(x, y, verbose=0),
    ):
        assert counts in refused(call, "customer features")
    refused(
        lambda: DOT.fit(good, y, sample_weight=np.ones(n_customers + 1), verbose=0), "sample weight"
    )
    refused(lambda: DOT.fit(good, y[:-1] if n_customers > 1 else y[:0], verbose=0), "targets")
    refused(lambda: DOT.fit(good, y, validation_data=(x, y), verbose=0), "validation_data")
    refused(lambda: DOT.fit([good["customer"], good["product"]], y, verbose=0), "x must be a dict")


@KERAS
@given(rows, st.integers(1, 4))
def test_pair_models_take_batched_datasets_and_refuse_the_rest(n, batch):
    c, p = _pairs(n, n).values()
    y = np.zeros(n, "float32")
    dataset = tf.data.Dataset.from_tensor_slices(({"customer": c, "product": p}, y)).batch(batch)
    history = DOT.fit(dataset, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])
    assert DOT.predict(dataset.map(lambda x, y: x), verbose=0).shape == (n, 1)
    refused(lambda: DOT.fit(dataset.unbatch(), verbose=0), "batch it first")
    refused(lambda: DOT.fit(dataset, y, verbose=0), "y and sample_weight must be None")


def test_zips_batched_before_zipping_stop_at_the_first_short_batch():
    c, p = _pairs(10, 11).values()
    y = np.zeros(10, "float32")
    zipped = tf.data.Dataset.zip(
        {
            "customer": tf.data.Dataset.from_tensor_slices(c).batch(4),
            "product": tf.data.Dataset.from_tensor_slices(p).batch(4),
        },
        tf.data.Dataset.from_tensor_slices(y).batch(4),
    )  # 3 batches each, but the last ones have 2 and 3 rows
    with pytest.raises(ValueError, match="x, a tf.data.Dataset, gave a batch with different row"):
        DOT.fit(zipped, verbose=0, shuffle=False)


@KERAS
@given(rows, rows, st.integers(0, 1000))
def test_the_mlp_refuses_mismatched_rows_and_keeps_rows_apart(n_x, n_y, seed):
    x = np.random.default_rng(seed).normal(size=(n_x, 4)).astype("float32")
    assert isinstance(MLP, RowCheckedModel)
    out = keras.ops.convert_to_numpy(MLP(x))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(MLP(x[::-1])), out[::-1], rtol=1e-5, atol=1e-6
    )
    if n_x != n_y:
        y = np.zeros(n_y)
        for call in (
            lambda: MLP.fit(x, y, validation_split=0.5, verbose=0),
            lambda: MLP.evaluate(x, y, verbose=0),
            lambda: MLP.train_on_batch(x, y),
            lambda: MLP.fit(x, np.zeros(n_x), sample_weight=np.ones(n_y), verbose=0),
        ):
            refused(call, "rows")
    refused(lambda: MLP(x[:, :3]), "columns")
    refused(lambda: MLP.predict(x[0], verbose=0), "x must be 2-D")


@KERAS
@given(
    st.integers(1, 5),
    st.lists(st.integers(1, 6), max_size=2),
    st.one_of(st.none(), st.integers(1, 4)),
    st.data(),
)
def test_build_tower_and_build_mlp_shapes(n_features, hidden, dim, data):
    if not hidden and dim is None:
        refused(lambda: build_tower(n_features, tuple(hidden), dim), "hidden_units")
        return
    tower = build_tower(n_features, tuple(hidden), dim)
    assert tower.output_shape == (None, dim if dim is not None else hidden[-1])
    if hidden:
        model = build_mlp(n_features, tuple(hidden), output_activation="sigmoid")
        out = keras.ops.convert_to_numpy(model(np.ones((3, n_features)) * 50))
        assert out.shape == (3, 1) and ((0 <= out) & (out <= 1)).all()
    for kind in ("type", "bool", "nan/inf", "value"):
        bad = data.draw(wrong_int(kind))
        refused(lambda bad=bad: build_tower(bad, (4,)), "n_features")
        refused(lambda bad=bad: build_mlp(n_features, (bad,)), "hidden_units")


@KERAS
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=1, max_size=10))
def test_history_embedding_equals_a_python_loop(history):
    customers, products = (np.array(column) for column in zip(*history, strict=True))
    layer = HistoryEmbedding(customers, products, 4, 5, 2)
    vectors = layer.product_vectors.numpy()
    everyone = np.arange(4)
    out = keras.ops.convert_to_numpy(layer(everyone))
    for customer in everyone:
        rated = products[customers == customer]
        expected = vectors[rated].sum(0) / np.sqrt(len(rated)) if len(rated) else np.zeros(2)
        np.testing.assert_allclose(out[customer], expected, rtol=1e-5, atol=1e-6)
    refused(
        lambda: HistoryEmbedding(customers - 1 - customers.max(), products, 4, 5, 2), "customer_ids"
    )


@pytest.mark.parametrize("customer_ids", [[-1], [4], [0.5]])
def test_history_embedding_refuses_ids_by_name_on_the_first_line(customer_ids):
    layer = HistoryEmbedding(np.array([0, 1]), np.array([0, 1]), 4, 5, 2)
    refused(lambda: layer(np.array(customer_ids)), "customer_ids")


RETRIEVAL = InBatchSoftmax(*_towers(), product_probability=np.ones(3) / 3, temperature=0.5)
RETRIEVAL.compile(optimizer="adam")


@settings(max_examples=5)
@given(st.integers(2, 6), st.integers(0, 1000))
def test_in_batch_softmax_evaluates_refuses_predict_and_checks_its_inputs(n, seed):
    rng = np.random.default_rng(seed)
    x = {
        "customer": rng.normal(size=(n, 5)),
        "product": rng.normal(size=(n, 3)),
        "product_id": rng.integers(0, 3, n),
    }
    loss = RETRIEVAL.evaluate(x, batch_size=n, verbose=0)
    assert np.isfinite(loss) and loss >= 0
    with pytest.raises(NotImplementedError, match="customer_tower"):
        RETRIEVAL.predict(x)
    refused(lambda: RETRIEVAL.fit(x | {"product_id": x["product_id"] - 3}, verbose=0), "product_id")
    refused(lambda: RETRIEVAL.evaluate(x | {"product": x["product"][:1]}, verbose=0), "rows")
    refused(lambda: RETRIEVAL.fit(x, np.zeros(n), verbose=0), "y must be None")


@given(
    st.sampled_from(["nan/inf", "type", "bool", "dtype", "value"]).flatmap(
        lambda kind: wrong_real(kind, low=0.0, strictly=True)
    ),
    st.sampled_from([[0.5, 0.6, -0.1], [0.2, 0.2, 0.2], [np.nan, 0.5, 0.5], [[1.0]], "abc"]),
)
def test_in_batch_softmax_refuses_bad_temperatures_and_probabilities(temperature, probability):
    towers = (RETRIEVAL.customer_tower, RETRIEVAL.product_tower)
    refused(lambda: InBatchSoftmax(*towers, np.ones(3) / 3, temperature=temperature), "temperature")
    refused(lambda: InBatchSoftmax(*towers, probability), "product_probability")
