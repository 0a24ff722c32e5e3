"""Streaming top-k and the recommender: the same answers as the whole score matrix."""

import numpy as np
import pytest

from course_utils.recommend import top_k
from course_utils.serving import Recommender, top_k_dot, top_k_streaming


def _blocks(scores, size):
    return (scores[:, start : start + size] for start in range(0, scores.shape[1], size))


@pytest.mark.parametrize("block_size", [1, 3, 7, 40, 100])
@pytest.mark.parametrize("k", [1, 5, 12])
def test_streaming_equals_top_k_on_the_whole_matrix_ties_included(block_size, k):
    scores = np.random.default_rng(k).integers(0, 4, size=(9, 40)).astype(float)  # many ties
    ids, best = top_k_streaming(_blocks(scores, block_size), k)
    np.testing.assert_array_equal(ids, top_k(scores, k))
    np.testing.assert_array_equal(best, np.take_along_axis(scores, ids, axis=1))


def test_top_k_dot_equals_top_k_of_the_product():
    rng = np.random.default_rng(0)
    customers, products = rng.normal(size=(6, 4)), rng.normal(size=(1001, 4))
    ids, scores = top_k_dot(customers, products, 10, block_size=100)
    assert ids.shape == scores.shape == (6, 10)
    np.testing.assert_array_equal(ids, top_k(customers @ products.T, 10))
    np.testing.assert_allclose(scores, np.sort(customers @ products.T, axis=1)[:, ::-1][:, :10])


def test_a_perfect_match_is_found_in_any_block():
    products = np.eye(50)
    ids, _ = top_k_dot(products[[3, 27, 49]], products, 1, block_size=8)
    assert ids.ravel().tolist() == [3, 27, 49]


@pytest.mark.parametrize(
    ("blocks", "k", "message"),
    [
        ([], 1, "score_blocks was empty"),
        ([np.zeros((2, 3))], 4, "k must be at most the number of products, 3; got 4"),
        ([np.zeros((2, 3)), np.zeros((3, 3))], 1, "score block 1 has 3 customers, earlier .* 2"),
        ([np.zeros(3)], 1, r"score block 0 must be 2-D, got shape \(3,\)"),
        ([np.zeros((2, 3))], 0, "k must be an int >= 1, got 0"),
    ],
)
def test_streaming_refuses_bad_blocks(blocks, k, message):
    with pytest.raises(ValueError, match=message):
        top_k_streaming(iter(blocks), k)


def test_top_k_dot_refuses_vectors_of_different_lengths():
    with pytest.raises(ValueError, match="customer_vectors have 3 columns but product_vectors"):
        top_k_dot(np.zeros((2, 3)), np.zeros((5, 4)), 1)


# --- The recommender, on a stand-in model whose embeddings are the features themselves


class IdentityTowers:
    def embed_customers(self, features):
        return np.asarray(features, float)

    def embed_products(self, features):
        return np.asarray(features, float)


@pytest.fixture
def catalogue():
    return np.random.default_rng(3).normal(size=(200, 5))


def test_recommend_equals_top_k_of_all_scores(catalogue):
    customers = np.random.default_rng(4).normal(size=(7, 5))
    ids, scores = Recommender(IdentityTowers(), catalogue, block_size=32).recommend(customers, 10)
    np.testing.assert_array_equal(ids, top_k(customers @ catalogue.T, 10))
    np.testing.assert_allclose(scores, np.take_along_axis(customers @ catalogue.T, ids, axis=1))


def test_recommend_excludes_each_customers_own_products(catalogue):
    customers = np.random.default_rng(5).normal(size=(3, 5))
    scores = customers @ catalogue.T
    exclude = [top_k(scores, 4)[0], np.array([], int), top_k(scores, 1)[2]]
    mask = np.zeros(scores.shape, bool)
    for row, gone in enumerate(exclude):
        mask[row, gone] = True
    ids, _ = Recommender(IdentityTowers(), catalogue).recommend(customers, 6, exclude=exclude)
    np.testing.assert_array_equal(ids, top_k(scores, 6, exclude=mask))


