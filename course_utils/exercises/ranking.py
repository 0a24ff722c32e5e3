"""Checks for the exercises of notebooks/04_top_k_and_metrics.py: ranking metrics and top k.

Each check builds a case small enough to work out by hand, and recognises the usual
mistakes by computing what each would give on that case.
"""

import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    as_array,
    attempt,
    correct,
    further_case,
    known_mistake,
    number,
    run_check,
    wrong,
)
from course_utils.exercises.sort_watch import watching_sorts

# --- recall@k: 2 customers, 6 products, k = 2 --------------------------------------------
_RECALL_LISTS = np.array([[0, 1, 4, 3], [4, 3, 1, 0]])  # best first
_RECALL_RELEVANT = np.array(
    [
        [0, 1, 0, 0, 1, 1],  # customer 0: products 1, 4, 5
        [0, 0, 1, 0, 1, 0],  # customer 1: products 2, 4
    ],
    dtype=float,
)
_RECALL_K = 2
_RECALL_OTHER_K = 3  # the same lists, relevance as 0/1 ints: k must come from the argument


def _recall_variants(lists, relevant, k) -> dict[str, float]:
    """The right recall@k on the tiny case, and what each usual mistake gives."""
    hits_at_k = np.take_along_axis(relevant, lists[:, :k], axis=1).sum(axis=1)
    hits_all = np.take_along_axis(relevant, lists, axis=1).sum(axis=1)
    n_relevant = relevant.sum(axis=1)
    return {
        "right": float(np.mean(hits_at_k / n_relevant)),
        "divided by k": float(np.mean(hits_at_k / k)),
        "whole list": float(np.mean(hits_all / n_relevant)),
        "pooled": float(hits_at_k.sum() / n_relevant.sum()),
        "sum": float(np.sum(hits_at_k / n_relevant)),
    }


def check_recall_at_k(recall_at_k) -> CheckResult:
    """Check `recall_at_k(recommended, relevance, k) -> float`, the mean over customers."""
    exercise = "recall_at_k_exercise"  # the stub's name in notebook 04
    values = _recall_variants(_RECALL_LISTS, _RECALL_RELEVANT, _RECALL_K)
    messages = {
        "divided by k": "recall divided by k instead of the number of relevant products. "
        "That is precision@k. Customer 0 has 3 relevant products and finds 1 in its top 2: "
        "recall 1/3, not 1/2.",
        "whole list": "you counted hits in the whole list, not only its first k. "
        "Use recommended[:, :k].",
        "pooled": "you divided all hits by all relevant products of all customers. "
        "Compute each customer's recall, then take the mean: (1/3 + 1/2) / 2.",
        "sum": "you added the customers' recalls; take their mean instead.",
    }

    def body() -> CheckResult:
        result = attempt(recall_at_k, _RECALL_LISTS.copy(), _RECALL_RELEVANT.copy(), _RECALL_K)
        value = number(result, "the mean over customers")
        if np.isclose(value, values["right"]):
            return _recall_other_k(exercise, recall_at_k) or correct(
                exercise, f"recall@2 on the tiny case is {values['right']:.3f}."
            )
        if mistake := known_mistake(value, values, messages):
            return wrong(exercise, mistake)
        return wrong(
            exercise,
            f"on the tiny case (customer 0: 1 of 3 relevant products in its top 2; customer 1: "
            f"1 of 2) recall@2 is (1/3 + 1/2) / 2 = {values['right']:.3f}; yours is {value:.3f}.",
        )

    return run_check(exercise, body)


def _recall_other_k(exercise: str, recall_at_k) -> CheckResult | None:
    """A `wrong(...)` unless recall@3 on the same lists, with 0/1 ints, is right too."""
    relevance = _RECALL_RELEVANT.astype(int)
    case = f"with k={_RECALL_OTHER_K} and relevance as 0/1 ints"
    with further_case(case):
        result = attempt(recall_at_k, _RECALL_LISTS.copy(), relevance, _RECALL_OTHER_K)
        value = number(result, "the mean over customers")
    right = _recall_variants(_RECALL_LISTS, relevance, _RECALL_OTHER_K)["right"]
    if np.isclose(value, right):
        return None
    return wrong(
        exercise,
        f"right for k=2, but with k=3 (and relevance as 0/1 ints) customer 0 finds 2 of its 3 "
        f"relevant products and customer 1 1 of 2: recall@3 = (2/3 + 1/2) / 2 = {right:.3f}; "
        f"yours is {value:.3f}. Use `k`, not a fixed number.",
    )


