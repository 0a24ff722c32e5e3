"""Properties of course_utils.distributed (Hypothesis): the loss and cluster of notebook 09."""

import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from course_utils import setup

setup(seed=0)

from course_utils.distributed import in_batch_softmax_losses, tf_config  # noqa: E402


@given(st.integers(1, 6), st.integers(1, 4), st.floats(0.05, 5.0), st.integers(0, 1000))
def test_in_batch_softmax_losses_match_numpy(batch, dim, temperature, seed):
    rng = np.random.default_rng(seed)
    customers, products = rng.normal(size=(batch, dim)), rng.normal(size=(batch, dim))
    ids = rng.integers(0, 3, batch)  # repeats: accidental hits
    log_q = np.log(rng.dirichlet(np.ones(3)))
    losses = in_batch_softmax_losses(
        customers.astype("float32"),
        products.astype("float32"),
        ids.astype("int32"),
        log_q.astype("float32"),
        temperature,
    ).numpy()
    logits = customers @ products.T / temperature - log_q[ids][None, :]
    logits[(ids[:, None] == ids[None, :]) & ~np.eye(batch, dtype=bool)] = -1e9
    shifted = logits - logits.max(axis=1, keepdims=True)
    expected = -(np.diag(shifted) - np.log(np.exp(shifted).sum(axis=1)))
    np.testing.assert_allclose(losses, expected, rtol=1e-3, atol=1e-3)
    assert (losses >= -1e-6).all()


@given(st.lists(st.integers(1024, 65535), min_size=1, max_size=4, unique=True), st.data())
def test_tf_config_names_every_worker_on_loopback(ports, data):
    index = data.draw(st.integers(0, len(ports) - 1))
    config = json.loads(tf_config(ports, index))
    assert config["cluster"]["worker"] == [f"127.0.0.1:{p}" for p in ports]
    assert config["task"] == {"type": "worker", "index": index}
