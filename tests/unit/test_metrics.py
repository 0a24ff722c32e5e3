"""Metrics: limit cases, hand-worked examples, a naive reference, and keras-rs."""

import numpy as np
import pytest

from course_utils import setup

setup(seed=0)

import keras_rs  # noqa: E402

from course_utils.metrics import (  # noqa: E402
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
from course_utils.recommend import top_k  # noqa: E402

RANKING = [precision_at_k, recall_at_k, hit_rate_at_k, ndcg_at_k, map_at_k]


def test_rmse_limits_and_example():
    y = np.array([1.0, 2.0, 3.0])
    assert rmse(y, y) == 0
    assert rmse([0.0, 0.0], [3.0, 4.0]) == pytest.approx(np.sqrt(12.5))


def test_rmse_refuses_a_column_prediction():
    with pytest.raises(ValueError, match=r"y_pred must be 1-D, got shape \(3, 1\)"):
        rmse(np.zeros(3), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="y_true has 3 values but y_pred has 2"):
        rmse(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize("metric", RANKING)
def test_perfect_ranking_scores_one_and_no_hits_score_zero(metric):
    relevance = np.array([[1.0, 1, 0, 0, 0], [0, 0, 0, 1, 1]])
    perfect = np.array([[0, 1], [3, 4]])
    none = np.array([[2, 3], [0, 1]])
    assert metric(perfect, relevance, 2) == pytest.approx(1.0)
    assert metric(none, relevance, 2) == 0.0


def test_hand_worked_example():
    relevance = np.array([[1.0, 0, 0, 1, 0]])  # products 0 and 3 are relevant
    recommended = np.array([[0, 1, 3]])  # a hit, a miss, a hit
    assert precision_at_k(recommended, relevance, 3) == pytest.approx(2 / 3)
    assert recall_at_k(recommended, relevance, 3) == 1.0
    assert recall_at_k(recommended, relevance, 1) == 0.5
    assert map_at_k(recommended, relevance, 3) == pytest.approx((1 / 1 + 2 / 3) / 2)
    dcg = 1 / np.log2(2) + 1 / np.log2(4)
    idcg = 1 / np.log2(2) + 1 / np.log2(3)
    assert ndcg_at_k(recommended, relevance, 3) == pytest.approx(dcg / idcg)
    assert catalogue_coverage(recommended, 5) == 0.6


def naive_metrics(recommended, relevance, k):
    """Reference implementation, one customer at a time, with Python loops."""
    precisions, recalls, hits, aps, ndcgs = [], [], [], [], []
    for ids, rel in zip(recommended, relevance, strict=True):
        relevant = {j for j, r in enumerate(rel) if r > 0}
        found = [j in relevant for j in ids[:k]]
        precisions.append(sum(found) / k)
        recalls.append(sum(found) / len(relevant) if relevant else 0.0)
        hits.append(float(any(found)))
        running, ap = 0, 0.0
        for i, hit in enumerate(found, start=1):
            if hit:
                running += 1
                ap += running / i
        aps.append(ap / min(k, len(relevant)) if relevant else 0.0)
        dcg = sum((2 ** rel[j] - 1) / np.log2(i + 2) for i, j in enumerate(ids[:k]))
        ideal = sorted(rel, reverse=True)[:k]
        idcg = sum((2**r - 1) / np.log2(i + 2) for i, r in enumerate(ideal))
        ndcgs.append(dcg / idcg if idcg > 0 else 0.0)
    return [np.mean(m) for m in (precisions, recalls, hits, ndcgs, aps)]


@pytest.mark.parametrize("seed", range(10))
def test_metrics_agree_with_a_naive_reference(seed):
    rng = np.random.default_rng(seed)
    relevance = rng.integers(0, 3, size=(8, 12)).astype(float) * (rng.random((8, 12)) < 0.4)
    recommended = top_k(rng.normal(size=(8, 12)), 6)
    for k in (1, 3, 6):
        ours = [m(recommended, relevance, k) for m in RANKING]
        np.testing.assert_allclose(ours, naive_metrics(recommended, relevance, k))


@pytest.mark.parametrize("seed", range(5))
def test_metrics_agree_with_keras_rs(seed):
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=(16, 20))
    graded = rng.integers(0, 4, size=(16, 20)).astype(float)
    binary = (rng.random((16, 20)) < 0.15).astype(float)  # mostly <= k relevant: MAP agrees
    binary[:, 0] = 1.0  # every customer has a relevant product
    k = 5
    binary[binary.sum(axis=1) > k, 1:] = 0.0
    recommended = top_k(scores, k)
    pairs = [
        (keras_rs.metrics.PrecisionAtK(k=k), precision_at_k, binary),
        (keras_rs.metrics.RecallAtK(k=k), recall_at_k, binary),
        (keras_rs.metrics.MeanAveragePrecision(k=k), map_at_k, binary),
        (keras_rs.metrics.NDCG(k=k), ndcg_at_k, graded),
    ]
    for keras_metric, ours, relevance in pairs:
        keras_metric.update_state(relevance, scores)
        expected = float(keras_metric.result())
        assert ours(recommended, relevance, k) == pytest.approx(expected, abs=1e-5), (
            keras_metric.name
        )


def test_top_k_relevance_marks_k_per_customer_and_the_oracle_scores_one():
    truth = np.random.default_rng(0).normal(size=(30, 50))
    relevance = top_k_relevance(truth, 10)
    assert (relevance.sum(axis=1) == 10).all()
    oracle = top_k(truth, 10)
    for metric in RANKING:
        assert metric(oracle, relevance, 10) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("recommended", "relevance", "k", "message"),
    [
        (np.array([[0, 1]]), np.ones((1, 3)), 3, "k=3 is more than the 2 products recommended"),
        (np.array([[0, 5]]), np.ones((1, 3)), 2, r"recommended holds ids outside 0..2"),
        (np.array([[0.0, 1.0]]), np.ones((1, 3)), 2, "recommended must be a 2-D int array"),
        (np.array([[0, 1]]), np.ones((2, 3)), 2, "recommended has 1 customers but relevance has 2"),
        (np.array([[0, 1]]), -np.ones((1, 3)), 2, "relevance must be >= 0"),
        (np.array([[0, 1]]), np.ones((1, 3)), 0, "k must be an int >= 1, got 0"),
    ],
)
def test_bad_input_raises(recommended, relevance, k, message):
    for metric in RANKING:
        with pytest.raises(ValueError, match=message):
            metric(recommended, relevance, k)


