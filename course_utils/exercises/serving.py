"""Checks for the exercises of notebooks/07_scaling_and_serving.py: serving a large catalogue.

Two checks: the Euclidean transform (inner products turned into distances, for an index
built on distances) and merging each shard's top k into the catalogue's top k.
"""

import numpy as np

from course_utils.exercises.core import CheckResult, attempt, correct, run_check, wrong

# Three products of norms 5, 1 and 2 (so M = 5) and two customers, small enough by hand.
_PRODUCTS = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]])
_CUSTOMERS = np.array([[1.0, 1.0], [1.0, -1.0]])  # best products: 0 and 1
_M_SQUARED = 25.0
_EXTRA = np.sqrt(_M_SQUARED - (_PRODUCTS**2).sum(axis=1))  # 0, sqrt(24), sqrt(21)


def _pair_of_arrays(result, exercise: str, what: str):
    """The two arrays of a returned pair, or a `wrong(...)` saying what came back."""
    if not isinstance(result, tuple) or len(result) != 2:
        return None, wrong(
            exercise, f"return a pair {what}; yours returned {type(result).__name__}."
        )
    return (np.asarray(result[0], dtype=float), np.asarray(result[1], dtype=float)), None


def check_to_euclidean(to_euclidean) -> CheckResult:
    """Check `to_euclidean(product_vectors, customer_vectors) -> (products, customers)`.

    Each product gets one more column, sqrt(M^2 - |p|^2) with M the largest product norm;
    each customer gets a 0. Then the nearest product (L2) is the highest dot product.
    """
    exercise = "to_euclidean"

    def body() -> CheckResult:
        result = attempt(to_euclidean, _PRODUCTS.copy(), _CUSTOMERS.copy())
        arrays, problem = _pair_of_arrays(result, exercise, "(products, customers)")
        if problem:
            return problem
        products, customers = arrays
        if products.shape != (3, 3) or customers.shape != (2, 3):
            return wrong(
                exercise,
                f"3 products and 2 customers of 2 numbers each should come back as shapes "
                f"(3, 3) and (2, 3): one extra column each. Yours: {products.shape} and "
                f"{customers.shape}.",
            )
        if not (
            np.allclose(products[:, :2], _PRODUCTS) and np.allclose(customers[:, :2], _CUSTOMERS)
        ):
            return wrong(
                exercise,
                "keep the original numbers in the first columns and append the new one last; "
                f"product 0 should start {_PRODUCTS[0].tolist()}, yours is "
                f"{products[0, :2].tolist()}.",
            )
        extra, query_extra = products[:, 2], customers[:, 2]
        if not np.allclose(query_extra, 0.0):
            return wrong(
                exercise,
                f"the extra column goes to the products only: each customer gets 0 there "
                f"(then c.p is unchanged). Your customers got {np.round(query_extra, 3).tolist()}.",
            )
        if np.isnan(extra).any():
            return wrong(
                exercise,
                "your extra column has NaN: the square root of a negative number. M must be "
                "the largest product norm (5.0 here), so M^2 - |p|^2 is never negative.",
            )
        if np.allclose(extra, _EXTRA**2):
            return wrong(
                exercise,
                f"you forgot the square root: the extra column should be "
                f"{np.round(_EXTRA, 3).tolist()} = sqrt(M^2 - |p|^2), yours is "
                f"{np.round(extra, 3).tolist()} = M^2 - |p|^2.",
            )
        lengths_squared = (products**2).sum(axis=1)
        if np.allclose(lengths_squared, lengths_squared[0]) and not np.isclose(
            lengths_squared[0], _M_SQUARED
        ):
            return wrong(
                exercise,
                f"every product now has the same norm, {np.sqrt(lengths_squared[0]):.3f}, but "
                f"M is not the largest product norm: here the norms are 5, 1 and 2, so M = 5 "
                f"and the extra column is {np.round(_EXTRA, 3).tolist()}.",
            )
        if not np.allclose(extra, _EXTRA):
            return wrong(
                exercise,
                f"the extra column should be sqrt(M^2 - |p|^2) = {np.round(_EXTRA, 3).tolist()} "
                f"(M = 5, the largest norm); yours is {np.round(extra, 3).tolist()}.",
            )
        distances = ((customers[:, None, :] - products[None, :, :]) ** 2).sum(axis=2)
        nearest, best = distances.argmin(axis=1), (_CUSTOMERS @ _PRODUCTS.T).argmax(axis=1)
        if not np.array_equal(nearest, best):  # cannot happen once the values are right
            return wrong(exercise, f"nearest products {nearest} are not the best scores {best}.")
        return correct(
            exercise,
            "every product now has norm M = 5, each customer's nearest product is the one with "
            "the highest dot product.",
        )

    return run_check(exercise, body)


