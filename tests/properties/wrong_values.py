"""Strategies that turn a valid argument into a wrong one of a given class (Hypothesis).

The classes of mistake a learner makes with the course's helpers:

- rank: a vector where a matrix goes, a matrix with an extra axis, a scalar;
- width: a feature matrix with more or fewer columns than the model or the other argument;
- length: arrays whose row counts should match and do not;
- nan/inf: a NaN, inf or -inf among the numbers;
- ids: a negative, fractional, NaN or too-large id;
- dtype: strings, objects (None) or complex numbers where real numbers go;
- bool: a bool where an int is expected (k=True, a bool array of ids);
- type: the wrong kind of Python object (a float k, a string, None, a dict);
- value: a number of the right type out of its range (k=0, k beyond the catalogue, a
  negative regularisation, a fraction of 1);
- empty: no rows or no columns where there must be some.

Each strategy draws the wrong value (where it sits, how large, which variant), so a test
that uses it generates the class rather than listing its members.
"""

import math

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

CLASSES = (
    "rank",
    "width",
    "length",
    "nan/inf",
    "ids",
    "dtype",
    "bool",
    "type",
    "value",
    "empty",
)

not_numbers = st.one_of(
    st.text(max_size=3),
    st.none(),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.sets(st.integers(), max_size=2),
)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])
fractions = st.floats(-1e6, 1e6).filter(lambda x: x != round(x))


@st.composite
def wrong_array(draw, valid, kind: str, *, upper: int | None = None, empty: str = "rows"):
    """`valid` (a numeric array of ids or numbers) made wrong in one way of class `kind`.

    `upper` is the bound ids must stay under; `empty` says which axis must not be empty.
    """
    a = np.asarray(valid)
    if kind == "rank":
        how = draw(st.sampled_from(["more axes", "fewer axes"]))
        if how == "more axes":
            return a.reshape(a.shape + (1,) * draw(st.integers(1, 2)))
        return a.reshape(-1)[draw(st.integers(0, a.size - 1))] if a.ndim == 1 else a.reshape(-1)
    if kind == "width":
        width = a.shape[1]
        new = draw(st.integers(1, width + 3).filter(lambda w: w != width))
        return a[:, np.arange(new) % width]
    if kind == "length":
        rows = len(a)
        new = draw(st.integers(1, rows + 3).filter(lambda n: n != rows))
        return a[np.arange(new) % rows]
    position = draw(st.integers(0, a.size - 1))
    if kind in ("nan/inf", "ids"):
        if kind == "nan/inf":
            value = draw(non_finite)
        else:
            choices = [st.integers(-(10**6), -1), fractions.map(abs), st.just(math.nan)]
            if upper is not None:
                choices.append(st.integers(upper, 3 * upper + 10))
            value = draw(st.one_of(*choices))
        out = a.astype(float if isinstance(value, float) else a.dtype).copy()
        out.flat[position] = value
        return out
    if kind == "dtype":
        how = draw(st.sampled_from(["strings", "objects", "complex"]))
        if how == "strings":
            return a.astype(str)
        if how == "objects":
            out = a.astype(object)
            out.flat[position] = None
            return out
        return a + 1j * draw(st.floats(0.5, 10))
    if kind == "bool":
        return draw(hnp.arrays(bool, a.shape))
    if kind == "type":
        return draw(not_numbers)
    if kind == "empty":
        return a[:, :0] if empty == "columns" else a[:0]
    raise ValueError(f"no wrong arrays of class {kind!r}")


@st.composite
def wrong_int(draw, kind: str, *, largest: int | None = None):
    """A wrong k or size: a float, a string, None (type), a bool, or out of 1..largest."""
    if kind == "type":
        return draw(
            st.one_of(
                st.floats(-1e6, 1e6),
                st.floats(1, 100).map(np.float64),
                st.lists(st.integers(1, 5), min_size=1, max_size=2),
                not_numbers,
            )
        )
    if kind == "bool":
        return draw(st.booleans())
    if kind == "nan/inf":
        return draw(non_finite)
    if kind == "value":
        too_small = st.integers(-(10**6), 0)
        if largest is None:
            return draw(too_small)
        return draw(st.one_of(too_small, st.integers(largest + 1, largest + 100)))
    raise ValueError(f"no wrong ints of class {kind!r}")


@st.composite
def wrong_seed(draw, kind: str):
    """A seed that cannot seed `np.random.default_rng` reproducibly."""
    if kind == "type":
        return draw(
            st.one_of(
                fractions,
                st.none(),  # default_rng(None) draws from the OS: silently irreproducible
                st.text(max_size=3),
                st.lists(fractions, min_size=1, max_size=2),
            )
        )
    if kind == "bool":
        return draw(st.booleans())
    if kind == "value":
        return draw(st.integers(-(10**6), -1))
    raise ValueError(f"no wrong seeds of class {kind!r}")


@st.composite
def wrong_real(draw, kind: str, *, low: float | None = None, strictly: bool = False):
    """A wrong real parameter (a noise level, a regularisation): NaN, a string, too low."""
    if kind == "nan/inf":
        return draw(non_finite)
    if kind == "type":
        return draw(st.one_of(not_numbers, st.lists(st.floats(0, 1), min_size=1, max_size=2)))
    if kind == "bool":
        return draw(st.booleans())
    if kind == "dtype":
        return draw(st.complex_numbers(max_magnitude=10).filter(lambda z: z.imag != 0))
    if kind == "value":
        return draw(st.floats(max_value=low, exclude_max=not strictly, min_value=low - 1e6))
    raise ValueError(f"no wrong reals of class {kind!r}")


@st.composite
def wrong_fraction(draw, kind: str):
    """A wrong fraction: outside (0, 1), NaN, a string, a bool."""
    if kind == "value":
        return draw(st.floats(-1e3, 1e3).filter(lambda x: not 0 < x < 1))
    if kind == "nan/inf":
        return draw(non_finite)
    if kind == "type":
        return draw(not_numbers)
    if kind == "bool":
        return draw(st.booleans())
    raise ValueError(f"no wrong fractions of class {kind!r}")


@st.composite
def wrong_frame(draw, valid: pd.DataFrame, kind: str, *, ids=(), numbers=()):
    """`valid` with one wrong column, a missing one, no rows, or not a DataFrame at all."""
    if kind == "type":
        return draw(
            st.one_of(st.just(valid.to_numpy()), st.just(valid.to_dict("list")), not_numbers)
        )
    if kind == "width":
        return valid.drop(columns=draw(st.sampled_from([*ids, *numbers])))
    if kind == "empty":
        return valid.iloc[:0]
    column = draw(st.sampled_from(list(ids) if kind in ("ids", "bool") else [*ids, *numbers]))
    frame = valid.copy()
    if kind == "ids":
        frame[column] = draw(wrong_array(valid[column].to_numpy(), "ids"))
    elif kind == "nan/inf":
        frame[column] = draw(wrong_array(valid[column].to_numpy(), "nan/inf"))
    elif kind == "dtype":
        frame[column] = valid[column].astype(str)
    elif kind == "bool":
        frame[column] = draw(hnp.arrays(bool, len(valid)))
    else:
        raise ValueError(f"no wrong frames of class {kind!r}")
    return frame
