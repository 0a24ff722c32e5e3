"""Strategies and refusal checks shared by the property-based tests (Hypothesis).

Generated inputs of many shapes and values check invariants (metrics in [0, 1], `top_k`
equal to a stable-sort reference, streaming equal to whole, pairing row by row), and
generated bad inputs check that each helper refuses them with a `ValueError`/`TypeError`
naming the argument. The profile (tests/conftest.py) keeps the whole folder under a minute
on two cores; set HYPOTHESIS_PROFILE=dev for a longer search.
"""

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import course_utils

PACKAGE = Path(course_utils.__file__).parent
REFUSED = (ValueError, TypeError)
BAD_CALLS = [0]  # how many bad calls the refusal checks made (printed with -s at the end)


def refused(call, *names):
    """`call()` raises a ValueError/TypeError from course_utils whose first line names one of
    `names`: not a NumPy, Keras or TensorFlow message, and not a name buried further down."""
    BAD_CALLS[0] += 1
    with pytest.raises(REFUSED) as caught:
        call()
    message = str(caught.value)
    first_line = message.splitlines()[0] if message else ""
    assert any(name in first_line for name in names), (names, message)
    raised_in = Path(caught.traceback[-1].path)
    assert raised_in.is_relative_to(PACKAGE), f"raised in {raised_in}: {message}"
    return message


finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64)
# Small whole numbers: plenty of exact ties, and matrix products computed exactly.
whole = st.integers(-3, 3).map(float)


@st.composite
def matrices(draw, rows=(1, 8), cols=(1, 8), elements=finite):
    shape = (draw(st.integers(*rows)), draw(st.integers(*cols)))
    return draw(hnp.arrays(np.float64, shape, elements=elements))


@st.composite
def scores_and_k(draw, elements=whole):
    scores = draw(matrices(elements=elements))
    return scores, draw(st.integers(1, scores.shape[1]))


@st.composite
def ranking_case(draw):
    """relevance (binary or graded), and a list of distinct ids per customer."""
    n_customers, n_products = draw(st.integers(1, 6)), draw(st.integers(1, 9))
    graded = draw(st.booleans())
    grades = st.integers(0, 4) if graded else st.integers(0, 1)
    relevance = draw(hnp.arrays(np.int64, (n_customers, n_products), elements=grades))
    width = draw(st.integers(1, n_products))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    recommended = np.array([rng.permutation(n_products)[:width] for _ in range(n_customers)])
    return relevance.astype(float), recommended, draw(st.integers(1, width))


# The wrong values themselves are generated class by class in wrong_values.py.


if os.environ.get("COUNT_BAD_CALLS"):  # pragma: no cover - a tally for the maintainers' notes
    import atexit

    atexit.register(lambda: print(f"\nbad calls refused: {BAD_CALLS[0]}"))
