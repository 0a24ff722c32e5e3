"""Keras models: shapes, and the flattening that prevents silent broadcasting."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import setup

setup(seed=0)

from course_utils.models import build_mlp  # noqa: E402
from course_utils.recommend import predict_pairs  # noqa: E402


def test_mlp_is_the_seeds_64_32_1():
    model = build_mlp(15)
    assert [layer.units for layer in model.layers[1:]] == [64, 32, 1]
    assert model.count_params() == 15 * 64 + 64 + 64 * 32 + 32 + 32 + 1


def test_predict_pairs_returns_one_flat_value_per_row():
    model = build_mlp(3, (4,))
    assert predict_pairs(model, np.zeros((7, 3))).shape == (7,)


def test_sigmoid_output_is_a_probability():
    model = build_mlp(3, (4,), output_activation="sigmoid")
    predictions = predict_pairs(model, np.random.default_rng(0).normal(size=(50, 3)) * 10)
    assert np.all((predictions >= 0) & (predictions <= 1))


def test_same_seed_same_initial_model():
    setup(seed=5)
    first = build_mlp(3, (4,)).get_weights()[0]
    setup(seed=5)
    second = build_mlp(3, (4,)).get_weights()[0]
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_features": 0}, "n_features must be an int >= 1, got 0"),
        ({"n_features": 3, "hidden_units": ()}, "hidden_units must name at least one layer"),
        ({"n_features": 3, "hidden_units": (8, -1)}, "hidden_units must be an int >= 1, got -1"),
    ],
)
def test_bad_sizes_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_mlp(**kwargs)


def test_predict_pairs_refuses_a_flat_input():
    with pytest.raises(ValueError, match=r"features must be 2-D, got shape \(3,\)"):
        predict_pairs(build_mlp(3, (4,)), np.zeros(3))


def test_setup_refuses_a_bad_seed():
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        setup(seed=-1)


# --- Two-tower models


def _towers(embedding_dim=4):
    from course_utils.models import build_tower

    return build_tower(5, (8,), embedding_dim, name="c"), build_tower(
        3, (8,), embedding_dim, name="p"
    )


def test_pair_models_refuse_the_seeds_1000_customers_beside_5000_products():
    from course_utils.models import ConcatTwoTower

    model = ConcatTwoTower(*_towers(None))
    model.compile(loss="mse", optimizer="adam")
    x = {"customer": np.zeros((1000, 5)), "product": np.zeros((5000, 3))}
    message = "customer features has 1000 rows, product features has 5000 rows, targets has 1000"
    with pytest.raises(ValueError, match=message):
        model.fit(x, np.zeros((1000, 1)), validation_split=0.2, verbose=0)
    with pytest.raises(
        ValueError, match="customer features has 1000 rows, product features has 5000"
    ):
        model.predict(x, verbose=0)


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (
            [np.zeros((2, 5)), np.zeros((2, 3))],
            r"x must be a dict with keys \['customer', 'product'\], got list",
        ),
        ({"customer": np.zeros((2, 5))}, r"got \['customer'\]"),
        (
            {"customer": np.zeros(5), "product": np.zeros((2, 3))},
            r"customer features must be 2-D, got shape \(5,\)",
        ),
    ],
)
def test_pair_models_name_what_is_wrong_with_x(x, message):
    from course_utils.models import DotTwoTower

    with pytest.raises(ValueError, match=message):
        DotTwoTower(*_towers()).check_data(x)


def test_dot_two_tower_embeddings_reproduce_the_models_scores():
    from course_utils.models import DotTwoTower

    model = DotTwoTower(*_towers())
    rng = np.random.default_rng(0)
    customers, products = rng.normal(size=(6, 5)), rng.normal(size=(7, 3))
    customer_vectors, product_vectors = (
        model.embed_customers(customers),
        model.embed_products(products),
    )
    assert customer_vectors.shape == (6, 4 + 2) and product_vectors.shape == (7, 4 + 2)
    x = {"customer": np.repeat(customers, 7, axis=0), "product": np.tile(products, (6, 1))}
    through_model = model.predict(x, verbose=0).reshape(6, 7)
    np.testing.assert_allclose(customer_vectors @ product_vectors.T, through_model, atol=1e-5)


def test_dot_two_tower_without_bias_is_a_plain_dot_product():
    from course_utils.models import DotTwoTower

    model = DotTwoTower(*_towers(), use_bias=False)
    customers, products = np.ones((2, 5)), np.ones((3, 3))
    assert model.embed_customers(customers).shape == (2, 4)
    expected = model.customer_tower(customers).numpy() @ model.product_tower(products).numpy().T
    np.testing.assert_allclose(
        model.embed_customers(customers) @ model.embed_products(products).T, expected, rtol=1e-6
    )


def test_the_seeds_concatenating_head_is_additive():
    """With no hidden head layer, score(c, p) = f(c) + g(p): no customer-product interaction."""
    from course_utils.models import ConcatTwoTower

    model = ConcatTwoTower(*_towers(None))
    rng = np.random.default_rng(1)
    c, p = rng.normal(size=(2, 5)), rng.normal(size=(2, 3))

    def score(i, j):
        return model.predict({"customer": c[i : i + 1], "product": p[j : j + 1]}, verbose=0)[0, 0]

    assert score(0, 0) + score(1, 1) == pytest.approx(score(0, 1) + score(1, 0), abs=1e-5)
    with_head = ConcatTwoTower(*_towers(None), head_units=(16,))
    assert with_head.predict({"customer": c, "product": p}, verbose=0).shape == (2, 1)


def test_in_batch_softmax_loss_matches_a_numpy_reference():
    from course_utils.models import InBatchSoftmax

    rng = np.random.default_rng(2)
    probability = np.array([0.5, 0.3, 0.2])
    model = InBatchSoftmax(*_towers(), product_probability=probability)
    ids = np.array([0, 1, 0, 2])  # product 0 twice: an accidental hit for rows 0 and 2
    x = {"customer": rng.normal(size=(4, 5)), "product": rng.normal(size=(4, 3)), "product_id": ids}
    logits = model(x)
    loss = float(model.compute_loss(x, None, logits))

    reference = np.array(logits) - np.log(probability[ids])[None, :]
    accidental = (ids[:, None] == ids[None, :]) & ~np.eye(4, dtype=bool)
    reference[accidental] = -1e9
    log_softmax = (
        reference
        - np.log(np.exp(reference - reference.max(1, keepdims=True)).sum(1, keepdims=True))
        - reference.max(1, keepdims=True)
    )
    assert loss == pytest.approx(-np.mean(np.diag(log_softmax)), rel=1e-4)


@given(st.integers(2, 6), st.integers(1, 4), st.floats(0.05, 5.0), st.integers(0, 1000))
def test_in_batch_softmax_losses_equal_numpy_and_keras_rs_correction(batch, dim, temperature, seed):
    import keras
    import keras_rs

    from course_utils.models import in_batch_softmax_losses

    rng = np.random.default_rng(seed)
    customers, products = rng.normal(size=(batch, dim)), rng.normal(size=(batch, dim))
    ids = rng.integers(0, 3, batch)  # repeats: accidental hits
    q = rng.dirichlet(np.ones(3)).astype("float32")
    logits = (customers @ products.T / temperature).astype("float32")
    losses = keras.ops.convert_to_numpy(in_batch_softmax_losses(logits, ids, np.log(q[ids])))
    reference = logits - np.log(q[ids])[None, :]
    reference[(ids[:, None] == ids[None, :]) & ~np.eye(batch, dtype=bool)] = -np.inf
    shifted = reference - reference.max(axis=1, keepdims=True)
    expected = -(np.diag(shifted) - np.log(np.exp(shifted).sum(axis=1)))
    np.testing.assert_allclose(losses, expected, rtol=1e-4, atol=1e-4)
    corrected = keras_rs.layers.SamplingProbabilityCorrection()(logits, q[ids])  # its logQ
    through_keras_rs = in_batch_softmax_losses(corrected, ids, np.zeros(batch, "float32"))
    np.testing.assert_allclose(through_keras_rs, losses, rtol=1e-5, atol=1e-5)


def test_in_batch_softmax_refuses_mismatched_rows():
    from course_utils.models import InBatchSoftmax

    model = InBatchSoftmax(*_towers(), product_probability=np.ones(3) / 3)
    model.compile(optimizer="adam")
    x = {
        "customer": np.zeros((10, 5)),
        "product": np.zeros((8, 3)),
        "product_id": np.zeros(10, int),
    }
    with pytest.raises(
        ValueError, match="customer features has 10 rows, product features has 8 rows"
    ):
        model.fit(x, verbose=0)


def test_build_tower_refuses_an_empty_tower():
    from course_utils.models import build_tower

    with pytest.raises(ValueError, match="a tower needs hidden_units or an embedding_dim"):
        build_tower(3, (), None)


# --- A customer as their history


def _history_layer(customers, products, n_customers=3, n_products=4, dim=2):
    from course_utils.models import HistoryEmbedding

    return HistoryEmbedding(customers, products, n_customers, n_products, dim)


def test_history_embedding_matches_a_python_loop():
    customers, products = np.array([0, 0, 2, 0, 2]), np.array([1, 3, 3, 0, 1])
    layer = _history_layer(customers, products)
    y = layer.product_vectors.numpy()
    expected = np.zeros((3, 2))
    for customer in range(3):
        rated = products[customers == customer]
        if len(rated):
            expected[customer] = y[rated].sum(axis=0) / np.sqrt(len(rated))
    batch = np.array([2, 1, 0, 2])
    out = layer(batch).numpy()
    assert out.shape == (4, 2)
    np.testing.assert_allclose(out, expected[batch], rtol=1e-6)
    np.testing.assert_array_equal(out[1], 0.0)  # customer 1 rated nothing


def test_history_embedding_pairs_each_rating_with_its_own_customer():
    """Moving one rating from customer 0 to customer 1 changes those two, and no one else."""
    before = _history_layer(np.array([0, 0, 2]), np.array([1, 3, 2]))
    after = _history_layer(np.array([0, 1, 2]), np.array([1, 3, 2]))
    after.product_vectors.assign(before.product_vectors)
    everyone = np.arange(3)
    changed = ~np.isclose(before(everyone).numpy(), after(everyone).numpy()).all(axis=1)
    assert changed.tolist() == [True, True, False]


def test_history_embedding_learns_inside_a_model():
    import keras

    layer = _history_layer(np.array([0, 1, 1]), np.array([0, 1, 2]), n_customers=2, n_products=3)
    customer = keras.Input(shape=(), dtype="int32")
    model = keras.Model(customer, keras.layers.Dense(1)(layer(customer)))
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(0.05))
    before = layer.product_vectors.numpy().copy()
    model.fit(np.array([0, 1]), np.array([1.0, -1.0]), epochs=5, verbose=0)
    assert not np.allclose(before, layer.product_vectors.numpy())


@pytest.mark.parametrize(
    ("customers", "products", "message"),
    [
        (np.array([0, 1]), np.array([0]), "customer_ids has 2 rows, product_ids has 1 rows"),
        (np.array([0, 3]), np.array([0, 1]), "customer_ids has id 3, but there are only 3"),
        (np.array([0, 1]), np.array([0, 4]), "product_ids has id 4, but there are only 4"),
        (np.array([0.0, 1.0]), np.array([0, 1]), "customer_ids must hold integer ids"),
    ],
)
def test_history_embedding_refuses_bad_histories(customers, products, message):
    with pytest.raises(ValueError, match=message):
        _history_layer(customers, products)


# --- issue 13: checks that could be walked around, tf.data, values no model should accept


def _seed_mistake():
    """The seed's 1,000 customers beside 1 product row (broadcasts) or 5,000 (truncates)."""
    return {"customer": np.zeros((1000, 5)), "product": np.zeros((1, 3))}


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x, y: m(x),
        lambda m, x, y: m.predict_on_batch(x),
        lambda m, x, y: m.train_on_batch(x, y),
        lambda m, x, y: m.test_on_batch(x, y),
        lambda m, x, y: m.evaluate(x, y, verbose=0),
        lambda m, x, y: m.fit(x, y, validation_split=0.2, verbose=0),
    ],
    ids=["call", "predict_on_batch", "train_on_batch", "test_on_batch", "evaluate", "fit"],
)
def test_pair_models_refuse_a_1_row_product_beside_1000_customers_everywhere(call):
    from course_utils.models import DotTwoTower

    model = DotTwoTower(*_towers())
    model.compile(loss="mse", optimizer="adam")
    with pytest.raises(
        ValueError, match="customer features has 1000 rows, product features has 1 "
    ):
        call(model, _seed_mistake(), np.zeros(1000))


