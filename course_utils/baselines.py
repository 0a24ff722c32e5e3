"""Baselines every neural network must beat: the global mean, biases, truncated SVD.

Introduced in notebooks/02_svd_baseline.py. They use customer and product ids only, never
features, so they cannot score a customer they have not seen: that is where neural
networks on features go beyond them.
"""

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from course_utils.config import DEFAULT_SEED
from course_utils.data import PairTable, check_table, to_matrix
from course_utils.validation import (
    as_index_array,
    check_positive_int,
    check_real,
    check_same_rows,
    check_seed,
)


@dataclass(frozen=True)
class BiasModel:
    """rating ≈ global mean + customer bias + product bias."""

    global_mean: float
    customer_bias: np.ndarray  # (n_customers,), 0 for customers never seen
    product_bias: np.ndarray  # (n_products,), 0 for products never seen
    seen_customers: np.ndarray  # (n_customers,) bool

    def predict(self, customer_ids, product_ids) -> np.ndarray:
        """Predicted rating of each (customer, product) pair. (n_pairs,)."""
        customers = as_index_array("customer_ids", customer_ids, upper=len(self.customer_bias))
        products = as_index_array("product_ids", product_ids, upper=len(self.product_bias))
        check_same_rows(customer_ids=customers, product_ids=products)
        return self.global_mean + self.customer_bias[customers] + self.product_bias[products]

    def predict_matrix(self) -> np.ndarray:
        """Predicted rating of every customer for every product. (n_customers, n_products)."""
        return self.global_mean + self.customer_bias[:, None] + self.product_bias[None, :]


def fit_biases(
    train: PairTable,
    n_customers: int,
    n_products: int,
    regularization: float = 5.0,
    n_sweeps: int = 10,
) -> BiasModel:
    """Fit regularised customer and product biases by alternating means.

    Each bias is the mean residual of its ratings, shrunk towards 0 by `regularization`
    pseudo-ratings, so a product with 2 ratings does not get an extreme bias. With
    `regularization=0` and `n_sweeps=1` the product bias is the plain mean residual.
    """
    check_table("train", train)
    check_positive_int("n_sweeps", n_sweeps)
    check_real("regularization", regularization, low=0.0)
    ratings = to_matrix(train, n_customers, n_products)
    known = ~np.isnan(ratings)
    if not known.any():
        raise ValueError("train has no ratings: there is nothing to fit")
    mean = float(np.nanmean(ratings))
    residual = np.where(known, ratings - mean, 0.0)
    customer_bias = np.zeros(n_customers)
    product_bias = np.zeros(n_products)
    for _ in range(n_sweeps):
        product_bias = _shrunk_mean(
            ((residual - customer_bias[:, None]) * known).sum(axis=0),
            known.sum(axis=0),
            regularization,
        )
        customer_bias = _shrunk_mean(
            ((residual - product_bias[None, :]) * known).sum(axis=1),
            known.sum(axis=1),
            regularization,
        )
    return BiasModel(mean, customer_bias, product_bias, known.any(axis=1))


def _shrunk_mean(total: np.ndarray, count: np.ndarray, regularization: float) -> np.ndarray:
    """total / (count + regularization), and 0 where there is nothing to average."""
    denominator = count + regularization
    return np.divide(total, denominator, out=np.zeros_like(total), where=denominator > 0)


@dataclass(frozen=True)
class FactorModel:
    """rating ≈ biases + customer_factors @ product_factors.T (truncated SVD or ALS)."""

    biases: BiasModel
    customer_factors: np.ndarray  # (n_customers, rank)
    product_factors: np.ndarray  # (n_products, rank)

    def predict(self, customer_ids, product_ids) -> np.ndarray:
        """Predicted rating of each (customer, product) pair. (n_pairs,).

        Raises ValueError for a customer with no ratings in training: SVD learns one row
        of factors per customer it has seen, and has nothing for anyone else.
        """
        customers = as_index_array("customer_ids", customer_ids, upper=len(self.customer_factors))
        products = as_index_array("product_ids", product_ids, upper=len(self.product_factors))
        check_same_rows(customer_ids=customers, product_ids=products)
        unseen = np.unique(customers[~self.biases.seen_customers[customers]])
        if unseen.size:
            raise ValueError(
                f"customer_ids holds {unseen.size} customers with no ratings in training "
                f"(first: {unseen[0]}); SVD has no factors for a customer it has never seen"
            )
        interaction = np.einsum(
            "ij,ij->i", self.customer_factors[customers], self.product_factors[products]
        )
        return self.biases.predict(customers, products) + interaction


