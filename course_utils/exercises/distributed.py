"""Checks for the exercises of notebooks/10_beyond_one_machine.py: shards and sizes."""

from course_utils.exercises.core import (
    CheckResult,
    WrongAnswer,
    attempt,
    correct,
    describe,
    further_case,
    number,
    run_check,
    wrong,
)

_SHARDS = [f"purchases-{i:03d}.tfrecord" for i in range(8)]


def _paths(got) -> list:
    """The answer as a list of paths; `WrongAnswer` unless it is a sequence of them."""
    if isinstance(got, str) or not hasattr(got, "__iter__"):
        raise WrongAnswer(f"return the worker's shards, a list of paths; yours is {describe(got)}.")
    return list(got)


def check_my_shards(my_shards) -> CheckResult:
    """Check `my_shards(paths, worker, n_workers)`: shards dealt out in turn.

    With 2 workers and, as 8 is not a multiple of 3, with 3: worker w reads paths[w::n].
    """
    exercise = "my_shards"

    def body() -> CheckResult:
        got = [_paths(attempt(my_shards, list(_SHARDS), w, 2)) for w in (0, 1)]
        case = "with 3 workers"
        with further_case(case):
            three = [_paths(attempt(my_shards, list(_SHARDS), w, 3)) for w in (0, 1, 2)]
        if got[1] == _SHARDS[4:]:
            return wrong(
                exercise,
                "worker 1 got the second half (shards 4-7): that works too, but dealing in "
                "turn (1, 3, 5, 7) is what make_dataset does, and it stays balanced when "
                "the count is not a multiple of the workers.",
            )
        if got[1] == _SHARDS[0::2] or got[0] == _SHARDS[1::2]:
            return wrong(exercise, "worker 0 should start at shard 0 and worker 1 at shard 1.")
        if sorted(sum(three, [])) != sorted(_SHARDS):
            return wrong(
                exercise,
                "with 3 workers every shard must be read by exactly one worker; yours read "
                f"{sorted(sum(three, []))}.",
            )
        if got != [_SHARDS[0::2], _SHARDS[1::2]]:
            return wrong(
                exercise, f"with 2 workers, worker 1 reads {_SHARDS[1::2]}; yours: {got[1]}."
            )
        if three != [_SHARDS[w::3] for w in range(3)]:
            return wrong(
                exercise,
                "with 3 workers, dealing in turn gives worker 0 shards 0, 3, 6, worker 1 "
                "shards 1, 4, 7 and worker 2 shards 2, 5; yours give "
                f"{[[_SHARDS.index(p) if p in _SHARDS else p for p in paths] for paths in three]}.",
            )
        return correct(exercise, "every shard goes to one worker, dealt out in turn.")

    return run_check(exercise, body)


# A second table, so that no number of the first (15 values of 8 bytes) can be written in.
_OTHER_CASE, _OTHER_GB = (2_000, 500, 6, 4), 0.024


def check_pair_gigabytes(pair_gigabytes) -> CheckResult:
    """Check `pair_gigabytes(n_customers, n_products, n_features, bytes_per_value)`."""
    exercise = "pair_gigabytes"

    def body() -> CheckResult:
        got = number(attempt(pair_gigabytes, 100_000, 10_000, 15, 8), "the size in GB")
        if abs(got - 120.0) < 1e-6:
            case = "for 2,000 customers x 500 products x 6 values x 4 bytes"
            with further_case(case):
                other = number(attempt(pair_gigabytes, *_OTHER_CASE), "the size in GB")
            if abs(other - _OTHER_GB) > 1e-9:
                return wrong(
                    exercise,
                    f"right for the seed's table, but {case} the size is {_OTHER_GB} GB; "
                    f"yours gave {other:g}. Use all four arguments, not the seed's numbers.",
                )
            return correct(exercise, "100,000 x 10,000 pairs x 15 float64 values = 120 GB.")
        if abs(got - 120e9 / 2**30) < 1e-3:
            return wrong(exercise, "you divided by 2**30 (GiB); a GB here is 10**9 bytes.")
        if abs(got - 8.0) < 1e-6 or abs(got - 1e-9 * 100_000 * 10_000 * 8) < 1e-6:
            return wrong(exercise, "each row holds n_features values: multiply by n_features.")
        if abs(got - 120e9) < 1:
            return wrong(exercise, "that is bytes; divide by 10**9 for GB.")
        return wrong(
            exercise,
            f"100,000 customers x 10,000 products x 15 values x 8 bytes is 120 GB; "
            f"yours gave {got:g}.",
        )

    return run_check(exercise, body)
