"""A function a notebook writes out to teach it, and the package's version: the same answers.

Deliberate pairs: the notebook shows the idea in a few lines, the package adds the input
checks. Each pair has the same signature and, on generated inputs, the same outputs.
"""

import inspect

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils.serving import top_k_streaming
from tests.notebooks.checks import notebook_function
from tests.properties.strategies import scores_and_k
from tools.paths import NOTEBOOK_DIR

SERVING = NOTEBOOK_DIR / "08_scaling_and_serving.py"
streaming_top_k = notebook_function(SERVING, "streaming_top_k", {"np": np})


def test_07s_streaming_top_k_has_the_packages_arguments():
    ours = inspect.signature(streaming_top_k).parameters
    package = inspect.signature(top_k_streaming).parameters
    assert [(p.name, p.default) for p in ours.values()] == [
        (p.name, p.default) for p in package.values()
    ]


@given(scores_and_k(), st.lists(st.integers(1, 5), min_size=1, max_size=8))
def test_07s_streaming_top_k_equals_the_packages_ties_included(case, widths):
    scores, k = case  # small whole numbers: many ties, across blocks too
    edges = np.cumsum([0, *widths])
    edges = edges[edges < scores.shape[1]].tolist() + [scores.shape[1]]
    blocks = [scores[:, a:b] for a, b in zip(edges[:-1], edges[1:], strict=True)]
    ours_ids, ours_scores = streaming_top_k(iter(blocks), k)
    ids, best = top_k_streaming(iter(blocks), k)
    np.testing.assert_array_equal(ours_ids, ids)
    np.testing.assert_array_equal(ours_scores, best)


def test_a_missing_or_repeated_function_is_named():
    with pytest.raises(ValueError, match="no_such_function 0 times"):
        notebook_function(SERVING, "no_such_function")
