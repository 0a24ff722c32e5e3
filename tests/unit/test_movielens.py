"""The MovieLens loader, its splits, and ALS on data small enough to check."""

import numpy as np
import pandas as pd
import pytest

from course_utils.baselines import fit_als, fit_biases
from course_utils.data import pair_table, split_pairs
from course_utils.movielens import as_pair_table, load_movielens, split_known, split_last


@pytest.fixture(scope="module")
def movielens():
    return load_movielens()


def test_loader_gives_the_published_sizes_and_contiguous_ids(movielens):
    ratings = movielens.ratings
    assert len(ratings) == 100_004
    assert (movielens.n_users, movielens.n_movies) == (671, 9066)
    assert ratings["user"].min() == 0 and ratings["user"].max() == 670
    assert ratings["movie"].nunique() == 9066 and ratings["movie"].max() == 9065
    assert sorted(ratings["rating"].unique()) == [x / 2 for x in range(1, 11)]
    assert ratings["rating"].dtype == np.float32


def test_ids_map_back_to_movielens_ids(movielens):
    toy_story = movielens.to_contiguous([1])[0]
    assert movielens.titles[toy_story] == "Toy Story"
    assert movielens.years[toy_story] == 1995
    assert movielens.movie_ids[toy_story] == 1


def test_unknown_movie_ids_are_refused(movielens):
    with pytest.raises(
        ValueError, match=r"movielens_movie_ids has ids not in the data: \[999999999\]"
    ):
        movielens.to_contiguous([1, 999999999])


def test_genres_are_multi_hot_and_features_are_finite(movielens):
    toy_story = movielens.to_contiguous([1])[0]
    on = {
        g
        for g, flag in zip(movielens.genre_names, movielens.genres[toy_story], strict=True)
        if flag
    }
    assert on == {"Adventure", "Animation", "Children", "Comedy", "Fantasy"}
    features = movielens.movie_features()
    assert features.shape == (9066, len(movielens.genre_names) + 1)
    assert np.isfinite(features).all()


def _tiny_ratings():
    return pd.DataFrame(
        {
            "user": [0, 0, 0, 1, 1, 2, 2, 2],
            "movie": [0, 1, 2, 0, 3, 1, 2, 3],
            "rating": np.array([4, 3, 5, 2, 1, 4, 4, 3], np.float32),
            "timestamp": [5, 1, 9, 3, 3, 7, 2, 8],
        }
    )


def test_split_known_keeps_only_known_users_and_movies_in_test(movielens):
    train, test = split_known(movielens.ratings, 0.2, seed=0)
    assert test["user"].isin(train["user"]).all() and test["movie"].isin(train["movie"]).all()
    assert 0.18 < len(test) / len(movielens.ratings) < 0.2
    assert len(train) == 80_003
    keys = lambda frame: set(zip(frame["user"], frame["movie"], frame["timestamp"], strict=True))  # noqa: E731
    assert not keys(train) & keys(test)


def test_split_known_depends_on_the_seed():
    a = split_known(_tiny_ratings(), 0.25, seed=0)[1]
    b = split_known(_tiny_ratings(), 0.25, seed=0)[1]
    pd.testing.assert_frame_equal(a, b)


def test_split_last_holds_out_each_users_latest_rating():
    train, test = split_last(_tiny_ratings())
    assert test[["user", "movie"]].values.tolist() == [
        [0, 2],
        [1, 3],
        [2, 3],
    ]  # ties: last row wins
    assert len(train) + len(test) == 8
    assert (train.groupby("user")["timestamp"].max() <= test.set_index("user")["timestamp"]).all()


def test_split_last_keeps_single_rating_users_in_training():
    ratings = _tiny_ratings().iloc[:4]  # user 1 has one rating
    train, test = split_last(ratings)
    assert 1 not in set(test["user"]) and 1 in set(train["user"])


def test_splits_refuse_frames_without_the_columns():
    with pytest.raises(ValueError, match=r"ratings is missing columns \['timestamp'\]"):
        split_last(_tiny_ratings().drop(columns="timestamp"))
    with pytest.raises(ValueError, match="test_fraction must be strictly between 0 and 1"):
        split_known(_tiny_ratings(), 0.0)


def test_as_pair_table_keeps_the_rows():
    table = as_pair_table(_tiny_ratings())
    assert table.customer_ids.tolist() == [0, 0, 0, 1, 1, 2, 2, 2]
    assert table.y.tolist() == [4, 3, 5, 2, 1, 4, 4, 3]


def test_unregularised_biases_leave_unrated_movies_at_zero():
    model = fit_biases(as_pair_table(_tiny_ratings()), 3, 6, regularization=0, n_sweeps=1)
    assert model.product_bias[4] == 0 and model.product_bias[5] == 0
    assert np.isfinite(model.predict_matrix()).all()


def test_als_fills_the_holes_of_a_low_rank_matrix():
    rng = np.random.default_rng(4)
    matrix = 3 + rng.normal(size=(150, 3)) @ rng.normal(size=(3, 40))
    table = pair_table(np.zeros((150, 1)), np.zeros((40, 1)), matrix)
    train, test = split_pairs(table, 0.3, seed=0)
    biases = fit_biases(train, 150, 40, regularization=0, n_sweeps=1)
    # Biases fitted on the known cells leave row and column offsets: rank 3 + 2.
    als = fit_als(train, 150, 40, rank=5, regularization=1e-4, bias_regularization=0, n_sweeps=50)

    def error(model):
        return np.sqrt(np.mean((model.predict(test.customer_ids, test.product_ids) - test.y) ** 2))

    assert error(als) < 0.05 * error(biases)


