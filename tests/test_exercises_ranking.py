"""The checks of notebook 04's exercises: right, untouched, and typical wrong answers."""

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


def test_recall_right_answer_passes(capsys):
    result = check_recall_at_k(recall_right)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out.startswith("✅ Correct (recall_at_k)")


def test_recall_course_metric_passes():
    assert check_recall_at_k(metrics.recall_at_k).passed


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
        (lambda r, rel, k: rel[r], "your code raised IndexError"),
    ],
)
def test_recall_wrong_answers_get_their_own_message(attempt, says):
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


def test_ndcg_right_answer_passes(capsys):
    result = check_ndcg_at_k(ndcg_right)
    assert result.status == CORRECT
    assert capsys.readouterr().out.startswith("✅ Correct (ndcg_at_k)")


def test_ndcg_course_metric_passes():
    assert check_ndcg_at_k(metrics.ndcg_at_k).passed


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
    ],
)
def test_ndcg_wrong_answers_get_their_own_message(attempt, says):
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


def test_top_k_right_answer_passes(capsys):
    result = check_top_k_new_customer(top_k_right)
    assert result.status == CORRECT
    assert capsys.readouterr().out.startswith("✅ Correct (top_k_new_customer)")


def test_top_k_stub_is_not_attempted():
    assert check_top_k_new_customer(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (top_k_seed, "the seed's column of one-element rows"),
        (top_k_full_sort, "you sorted all 1000 products to keep 5"),
        (top_k_method_sort, "you sorted all 1000 products to keep 5"),
        (top_k_plain_array_sort, "you sorted all 1000 products to keep 5"),
        (top_k_worst_first, "yours runs worst first"),
        (top_k_unordered, "you have the right k products, but not best first"),
        (top_k_products_first, "your rows put the product's features first"),
        (top_k_one_product, "Pair the customer with every product"),
        (lambda m, c, p, k: top_k_right(m, c, p, k)[:3], "return a flat (5,) array"),
        (lambda m, c, p, k: top_k_right(m, c, p, k) * 1.0, "return product ids (ints)"),
        (lambda m, c, p, k: m.predict(np.concatenate([c, p], 1)), "your code raised ValueError"),
    ],
)
def test_top_k_wrong_answers_get_their_own_message(attempt, says):
    result = check_top_k_new_customer(attempt)
    assert result.status == WRONG
    assert says in result.message


def test_top_k_check_leaves_numpy_sorts_as_they_were():
    sort, argsort = np.sort, np.argsort
    check_top_k_new_customer(top_k_full_sort)
    check_top_k_new_customer(stub)
    assert np.sort is sort and np.argsort is argsort


def test_top_k_check_sees_a_sort_only_while_the_attempt_runs():
    from course_utils.exercises import ranking

    check_top_k_new_customer(top_k_method_sort)
    assert ranking._sort_lengths is None


def test_not_callable_is_reported_not_raised():
    for check in (check_recall_at_k, check_ndcg_at_k, check_top_k_new_customer):
        result = check(None)
        assert result.status == WRONG and "expected your function" in result.message
