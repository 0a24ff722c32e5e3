"""Property-based tests (Hypothesis) of every public function and class in course_utils.

Generated inputs of many shapes and values check invariants (metrics in [0, 1], `top_k`
equal to a stable-sort reference, streaming equal to whole, pairing row by row), and
generated bad inputs check that each helper refuses them with a `ValueError`/`TypeError`
naming the argument. `course_utils.exercises` is tested in its own files.

The profile (tests/conftest.py) keeps the whole file under a minute on two cores; set
HYPOTHESIS_PROFILE=dev for a longer search.
"""

import os

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import setup

matplotlib.use("Agg")
setup(seed=0)

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import tensorflow as tf  # noqa: E402

from course_utils import config, validation  # noqa: E402
from course_utils.baselines import BiasModel, FactorModel, fit_als, fit_biases, fit_svd  # noqa: E402
from course_utils.data import (  # noqa: E402
    PairTable,
    SyntheticWorld,
    TasteModel,
    make_taste_model,
    make_world,
    pair_table,
    sample_pairs,
    split_customers,
    split_pairs,
    star_distribution,
    to_matrix,
    truncated_normal_features,
)
from course_utils.metrics import (  # noqa: E402
    catalogue_coverage,
    hit_rate_at_k,
    mae,
    map_at_k,
    ndcg_at_k,
    overlap_at_k,
    precision_at_k,
    recall_at_k,
    rmse,
    top_k_relevance,
)
from course_utils.models import (  # noqa: E402
    ConcatTwoTower,
    DotTwoTower,
    HistoryEmbedding,
    InBatchSoftmax,
    PairModel,
    RowCheckedModel,
    build_mlp,
    build_tower,
)
from course_utils.movielens import (  # noqa: E402
    MovieLens,
    as_pair_table,
    load_movielens,
    split_known,
    split_last,
)
from course_utils.plots import plot_learning_curves  # noqa: E402
from course_utils.recommend import pair_features, predict_pairs, score_all, top_k  # noqa: E402
from course_utils.reproducibility import set_runtime_env  # noqa: E402
from course_utils.serving import (  # noqa: E402
    Recommender,
    inner_product_to_euclidean,
    top_k_dot,
    top_k_streaming,
)

REFUSED = (ValueError, TypeError)
BAD_CALLS = [0]  # how many bad calls the refusal checks made (printed with -s at the end)


def refused(call, *names):
    """`call()` raises ValueError/TypeError whose message names one of `names`."""
    BAD_CALLS[0] += 1
    with pytest.raises(REFUSED) as caught:
        call()
    message = str(caught.value)
    assert any(name in message for name in names), (names, message)
    return message


# --- strategies

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)
# Small whole numbers: plenty of exact ties, and matrix products computed exactly.
whole = st.integers(-3, 3).map(float)


@st.composite
def matrices(draw, rows=(1, 8), cols=(1, 8), elements=finite):
    shape = (draw(st.integers(*rows)), draw(st.integers(*cols)))
    return draw(hnp.arrays(np.float64, shape, elements=elements))


@st.composite
def scores_and_k(draw, elements=whole):
    scores = draw(matrices(elements=elements))
    return scores, draw(st.integers(1, scores.shape[1]))


@st.composite
def ranking_case(draw):
    """relevance (binary or graded), and a list of distinct ids per customer."""
    n_customers, n_products = draw(st.integers(1, 6)), draw(st.integers(1, 9))
    graded = draw(st.booleans())
    grades = st.integers(0, 4) if graded else st.integers(0, 1)
    relevance = draw(hnp.arrays(np.int64, (n_customers, n_products), elements=grades))
    width = draw(st.integers(1, n_products))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    recommended = np.array([rng.permutation(n_products)[:width] for _ in range(n_customers)])
    return relevance.astype(float), recommended, draw(st.integers(1, width))


# The kinds of wrong value a learner passes: each helper must refuse every one by name.
BAD_ARRAYS = {
    "nan": lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.nan, a),
    "inf": lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.inf, a),
    "complex": lambda a: a + 1j,
    "strings": lambda a: a.astype(str),
    "objects": lambda a: a.astype(object),
    "one rank too many": lambda a: a[..., None],
    "one rank too few": lambda a: a.reshape(-1) if a.ndim > 1 else a[0],
}
BAD_INTS = [0, -1, 2.5, "3", True, None, float("nan"), 1j]
BAD_SEEDS = [-1, 1.5, "42", None, [1.5], float("nan")]
BAD_REALS = [float("nan"), float("inf"), -float("inf"), "1", None, 1j]


# --- validation


@given(matrices(rows=(0, 5), cols=(0, 5)))
def test_as_matrix_returns_a_finite_float_copy(array):
    out = validation.as_matrix("a", array)
    assert out.dtype == float and out.shape == array.shape
    np.testing.assert_array_equal(out, array)


@given(matrices(), st.sampled_from(sorted(BAD_ARRAYS)))
def test_as_matrix_refuses_every_kind_of_bad_array(array, kind):
    refused(lambda: validation.as_matrix("my_arg", BAD_ARRAYS[kind](array)), "my_arg")


@given(hnp.arrays(np.int64, st.integers(0, 9), elements=st.integers(0, 20)))
def test_as_index_array_keeps_valid_ids(ids):
    np.testing.assert_array_equal(validation.as_index_array("ids", ids, upper=21), ids)


