"""Properties of course_utils.movielens (Hypothesis).

MovieLens splits, pair tables and id maps on generated rating frames.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils.movielens import (
    MovieLens,
    as_pair_table,
    load_movielens,
    split_known,
    split_last,
)
from tests.properties.strategies import (
    refused,
)


@st.composite
def rating_frames(draw):
    n = draw(st.integers(2, 30))
    users = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 4)))
    movies = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 6)))
    times = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 5)))
    ratings = draw(hnp.arrays(np.float32, n, elements=st.sampled_from([0.5, 1.0, 3.5, 5.0])))
    return pd.DataFrame({"user": users, "movie": movies, "rating": ratings, "timestamp": times})


@given(rating_frames(), st.floats(0.1, 0.9), st.integers(0, 1000))
def test_movielens_splits(ratings, fraction, seed):
    train, test = split_known(ratings, fraction, seed=seed)
    assert set(test["user"]) <= set(train["user"]) and set(test["movie"]) <= set(train["movie"])
    assert len(train) + len(test) <= len(ratings)
    train, test = split_last(ratings)
    assert len(train) + len(test) == len(ratings)
    assert test["user"].is_unique
    for _, row in test.iterrows():
        assert (train.loc[train["user"] == row["user"], "timestamp"] <= row["timestamp"]).all()
    table = as_pair_table(ratings)
    np.testing.assert_array_equal(table.customer_ids, ratings["user"])
    np.testing.assert_array_equal(table.y, ratings["rating"].astype(float))
    refused(lambda: split_known(ratings.drop(columns="timestamp")), "timestamp")
    refused(lambda: split_known(ratings, seed=1.5), "seed")
    refused(lambda: as_pair_table(ratings.to_numpy()), "ratings")


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=12, unique=True), st.data())
def test_movielens_ids_map_to_contiguous_ones_and_back(raw_ids, data):
    movie_ids = np.sort(np.array(raw_ids))
    n = len(movie_ids)
    years = data.draw(
        hnp.arrays(np.float64, n, elements=st.one_of(st.just(np.nan), st.floats(1900, 2020)))
    )
    movies = MovieLens(
        ratings=pd.DataFrame(),
        titles=np.array(["t"] * n),
        years=years,
        genres=np.zeros((n, 2), np.float32),
        genre_names=["a", "b"],
        user_ids=np.arange(1),
        movie_ids=movie_ids,
    )
    wanted = data.draw(st.lists(st.sampled_from(movie_ids.tolist()), max_size=5))
    positions = movies.to_contiguous(np.array(wanted, np.int64))
    np.testing.assert_array_equal(movie_ids[positions], wanted)
    features = movies.movie_features()
    assert features.shape == (n, 3) and np.isfinite(features).all()
    known = ~np.isnan(years)
    if known.sum() > 1 and np.ptp(years[known]) > 0:
        assert features[known, 2].mean() == pytest.approx(0, abs=1e-4)
    refused(lambda: movies.to_contiguous([movie_ids.max() + 1]), "movielens_movie_ids")
    refused(lambda: movies.to_contiguous([-1]), "movielens_movie_ids")


def test_load_movielens_is_public_and_typed():
    assert callable(load_movielens)  # its data are checked in tests/unit/test_movielens.py
