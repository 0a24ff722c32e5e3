"""The checks of notebook 04's exercises: valid answers, the stubs, and wrong ones."""

import builtins
import heapq
import sys

import numpy as np
import pytest

from course_utils import metrics
from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.ranking import (
    check_ndcg_at_k,
    check_recall_at_k,
    check_top_k_new_customer,
)


def stub(*args):
    raise NotImplementedError("Exercise: replace this line with your code")


# --- recall@k


def recall_right(recommended, relevance, k):
    hits = np.take_along_axis(relevance, recommended[:, :k], axis=1).sum(axis=1)
    return np.mean(hits / relevance.sum(axis=1))


def recall_over_k(recommended, relevance, k):
    hits = np.take_along_axis(relevance, recommended[:, :k], axis=1).sum(axis=1)
    return np.mean(hits / k)


def recall_whole_list(recommended, relevance, k):
    hits = np.take_along_axis(relevance, recommended, axis=1).sum(axis=1)
    return np.mean(hits / relevance.sum(axis=1))


def recall_pooled(recommended, relevance, k):
    hits = np.take_along_axis(relevance, recommended[:, :k], axis=1).sum()
    return hits / relevance.sum()


def recall_per_customer(recommended, relevance, k):
    hits = np.take_along_axis(relevance, recommended[:, :k], axis=1).sum(axis=1)
    return hits / relevance.sum(axis=1)


def recall_loop(recommended, relevance, k):
    recalls = []
    for items, relevant in zip(recommended, relevance, strict=True):
        wanted = set(np.flatnonzero(relevant))
        recalls.append(len(wanted & set(items[:k].tolist())) / len(wanted))
    return sum(recalls) / len(recalls)


def recall_fixed_k(recommended, relevance, k):
    return recall_right(recommended, relevance, 2)


def recall_floor_division(recommended, relevance, k):
    hits = np.take_along_axis(relevance, recommended[:, :k], axis=1).sum(axis=1)
    return float(np.mean(hits.astype(float) // 1 / relevance.sum(axis=1)))


@pytest.mark.parametrize("answer", [recall_right, metrics.recall_at_k, recall_loop])
def test_recall_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_recall_at_k(answer)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out == (
        "✅ Correct (recall_at_k_exercise): recall@2 on the tiny case is 0.417.\n"
    )


def test_recall_stub_is_not_attempted(capsys):
    result = check_recall_at_k(stub)
    assert result.status == NOT_ATTEMPTED
    assert "Not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (recall_over_k, "recall divided by k instead of the number of relevant products"),
        (metrics.precision_at_k, "recall divided by k instead of the number of relevant"),
        (recall_whole_list, "hits in the whole list, not only its first k"),
        (recall_pooled, "divided all hits by all relevant products of all customers"),
        (lambda *a: 2 * recall_right(*a), "you added the customers' recalls"),
        (recall_per_customer, "return one number, the mean over customers"),
        (lambda *a: 0.9, "(1/3 + 1/2) / 2 = 0.417; yours is 0.900"),
        (recall_fixed_k, "right for k=2, but with k=3"),
        (lambda r, rel, k: rel[r], "your code raised IndexError"),
    ],
)
def test_recall_wrong_answers_get_their_own_message(attempt, says):
    result = check_recall_at_k(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *a: None, "return one number, the mean over customers; yours is None"),
        (lambda *a: "0.417", "yours is the text '0.417'"),
        (lambda *a: [[0.5], [1.0, 0.0]], "yours is a list of 2 items of shapes (1,), (2,)"),
        (
            lambda r, rel, k: recall_right(r, rel, k) if k == 2 else None,
            "with k=3 and relevance as 0/1 ints",
        ),
    ],
)
def test_recall_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_recall_at_k(attempt)
    assert result.status == WRONG
    assert says in result.message


# --- NDCG@k


def ndcg_parts(recommended, relevance, k, *, discount=True, ideal_from_all=True, exp=True):
    gains_of = (lambda r: 2.0**r - 1) if exp else (lambda r: r)
    at_k = np.take_along_axis(relevance, recommended[:, :k], axis=1)
    ideal_source = relevance if ideal_from_all else at_k
    ideal = -np.sort(-ideal_source, axis=1)[:, :k]
    weights = 1 / np.log2(np.arange(1, k + 1) + 1) if discount else np.ones(k)
    return gains_of(at_k) @ weights, gains_of(ideal) @ weights


def ndcg_right(recommended, relevance, k):
    dcg, idcg = ndcg_parts(recommended, relevance, k)
    return np.mean(dcg / idcg)