# --- NDCG@k: 2 customers, 5 products, graded relevance, k = 3 --------------------------
_NDCG_LISTS = np.array([[0, 2, 1, 3, 4], [4, 0, 1, 2, 3]])
_NDCG_RELEVANCE = np.array([[0.0, 3.0, 1.0, 2.0, 0.0], [1.0, 0.0, 0.0, 0.0, 2.0]])
_NDCG_K = 3
# Graded relevance as the exercise promises it, "such as expected ratings": not whole numbers.
_NDCG_OTHER_LISTS = np.array([[3, 1, 0, 2, 4], [2, 3, 4, 0, 1]])
_NDCG_OTHER_RELEVANCE = np.array([[2.2, 0.4, 3.7, 4.1, 1.5], [0.0, 1.8, 3.3, 2.6, 0.9]])
_NDCG_OTHER_K = 2


def _ndcg_variants(lists, relevance, k) -> dict[str, float]:
    """The right NDCG@k on the tiny case, and what each usual mistake gives."""
    at_k = np.take_along_axis(relevance, lists[:, :k], axis=1)
    best = -np.sort(-relevance, axis=1)[:, :k]
    best_of_list = -np.sort(-at_k, axis=1)
    discount = 1 / np.log2(np.arange(2, k + 2))

    def ndcg(gains, ideal_gains, weights):
        return float(np.mean((gains @ weights) / (ideal_gains @ weights)))

    def gain(r):
        return 2**r - 1

    return {
        "right": ndcg(gain(at_k), gain(best), discount),
        "no discount": ndcg(gain(at_k), gain(best), np.ones(k)),
        "ideal from the list": ndcg(gain(at_k), gain(best_of_list), discount),
        "linear gain": ndcg(at_k, best, discount),
        "dcg only": float(np.mean(gain(at_k) @ discount)),
    }


def check_ndcg_at_k(ndcg_at_k) -> CheckResult:
    """Check `ndcg_at_k(recommended, relevance, k) -> float` with gain 2^rel - 1."""
    exercise = "ndcg_at_k_exercise"
    values = _ndcg_variants(_NDCG_LISTS, _NDCG_RELEVANCE, _NDCG_K)
    messages = {
        "no discount": "DCG without the log2(rank + 1) discount: a relevant product counts "
        "the same at rank 3 as at rank 1. Divide the gain at rank i (from 1) by log2(i + 1).",
        "ideal from the list": "ideal DCG computed from the recommended list instead of all "
        "relevant items. The ideal is the best possible top k: sort the customer's whole "
        "relevance row. Customer 0's list misses product 3 (relevance 2), which the ideal has.",
        "linear gain": "the gain should be 2^rel - 1, not rel itself (the course's NDCG, "
        "keras-rs' default).",
        "dcg only": "you returned DCG; divide it by the ideal DCG to get NDCG in [0, 1].",
    }

    def body() -> CheckResult:
        result = attempt(ndcg_at_k, _NDCG_LISTS.copy(), _NDCG_RELEVANCE.copy(), _NDCG_K)
        value = number(result, "the mean over customers")
        if not np.isfinite(value):
            return wrong(
                exercise,
                f"yours is {value}: the rank starting at 0. The first product has rank 1 and "
                "discount 1 / log2(1 + 1) = 1; with rank 0 it is 1 / log2(1) = 1 / 0.",
            )
        if np.isclose(value, values["right"]):
            return _ndcg_graded(exercise, ndcg_at_k) or correct(
                exercise, f"NDCG@3 on the tiny case is {values['right']:.3f}."
            )
        if mistake := known_mistake(value, values, messages):
            return wrong(exercise, mistake)
        return wrong(
            exercise,
            f"on the tiny case, customer 0's top 3 has relevance 0, 1, 3: DCG = 0/log2(2) + "
            f"1/log2(3) + 7/log2(4) = 4.131, and the ideal (3, 2, 1) gives 9.393, so NDCG "
            f"0.440; customer 1's list is ideal (1.000). The mean is {values['right']:.3f}; "
            f"yours is {value:.3f}.",
        )

    return run_check(exercise, body)


def _ndcg_graded(exercise: str, ndcg_at_k) -> CheckResult | None:
    """A `wrong(...)` unless NDCG@2 is right on relevance that is not whole numbers too."""
    lists, relevance, k = _NDCG_OTHER_LISTS, _NDCG_OTHER_RELEVANCE, _NDCG_OTHER_K
    case = f"with graded relevance such as {relevance[0].tolist()} and k={k}"
    with further_case(case):
        value = number(attempt(ndcg_at_k, lists.copy(), relevance.copy(), k), "the mean")
    right = _ndcg_variants(lists, relevance, k)["right"]
    if np.isclose(value, right):
        return None
    return wrong(
        exercise,
        f"right on the tiny case, but with graded relevance such as expected ratings "
        f"(customer 0: {relevance[0].tolist()}) and k={k}, NDCG@{k} is {right:.3f}; yours is "
        f"{value:.3f}. Use `k`, and the relevance as it is: 2 ** rel - 1 for any rel >= 0.",
    )