def test_an_added_product_is_recommended_without_retraining(catalogue):
    recommender = Recommender(IdentityTowers(), catalogue)
    customer = np.ones((1, 5))
    new_ids = recommender.add_products(100 * np.ones((1, 5)))  # far better than any other
    assert new_ids.tolist() == [200] and recommender.n_products == 201
    assert recommender.recommend(customer, 1)[0][0, 0] == 200


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.recommend(np.ones((2, 5)), 3, exclude=[[1]]), "2 customers, got 1 arrays"),
        (lambda r: r.recommend(np.ones((1, 5)), 3, exclude=[[200]]), "exclude\\[0\\] has id 200"),
        (lambda r: r.recommend(np.ones((1, 5)), 200, exclude=[[1]]), "k=200 and 1 excluded"),
        (lambda r: r.recommend(np.ones(5), 3), r"customer_features must be 2-D, got shape \(5,\)"),
    ],
)
def test_recommend_refuses_bad_requests(catalogue, call, message):
    with pytest.raises(ValueError, match=message):
        call(Recommender(IdentityTowers(), catalogue))


def test_recommend_with_a_dot_two_tower_ranks_by_the_models_own_scores():
    from course_utils import setup

    setup(seed=1)
    from course_utils.models import DotTwoTower, build_tower
    from course_utils.recommend import pair_features

    model = DotTwoTower(build_tower(5, (8,), 4, name="c"), build_tower(3, (8,), 4, name="p"))
    rng = np.random.default_rng(6)
    customers, products = rng.normal(size=(4, 5)), rng.normal(size=(30, 3))
    pairs = pair_features(customers, products)  # customer-major: row i * 30 + j is (i, j)
    through_model = model.predict(
        {"customer": pairs[:, :5], "product": pairs[:, 5:]}, verbose=0
    ).reshape(4, 30)
    ids, scores = Recommender(model, products, block_size=7).recommend(customers, 5)
    np.testing.assert_allclose(scores, np.take_along_axis(through_model, ids, axis=1), atol=1e-5)
    np.testing.assert_allclose(scores, np.sort(through_model, axis=1)[:, ::-1][:, :5], atol=1e-5)


