"""The checks of notebook 10's exercises: valid answers, the stubs, and wrong ones."""

import numpy as np
import pytest

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.distributed import check_my_shards, check_pair_gigabytes


def shards_right(paths, worker, n_workers):
    return list(paths[worker::n_workers])


def shards_enumerate(paths, worker, n_workers):
    return [path for i, path in enumerate(paths) if i % n_workers == worker]


def shards_array(paths, worker, n_workers):
    return np.array(paths)[np.arange(worker, len(paths), n_workers)]


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


def shards_backwards_for_odd_counts(paths, worker, n_workers):
    """Every shard read once, but not dealt in turn when the workers are odd."""
    mine = paths[worker::n_workers]
    return mine if n_workers % 2 == 0 else mine[::-1]


def gigabytes_right(n_customers, n_products, n_features, bytes_per_value):
    return n_customers * n_products * n_features * bytes_per_value / 1e9


def gigabytes_steps(n_customers, n_products, n_features, bytes_per_value):
    rows = n_customers * n_products
    return rows * (n_features * bytes_per_value) / 10**9


def gigabytes_numpy(n_customers, n_products, n_features, bytes_per_value):
    return np.prod([n_customers, n_products, n_features, bytes_per_value], dtype=np.int64) * 1e-9


def gigabytes_stub(n_customers, n_products, n_features, bytes_per_value):
    raise NotImplementedError("Exercise 2: replace this line with your code")


@pytest.mark.parametrize("answer", [shards_right, shards_enumerate, shards_array])
def test_my_shards_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_my_shards(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (my_shards): every shard goes to one worker, dealt out in turn.\n"
    )


@pytest.mark.parametrize("answer", [gigabytes_right, gigabytes_steps, gigabytes_numpy])
def test_pair_gigabytes_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_pair_gigabytes(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (pair_gigabytes): 100,000 x 10,000 pairs x 15 float64 values = 120 GB.\n"
    )


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
        (shards_backwards_for_odd_counts, "with 3 workers, dealing in turn gives worker 0"),
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
        (lambda paths, worker, n: paths[worker], "a list of paths; yours is the text"),
        (lambda paths, worker, n: None, "a list of paths; yours is None"),
        (lambda paths, worker, n: len(paths) // n, "a list of paths; yours is an int"),
        (
            lambda paths, worker, n: paths[worker::n] if n == 2 else None,
            "with 3 workers: return the worker's shards, a list of paths; yours is None",
        ),
    ],
)
def test_wrong_shard_types_get_the_checks_own_message(attempt, says):
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
        (lambda c, p, f, b: c * p * 15 * 8 / 1e9, "the size is 0.024 GB; yours gave 0.12"),
    ],
)
def test_wrong_size_answers_get_their_own_message(attempt, says):
    result = check_pair_gigabytes(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda c, p, f, b: None, "return one number, the size in GB; yours is None"),
        (lambda c, p, f, b: "120 GB", "yours is the text '120 GB'"),
        (lambda c, p, f, b: [120.0, "GB"], "yours has shape (2,)"),
    ],
)
def test_wrong_size_types_get_the_checks_own_message(attempt, says):
    result = check_pair_gigabytes(attempt)
    assert result.status == WRONG
    assert says in result.message
