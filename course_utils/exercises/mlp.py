"""Checks for the exercises of notebooks/03_mlp.py: the MLP, its loss, and early stopping.

The early-stopping check lives in `early_stopping.py` and is imported here, so the notebook
finds its three checks in one place.

Call `course_utils.setup()` before importing this module: it imports Keras.
"""

import re
from collections.abc import Callable

import keras
import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    attempt,
    correct,
    describe,
    number,
    run_check,
    wrong,
)
from course_utils.exercises.early_stopping import check_early_stopping
from course_utils.models import RowCheckedModel

__all__ = ["check_build_mlp", "check_early_stopping", "check_flat_mse"]

# --- Building the seed's 64-32-1 network -------------------------------------------------

_N_FEATURES = 7  # not the notebook's 15, so a hard-coded input size shows
_UNITS = [64, 32, 1]
_PROBE_ROWS = 64

# What a layer's output can go through, by the name a learner writes: the check compares
# what the network computes with each combination, however the activation is spelled
# (`Dense(64, activation="relu")`, or `Dense(64)` then `ReLU()` or `Activation("relu")`).
_ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0.0),
    "linear": lambda x: x,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
}


def _dense_layers(model) -> list:
    """The Dense layers of `model`, in order, those of nested models included."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found += _dense_layers(layer)
        elif isinstance(layer, keras.layers.Dense):
            found.append(layer)
    return found


def _probe(dense: list) -> tuple[np.ndarray, list]:
    """Inputs, and weights set on the `dense` layers, that tell the activations apart."""
    rng = np.random.default_rng(0)
    weights = []
    for n_in, n_out in zip([_N_FEATURES] + _UNITS[:-1], _UNITS, strict=True):
        kernel = rng.normal(0.0, 1.5 / np.sqrt(n_in), (n_in, n_out)).astype("float32")
        weights.append((kernel, rng.normal(0.0, 0.5, n_out).astype("float32")))
    for layer, (kernel, bias) in zip(dense, weights, strict=True):
        layer.set_weights([kernel, bias])
    return rng.normal(0.0, 1.0, (_PROBE_ROWS, _N_FEATURES)).astype("float32"), weights


def _computes(x: np.ndarray, weights: list, activations: tuple) -> np.ndarray:
    """The 64-32-1 network with the given `weights` and activation names, on inputs `x`."""
    for (kernel, bias), name in zip(weights, activations, strict=True):
        x = _ACTIVATIONS[name](x.astype(float) @ kernel + bias)
    return x.reshape(-1)


def _activation_problem(model, dense: list) -> str | None:
    """What the network computes instead of ReLU, ReLU, linear, in the learner's terms."""
    x, weights = _probe(dense)
    got = keras.ops.convert_to_numpy(model(x, training=False)).reshape(-1)
    names = list(_ACTIVATIONS)
    matches = [
        (first, second, last)
        for first in names
        for second in names
        for last in names
        if np.allclose(got, _computes(x, weights, (first, second, last)), rtol=1e-4, atol=1e-4)
    ]
    if ("relu", "relu", "linear") in matches:
        return None
    if not matches:
        expected = _computes(x, weights, ("relu", "relu", "linear"))
        return (
            "with the same weights, your network and Dense(64) -> ReLU -> Dense(32) -> ReLU -> "
            f"Dense(1) give different outputs ({got[0]:.3f} against {expected[0]:.3f} on one "
            "row): does something other than a ReLU sit between the Dense layers?"
        )
    first, second, last = matches[0]
    if (first, second) != ("relu", "relu"):
        why = (
            "Without a non-linearity stacked Dense layers collapse into one linear map: "
            "a linear regression, which cannot learn the taste (section 4)."
            if "linear" in (first, second)
            else "ReLU is the seed's choice, and the course's."
        )
        return f"the hidden layers' activations are {[first, second]}, they should be ReLU. {why}"
    return (
        f"the output layer uses '{last}'; a rating is a plain number, so the output should be "
        "linear (no activation). ReLU or sigmoid there limit the range and can stop the "
        "gradient."
    )


