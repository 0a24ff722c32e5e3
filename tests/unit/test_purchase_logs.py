"""Purchase logs: sampling from the taste model, TFRecord shards, the tf.data pipeline."""

import numpy as np
import pytest

from course_utils import purchase_logs
from course_utils.data import make_taste_model, truncated_normal_features
from course_utils.purchase_logs import read_purchases, sample_purchases, write_shards


@pytest.fixture(scope="module")
def tiny():
    """A taste model, 50 customers and 30 products."""
    rng = np.random.default_rng(0)
    return (
        make_taste_model(seed=0),
        truncated_normal_features(50, 5, rng),
        truncated_normal_features(30, 10, rng),
    )


def all_purchases(taste, customers, products, per_customer, **kwargs):
    return np.concatenate(
        list(sample_purchases(taste, customers, products, per_customer, **kwargs))
    )


def test_each_customer_buys_per_customer_distinct_products(tiny):
    pairs = all_purchases(*tiny, 5, chunk_customers=16)
    assert pairs.shape == (50 * 5, 2) and pairs.dtype == np.int32
    counts = np.bincount(pairs[:, 0], minlength=50)
    assert (counts == 5).all()
    for customer in range(50):
        bought = pairs[pairs[:, 0] == customer, 1]
        assert len(set(bought.tolist())) == 5
    assert pairs[:, 1].min() >= 0 and pairs[:, 1].max() < 30


def test_chunks_hold_chunk_customers_each(tiny):
    sizes = [len(chunk) for chunk in sample_purchases(*tiny, 2, chunk_customers=16)]
    assert sizes == [32, 32, 32, 4]  # 16 + 16 + 16 + 2 customers, 2 purchases each


def test_purchases_follow_purchase_probability():
    """With one purchase each, product j is bought with probability p_ij / sum_j p_ij."""
    rng = np.random.default_rng(1)
    taste = make_taste_model(seed=1)
    customers = truncated_normal_features(4000, 5, rng)
    products = truncated_normal_features(20, 10, rng)
    pairs = all_purchases(taste, customers, products, 1, seed=2)
    probability = taste.purchase_probability(customers, products)
    expected = (probability / probability.sum(axis=1, keepdims=True)).sum(axis=0)
    counts = np.bincount(pairs[:, 1], minlength=20)
    assert np.corrcoef(counts, expected)[0, 1] > 0.95
    likeliest, least = np.argmax(expected), np.argmin(expected)
    assert counts[likeliest] > 2 * counts[least]


def test_same_seed_same_log_other_seed_differs(tiny):
    first = all_purchases(*tiny, 3, seed=5)
    assert np.array_equal(first, all_purchases(*tiny, 3, seed=5))
    assert not np.array_equal(first, all_purchases(*tiny, 3, seed=6))


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"per_customer": 0}, "per_customer"),
        ({"per_customer": 31}, "per_customer"),
        ({"chunk_customers": 0}, "chunk_customers"),
        ({"customer_features": np.zeros(5)}, "customer_features"),
        ({"product_features": np.full((30, 10), np.nan)}, "product_features"),
    ],
)
def test_bad_inputs_raise_value_error_naming_the_argument(tiny, kwargs, named):
    taste, customers, products = tiny
    arguments = {"customer_features": customers, "product_features": products}
    arguments |= {"per_customer": 2} | kwargs
    with pytest.raises(ValueError, match=named):
        next(sample_purchases(taste, **arguments))


def read_records(path):
    import tensorflow as tf

    return [
        tf.io.parse_tensor(record, tf.int32).numpy()
        for record in tf.data.TFRecordDataset(str(path))
    ]


