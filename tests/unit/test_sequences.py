"""The next-item protocol: time order, blocks, histories, seen matrices, hits and intervals."""

import numpy as np
import pandas as pd
import pytest

from course_utils.recommend import top_k
from course_utils.sequences import (
    RANK_BLOCK,
    TEST,
    TRAIN,
    VALIDATION,
    bootstrap_interval,
    hits_and_gains,
    order_by_time,
    target_ranks,
)


@pytest.fixture
def ratings():
    """User 0 rated movies 3, 1, 4 (times 10, 20, 30); user 1 rated 2, 0 at time 5 (a tie)."""
    return pd.DataFrame(
        {
            "user": [1, 0, 0, 1, 0],
            "movie": [2, 4, 1, 0, 3],
            "timestamp": [5, 30, 20, 5, 10],
        }
    )


def test_order_by_time_sorts_by_user_then_time(ratings):
    sequences = order_by_time(ratings, n_users=2, n_movies=5, seed=0)
    assert sequences.users.tolist() == [0, 0, 0, 1, 1]
    assert sequences.movies[:3].tolist() == [3, 1, 4]
    assert sorted(sequences.movies[3:].tolist()) == [0, 2]
    assert sequences.first.tolist() == [0, 0, 0, 3, 3]
    assert sequences.steps_to_end.tolist() == [2, 1, 0, 1, 0]


def test_ties_are_broken_at_random_not_by_id():
    """Twenty movies rated in the same second: the order must not be sorted by id."""
    tied = pd.DataFrame({"user": 0, "movie": np.arange(20), "timestamp": 7})
    orders = {tuple(order_by_time(tied, 1, 20, seed=s).movies) for s in range(5)}
    assert tuple(range(20)) not in orders
    assert len(orders) == 5  # a different seed, a different order
    assert order_by_time(tied, 1, 20, seed=3).movies.tolist() == list(
        order_by_time(tied, 1, 20, seed=3).movies
    )


def test_blocks_take_the_last_ratings_of_each_user(ratings):
    sequences = order_by_time(ratings, 2, 5, seed=0)
    assert sequences.block(TEST, n_test=1, n_validation=1).tolist() == [2, 4]
    assert sequences.block(VALIDATION, n_test=1, n_validation=1).tolist() == [1, 3]
    assert sequences.block(TRAIN, n_test=1, n_validation=1).tolist() == [0]
    with pytest.raises(ValueError, match="name must be one of"):
        sequences.block("tests")
    with pytest.raises(ValueError, match="n_test must be an int >= 1"):
        sequences.block(TEST, n_test=0)


def test_histories_are_right_aligned_ids_plus_one(ratings):
    sequences = order_by_time(ratings, 2, 5, seed=0)
    # Row 2 is user 0's third rating (movie 4): before it, movies 3 then 1.
    assert sequences.histories([2], 3)[0].tolist() == [0, 4, 2]
    assert sequences.histories([2], 1)[0].tolist() == [2]
    # A user's first rating has no history; user 1's history never includes user 0's movies.
    assert sequences.histories([0, 3], 2).tolist() == [[0, 0], [0, 0]]
    assert sequences.histories([4], 2)[0].tolist() == [0, sequences.movies[3] + 1]
    with pytest.raises(ValueError, match="rows has id 5"):
        sequences.histories([5], 2)


def test_seen_holds_exactly_the_earlier_movies_of_the_same_user(ratings):
    sequences = order_by_time(ratings, 2, 5, seed=0)
    seen = sequences.seen([0, 2, 4]).toarray()
    assert seen.shape == (3, 5)
    assert seen[0].tolist() == [0, 0, 0, 0, 0]
    assert seen[1].tolist() == [0, 1, 0, 1, 0]  # movies 3 and 1, not 4 itself
    assert seen[2].sum() == 1 and seen[2][sequences.movies[3]] == 1


def test_matrix_marks_who_rated_what(ratings):
    sequences = order_by_time(ratings, 2, 5, seed=0)
    matrix = sequences.matrix([0, 1, 3]).toarray()
    assert matrix[0].tolist() == [0, 1, 0, 1, 0]
    assert matrix[1].sum() == 1 and matrix[1][sequences.movies[3]] == 1


def test_hits_and_gains_limit_cases():
    hits, gains = hits_and_gains(np.array([1, 3, 11]), k=10)
    assert hits.tolist() == [1.0, 1.0, 0.0]
    assert gains.tolist() == pytest.approx([1.0, 0.5, 0.0])  # rank 1: 1/log2(2); rank 3: 1/2
    with pytest.raises(ValueError, match="ranks >= 1"):
        hits_and_gains(np.array([0, 2]), k=10)


