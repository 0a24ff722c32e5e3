"""Error metrics for ratings and ranking metrics for top-k lists.

Introduced in notebooks/04_top_k_and_metrics.py. Ranking metrics take

- `recommended`: (n_customers, >= k) int array of product ids, best first (from `top_k`);
- `relevance`: (n_customers, n_products) array; relevance[i, j] > 0 if product j is
  relevant to customer i (binary for precision, recall, MAP and hit rate; graded for NDCG),

and return the mean over customers. A customer with no relevant product scores 0, as in
keras-rs. Definitions follow Microsoft Recommenders and keras-rs; each docstring says which.
"""

import numpy as np

from course_utils.recommend import top_k
from course_utils.validation import ArgumentTypeError, as_matrix, check_positive_int


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, sqrt(mean((y_true - y_pred)^2)), of two (n,) arrays."""
    y_true, y_pred = _same_length_vectors(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def precision_at_k(recommended, relevance, k: int) -> float:
    """Mean over customers of |top k ∩ relevant| / k."""
    hits = _hits(recommended, relevance, k) > 0
    return float(hits.sum(axis=1).mean() / k)


def recall_at_k(recommended, relevance, k: int) -> float:
    """Mean over customers of |top k ∩ relevant| / |relevant|."""
    hits = _hits(recommended, relevance, k) > 0
    n_relevant = (np.asarray(relevance) > 0).sum(axis=1)
    return float(np.mean(hits.sum(axis=1) / np.maximum(n_relevant, 1)))


def hit_rate_at_k(recommended, relevance, k: int) -> float:
    """Share of customers with at least one relevant product in their top k."""
    hits = _hits(recommended, relevance, k) > 0
    return float(hits.any(axis=1).mean())


def ndcg_at_k(recommended, relevance, k: int) -> float:
    """Normalised discounted cumulative gain, with graded relevance.

    DCG@k = sum_{i=1..k} (2^rel_i - 1) / log2(i + 1), for the product at rank i; NDCG@k is
    DCG@k divided by the DCG@k of the ideal ordering (keras-rs' `NDCG` defaults, and
    Microsoft Recommenders' `ndcg_at_k` with exponential gain).
    """
    hits = _hits(recommended, relevance, k)
    discounts = 1 / np.log2(np.arange(2, k + 2))
    ideal = -np.sort(-as_matrix("relevance", relevance), axis=1)[:, :k]
    # 2^rel overflows to inf past rel = 1023; NDCG is a ratio, so a row with huge grades is
    # scaled by 2^-max (exactly, a power of two). Rows with usual grades are left as they are.
    top = np.where(ideal[:, :1] > _LARGEST_PLAIN_GRADE, ideal[:, :1], 0.0)
    dcg = (2.0 ** (hits - top) - 2.0**-top) @ discounts
    idcg = (2.0 ** (ideal - top) - 2.0**-top) @ discounts[: ideal.shape[1]]
    return float(np.mean(np.divide(dcg, idcg, out=np.zeros_like(dcg), where=idcg > 0)))


def map_at_k(recommended, relevance, k: int) -> float:
    """Mean average precision: mean over customers of AP@k.

    AP@k = (1 / min(k, |relevant|)) sum_{i=1..k} precision@i * rel_i, so a perfect ranking
    scores 1 (ml_metrics' `apk`). keras-rs divides by |relevant| instead; the two agree
    whenever a customer has at most k relevant products.
    """
    hits = (_hits(recommended, relevance, k) > 0).astype(float)
    precision_at_i = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
    n_relevant = (np.asarray(relevance) > 0).sum(axis=1)
    denominator = np.minimum(n_relevant, k)
    total = (precision_at_i * hits).sum(axis=1)
    return float(
        np.mean(np.divide(total, denominator, out=np.zeros_like(total), where=denominator > 0))
    )


def catalogue_coverage(recommended, n_products: int) -> float:
    """Share of the catalogue that appears in at least one customer's list."""
    n_products = check_positive_int("n_products", n_products)
    recommended = _ids(recommended, n_products, bound="n_products")
    return len(np.unique(recommended)) / n_products


def novelty(recommended, counts, n_customers: int) -> float:
    """Mean self-information of the recommended products, in bits.

    A product consumed by c of n customers carries -log2((c + 1) / (n + 1)) bits: a
    blockbuster few, a rarity many (Zhou et al., PNAS 2010; the + 1 keeps a product nobody
    consumed finite, at log2(n + 1)). The mean runs over every list and every rank.
    Introduced in notebooks/12_beyond_accuracy.py.

    Args:
        recommended: (n_customers, k) int array of product ids.
        counts: (n_products,) how many customers consumed each product, each in 0..n_customers.
    """
    n_customers = check_positive_int("n_customers", n_customers)
    counts = as_matrix("counts", counts, ndim=1)
    if (counts < 0).any() or (counts > n_customers).any():
        bad = counts[(counts < 0) | (counts > n_customers)][0]
        raise ValueError(
            f"counts must lie in 0..n_customers ({n_customers}): a product is consumed by at "
            f"most every customer, got {bad!r}"
        )
    ids = _ids(recommended, len(counts), bound="counts' length")
    return float(np.mean(-np.log2((counts[ids] + 1) / (n_customers + 1))))


def intra_list_diversity(recommended, features) -> float:
    """Mean over lists of the mean cosine distance, 1 - cos, between two of its products.

    `features` is (n_products, n_features), such as multi-hot genres or learned vectors; a
    product whose row is all zeros has similarity 0 with every other. Lists need k >= 2.
    Introduced in notebooks/12_beyond_accuracy.py.
    """
    features = as_matrix("features", features)
    ids = _ids(recommended, len(features), bound="features' rows")
    k = ids.shape[1]
    if k < 2:
        raise ValueError(f"recommended has k = {k} product per list: diversity needs pairs, k >= 2")
    norms = np.linalg.norm(features, axis=1, keepdims=True)
    unit = np.divide(features, norms, out=np.zeros_like(features), where=norms > 0)[ids]
    similarity = np.einsum("ukf,ulf->ukl", unit, unit)  # (lists, k, k), 1 on the diagonal
    off_diagonal = similarity.sum(axis=(1, 2)) - np.einsum("ukk->u", similarity)
    return float(np.mean(1 - off_diagonal / (k * (k - 1))))


def average_popularity(recommended, popularity) -> float:
    """Mean over lists of the mean popularity of its products (ARP, Abdollahpouri et al.).

    Compare it with the mean popularity of what customers actually consumed: a recommender
    above that pushes the head of the catalogue. Introduced in notebooks/12_beyond_accuracy.py.

    Args:
        popularity: (n_products,) float >= 0, e.g. each product's number of customers.
    """
    popularity = as_matrix("popularity", popularity, ndim=1)
    if (popularity < 0).any():
        raise ValueError(f"popularity must be >= 0, got {float(popularity.min())!r}")
    ids = _ids(recommended, len(popularity), bound="popularity's length")
    return float(popularity[ids].mean())


def overlap_at_k(found, reference) -> float:
    """Mean over customers of the share of `reference`'s k products that `found` lists too.

    Both are (n_customers, k) int arrays of product ids, such as an approximate search's top
    k and the exact top k. This is recall@k with `reference` as the relevant products, without
    a (n_customers, n_products) relevance matrix, which a large catalogue cannot afford.
    """
    found, reference = np.asarray(found), np.asarray(reference)
    if reference.ndim != 2 or found.shape != reference.shape:
        raise ValueError(
            f"found and reference must be 2-D arrays of the same shape (n_customers, k), "
            f"got {found.shape} and {reference.shape}"
        )
    if reference.shape[1] == 0:
        raise ValueError("reference has k = 0 products per customer: nothing to overlap")
    any_id = np.iinfo(np.int64).max
    found, reference = _ids(found, any_id, "found"), _ids(reference, any_id, "reference")
    shared = [len(np.intersect1d(a, b)) for a, b in zip(found, reference, strict=True)]
    return float(np.mean(shared) / reference.shape[1])


_LARGEST_PLAIN_GRADE = 500.0
"""Graded relevance above this is rescaled before 2^rel, which would overflow past 1023."""


def _same_length_vectors(y_true, y_pred):
    y_true = as_matrix("y_true", y_true, ndim=1)
    y_pred = as_matrix("y_pred", y_pred, ndim=1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {len(y_true)} values but y_pred has {len(y_pred)}; "
            "flatten a (n, 1) prediction with .reshape(-1) first"
        )
    if not len(y_true):
        raise ValueError("y_true and y_pred are empty: there is no error to average")
    return y_true, y_pred


def _ids(
    recommended,
    n_products: int,
    name: str = "recommended",
    k: int | None = None,
    bound: str = "relevance's columns",
):
    """The first k columns of `recommended`, checked: (n_customers, k) distinct int ids.

    `bound` says where `n_products` comes from, for the message.
    """
    ids = None if isinstance(recommended, str) else np.asarray(recommended)
    if ids is None or ids.ndim != 2 or not np.issubdtype(ids.dtype, np.integer):
        got = repr(recommended) if ids is None else f"{ids.dtype} of shape {ids.shape}"
        raise ArgumentTypeError(f"{name} must be a 2-D int array (n_customers, k), got {got}")
    if not len(ids):
        raise ValueError(f"{name} has no customers: there is nothing to average")
    if ids.size and ids.min() < 0:
        raise ValueError(f"{name} holds a negative id: {int(ids.min())}")
    if ids.size and ids.max() >= n_products:
        raise ValueError(f"{name} holds ids outside 0..{n_products - 1} ({bound}: {n_products})")
    if k is not None:
        if k > ids.shape[1]:
            raise ValueError(f"k={k} is more than the {ids.shape[1]} products recommended")
        ids = ids[:, :k]
    ordered = np.sort(ids, axis=1)
    repeated = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    if repeated.any():
        customer = int(np.argmax(repeated))
        raise ValueError(
            f"{name} lists a product twice for customer {customer} "
            f"({ids[customer].tolist()[:10]}); a top-k list holds k distinct products"
        )
    return ids


def _hits(recommended, relevance, k: int) -> np.ndarray:
    """relevance of the product at each of the first k ranks: (n_customers, k)."""
    k = check_positive_int("k", k)
    relevance = as_matrix("relevance", relevance)
    if (relevance < 0).any():
        raise ValueError(f"relevance must be >= 0, got {float(relevance.min())!r}")
    ids = _ids(recommended, relevance.shape[1], k=k)
    if len(ids) != len(relevance):
        raise ValueError(f"recommended has {len(ids)} customers but relevance has {len(relevance)}")
    return np.take_along_axis(relevance, ids, axis=1)


def top_k_relevance(true_scores, k: int) -> np.ndarray:
    """Mark each customer's true top k as relevant: a (n_customers, n_products) 0/1 array.

    With the ground truth of a synthetic world as `true_scores`, the oracle recommender
    scores 1 on every metric at this k.
    """
    true_scores = as_matrix("true_scores", true_scores)
    if not true_scores.shape[1]:
        raise ValueError(f"true_scores has shape {true_scores.shape}: no products to mark")
    relevance = np.zeros_like(true_scores)
    np.put_along_axis(relevance, top_k(true_scores, k), 1.0, axis=1)
    return relevance
