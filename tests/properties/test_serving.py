"""Properties of course_utils.serving (Hypothesis).

Streaming top-k, the dot-product retriever and the recommender against top_k.
"""

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils.recommend import top_k
from course_utils.serving import (
    Recommender,
    inner_product_to_euclidean,
    top_k_dot,
    top_k_streaming,
)
from tests.properties.strategies import (
    matrices,
    refused,
    scores_and_k,
    whole,
)


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