def test_target_ranks_agree_with_top_k_ties_and_exclusions_included():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, (200, 12)).astype(float)  # many ties
    exclude = rng.random((200, 12)) < 0.3
    exclude[:, 5:8] = False  # at least 3 movies left for every event
    targets = np.array([rng.choice(np.flatnonzero(~row)) for row in exclude])
    ranks = target_ranks(scores, exclude, targets)
    full = top_k(scores, int((~exclude).sum(axis=1).min()), exclude=exclude)
    for event, rank in enumerate(ranks):
        listed = np.flatnonzero(full[event] == targets[event])
        if listed.size:
            assert rank == listed[0] + 1
        else:
            assert rank > full.shape[1]
    hits, _ = hits_and_gains(ranks, 3)
    reference = (top_k(scores, 3, exclude=exclude) == targets[:, None]).any(axis=1)
    assert hits.tolist() == reference.astype(float).tolist()


def test_target_ranks_block_by_block_match_a_naive_count_in_float32_and_float64():
    rng = np.random.default_rng(1)
    n_events = 2 * RANK_BLOCK + 3  # two full blocks and a short one
    scores = rng.standard_normal((n_events, 50)).astype(np.float32)
    scores[:, 10:20] = scores[:, :1]  # ties with the first movie, in every row
    exclude = rng.random(scores.shape) < 0.3
    targets = rng.integers(0, 50, n_events)
    exclude[np.arange(n_events), targets] = False
    naive = [
        1
        + sum(
            not x and (s > row[t] or (s == row[t] and j < t))
            for j, (s, x) in enumerate(zip(row, excluded, strict=True))
        )
        for row, excluded, t in zip(scores, exclude, targets, strict=True)
    ]
    assert target_ranks(scores, exclude, targets).tolist() == naive
    assert target_ranks(scores.astype(float), exclude, targets).tolist() == naive
    assert target_ranks(scores.tolist(), exclude, targets).tolist() == naive
    assert target_ranks(scores, exclude, targets).shape == (n_events,)


def test_target_ranks_find_a_nan_in_a_late_block_and_count_them_all():
    scores, exclude = np.zeros((2 * RANK_BLOCK, 3), np.float32), np.zeros((2 * RANK_BLOCK, 3), bool)
    targets = np.zeros(len(scores), int)
    scores[-1, 1:] = np.nan  # two NaN values, in the last block only
    with pytest.raises(ValueError, match="scores contains 2 NaN values"):
        target_ranks(scores, exclude, targets)
    scores[0, 1] = np.nan  # one more in the first block: the count is the whole matrix's
    with pytest.raises(ValueError, match="scores contains 3 NaN values"):
        target_ranks(scores, exclude, targets)
    scores[:] = 0
    scores[-1, 2] = np.inf
    with pytest.raises(ValueError, match="scores contains infinite values"):
        target_ranks(scores, exclude, targets)


def test_target_ranks_refuse_bad_input():
    scores, exclude = np.zeros((2, 3)), np.zeros((2, 3), bool)
    with pytest.raises(ValueError, match="one row per target"):
        target_ranks(scores, exclude, [0])
    with pytest.raises(ValueError, match="exclude must be a bool array"):
        target_ranks(scores, exclude.astype(int), [0, 1])
    with pytest.raises(ValueError, match="a target is excluded"):
        target_ranks(scores, np.eye(2, 3, dtype=bool), [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        target_ranks(np.full((2, 3), np.nan), exclude, [0, 1])


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_events():
    rng = np.random.default_rng(0)
    few, many = rng.random(100) < 0.1, rng.random(10_000) < 0.1
    mean, low, high = bootstrap_interval(few, 500, seed=1)
    assert low < mean < high
    _, many_low, many_high = bootstrap_interval(many, 500, seed=1)
    assert many_high - many_low < (high - low) / 3
    assert bootstrap_interval(np.ones(5), 100) == (1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="at least 2 entries"):
        bootstrap_interval([1.0])


# --- issue 22: sizes, seeds, ranks and values that are not what they claim


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: order_by_time(r, 2.5, 5), "n_users must be an int >= 1, got 2.5"),
        (lambda r: order_by_time(r, 3, 5, seed=None), "seed must be an int >= 0, got None"),
        (lambda r: order_by_time(r, 1, 5), "ratings['user'] has id 1, but n_users is 1"),
        (
            lambda r: order_by_time(r.assign(timestamp=np.nan), 3, 5),
            "ratings['timestamp'] contains 5 NaN values",
        ),
        (
            lambda r: target_ranks(np.full((1, 3), np.inf), np.zeros((1, 3), bool), [0]),
            "scores contains infinite values",
        ),
        (
            lambda r: hits_and_gains([1.5, 2], 1),
            "ranks must hold integer ids, got 1.5 at position 0",
        ),
        (lambda r: hits_and_gains([0, 2], 1), "ranks must be ranks >= 1 (1 = best), got 0"),
        (lambda r: bootstrap_interval([0.5, np.nan]), "values contains 1 NaN values"),
        (lambda r: bootstrap_interval([0.5, 1], seed=1.5), "seed must be an int >= 0, got 1.5"),
    ],
)
def test_issue_22_wrong_calls_are_refused_by_name(ratings, call, message):
    with pytest.raises((ValueError, TypeError)) as caught:
        call(ratings)
    assert str(caught.value).splitlines()[0].startswith(message)