# Two customers, 12 products served by 3 shards of 4 (ids 0-3, 4-7, 8-11); k = 3. Customer 0
# has a tie across shards (products 1 and 9 both score 0.5); all of customer 1's best three
# (5, 6, 7) live in one shard, so keeping only each shard's best is not enough.
_SCORES = np.array(
    [
        [0.1, 0.5, 0.0, 0.2, 0.9, 0.3, 0.1, 0.0, 0.4, 0.5, 0.2, 0.1],
        [0.1, 0.0, 0.2, 0.1, 0.3, 0.8, 0.75, 0.7, 0.6, 0.0, 0.1, 0.2],
    ]
)
_K = 3
_SHARD_ORDER = (2, 0, 1)  # servers answer when they are ready, not in id order


def _shards(scores: np.ndarray, k: int, shard_size: int, order) -> tuple[list, list]:
    """Each shard's own top k (catalogue ids), best first with ties to the lower id."""
    shard_ids, shard_scores = [], []
    for shard in order:
        start = shard * shard_size
        block = scores[:, start : start + shard_size]
        local = np.argsort(-block, axis=1, kind="stable")[:, :k]
        shard_ids.append(local + start)
        shard_scores.append(np.take_along_axis(block, local, axis=1))
    return shard_ids, shard_scores


def check_merge_top_k(merge_top_k) -> CheckResult:
    """Check `merge_top_k(shard_ids, shard_scores, k) -> (ids, scores)`.

    Each shard sends its own top k; the merge is the catalogue's top k, best first, ties to
    the lower id: exactly a stable argsort of the whole score matrix.
    """
    exercise = "merge_top_k"
    expected_ids = np.argsort(-_SCORES, axis=1, kind="stable")[:, :_K]
    expected_scores = np.take_along_axis(_SCORES, expected_ids, axis=1)

    def body() -> CheckResult:
        shard_ids, shard_scores = _shards(_SCORES, _K, 4, _SHARD_ORDER)
        result = attempt(merge_top_k, shard_ids, shard_scores, _K)
        arrays, problem = _pair_of_arrays(result, exercise, "(ids, scores)")
        if problem:
            return problem
        ids, scores = arrays
        if ids.shape != (2, _K) or scores.shape != (2, _K):
            return wrong(
                exercise,
                f"2 customers and k = {_K} should give ids and scores of shape (2, {_K}); "
                f"yours: {ids.shape} and {scores.shape}.",
            )
        if not np.isin(ids, np.arange(_SCORES.shape[1])).all():
            return wrong(exercise, f"ids must be catalogue ids 0-11; yours: {ids.tolist()}.")
        if not np.allclose(np.take_along_axis(_SCORES, ids.astype(int), axis=1), scores):
            return wrong(
                exercise,
                "your scores do not belong to your ids: reorder both with the same index "
                "(np.take_along_axis).",
            )
        if (np.diff(scores, axis=1) >= 0).all() and (np.diff(scores, axis=1) > 0).any():
            return wrong(
                exercise,
                f"your lists go from low to high scores ({scores[0].tolist()} for customer 0): "
                f"sort by descending score, best first.",
            )
        if np.array_equal(ids[1], [5, 8, 2]):  # the best of each shard, merged
            return wrong(
                exercise,
                f"customer 1's best three all live in the shard of products 4-7: "
                f"{expected_ids[1].tolist()} (scores {expected_scores[1].tolist()}). "
                f"Keep every shard's whole top k, not only its best.",
            )
        if np.array_equal(ids[1], expected_ids[1]) and np.array_equal(ids[0], [4, 9, 1]):
            return wrong(
                exercise,
                "ties go to the lower id: customer 0's products 1 and 9 both score 0.5, so 1 "
                "comes first. Shards answer in any order (here 8-11 first), so sort by score "
                "and then by id (np.lexsort).",
            )
        if not np.array_equal(ids, expected_ids):
            return wrong(
                exercise,
                f"the top {_K} should be {expected_ids.tolist()} (scores "
                f"{expected_scores.tolist()}); yours is {ids.astype(int).tolist()}.",
            )
        return correct(exercise, "the merged lists equal a stable argsort of the whole matrix.")

    return run_check(exercise, body)