def ndcg_rank_from_zero(recommended, relevance, k):
    gains = 2.0 ** np.take_along_axis(relevance, recommended[:, :k], axis=1) - 1
    ideal = 2.0 ** -np.sort(-relevance, axis=1)[:, :k] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = 1 / np.log2(np.arange(k) + 1)  # rank 0 first: 1 / log2(1) = inf
        return np.mean((gains @ weights) / (ideal @ weights))


def ndcg_loop(recommended, relevance, k):
    scores = []
    for items, grades in zip(recommended, relevance, strict=True):
        dcg = sum(
            (2 ** grades[item] - 1) / np.log2(rank + 2) for rank, item in enumerate(items[:k])
        )
        best = sorted(grades, reverse=True)[:k]
        ideal = sum((2**grade - 1) / np.log2(rank + 2) for rank, grade in enumerate(best))
        scores.append(dcg / ideal)
    return float(np.mean(scores))


def ndcg_whole_grades(recommended, relevance, k):
    """Right for whole-number relevance only: 2 ** rel with rel cast to int."""
    return ndcg_right(recommended, relevance.astype(int), k)


@pytest.mark.parametrize("answer", [ndcg_right, metrics.ndcg_at_k, ndcg_loop])
def test_ndcg_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_ndcg_at_k(answer)
    assert result.status == CORRECT
    printed = capsys.readouterr().out
    assert printed == "✅ Correct (ndcg_at_k_exercise): NDCG@3 on the tiny case is 0.720.\n"


def test_ndcg_stub_is_not_attempted():
    assert check_ndcg_at_k(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (
            lambda *a: np.mean(np.divide(*ndcg_parts(*a, discount=False))),
            "DCG without the log2(rank + 1) discount",
        ),
        (
            lambda *a: np.mean(np.divide(*ndcg_parts(*a, ideal_from_all=False))),
            "ideal DCG computed from the recommended list instead of all relevant items",
        ),
        (ndcg_rank_from_zero, "the rank starting at 0"),
        (lambda *a: np.mean(np.divide(*ndcg_parts(*a, exp=False))), "should be 2^rel - 1"),
        (lambda *a: np.mean(ndcg_parts(*a)[0]), "you returned DCG"),
        (lambda *a: np.divide(*ndcg_parts(*a)), "return one number, the mean over customers"),
        (lambda *a: 0.5, "NDCG 0.440; customer 1's list is ideal (1.000). The mean is 0.720"),
        (ndcg_whole_grades, "with graded relevance such as expected ratings"),
        (lambda r, rel, k: ndcg_right(r, rel, 3), "and k=2, NDCG@2 is 0.845"),
    ],
)
def test_ndcg_wrong_answers_get_their_own_message(attempt, says):
    result = check_ndcg_at_k(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *a: None, "return one number, the mean over customers; yours is None"),
        (lambda *a: {"ndcg": 0.72}, "yours is a dict"),
        (lambda *a: "high", "yours is the text 'high'"),
    ],
)
def test_ndcg_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_ndcg_at_k(attempt)
    assert result.status == WRONG
    assert says in result.message


# --- top k for a new customer


def scores_for(model, customer, product_features):
    rows = np.concatenate([np.tile(customer, (len(product_features), 1)), product_features], 1)
    return model.predict(rows, verbose=0)


def top_k_right(model, customer, product_features, k):
    scores = scores_for(model, customer, product_features)[:, 0]
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best])]


def top_k_seed(model, customer, product_features, k):
    return np.argsort(scores_for(model, customer, product_features), axis=0)[::-1][:k]


def top_k_full_sort(model, customer, product_features, k):
    return np.argsort(-scores_for(model, customer, product_features)[:, 0])[:k]


def top_k_method_sort(model, customer, product_features, k):
    scores = scores_for(model, customer, product_features)[:, 0]
    return (-scores).argsort()[:k]


def top_k_plain_array_sort(model, customer, product_features, k):
    scores = np.array(scores_for(model, customer, product_features)[:, 0].tolist())
    return np.argsort(-scores)[:k]  # a plain array, no longer the model's own output


def top_k_worst_first(model, customer, product_features, k):
    return np.argsort(scores_for(model, customer, product_features)[:, 0])[:k]


def top_k_unordered(model, customer, product_features, k):
    scores = scores_for(model, customer, product_features)[:, 0]
    return np.sort(np.argpartition(-scores, k - 1)[:k])


def top_k_products_first(model, customer, product_features, k):
    rows = np.concatenate([product_features, np.tile(customer, (len(product_features), 1))], 1)
    scores = model.predict(rows, verbose=0)[:, 0]
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.argsort(-scores[best])]


