"""The checks of notebook 03's exercises: valid answers, the stubs, and wrong ones."""

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
from course_utils.models import build_mlp  # noqa: E402

Dense = keras.layers.Dense


def stub(*args, **kwargs):
    raise NotImplementedError("Exercise: replace this line with your code")


# --- build_my_mlp


def mlp(n_features, units=(64, 32, 1), activations=("relu", "relu", None)):
    layers = [keras.Input(shape=(n_features,))]
    layers += [Dense(u, activation=a) for u, a in zip(units, activations, strict=True)]
    return keras.Sequential(layers)


def sequential(n_features, *layers):
    return keras.Sequential([keras.Input(shape=(n_features,)), *layers])


def functional_mlp(n_features):
    inputs = keras.Input(shape=(n_features,))
    x = Dense(64, activation="relu")(inputs)
    x = Dense(32, activation="relu")(x)
    return keras.Model(inputs, Dense(1)(x))


def relu_layers(n_features):
    """The ReLUs as layers of their own: the answer the issue saw rejected."""
    return sequential(n_features, Dense(64), keras.layers.ReLU(), Dense(32), keras.layers.ReLU(),
                      Dense(1))  # fmt: skip


def activation_layers(n_features):
    return sequential(n_features, Dense(64), keras.layers.Activation("relu"), Dense(32),
                      keras.layers.Activation("relu"), Dense(1))  # fmt: skip


def functional_ops(n_features):
    inputs = keras.Input(shape=(n_features,))
    x = keras.ops.relu(Dense(64)(inputs))
    x = Dense(32, activation=keras.activations.relu)(x)
    return keras.Model(inputs, Dense(1, activation="linear")(x))


def with_batch_norm(n_features):
    model = mlp(n_features)
    return keras.Sequential([keras.Input(shape=(n_features,)), model.layers[0],
                             keras.layers.BatchNormalization(), *model.layers[1:]])  # fmt: skip


def extra_scaling(n_features):
    """A layer without weights that changes the values: caught by what the network computes."""
    return sequential(n_features, Dense(64, activation="relu"), keras.layers.Rescaling(2.0),
                      Dense(32, activation="relu"), Dense(1))  # fmt: skip


BUILD_MLP_LINE = (
    "✅ Correct (build_my_mlp): 7 features -> 64 ReLU -> 32 ReLU -> 1 linear output, 2625 "
    "weights: the seed's MLP.\n"
)


@pytest.mark.parametrize(
    "right",
    [mlp, functional_mlp, relu_layers, activation_layers, functional_ops],
)
def test_build_mlp_valid_answers_pass_with_the_notebooks_line(right, capsys):
    result = check_build_mlp(right)
    assert result.status == CORRECT, result.message
    assert capsys.readouterr().out == BUILD_MLP_LINE


def test_build_mlp_stub_is_not_attempted():
    assert check_build_mlp(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda n: mlp(15), "called with n_features=7"),
        (lambda n: mlp(n, (64, 32), ("relu", "relu")), "no output layer"),
        (lambda n: mlp(n, (32, 64, 1)), "should have [64, 32, 1] units"),
        (lambda n: mlp(n, activations=(None, None, None)), "collapse into one linear map"),
        (
            lambda n: sequential(n, Dense(64), Dense(32), keras.layers.ReLU(), Dense(1)),
            "the hidden layers' activations are ['linear', 'relu']",
        ),
        (
            lambda n: mlp(n, activations=("sigmoid", "tanh", None)),
            "the hidden layers' activations are ['sigmoid', 'tanh'], they should be ReLU",
        ),
        (lambda n: mlp(n, activations=("relu", "relu", "relu")), "output layer uses 'relu'"),
        (
            lambda n: sequential(
                n,
                Dense(64, activation="relu"),
                Dense(32, activation="relu"),
                Dense(1),
                keras.layers.Activation("sigmoid"),
            ),  # fmt: skip
            "output layer uses 'sigmoid'",
        ),
        (extra_scaling, "does something other than a ReLU sit between the Dense layers?"),
        (with_batch_norm, "is there an extra layer?"),
        (
            lambda n: sequential(
                n,
                Dense(64, activation="relu", use_bias=False),
                Dense(32, activation="relu"),
                Dense(1),
            ),  # fmt: skip
            "use_bias=False",
        ),
        (lambda n: build_mlp(n), "this is the course's build_mlp"),
        (lambda n: keras.Sequential(mlp(n).layers), "no input yet"),
    ],
)
def test_build_mlp_wrong_answers_get_their_own_message(attempt, says):
    result = check_build_mlp(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda n: [64, 32, 1], "return a keras.Model; yours returned a list of 3 items"),
        (lambda n: None, "yours returned None (does your function end with `return"),
        (lambda n: Dense(64), "return a keras.Model; yours returned a Dense"),
    ],
)
def test_build_mlp_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_build_mlp(attempt)
    assert result.status == WRONG
    assert says in result.message