def test_overlap_at_k_is_recall_with_the_reference_list_as_relevant():
    from course_utils.metrics import overlap_at_k

    rng = np.random.default_rng(9)
    reference = np.array([rng.choice(30, 5, replace=False) for _ in range(8)])
    found = np.array([rng.choice(30, 5, replace=False) for _ in range(8)])
    relevance = np.zeros((8, 30))
    np.put_along_axis(relevance, reference, 1.0, axis=1)
    assert overlap_at_k(found, reference) == pytest.approx(recall_at_k(found, relevance, 5))
    assert overlap_at_k(reference, reference) == 1.0
    assert overlap_at_k(reference + 30, reference) == 0.0
    with pytest.raises(ValueError, match=r"same shape .* got \(8, 4\) and \(8, 5\)"):
        overlap_at_k(found[:, :4], reference)


# --- issue 13: inputs that used to give a wrong number without a word


def test_a_repeated_id_is_refused_instead_of_counted_twice():
    with pytest.raises(ValueError, match=r"recommended lists a product twice for customer 0"):
        recall_at_k(np.array([[0, 0]]), np.array([[1, 0, 0]]), 2)
    # only the first k count: a repeat after rank k is not looked at
    assert recall_at_k(np.array([[0, 1, 1]]), np.array([[1, 0, 0]]), 2) == 1.0


def test_empty_inputs_are_refused_instead_of_giving_nan():
    with pytest.raises(ValueError, match="y_true and y_pred are empty"):
        rmse([], [])
    with pytest.raises(ValueError, match="recommended has no customers"):
        precision_at_k(np.zeros((0, 2), int), np.zeros((0, 3)), 1)


def test_ndcg_of_huge_grades_is_exact_instead_of_nan():
    relevance = np.array([[2000.0, 0.0, 1999.0]])
    # DCG / IDCG with 2^rel: the first-ranked 2000 then 1999 is ideal, 1999 first is not.
    assert ndcg_at_k(np.array([[0, 2]]), relevance, 2) == 1.0
    expected = (0.5 + 1 / np.log2(3)) / (1 + 0.5 / np.log2(3))
    assert ndcg_at_k(np.array([[2, 0]]), relevance, 2) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("y_true", "message"),
    [
        (np.array([1 + 1j, 2]), "y_true must be real, got complex"),
        (np.array(["1", "2"]), "y_true must be numeric, got dtype <U1"),
        ("12", "y_true must be numeric, got the string '12'"),
        (np.array([np.nan, 1.0]), "y_true contains 1 NaN values"),
    ],
)
def test_complex_strings_and_nan_are_refused_by_name(y_true, message):
    with pytest.raises((ValueError, TypeError), match=message):
        rmse(y_true, [1.0, 2.0])


