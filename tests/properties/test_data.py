"""Properties of course_utils.data (Hypothesis).

The synthetic world, the pair table, sampling and the splits.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_utils.data import (
    PairTable,
    SyntheticWorld,
    TasteModel,
    make_taste_model,
    make_world,
    pair_table,
    sample_pairs,
    split_customers,
    split_pairs,
    star_distribution,
    to_matrix,
    truncated_normal_features,
)
from tests.properties.strategies import (
    matrices,
    refused,
)


@given(st.integers(1, 30), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_truncated_normal_features_are_in_minus_1_1_and_follow_the_seed(rows, cols, seed):
    a = truncated_normal_features(rows, cols, np.random.default_rng(seed))
    b = truncated_normal_features(rows, cols, np.random.default_rng(seed))
    c = truncated_normal_features(rows, cols, np.random.default_rng(seed + 1))
    assert a.shape == (rows, cols) and np.all(np.abs(a) <= 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)  # a different seed draws different features
    refused(lambda: truncated_normal_features(rows, cols, seed), "rng")
    refused(lambda: truncated_normal_features(0, cols, np.random.default_rng(0)), "n_rows")


@given(matrices(rows=(1, 4), cols=(1, 4), elements=st.floats(-10, 10)), st.floats(0.01, 5))
def test_star_distribution_is_a_distribution(latent, noise_sd):
    probabilities = star_distribution(latent, noise_sd)
    assert probabilities.shape == (*latent.shape, 5) and (probabilities >= 0).all()
    np.testing.assert_allclose(probabilities.sum(-1), 1.0)
    refused(lambda: star_distribution(latent * np.nan, noise_sd), "latent")


world_sizes = st.tuples(st.integers(2, 12), st.integers(2, 8), st.integers(0, 1000))


@settings(max_examples=10)
@given(world_sizes)
def test_a_world_is_consistent_and_follows_its_seed(sizes):
    n_customers, n_products, seed = sizes
    world = make_world(n_customers, n_products, seed=seed)
    assert isinstance(world, SyntheticWorld) and isinstance(world.taste, TasteModel)
    assert world.ratings.shape == (n_customers, n_products) == world.expected.shape
    assert world.ratings.min() >= 1 and world.ratings.max() <= 5
    assert set(np.unique(world.purchases)) <= {0, 1}
    assert ((0 <= world.purchase_probability) & (world.purchase_probability <= 1)).all()
    taste = world.taste
    variance = taste.rating_variance(world.customer_features, world.product_features)
    assert world.noise_floor == pytest.approx(variance.mean()) and (variance >= 0).all()
    expected = taste.expected_ratings(world.customer_features, world.product_features)
    assert ((expected >= 1) & (expected <= 5)).all()
    latent = taste.latent(world.customer_features, world.product_features)
    np.testing.assert_allclose(
        taste.purchase_probability(world.customer_features, world.product_features),
        1 / (1 + np.exp(-3 * (latent - taste.purchase_threshold))),
    )
    again = make_world(n_customers, n_products, seed=seed)
    other = make_world(n_customers, n_products, seed=seed + 1)
    np.testing.assert_array_equal(world.ratings, again.ratings)
    assert not np.array_equal(world.customer_features, other.customer_features)
    assert not np.array_equal(
        make_taste_model(seed=seed).customer_weights,
        make_taste_model(seed=seed + 1).customer_weights,
    )
    refused(
        lambda: taste.latent(world.customer_features[:, :1], world.product_features), "customer"
    )


@st.composite
def tables(draw, min_customers=1, min_products=1):
    n_customers = draw(st.integers(min_customers, 6))
    n_products = draw(st.integers(min_products, 5))
    customers = draw(matrices(rows=(n_customers,) * 2, cols=(1, 3)))
    products = draw(matrices(rows=(n_products,) * 2, cols=(1, 3)))
    targets = draw(matrices(rows=(n_customers,) * 2, cols=(n_products,) * 2))
    return customers, products, targets


@given(tables())
def test_pair_table_row_r_is_customer_r_div_n_and_product_r_mod_n(case):
    customers, products, targets = case
    table = pair_table(customers, products, targets)
    n_products = len(products)
    assert isinstance(table, PairTable) and len(table) == targets.size
    for r in range(len(table)):
        i, j = divmod(r, n_products)
        assert (table.customer_ids[r], table.product_ids[r]) == (i, j)
        np.testing.assert_array_equal(table.customer_x[r], customers[i])
        np.testing.assert_array_equal(table.product_x[r], products[j])
        assert table.y[r] == targets[i, j]
    np.testing.assert_array_equal(table.features[:, : customers.shape[1]], table.customer_x)
    assert table.tower_inputs["product"] is table.product_x
    np.testing.assert_array_equal(to_matrix(table, *targets.shape), targets)
    reversed_ = table.take(np.arange(len(table))[::-1])
    np.testing.assert_array_equal(reversed_.y, table.y[::-1])
    refused(lambda: pair_table(customers, products, targets.T[:, :0]), "targets")
    refused(lambda: table.take([len(table)]), "rows")
    refused(lambda: table.take([0.5]), "rows")
    refused(lambda: to_matrix(table.take([0, 0]), *targets.shape), "more than once")
    refused(lambda: PairTable(table.customer_ids[:0], *list(vars(table).values())[1:]), "rows")


@given(tables(min_products=2), st.integers(0, 10**6), st.data())
def test_sample_pairs_draws_distinct_products_and_keeps_each_pairs_target(case, seed, data):
    customers, products, targets = case
    per_customer = data.draw(st.integers(1, len(products)))
    table = sample_pairs(customers, products, targets, per_customer, seed=seed)
    assert len(table) == len(customers) * per_customer
    for i in range(len(customers)):
        chosen = table.product_ids[table.customer_ids == i]
        assert len(set(chosen.tolist())) == per_customer  # without replacement
    np.testing.assert_array_equal(table.y, targets[table.customer_ids, table.product_ids])
    np.testing.assert_array_equal(table.customer_x, customers[table.customer_ids])
    np.testing.assert_array_equal(table.product_x, products[table.product_ids])
    refused(lambda: sample_pairs(customers, products, targets, len(products) + 1), "per_customer")
    refused(lambda: sample_pairs(customers, products, targets, 1, seed="1"), "seed")
    refused(lambda: sample_pairs(customers, products, targets * np.nan, 1), "targets")


@given(tables(min_customers=2, min_products=2), st.floats(0.1, 0.9), st.integers(0, 10**6))
def test_splits_partition_the_rows_and_follow_the_seed(case, fraction, seed):
    table = pair_table(*case)
    assume(0 < round(fraction * len(table)) < len(table))
    train, test = split_pairs(table, fraction, seed=seed)
    cells = lambda t: sorted(zip(t.customer_ids.tolist(), t.product_ids.tolist(), strict=True))  # noqa: E731
    assert sorted(cells(train) + cells(test)) == cells(table)  # every row once: no replacement
    assert len(test) == round(fraction * len(table))
    again, _ = split_pairs(table, fraction, seed=seed)
    np.testing.assert_array_equal(again.customer_ids, train.customer_ids)
    np.testing.assert_array_equal(again.product_ids, train.product_ids)
    n_customers = len(np.unique(table.customer_ids))
    if 0 < round(fraction * n_customers) < n_customers:
        cold_train, cold_test = split_customers(table, fraction, seed=seed)
        assert not set(cold_train.customer_ids) & set(cold_test.customer_ids)
        assert sorted(cells(cold_train) + cells(cold_test)) == cells(table)
    for bad in (0.0, 1.0, "0.2", float("nan")):
        refused(lambda bad=bad: split_pairs(table, bad), "test_fraction")
    refused(lambda: split_pairs(table, fraction, seed=-3), "seed")


def test_a_different_seed_splits_differently(small_table):
    first, _ = split_pairs(small_table, 0.2, seed=0)
    second, _ = split_pairs(small_table, 0.2, seed=1)
    assert not np.array_equal(first.customer_ids, second.customer_ids)
    first, _ = split_customers(small_table, 0.2, seed=0)
    second, _ = split_customers(small_table, 0.2, seed=1)
    assert set(first.customer_ids) != set(second.customer_ids)