# --- flat_mse


def flat_mse(predicted, actual):
    predicted, actual = np.ravel(predicted), np.ravel(actual)
    if len(predicted) != len(actual):
        raise ValueError(f"predicted has {len(predicted)} rows but actual has {len(actual)}")
    return float(np.mean((predicted - actual) ** 2))


def flat_mse_by_shape(predicted, actual):
    predicted = np.reshape(predicted, -1)
    if predicted.shape[0] != np.shape(actual)[0]:
        raise ValueError(
            f"predicted and actual differ in length: {predicted.shape[0]} != {len(actual)}"
        )
    return np.square(predicted - actual).mean()


def flat_mse_loop(predicted, actual):
    predicted = [float(p) for p in np.ravel(predicted)]
    if len(predicted) != len(actual):
        raise ValueError(f"len(predicted)={len(predicted)}, len(actual)={len(actual)}")
    return sum((p - a) ** 2 for p, a in zip(predicted, actual, strict=True)) / len(actual)


@pytest.mark.parametrize("right", [flat_mse, flat_mse_by_shape, flat_mse_loop])
def test_flat_mse_valid_answers_pass_with_the_notebooks_line(right, capsys):
    assert check_flat_mse(right).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (flat_mse): row against row for (n, 1) and (n,) predictions, and a clear "
        "error when the row counts differ.\n"
    )


def test_flat_mse_stub_is_not_attempted():
    assert check_flat_mse(stub).status == NOT_ATTEMPTED


def numpy_error_only(predicted, actual):
    return float(np.mean((np.ravel(predicted) - actual) ** 2))