@given(
    hnp.arrays(np.int64, st.integers(1, 9), elements=st.integers(0, 20)),
    st.sampled_from(["negative", "too large", "fractional", "2-D", "string", "complex"]),
)
def test_as_index_array_refuses_bad_ids(ids, kind):
    bad = {
        "negative": lambda: np.concatenate([ids, [-1]]),
        "too large": lambda: np.concatenate([ids, [21]]),
        "fractional": lambda: ids + 0.5,
        "2-D": lambda: ids[:, None],
        "string": lambda: ids.astype(str),
        "complex": lambda: ids + 0j,
    }[kind]()
    refused(lambda: validation.as_index_array("my_ids", bad, upper=21), "my_ids")


@given(st.integers(1, 10**9))
def test_positive_ints_and_seeds_pass(value):
    assert validation.check_positive_int("n", value) == value
    assert validation.check_seed("seed", value) == value
    assert validation.check_seed("seed", 0) == 0


@given(st.sampled_from(BAD_INTS))
def test_check_positive_int_refuses(value):
    refused(lambda: validation.check_positive_int("n_things", value), "n_things")


@given(st.sampled_from(BAD_SEEDS))
def test_check_seed_refuses(value):
    refused(lambda: validation.check_seed("my_seed", value), "my_seed")


@given(st.floats(0, 1e9), st.sampled_from(BAD_REALS + [-1e-9, -5.0]))
def test_check_real_accepts_finite_reals_and_refuses_the_rest(good, bad):
    assert validation.check_real("x", good, low=0.0) == good
    refused(lambda: validation.check_real("my_real", bad, low=0.0), "my_real")
    refused(lambda: validation.check_real("my_real", 0.0, low=0.0, low_inclusive=False), ">")


@given(st.floats(1e-9, 1 - 1e-9), st.sampled_from([0, 1, 0.0, 1.0, -0.5, 2, "0.5", None]))
def test_check_fraction(good, bad):
    assert validation.check_fraction("f", good) == good
    refused(lambda: validation.check_fraction("my_fraction", bad), "my_fraction")


@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(0.01, 10)))
def test_check_probabilities(weights):
    probability = weights / weights.sum()
    np.testing.assert_allclose(validation.check_probabilities("p", probability), probability)
    refused(lambda: validation.check_probabilities("my_p", weights * 2 + 1), "my_p")
    refused(lambda: validation.check_probabilities("my_p", probability - 2 * weights), "my_p")
    refused(lambda: validation.check_probabilities("my_p", probability, size=99), "my_p")


