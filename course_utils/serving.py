"""Top-k over a large catalogue without a (customers x products) matrix, and a recommender.

Introduced in notebooks/07_scaling_and_serving.py. `recommend.top_k` needs every score at
once: for 1,000 customers and 100,000 products that is 800 MB of float64. Here products are
scored a block at a time and only each customer's best k so far are kept, so memory grows
with the block, not with the catalogue, and the answer is the same, ties included.
"""

from collections.abc import Iterable

import numpy as np

from course_utils.recommend import top_k
from course_utils.validation import as_index_array, as_matrix, check_positive_int

DEFAULT_BLOCK_SIZE = 10_000
"""Products scored at once: 1,000 customers x 10,000 products is 80 MB of float64."""


def top_k_streaming(score_blocks: Iterable, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best products per customer, from scores that arrive a block of products at a time.

    Args:
        score_blocks: (n_customers, block) float arrays, for consecutive products in id
            order: the first block is products 0..b-1, the next starts where it ended.
        k: how many products to return per customer.
    Returns:
        (ids, scores): two (n_customers, k) arrays, best first; ties go to the lower id,
        exactly as `recommend.top_k` on the whole matrix.
    """
    k = check_positive_int("k", k)
    best_ids = best_scores = None
    n_seen = 0
    for index, block in enumerate(score_blocks):
        block = as_matrix(f"score block {index}", block)
        block_ids = np.broadcast_to(np.arange(n_seen, n_seen + block.shape[1]), block.shape)
        if best_ids is None:
            candidates, candidate_ids = block, block_ids
        elif len(block) != len(best_ids):
            raise ValueError(
                f"score block {index} has {len(block)} customers, earlier blocks have "
                f"{len(best_ids)}"
            )
        else:
            # The best so far all have lower ids than this block, and come first: so a tie
            # between columns goes to the lower id, as in top_k.
            candidates = np.concatenate([best_scores, block], axis=1)
            candidate_ids = np.concatenate([best_ids, block_ids], axis=1)
        order = top_k(candidates, min(k, candidates.shape[1]))
        best_scores = np.take_along_axis(candidates, order, axis=1)
        best_ids = np.take_along_axis(candidate_ids, order, axis=1)
        n_seen += block.shape[1]
    if best_ids is None:
        raise ValueError("score_blocks was empty: there were no products to rank")
    if n_seen < k:
        raise ValueError(f"k must be at most the number of products, {n_seen}; got {k}")
    return best_ids, best_scores


def top_k_dot(
    customer_vectors, product_vectors, k: int, block_size: int = DEFAULT_BLOCK_SIZE
) -> tuple[np.ndarray, np.ndarray]:
    """Top k of customer_vectors @ product_vectors.T, scored `block_size` products at a time.

    Args:
        customer_vectors: (n_customers, dim) float array.
        product_vectors: (n_products, dim) float array.
    Returns:
        (ids, scores): two (n_customers, k) arrays, best first.
    """
    customers, products = _vectors(customer_vectors, product_vectors)
    block_size = check_positive_int("block_size", block_size)
    blocks = (
        customers @ products[start : start + block_size].T
        for start in range(0, len(products), block_size)
    )
    return top_k_streaming(blocks, k)


def _vectors(customer_vectors, product_vectors) -> tuple[np.ndarray, np.ndarray]:
    """Both as float matrices of the same width, or a ValueError naming the widths."""
    customers = as_matrix("customer_vectors", customer_vectors)
    products = as_matrix("product_vectors", product_vectors)
    if customers.shape[1] != products.shape[1]:
        raise ValueError(
            f"customer_vectors have {customers.shape[1]} columns but product_vectors have "
            f"{products.shape[1]}; both towers must embed into the same space"
        )
    return customers, products


class Recommender:
    """Serve a trained dot-product two-tower: product vectors once, customers on request.

    Introduced in notebooks/07_scaling_and_serving.py. `model` is a `models.DotTwoTower`
    (anything with `embed_customers` and `embed_products`). A new customer needs only
    features; a new product is added with `add_products`, without retraining.
    """

    def __init__(self, model, product_features, block_size: int = DEFAULT_BLOCK_SIZE):
        self.model = model
        self.block_size = check_positive_int("block_size", block_size)
        self.product_vectors = self._embed_products(product_features)

    @property
    def n_products(self) -> int:
        return len(self.product_vectors)

    def _embed_products(self, product_features) -> np.ndarray:
        features = as_matrix("product_features", product_features)
        return np.concatenate(
            [
                self.model.embed_products(features[start : start + self.block_size])
                for start in range(0, len(features), self.block_size)
            ]
        )

    def add_products(self, product_features) -> np.ndarray:
        """Add products to the catalogue. Returns their new ids, (n_new,)."""
        vectors = self._embed_products(product_features)
        first = self.n_products
        self.product_vectors = np.concatenate([self.product_vectors, vectors])
        return np.arange(first, self.n_products)

    def recommend(self, customer_features, k: int, exclude=None) -> tuple[np.ndarray, np.ndarray]:
        """The k best products for each customer, best first.

        Args:
            customer_features: (n_customers, n_customer_features) float array.
            exclude: optional list with one array of product ids per customer: products
                not to show that customer again (bought, rated).
        Returns:
            (ids, scores): two (n_customers, k) arrays.
        """
        customers = as_matrix("customer_features", customer_features)
        k = check_positive_int("k", k)
        excluded = self._check_exclude(exclude, len(customers))
        most_excluded = max((len(ids) for ids in excluded), default=0)
        if k + most_excluded > self.n_products:
            raise ValueError(
                f"k plus the longest exclude list must be at most the {self.n_products} "
                f"products; got k={k} and {most_excluded} excluded"
            )
        vectors = self.model.embed_customers(customers)
        # Fetch enough that, after dropping a customer's excluded products, k remain.
        ids, scores = top_k_dot(vectors, self.product_vectors, k + most_excluded, self.block_size)
        if not most_excluded:
            return ids, scores
        keep = np.array([~np.isin(row, gone) for row, gone in zip(ids, excluded, strict=True)])
        first_k = keep & (np.cumsum(keep, axis=1) <= k)
        return ids[first_k].reshape(-1, k), scores[first_k].reshape(-1, k)

    def _check_exclude(self, exclude, n_customers: int) -> list[np.ndarray]:
        if exclude is None:
            return [np.zeros(0, np.int64)] * n_customers
        if len(exclude) != n_customers:
            raise ValueError(
                f"exclude must hold one array of product ids per customer: "
                f"{n_customers} customers, got {len(exclude)} arrays"
            )
        return [
            np.unique(as_index_array(f"exclude[{i}]", ids, upper=self.n_products))
            for i, ids in enumerate(exclude)
        ]


def inner_product_to_euclidean(product_vectors, customer_vectors) -> tuple[np.ndarray, np.ndarray]:
    """Add one column so that the nearest product (L2) is the highest dot product.

    Introduced in notebooks/07_scaling_and_serving.py; the transformation of Bachrach et al.,
    "Speeding up the Xbox recommender system using a Euclidean transformation for
    inner-product spaces" (RecSys 2014). Each product gets sqrt(M^2 - |p|^2), with M the
    largest product norm, so every product has norm M; each customer gets 0. Then
    |c - p|^2 = |c|^2 + M^2 - 2 c.p: the smaller the distance, the larger c.p. Indexes
    built for distances (k-means clusters, graphs) then search inner products correctly.

    Returns:
        (products, customers): float32, (n_products, dim + 1) and (n_customers, dim + 1).
    """
    customers, products = _vectors(customer_vectors, product_vectors)
    norms_squared = (products**2).sum(axis=1)
    extra = np.sqrt(np.maximum(norms_squared.max() - norms_squared, 0.0))
    return (
        np.column_stack([products, extra]).astype("float32"),
        np.column_stack([customers, np.zeros(len(customers))]).astype("float32"),
    )
