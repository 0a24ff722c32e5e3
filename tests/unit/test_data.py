"""The synthetic world, the pair table and the splits."""

import numpy as np
import pytest

from course_utils.data import (
    STAR_VALUES,
    PairTable,
    make_world,
    pair_table,
    split_customers,
    split_pairs,
    star_distribution,
    to_matrix,
    truncated_normal_features,
)


def test_world_has_the_seed_notebook_defaults():
    world = make_world()
    assert world.customer_features.shape == (1000, 5)
    assert world.product_features.shape == (50, 10)
    for matrix in (world.ratings, world.expected, world.purchases, world.purchase_probability):
        assert matrix.shape == (1000, 50)


def test_features_are_truncated_normal_on_minus_one_one():
    features = truncated_normal_features(20_000, 2, np.random.default_rng(0))
    assert features.min() >= -1 and features.max() <= 1
    # A standard normal truncated to [-1, 1] has variance 1 - 2 phi(1) / (2 Phi(1) - 1).
    assert features.var() == pytest.approx(0.291, abs=0.01)


def test_ratings_are_whole_stars_and_purchases_binary(small_world):
    assert set(np.unique(small_world.ratings)) <= set(STAR_VALUES)
    assert set(np.unique(small_world.purchases)) <= {0, 1}
    assert small_world.ratings.dtype.kind == "i"


def test_same_seed_same_world_different_seed_different_world():
    a, b, c = make_world(30, 5, seed=1), make_world(30, 5, seed=1), make_world(30, 5, seed=2)
    assert np.array_equal(a.ratings, b.ratings)
    assert np.array_equal(a.customer_features, b.customer_features)
    assert not np.array_equal(a.customer_features, c.customer_features)
    assert not np.array_equal(a.taste.customer_weights, c.taste.customer_weights)


def test_star_distribution_sums_to_one_and_matches_simulation():
    latent = np.array([0.2, 2.7, 4.9])
    probabilities = star_distribution(latent, noise_sd=0.5)
    assert probabilities.shape == (3, 5)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    rng = np.random.default_rng(0)
    draws = np.clip(np.rint(latent + rng.normal(0, 0.5, (200_000, 3))), 1, 5)
    for column in range(3):
        frequencies = np.bincount(draws[:, column].astype(int), minlength=6)[1:] / 200_000
        np.testing.assert_allclose(frequencies, probabilities[column], atol=0.005)


def test_oracle_scores_the_noise_floor_within_sampling_error():
    world = make_world(seed=11)
    oracle_mse = np.mean((world.expected - world.ratings) ** 2)
    errors = (world.expected - world.ratings) ** 2
    standard_error = errors.std() / np.sqrt(errors.size)
    assert abs(oracle_mse - world.noise_floor) < 4 * standard_error


def test_noise_floor_is_below_what_the_mean_scores(small_world):
    assert 0 < small_world.noise_floor < small_world.ratings.var()


def test_taste_is_a_function_of_features_alone(small_world):
    taste = small_world.taste
    again = taste.expected_ratings(small_world.customer_features, small_world.product_features)
    np.testing.assert_array_equal(again, small_world.expected)
    one_customer = taste.expected_ratings(
        small_world.customer_features[3:4], small_world.product_features
    )
    np.testing.assert_allclose(one_customer[0], small_world.expected[3], rtol=1e-12)


def test_pair_table_pairs_every_cell_correctly(small_world, small_table):
    n_products = small_world.n_products
    assert len(small_table) == small_world.n_customers * n_products
    for row in range(len(small_table)):
        i, j = divmod(row, n_products)
        assert small_table.customer_ids[row] == i and small_table.product_ids[row] == j
        np.testing.assert_array_equal(small_table.customer_x[row], small_world.customer_features[i])
        np.testing.assert_array_equal(small_table.product_x[row], small_world.product_features[j])
        assert small_table.y[row] == small_world.ratings[i, j]


def test_features_are_customer_then_product_columns(small_table):
    assert small_table.features.shape == (len(small_table), 5 + 10)
    np.testing.assert_array_equal(small_table.features[:, :5], small_table.customer_x)
    np.testing.assert_array_equal(small_table.features[:, 5:], small_table.product_x)


def test_the_seeds_tile_repeat_pairing_is_not_what_pair_table_builds():
    customers, products = np.arange(3.0).reshape(3, 1), np.arange(2.0).reshape(2, 1)
    table = pair_table(customers, products, np.zeros((3, 2)))
    seed_customer_column = np.tile(customers, (2, 1))[:, 0]
    assert not np.array_equal(seed_customer_column, table.customer_x[:, 0])


def test_take_keeps_rows_together(small_table):
    part = small_table.take([5, 0, 17])
    np.testing.assert_array_equal(part.customer_ids, small_table.customer_ids[[5, 0, 17]])
    np.testing.assert_array_equal(part.y, small_table.y[[5, 0, 17]])
    np.testing.assert_array_equal(part.product_x, small_table.product_x[[5, 0, 17]])


