"""Properties of course_utils.sequences (Hypothesis): the next-item protocol of notebook 09.

Generated rating logs check time order, blocks, histories and ranks against Python loops.
"""

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from course_utils.recommend import top_k
from course_utils.sequences import (
    TEST,
    TRAIN,
    VALIDATION,
    bootstrap_interval,
    hits_and_gains,
    order_by_time,
    target_ranks,
)


@st.composite
def rating_logs(draw):
    n_users = draw(st.integers(1, 4))
    n_movies = draw(st.integers(1, 6))
    n = draw(st.integers(1, 25))
    users = draw(st.lists(st.integers(0, n_users - 1), min_size=n, max_size=n))
    movies = draw(st.lists(st.integers(0, n_movies - 1), min_size=n, max_size=n))
    times = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))  # many ties
    frame = pd.DataFrame({"user": users, "movie": movies, "timestamp": times})
    return frame, n_users, n_movies


@given(rating_logs(), st.integers(0, 2**32 - 1))
def test_order_by_time_keeps_every_rating_in_user_then_time_order(log, seed):
    frame, n_users, n_movies = log
    sequences = order_by_time(frame, n_users, n_movies, seed=seed)
    assert sorted(zip(sequences.users, sequences.movies, sequences.timestamps, strict=True)) == (
        sorted(zip(frame.user, frame.movie, frame.timestamp, strict=True))
    )
    keys = list(zip(sequences.users, sequences.timestamps, strict=True))
    assert keys == sorted(keys)
    for row in range(len(sequences.users)):  # first and steps_to_end against a plain loop
        same = np.flatnonzero(sequences.users == sequences.users[row])
        assert sequences.first[row] == same[0]
        assert sequences.steps_to_end[row] == same[-1] - row


@given(rating_logs(), st.integers(1, 3), st.integers(1, 3))
def test_blocks_partition_the_ratings(log, n_test, n_validation):
    sequences = order_by_time(*log, seed=0)
    rows = [sequences.block(name, n_test, n_validation) for name in (TRAIN, VALIDATION, TEST)]
    assert sorted(np.concatenate(rows).tolist()) == list(range(len(sequences.users)))


@given(rating_logs(), st.integers(1, 5))
def test_histories_and_seen_match_a_python_loop(log, length):
    sequences = order_by_time(*log, seed=1)
    rows = np.arange(len(sequences.users))
    histories, seen = sequences.histories(rows, length), sequences.seen(rows).toarray()
    for row in rows:
        earlier = list(sequences.movies[sequences.first[row] : row])
        expected = [0] * max(length - len(earlier), 0) + [m + 1 for m in earlier[-length:]]
        assert histories[row].tolist() == expected
        assert set(np.flatnonzero(seen[row])) == set(earlier)


@st.composite
def ranking_problems(draw):
    n_events, n_movies = draw(st.integers(1, 6)), draw(st.integers(2, 8))
    scores = np.array(
        draw(
            st.lists(st.integers(0, 3), min_size=n_events * n_movies, max_size=n_events * n_movies)
        )
    ).reshape(n_events, n_movies)
    targets = np.array(
        draw(st.lists(st.integers(0, n_movies - 1), min_size=n_events, max_size=n_events))
    )
    exclude = np.array(
        draw(st.lists(st.booleans(), min_size=n_events * n_movies, max_size=n_events * n_movies))
    ).reshape(n_events, n_movies)
    exclude[np.arange(n_events), targets] = False
    return scores.astype(float), exclude, targets


@given(ranking_problems())
def test_target_ranks_are_the_places_top_k_gives(problem):
    scores, exclude, targets = problem
    ranks = target_ranks(scores, exclude, targets)
    k = int((~exclude).sum(axis=1).min())
    lists = top_k(scores, k, exclude=exclude)
    for event, rank in enumerate(ranks):
        place = np.flatnonzero(lists[event] == targets[event])
        assert rank == place[0] + 1 if place.size else rank > k
    hits, gains = hits_and_gains(ranks, 1)
    assert ((0 <= gains) & (gains <= hits) & (hits <= 1)).all()


@given(st.lists(st.floats(0, 1), min_size=2, max_size=50), st.integers(0, 100))
def test_bootstrap_interval_brackets_the_mean(values, seed):
    mean, low, high = bootstrap_interval(values, 200, seed=seed)
    assert low - 1e-12 <= mean <= high + 1e-12
    assert min(values) - 1e-12 <= low and high <= max(values) + 1e-12