# --- issue 22: each refusal names the argument that is wrong


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: catalogue_coverage(np.array([[0, 5]]), 3),
            "recommended holds ids outside 0..2 (n_products: 3)",
        ),
        (
            lambda: recall_at_k(np.array([[0, 5]]), np.zeros((1, 3)), 2),
            "recommended holds ids outside 0..2 (relevance's columns: 3)",
        ),
        (
            lambda: overlap_at_k(np.array([["a", "b"]]), np.array([[0, 1]])),
            "found must be a 2-D int array (n_customers, k), got <U1 of shape (1, 2)",
        ),
        (
            lambda: overlap_at_k(np.array([[0, -1]]), np.array([[0, 1]])),
            "found holds a negative id",
        ),
        (
            lambda: top_k_relevance(np.zeros((2, 0)), 1),
            "true_scores has shape (2, 0): no products to mark",
        ),
    ],
)
def test_issue_22_wrong_calls_are_refused_by_name(call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    assert str(caught.value).splitlines()[0].startswith(message)


# --- beyond accuracy (notebooks/12_beyond_accuracy.py): novelty, diversity, popularity


def test_beyond_accuracy_limit_cases():
    # Every customer consumed the product: 0 bits; nobody did: log2(n + 1) bits.
    assert novelty(np.array([[0]]), np.array([7, 0]), 7) == 0.0
    assert novelty(np.array([[1]]), np.array([7, 0]), 7) == pytest.approx(3.0)
    # Identical products are not diverse; orthogonal ones are fully diverse.
    same = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    assert intra_list_diversity(np.array([[0, 1]]), same) == pytest.approx(0.0)
    assert intra_list_diversity(np.array([[0, 2]]), same) == pytest.approx(1.0)
    assert intra_list_diversity(np.array([[0, 1]]), np.zeros((2, 3))) == 1.0  # no features
    assert average_popularity(np.array([[0, 1], [1, 2]]), np.array([4.0, 2.0, 0.0])) == 2.0


def test_beyond_accuracy_against_naive_loops():
    rng = np.random.default_rng(0)
    n_customers, n_products, k = 9, 12, 4
    recommended = np.array([rng.permutation(n_products)[:k] for _ in range(n_customers)])
    counts = rng.integers(0, n_customers + 1, n_products)
    features = rng.normal(size=(n_products, 3))
    bits, distances, popular = [], [], []
    for ids in recommended:
        bits += [-np.log2((counts[j] + 1) / (n_customers + 1)) for j in ids]
        pairs = [
            1
            - features[a] @ features[b] / np.linalg.norm(features[a]) / np.linalg.norm(features[b])
            for i, a in enumerate(ids)
            for b in ids[i + 1 :]
        ]
        distances.append(np.mean(pairs))
        popular.append(np.mean([counts[j] for j in ids]))
    assert novelty(recommended, counts, n_customers) == pytest.approx(np.mean(bits))
    assert intra_list_diversity(recommended, features) == pytest.approx(np.mean(distances))
    assert average_popularity(recommended, counts) == pytest.approx(np.mean(popular))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: novelty(np.array([[0, 5]]), np.ones(3), 3),
            "recommended holds ids outside 0..2 (counts' length: 3)",
        ),
        (
            lambda: novelty(np.array([[0, 1]]), np.array([1, 4]), 3),
            "counts must lie in 0..n_customers (3)",
        ),
        (
            lambda: novelty(np.array([[0, 1]]), np.ones(2), 0),
            "n_customers must be an int >= 1, got 0",
        ),
        (
            lambda: intra_list_diversity(np.array([[0], [1]]), np.eye(2)),
            "recommended has k = 1 product per list",
        ),
        (
            lambda: intra_list_diversity(np.array([[0, 1]]), np.ones(2)),
            "features must be 2-D, got shape (2,)",
        ),
        (
            lambda: average_popularity(np.array([[0, 1]]), np.array([1.0, -1.0])),
            "popularity must be >= 0, got -1.0",
        ),
        (
            lambda: average_popularity(np.array([[0, 0]]), np.ones(2)),
            "recommended lists a product twice for customer 0",
        ),
    ],
)
def test_beyond_accuracy_wrong_calls_are_refused_by_name(call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call()
    assert str(caught.value).splitlines()[0].startswith(message)
