"""Ratings as sequences in time, and a next-item protocol that can tell models apart.

Introduced in notebooks/08_next_item.py. Every user's ratings are put in time order; the
last `n_test` of each user are test events, the `n_validation` before them validation
events, the rest training. An event asks: given everything this user rated before, which
movie comes next? Models are fitted on training ratings only, and read each event's full
history at scoring time, so no model sees the movie it must find.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from course_utils.config import DEFAULT_SEED
from course_utils.validation import (
    as_index_array,
    as_matrix,
    check_frame,
    check_positive_int,
    check_seed,
)

TRAIN, VALIDATION, TEST = "train", "validation", "test"
PADDING = 0
"""History id 0 means "no movie here": histories hold movie id + 1."""


@dataclass(frozen=True)
class Sequences:
    """All ratings sorted by user, then time. Row r is one rating; arrays are (n_ratings,)."""

    users: np.ndarray
    movies: np.ndarray
    timestamps: np.ndarray
    first: np.ndarray  # the row of the same user's first rating
    steps_to_end: np.ndarray  # 0 for a user's last rating, 1 for the one before, ...
    n_users: int
    n_movies: int

    def block(self, name: str, n_test: int = 5, n_validation: int = 5) -> np.ndarray:
        """Rows of the "train", "validation" or "test" block, in order.

        Test: each user's last `n_test` ratings; validation: the `n_validation` before them.
        """
        n_test = check_positive_int("n_test", n_test)
        n_validation = check_positive_int("n_validation", n_validation)
        steps = self.steps_to_end
        masks = {
            TEST: steps < n_test,
            VALIDATION: (steps >= n_test) & (steps < n_test + n_validation),
            TRAIN: steps >= n_test + n_validation,
        }
        if name not in masks:
            raise ValueError(f"name must be one of {sorted(masks)}, got {name!r}")
        return np.flatnonzero(masks[name])

    def histories(self, rows, length: int) -> np.ndarray:
        """The `length` movies each row's user rated just before it, oldest first.

        Returns:
            (len(rows), length) int32 array of movie id + 1, right-aligned: the last column
            is the movie rated just before the event; 0 pads a short history on the left.
        """
        rows = as_index_array("rows", rows, upper=len(self.movies))
        length = check_positive_int("length", length)
        before = rows[:, None] + np.arange(-length, 0)[None, :]
        known = before >= self.first[rows][:, None]
        ids = self.movies[np.where(known, before, 0)] + 1
        return np.where(known, ids, PADDING).astype(np.int32)

    def seen(self, rows) -> sp.csr_matrix:
        """(len(rows), n_movies) 0/1 matrix: what each row's user rated before that row."""
        rows = as_index_array("rows", rows, upper=len(self.movies))
        lengths = rows - self.first[rows]
        event = np.repeat(np.arange(len(rows)), lengths)
        # Row first, first + 1, ..., row - 1 for each event, without a Python loop.
        step = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        earlier = np.repeat(self.first[rows], lengths) + step
        values = np.ones(len(event), np.float32)
        shape = (len(rows), self.n_movies)
        return sp.csr_matrix((values, (event, self.movies[earlier])), shape=shape)

    def matrix(self, rows) -> sp.csr_matrix:
        """(n_users, n_movies) 0/1 matrix of the ratings in `rows`: implicit feedback."""
        rows = as_index_array("rows", rows, upper=len(self.movies))
        values = np.ones(len(rows), np.float32)
        shape = (self.n_users, self.n_movies)
        return sp.csr_matrix((values, (self.users[rows], self.movies[rows])), shape=shape)


def order_by_time(
    ratings: pd.DataFrame, n_users: int, n_movies: int, seed: int = DEFAULT_SEED
) -> Sequences:
    """Sort ratings by user, then timestamp; ratings with the same timestamp in random order.

    About a third (32%) of MovieLens ratings share their second with another of the same user's (a
    batch rated at once). Sorting those by movie id would hand a sequential model a pattern
    that is an artefact of the sort, so ties are broken at random, with `seed`.
    """
    check_frame("ratings", ratings, ids=("user", "movie"), numbers=("timestamp",))
    n_users = check_positive_int("n_users", n_users)
    n_movies = check_positive_int("n_movies", n_movies)
    users = as_index_array(
        "ratings['user']", ratings["user"].to_numpy(), upper=n_users, upper_name="n_users"
    )
    movies = as_index_array(
        "ratings['movie']", ratings["movie"].to_numpy(), upper=n_movies, upper_name="n_movies"
    )
    timestamps = ratings["timestamp"].to_numpy()
    tie_break = np.random.default_rng(check_seed("seed", seed)).random(len(users))
    order = np.lexsort((tie_break, timestamps, users))
    users, movies, timestamps = users[order], movies[order], timestamps[order]
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    counts = np.diff(np.r_[starts, len(users)])
    first = np.repeat(starts, counts)
    ends = np.repeat(starts + counts, counts)
    return Sequences(
        users=users,
        movies=movies,
        timestamps=timestamps,
        first=first,
        steps_to_end=ends - 1 - np.arange(len(users)),
        n_users=int(n_users),
        n_movies=int(n_movies),
    )


