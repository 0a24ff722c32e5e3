"""Telling identical product vectors apart: serving's 64-bit row hash against np.unique.

`course_utils.serving` finds the products that share a vector (or features), so that they
get one score and tie; notebooks/08_scaling_and_serving.py does it for 100,000 products on
every `Recommender` built or extended. Two ways, timed side by side on the same rows:

- hash: FNV-1a over each row's 64-bit words, then `np.unique` of one key per row (and a
  full-row check that falls back to the next way on a collision); what serving uses;
- np.unique(axis=0): sort the rows themselves; the plainer code.

Both must group the rows the same before either is timed. Issue 22's rule: keep the plainer
one unless the other is at least twice as fast; the run fails if the hash, which is kept,
is no longer twice as fast at 100,000 rows.
"""

import numpy as np

from benchmarks.timing import median_seconds
from course_utils.serving import _distinct_vectors

TARGET = 2.0
REPEATS = 7


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first, inverse) as `_distinct_vectors` returns them, by np.unique(axis=0)."""
    _, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    return first, inverse.reshape(-1)


def cases(rng: np.random.Generator):
    """(name, rows): 08's features and vectors, and a catalogue where 10% are copies."""
    for n in (1_000, 10_000, 100_000):
        yield f"{n:,} x 10 features", rng.uniform(-1, 1, (n, 10))
        vectors = rng.normal(size=(n, 16))
        yield f"{n:,} x 16 vectors", vectors
        copies = vectors.copy()
        copies[rng.integers(0, n, n // 10)] = copies[rng.integers(0, n, n // 10)]
        yield f"{n:,} x 16, 10% copies", copies


def main() -> int:
    rng = np.random.default_rng(0)
    print(f"Grouping identical rows (median of {REPEATS} runs, milliseconds)")
    print(f"{'rows':>24}{'hash':>9}{'unique':>9}{'ratio':>9}")
    ratios = {}
    for name, rows in cases(rng):
        first, inverse = _distinct_vectors(rows)
        reference_first, reference_inverse = unique_rows(rows)
        # The same groups: every row's representative (its group's lowest id) agrees.
        assert np.array_equal(first[inverse], reference_first[reference_inverse]), name
        hashed = median_seconds(lambda rows=rows: _distinct_vectors(rows), REPEATS)
        unique = median_seconds(lambda rows=rows: unique_rows(rows), REPEATS)
        ratios[name] = unique / hashed
        print(f"{name:>24}{hashed * 1e3:>9.2f}{unique * 1e3:>9.2f}{ratios[name]:>8.1f}x")
    at_scale = min(ratio for name, ratio in ratios.items() if name.startswith("100,000"))
    kept = at_scale >= TARGET
    print(
        f"hash at least {TARGET:.0f}x as fast as np.unique(axis=0) at 100,000 rows: "
        f"{'yes, keep it' if kept else 'NO: use np.unique(axis=0), the plainer code'} "
        f"({at_scale:.1f}x)"
    )
    return 0 if kept else 1


if __name__ == "__main__":
    raise SystemExit(main())