@given(st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_check_same_rows_names_every_count(lengths):
    arrays = {f"array_{i}": np.zeros(n) for i, n in enumerate(lengths)}
    if len(set(lengths)) == 1:
        assert validation.check_same_rows(**arrays) == lengths[0]
    else:
        message = refused(lambda: validation.check_same_rows(**arrays), "array_0")
        assert all(f"array_{i} has {n} rows" in message for i, n in enumerate(lengths))
    assert issubclass(validation.ArgumentTypeError, TypeError)
    assert issubclass(validation.ArgumentTypeError, ValueError)


# --- metrics


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
        for kind, bad in BAD_ARRAYS.items():
            if kind not in ("one rank too few",):
                refused(lambda m=metric, b=bad: m(recommended, b(relevance), k), "relevance")


@given(matrices(rows=(1, 1), cols=(1, 30)), matrices(rows=(1, 1), cols=(1, 30)))
def test_rmse_and_mae_are_distances(a, b):
    a, b = a[0], b[0]
    assume(len(a) == len(b))
    assert rmse(a, a) == 0 == mae(a, a)
    assert rmse(a, b) == pytest.approx(rmse(b, a)) and mae(a, b) == pytest.approx(mae(b, a))
    assert rmse(a, b) >= mae(a, b) - 1e-9
    assert rmse(a, b) == pytest.approx(np.sqrt(np.mean((a - b) ** 2)))
    for bad in (a[:0], a[None, :], np.append(a, 1.0), a.astype(complex), a.astype(str)):
        refused(lambda bad=bad: rmse(bad, bad if bad.size == 0 else b), "y_true", "y_pred")
        refused(lambda bad=bad: mae(b, bad), "y_pred", "y_true")


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


# --- recommend


@given(scores_and_k())
def test_top_k_equals_a_stable_sort(case):
    scores, k = case
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(top_k(scores, k), expected)


@given(scores_and_k(), st.data())
def test_top_k_with_exclude_equals_a_stable_sort_of_the_rest(case, data):
    scores, k = case
    exclude = data.draw(hnp.arrays(bool, scores.shape))
    assume((scores.shape[1] - exclude.sum(axis=1) >= k).all())
    expected = np.argsort(np.where(exclude, np.inf, -scores), axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(top_k(scores, k, exclude=exclude), expected)
    refused(lambda: top_k(scores, k, exclude=exclude.astype(int)), "exclude")


@given(scores_and_k(), st.sampled_from(sorted(BAD_ARRAYS)), st.sampled_from(BAD_INTS))
def test_top_k_refuses_bad_scores_and_k(case, kind, bad_k):
    scores, k = case
    refused(lambda: top_k(BAD_ARRAYS[kind](scores), k), "scores")
    refused(lambda: top_k(scores, bad_k), "k")
    refused(lambda: top_k(scores, scores.shape[1] + 1), "k")


class RowSum:
    """A stand-in model: each row's prediction is a fixed function of that row alone."""

    def predict(self, features, batch_size=None, verbose=0):
        weights = np.arange(1, features.shape[1] + 1)
        return (features @ weights)[:, None]


@given(matrices(rows=(1, 6), cols=(1, 3)), matrices(rows=(1, 6), cols=(1, 3)))
def test_pair_features_and_score_all_pair_customer_i_with_product_j(customers, products):
    features = pair_features(customers, products)
    n_products = len(products)
    for row in range(len(features)):
        i, j = divmod(row, n_products)
        np.testing.assert_array_equal(features[row], np.concatenate([customers[i], products[j]]))
    scores = score_all(RowSum(), customers, products)
    assert scores.shape == (len(customers), n_products)
    for i in range(len(customers)):
        for j in range(n_products):
            pair = np.concatenate([customers[i], products[j]])[None, :].astype("float32")
            assert scores[i, j] == RowSum().predict(pair)[0, 0]  # Keras takes float32
    np.testing.assert_array_equal(predict_pairs(RowSum(), features), scores.reshape(-1))
    refused(lambda: pair_features(customers[0], products), "customer_features")
    refused(lambda: predict_pairs(RowSum(), features[0]), "features")
    refused(lambda: score_all(RowSum(), customers, products.astype(str)), "product_features")


# --- serving


@given(scores_and_k(), st.lists(st.integers(1, 5), min_size=1, max_size=8))
def test_streaming_equals_top_k_on_the_whole_matrix(case, widths):
    scores, k = case
    edges = np.cumsum([0, *widths])
    edges = edges[edges < scores.shape[1]].tolist() + [scores.shape[1]]
    blocks = [scores[:, a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]
    ids, best = top_k_streaming(blocks, k)
    np.testing.assert_array_equal(ids, top_k(scores, k))
    np.testing.assert_array_equal(best, np.take_along_axis(scores, ids, axis=1))
    refused(lambda: top_k_streaming(blocks, scores.shape[1] + 1), "k")
    refused(lambda: top_k_streaming([], k), "score_blocks")
    refused(lambda: top_k_streaming([scores, scores[:0]], k), "score block 1")


@st.composite
def vectors_with_duplicates(draw):
    dim = draw(st.integers(1, 3))
    customers = draw(hnp.arrays(np.float64, (draw(st.integers(1, 5)), dim), elements=whole))
    distinct = draw(hnp.arrays(np.float64, (draw(st.integers(1, 6)), dim), elements=whole))
    picks = draw(st.lists(st.integers(0, len(distinct) - 1), min_size=1, max_size=25))
    return customers, distinct[picks]


@given(vectors_with_duplicates(), st.integers(1, 30), st.integers(1, 9))
def test_top_k_dot_gives_identical_products_identical_scores_ties_to_the_lower_id(
    vectors, k, block_size
):
    customers, products = vectors
    k = min(k, len(products))
    ids, scores = top_k_dot(customers, products, k, block_size)
    whole_matrix = customers @ products.T  # small whole numbers: computed exactly
    np.testing.assert_array_equal(ids, top_k(whole_matrix, k))
    np.testing.assert_array_equal(scores, np.take_along_axis(whole_matrix, ids, axis=1))
    refused(lambda: top_k_dot(customers, products[:, :0], k, block_size), "product_vectors")
    refused(lambda: top_k_dot(customers, products, k, 0), "block_size")
    huge = np.full_like(products, 1e300)
    refused(lambda: top_k_dot(huge[:1], huge, k, block_size), "overflow")


def test_top_k_dot_ties_survive_blocks_that_round_differently():
    """The issue's case: identical float vectors, one in each block, must tie."""
    rng = np.random.default_rng(0)
    products = rng.normal(size=(64, 33))
    products[50] = products[3]
    customers = rng.normal(size=(40, 33))
    for block_size in (1, 7, 16, 64):
        ids, scores = top_k_dot(customers, products, 64, block_size)
        position = {i: list(row).index(i) for row in ids for i in (3, 50)}
        assert all(list(row).index(3) + 1 == list(row).index(50) for row in ids), position
        rows = np.arange(len(ids))
        np.testing.assert_array_equal(
            scores[rows, [list(r).index(3) for r in ids]],
            scores[rows, [list(r).index(50) for r in ids]],
        )


class IdentityTowers:
    def embed_customers(self, features):
        return np.asarray(features, float)

    def embed_products(self, features):
        return np.asarray(features, float)


@given(vectors_with_duplicates(), st.data())
def test_recommender_equals_top_k_with_exclude_as_lists_or_mask(vectors, data):
    customers, products = vectors
    recommender = Recommender(IdentityTowers(), products, block_size=data.draw(st.integers(1, 9)))
    mask = data.draw(hnp.arrays(bool, (len(customers), len(products))))
    k = data.draw(st.integers(1, len(products)))
    assume((len(products) - mask.sum(axis=1) >= k).all())
    scores = customers @ products.T
    expected = top_k(scores, k, exclude=mask)
    as_lists = [np.flatnonzero(row) for row in mask]
    np.testing.assert_array_equal(
        recommender.recommend(customers, k, exclude=as_lists)[0], expected
    )
    np.testing.assert_array_equal(recommender.recommend(customers, k, exclude=mask)[0], expected)
    refused(lambda: recommender.recommend(customers, k, exclude=mask.astype(int)), "exclude")
    refused(lambda: recommender.recommend(customers, k, exclude=mask[:, :0]), "exclude")
    refused(lambda: recommender.recommend(customers, 0), "k")
    refused(lambda: recommender.recommend(customers[0], k), "customer_features")
    new_ids = recommender.add_products(products[:1])
    assert new_ids.tolist() == [len(products)] and recommender.n_products == len(products) + 1


@given(matrices(rows=(1, 8), cols=(1, 4)), st.data())
def test_euclidean_transform_keeps_the_order_of_dot_products(products, data):
    customers = data.draw(matrices(rows=(1, 4), cols=(products.shape[1],) * 2))
    new_products, new_customers = inner_product_to_euclidean(products, customers)
    norms = np.linalg.norm(new_products.astype(float), axis=1)
    np.testing.assert_allclose(norms, norms.max(), rtol=1e-3, atol=1e-2)
    distance = ((new_customers[:, None, :] - new_products[None, :, :]).astype(float) ** 2).sum(-1)
    dots = customers @ products.T
    expected = (customers**2).sum(1)[:, None] + norms.max() ** 2 - 2 * dots
    np.testing.assert_allclose(distance, expected, rtol=1e-3, atol=1e-1 * (1 + np.abs(dots).max()))
    refused(lambda: inner_product_to_euclidean(products, customers[:, :0]), "columns")


# --- data


@given(st.integers(1, 30), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_truncated_normal_features_are_in_minus_1_1_and_follow_the_seed(rows, cols, seed):
    a = truncated_normal_features(rows, cols, np.random.default_rng(seed))
    b = truncated_normal_features(rows, cols, np.random.default_rng(seed))
    c = truncated_normal_features(rows, cols, np.random.default_rng(seed + 1))
    assert a.shape == (rows, cols) and np.all(np.abs(a) <= 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)  # a different seed draws different features
    refused(lambda: truncated_normal_features(rows, cols, seed), "rng")
    refused(lambda: truncated_normal_features(0, cols, np.random.default_rng(0)), "n_rows")


@given(matrices(rows=(1, 4), cols=(1, 4), elements=st.floats(-10, 10)), st.floats(0.01, 5))
def test_star_distribution_is_a_distribution(latent, noise_sd):
    probabilities = star_distribution(latent, noise_sd)
    assert probabilities.shape == (*latent.shape, 5) and (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(-1), 1.0)
    for bad in BAD_REALS + [0.0, -1.0]:
        refused(lambda bad=bad: star_distribution(latent, bad), "noise_sd")
    refused(lambda: star_distribution(latent * np.nan, noise_sd), "latent")


world_sizes = st.tuples(st.integers(2, 12), st.integers(2, 8), st.integers(0, 1000))


@settings(max_examples=10)
@given(world_sizes)
def test_a_world_is_consistent_and_follows_its_seed(sizes):
    n_customers, n_products, seed = sizes
    world = make_world(n_customers, n_products, seed=seed)
    assert isinstance(world, SyntheticWorld) and isinstance(world.taste, TasteModel)
    assert world.ratings.shape == (n_customers, n_products) == world.expected.shape
    assert world.ratings.min() >= 1 and world.ratings.max() <= 5
    assert set(np.unique(world.purchases)) <= {0, 1}
    assert ((0 <= world.purchase_probability) & (world.purchase_probability <= 1)).all()
    taste = world.taste
    variance = taste.rating_variance(world.customer_features, world.product_features)
    assert world.noise_floor == pytest.approx(variance.mean()) and (variance >= 0).all()
    expected = taste.expected_ratings(world.customer_features, world.product_features)
    assert ((expected >= 1) & (expected <= 5)).all()
    latent = taste.latent(world.customer_features, world.product_features)
    np.testing.assert_allclose(
        taste.purchase_probability(world.customer_features, world.product_features),
        1 / (1 + np.exp(-3 * (latent - taste.purchase_threshold))),
    )
    again = make_world(n_customers, n_products, seed=seed)
    other = make_world(n_customers, n_products, seed=seed + 1)
    np.testing.assert_array_equal(world.ratings, again.ratings)
    assert not np.array_equal(world.customer_features, other.customer_features)
    assert not np.array_equal(
        make_taste_model(seed=seed).customer_weights,
        make_taste_model(seed=seed + 1).customer_weights,
    )
    for bad in BAD_SEEDS:
        refused(lambda bad=bad: make_world(n_customers, n_products, seed=bad), "seed")
    for bad in BAD_REALS + [0.0, -0.5]:
        refused(lambda bad=bad: make_taste_model(noise_sd=bad), "noise_sd")
    refused(
        lambda: taste.latent(world.customer_features[:, :1], world.product_features), "customer"
    )


@st.composite
def tables(draw, min_customers=1, min_products=1):
    n_customers = draw(st.integers(min_customers, 6))
    n_products = draw(st.integers(min_products, 5))
    customers = draw(matrices(rows=(n_customers,) * 2, cols=(1, 3)))
    products = draw(matrices(rows=(n_products,) * 2, cols=(1, 3)))
    targets = draw(matrices(rows=(n_customers,) * 2, cols=(n_products,) * 2))
    return customers, products, targets


@given(tables())
def test_pair_table_row_r_is_customer_r_div_n_and_product_r_mod_n(case):
    customers, products, targets = case
    table = pair_table(customers, products, targets)
    n_products = len(products)
    assert isinstance(table, PairTable) and len(table) == targets.size
    for r in range(len(table)):
        i, j = divmod(r, n_products)
        assert (table.customer_ids[r], table.product_ids[r]) == (i, j)
        np.testing.assert_array_equal(table.customer_x[r], customers[i])
        np.testing.assert_array_equal(table.product_x[r], products[j])
        assert table.y[r] == targets[i, j]
    np.testing.assert_array_equal(table.features[:, : customers.shape[1]], table.customer_x)
    assert table.tower_inputs["product"] is table.product_x
    np.testing.assert_array_equal(to_matrix(table, *targets.shape), targets)
    reversed_ = table.take(np.arange(len(table))[::-1])
    np.testing.assert_array_equal(reversed_.y, table.y[::-1])
    refused(lambda: pair_table(customers, products, targets.T[:, :0]), "targets")
    refused(lambda: table.take([len(table)]), "rows")
    refused(lambda: table.take([0.5]), "rows")
    refused(lambda: to_matrix(table.take([0, 0]), *targets.shape), "more than once")
    refused(lambda: PairTable(table.customer_ids[:0], *list(vars(table).values())[1:]), "rows")


@given(tables(min_products=2), st.integers(0, 10**6), st.data())
def test_sample_pairs_draws_distinct_products_and_keeps_each_pairs_target(case, seed, data):
    customers, products, targets = case
    per_customer = data.draw(st.integers(1, len(products)))
    table = sample_pairs(customers, products, targets, per_customer, seed=seed)
    assert len(table) == len(customers) * per_customer
    for i in range(len(customers)):
        chosen = table.product_ids[table.customer_ids == i]
        assert len(set(chosen.tolist())) == per_customer  # without replacement
    np.testing.assert_array_equal(table.y, targets[table.customer_ids, table.product_ids])
    np.testing.assert_array_equal(table.customer_x, customers[table.customer_ids])
    np.testing.assert_array_equal(table.product_x, products[table.product_ids])
    refused(lambda: sample_pairs(customers, products, targets, len(products) + 1), "per_customer")
    refused(lambda: sample_pairs(customers, products, targets, 1, seed="1"), "seed")
    refused(lambda: sample_pairs(customers, products, targets * np.nan, 1), "targets")


@given(tables(min_customers=2, min_products=2), st.floats(0.1, 0.9), st.integers(0, 10**6))
def test_splits_partition_the_rows_and_follow_the_seed(case, fraction, seed):
    table = pair_table(*case)
    assume(0 < round(fraction * len(table)) < len(table))
    train, test = split_pairs(table, fraction, seed=seed)
    cells = lambda t: sorted(zip(t.customer_ids.tolist(), t.product_ids.tolist(), strict=True))  # noqa: E731
    assert sorted(cells(train) + cells(test)) == cells(table)  # every row once: no replacement
    assert len(test) == round(fraction * len(table))
    again, _ = split_pairs(table, fraction, seed=seed)
    np.testing.assert_array_equal(again.customer_ids, train.customer_ids)
    np.testing.assert_array_equal(again.product_ids, train.product_ids)
    n_customers = len(np.unique(table.customer_ids))
    if 0 < round(fraction * n_customers) < n_customers:
        cold_train, cold_test = split_customers(table, fraction, seed=seed)
        assert not set(cold_train.customer_ids) & set(cold_test.customer_ids)
        assert sorted(cells(cold_train) + cells(cold_test)) == cells(table)
    for bad in (0.0, 1.0, "0.2", float("nan")):
        refused(lambda bad=bad: split_pairs(table, bad), "test_fraction")
    refused(lambda: split_pairs(table, fraction, seed=-3), "seed")


def test_a_different_seed_splits_differently(small_table):
    first, _ = split_pairs(small_table, 0.2, seed=0)
    second, _ = split_pairs(small_table, 0.2, seed=1)
    assert not np.array_equal(first.customer_ids, second.customer_ids)
    first, _ = split_customers(small_table, 0.2, seed=0)
    second, _ = split_customers(small_table, 0.2, seed=1)
    assert set(first.customer_ids) != set(second.customer_ids)


# --- baselines


@st.composite
def sparse_tables(draw):
    """A ratings matrix with missing cells, as a PairTable of the known ones."""
    n_customers, n_products = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    known = draw(hnp.arrays(bool, (n_customers, n_products)))
    assume(known.any())
    ratings = draw(
        hnp.arrays(np.float64, (n_customers, n_products), elements=st.integers(1, 5).map(float))
    )
    customers, products = np.nonzero(known)
    table = PairTable(
        customers,
        products,
        np.zeros((len(customers), 0)),
        np.zeros((len(customers), 0)),
        ratings[customers, products],
    )
    return table, n_customers, n_products


@given(sparse_tables(), st.floats(0, 10))
def test_one_sweep_of_biases_equals_the_shrunk_mean_residual(case, regularization):
    table, n_customers, n_products = case
    model = fit_biases(table, n_customers, n_products, regularization, n_sweeps=1)
    assert isinstance(model, BiasModel)
    mean = table.y.mean()
    assert model.global_mean == pytest.approx(mean)
    for j in range(n_products):
        residual = table.y[table.product_ids == j] - mean
        expected = residual.sum() / (len(residual) + regularization) if len(residual) else 0.0
        assert model.product_bias[j] == pytest.approx(expected)
    for i in range(n_customers):
        rows = table.customer_ids == i
        residual = table.y[rows] - mean - model.product_bias[table.product_ids[rows]]
        expected = residual.sum() / (rows.sum() + regularization) if rows.any() else 0.0
        assert model.customer_bias[i] == pytest.approx(expected)
    matrix = model.predict_matrix()
    np.testing.assert_allclose(
        model.predict(table.customer_ids, table.product_ids),
        matrix[table.customer_ids, table.product_ids],
    )
    for bad in BAD_REALS + [-1.0]:
        refused(lambda bad=bad: fit_biases(table, n_customers, n_products, bad), "regularization")
    refused(lambda: model.predict([0], [0, 0]), "rows")
    refused(lambda: model.predict([-1], [0]), "customer_ids")


@settings(max_examples=15)
@given(sparse_tables(), st.integers(1, 3), st.integers(0, 1000))
def test_als_fits_only_rated_cells_and_zeroes_the_rest(case, rank, seed):
    table, n_customers, n_products = case
    model = fit_als(table, n_customers, n_products, rank, 0.1, n_sweeps=3, seed=seed)
    assert isinstance(model, FactorModel)
    rated_products = np.bincount(table.product_ids, minlength=n_products) > 0
    rated_customers = np.bincount(table.customer_ids, minlength=n_customers) > 0
    assert (model.product_factors[~rated_products] == 0).all()
    assert (model.customer_factors[~rated_customers] == 0).all()
    # A product nobody rated is predicted by the biases alone.
    customer = int(np.flatnonzero(rated_customers)[0])
    for product in np.flatnonzero(~rated_products):
        assert model.predict([customer], [product])[0] == pytest.approx(
            model.biases.predict([customer], [product])[0]
        )
    again = fit_als(table, n_customers, n_products, rank, 0.1, n_sweeps=3, seed=seed)
    np.testing.assert_array_equal(model.customer_factors, again.customer_factors)
    for bad in BAD_REALS + [0.0, -1.0]:
        refused(
            lambda bad=bad: fit_als(table, n_customers, n_products, rank, bad), "regularization"
        )
    for bad in BAD_SEEDS:
        refused(
            lambda bad=bad: fit_als(table, n_customers, n_products, rank, 0.1, seed=bad), "seed"
        )
    refused(lambda: fit_als(table, n_customers, n_products, 0, 0.1), "rank")


@settings(max_examples=15)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 1000))
def test_full_rank_svd_reproduces_every_known_rating(n_customers, n_products, seed):
    matrix = np.random.default_rng(seed).integers(1, 6, (n_customers, n_products)).astype(float)
    table = pair_table(np.zeros((n_customers, 1)), np.zeros((n_products, 1)), matrix)
    rank = min(n_customers, n_products)
    model = fit_svd(table, n_customers, n_products, rank, n_iterations=1, regularization=0)
    predicted = model.predict(table.customer_ids, table.product_ids)
    np.testing.assert_allclose(predicted, table.y, atol=1e-8)
    refused(lambda: fit_svd(table, n_customers, n_products, rank + 1), "rank")


# --- movielens


@st.composite
def rating_frames(draw):
    n = draw(st.integers(2, 30))
    users = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 4)))
    movies = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 6)))
    times = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 5)))
    ratings = draw(hnp.arrays(np.float32, n, elements=st.sampled_from([0.5, 1.0, 3.5, 5.0])))
    return pd.DataFrame({"user": users, "movie": movies, "rating": ratings, "timestamp": times})


