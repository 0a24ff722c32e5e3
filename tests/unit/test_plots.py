"""course_utils.plots by hand: what a learning-curve plot shows, and on which axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_utils.plots import plot_learning_curves  # noqa: E402


def test_learning_curves_label_mark_and_title_every_line():
    history = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6]}
    ax = plot_learning_curves(history, floor=0.25, title="MLP")
    training, validation, floor = ax.get_lines()
    assert [line.get_label() for line in ax.get_lines()] == [
        "training",
        "validation",
        "noise floor",
    ]
    assert training.get_marker() == validation.get_marker() == "o"
    assert list(validation.get_xdata()) == [1, 2, 3]  # epochs from 1, as training
    assert list(validation.get_ydata()) == [1.0, 0.7, 0.6]
    assert list(floor.get_ydata()) == [0.25, 0.25]
    assert floor.get_linestyle() == "--"
    assert floor.get_color() == "grey"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("epoch", "loss", "MLP")
    legend = ax.get_legend()
    assert [text.get_text() for text in legend.get_texts()] == [
        "training",
        "validation",
        "noise floor",
    ]
    plt.close(ax.figure)


def test_learning_curves_draw_on_the_axes_given_and_default_to_no_title():
    figure, (left, right) = plt.subplots(1, 2)
    assert plot_learning_curves({"loss": [1.0, 0.5]}, ax=right) is right
    assert len(right.get_lines()) == 1 and left.get_lines() == []
    assert right.get_title() == ""
    plt.close(figure)


def test_learning_curves_refuse_a_history_without_loss():
    with pytest.raises(
        ValueError, match=r"history must have a 'loss' entry, got keys \['val_loss'\]"
    ):
        plot_learning_curves({"val_loss": [1.0]})
