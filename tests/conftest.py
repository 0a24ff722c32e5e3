"""Tiny fixtures shared by the unit tests."""

import os

import pytest
from hypothesis import HealthCheck, settings

from course_utils.data import make_world, pair_table

# Hypothesis (tests/properties/): "ci" is short and derandomised, so `make test` is
# quick and gives the same examples every run; "dev" searches longer (HYPOTHESIS_PROFILE=dev).
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "dev", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def small_world():
    """A world small enough to check by hand: 40 customers, 7 products."""
    return make_world(n_customers=40, n_products=7, seed=3)


@pytest.fixture(scope="session")
def small_table(small_world):
    return pair_table(
        small_world.customer_features, small_world.product_features, small_world.ratings
    )