def test_pair_models_check_sample_weight_and_validation_data():
    from course_utils.models import DotTwoTower

    model = DotTwoTower(*_towers())
    model.compile(loss="mse", optimizer="adam")
    x = {"customer": np.zeros((10, 5)), "product": np.zeros((10, 3))}
    with pytest.raises(ValueError, match="targets has 10 rows, sample weight has 3 rows"):
        model.fit(x, np.zeros(10), sample_weight=np.ones(3), verbose=0)
    with pytest.raises(ValueError, match="validation_data: row counts differ: customer features"):
        model.fit(x, np.zeros(10), validation_data=(_seed_mistake(), np.zeros(1000)), verbose=0)


def test_build_mlp_refuses_mismatched_rows_under_validation_split():
    model = build_mlp(3, (4,))
    model.compile(loss="mse", optimizer="adam")
    with pytest.raises(ValueError, match="x has 1000 rows, targets has 5000 rows"):
        model.fit(np.zeros((1000, 3)), np.zeros(5000), validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="x must have 3 columns"):
        model.predict(np.zeros((4, 5)), verbose=0)


def test_build_mlp_gives_the_same_numbers_as_a_plain_keras_model():
    """The checked model is only a check: same weights, same predictions, same training."""
    import keras

    setup(seed=7)
    checked = build_mlp(3, (4,))
    setup(seed=7)
    inputs = keras.Input(shape=(3,), name="features")
    hidden = keras.layers.Dense(4, activation="relu")(inputs)
    plain = keras.Model(inputs, keras.layers.Dense(1)(hidden), name="mlp")
    for a, b in zip(checked.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(0).normal(size=(20, 3))
    y = x.sum(axis=1)
    for model in (checked, plain):
        model.compile(loss="mse", optimizer="adam")
        setup(seed=7)
        model.fit(x, y, epochs=2, batch_size=5, validation_split=0.2, verbose=0)
    np.testing.assert_array_equal(checked.predict(x, verbose=0), plain.predict(x, verbose=0))


def test_pair_models_train_on_a_tf_data_dataset_and_refuse_unbatched_ones():
    import tensorflow as tf

    from course_utils.models import DotTwoTower

    model = DotTwoTower(*_towers())
    model.compile(loss="mse", optimizer="adam")
    rng = np.random.default_rng(0)
    c, p = rng.normal(size=(12, 5)).astype("float32"), rng.normal(size=(12, 3)).astype("float32")
    y = rng.normal(size=12).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices(({"customer": c, "product": p}, y)).batch(4)
    model.fit(dataset, epochs=1, verbose=0, shuffle=False)
    through_dataset = model.evaluate(dataset, verbose=0)
    assert through_dataset == pytest.approx(
        model.evaluate({"customer": c, "product": p}, y, batch_size=4, verbose=0), rel=1e-5
    )
    with pytest.raises(ValueError, match="batch it first, e.g. dataset.batch"):
        model.fit(dataset.unbatch(), verbose=0)


def test_in_batch_softmax_evaluate_gives_the_loss_and_predict_says_what_to_do():
    from course_utils.models import InBatchSoftmax

    rng = np.random.default_rng(2)
    model = InBatchSoftmax(*_towers(), product_probability=np.array([0.5, 0.3, 0.2]))
    model.compile(optimizer="adam")
    x = {"customer": rng.normal(size=(4, 5)), "product": rng.normal(size=(4, 3))}
    x["product_id"] = np.array([0, 1, 0, 2])
    expected = float(model.compute_loss(x, None, model(x)))
    assert model.evaluate(x, batch_size=4, verbose=0) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(NotImplementedError, match=r"model.customer_tower.predict\(c\)"):
        model.predict(x, verbose=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 0.0}, "temperature must be > 0, got 0.0"),
        ({"temperature": -1}, "temperature must be > 0, got -1"),
        ({"temperature": float("nan")}, "temperature must be finite, got nan"),
        ({"product_probability": [0.5, 0.7, -0.2]}, "product_probability has a negative"),
        ({"product_probability": [0.2, 0.2, 0.2]}, "product_probability must sum to 1, got 0.6"),
        ({"product_probability": [0.5, 0.5j, 0.5]}, "product_probability must be real"),
    ],
)
def test_in_batch_softmax_refuses_values_no_model_should_accept(kwargs, message):
    from course_utils.models import InBatchSoftmax

    arguments = {"product_probability": np.ones(3) / 3} | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        InBatchSoftmax(*_towers(), **arguments)


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (np.array([-1]), "customer_ids has a negative id: -1"),
        (np.array([3]), "customer_ids has id 3, but there are only 3"),
        (np.array([0.5]), r"customer_ids must be whole numbers, got \[0.5\]"),
    ],
)
def test_history_embedding_refuses_ids_that_would_pick_another_customer(ids, message):
    layer = _history_layer(np.array([0, 2]), np.array([1, 3]))
    with pytest.raises(ValueError, match=message):
        layer(ids)


