"""Checks for the exercises of notebooks/03_mlp.py: the MLP, its loss, and early stopping.

Call `course_utils.setup()` before importing this module: it imports Keras.
"""

from collections.abc import Callable

import keras
import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    attempt,
    correct,
    number_problem,
    run_check,
    wrong,
)

# --- Building the seed's 64-32-1 network -------------------------------------------------

_N_FEATURES = 7  # not the notebook's 15, so a hard-coded input size shows
_UNITS = [64, 32, 1]
_ACTIVATIONS = ["relu", "relu", "linear"]


def _dense_layers(model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def _activation_name(layer) -> str:
    activation = layer.activation
    return getattr(activation, "__name__", type(activation).__name__)


def check_build_mlp(build_my_mlp: Callable) -> CheckResult:
    """Check `build_my_mlp(n_features) -> keras.Model`: 64 ReLU, 32 ReLU, 1 linear output."""
    exercise = "build_my_mlp"

    def body() -> CheckResult:
        model = attempt(build_my_mlp, _N_FEATURES)
        if not isinstance(model, keras.Model):
            return wrong(exercise, f"return a keras.Model; yours returned {type(model).__name__}.")
        try:
            input_shape = tuple(model.inputs[0].shape)
        except (AttributeError, IndexError, TypeError):  # a Sequential without keras.Input
            return wrong(
                exercise,
                "your model has no input yet: start it with keras.Input(shape=(n_features,)).",
            )
        if input_shape != (None, _N_FEATURES):
            return wrong(
                exercise,
                f"called with n_features={_N_FEATURES}, the input should have shape "
                f"(None, {_N_FEATURES}); yours has {input_shape}. Use keras.Input(shape="
                "(n_features,)) rather than a fixed number.",
            )
        dense = _dense_layers(model)
        units = [layer.units for layer in dense]
        if units == _UNITS[:2]:
            return wrong(
                exercise,
                "your Dense layers have 64 and 32 units but no output layer: add Dense(1), "
                "one predicted rating per row.",
            )
        if units != _UNITS:
            return wrong(exercise, f"the Dense layers should have {_UNITS} units; yours: {units}.")
        activations = [_activation_name(layer) for layer in dense]
        if activations[:2] != _ACTIVATIONS[:2]:
            return wrong(
                exercise,
                f"the hidden layers' activations are {activations[:2]}, they should be ReLU. "
                "Without a non-linearity stacked Dense layers collapse into one linear map: "
                "a linear regression, which cannot learn the taste (section 4).",
            )
        if activations[2] != "linear":
            return wrong(
                exercise,
                f"the output layer uses '{activations[2]}'; a rating is a plain number, so "
                "the output should be linear (no activation). ReLU or sigmoid there limit "
                "the range and can stop the gradient.",
            )
        output_shape = tuple(model.outputs[0].shape)
        if output_shape != (None, 1):
            return wrong(exercise, f"the output should have shape (None, 1), got {output_shape}.")
        expected_params = sum(
            (n_in + 1) * n_out
            for n_in, n_out in zip([_N_FEATURES] + _UNITS[:-1], _UNITS, strict=True)
        )
        if model.count_params() != expected_params:
            return wrong(
                exercise,
                f"a 64-32-1 network on {_N_FEATURES} features has {expected_params} weights; "
                f"yours has {model.count_params()}: is there an extra layer?",
            )
        return correct(
            exercise,
            f"{_N_FEATURES} features -> 64 ReLU -> 32 ReLU -> 1 linear output, "
            f"{expected_params} weights: the seed's MLP.",
        )

    return run_check(exercise, body)


# --- The mean squared error, and the (n, 1) against (n,) trap -----------------------------

_PREDICTED = np.array([[1.0], [2.0], [3.0]])  # shaped like model.predict's output
_ACTUAL = np.array([1.0, 2.0, 6.0])
_RIGHT_MSE = 3.0  # errors 0, 0, -3: (0 + 0 + 9) / 3
_BROADCAST_MSE = float(np.mean((_PREDICTED - _ACTUAL) ** 2))  # 57 / 9, over a (3, 3) matrix


def check_flat_mse(flat_mse: Callable) -> CheckResult:
    """Check `flat_mse(predicted, actual) -> float`, for (n, 1) or (n,) predictions.

    It must compare row with row, and raise a ValueError naming its arguments when they
    have different numbers of rows.
    """
    exercise = "flat_mse"

    def body() -> CheckResult:
        value = attempt(flat_mse, _PREDICTED.copy(), _ACTUAL.copy())
        if problem := number_problem("the mean", value):
            return wrong(exercise, problem)
        value = float(value)
        if np.isclose(value, _BROADCAST_MSE):
            return wrong(
                exercise,
                f"predictions [[1], [2], [3]] against targets [1, 2, 6] gave "
                f"{value:.3f}: the mean over a (3, 3) matrix. A (3, 1) minus a (3,) "
                "broadcasts to every prediction against every target. Flatten the "
                f"predictions first (reshape(-1)); the right answer is {_RIGHT_MSE:.3f}.",
            )
        if np.isclose(value, np.sqrt(_RIGHT_MSE)):
            return wrong(
                exercise,
                f"{value:.3f} is the root of the MSE (RMSE); the MSE takes no square root: "
                f"{_RIGHT_MSE:.3f}.",
            )
        if np.isclose(value, 3 * _RIGHT_MSE):
            return wrong(exercise, f"{value:.3f} is the sum of squared errors; take the mean.")
        if not np.isclose(value, _RIGHT_MSE):
            return wrong(
                exercise,
                f"predictions [1, 2, 3] against targets [1, 2, 6] have errors 0, 0, -3, so "
                f"the MSE is 9 / 3 = {_RIGHT_MSE:.3f}; yours gave {value:.3f}.",
            )
        flat = float(attempt(flat_mse, _PREDICTED.reshape(-1), _ACTUAL.copy()))
        if not np.isclose(flat, _RIGHT_MSE):
            return wrong(
                exercise,
                f"with predictions of shape (3,) your function gave {flat:.3f}, not "
                f"{_RIGHT_MSE:.3f}: it must accept both (n, 1) and (n,).",
            )
        return _check_mismatch_raises(exercise, flat_mse)

    return run_check(exercise, body)


def _check_mismatch_raises(exercise: str, flat_mse: Callable) -> CheckResult:
    """3 predictions against 4 targets must raise a ValueError that names the arguments."""
    try:
        value = attempt(flat_mse, _PREDICTED.copy(), np.append(_ACTUAL, 4.0))
    except ValueError as error:
        message = str(error)
        if "predicted" not in message and "actual" not in message:
            return wrong(
                exercise,
                f"3 predictions against 4 targets raised ValueError('{message}'), which does "
                "not say which argument is wrong. Check the lengths yourself and name "
                "`predicted` and `actual` in the message.",
            )
        return correct(
            exercise,
            "row against row for (n, 1) and (n,) predictions, and a clear error when the "
            "row counts differ.",
        )
    return wrong(
        exercise,
        f"3 predictions against 4 targets returned {np.asarray(value).round(3).tolist()} "
        "instead of raising: compare the lengths and raise ValueError naming `predicted` "
        "and `actual`.",
    )


# --- Early stopping on a validation split -------------------------------------------------

_ROWS, _INPUTS = 64, 4
_VALIDATION_FRACTION = 0.25
_PATIENCE = 2
_MAX_EPOCHS = 20
_BATCH_SIZE = 8


def _early_stopping_problem(seed: int = 0):
    """A problem a wide network overfits within a few epochs: 48 training rows, 16 held out.

    Seeds Keras (`keras.utils.set_random_seed`), so the same model starts from the same
    weights every time; every training cell of the notebook seeds itself again anyway.
    """
    rng = np.random.default_rng(seed)
    features = rng.uniform(-1, 1, (_ROWS, _INPUTS)).astype("float32")
    targets = (features[:, 0] + rng.normal(0, 0.5, _ROWS)).astype("float32")
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
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
        mistake = _training_mistake(model, history, features, targets)
        if mistake:
            return wrong(exercise, mistake)
        val_losses = history["val_loss"]
        best_epoch = int(np.argmin(val_losses)) + 1
        if not isinstance(best, (int, np.integer)) or isinstance(best, bool):
            return wrong(exercise, f"return the best epoch as an int; yours is {best!r}.")
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
