"""Strategies and refusal checks shared by the property-based tests (Hypothesis).

Generated inputs of many shapes and values check invariants (metrics in [0, 1], `top_k`
equal to a stable-sort reference, streaming equal to whole, pairing row by row), and
generated bad inputs check that each helper refuses them with a `ValueError`/`TypeError`
naming the argument. The profile (tests/conftest.py) keeps the whole folder under a minute
on two cores; set HYPOTHESIS_PROFILE=dev for a longer search.
"""

import os

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

REFUSED = (ValueError, TypeError)
BAD_CALLS = [0]  # how many bad calls the refusal checks made (printed with -s at the end)


def refused(call, *names):
    """`call()` raises ValueError/TypeError whose message names one of `names`."""
    BAD_CALLS[0] += 1
    with pytest.raises(REFUSED) as caught:
        call()
    message = str(caught.value)
    assert any(name in message for name in names), (names, message)
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


# The kinds of wrong value a learner passes: each helper must refuse every one by name.
BAD_ARRAYS = {
    "nan": lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.nan, a),
    "inf": lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, np.inf, a),
    "complex": lambda a: a + 1j,
    "strings": lambda a: a.astype(str),
    "objects": lambda a: a.astype(object),
    "one rank too many": lambda a: a[..., None],
    "one rank too few": lambda a: a.reshape(-1) if a.ndim > 1 else a[0],
}
BAD_INTS = [0, -1, 2.5, "3", True, None, float("nan"), 1j]
BAD_SEEDS = [-1, 1.5, "42", None, [1.5], float("nan")]
BAD_REALS = [float("nan"), float("inf"), -float("inf"), "1", None, 1j]


if os.environ.get("COUNT_BAD_CALLS"):  # pragma: no cover - a tally for the maintainers' notes
    import atexit

    atexit.register(lambda: print(f"\nbad calls refused: {BAD_CALLS[0]}"))
