"""Properties of course_utils.plots (Hypothesis).

Learning curves plot exactly the history they are given.
"""

import matplotlib

matplotlib.use("Agg")


import matplotlib.pyplot as plt
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.plots import plot_learning_curves
from tests.properties.strategies import (
    finite,
    refused,
)


@settings(max_examples=10)
@given(st.lists(finite, min_size=1, max_size=8), st.booleans(), st.one_of(st.none(), finite))
def test_learning_curves_plot_exactly_the_history(loss, with_validation, floor):
    history = {"loss": loss} | ({"val_loss": loss[::-1]} if with_validation else {})
    ax = plot_learning_curves(history, floor=floor)
    lines = ax.get_lines()
    np.testing.assert_array_equal(lines[0].get_ydata(), loss)
    np.testing.assert_array_equal(lines[0].get_xdata(), np.arange(1, len(loss) + 1))
    if with_validation:
        np.testing.assert_array_equal(lines[1].get_ydata(), loss[::-1])
    assert len(lines) == 1 + with_validation + (floor is not None)
    plt.close(ax.figure)
    refused(lambda: plot_learning_curves({"val_loss": loss}), "history")