def test_split_pairs_partitions_the_rows(small_table):
    train, test = split_pairs(small_table, 0.25, seed=0)
    assert len(train) + len(test) == len(small_table)
    assert len(test) == 70
    train_keys = set(zip(train.customer_ids, train.product_ids, strict=True))
    test_keys = set(zip(test.customer_ids, test.product_ids, strict=True))
    assert not train_keys & test_keys
    assert len(train_keys | test_keys) == len(small_table)


def test_split_customers_keeps_each_customer_on_one_side(small_table):
    train, test = split_customers(small_table, 0.25, seed=0)
    assert not set(train.customer_ids) & set(test.customer_ids)
    assert len(set(test.customer_ids)) == 10
    assert len(train) + len(test) == len(small_table)
    # every rating of a test customer is held out
    assert len(test) == 10 * 7


@pytest.mark.parametrize("seed", range(5))
def test_split_customers_draws_its_test_customers_without_replacement(small_table, seed):
    """Issue 23: drawing with replacement held out fewer customers than asked, unnoticed."""
    _, test = split_customers(small_table, 0.9, seed=seed)
    assert len(set(test.customer_ids)) == 36  # 90% of 40, each drawn once


def test_splits_depend_on_the_seed(small_table):
    a, b, c = (split_customers(small_table, 0.25, seed=s)[1] for s in (0, 0, 1))
    assert set(a.customer_ids) == set(b.customer_ids) != set(c.customer_ids)


def test_to_matrix_inverts_pair_table(small_world, small_table):
    matrix = to_matrix(small_table, small_world.n_customers, small_world.n_products)
    np.testing.assert_array_equal(matrix, small_world.ratings)
    train, _ = split_pairs(small_table, 0.5, seed=0)
    assert np.isnan(to_matrix(train, small_world.n_customers, small_world.n_products)).sum() == 140


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_world(n_customers=0), "n_customers must be an int >= 1, got 0"),
        (lambda: make_world(n_products=2.5), "n_products must be an int >= 1, got 2.5"),
        (lambda: make_world(noise_sd=0), "noise_sd must be > 0"),
        (
            lambda: pair_table(np.zeros((3, 2)), np.zeros((4, 1)), np.zeros((4, 3))),
            r"targets must have shape \(n_customers, n_products\) = \(3, 4\), got \(4, 3\)",
        ),
        (
            lambda: pair_table(np.zeros(3), np.zeros((4, 1)), np.zeros((3, 4))),
            r"customer_features must be 2-D, got shape \(3,\)",
        ),
        (
            lambda: pair_table(np.full((3, 2), np.nan), np.zeros((4, 1)), np.zeros((3, 4))),
            "customer_features contains 6 NaN values",
        ),
        (
            lambda: pair_table(np.zeros((3, 2)), np.array([["a"]] * 4), np.zeros((3, 4))),
            "product_features must be numeric",
        ),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_pair_table_refuses_mismatched_rows():

    with pytest.raises(ValueError, match="customer_x has 1000 rows, product_x has 5000 rows"):
        PairTable(
            np.zeros(1000, int),
            np.zeros(1000, int),
            np.zeros((1000, 5)),
            np.zeros((5000, 3)),
            np.zeros(1000),
        )


def test_splits_refuse_bad_fractions(small_table):
    with pytest.raises(ValueError, match="test_fraction must be strictly between 0 and 1, got 1.5"):
        split_pairs(small_table, 1.5)
    with pytest.raises(ValueError, match="leaves 0 of 40 customers"):
        split_customers(small_table, 0.001)


def test_taste_model_refuses_wrong_feature_counts(small_world):
    with pytest.raises(ValueError, match="customer_features must have 5 columns, got 4"):
        small_world.taste.expected_ratings(np.zeros((2, 4)), small_world.product_features)


def test_sample_pairs_pairs_each_rating_with_its_own_customer_and_product(small_world):
    from course_utils.data import sample_pairs

    table = sample_pairs(
        small_world.customer_features, small_world.product_features, small_world.ratings, 3
    )
    assert len(table) == small_world.n_customers * 3
    for row in range(len(table)):
        i, j = table.customer_ids[row], table.product_ids[row]
        assert i == row // 3
        np.testing.assert_array_equal(table.customer_x[row], small_world.customer_features[i])
        np.testing.assert_array_equal(table.product_x[row], small_world.product_features[j])
        assert table.y[row] == small_world.ratings[i, j]
    per_customer = table.product_ids.reshape(small_world.n_customers, 3)
    assert all(len(set(products)) == 3 for products in per_customer)  # distinct products
    assert len(np.unique(table.product_ids)) > 3  # not the same 3 for everyone


