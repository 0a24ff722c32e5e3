"""The checks of notebook 03's exercises: right, untouched, and typical wrong answers."""

import pytest

from course_utils import setup

setup(seed=42)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG  # noqa: E402
from course_utils.exercises.mlp import (  # noqa: E402
    check_build_mlp,
    check_early_stopping,
    check_flat_mse,
)


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: replace this line with your code")


# --- build_my_mlp


def mlp(n_features, units=(64, 32, 1), activations=("relu", "relu", None)):
    layers = [keras.Input(shape=(n_features,))]
    layers += [keras.layers.Dense(u, activation=a) for u, a in zip(units, activations, strict=True)]
    return keras.Sequential(layers)


def functional_mlp(n_features):
    inputs = keras.Input(shape=(n_features,))
    x = keras.layers.Dense(64, activation="relu")(inputs)
    x = keras.layers.Dense(32, activation="relu")(x)
    return keras.Model(inputs, keras.layers.Dense(1)(x))


def with_batch_norm(n_features):
    model = mlp(n_features)
    return keras.Sequential([keras.Input(shape=(n_features,)), model.layers[0],
                             keras.layers.BatchNormalization(), *model.layers[1:]])  # fmt: skip


@pytest.mark.parametrize("right", [mlp, functional_mlp])
def test_build_mlp_right_answers_pass(right, capsys):
    result = check_build_mlp(right)
    assert result.status == CORRECT
    assert capsys.readouterr().out.startswith("✅ Correct (build_my_mlp)")


def test_build_mlp_stub_is_not_attempted():
    assert check_build_mlp(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda n: mlp(15), "called with n_features=7"),
        (lambda n: mlp(n, (64, 32), ("relu", "relu")), "no output layer"),
        (lambda n: mlp(n, (32, 64, 1)), "should have [64, 32, 1] units"),
        (lambda n: mlp(n, activations=(None, None, None)), "collapse into one linear map"),
        (lambda n: mlp(n, activations=("relu", "relu", "relu")), "output layer uses 'relu'"),
        (with_batch_norm, "is there an extra layer?"),
        (lambda n: keras.Sequential(mlp(n).layers), "no input yet"),
        (lambda n: [64, 32, 1], "return a keras.Model"),
    ],
)
def test_build_mlp_wrong_answers_get_their_own_message(attempt, says):
    result = check_build_mlp(attempt)
    assert result.status == WRONG
    assert says in result.message


# --- flat_mse


def flat_mse(predicted, actual):
    predicted, actual = np.ravel(predicted), np.ravel(actual)
    if len(predicted) != len(actual):
        raise ValueError(f"predicted has {len(predicted)} rows but actual has {len(actual)}")
    return float(np.mean((predicted - actual) ** 2))


def test_flat_mse_right_answer_passes():
    assert check_flat_mse(flat_mse).status == CORRECT


def test_flat_mse_stub_is_not_attempted():
    assert check_flat_mse(stub).status == NOT_ATTEMPTED


def numpy_error_only(predicted, actual):
    return float(np.mean((np.ravel(predicted) - actual) ** 2))


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda p, a: float(np.mean((p - a) ** 2)), "broadcasts to every prediction"),
        (lambda p, a: float(np.sqrt(flat_mse(p, a))), "root of the MSE"),
        (lambda p, a: float(np.sum((np.ravel(p) - a) ** 2)), "sum of squared errors"),
        (lambda p, a: float(np.mean(np.abs(np.ravel(p) - a))), "the MSE is 9 / 3 = 3.000"),
        (lambda p, a: (np.ravel(p) - a) ** 2, "return one number"),
        (numpy_error_only, "does not say which argument is wrong"),
        (
            lambda p, a: float(np.mean((p.reshape(-1)[: len(a)] - a[: len(p)]) ** 2)),
            "instead of raising",
        ),
        (lambda p, a: float(np.mean((p[:, 0] - a) ** 2)), "your code raised IndexError"),
    ],
)
def test_flat_mse_wrong_answers_get_their_own_message(attempt, says):
    result = check_flat_mse(attempt)
    assert result.status == WRONG
    assert says in result.message


# --- fit_with_early_stopping


def early_stopped(
    model, features, targets, validation_fraction, patience, max_epochs, batch_size=32,
    monitor="val_loss", restore=True, split=None, offset=1, callbacks=True,
):  # fmt: skip
    model.compile(loss="mse", optimizer="adam")
    stopper = keras.callbacks.EarlyStopping(
        monitor=monitor, patience=patience, restore_best_weights=restore
    )
    history = model.fit(
        features,
        targets,
        epochs=max_epochs,
        batch_size=batch_size,
        validation_split=validation_fraction if split is None else split,
        callbacks=[stopper] if callbacks else [],
        verbose=0,
    )
    return int(np.argmin(history.history["val_loss"])) + offset


def test_early_stopping_right_answer_passes(capsys):
    result = check_early_stopping(early_stopped)
    assert result.status == CORRECT, result.message
    assert capsys.readouterr().out.startswith("✅ Correct (fit_with_early_stopping)")


def test_early_stopping_stub_is_not_attempted():
    assert check_early_stopping(stub).status == NOT_ATTEMPTED


def no_validation(model, features, targets, validation_fraction, patience, max_epochs, **kw):
    model.compile(loss="mse", optimizer="adam")
    model.fit(features, targets, epochs=2, verbose=0)
    return 1


def last_epoch(model, features, targets, validation_fraction, patience, max_epochs, **kw):
    early_stopped(model, features, targets, validation_fraction, patience, max_epochs, **kw)
    return len(model.history.history["val_loss"])


def sgd(model, features, targets, validation_fraction, patience, max_epochs, **kw):
    model.compile(loss="mse", optimizer="sgd")
    model.fit(features, targets, epochs=1, validation_split=validation_fraction, verbose=0)
    return 1


def mae(model, features, targets, validation_fraction, patience, max_epochs, **kw):
    model.compile(loss="mae", optimizer="adam")
    model.fit(features, targets, epochs=1, validation_split=validation_fraction, verbose=0)
    return 1


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *a, **k: 1, "never trained"),
        (no_validation, "no validation loss"),
        (sgd, "optimizer='adam'"),
        (mae, "loss='mse'"),
        (lambda *a, **k: early_stopped(*a, **k, callbacks=False), "ran all 20 epochs"),
        (lambda *a, **k: early_stopped(*a, **k, monitor="loss"), "ran all 20 epochs"),
        (lambda m, f, t, **k: early_stopped(m, f, t, **(k | {"patience": 4})), "patience=2"),
        (lambda *a, **k: early_stopped(*a, **k, restore=False), "restore_best_weights=True"),
        (lambda *a, **k: early_stopped(*a, **k, split=0.5), "last 25% of the rows"),
        (lambda *a, **k: early_stopped(*a, **k, offset=0), "a 0-based index"),
        (last_epoch, "the last epoch trained"),
        (lambda *a, **k: float(early_stopped(*a, **k)), "as an int"),
    ],
)
def test_early_stopping_wrong_answers_get_their_own_message(attempt, says):
    result = check_early_stopping(attempt)
    assert result.status == WRONG
    assert says in result.message
