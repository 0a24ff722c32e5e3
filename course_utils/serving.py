"""Top-k over a large catalogue without a (customers x products) matrix, and a recommender.

Introduced in notebooks/08_scaling_and_serving.py. `recommend.top_k` needs every score at
once: for 1,000 customers and 100,000 products that is 800 MB of float64. Here products are
scored a block at a time and only each customer's best k so far are kept, so memory grows
with the block, not with the catalogue, and the answer is the same, ties included.
"""

from collections.abc import Iterable

import numpy as np

from course_utils.recommend import top_k
from course_utils.validation import (
    ArgumentTypeError,
    as_index_array,
    as_matrix,
    check_positive_int,
    check_width,
    input_width,
)

DEFAULT_BLOCK_SIZE = 10_000
"""Products scored at once: 1,000 customers x 10,000 products is 80 MB of float64."""


def top_k_streaming(score_blocks: Iterable, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best products per customer, from scores that arrive a block of products at a time.

    Args:
        score_blocks: (n_customers, block) float arrays, for consecutive products in id
            order: the first block is products 0..b-1, the next starts where it ended.
        k: how many products to return per customer.
    Returns:
        (ids, scores): two (n_customers, k) arrays, best first; ties (equal scores) go to
        the lower id, exactly as `recommend.top_k` on the same scores as one matrix.
    """
    k = check_positive_int("k", k)
    if isinstance(score_blocks, (str, bytes)) or not isinstance(score_blocks, Iterable):
        raise ArgumentTypeError(
            f"score_blocks must be an iterable of (n_customers, block) arrays, got "
            f"{type(score_blocks).__name__}"
        )
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

    Products with identical vectors get identical scores, so they tie, and a tie goes to
    the lower id. (A matrix product can score two identical rows one ulp apart, depending
    on where they sit in the block; so each distinct vector is scored once and its score
    shared by every product that has it.)

    Args:
        customer_vectors: (n_customers, dim) float array.
        product_vectors: (n_products, dim) float array.
    Returns:
        (ids, scores): two (n_customers, k) arrays, best first.
    """
    customers, products = _vectors(customer_vectors, product_vectors)
    k = check_positive_int("k", k)
    block_size = check_positive_int("block_size", block_size)
    return _top_k_dot(customers, products, k, block_size, _distinct_vectors(products))


def _distinct_vectors(products: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse): the lowest id of each distinct vector, and each product's vector.

    Rows are told apart by a 64-bit hash of their bytes: sorting 100,000 keys took a fifth
    of the time of `np.unique(axis=0)` on the rows (benchmarks/distinct_vectors.py). A
    collision is detected, and then the rows themselves are sorted.
    """
    bits = np.ascontiguousarray(products, dtype=np.float64).view(np.uint64)
    key = np.full(len(products), 0xCBF29CE484222325, np.uint64)
    for column in bits.T:  # FNV-1a over 64-bit words; unsigned overflow wraps, as it should
        key = (key ^ column) * np.uint64(0x100000001B3)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    if not np.array_equal(products, products[first[inverse]]):
        _, first, inverse = np.unique(products, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def _top_k_dot(customers, products, k, block_size, distinct):
    """`top_k_dot` on checked arguments; `distinct` is `_distinct_vectors(products)`."""
    first, inverse = distinct
    if k > len(products):
        raise ValueError(f"k must be at most the number of products, {len(products)}; got {k}")
    if len(first) == len(products):  # no two products alike: stream in id order
        blocks = (
            _finite_scores(_dot(customers, products[start : start + block_size]))
            for start in range(0, len(products), block_size)
        )
        return top_k_streaming(blocks, k)
    return _top_k_distinct_vectors(customers, products, first, inverse, k, block_size)


def _top_k_distinct_vectors(customers, products, first, inverse, k, block_size):
    """top_k_dot when some products share a vector: score each distinct vector once."""
    order = np.argsort(first, kind="stable")  # distinct vectors, by their lowest product id
    rank_of = np.empty_like(order)
    rank_of[order] = np.arange(len(order))
    by_vector = np.argsort(rank_of[inverse], kind="stable")  # product ids, grouped by vector
    counts = np.bincount(rank_of[inverse], minlength=len(order))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # Only a vector's k lowest product ids can ever be chosen: they all share its score.
    within = np.arange(len(products)) - np.repeat(starts, counts)
    kept = by_vector[within < k]
    kept_vector = rank_of[inverse[kept]]
    best_scores = np.empty((len(customers), 0))
    best_ids = np.empty((len(customers), 0), np.int64)
    for start in range(0, len(order), block_size):
        vectors = products[first[order[start : start + block_size]]]
        scores = _finite_scores(_dot(customers, vectors))
        columns = (kept_vector >= start) & (kept_vector < start + block_size)
        block_ids = np.broadcast_to(kept[columns], (len(customers), int(columns.sum())))
        candidates = np.concatenate([best_scores, scores[:, kept_vector[columns] - start]], axis=1)
        candidate_ids = np.concatenate([best_ids, block_ids], axis=1)
        best_scores, best_ids = _best_by_score_then_id(candidates, candidate_ids, k)
    return best_ids, best_scores


def _best_by_score_then_id(scores, ids, k):
    """Each row's k best (score, id) pairs: higher score first, then lower id.

    `ids` are distinct within a row but in any order. The tie rule is `top_k`'s (a tie goes
    to the lower column), applied to each row's contenders put in id order.
    """
    k = min(k, scores.shape[1])
    kth = -np.partition(-scores, k - 1, axis=1)[:, k - 1 : k]
    contending = scores >= kth  # the k best, and everything tied with the k-th
    width = int(contending.sum(axis=1).max())  # rows with fewer: filled with lower scores
    columns = np.argsort(~contending, axis=1, kind="stable")[:, :width]
    by_id = np.argsort(np.take_along_axis(ids, columns, axis=1), axis=1)
    columns = np.take_along_axis(columns, by_id, axis=1)
    best = np.take_along_axis(columns, top_k(np.take_along_axis(scores, columns, axis=1), k), 1)
    return np.take_along_axis(scores, best, axis=1), np.take_along_axis(ids, best, axis=1)


def _dot(customers: np.ndarray, products: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):  # _finite_scores says it, by name
        return customers @ products.T


def _finite_scores(scores: np.ndarray) -> np.ndarray:
    if not np.isfinite(scores).all():
        raise ValueError(
            "customer_vectors @ product_vectors.T overflows to inf or NaN; the vectors are "
            "too large to score (scale them down)"
        )
    return scores


def _vectors(customer_vectors, product_vectors) -> tuple[np.ndarray, np.ndarray]:
    """Both as float matrices of the same width, or a ValueError naming the widths."""
    customers = as_matrix("customer_vectors", customer_vectors)
    products = as_matrix("product_vectors", product_vectors)
    if not len(products):
        raise ValueError(f"product_vectors has shape {products.shape}: no products")
    if customers.shape[1] != products.shape[1]:
        raise ValueError(
            f"customer_vectors have {customers.shape[1]} columns but product_vectors have "
            f"{products.shape[1]}; both towers must embed into the same space"
        )
    return customers, products


_EMBEDDINGS = ("embed_customers", "embed_products")


class Recommender:
    """Serve a trained dot-product two-tower: product vectors once, customers on request.

    Introduced in notebooks/08_scaling_and_serving.py. `model` is a `models.DotTwoTower`
    (anything with `embed_customers` and `embed_products`). A new customer needs only
    features; a new product is added with `add_products`, without retraining. Products
    with the same features (added in the same call) get the same vector and score, so
    they tie and the lower id comes first.
    """

    def __init__(self, model, product_features, block_size: int = DEFAULT_BLOCK_SIZE):
        if not all(callable(getattr(model, name, None)) for name in _EMBEDDINGS):
            raise ArgumentTypeError(
                f"model must have embed_customers and embed_products (a DotTwoTower), got "
                f"{type(model).__name__}"
            )
        self.model = model
        self.block_size = check_positive_int("block_size", block_size)
        self.product_vectors = self._embed_products(product_features)
        self._distinct = _distinct_vectors(self.product_vectors)

    @property
    def n_products(self) -> int:
        return len(self.product_vectors)

    def _embed_products(self, product_features) -> np.ndarray:
        """Product vectors, a block at a time; products with the same features, one vector.

        A tower can embed two identical rows an ulp apart (they sit at different places in
        a batch); embedding each distinct row once makes them tie, so the lower id wins.
        """
        features = as_matrix("product_features", product_features)
        if not len(features):
            raise ValueError("product_features has no rows: there is nothing to recommend")
        tower = input_width(getattr(self.model, "product_tower", None))
        check_width("product_features", features, tower, what="the model's product tower")
        first, inverse = _distinct_vectors(features)
        distinct = features if len(first) == len(features) else features[first]
        vectors = np.concatenate(
            [
                self.model.embed_products(distinct[start : start + self.block_size])
                for start in range(0, len(distinct), self.block_size)
            ]
        )
        return vectors if len(first) == len(features) else vectors[inverse]

    def add_products(self, product_features) -> np.ndarray:
        """Add products to the catalogue. Returns their new ids, (n_new,)."""
        vectors = self._embed_products(product_features)
        first = self.n_products
        self.product_vectors = np.concatenate([self.product_vectors, vectors])
        self._distinct = _distinct_vectors(self.product_vectors)
        return np.arange(first, self.n_products)

    def recommend(self, customer_features, k: int, exclude=None) -> tuple[np.ndarray, np.ndarray]:
        """The k best products for each customer, best first.

        Args:
            customer_features: (n_customers, n_customer_features) float array.
            exclude: optional list with one array of product ids per customer: products
                not to show that customer again (bought, rated); or a (n_customers,
                n_products) bool mask, True where a product must not be shown.
        Returns:
            (ids, scores): two (n_customers, k) arrays.
        """
        customers = as_matrix("customer_features", customer_features)
        tower = input_width(getattr(self.model, "customer_tower", None))
        check_width("customer_features", customers, tower, what="the model's customer tower")
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
        customers, products = _vectors(vectors, self.product_vectors)
        ids, scores = _top_k_dot(
            customers, products, k + most_excluded, self.block_size, self._distinct
        )
        if not most_excluded:
            return ids, scores
        keep = np.array([~np.isin(row, gone) for row, gone in zip(ids, excluded, strict=True)])
        first_k = keep & (np.cumsum(keep, axis=1) <= k)
        return ids[first_k].reshape(-1, k), scores[first_k].reshape(-1, k)

    def _check_exclude(self, exclude, n_customers: int) -> list[np.ndarray]:
        if exclude is None:
            return [np.zeros(0, np.int64)] * n_customers
        if isinstance(exclude, np.ndarray) and exclude.ndim == 2:
            if exclude.dtype == bool:
                if exclude.shape != (n_customers, self.n_products):
                    raise ValueError(
                        f"exclude as a bool mask must have shape (n_customers, n_products) = "
                        f"{(n_customers, self.n_products)}, got {exclude.shape}"
                    )
                return [np.flatnonzero(row) for row in exclude]
            if exclude.shape == (n_customers, self.n_products) and np.isin(exclude, (0, 1)).all():
                raise ValueError(
                    f"exclude is a 0/1 {exclude.dtype} matrix of shape {exclude.shape}: is it a "
                    "mask? exclude takes lists of product ids; pass a mask as "
                    "exclude.astype(bool)"
                )
        if isinstance(exclude, (str, bytes)) or not hasattr(exclude, "__len__"):
            raise ArgumentTypeError(
                f"exclude must be one array of product ids per customer, or a bool mask, "
                f"got {type(exclude).__name__}"
            )
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

    Introduced in notebooks/08_scaling_and_serving.py; the transformation of Bachrach et al.,
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