RANK_BLOCK = 128
"""Events `target_ranks` compares at a time: a block's temporaries stay in the CPU's cache."""


def target_ranks(scores, exclude, targets) -> np.ndarray:
    """Each event's rank (1 = best) of its target among the movies not excluded.

    The rank `top_k` would give it: movies that score higher come first, and of equal
    scores the lower id first. Counting is cheaper than sorting 9,066 movies per event.

    Args:
        scores: (n_events, n_movies) float array; float32 is compared as it is.
        exclude: (n_events, n_movies) bool array, True for movies the user already rated.
        targets: (n_events,) the movie each event's user rated next; never excluded.
    """
    scores = as_matrix("scores", scores, copy=False, keep_float32=True)  # no copy
    exclude = np.asarray(exclude)
    targets = as_index_array("targets", targets, upper=scores.shape[1], upper_name="n_movies")
    if scores.shape[0] != len(targets):
        raise ValueError(
            f"scores must be (n_events, n_movies) with one row per target; got shape "
            f"{scores.shape} for {len(targets)} targets"
        )
    if exclude.shape != scores.shape or exclude.dtype != bool:
        raise ValueError(
            f"exclude must be a bool array of shape {scores.shape}, "
            f"got {exclude.dtype} of shape {exclude.shape}"
        )
    events = np.arange(len(targets))
    if exclude[events, targets].any():
        raise ValueError("a target is excluded: the movie to find was marked as already rated")
    # Notebook 09 ranks 3,355 x 9,066 scores once per model and epoch. A block of events at
    # a time, in place on one bool array, counted without a cast to int: the comparisons make
    # no array as large as `scores`, nor copy float32 scores to float64 (they are exact).
    ranks = np.empty(len(targets), np.int64)
    movie_ids = np.arange(scores.shape[1])[None, :]
    for start in range(0, len(targets), RANK_BLOCK):
        rows = slice(start, start + RANK_BLOCK)
        block, block_targets = scores[rows], targets[rows]
        target_scores = block[events[: len(block)], block_targets][:, None]
        ahead = block > target_scores
        tied_lower = block == target_scores
        tied_lower &= movie_ids < block_targets[:, None]
        ahead |= tied_lower
        ahead &= ~exclude[rows]
        ranks[rows] = 1 + np.count_nonzero(ahead, axis=1)
    return ranks


def hits_and_gains(ranks, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per event: recall@k (1 if the target ranks in the top k) and NDCG@k.

    With one relevant movie, recall@k is a hit (0 or 1) and NDCG@k is 1 / log2(rank + 1)
    for a target at rank 1..k, else 0.
    """
    ranks = as_index_array("ranks", ranks)
    if ranks.size and ranks.min() < 1:
        raise ValueError(f"ranks must be ranks >= 1 (1 = best), got {int(ranks.min())}")
    k = check_positive_int("k", k)
    hits = (ranks <= k).astype(float)
    return hits, np.where(hits > 0, 1 / np.log2(ranks + 1), 0.0)


def bootstrap_interval(values, n_resamples: int = 1000, seed: int = DEFAULT_SEED):
    """The mean of `values` and its 95% bootstrap interval (2.5th, 97.5th percentiles)."""
    values = as_matrix("values", values, ndim=1)
    if len(values) < 2:
        raise ValueError(f"values must have at least 2 entries, got {len(values)}")
    n_resamples = check_positive_int("n_resamples", n_resamples)
    rng = np.random.default_rng(check_seed("seed", seed))
    means = values[rng.integers(0, len(values), (n_resamples, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(values.mean()), float(low), float(high)