@given(rating_frames(), st.floats(0.1, 0.9), st.integers(0, 1000))
def test_movielens_splits(ratings, fraction, seed):
    train, test = split_known(ratings, fraction, seed=seed)
    assert set(test["user"]) <= set(train["user"]) and set(test["movie"]) <= set(train["movie"])
    assert len(train) + len(test) <= len(ratings)
    train, test = split_last(ratings)
    assert len(train) + len(test) == len(ratings)
    assert test["user"].is_unique
    for _, row in test.iterrows():
        assert (train.loc[train["user"] == row["user"], "timestamp"] <= row["timestamp"]).all()
    table = as_pair_table(ratings)
    np.testing.assert_array_equal(table.customer_ids, ratings["user"])
    np.testing.assert_array_equal(table.y, ratings["rating"].astype(float))
    refused(lambda: split_known(ratings.drop(columns="timestamp")), "timestamp")
    refused(lambda: split_known(ratings, seed=1.5), "seed")
    refused(lambda: as_pair_table(ratings.to_numpy()), "ratings")


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=12, unique=True), st.data())
def test_movielens_ids_map_to_contiguous_ones_and_back(raw_ids, data):
    movie_ids = np.sort(np.array(raw_ids))
    n = len(movie_ids)
    years = data.draw(
        hnp.arrays(np.float64, n, elements=st.one_of(st.just(np.nan), st.floats(1900, 2020)))
    )
    movies = MovieLens(
        ratings=pd.DataFrame(),
        titles=np.array(["t"] * n),
        years=years,
        genres=np.zeros((n, 2), np.float32),
        genre_names=["a", "b"],
        user_ids=np.arange(1),
        movie_ids=movie_ids,
    )
    wanted = data.draw(st.lists(st.sampled_from(movie_ids.tolist()), max_size=5))
    positions = movies.to_contiguous(np.array(wanted, np.int64))
    np.testing.assert_array_equal(movie_ids[positions], wanted)
    features = movies.movie_features()
    assert features.shape == (n, 3) and np.isfinite(features).all()
    known = ~np.isnan(years)
    if known.sum() > 1 and np.ptp(years[known]) > 0:
        assert features[known, 2].mean() == pytest.approx(0, abs=1e-4)
    refused(lambda: movies.to_contiguous([movie_ids.max() + 1]), "movielens_movie_ids")
    refused(lambda: movies.to_contiguous([-1]), "movielens_movie_ids")


