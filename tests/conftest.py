"""Tiny fixtures shared by the unit tests."""

import pytest

from course_utils.data import make_world, pair_table


@pytest.fixture(scope="session")
def small_world():
    """A world small enough to check by hand: 40 customers, 7 products."""
    return make_world(n_customers=40, n_products=7, seed=3)


@pytest.fixture(scope="session")
def small_table(small_world):
    return pair_table(
        small_world.customer_features, small_world.product_features, small_world.ratings
    )