def test_records_are_dealt_to_shards_in_turn(tmp_path, monkeypatch):
    monkeypatch.setattr(purchase_logs, "RECORD_ROWS", 4)
    pairs = np.arange(2 * 22, dtype=np.int32).reshape(22, 2)
    paths = write_shards([pairs[:10], pairs[10:]], tmp_path, 3)
    assert [path.name for path in paths] == [f"purchases-{i:03d}-of-003.tfrecord" for i in range(3)]
    # records: rows 0-3, 4-7, 8-9 (end of chunk 1), 10-13, 14-17, 18-21
    blocks = [pairs[0:4], pairs[4:8], pairs[8:10], pairs[10:14], pairs[14:18], pairs[18:22]]
    for shard, path in enumerate(paths):
        got = read_records(path)
        assert len(got) == 2
        for record, block in zip(got, blocks[shard::3], strict=True):
            assert np.array_equal(record, block)


def test_write_shards_rejects_chunks_that_are_not_pairs(tmp_path):
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        write_shards([np.zeros((4, 3), np.int32)], tmp_path, 2)
    with pytest.raises(ValueError, match="n_shards"):
        write_shards([], tmp_path, 0)


def test_every_purchase_comes_back_once_with_its_own_features(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(purchase_logs, "RECORD_ROWS", 16)
    taste, customers, products = tiny
    pairs = all_purchases(taste, customers, products, 4, chunk_customers=16)  # 200 rows
    paths = write_shards(
        sample_purchases(taste, customers, products, 4, chunk_customers=16), tmp_path, 4
    )
    batches = list(read_purchases(paths, customers, products, batch_size=25, shuffle_buffer=50))
    assert len(batches) == 8
    got = []
    for batch in batches:
        customer_id, product_id = batch["customer_id"].numpy(), batch["product_id"].numpy()
        assert batch["customer"].shape == (25, 5) and batch["product"].shape == (25, 10)
        assert np.allclose(batch["customer"].numpy(), customers[customer_id])
        assert np.allclose(batch["product"].numpy(), products[product_id])
        got.append(np.column_stack([customer_id, product_id]))
    got = np.concatenate(got)
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, pairs.tolist()))
    assert not np.array_equal(got, pairs)  # shuffled, not in the written order


def test_read_purchases_rejects_bad_inputs(tiny, tmp_path):
    _, customers, products = tiny
    with pytest.raises(ValueError, match="paths"):
        read_purchases([], customers, products, 8)
    with pytest.raises(ValueError, match="batch_size"):
        read_purchases([tmp_path / "x.tfrecord"], customers, products, 0)
    with pytest.raises(ValueError, match="shuffle_buffer"):
        read_purchases([tmp_path / "x.tfrecord"], customers, products, 8, shuffle_buffer=0)


# --- issue 22: refused where it is called, by name


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda t, c, p: sample_purchases(None, c, p, 2),
            "taste must be a TasteModel (make_taste_model or world.taste), got NoneType",
        ),
        (
            lambda t, c, p: sample_purchases(t, c[:, :4], p, 2),
            "customer_features has 4 columns, but taste takes 5",
        ),
        (lambda t, c, p: sample_purchases(t, c, p, 2, seed=None), "seed must be an int >= 0"),
        (
            lambda t, c, p: write_shards([np.array([[0, -1]])], "unused", 1),
            "chunk 0's ids has a negative id: -1 at position 1",
        ),
        (
            lambda t, c, p: write_shards([np.array([[0.5, 1]])], "unused", 1),
            "chunk 0's ids must hold integer ids, got 0.5 at position 0",
        ),
        (
            lambda t, c, p: read_purchases("shard.tfrecord", c, p, 8),
            "paths must be a list of shard paths, got str 'shard.tfrecord'",
        ),
        (lambda t, c, p: read_purchases(["a"], c, p, 8, seed=None), "seed must be an int >= 0"),
    ],
)
def test_issue_22_wrong_calls_are_refused_by_name(tiny, tmp_path, monkeypatch, call, message):
    monkeypatch.chdir(tmp_path)  # write_shards opens files in "unused" before it reads a chunk
    with pytest.raises((ValueError, TypeError)) as caught:
        call(*tiny)  # sample_purchases refuses at the call, not at the first next()
    assert str(caught.value).splitlines()[0].startswith(message)