def test_load_movielens_is_public_and_typed():
    assert callable(load_movielens)  # its data are checked in test_movielens.py


# --- plots, config, reproducibility


@settings(max_examples=10)
@given(st.lists(finite, min_size=1, max_size=8), st.booleans(), st.one_of(st.none(), finite))
def test_learning_curves_plot_exactly_the_history(loss, with_validation, floor):
    history = {"loss": loss} | ({"val_loss": loss[::-1]} if with_validation else {})
    ax = plot_learning_curves(history, floor=floor)
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_ydata(), loss)
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(1, len(loss) + 1))
    if with_validation:
        np.testing.assert_array_equal(lines[1].get_ydata(), loss[::-1])
    assert len(lines) == 1 + with_validation + (floor is not None)
    plt.close(ax.figure)
    refused(lambda: plot_learning_curves({"val_loss": loss}), "history")


def test_config_defaults_are_usable():
    assert validation.check_seed("DEFAULT_SEED", config.DEFAULT_SEED) == config.DEFAULT_SEED
    assert config.MIN_STARS < config.MAX_STARS and config.DEFAULT_K >= 1
    assert config.RUNTIME_ENV["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert config.RUNTIME_ENV["TF_NUM_INTRAOP_THREADS"] == str(config.THREADS)


@given(st.sampled_from(BAD_SEEDS[:3] + [True]), st.text("0123", min_size=1, max_size=2))
def test_setup_refuses_bad_seeds_and_the_env_keeps_user_values(seed, value):
    refused(lambda: setup(seed), "seed")
    saved = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = value
    try:
        set_runtime_env()
        assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == value
    finally:
        if saved is None:
            del os.environ["TF_CPP_MIN_LOG_LEVEL"]
        else:
            os.environ["TF_CPP_MIN_LOG_LEVEL"] = saved


# --- models (Keras: few examples each, tiny models built once)

KERAS = settings(max_examples=8)


def _towers(dim=4):
    keras.utils.set_random_seed(0)
    return build_tower(5, (8,), dim, name="c"), build_tower(3, (8,), dim, name="p")


DOT = DotTwoTower(*_towers())
DOT.compile(loss="mse", optimizer="adam")
CONCAT = ConcatTwoTower(*_towers(), head_units=(4,))
CONCAT.compile(loss="mse", optimizer="adam")
MLP = build_mlp(4, (6, 3))
MLP.compile(loss="mse", optimizer="adam")

rows = st.integers(1, 12)


def _pairs(n_customers, n_products, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "customer": rng.normal(size=(n_customers, 5)).astype("float32"),
        "product": rng.normal(size=(n_products, 3)).astype("float32"),
    }


@KERAS
@given(rows, st.integers(0, 1000))
def test_pair_models_score_each_row_from_that_row_alone(n, seed):
    x = _pairs(n, n, seed)
    order = np.random.default_rng(seed).permutation(n)
    shuffled = {key: value[order] for key, value in x.items()}
    for model in (DOT, CONCAT):
        assert isinstance(model, PairModel)
        out = keras.ops.convert_to_numpy(model(x))
        assert out.shape == (n, 1)
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(model(shuffled)), out[order], rtol=1e-5, atol=1e-6
        )
    scores = DOT.embed_customers(x["customer"]) @ DOT.embed_products(x["product"]).T
    np.testing.assert_allclose(
        np.diag(scores), keras.ops.convert_to_numpy(DOT(x))[:, 0], rtol=1e-4, atol=1e-5
    )
    DOT.check_data(x, np.zeros(n))  # one row per pair: accepted