def test_als_refuses_bad_arguments():
    table = as_pair_table(_tiny_ratings())
    with pytest.raises(ValueError, match="regularization must be > 0, got 0"):
        fit_als(table, 3, 4, rank=2, regularization=0)
    with pytest.raises(ValueError, match="rank must be an int >= 1, got 0"):
        fit_als(table, 3, 4, rank=0, regularization=0.1)


def test_als_gives_a_movie_nobody_rated_zero_factors_so_the_biases_predict_it():
    """Movies 4 and 5 have no ratings; before the fix they kept their random factors."""
    table = as_pair_table(_tiny_ratings())
    als = fit_als(table, 4, 6, rank=2, regularization=0.1, seed=1)
    np.testing.assert_array_equal(als.product_factors[[4, 5]], 0.0)
    np.testing.assert_array_equal(als.customer_factors[3], 0.0)  # user 3 rated nothing
    np.testing.assert_allclose(als.predict([0, 1], [4, 5]), als.biases.predict([0, 1], [4, 5]))
    # rated movies' factors are fitted (not zero) and do not depend on the unrated ones
    assert np.abs(als.product_factors[:4]).sum() > 0
    other = fit_als(table, 4, 7, rank=2, regularization=0.1, seed=1)
    np.testing.assert_allclose(other.predict([0, 2], [1, 3]), als.predict([0, 2], [1, 3]))


def test_als_exact_small_case_with_missing_cells():
    """Rank 1, one sweep, tiny ridge: each factor is the ridge solution worked out by hand."""
    ratings = _tiny_ratings()
    table = as_pair_table(ratings)
    als = fit_als(table, 3, 4, rank=1, regularization=0.5, bias_regularization=0, n_sweeps=1)
    biases = fit_biases(table, 3, 4, regularization=0, n_sweeps=1)
    residual = table.y - biases.predict(table.customer_ids, table.product_ids)
    # the default seed draws the 3 customers' starting factors, then the 4 movies'
    start_products = np.random.default_rng(42).normal(0, 0.1, (3 + 4, 1))[3:]
    customers = np.zeros(3)
    for user in range(3):
        rows = table.customer_ids == user
        x = start_products[table.product_ids[rows], 0]
        customers[user] = x @ residual[rows] / (x @ x + 0.5 * rows.sum())
    np.testing.assert_allclose(als.customer_factors[:, 0], customers, rtol=1e-10)
    for movie in range(4):
        rows = table.product_ids == movie
        x = customers[table.customer_ids[rows]]
        expected = x @ residual[rows] / (x @ x + 0.5 * rows.sum())
        assert als.product_factors[movie, 0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"regularization": float("nan")}, "regularization must be finite, got nan"),
        ({"regularization": float("inf")}, "regularization must be finite, got inf"),
        ({"regularization": -1.0}, "regularization must be > 0, got -1.0"),
        ({"regularization": "0.1"}, "regularization must be a real number, got '0.1'"),
        ({"seed": 1.5}, "seed must be an int >= 0, got 1.5"),
        ({"seed": "42"}, "seed must be an int >= 0, got '42'"),
    ],
)
def test_als_refuses_nan_regularisation_and_bad_seeds_by_name(kwargs, message):
    arguments = {"regularization": 0.1} | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        fit_als(as_pair_table(_tiny_ratings()), 3, 4, rank=1, **arguments)
    with pytest.raises(ValueError, match="regularization must be finite, got nan"):
        fit_biases(as_pair_table(_tiny_ratings()), 3, 4, regularization=float("nan"))


# --- issue 22: ids that are not ids are refused, not cast (NaN to -2**63, 1.5 to 1)


@pytest.mark.parametrize(
    ("column", "values", "first_line"),
    [
        (
            "user",
            [np.nan, 0, 0, 1, 1, 2, 2, 2],
            "ratings['user'] must hold integer ids, got nan at position 0 (dtype float64)",
        ),
        (
            "user",
            [0, 0, 1.5, 1, 1, 2, 2, 2],
            "ratings['user'] must hold integer ids, got 1.5 at position 2 (dtype float64)",
        ),
        (
            "movie",
            [0, 1, 2, 0, -1, 1, 2, 3],
            "ratings['movie'] has a negative id: -1 at position 4",
        ),
        ("rating", [4, 3, np.inf, 2, 1, 4, 4, 3], "ratings['rating'] contains infinite values"),
    ],
)
def test_as_pair_table_refuses_ids_that_are_not_ids_and_ratings_that_are_not_numbers(
    column, values, first_line
):
    ratings = _tiny_ratings()
    ratings[column] = values
    for call in (as_pair_table, split_last, split_known):
        with pytest.raises((ValueError, TypeError)) as caught:
            call(ratings)
        assert str(caught.value).splitlines()[0] == first_line


def test_frames_must_be_frames_with_rows():
    with pytest.raises(TypeError, match="^ratings must be a pandas DataFrame, got ndarray$"):
        as_pair_table(_tiny_ratings().to_numpy())
    with pytest.raises(ValueError, match="^ratings has no rows$"):
        split_known(_tiny_ratings().iloc[:0])
