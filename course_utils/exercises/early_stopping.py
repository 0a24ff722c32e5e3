"""The check of notebooks/03_mlp.py's early-stopping exercise, on a problem that overfits fast.

Call `course_utils.setup()` before importing this module: it imports Keras. Notebook 03
imports the check from `course_utils.exercises.mlp`, with the others of its notebook.
"""

import inspect
from collections.abc import Callable

import keras
import numpy as np

from course_utils.exercises.core import CheckResult, attempt, correct, describe, run_check, wrong

# --- Early stopping on a validation split -------------------------------------------------

_ROWS, _INPUTS = 64, 4
_VALIDATION_FRACTION = 0.25
_PATIENCE = 2
_MAX_EPOCHS = 15  # not the notebook's BIG_EPOCHS (20), so a hard-coded number shows
_BATCH_SIZE = 8


class _FitRecorder(keras.Sequential):
    """A Sequential that notes how many epochs its last `fit` call asked for."""

    asked_epochs: int | None = None

    def fit(self, *args, **kwargs):
        arguments = inspect.signature(keras.Model.fit).bind(self, *args, **kwargs).arguments
        self.asked_epochs = arguments.get("epochs", 1)
        return super().fit(*args, **kwargs)


def _early_stopping_problem(seed: int = 0):
    """A problem a wide network overfits within a few epochs: 48 training rows, 16 held out.

    Seeds Keras (`keras.utils.set_random_seed`), so the same model starts from the same
    weights every time; every training cell of the notebook seeds itself again anyway.
    """
    rng = np.random.default_rng(seed)
    features = rng.uniform(-1, 1, (_ROWS, _INPUTS)).astype("float32")
    targets = (features[:, 0] + rng.normal(0, 0.5, _ROWS)).astype("float32")
    keras.utils.set_random_seed(seed)
    model = _FitRecorder(
        [
            keras.Input(shape=(_INPUTS,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(1),
        ],
        name="tiny",
    )
    return model, features, targets


def check_early_stopping(fit_with_early_stopping: Callable) -> CheckResult:
    """Check `fit_with_early_stopping(model, features, targets, validation_fraction, patience,
    max_epochs, batch_size) -> int`.

    It must compile the model (Adam, MSE), train with the last `validation_fraction` of the
    rows held out, stop `patience` epochs after the best validation loss, restore the best
    weights, and return the best epoch, counted from 1.
    """
    exercise = "fit_with_early_stopping"

    def body() -> CheckResult:
        model, features, targets = _early_stopping_problem()
        best = attempt(
            fit_with_early_stopping,
            model,
            features,
            targets,
            validation_fraction=_VALIDATION_FRACTION,
            patience=_PATIENCE,
            max_epochs=_MAX_EPOCHS,
            batch_size=_BATCH_SIZE,
        )
        history = getattr(getattr(model, "history", None), "history", None)
        if not history:
            return wrong(exercise, "the model was never trained: call model.fit(...).")
        if "val_loss" not in history:
            return wrong(
                exercise,
                "fit reported no validation loss: pass validation_split=validation_fraction, "
                "so Keras holds out the last rows and measures them after every epoch.",
            )
        mistake = _training_mistake(model, history, features, targets) or _batch_mistake(
            model, len(history["val_loss"]), len(targets), _VALIDATION_FRACTION, _BATCH_SIZE
        )
        if mistake:
            return wrong(exercise, mistake)
        val_losses = history["val_loss"]
        best_epoch = int(np.argmin(val_losses)) + 1
        if not isinstance(best, (int, np.integer)) or isinstance(best, bool):
            shown = repr(best) if isinstance(best, float | np.floating | bool) else describe(best)
            return wrong(exercise, f"return the best epoch as an int; yours is {shown}.")
        if best == best_epoch - 1:
            return wrong(
                exercise,
                f"you returned {best}, a 0-based index: epochs count from 1 here, so the "
                f"lowest validation loss is at epoch {best_epoch} (np.argmin(...) + 1).",
            )
        if best == len(val_losses):
            return wrong(
                exercise,
                f"you returned {best}, the last epoch trained; the best is the one with the "
                f"lowest validation loss, epoch {best_epoch}, {_PATIENCE} epochs earlier.",
            )
        if best != best_epoch:
            return wrong(
                exercise,
                f"the lowest validation loss was at epoch {best_epoch}; you returned {best}.",
            )
        return correct(
            exercise,
            f"training stopped {_PATIENCE} epochs after the lowest validation loss, kept "
            "that epoch's weights and returned it.",
        )

    return run_check(exercise, body)


def _is_mse(loss) -> bool:
    if isinstance(loss, str):
        return loss.lower() in ("mse", "mean_squared_error")
    return (
        isinstance(loss, keras.losses.MeanSquaredError) or loss is keras.losses.mean_squared_error
    )


def _training_mistake(model, history: dict, features, targets) -> str | None:
    """What went wrong in compiling or fitting, in the learner's terms, or None."""
    if not isinstance(model.optimizer, keras.optimizers.Adam):
        return f"compile with optimizer='adam'; yours is {type(model.optimizer).__name__}."
    if not _is_mse(model.loss):
        return f"compile with loss='mse' (the mean squared error); yours is {model.loss!r}."
    if isinstance(model.asked_epochs, int | np.integer) and model.asked_epochs > _MAX_EPOCHS:
        return (
            f"your fit asked for {model.asked_epochs} epochs, but max_epochs is {_MAX_EPOCHS}: "
            "pass epochs=max_epochs, so training never runs longer than the caller allows."
        )
    val_losses = history["val_loss"]
    epochs, best_epoch = len(val_losses), int(np.argmin(val_losses)) + 1
    if epochs == _MAX_EPOCHS:
        return (
            f"training ran all {_MAX_EPOCHS} epochs although the validation loss was lowest "
            f"at epoch {best_epoch}. Pass callbacks=[keras.callbacks.EarlyStopping("
            "monitor='val_loss', patience=patience, restore_best_weights=True)]: the "
            "training loss ('loss') keeps falling, so watching it never stops."
        )
    if epochs != best_epoch + _PATIENCE:
        return (
            f"training stopped after {epochs} epochs, but the validation loss was lowest at "
            f"epoch {best_epoch}: with patience={_PATIENCE} it should stop after "
            f"{best_epoch + _PATIENCE}. Monitor 'val_loss' with patience=patience."
        )
    n_validation = int(round(len(targets) * _VALIDATION_FRACTION))
    predicted = np.asarray(model(features[-n_validation:])).reshape(-1)
    now = float(np.mean((predicted - targets[-n_validation:]) ** 2))
    if np.isclose(now, min(val_losses), rtol=1e-4):
        return None
    if np.isclose(now, val_losses[-1], rtol=1e-4):
        return (
            "the model keeps the weights of the last epoch, which overfit more than the "
            "best one: pass restore_best_weights=True to EarlyStopping."
        )
    return (
        f"the validation loss Keras reported is not the loss on the last "
        f"{_VALIDATION_FRACTION:.0%} of the rows: hold them out with "
        "validation_split=validation_fraction (Keras takes the last rows)."
    )


def _batch_mistake(model, epochs: int, n_rows: int, fraction: float, batch_size: int) -> str | None:
    """A sentence if the optimizer's step count says fit did not use `batch_size`, else None."""
    n_train = n_rows - int(round(n_rows * fraction))
    per_epoch = -(-n_train // batch_size)
    steps = int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    if steps == epochs * per_epoch:
        return None
    return (
        f"{epochs} epochs took {steps} steps of the optimizer, {steps / epochs:g} an epoch; "
        f"with batch_size={batch_size} the {n_train} training rows make {per_epoch} batches "
        "an epoch. Pass batch_size=batch_size to fit."
    )