@KERAS
@given(rows, rows)
def test_pair_models_refuse_mismatched_rows_at_every_entry_point(n_customers, n_products):
    assume(n_customers != n_products)
    x = _pairs(n_customers, n_products)
    y = np.zeros(n_customers)
    good = _pairs(n_customers, n_customers)
    counts = f"customer features has {n_customers} rows, product features has {n_products}"
    for call in (
        lambda: DOT(x),
        lambda: DOT.predict(x, verbose=0),
        lambda: DOT.predict_on_batch(x),
        lambda: DOT.train_on_batch(x, y),
        lambda: DOT.test_on_batch(x, y),
        lambda: DOT.evaluate(x, y, verbose=0),
        lambda: DOT.fit(x, y, validation_split=0.5, verbose=0),
        lambda: CONCAT.fit(x, y, verbose=0),
    ):
        assert counts in refused(call, "customer features")
    refused(
        lambda: DOT.fit(good, y, sample_weight=np.ones(n_customers + 1), verbose=0), "sample weight"
    )
    refused(lambda: DOT.fit(good, y[:-1] if n_customers > 1 else y[:0], verbose=0), "targets")
    refused(lambda: DOT.fit(good, y, validation_data=(x, y), verbose=0), "validation_data")
    refused(lambda: DOT.fit([good["customer"], good["product"]], y, verbose=0), "x must be a dict")


