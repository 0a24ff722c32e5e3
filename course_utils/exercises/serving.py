"""Checks for the exercises of notebooks/08_scaling_and_serving.py: serving a large catalogue.

Two checks: the Euclidean transform (inner products turned into distances, for an index
built on distances) and merging each shard's top k into the catalogue's top k.
"""

import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    as_array,
    attempt,
    correct,
    further_case,
    pair,
    run_check,
    wrong,
)

# Three products of norms 5, 1 and 2 (so M = 5) and two customers, small enough by hand.
_PRODUCTS = np.array([[3.0, 4.0], [1.0, 0.0], [0.0, 2.0]])
_CUSTOMERS = np.array([[1.0, 1.0], [1.0, -1.0]])  # best products: 0 and 1
# A second case: vectors of 3 numbers, the longest product last (norms 1, 2, 3, so M = 3),
# and a customer longer than every product (norm 5), whose length must not count in M.
_OTHER_PRODUCTS = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [2.0, 2.0, 1.0]])
_OTHER_CUSTOMERS = np.array([[4.0, 0.0, 3.0], [0.0, 1.0, 0.0]])


def _arrays(result, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The two float arrays of a returned pair `what`; `WrongAnswer` if it is not one."""
    first, second = pair(result, what)
    names = what.strip("()").split(", ")
    return as_array(first, names[0]).astype(float), as_array(second, names[1]).astype(float)


def _numbers(values) -> str:
    """1, 2 and 3: a short list of numbers for a sentence."""
    shown = [f"{v:g}" for v in np.round(values, 3)]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _euclidean_problem(product_vectors, customer_vectors, result) -> str | None:
    """What is wrong with `result`, the transform of the given vectors, or None."""
    products, customers = _arrays(result, "(products, customers)")
    (n_products, d), n_customers = product_vectors.shape, len(customer_vectors)
    norms_squared = (product_vectors**2).sum(axis=1)
    m_squared = norms_squared.max()
    expected = np.sqrt(m_squared - norms_squared)
    if products.shape != (n_products, d + 1) or customers.shape != (n_customers, d + 1):
        return (
            f"{n_products} products and {n_customers} customers of {d} numbers each should "
            f"come back as shapes ({n_products}, {d + 1}) and ({n_customers}, {d + 1}): one "
            f"extra column each. Yours: {products.shape} and {customers.shape}."
        )
    if not (
        np.allclose(products[:, :d], product_vectors)
        and np.allclose(customers[:, :d], customer_vectors)
    ):
        return (
            "keep the original numbers in the first columns and append the new one last; "
            f"product 0 should start {product_vectors[0].tolist()}, yours is "
            f"{products[0, :d].tolist()}."
        )
    extra, query_extra = products[:, d], customers[:, d]
    if not np.allclose(query_extra, 0.0):
        return (
            f"the extra column goes to the products only: each customer gets 0 there "
            f"(then c.p is unchanged). Your customers got {np.round(query_extra, 3).tolist()}."
        )
    m = np.sqrt(m_squared)
    if np.isnan(extra).any():
        return (
            "your extra column has NaN: the square root of a negative number. M must be "
            f"the largest product norm ({m:.1f} here), so M^2 - |p|^2 is never negative."
        )
    if np.allclose(extra, expected**2):
        return (
            f"you forgot the square root: the extra column should be "
            f"{np.round(expected, 3).tolist()} = sqrt(M^2 - |p|^2), yours is "
            f"{np.round(extra, 3).tolist()} = M^2 - |p|^2."
        )
    lengths_squared = (products**2).sum(axis=1)
    if np.allclose(lengths_squared, lengths_squared[0]) and not np.isclose(
        lengths_squared[0], m_squared
    ):
        return (
            f"every product now has the same norm, {np.sqrt(lengths_squared[0]):.3f}, but "
            f"M is not the largest product norm: here the norms are "
            f"{_numbers(np.sqrt(norms_squared))}, so M = {m:g} and the extra column is "
            f"{np.round(expected, 3).tolist()}. Only the products count in M."
        )
    if not np.allclose(extra, expected):
        return (
            f"the extra column should be sqrt(M^2 - |p|^2) = {np.round(expected, 3).tolist()} "
            f"(M = {m:g}, the largest product norm); yours is {np.round(extra, 3).tolist()}."
        )
    return None


def check_to_euclidean(to_euclidean) -> CheckResult:
    """Check `to_euclidean(product_vectors, customer_vectors) -> (products, customers)`.

    Each product gets one more column, sqrt(M^2 - |p|^2) with M the largest product norm;
    each customer gets a 0. Then the nearest product (L2) is the highest dot product.
    """
    exercise = "to_euclidean"

    def body() -> CheckResult:
        result = attempt(to_euclidean, _PRODUCTS.copy(), _CUSTOMERS.copy())
        if problem := _euclidean_problem(_PRODUCTS, _CUSTOMERS, result):
            return wrong(exercise, problem)
        case = "on vectors of 3 numbers, the longest product last and a customer longer still"
        with further_case(case):
            result = attempt(to_euclidean, _OTHER_PRODUCTS.copy(), _OTHER_CUSTOMERS.copy())
            problem = _euclidean_problem(_OTHER_PRODUCTS, _OTHER_CUSTOMERS, result)
        if problem:
            return wrong(exercise, f"right on the first case, but {case}: {problem}")
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
_K, _SHARD_SIZE = 3, 4
_SHARD_ORDER = (2, 0, 1)  # servers answer when they are ready, not in id order
# A second case: 2 shards of 5, k = 2, the shard of products 5-9 answering first. Customer
# 0's second place is a tie across shards (products 3 and 8 score 0.6): only the lower id
# makes the list, so a tie decides what is kept, not only the order.
_OTHER_SCORES = np.array(
    [
        [0.1, 0.2, 0.0, 0.6, 0.3, 0.5, 0.1, 0.9, 0.6, 0.2],
        [0.2, 0.95, 0.1, 0.3, 0.85, 0.1, 0.0, 0.2, 0.3, 0.4],
    ]
)
_OTHER_K, _OTHER_SHARD_SIZE, _OTHER_SHARD_ORDER = 2, 5, (1, 0)


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


def _merge_problem(all_scores: np.ndarray, k: int, shard_ids: list, result) -> str | None:
    """What is wrong with `result`, the merge of `shard_ids` (top k of `all_scores`), or None."""
    n_customers, n_products = all_scores.shape
    expected_ids = np.argsort(-all_scores, axis=1, kind="stable")[:, :k]
    expected_scores = np.take_along_axis(all_scores, expected_ids, axis=1)
    ids, scores = _arrays(result, "(ids, scores)")
    if ids.shape != (n_customers, k) or scores.shape != (n_customers, k):
        return (
            f"{n_customers} customers and k = {k} should give ids and scores of shape "
            f"({n_customers}, {k}); yours: {ids.shape} and {scores.shape}."
        )
    if not np.isin(ids, np.arange(n_products)).all():
        return f"ids must be catalogue ids 0-{n_products - 1}; yours: {ids.tolist()}."
    ids = ids.astype(int)
    if not np.allclose(np.take_along_axis(all_scores, ids, axis=1), scores):
        return (
            "your scores do not belong to your ids: reorder both with the same index "
            "(np.take_along_axis)."
        )
    if (np.diff(scores, axis=1) >= 0).all() and (np.diff(scores, axis=1) > 0).any():
        return (
            f"your lists go from low to high scores ({scores[0].tolist()} for customer 0): "
            f"sort by descending score, best first."
        )
    if np.allclose(scores, expected_scores) and not np.array_equal(ids, expected_ids):
        customer = int(np.flatnonzero((ids != expected_ids).any(axis=1))[0])
        return (
            f"ties go to the lower id: customer {customer}'s top {k} is "
            f"{expected_ids[customer].tolist()} (scores {expected_scores[customer].tolist()}), "
            f"yours {ids[customer].tolist()}. Shards answer in any order, so sort by score "
            "and then by id (np.lexsort)."
        )
    firsts = np.stack([block[:, 0] for block in shard_ids], axis=1)  # each shard's best
    for customer in range(n_customers):
        mine, right = ids[customer].tolist(), expected_ids[customer].tolist()
        if set(mine) != set(right) and set(mine) <= set(firsts[customer].tolist()):
            return (
                f"customer {customer}'s best {k} are {right} (scores "
                f"{expected_scores[customer].tolist()}), several from the same shard; yours "
                f"are {mine}, one per shard. Keep every shard's whole top k, not only its best."
            )
    if not np.array_equal(ids, expected_ids):
        return (
            f"the top {k} should be {expected_ids.tolist()} (scores "
            f"{expected_scores.tolist()}); yours is {ids.tolist()}."
        )
    return None


def check_merge_top_k(merge_top_k) -> CheckResult:
    """Check `merge_top_k(shard_ids, shard_scores, k) -> (ids, scores)`.

    Each shard sends its own top k; the merge is the catalogue's top k, best first, ties to
    the lower id: exactly a stable argsort of the whole score matrix. Two cases: 3 shards
    with k = 3, then 2 shards with k = 2 and a tie at the cut.
    """
    exercise = "merge_top_k"

    def body() -> CheckResult:
        shard_ids, shard_scores = _shards(_SCORES, _K, _SHARD_SIZE, _SHARD_ORDER)
        result = attempt(merge_top_k, shard_ids, shard_scores, _K)
        if problem := _merge_problem(_SCORES, _K, shard_ids, result):
            return wrong(exercise, problem)
        shard_ids, shard_scores = _shards(
            _OTHER_SCORES, _OTHER_K, _OTHER_SHARD_SIZE, _OTHER_SHARD_ORDER
        )
        case = f"with 2 shards of 5 products and k={_OTHER_K}"
        with further_case(case):
            result = attempt(merge_top_k, shard_ids, shard_scores, _OTHER_K)
            problem = _merge_problem(_OTHER_SCORES, _OTHER_K, shard_ids, result)
        if problem:
            return wrong(exercise, f"right on the first case, but {case}: {problem}")
        return correct(exercise, "the merged lists equal a stable argsort of the whole matrix.")

    return run_check(exercise, body)