def fit_svd(
    train: PairTable,
    n_customers: int,
    n_products: int,
    rank: int,
    n_iterations: int = 10,
    regularization: float = 5.0,
) -> FactorModel:
    """Fit biases, then a rank-`rank` truncated SVD of what they leave unexplained.

    SVD needs a full matrix, so the missing ratings are first filled with the biases'
    guess; each iteration then refills them with the current SVD's guess ("hard
    impute"), so the factors are fitted to the known ratings rather than to the fill.
    """
    check_table("train", train)
    check_positive_int("rank", rank)
    check_positive_int("n_iterations", n_iterations)
    check_positive_int("n_customers", n_customers)
    check_positive_int("n_products", n_products)
    if rank > min(n_customers, n_products):
        raise ValueError(
            f"rank must be at most min(n_customers, n_products) = "
            f"{min(n_customers, n_products)}, got {rank}"
        )
    biases = fit_biases(train, n_customers, n_products, regularization)
    ratings = to_matrix(train, n_customers, n_products)
    known = ~np.isnan(ratings)
    residual = np.where(known, ratings - biases.predict_matrix(), 0.0)
    estimate = np.zeros_like(residual)
    for _ in range(n_iterations):
        filled = np.where(known, residual, estimate)
        u, s, vt = scipy.linalg.svd(filled, full_matrices=False)
        estimate = (u[:, :rank] * s[:rank]) @ vt[:rank]
    customer_factors = u[:, :rank] * s[:rank]
    customer_factors[~biases.seen_customers] = 0.0
    return FactorModel(biases, customer_factors, vt[:rank].T)


def fit_als(
    train: PairTable,
    n_customers: int,
    n_products: int,
    rank: int,
    regularization: float,
    bias_regularization: float = 5.0,
    n_sweeps: int = 15,
    seed: int = DEFAULT_SEED,
) -> FactorModel:
    """Fit biases, then factors of what they leave, by alternating least squares.

    Introduced in notebooks/06_movielens.py. Unlike SVD, ALS fits only the known ratings,
    so a 98%-empty matrix is no problem. With customer factors fixed, each product's
    factors are a ridge regression on the ratings it has, and the other way round; the
    ridge penalty is `regularization` times the number of those ratings ("ALS-WR").
    A customer or product with no ratings gets zero factors, as in `fit_svd`.
    """
    check_table("train", train)
    check_positive_int("rank", rank)
    check_positive_int("n_sweeps", n_sweeps)
    check_real("regularization", regularization, low=0.0, low_inclusive=False)
    check_real("bias_regularization", bias_regularization, low=0.0)
    check_seed("seed", seed)
    biases = fit_biases(train, n_customers, n_products, bias_regularization, n_sweeps=1)
    customers, products = train.customer_ids, train.product_ids
    residual = train.y - biases.predict(customers, products)
    rng = np.random.default_rng(seed)
    customer_factors = rng.normal(0, 0.1, (n_customers, rank))
    product_factors = rng.normal(0, 0.1, (n_products, rank))
    rows_of_customer = _rows_by_id(customers, n_customers)
    rows_of_product = _rows_by_id(products, n_products)
    for _ in range(n_sweeps):
        _ridge_rows(
            customer_factors, rows_of_customer, product_factors[products], residual, regularization
        )
        _ridge_rows(
            product_factors, rows_of_product, customer_factors[customers], residual, regularization
        )
    # Nobody rated these: no data moved them from their random start. Zero, as fit_svd does,
    # so their predictions are the biases'. (No other factor depends on them.)
    customer_factors[np.bincount(customers, minlength=n_customers) == 0] = 0.0
    product_factors[np.bincount(products, minlength=n_products) == 0] = 0.0
    return FactorModel(biases, customer_factors, product_factors)


def _rows_by_id(ids: np.ndarray, n: int) -> list[np.ndarray]:
    """For each id 0..n-1, the positions of the rows that hold it."""
    order = np.argsort(ids, kind="stable")
    return np.split(order, np.cumsum(np.bincount(ids, minlength=n))[:-1])


def _ridge_rows(factors, rows_of, other, residual, regularization) -> None:
    """Solve each row of `factors` in place: a ridge regression of its residuals on `other`."""
    identity = np.eye(factors.shape[1])
    for index, rows in enumerate(rows_of):
        if len(rows):
            x = other[rows]
            penalty = regularization * len(rows) * identity
            factors[index] = np.linalg.solve(x.T @ x + penalty, x.T @ residual[rows])
