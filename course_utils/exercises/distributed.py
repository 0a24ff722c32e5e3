"""Checks for the exercises of notebooks/09_beyond_one_machine.py: shards and sizes."""

from course_utils.exercises.core import CheckResult, attempt, correct, run_check, wrong

_SHARDS = [f"purchases-{i:03d}.tfrecord" for i in range(8)]


def check_my_shards(my_shards) -> CheckResult:
    """Check `my_shards(paths, worker, n_workers)`: shards dealt out in turn."""
    exercise = "my_shards"

    def body() -> CheckResult:
        got = [list(attempt(my_shards, list(_SHARDS), w, 2)) for w in (0, 1)]
        three = [list(attempt(my_shards, list(_SHARDS), w, 3)) for w in (0, 1, 2)]
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
        return correct(exercise, "every shard goes to one worker, dealt out in turn.")

    return run_check(exercise, body)


def check_pair_gigabytes(pair_gigabytes) -> CheckResult:
    """Check `pair_gigabytes(n_customers, n_products, n_features, bytes_per_value)`."""
    exercise = "pair_gigabytes"

    def body() -> CheckResult:
        got = float(attempt(pair_gigabytes, 100_000, 10_000, 15, 8))
        if abs(got - 120.0) < 1e-6:
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
