"""Purchase logs too big for memory: sampled a chunk at a time, written as sharded files.

Introduced in notebooks/10_beyond_one_machine.py. A world of 100,000 customers and
10,000 products has a billion (customer, product) pairs: the seed's approach of pairing
everyone with everything would need about 120 GB of features. Real logs hold only what
happened: each customer's few purchases. Here they are drawn from the course's hidden
taste model, a chunk of customers at a time, and written to TFRecord shards that a
`tf.data` pipeline streams back, never holding all purchases as one array.
"""

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from course_utils.config import DEFAULT_SEED
from course_utils.data import TasteModel
from course_utils.validation import (
    ArgumentTypeError,
    as_index_array,
    as_matrix,
    check_instance,
    check_positive_int,
    check_seed,
    check_width,
)

RECORD_ROWS = 1024
"""Purchases per TFRecord record: one record per purchase would spend most time in Python."""


def sample_purchases(
    taste: TasteModel,
    customer_features,
    product_features,
    per_customer: int,
    chunk_customers: int = 1000,
    seed: int = DEFAULT_SEED,
) -> Iterator[np.ndarray]:
    """Each customer buys `per_customer` distinct products, likelier where taste is higher.

    Products are drawn without replacement with probability proportional to
    `taste.purchase_probability` (Gumbel top-k: the k largest log p + Gumbel noise), a chunk
    of `chunk_customers` customers at a time, so memory stays (chunk, n_products).

    Yields:
        (chunk_customers * per_customer, 2) int32 arrays of (customer id, product id), rows
        shuffled within the chunk.
    """
    check_instance("taste", taste, TasteModel, "a TasteModel (make_taste_model or world.taste)")
    customers = as_matrix("customer_features", customer_features)
    products = as_matrix("product_features", product_features)
    check_width("customer_features", customers, len(taste.customer_weights), what="taste")
    check_width("product_features", products, len(taste.product_weights), what="taste")
    per_customer = check_positive_int("per_customer", per_customer)
    chunk_customers = check_positive_int("chunk_customers", chunk_customers)
    if per_customer > len(products):
        raise ValueError(
            f"per_customer must be at most the {len(products)} products, got {per_customer}"
        )
    rng = np.random.default_rng(check_seed("seed", seed))
    # Checked above, at the call; the purchases are drawn as the caller reads them.
    return _purchases(taste, customers, products, per_customer, chunk_customers, rng)


def _purchases(taste, customers, products, per_customer, chunk_customers, rng):
    """`sample_purchases` on checked arguments, a chunk of customers at a time."""
    for start in range(0, len(customers), chunk_customers):
        chunk = customers[start : start + chunk_customers]
        probability = taste.purchase_probability(chunk, products)
        keys = np.log(probability) + rng.gumbel(size=probability.shape)
        bought = np.argpartition(-keys, per_customer - 1, axis=1)[:, :per_customer]
        ids = np.repeat(np.arange(start, start + len(chunk)), per_customer)
        pairs = np.column_stack([ids, bought.reshape(-1)]).astype(np.int32)
        yield pairs[rng.permutation(len(pairs))]


def write_shards(chunks, folder, n_shards: int) -> list[Path]:
    """Write (customer, product) chunks round-robin into `n_shards` TFRecord files.

    Each record holds up to `RECORD_ROWS` purchases as one serialized int32 tensor.
    Returns the shard paths, in order.
    """
    import tensorflow as tf

    n_shards = check_positive_int("n_shards", n_shards)
    if isinstance(chunks, (str, bytes)) or not hasattr(chunks, "__iter__"):
        raise ArgumentTypeError(
            f"chunks must be an iterable of (n, 2) arrays, got {type(chunks).__name__}"
        )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"purchases-{i:03d}-of-{n_shards:03d}.tfrecord" for i in range(n_shards)]
    writers = [tf.io.TFRecordWriter(str(path)) for path in paths]
    record = 0
    try:
        for index, chunk in enumerate(chunks):
            chunk = np.asarray(chunk)
            if chunk.ndim != 2 or chunk.shape[1] != 2:
                raise ValueError(f"chunk {index} must be (n, 2) pairs, got shape {chunk.shape}")
            as_index_array(f"chunk {index}'s ids", chunk.reshape(-1))
            for start in range(0, len(chunk), RECORD_ROWS):
                block = tf.constant(chunk[start : start + RECORD_ROWS], tf.int32)
                writers[record % n_shards].write(tf.io.serialize_tensor(block).numpy())
                record += 1
    finally:
        for writer in writers:
            writer.close()
    return paths


def read_purchases(
    paths,
    customer_features,
    product_features,
    batch_size: int,
    shuffle_buffer: int = 10_000,
    seed: int = DEFAULT_SEED,
):
    """A `tf.data` pipeline of purchase batches, streamed from TFRecord shards.

    interleave (read several shards at once) -> parse -> unbatch -> shuffle (a buffer, not
    the whole log) -> batch -> look up features -> prefetch. Features are small tables
    (customers x 5, products x 10) held in memory; the purchases never are.

    Yields:
        dicts {"customer_id": (batch,), "customer": (batch, n_customer_features),
        "product": (batch, n_product_features), "product_id": (batch,)}.
    """
    import tensorflow as tf

    if isinstance(paths, (str, bytes, Path)) or not hasattr(paths, "__iter__"):
        raise ArgumentTypeError(
            f"paths must be a list of shard paths, got {type(paths).__name__} {paths!r}"
        )
    paths = [str(path) for path in paths]
    if not paths:
        raise ValueError("paths is empty: there are no shards to read")
    batch_size = check_positive_int("batch_size", batch_size)
    seed = check_seed("seed", seed)
    customers = tf.constant(as_matrix("customer_features", customer_features), tf.float32)
    products = tf.constant(as_matrix("product_features", product_features), tf.float32)

    def features(pairs):
        return {
            "customer_id": pairs[:, 0],
            "customer": tf.gather(customers, pairs[:, 0]),
            "product": tf.gather(products, pairs[:, 1]),
            "product_id": pairs[:, 1],
        }

    return (
        tf.data.Dataset.from_tensor_slices(paths)
        .interleave(tf.data.TFRecordDataset, cycle_length=min(4, len(paths)))
        .map(lambda record: tf.ensure_shape(tf.io.parse_tensor(record, tf.int32), [None, 2]))
        .unbatch()
        .shuffle(check_positive_int("shuffle_buffer", shuffle_buffer), seed=seed)
        .batch(batch_size, drop_remainder=True)
        .map(features)
        .prefetch(tf.data.AUTOTUNE)
    )