def check_build_mlp(build_my_mlp: Callable) -> CheckResult:
    """Check `build_my_mlp(n_features) -> keras.Model`: 64 ReLU, 32 ReLU, 1 linear output.

    The activations are read from what the network computes, with weights the check sets,
    so a ReLU written as its own layer counts as well as `activation="relu"`.
    """
    exercise = "build_my_mlp"

    def body() -> CheckResult:
        model = attempt(build_my_mlp, _N_FEATURES)
        if not isinstance(model, keras.Model):
            return wrong(exercise, f"return a keras.Model; yours returned {describe(model)}.")
        if isinstance(model, RowCheckedModel):
            return wrong(
                exercise,
                "this is the course's build_mlp: the exercise is to write the layers "
                "yourself, with keras.Sequential or the functional API.",
            )
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
        output_shape = tuple(model.outputs[0].shape)
        if output_shape != (None, 1):
            return wrong(exercise, f"the output should have shape (None, 1), got {output_shape}.")
        expected_params = sum(
            (n_in + 1) * n_out
            for n_in, n_out in zip([_N_FEATURES] + _UNITS[:-1], _UNITS, strict=True)
        )
        if model.count_params() > expected_params:
            return wrong(
                exercise,
                f"a 64-32-1 network on {_N_FEATURES} features has {expected_params} weights; "
                f"yours has {model.count_params()}: is there an extra layer?",
            )
        if model.count_params() < expected_params:
            return wrong(
                exercise,
                f"a 64-32-1 network on {_N_FEATURES} features has {expected_params} weights; "
                f"yours has {model.count_params()}: did you turn off a layer's bias "
                "(use_bias=False)?",
            )
        if problem := _activation_problem(model, dense):
            return wrong(exercise, problem)
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
        value = number(attempt(flat_mse, _PREDICTED.copy(), _ACTUAL.copy()), "the mean")
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
        flat = number(attempt(flat_mse, _PREDICTED.reshape(-1), _ACTUAL.copy()), "the mean")
        if not np.isclose(flat, _RIGHT_MSE):
            return wrong(
                exercise,
                f"with predictions of shape (3,) your function gave {flat:.3f}, not "
                f"{_RIGHT_MSE:.3f}: it must accept both (n, 1) and (n,).",
            )
        return _check_mismatch_raises(exercise, flat_mse)

    return run_check(exercise, body)


def _check_mismatch_raises(exercise: str, flat_mse: Callable) -> CheckResult:
    """3 predictions against 4 targets must raise a ValueError naming both arguments and lengths."""
    try:
        value = attempt(flat_mse, _PREDICTED.copy(), np.append(_ACTUAL, 4.0))
    except ValueError as error:
        message = str(error)
        missing = []
        if "predicted" not in message or "actual" not in message:
            missing.append("which argument is wrong (name both `predicted` and `actual`)")
        if not (re.search(r"\b3\b", message) and re.search(r"\b4\b", message)):
            missing.append("their lengths, 3 and 4")
        if missing:
            return wrong(
                exercise,
                f"3 predictions against 4 targets raised ValueError('{message}'), which does "
                f"not say {' nor '.join(missing)}. Check the lengths yourself and put both "
                "names and both lengths in the message.",
            )
        return correct(
            exercise,
            "row against row for (n, 1) and (n,) predictions, and a clear error when the "
            "row counts differ.",
        )
    return wrong(
        exercise,
        f"3 predictions against 4 targets returned {_short(value)} instead of raising: compare "
        "the lengths and raise ValueError naming `predicted` and `actual`.",
    )


def _short(value) -> str:
    """`value` rounded for a message, whatever its type."""
    try:
        return str(np.round(np.asarray(value, dtype=float), 3).tolist())
    except (TypeError, ValueError):
        return describe(value)
