"""Properties of course_utils.baselines (Hypothesis).

Biases, ALS and SVD against their definitions on generated ratings.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils.baselines import BiasModel, FactorModel, fit_als, fit_biases, fit_svd
from course_utils.data import (
    PairTable,
    pair_table,
)
from tests.properties.strategies import (
    refused,
)


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