def test_sample_pairs_refuses_bad_input(small_world):
    from course_utils.data import sample_pairs

    features = (small_world.customer_features, small_world.product_features)
    with pytest.raises(ValueError, match="per_customer must be at most the 7 products, got 8"):
        sample_pairs(*features, small_world.ratings, 8)
    with pytest.raises(ValueError, match=r"targets must have shape .* = \(40, 7\), got \(7, 40\)"):
        sample_pairs(*features, small_world.ratings.T, 2)


def test_tower_inputs_keep_each_rows_customer_and_product(small_table):
    inputs = small_table.tower_inputs
    assert sorted(inputs) == ["customer", "product"]
    np.testing.assert_array_equal(inputs["customer"], small_table.customer_x)
    np.testing.assert_array_equal(inputs["product"], small_table.product_x)


# --- issue 13: values no helper should accept, refused by name


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_world(10, 5, noise_sd=-0.5), "noise_sd must be > 0, got -0.5"),
        (lambda: make_world(10, 5, noise_sd=float("inf")), "noise_sd must be finite, got inf"),
        (lambda: make_world(10, 5, seed=4.2), "seed must be an int >= 0, got 4.2"),
        (lambda: make_world(10, 5, seed="42"), "seed must be an int >= 0, got '42'"),
        (lambda: make_world("10", 5), "n_customers must be an int >= 1, got '10'"),
        (lambda: star_distribution(np.zeros(3), 0.0), "noise_sd must be > 0, got 0.0"),
        (lambda: star_distribution(np.array([1j]), 0.5), "latent must be real"),
        (
            lambda: pair_table(np.zeros((2, 1)), np.zeros((2, 1)), np.array([["1", "2"]] * 2)),
            "targets must be numeric",
        ),
        (
            lambda: pair_table(np.zeros((2, 1)) + 1j, np.zeros((2, 1)), np.zeros((2, 2))),
            "customer_features must be real",
        ),
    ],
)
def test_bad_values_are_refused_by_name(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_split_pairs_draws_without_replacement_and_a_new_seed_gives_a_new_split(small_table):
    train, test = split_pairs(small_table, 0.25, seed=0)
    cells = {(c, p) for c, p in zip(small_table.customer_ids, small_table.product_ids, strict=True)}
    train_cells = list(zip(train.customer_ids, train.product_ids, strict=True))
    test_cells = list(zip(test.customer_ids, test.product_ids, strict=True))
    assert len(set(train_cells)) == len(train_cells) and len(set(test_cells)) == len(test_cells)
    assert set(train_cells) | set(test_cells) == cells and not set(train_cells) & set(test_cells)
    other, _ = split_pairs(small_table, 0.25, seed=1)
    assert not np.array_equal(other.customer_ids, train.customer_ids)
    with pytest.raises(ValueError, match="leaves 0 of 280 pairs for testing"):
        split_pairs(small_table, 0.001)


# --- issue 22: a PairTable stores ids, so it refuses what is not an id


@pytest.mark.parametrize(
    ("name", "ids", "first_line"),
    [
        ("customer_ids", np.array([0, -1]), "customer_ids has a negative id: -1 at position 1"),
        (
            "product_ids",
            np.array([0.0, 1.5]),
            "product_ids must hold integer ids, got 1.5 at position 1 (dtype float64)",
        ),
        (
            "customer_ids",
            np.array([0.0, np.nan]),
            "customer_ids must hold integer ids, got nan at position 1 (dtype float64)",
        ),
    ],
)
def test_pair_table_refuses_negative_fractional_and_nan_ids(name, ids, first_line):
    columns = {"customer_ids": np.zeros(2, int), "product_ids": np.zeros(2, int)} | {name: ids}
    with pytest.raises((ValueError, TypeError)) as caught:
        PairTable(**columns, customer_x=np.zeros((2, 1)), product_x=np.zeros((2, 1)), y=np.ones(2))
    assert str(caught.value).splitlines()[0] == first_line


def test_pair_table_refuses_nan_targets_and_string_features():
    ids = np.arange(2)
    with pytest.raises(ValueError, match="^y contains 1 NaN values$"):
        PairTable(ids, ids, np.zeros((2, 1)), np.zeros((2, 1)), np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="^product_x must be numeric, got dtype <U1$"):
        PairTable(ids, ids, np.zeros((2, 1)), np.array([["a"], ["b"]]), np.ones(2))


def test_splits_and_to_matrix_refuse_what_is_not_a_pair_table(small_table):
    frame = {"customer_ids": small_table.customer_ids}
    for call in (
        lambda: split_pairs(frame),
        lambda: split_customers(frame),
        lambda: to_matrix(frame, 40, 7),
    ):
        with pytest.raises(TypeError, match="^table must be a PairTable .*, got dict$"):
            call()