# --- values, not just shapes: hand-set weights give outputs worked out by hand


def test_hidden_layers_are_relu_and_the_output_is_linear():
    model = build_mlp(1, (1,))
    model.set_weights([np.ones((1, 1)), np.zeros(1), -np.ones((1, 1)), np.zeros(1)])
    out = predict_pairs(model, np.array([[-2.0], [3.0]]))
    np.testing.assert_array_equal(out, [0.0, -3.0])  # relu(-2) = 0; -relu(3) = -3, not clipped


def test_a_tower_is_relu_then_a_linear_embedding():
    from course_utils.models import build_tower

    tower = build_tower(1, (1,), 1)
    tower.set_weights([np.ones((1, 1)), np.zeros(1), -np.ones((1, 1)), np.zeros(1)])
    out = tower(np.array([[-2.0], [3.0]])).numpy()
    np.testing.assert_array_equal(out, [[0.0], [-3.0]])


def test_the_concatenating_head_is_applied():
    """Zero the head's hidden layer: every output is then the output layer's bias."""
    from course_utils.models import ConcatTwoTower

    model = ConcatTwoTower(*_towers(None), head_units=(3,))
    x = {
        "customer": np.random.default_rng(0).normal(size=(4, 5)),
        "product": np.random.default_rng(1).normal(size=(4, 3)),
    }
    model(x)
    head = model.head[0]
    assert head.built and head.kernel.shape == (16, 3)
    head.kernel.assign(np.zeros((16, 3)))
    head.bias.assign(np.zeros(3))
    model.out.bias.assign([0.25])
    np.testing.assert_allclose(model(x).numpy(), 0.25)