@KERAS
@given(rows, st.integers(1, 4))
def test_pair_models_take_batched_datasets_and_refuse_the_rest(n, batch):
    c, p = _pairs(n, n).values()
    y = np.zeros(n, "float32")
    dataset = tf.data.Dataset.from_tensor_slices(({"customer": c, "product": p}, y)).batch(batch)
    history = DOT.fit(dataset, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["loss"][0])
    assert DOT.predict(dataset.map(lambda x, y: x), verbose=0).shape == (n, 1)
    refused(lambda: DOT.fit(dataset.unbatch(), verbose=0), "batch it first")
    refused(lambda: DOT.fit(dataset, y, verbose=0), "y and sample_weight must be None")


def test_zips_batched_before_zipping_stop_at_the_first_short_batch():
    c, p = _pairs(10, 11).values()
    y = np.zeros(10, "float32")
    zipped = tf.data.Dataset.zip(
        {
            "customer": tf.data.Dataset.from_tensor_slices(c).batch(4),
            "product": tf.data.Dataset.from_tensor_slices(p).batch(4),
        },
        tf.data.Dataset.from_tensor_slices(y).batch(4),
    )  # 3 batches each, but the last ones have 2 and 3 rows
    with pytest.raises(ValueError, match="x, a tf.data.Dataset, gave a batch with different row"):
        DOT.fit(zipped, verbose=0, shuffle=False)


