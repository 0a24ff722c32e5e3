"""Properties of course_utils.purchase_logs (Hypothesis): sampled purchases of notebook 10."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils.data import make_taste_model
from course_utils.purchase_logs import sample_purchases


@given(st.integers(1, 30), st.integers(2, 40), st.integers(1, 40), st.integers(0, 1000))
def test_sample_purchases_buys_distinct_products_per_customer(n_customers, n_products, k, seed):
    rng = np.random.default_rng(seed)
    customers, products = rng.uniform(-1, 1, (n_customers, 5)), rng.uniform(-1, 1, (n_products, 10))
    taste = make_taste_model(seed=seed)
    if k > n_products:
        with pytest.raises(ValueError, match="per_customer"):
            next(sample_purchases(taste, customers, products, k, seed=seed))
        return
    pairs = np.concatenate(list(sample_purchases(taste, customers, products, k, 7, seed=seed)))
    assert pairs.shape == (n_customers * k, 2)
    for customer in range(n_customers):
        bought = pairs[pairs[:, 0] == customer, 1]
        assert len(bought) == k == len(set(bought.tolist()))
        assert ((0 <= bought) & (bought < n_products)).all()