def test_euclidean_transform_turns_the_highest_dot_product_into_the_nearest():
    from course_utils.serving import inner_product_to_euclidean

    rng = np.random.default_rng(8)
    products = rng.normal(size=(300, 6)) * rng.uniform(0.1, 3, size=(300, 1))  # mixed norms
    customers = rng.normal(size=(5, 6))
    products_plus, customers_plus = inner_product_to_euclidean(products, customers)
    assert products_plus.shape == (300, 7) and customers_plus.shape == (5, 7)
    norms = np.linalg.norm(products_plus, axis=1)
    np.testing.assert_allclose(norms, norms.max(), rtol=1e-5)  # every product on one sphere
    distances = ((customers_plus[:, None, :] - products_plus[None, :, :]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(
        np.argsort(distances, axis=1)[:, :10], top_k(customers @ products.T, 10)
    )
    with pytest.raises(ValueError, match="customer_vectors have 2 columns but product_vectors"):
        inner_product_to_euclidean(products, np.zeros((1, 2)))


# --- issue 13: masks read as ids, and ties between identical products


def test_a_0_1_integer_mask_is_refused_and_a_bool_mask_works(catalogue):
    recommender = Recommender(IdentityTowers(), catalogue)
    customers = np.random.default_rng(6).normal(size=(2, 5))
    mask = np.zeros((2, 200), int)
    mask[0, top_k(customers @ catalogue.T, 3)[0]] = 1
    with pytest.raises(ValueError, match=r"exclude is a 0/1 int64 matrix .* is it a mask\?"):
        recommender.recommend(customers, 3, exclude=mask)
    ids, _ = recommender.recommend(customers, 3, exclude=mask.astype(bool))
    np.testing.assert_array_equal(ids, top_k(customers @ catalogue.T, 3, exclude=mask == 1))
    with pytest.raises(ValueError, match=r"bool mask must have shape .* \(2, 200\), got \(2, 5\)"):
        recommender.recommend(customers, 3, exclude=np.zeros((2, 5), bool))


def test_identical_products_tie_and_go_to_the_lower_id_in_any_block():
    """Identical vectors in different blocks: BLAS may score them an ulp apart; not here."""
    rng = np.random.default_rng(0)
    products = rng.normal(size=(64, 33))
    products[[20, 41, 63]] = products[5]
    customers = rng.normal(size=(30, 33))
    for block_size in (1, 6, 21, 64):
        ids, scores = top_k_dot(customers, products, 64, block_size)
        for row, row_scores in zip(ids, scores, strict=True):
            where = [list(row).index(i) for i in (5, 20, 41, 63)]
            assert where == list(range(where[0], where[0] + 4)), (block_size, where)
            assert len(set(row_scores[where])) == 1
    recommender = Recommender(IdentityTowers(), products, block_size=7)
    ids, _ = recommender.recommend(customers, 64)
    np.testing.assert_array_equal(ids, top_k_dot(customers, products, 64, 64)[0])


def test_scores_that_overflow_are_refused():
    with pytest.raises(ValueError, match="overflows to inf or NaN"):
        top_k_dot(np.full((1, 2), 1e200), np.full((3, 2), 1e200), 1)


def test_products_with_the_same_features_tie_even_through_a_rounding_tower():
    """A tower that rounds differently by position (as a batched matmul may) must not
    decide the order of two products with the same features."""

    class PositionalTowers(IdentityTowers):
        def embed_products(self, features):
            features = np.asarray(features, float)
            return features + 1e-12 * np.arange(len(features))[:, None]  # an ulp-sized drift

    products = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    ids, scores = Recommender(PositionalTowers(), products).recommend(np.array([[1.0, 0.0]]), 4)
    assert ids.tolist() == [[0, 2, 3, 1]] and len(set(scores[0, :3])) == 1


# --- issue 22: a feature matrix of the wrong width is refused by name, not by Keras


@pytest.fixture(scope="module")
def dot_model():
    from course_utils import setup

    setup(seed=2)
    from course_utils.models import DotTwoTower, build_tower

    return DotTwoTower(build_tower(5, (4,), 3, name="c"), build_tower(3, (4,), 3, name="p"))


def test_recommender_refuses_features_of_the_wrong_width(dot_model):
    with pytest.raises(ValueError) as caught:
        Recommender(dot_model, np.zeros((4, 2)))
    first_line = "product_features has 2 columns, but the model's product tower takes 3"
    assert str(caught.value).splitlines()[0] == first_line
    recommender = Recommender(dot_model, np.zeros((4, 3)))
    with pytest.raises(ValueError) as caught:
        recommender.recommend(np.zeros((2, 6)), 1)
    first_line = "customer_features has 6 columns, but the model's customer tower takes 5"
    assert str(caught.value).splitlines()[0] == first_line
    with pytest.raises(ValueError, match="^product_features has 4 columns, but the model's"):
        recommender.add_products(np.zeros((1, 4)))


def test_recommender_refuses_a_model_without_embeddings(catalogue):
    with pytest.raises(TypeError, match="^model must have embed_customers and embed_products"):
        Recommender(object(), catalogue)


def test_empty_catalogues_and_non_iterables_are_refused_by_name():
    with pytest.raises(ValueError, match=r"^product_vectors has shape \(0, 2\): no products$"):
        top_k_dot(np.zeros((1, 2)), np.zeros((0, 2)), 1)
    with pytest.raises(TypeError, match="^score_blocks must be an iterable .* got NoneType$"):
        top_k_streaming(None, 1)