@pytest.mark.parametrize("kind", ["dot", "retrieval", "mlp"])
def test_fit_builds_the_optimizer_first_traces_once_and_trains_the_same_weights(kind):
    """`fit` creates the optimizer's variables before tracing its step (`build_before_fit`):
    one trace instead of two, and the same trained weights, to the bit, as plain Keras."""
    import keras

    from course_utils.models import DotTwoTower, InBatchSoftmax

    rng = np.random.default_rng(0)
    rows = 64
    x = {"customer": rng.normal(size=(rows, 5)), "product": rng.normal(size=(rows, 3))}
    y = rng.normal(size=rows)
    if kind == "retrieval":
        x["product_id"] = rng.integers(0, 8, rows)
        y = None
    elif kind == "mlp":
        x = np.hstack([x["customer"], x["product"]])

    def trained(plain_keras: bool):
        setup(seed=3)
        if kind == "dot":
            model = DotTwoTower(*_towers())
        elif kind == "retrieval":
            model = InBatchSoftmax(*_towers(), product_probability=np.full(8, 1 / 8))
        else:
            model = build_mlp(8, (8,))
        traces = []
        step = model.train_step
        model.train_step = lambda data: traces.append(1) or step(data)  # runs when traced
        model.compile(optimizer="adam", loss=None if kind == "retrieval" else "mse")
        fit = keras.Model.fit if plain_keras else type(model).fit
        fit(model, x, y, epochs=2, batch_size=16, verbose=0)
        return model.get_weights(), len(traces)

    ours, our_traces = trained(plain_keras=False)
    plain, plain_traces = trained(plain_keras=True)
    assert (our_traces, plain_traces) == (1, 2)
    assert len(ours) == len(plain)
    for a, b in zip(ours, plain, strict=True):
        np.testing.assert_array_equal(a, b)


def test_in_batch_softmax_divides_its_logits_by_the_temperature():
    """Issue 23: multiplying by the temperature instead of dividing passed every test."""
    from course_utils.models import InBatchSoftmax

    rng = np.random.default_rng(4)
    x = {
        "customer": rng.normal(size=(3, 5)),
        "product": rng.normal(size=(3, 3)),
        "product_id": np.arange(3),
    }
    model = InBatchSoftmax(*_towers(), product_probability=np.full(3, 1 / 3), temperature=0.25)
    customers = np.array(model.customer_tower(x["customer"]))
    products = np.array(model.product_tower(x["product"]))
    np.testing.assert_allclose(
        np.array(model(x)), customers @ products.T / 0.25, rtol=1e-5, atol=1e-6
    )