@KERAS
@given(rows, rows, st.integers(0, 1000))
def test_the_mlp_refuses_mismatched_rows_and_keeps_rows_apart(n_x, n_y, seed):
    x = np.random.default_rng(seed).normal(size=(n_x, 4)).astype("float32")
    assert isinstance(MLP, RowCheckedModel)
    out = keras.ops.convert_to_numpy(MLP(x))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(MLP(x[::-1])), out[::-1], rtol=1e-5, atol=1e-6
    )
    if n_x != n_y:
        y = np.zeros(n_y)
        for call in (
            lambda: MLP.fit(x, y, validation_split=0.5, verbose=0),
            lambda: MLP.evaluate(x, y, verbose=0),
            lambda: MLP.train_on_batch(x, y),
            lambda: MLP.fit(x, np.zeros(n_x), sample_weight=np.ones(n_y), verbose=0),
        ):
            refused(call, "rows")
    refused(lambda: MLP(x[:, :3]), "columns")
    refused(lambda: MLP.predict(x[0], verbose=0), "x must be 2-D")


@KERAS
@given(
    st.integers(1, 5),
    st.lists(st.integers(1, 6), max_size=2),
    st.one_of(st.none(), st.integers(1, 4)),
)
def test_build_tower_and_build_mlp_shapes(n_features, hidden, dim):
    if not hidden and dim is None:
        refused(lambda: build_tower(n_features, tuple(hidden), dim), "hidden_units")
        return
    tower = build_tower(n_features, tuple(hidden), dim)
    assert tower.output_shape == (None, dim if dim is not None else hidden[-1])
    if hidden:
        model = build_mlp(n_features, tuple(hidden), output_activation="sigmoid")
        out = keras.ops.convert_to_numpy(model(np.ones((3, n_features)) * 50))
        assert out.shape == (3, 1) and ((0 <= out) & (out <= 1)).all()
    for bad in BAD_INTS:
        refused(lambda bad=bad: build_tower(bad, (4,)), "n_features")
        refused(lambda bad=bad: build_mlp(n_features, (bad,)), "hidden_units")


@KERAS
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 4)), min_size=1, max_size=10))
def test_history_embedding_equals_a_python_loop(history):
    customers, products = (np.array(column) for column in zip(*history, strict=True))
    layer = HistoryEmbedding(customers, products, 4, 5, 2)
    vectors = layer.product_vectors.numpy()
    everyone = np.arange(4)
    out = keras.ops.convert_to_numpy(layer(everyone))
    for customer in everyone:
        rated = products[customers == customer]
        expected = vectors[rated].sum(0) / np.sqrt(len(rated)) if len(rated) else np.zeros(2)
        np.testing.assert_allclose(out[customer], expected, rtol=1e-5, atol=1e-6)
    refused(lambda: layer(np.array([-1])), "customer_ids")
    refused(lambda: layer(np.array([4])), "customer_ids")
    refused(lambda: layer(np.array([0.5])), "customer_ids")
    refused(
        lambda: HistoryEmbedding(customers - 1 - customers.max(), products, 4, 5, 2), "customer_ids"
    )


RETRIEVAL = InBatchSoftmax(*_towers(), product_probability=np.ones(3) / 3, temperature=0.5)
RETRIEVAL.compile(optimizer="adam")


@settings(max_examples=5)
@given(st.integers(2, 6), st.integers(0, 1000))
def test_in_batch_softmax_evaluates_refuses_predict_and_checks_its_inputs(n, seed):
    rng = np.random.default_rng(seed)
    x = {
        "customer": rng.normal(size=(n, 5)),
        "product": rng.normal(size=(n, 3)),
        "product_id": rng.integers(0, 3, n),
    }
    loss = RETRIEVAL.evaluate(x, batch_size=n, verbose=0)
    assert np.isfinite(loss) and loss >= 0
    with pytest.raises(NotImplementedError, match="customer_tower"):
        RETRIEVAL.predict(x)
    refused(lambda: RETRIEVAL.fit(x | {"product_id": x["product_id"] - 3}, verbose=0), "product_id")
    refused(lambda: RETRIEVAL.evaluate(x | {"product": x["product"][:1]}, verbose=0), "rows")
    refused(lambda: RETRIEVAL.fit(x, np.zeros(n), verbose=0), "y must be None")


@given(
    st.sampled_from(BAD_REALS + [0.0, -1.0]),
    st.sampled_from([[0.5, 0.6, -0.1], [0.2, 0.2, 0.2], [np.nan, 0.5, 0.5], [[1.0]], "abc"]),
)
def test_in_batch_softmax_refuses_bad_temperatures_and_probabilities(temperature, probability):
    towers = (RETRIEVAL.customer_tower, RETRIEVAL.product_tower)
    refused(lambda: InBatchSoftmax(*towers, np.ones(3) / 3, temperature=temperature), "temperature")
    refused(lambda: InBatchSoftmax(*towers, probability), "product_probability")


if os.environ.get("COUNT_BAD_CALLS"):  # pragma: no cover - a tally for the maintainers' notes
    import atexit

    atexit.register(lambda: print(f"\nbad calls refused: {BAD_CALLS[0]}"))
