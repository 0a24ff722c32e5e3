"""Export a trained two-tower as one SavedModel that answers "top k products for these customers".

Introduced in notebooks/10_beyond_one_machine.py. The product vectors are computed once
and stored inside the SavedModel; its `serving_default` signature takes customer
features and returns the ids and scores of the k best products. Any TensorFlow runtime
(TF Serving, a fresh Python process) can load and call it without the course's code.
"""

from pathlib import Path

import numpy as np

from course_utils.validation import as_matrix, check_positive_int


def export_top_k(customer_tower, product_vectors, k: int, path) -> Path:
    """Save a SavedModel at `path` mapping (batch, n_customer_features) to the top-k products.

    Its signature returns {"ids": (batch, k) int32, "scores": (batch, k) float32}; ties go
    to the lower id, as in `serving.top_k_dot`.
    """
    import tensorflow as tf

    vectors = as_matrix("product_vectors", product_vectors).astype(np.float32)
    k = check_positive_int("k", k)
    if k > len(vectors):
        raise ValueError(f"k must be at most the {len(vectors)} products, got {k}")
    n_features = customer_tower.input_shape[-1]

    class TopK(tf.Module):
        def __init__(self):
            super().__init__()
            self.customer_tower = customer_tower
            self.product_vectors = tf.Variable(vectors, trainable=False)

        @tf.function(input_signature=[tf.TensorSpec([None, n_features], tf.float32)])
        def recommend(self, customer_features):
            scores = tf.matmul(
                self.customer_tower(customer_features), self.product_vectors, transpose_b=True
            )
            top = tf.math.top_k(scores, k=k, sorted=True)  # stable: lower index first on ties
            return {"ids": tf.cast(top.indices, tf.int32), "scores": top.values}

    module = TopK()
    path = Path(path)
    logger = tf.get_logger()  # saving logs "Assets written to ..." at INFO: keep it quiet
    level = logger.level
    logger.setLevel("ERROR")
    try:
        tf.saved_model.save(module, str(path), signatures={"serving_default": module.recommend})
    finally:
        logger.setLevel(level)
    return path


def same_top_k(ids, expected_ids, customer_vectors, product_vectors, tolerance: float = 1e-4):
    """True if `ids` rank products as `expected_ids` do, up to swaps of near-tied products.

    Float32 on one machine and float64 (or another CPU) on another may order two products
    whose scores differ by about 1e-6 differently; that is not a different answer. So the
    lists agree if, rank by rank, the products they name score the same within `tolerance`
    (scores recomputed here, in float64).
    """
    customers = as_matrix("customer_vectors", customer_vectors).astype(np.float64)
    products = as_matrix("product_vectors", product_vectors).astype(np.float64)
    ids, expected_ids = np.asarray(ids), np.asarray(expected_ids)
    if ids.shape != expected_ids.shape or ids.shape[0] != len(customers):
        raise ValueError(
            f"ids and expected_ids must both be (n_customers={len(customers)}, k), "
            f"got {ids.shape} and {expected_ids.shape}"
        )
    scores = np.take_along_axis(customers @ products.T, ids, axis=1)
    expected = np.take_along_axis(customers @ products.T, expected_ids, axis=1)
    distinct = all(len(set(row)) == len(row) for row in ids.tolist())
    return bool(distinct and np.allclose(scores, expected, rtol=0, atol=tolerance))
