"""benchmarks/distinct_vectors.py: its two ways group rows alike, on every case it times."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from benchmarks.distinct_vectors import cases, unique_rows
from course_utils.serving import _distinct_vectors


def same_groups(rows: np.ndarray) -> bool:
    first, inverse = _distinct_vectors(rows)
    reference_first, reference_inverse = unique_rows(rows)
    return np.array_equal(first[inverse], reference_first[reference_inverse])


def test_the_benchmarks_small_cases_group_alike_and_some_have_copies():
    small = [(name, rows) for name, rows in cases(np.random.default_rng(0)) if len(rows) < 10**5]
    assert len(small) == 6 and all(same_groups(rows) for _, rows in small)
    with_copies = [rows for name, rows in small if "copies" in name]
    assert all(len(unique_rows(rows)[0]) < len(rows) for rows in with_copies)


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 30), st.integers(1, 4)),
        elements=st.integers(-2, 2).map(float),
    )
)
def test_hash_and_np_unique_group_generated_rows_alike(rows):
    assert same_groups(rows)
