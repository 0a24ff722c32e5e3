"""Checks for the exercises of notebooks/01_synthetic_data.py: pairing features with labels."""

import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    as_array,
    attempt,
    correct,
    pair,
    run_check,
    wrong,
)

# A world small enough to work out by hand: 3 customers with 2 features, 2 products with 1.
_CUSTOMERS = np.array([[10.0, 11.0], [20.0, 21.0], [30.0, 31.0]])
_PRODUCTS = np.array([[0.5], [0.7]])
_RATINGS = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # _RATINGS[i, j]: customer i, product j


def check_pair_rows(pair_rows) -> CheckResult:
    """Check `pair_rows(customer_features, product_features, ratings) -> (X, y)`.

    Row `i * n_products + j` of X must be customer i's features then product j's, and
    y's same row must be ratings[i, j].
    """
    exercise = "pair_rows"

    def body() -> CheckResult:
        result = attempt(pair_rows, _CUSTOMERS.copy(), _PRODUCTS.copy(), _RATINGS.copy())
        features, labels = pair(result, "(X, y)")
        features, labels = as_array(features, "X"), as_array(labels, "y")
        if features.shape != (6, 3):
            return wrong(
                exercise,
                f"with 3 customers (2 features) and 2 products (1 feature), X should have "
                f"shape (6, 3): one row per pair, customer features then product features. "
                f"Yours has shape {features.shape}.",
            )
        if labels.shape != (6,):
            return wrong(
                exercise, f"y should have shape (6,), one rating per row; yours has {labels.shape}."
            )
        expected = np.column_stack([np.repeat(_CUSTOMERS, 2, axis=0), np.tile(_PRODUCTS, (3, 1))])
        if np.allclose(features[:, 2:], np.repeat(_PRODUCTS, 3, axis=0)) and not np.allclose(
            features, expected
        ):
            return wrong(
                exercise,
                "your product column reads 0.5, 0.5, 0.5, 0.7, ...: products are repeated "
                "where they should be tiled. Row 1 is (customer 0, product 1), so products "
                "must cycle 0.5, 0.7, 0.5, ... (np.tile), while each customer repeats "
                "(np.repeat).",
            )
        if not np.allclose(features, expected):
            return wrong(
                exercise,
                f"row 1 should be (customer 0, product 1) = {expected[1].tolist()}, "
                f"yours is {features[1].tolist()}.",
            )
        if np.allclose(labels, _RATINGS.T.reshape(-1)):
            return wrong(
                exercise,
                "y is product-major (ratings.T.reshape(-1)) while X is customer-major: the "
                "seed's bug. Row 1 is (customer 0, product 1), so y[1] must be ratings[0, 1] "
                "= 2.0.",
            )
        if not np.allclose(labels, _RATINGS.reshape(-1)):
            return wrong(
                exercise,
                f"y should be {_RATINGS.reshape(-1).tolist()} (ratings[i, j] in row "
                f"i * n_products + j); yours is {labels.tolist()}.",
            )
        return correct(
            exercise, "every row pairs a customer's and a product's features with their rating."
        )

    return run_check(exercise, body)
