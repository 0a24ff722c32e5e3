"""Global mean, biases and truncated SVD."""

import numpy as np
import pandas as pd
import pytest

from course_utils.baselines import fit_als, fit_biases, fit_svd
from course_utils.data import PairTable, pair_table, split_customers, split_pairs


def _table(matrix):
    return pair_table(np.zeros((matrix.shape[0], 1)), np.zeros((matrix.shape[1], 1)), matrix)


def test_biases_recover_an_exact_additive_matrix():
    customer, product = np.array([0.5, -1.0, 0.0, 0.5]), np.array([1.0, 0.0, -1.0])
    matrix = 3 + customer[:, None] + product[None, :]
    model = fit_biases(_table(matrix), 4, 3, regularization=0, n_sweeps=50)
    np.testing.assert_allclose(model.predict_matrix(), matrix, atol=1e-6)


def test_unregularised_product_bias_after_one_sweep_is_the_mean_residual():
    matrix = np.array([[1.0, 5.0], [3.0, 5.0]])
    model = fit_biases(_table(matrix), 2, 2, regularization=0, n_sweeps=1)
    assert model.global_mean == 3.5
    np.testing.assert_allclose(model.product_bias, [-1.5, 1.5])


def test_regularisation_shrinks_biases_towards_zero():
    rng = np.random.default_rng(0)
    table = _table(rng.integers(1, 6, (20, 6)).astype(float))
    loose, tight = fit_biases(table, 20, 6, 0.0), fit_biases(table, 20, 6, 50.0)
    assert np.abs(tight.customer_bias).sum() < np.abs(loose.customer_bias).sum()


def test_unseen_customers_get_zero_bias(small_table):
    train, test = split_customers(small_table, 0.25, seed=0)
    model = fit_biases(train, 40, 7)
    assert np.all(model.customer_bias[np.unique(test.customer_ids)] == 0)
    assert model.predict(test.customer_ids, test.product_ids).shape == (len(test),)


def test_full_rank_svd_reproduces_a_complete_matrix():
    rng = np.random.default_rng(1)
    matrix = rng.normal(3, 1, (8, 5))
    model = fit_svd(_table(matrix), 8, 5, rank=5, n_iterations=1, regularization=0)
    predicted = model.predict(np.repeat(np.arange(8), 5), np.tile(np.arange(5), 8))
    np.testing.assert_allclose(predicted.reshape(8, 5), matrix, atol=1e-8)


def test_svd_fills_the_holes_of_a_low_rank_matrix_far_better_than_biases():
    rng = np.random.default_rng(2)
    matrix = 3 + rng.normal(size=(200, 2)) @ rng.normal(size=(2, 20))
    train, test = split_pairs(_table(matrix), 0.2, seed=0)
    biases = fit_biases(train, 200, 20, regularization=0)
    svd = fit_svd(train, 200, 20, rank=2, n_iterations=20, regularization=0)

    def rmse(model):
        return np.sqrt(np.mean((model.predict(test.customer_ids, test.product_ids) - test.y) ** 2))

    assert rmse(svd) < 0.2 * rmse(biases)


def test_hard_impute_improves_on_one_pass_svd():
    rng = np.random.default_rng(3)
    matrix = 3 + rng.normal(size=(200, 2)) @ rng.normal(size=(2, 20))
    train, test = split_pairs(_table(matrix), 0.2, seed=0)
    errors = {}
    for n_iterations in (1, 20):
        model = fit_svd(train, 200, 20, rank=2, n_iterations=n_iterations, regularization=0)
        errors[n_iterations] = np.mean(
            (model.predict(test.customer_ids, test.product_ids) - test.y) ** 2
        )
    assert errors[20] < 0.5 * errors[1]


def test_svd_refuses_customers_it_has_never_seen(small_table):
    train, test = split_customers(small_table, 0.25, seed=0)
    model = fit_svd(train, 40, 7, rank=2)
    with pytest.raises(ValueError, match="10 customers with no ratings in training"):
        model.predict(test.customer_ids, test.product_ids)


def test_svd_refuses_bad_ranks(small_table):
    with pytest.raises(ValueError, match="rank must be at most min"):
        fit_svd(small_table, 40, 7, rank=8)
    with pytest.raises(ValueError, match="rank must be an int >= 1, got 0"):
        fit_svd(small_table, 40, 7, rank=0)


def test_bias_predict_refuses_mismatched_ids(small_table):
    model = fit_biases(small_table, 40, 7)
    with pytest.raises(ValueError, match="customer_ids has 3 rows, product_ids has 2 rows"):
        model.predict([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="product_ids has id 7, but there are only 7"):
        model.predict([0], [7])


def test_table_ids_beyond_the_sizes_are_refused():
    table = PairTable(np.array([5]), np.array([0]), np.zeros((1, 1)), np.zeros((1, 1)), np.ones(1))
    with pytest.raises(ValueError, match="table.customer_ids has id 5, but n_customers is 3"):
        fit_biases(table, 3, 1)


# --- issue 22: a table that is not a PairTable, and each argument by its own name


def test_issue_22_wrong_calls_are_refused_by_name(small_table):
    for fit in (fit_biases, fit_svd):
        with pytest.raises(TypeError, match="^train must be a PairTable .*, got DataFrame$"):
            fit(pd.DataFrame({"user": [0]}), 40, 7, *([1] if fit is fit_svd else []))
    with pytest.raises(ValueError, match="^bias_regularization must be finite, got nan$"):
        fit_als(small_table, 40, 7, 2, 0.1, bias_regularization=float("nan"))
    model = fit_svd(small_table, 40, 7, 2)
    with pytest.raises(
        ValueError, match="^row counts differ: customer_ids has 2 rows, product_ids"
    ):
        model.predict([0, 1], [0])
