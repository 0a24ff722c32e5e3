"""Scoring every product for a batch of customers, and taking each one's top k.

Introduced in notebooks/04_top_k_and_metrics.py.
"""

import numpy as np

from course_utils.data import pair_table
from course_utils.validation import as_matrix, check_positive_int, check_width, input_width


def pair_features(customer_features, product_features) -> np.ndarray:
    """Every customer beside every product, customer-major: row i * n_products + j is (i, j).

    Returns:
        (n_customers * n_products, n_customer_features + n_product_features) float array.
    """
    customers = as_matrix("customer_features", customer_features)
    products = as_matrix("product_features", product_features)
    no_targets = np.zeros((len(customers), len(products)))
    return pair_table(customers, products, no_targets).features


def predict_pairs(model, features, batch_size: int = 4096) -> np.ndarray:
    """A Keras model's prediction for each row, as a flat (n_rows,) array.

    Introduced in notebooks/03_mlp.py.

    Keras returns (n_rows, 1); comparing that with a (n_rows,) target broadcasts to an
    (n_rows, n_rows) matrix and a meaningless error, so we flatten here, once.
    """
    features = as_matrix("features", features).astype("float32")
    check_width("features", features, input_width(model), what="the model")
    batch_size = check_positive_int("batch_size", batch_size)
    return model.predict(features, batch_size=batch_size, verbose=0).reshape(-1)


def score_all(model, customer_features, product_features, batch_size: int = 8192) -> np.ndarray:
    """Score every product for every customer with a model on concatenated features.

    One batched prediction over all pairs, no Python loop per customer.

    Returns:
        scores: (n_customers, n_products) float array; scores[i, j] is customer i, product j.
    """
    customers = as_matrix("customer_features", customer_features)
    products = as_matrix("product_features", product_features)
    width = input_width(model)
    if width is not None and customers.shape[1] + products.shape[1] != width:
        raise ValueError(
            f"customer_features has {customers.shape[1]} columns and product_features "
            f"{products.shape[1]}: rows of {customers.shape[1] + products.shape[1]} features, "
            f"but the model takes {width} (customer features first, then product features)"
        )
    features = pair_features(customers, products)
    n_customers, n_products = len(customers), len(products)
    predictions = predict_pairs(model, features, batch_size=batch_size)
    return predictions.astype(float).reshape(n_customers, n_products)


def top_k(scores, k: int, exclude=None) -> np.ndarray:
    """The k best-scored products for each customer, best first.

    O(n_products + k log k) per customer: `np.partition` finds the k-th best score, a mask
    keeps the k best, then only those k are sorted. Ties go to the lower product id, so the
    result is deterministic.

    Args:
        scores: (n_customers, n_products) float array, higher is better. No NaN.
        k: how many products to return per customer, 1 <= k <= products left to choose.
        exclude: optional (n_customers, n_products) bool array; True marks a product the
            customer must not be shown again (already rated or bought).
    Returns:
        (n_customers, k) int64 array of product ids.
    """
    scores = as_matrix("scores", scores)
    k = check_positive_int("k", k)
    n_customers, n_products = scores.shape
    if not n_products:
        raise ValueError(f"scores has shape {scores.shape}: no products (columns) to rank")
    if k > n_products:
        raise ValueError(f"k must be at most the number of products, {n_products}; got {k}")
    if exclude is not None:
        exclude = np.asarray(exclude)
        if exclude.shape != scores.shape or exclude.dtype != bool:
            raise ValueError(
                f"exclude must be a bool array of shape {scores.shape}, "
                f"got {exclude.dtype} of shape {exclude.shape}"
            )
        left = n_products - exclude.sum(axis=1)
        if (left < k).any():
            customer = int(np.argmax(left < k))
            raise ValueError(
                f"customer {customer} has only {int(left[customer])} products left after "
                f"exclude, fewer than k={k}"
            )
        scores = np.where(exclude, -np.inf, scores)

    # The k-th best score of each row; everything strictly better is in, and the
    # lowest-id products tied with it fill the remaining places.
    kth_best = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]
    better = scores > kth_best
    tied = scores == kth_best
    places_left = k - better.sum(axis=1, keepdims=True)
    chosen = better | (tied & (np.cumsum(tied, axis=1) <= places_left))
    ids = np.nonzero(chosen)[1].reshape(n_customers, k)  # ascending id within each row
    order = np.argsort(-np.take_along_axis(scores, ids, axis=1), axis=1, kind="stable")
    return np.take_along_axis(ids, order, axis=1)
