"""Properties of course_utils.metrics (Hypothesis).

Ranking and rating metrics: Python-loop references, limit cases, bad input.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from course_utils.metrics import (
    average_popularity,
    catalogue_coverage,
    hit_rate_at_k,
    intra_list_diversity,
    map_at_k,
    ndcg_at_k,
    novelty,
    overlap_at_k,
    precision_at_k,
    recall_at_k,
    rmse,
    top_k_relevance,
)
from course_utils.recommend import top_k
from tests.properties.strategies import (
    finite,
    matrices,
    ranking_case,
    refused,
    scores_and_k,
)


def _reference_metrics(relevance, recommended, k):
    """Python loops over customers, from the definitions in the docstrings."""
    precision, recall, hit, average_precision, ndcg = [], [], [], [], []
    for rel, ids in zip(relevance, recommended, strict=True):
        relevant = set(np.flatnonzero(rel > 0))
        top = list(ids[:k])
        hits = [int(i in relevant) for i in top]
        precision.append(sum(hits) / k)
        recall.append(sum(hits) / max(len(relevant), 1))
        hit.append(float(any(hits)))
        total = sum(sum(hits[: i + 1]) / (i + 1) * h for i, h in enumerate(hits))
        average_precision.append(total / min(k, len(relevant)) if relevant else 0.0)
        dcg = sum((2 ** rel[j] - 1) / np.log2(i + 2) for i, j in enumerate(top))
        ideal = sorted(rel, reverse=True)[:k]
        idcg = sum((2**g - 1) / np.log2(i + 2) for i, g in enumerate(ideal))
        ndcg.append(dcg / idcg if idcg > 0 else 0.0)
    return [np.mean(m) for m in (precision, recall, hit, average_precision, ndcg)]


@given(ranking_case())
def test_ranking_metrics_equal_python_loops_and_stay_in_0_1(case):
    relevance, recommended, k = case
    binary = (relevance > 0).astype(float)
    ours = [
        precision_at_k(recommended, binary, k),
        recall_at_k(recommended, binary, k),
        hit_rate_at_k(recommended, binary, k),
        map_at_k(recommended, binary, k),
        ndcg_at_k(recommended, relevance, k),
    ]
    reference = _reference_metrics(relevance, recommended, k)
    reference[:4] = _reference_metrics(binary, recommended, k)[:4]
    np.testing.assert_allclose(ours, reference, rtol=1e-9, atol=1e-12)
    assert all(0 <= m <= 1 for m in ours)


@given(ranking_case())
def test_a_perfect_ranking_scores_1_for_every_customer_with_something_relevant(case):
    relevance, _, k = case
    perfect = top_k(relevance, relevance.shape[1])
    has_relevant = (relevance > 0).any(axis=1).mean()
    for metric in (hit_rate_at_k, map_at_k, ndcg_at_k):
        assert metric(perfect, relevance, k) == pytest.approx(has_relevant)
    # worst first: no hit in the top k at all when only the last products are relevant
    assert recall_at_k(perfect, relevance, k) <= 1


@given(ranking_case(), st.integers(600, 10**6))
def test_ndcg_of_huge_grades_is_finite_and_in_0_1(case, big):
    relevance, recommended, k = case
    graded = relevance * big
    value = ndcg_at_k(recommended, graded, k)
    assert np.isfinite(value) and 0 <= value <= 1
    perfect = top_k(graded, graded.shape[1])
    assert ndcg_at_k(perfect, graded, k) == pytest.approx((graded > 0).any(axis=1).mean())


@given(ranking_case())
def test_ranking_metrics_refuse_repeated_ids_and_bad_relevance(case):
    relevance, recommended, k = case
    assume(recommended.shape[1] >= 2)
    repeated = recommended.copy()
    repeated[:, 1] = repeated[:, 0]
    for metric in (precision_at_k, recall_at_k, hit_rate_at_k, map_at_k, ndcg_at_k):
        refused(lambda m=metric: m(repeated, relevance, 2), "recommended", "twice")
        refused(lambda m=metric: m(recommended, -relevance - 1, k), "relevance")
        refused(lambda m=metric: m(recommended.astype(float), relevance, k), "recommended")
        refused(lambda m=metric: m(recommended, relevance, k + 10**3), "k")
        refused(lambda m=metric: m(recommended, relevance, 0), "k")
        refused(lambda m=metric: m(recommended[:0], relevance[:0], k), "recommended")


@given(matrices(rows=(2, 2), cols=(1, 30)))
def test_rmse_is_a_distance(pair):
    a, b = pair
    assert rmse(a, a) == 0
    assert rmse(a, b) == pytest.approx(rmse(b, a))
    assert rmse(a, b) == pytest.approx(np.sqrt(np.mean((a - b) ** 2)))
    for bad in (a[:0], a[None, :], np.append(a, 1.0), a.astype(complex), a.astype(str)):
        refused(lambda bad=bad: rmse(bad, bad if bad.size == 0 else b), "y_true", "y_pred")
        refused(lambda bad=bad: rmse(b, bad), "y_pred", "y_true")


@given(ranking_case())
def test_coverage_and_overlap(case):
    relevance, recommended, k = case
    n_products = relevance.shape[1]
    coverage = catalogue_coverage(recommended, n_products)
    assert coverage == len(np.unique(recommended)) / n_products and 0 < coverage <= 1
    assert overlap_at_k(recommended, recommended) == 1.0
    reversed_ = recommended[:, ::-1]
    assert overlap_at_k(reversed_, recommended) == 1.0  # the same sets, another order
    refused(lambda: catalogue_coverage(recommended, 0), "n_products")
    refused(lambda: catalogue_coverage(recommended + n_products, n_products), "recommended")
    refused(lambda: overlap_at_k(recommended[:, :0], recommended[:, :0]), "reference")
    repeated = recommended[:, :1].repeat(2, 1)
    refused(lambda: overlap_at_k(repeated, repeated), "found")


@given(scores_and_k(elements=finite))
def test_top_k_relevance_marks_exactly_k_products_that_score_1(case):
    scores, k = case
    relevance = top_k_relevance(scores, k)
    assert (relevance.sum(axis=1) == k).all() and set(np.unique(relevance)) <= {0.0, 1.0}
    assert recall_at_k(top_k(scores, k), relevance, k) == 1.0
    refused(lambda: top_k_relevance(scores, scores.shape[1] + 1), "k")


@given(ranking_case(), st.integers(0, 2**32 - 1))
def test_beyond_accuracy_metrics_stay_in_their_ranges(case, seed):
    """Novelty in [0, log2(n + 1)] bits, diversity in [0, 2], mean popularity within its range."""
    relevance, recommended, k = case
    rng = np.random.default_rng(seed)
    n_customers, n_products = relevance.shape
    counts = rng.integers(0, n_customers + 1, n_products)
    bits = novelty(recommended, counts, n_customers)
    assert 0 <= bits <= np.log2(n_customers + 1) + 1e-12
    assert novelty(recommended, np.full(n_products, n_customers), n_customers) == 0
    popular = average_popularity(recommended, counts)
    assert counts[recommended].min() <= popular <= counts[recommended].max()
    if recommended.shape[1] >= 2:
        features = rng.normal(size=(n_products, 3))
        assert -1e-12 <= intra_list_diversity(recommended, features) <= 2 + 1e-12
        same = np.ones((n_products, 2))  # every product alike: no diversity
        assert intra_list_diversity(recommended, same) == pytest.approx(0.0, abs=1e-12)
        refused(lambda: intra_list_diversity(recommended, features[:, 0]), "features")
    refused(lambda: novelty(recommended, counts, 0), "n_customers")
    refused(lambda: average_popularity(recommended, -1.0 - counts), "popularity")
