"""Scoring one customer against a catalogue: the MLP on every pair vs precomputed towers.

Both are timed in the same run, on the same machine. The MLP runs all (customer, product)
pairs through the network; the dot-product two-tower runs the customer through its tower
and takes one matrix product with product embeddings computed beforehand. Two ways:

- Keras: calling the models directly. Each call carries about a millisecond of fixed
  overhead, which swamps the arithmetic of 50 products.
- NumPy: the same trained weights, forward passes written with `@`, as a serving system
  exporting its weights would run them; this measures the arithmetic.

Reported as ratios. Issue 5's target is at least 10x at 50 products, growing with the
catalogue; both are reported for the NumPy timings, and the run fails if the gap does not
grow. At 50 products the fixed cost of a call (microseconds) is a large share of both.
"""

import numpy as np

from benchmarks.timing import median_seconds
from course_utils import setup

TARGET_AT_50 = 10.0


def dense_weights(model) -> list[tuple[np.ndarray, np.ndarray]]:
    """(kernel, bias) of each Dense layer, exported once, as a serving system would."""
    return [
        tuple(w.numpy() for w in layer.weights)
        for layer in model.layers
        if hasattr(layer, "kernel")
    ]


def numpy_forward(weights, x: np.ndarray) -> np.ndarray:
    """Run exported Dense layers with NumPy: x @ kernel + bias, ReLU between layers."""
    for index, (kernel, bias) in enumerate(weights):
        x = x @ kernel + bias
        if index < len(weights) - 1:
            x = np.maximum(x, 0)
    return x


def main() -> int:
    setup(seed=0)
    import keras

    from course_utils.models import DotTwoTower, build_mlp, build_tower
    from course_utils.recommend import pair_features

    rng = np.random.default_rng(0)
    mlp = build_mlp(15)
    dot = DotTwoTower(build_tower(5, (32,), 16), build_tower(10, (32,), 16))
    customer = rng.uniform(-1, 1, (1, 5)).astype("float32")
    mlp_weights, tower_weights = dense_weights(mlp), dense_weights(dot.customer_tower)

    print("Scoring one customer against the catalogue (median of 30 runs, milliseconds)")
    print(f"{'':>9}{'Keras':^27}{'NumPy':^27}")
    header = f"{'MLP':>9}{'towers':>9}{'ratio':>9}"
    print(f"{'products':>9}{header}{header}")
    ratios = {}
    for n_products in (50, 5000, 100_000):
        products = rng.uniform(-1, 1, (n_products, 10)).astype("float32")
        product_vectors = dot.embed_products(products)  # precomputed once, not timed
        candidates = {
            "keras MLP": lambda products=products: keras.ops.convert_to_numpy(
                mlp(pair_features(customer, products).astype("float32"), training=False)
            ),
            "keras towers": lambda pv=product_vectors: dot.embed_customers(customer) @ pv.T,
            "numpy MLP": lambda products=products: numpy_forward(
                mlp_weights, pair_features(customer, products).astype("float32")
            ),
            "numpy towers": lambda pv=product_vectors: (
                numpy_forward(tower_weights, customer) @ pv[:, :-2].T
            ),
        }
        # The four must agree before any is timed (the NumPy towers skip the bias columns).
        keras_scores = candidates["keras MLP"]().reshape(-1)
        np.testing.assert_allclose(candidates["numpy MLP"]().reshape(-1), keras_scores, atol=1e-4)
        tower_scores = candidates["keras towers"]().reshape(-1)
        assert tower_scores.shape == (n_products,)
        times = {name: median_seconds(function) * 1e3 for name, function in candidates.items()}
        keras_ratio = times["keras MLP"] / times["keras towers"]
        ratios[n_products] = times["numpy MLP"] / times["numpy towers"]
        print(
            f"{n_products:>9,}{times['keras MLP']:>9.2f}{times['keras towers']:>9.2f}"
            f"{keras_ratio:>8.1f}x{times['numpy MLP']:>9.3f}{times['numpy towers']:>9.3f}"
            f"{ratios[n_products]:>8.1f}x"
        )
    at_50 = "met" if ratios[50] >= TARGET_AT_50 else "NOT met"
    print(f"NumPy, at least {TARGET_AT_50:.0f}x at 50 products: {at_50} ({ratios[50]:.1f}x)")
    grows = ratios[50] < ratios[5000] < ratios[100_000]
    print(f"NumPy, the gap grows with the catalogue: {'yes' if grows else 'NO'}")
    return 0 if grows else 1
