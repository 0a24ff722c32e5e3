"""Top-k against a full argsort, exclusion, batched scoring, and bad input."""

import numpy as np
import pytest

from course_utils.recommend import pair_features, predict_pairs, score_all, top_k


def naive_top_k(scores, k):
    """Reference: sort every product by (-score, id) and keep k."""
    return np.array([sorted(range(len(row)), key=lambda j: (-row[j], j))[:k] for row in scores])


@pytest.mark.parametrize("seed", range(20))
def test_top_k_agrees_with_a_full_sort_even_with_ties(seed):
    rng = np.random.default_rng(seed)
    n_products = int(rng.integers(1, 30))
    scores = rng.integers(0, 4, size=(6, n_products)).astype(float)  # many ties
    k = int(rng.integers(1, n_products + 1))
    result = top_k(scores, k)
    assert result.shape == (6, k) and result.dtype == np.int64
    np.testing.assert_array_equal(result, naive_top_k(scores, k))


def test_top_k_on_continuous_scores_matches_argsort():
    scores = np.random.default_rng(0).normal(size=(50, 200))
    np.testing.assert_array_equal(top_k(scores, 7), np.argsort(-scores, axis=1)[:, :7])


def test_top_k_is_best_first_and_flat():
    assert top_k(np.array([[0.1, 0.9, 0.5, 0.7]]), 3).tolist() == [[1, 3, 2]]


def test_exclude_removes_products_already_seen():
    scores = np.array([[0.1, 0.9, 0.5, 0.7]])
    exclude = np.array([[False, True, False, False]])
    assert top_k(scores, 3, exclude=exclude).tolist() == [[3, 2, 0]]


def test_score_all_puts_customer_i_product_j_at_i_j():
    class SumModel:
        """A stand-in model: the score of a pair is customer feature * 10 + product feature."""

        def predict(self, features, batch_size, verbose):
            return (features[:, 0] * 10 + features[:, 1]).reshape(-1, 1)

    customers, products = np.array([[1.0], [2.0], [3.0]]), np.array([[0.0], [5.0]])
    np.testing.assert_array_equal(
        score_all(SumModel(), customers, products), [[10, 15], [20, 25], [30, 35]]
    )
    assert pair_features(customers, products).shape == (6, 2)


@pytest.mark.parametrize(
    ("scores", "k", "exclude", "message"),
    [
        (np.zeros((2, 5)), 0, None, "k must be an int >= 1, got 0"),
        (np.zeros((2, 5)), 6, None, "k must be at most the number of products, 5; got 6"),
        (np.array([[0.0, np.nan]]), 1, None, "scores contains 1 NaN values"),
        (np.zeros(5), 1, None, r"scores must be 2-D, got shape \(5,\)"),
        (
            np.zeros((1, 3)),
            2,
            np.array([[True, True, False]]),
            "customer 0 has only 1 products left",
        ),
        (np.zeros((1, 3)), 2, np.zeros((1, 3)), "exclude must be a bool array of shape"),
    ],
)
def test_bad_input_raises(scores, k, exclude, message):
    with pytest.raises(ValueError, match=message):
        top_k(scores, k, exclude=exclude)


# --- issue 22: the model's width and the batch size, checked before Keras sees them


@pytest.fixture(scope="module")
def mlp():
    from course_utils import setup

    setup(seed=0)
    from course_utils.models import build_mlp

    return build_mlp(5, (4,))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda m: score_all(m, np.zeros((2, 3)), np.zeros((4, 3))),
            "customer_features has 3 columns and product_features 3: rows of 6 features, "
            "but the model takes 5",
        ),
        (
            lambda m: predict_pairs(m, np.zeros((2, 4))),
            "features has 4 columns, but the model takes 5",
        ),
        (
            lambda m: predict_pairs(m, np.zeros((2, 5)), batch_size=0),
            "batch_size must be an int >= 1",
        ),
        (
            lambda m: score_all(m, np.zeros((2, 2)), np.zeros((4, 3)), 2.5),
            "batch_size must be an int",
        ),
        (lambda m: top_k(np.zeros((2, 0)), 1), "scores has shape (2, 0): no products (columns)"),
    ],
)
def test_issue_22_wrong_calls_are_refused_by_name(mlp, call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call(mlp)
    assert str(caught.value).splitlines()[0].startswith(message)
