"""Keras models of the course, each built from its constructor arguments alone.

Call `course_utils.setup()` before importing this module: it imports Keras.
"""

import keras

from course_utils.validation import check_positive_int


def build_mlp(
    n_features: int,
    hidden_units: tuple[int, ...] = (64, 32),
    output_activation: str = "linear",
    name: str = "mlp",
) -> keras.Model:
    """The seed notebook's MLP: concatenated features -> ReLU layers -> one output.

    Introduced in notebooks/03_mlp.py. With the defaults it is the seed's 64-32-1 network
    for ratings; `output_activation="sigmoid"` gives a probability, for implicit feedback.
    """
    check_positive_int("n_features", n_features)
    if not hidden_units:
        raise ValueError("hidden_units must name at least one layer, got ()")
    for units in hidden_units:
        check_positive_int("hidden_units", units)
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for units in hidden_units:
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(1, activation=output_activation)(x)
    return keras.Model(inputs, outputs, name=name)
