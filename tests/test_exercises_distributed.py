"""The checks of notebook 09's exercises: right, untouched, and typical wrong answers."""

import pytest

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.distributed import check_my_shards, check_pair_gigabytes


def shards_right(paths, worker, n_workers):
    return list(paths[worker::n_workers])


def shards_stub(paths, worker, n_workers):
    raise NotImplementedError("Exercise 1: replace this line with your code")


def shards_halves(paths, worker, n_workers):
    size = len(paths) // n_workers
    return paths[worker * size : (worker + 1) * size]


def shards_halves_rounded_up(paths, worker, n_workers):
    size = -(-len(paths) // n_workers)
    return paths[worker * size : (worker + 1) * size]


def shards_off_by_one(paths, worker, n_workers):
    return paths[worker + 1 :: n_workers]


def shards_drop_the_rest(paths, worker, n_workers):
    return paths[worker::n_workers][: len(paths) // n_workers]


def gigabytes_right(n_customers, n_products, n_features, bytes_per_value):
    return n_customers * n_products * n_features * bytes_per_value / 1e9


def gigabytes_stub(n_customers, n_products, n_features, bytes_per_value):
    raise NotImplementedError("Exercise 2: replace this line with your code")


def test_right_answers_pass(capsys):
    assert check_my_shards(shards_right).status == CORRECT
    assert check_pair_gigabytes(gigabytes_right).status == CORRECT
    out = capsys.readouterr().out
    assert "✅ Correct (my_shards)" in out and "✅ Correct (pair_gigabytes)" in out


def test_untouched_stubs_are_not_attempted(capsys):
    assert check_my_shards(shards_stub).status == NOT_ATTEMPTED
    assert check_pair_gigabytes(gigabytes_stub).status == NOT_ATTEMPTED
    assert capsys.readouterr().out.count("Not attempted yet") == 2


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (shards_halves, "worker 1 got the second half"),
        (shards_off_by_one, "worker 0 should start at shard 0"),
        (shards_halves_rounded_up, "worker 1 got the second half"),
        (shards_drop_the_rest, "every shard must be read by exactly one worker"),
        (lambda paths, worker, n: paths[worker], "every shard must be read"),
        (lambda paths, worker, n: 1 / 0, "your code raised ZeroDivisionError"),
    ],
)
def test_wrong_shard_answers_get_their_own_message(attempt, says):
    result = check_my_shards(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda c, p, f, b: c * p * f * b / 2**30, "GiB"),
        (lambda c, p, f, b: c * p * b / 1e9, "multiply by n_features"),
        (lambda c, p, f, b: c * p * f * b, "that is bytes"),
        (lambda c, p, f, b: c * p * f / 1e9, "yours gave 15"),
    ],
)
def test_wrong_size_answers_get_their_own_message(attempt, says):
    result = check_pair_gigabytes(attempt)
    assert result.status == WRONG
    assert says in result.message