def top_k_one_product(model, customer, product_features, k):
    """Scores only the first k products: the seed's 10-new-customers pairing."""
    return top_k_right(model, customer, product_features[:k], k)


def top_k_heap(model, customer, product_features, k):
    scores = scores_for(model, customer, product_features)[:, 0]
    return np.array(heapq.nlargest(k, range(len(scores)), key=scores.__getitem__))


def top_k_partition_then_sort(model, customer, product_features, k):
    scores = np.asarray(scores_for(model, customer, product_features)).ravel()
    best = np.argpartition(scores, len(scores) - k)[-k:]  # the k largest, at the end
    return best[np.argsort(scores[best])[::-1]]


def top_k_asarray_method_sort(model, customer, product_features, k):
    scores = np.asarray(scores_for(model, customer, product_features)).ravel()
    return (-scores).argsort()[:k]


def top_k_builtin_sorted(model, customer, product_features, k):
    scores = scores_for(model, customer, product_features)[:, 0].tolist()
    return np.array(sorted(range(len(scores)), key=lambda i: -scores[i])[:k])


def top_k_list_sort(model, customer, product_features, k):
    scores = scores_for(model, customer, product_features)[:, 0].tolist()
    order = list(range(len(scores)))
    order.sort(key=lambda i: -scores[i])
    return np.array(order[:k])


def top_k_fixed_k(model, customer, product_features, k):
    return top_k_right(model, customer, product_features, 5)


@pytest.mark.parametrize(
    "answer", [top_k_right, top_k_heap, top_k_partition_then_sort], ids=["argpartition", "heap",
                                                                           "partition-largest"]
)  # fmt: skip
def test_top_k_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_top_k_new_customer(answer)
    assert result.status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (top_k_new_customer_exercise): the top 5 of 1000 products, best first, without "
        "sorting them all.\n"
    )


def test_top_k_stub_is_not_attempted():
    assert check_top_k_new_customer(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (top_k_seed, "the seed's column of one-element rows"),
        (top_k_full_sort, "you sorted all 1000 products to keep 5"),
        (top_k_method_sort, "you sorted all 1000 products to keep 5"),
        (top_k_plain_array_sort, "you sorted all 1000 products to keep 5"),
        (top_k_asarray_method_sort, "you sorted all 1000 products to keep 5"),
        (top_k_builtin_sorted, "you sorted all 1000 products to keep 5"),
        (top_k_list_sort, "you sorted all 1000 products to keep 5"),
        (top_k_worst_first, "yours runs worst first"),
        (top_k_unordered, "you have the right k products, but not best first"),
        (top_k_products_first, "your rows put the product's features first"),
        (top_k_one_product, "Pair the customer with every product"),
        (top_k_fixed_k, "with k=2, return a flat (2,) array of product ids; yours has shape (5,)"),
        (lambda m, c, p, k: top_k_right(m, c, p, k)[:3], "return a flat (5,) array"),
        (lambda m, c, p, k: top_k_right(m, c, p, k) * 1.0, "return product ids (ints)"),
        (lambda m, c, p, k: m.predict(np.concatenate([c, p], 1)), "your code raised ValueError"),
    ],
)
def test_top_k_wrong_answers_get_their_own_message(attempt, says):
    result = check_top_k_new_customer(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *a: None, "the product ids should be an array of numbers; yours is None"),
        (lambda *a: [[1, 2], [3]], "yours is a list of 2 items of shapes (2,), (1,)"),
        (lambda *a: ["p1", "p2", "p3", "p4", "p5"], "yours is a list of 5 items"),
    ],
)
def test_top_k_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_top_k_new_customer(attempt)
    assert result.status == WRONG
    assert says in result.message


def test_top_k_check_leaves_the_profile_hook_and_sorted_as_they_were():
    def hook(frame, event, arg):
        return None

    sort, argsort, builtin_sorted = np.sort, np.argsort, sorted
    sys.setprofile(hook)
    try:
        check_top_k_new_customer(top_k_builtin_sorted)
        check_top_k_new_customer(stub)
        check_top_k_new_customer(lambda *a: 1 / 0)
        assert sys.getprofile() is hook
    finally:
        sys.setprofile(None)
    assert np.sort is sort and np.argsort is argsort and builtins.sorted is builtin_sorted


def test_not_callable_is_reported_not_raised():
    for check in (check_recall_at_k, check_ndcg_at_k, check_top_k_new_customer):
        result = check(None)
        assert result.status == WRONG and "expected your function" in result.message