def raises(message):
    def answer(predicted, actual):
        if len(np.ravel(predicted)) != len(actual):
            raise ValueError(message)
        return flat_mse(predicted, actual)

    return answer


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda p, a: float(np.mean((p - a) ** 2)), "broadcasts to every prediction"),
        (lambda p, a: float(np.sqrt(flat_mse(p, a))), "root of the MSE"),
        (lambda p, a: float(np.sum((np.ravel(p) - a) ** 2)), "sum of squared errors"),
        (lambda p, a: float(np.mean(np.abs(np.ravel(p) - a))), "the MSE is 9 / 3 = 3.000"),
        (lambda p, a: (np.ravel(p) - a) ** 2, "return one number"),
        (numpy_error_only, "does not say which argument is wrong"),
        (raises("predicted has 3 rows, expected 4"), "does not say which argument is wrong"),
        (raises("predicted and actual differ in length"), "does not say their lengths, 3 and 4"),
        (raises("lengths differ"), "which argument is wrong (name both `predicted` and `actual`)"),
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


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda p, a: None, "return one number, the mean; yours is None"),
        (lambda p, a: "3.0", "yours is the text '3.0'"),
        (lambda p, a: {"mse": 3.0}, "yours is a dict"),
        (lambda p, a: [[1.0], [2.0, 3.0]], "yours is a list of 2 items of shapes (1,), (2,)"),
        (lambda p, a: flat_mse(p, a) if np.ndim(p) == 2 else None, "return one number"),
    ],
)
def test_flat_mse_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_flat_mse(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


# --- fit_with_early_stopping


def early_stopped(
    model, features, targets, validation_fraction, patience, max_epochs, batch_size=32,
    monitor="val_loss", restore=True, split=None, offset=1, callbacks=True, epochs=None,
    batch=None,
):  # fmt: skip
    model.compile(loss="mse", optimizer="adam")
    stopper = keras.callbacks.EarlyStopping(
        monitor=monitor, patience=patience, restore_best_weights=restore
    )
    history = model.fit(
        features,
        targets,
        epochs=max_epochs if epochs is None else epochs,
        batch_size=batch_size if batch is None else batch,
        validation_split=validation_fraction if split is None else split,
        callbacks=[stopper] if callbacks else [],
        verbose=0,
    )
    return int(np.argmin(history.history["val_loss"])) + offset


def notebook_solution(
    model, features, targets, validation_fraction, patience, max_epochs, batch_size=32
):
    """The notebook's, with steps_per_execution: the optimizer still counts every batch."""
    model.compile(loss="mse", optimizer="adam", steps_per_execution=125)
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    history = model.fit(
        features, targets, epochs=max_epochs, batch_size=batch_size,
        validation_split=validation_fraction, callbacks=[stopper], verbose=0,
    )  # fmt: skip
    return int(np.argmin(history.history["val_loss"])) + 1


def held_out_by_hand(
    model, features, targets, validation_fraction, patience, max_epochs, batch_size=32
):
    """Objects instead of strings, the last rows passed as validation_data, the stopper's epoch."""
    model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.MeanSquaredError())
    n_train = int(len(targets) * (1 - validation_fraction))
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", mode="min", patience=patience, restore_best_weights=True
    )
    model.fit(
        features[:n_train], targets[:n_train], batch_size, max_epochs, verbose=0,
        validation_data=(features[n_train:], targets[n_train:]), callbacks=[stopper],
    )  # fmt: skip
    return stopper.best_epoch + 1


@pytest.mark.parametrize("right", [early_stopped, notebook_solution, held_out_by_hand])
def test_early_stopping_valid_answers_pass_with_the_notebooks_line(right, capsys):
    result = check_early_stopping(right)
    assert result.status == CORRECT, result.message
    assert capsys.readouterr().out == (
        "✅ Correct (fit_with_early_stopping): training stopped 2 epochs after the lowest "
        "validation loss, kept that epoch's weights and returned it.\n"
    )


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
        (lambda *a, **k: early_stopped(*a, **k, callbacks=False), "ran all 15 epochs"),
        (lambda *a, **k: early_stopped(*a, **k, monitor="loss"), "ran all 15 epochs"),
        (lambda m, f, t, **k: early_stopped(m, f, t, **(k | {"patience": 4})), "patience=2"),
        (lambda *a, **k: early_stopped(*a, **k, restore=False), "restore_best_weights=True"),
        (lambda *a, **k: early_stopped(*a, **k, split=0.5), "last 25% of the rows"),
        (lambda *a, **k: early_stopped(*a, **k, offset=0), "a 0-based index"),
        (last_epoch, "the last epoch trained"),
        (
            lambda *a, **k: early_stopped(*a, **k, epochs=20),  # the notebook's BIG_EPOCHS
            "your fit asked for 20 epochs, but max_epochs is 15",
        ),
        (
            lambda *a, **k: early_stopped(*a, **k, batch=32),  # the notebook's BATCH_SIZE
            "the 48 training rows make 6 batches an epoch. Pass batch_size=batch_size",
        ),
    ],
)
def test_early_stopping_wrong_answers_get_their_own_message(attempt, says):
    result = check_early_stopping(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *a, **k: float(early_stopped(*a, **k)), "return the best epoch as an int"),
        (lambda *a, **k: early_stopped(*a, **k) and None, "yours is None"),
        (lambda *a, **k: str(early_stopped(*a, **k)), "yours is the text '"),
        (lambda *a, **k: early_stopped(*a, **k) and a[0].history, "yours is a History"),
    ],
)
def test_early_stopping_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_early_stopping(attempt)
    assert result.status == WRONG
    assert says in result.message
