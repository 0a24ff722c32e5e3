"""Plots used by more than one notebook."""

import matplotlib.pyplot as plt


def plot_learning_curves(history: dict, floor: float | None = None, ax=None, title: str = ""):
    """Plot training and validation loss per epoch, with the noise floor if given.

    Args:
        history: a Keras `History.history` dict with "loss" and optionally "val_loss".
    """
    if "loss" not in history:
        raise ValueError(f"history must have a 'loss' entry, got keys {sorted(history)}")
    ax = ax or plt.subplots()[1]
    epochs = range(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], marker="o", label="training")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], marker="o", label="validation")
    if floor is not None:
        ax.axhline(floor, color="grey", linestyle="--", label="noise floor")
    ax.set(xlabel="epoch", ylabel="loss", title=title)
    ax.legend()
    return ax