# --- top k for one new customer, without sorting every product ---------------------------
_N_PRODUCTS, _TOP_K, _OTHER_K = 1000, 5, 2


class _LinearScorer:
    """A stand-in for a trained model: predict() scores (customer, product) rows linearly."""

    def __init__(self, n_customer_features: int, n_product_features: int, seed: int = 0):
        self.n_columns = n_customer_features + n_product_features
        self.weights = np.random.default_rng(seed).normal(size=self.n_columns)

    def predict(self, x, verbose=0, **kwargs):
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.n_columns:
            raise ValueError(
                f"the model expects rows of {self.n_columns} features (customer's, then "
                f"product's), got shape {x.shape}"
            )
        return (x @ self.weights)[:, None]  # (n_rows, 1), as Keras


def _top_k_problem(top_k_new_customer, k: int) -> str | None:
    """What is wrong with the answer's top k on the check's 1000 products, or None."""
    rng = np.random.default_rng(4)
    customer = rng.uniform(-1, 1, size=(1, 3))
    products = rng.uniform(-1, 1, size=(_N_PRODUCTS, 4))
    model = _LinearScorer(3, 4)
    scores = model.predict(np.column_stack([np.repeat(customer, _N_PRODUCTS, 0), products]))[:, 0]
    best = np.argsort(-scores)[:k]
    worst = np.argsort(scores)[:k]
    flipped_rows = np.column_stack([products, np.repeat(customer, _N_PRODUCTS, 0)])
    products_first = np.argsort(-model.predict(flipped_rows)[:, 0])[:k]

    with further_case(f"with k={k}"), watching_sorts() as lengths:
        result = attempt(top_k_new_customer, model, customer.copy(), products.copy(), k)
        ids = as_array(result, "the product ids")
    if ids.shape == (k, 1):
        return (
            f"yours has shape {ids.shape}, the seed's column of one-element rows. "
            f"predict returns ({_N_PRODUCTS}, 1): flatten it first (scores[:, 0]), and "
            f"return a flat ({k},) array of product ids."
        )
    if ids.shape != (k,):
        return (
            f"with k={k}, return a flat ({k},) array of product ids; yours has shape "
            f"{ids.shape}. Use `k`, not a fixed number."
        )
    if not np.issubdtype(ids.dtype, np.integer):
        return f"return product ids (ints), yours are {ids.dtype}."
    if ids.tolist() == worst.tolist() or (k > 1 and ids.tolist() == best[::-1].tolist()):
        return (
            "yours runs worst first: argsort and argpartition order from the lowest "
            "score. Partition and sort -scores, or reverse the k you keep."
        )
    if sorted(ids.tolist()) == sorted(best.tolist()) and ids.tolist() != best.tolist():
        return "you have the right k products, but not best first: sort those k by score."
    if ids.tolist() == products_first.tolist():
        return (
            "your rows put the product's features first. The model was trained on the "
            "customer's features, then the product's: concatenate in that order."
        )
    if ids.tolist() != best.tolist():
        return (
            f"the model's top {k} of {_N_PRODUCTS} products are {best.tolist()}; "
            f"yours are {ids.tolist()}. Pair the customer with every product: "
            f"np.tile(customer, (n_products, 1)) beside product_features."
        )
    if lengths and max(lengths) >= _N_PRODUCTS:
        return (
            f"right answer, but you sorted all {_N_PRODUCTS} products to keep {k}. "
            "Find the k best with np.argpartition (linear time), then sort only those k."
        )
    return None


def check_top_k_new_customer(top_k_new_customer) -> CheckResult:
    """Check `top_k_new_customer(model, customer, product_features, k) -> (k,) ids`.

    With k = 5, then k = 2 (neither is the notebook's SEED_TOP, 3), and no sort of all
    1000 products, whether through NumPy, an array's method, `sorted` or `list.sort`.
    """
    exercise = "top_k_new_customer_exercise"

    def body() -> CheckResult:
        for k in (_TOP_K, _OTHER_K):
            if problem := _top_k_problem(top_k_new_customer, k):
                return wrong(exercise, problem)
        return correct(
            exercise,
            f"the top {_TOP_K} of {_N_PRODUCTS} products, best first, without sorting them all.",
        )

    return run_check(exercise, body)
