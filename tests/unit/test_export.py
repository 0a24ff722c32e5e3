"""Export a top-k SavedModel, reload it in a fresh process: the same lists as top_k_dot.

Notebook 10 reloads the export with TensorFlow alone (no course code), as a server would;
these tests reload it the same way, with `tf.saved_model.load` and its signature.
"""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils.export import export_top_k, same_top_k
from course_utils.serving import top_k_dot


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    import keras

    from course_utils.models import build_tower

    keras.utils.set_random_seed(0)
    tower = build_tower(5, (8,), 4, "customer")
    rng = np.random.default_rng(0)
    products = rng.normal(size=(60, 4)).astype(np.float32)
    queries = rng.uniform(-1, 1, size=(7, 5)).astype(np.float32)
    path = export_top_k(tower, products, 5, tmp_path_factory.mktemp("export") / "top_k")
    vectors = keras.ops.convert_to_numpy(tower(queries))
    expected_ids, expected_scores = top_k_dot(vectors, products, 5)
    return path, queries, expected_ids, expected_scores, vectors, products


def test_reloaded_in_a_fresh_process_gives_top_k_dot_ids(exported, tmp_path):
    path, queries, expected_ids, expected_scores, vectors, products = exported
    np.save(tmp_path / "queries.npy", queries)
    code = (  # TensorFlow alone, as notebook 10's fresh process
        "import json, sys, numpy as np, tensorflow as tf\n"
        "serve = tf.saved_model.load(sys.argv[1]).signatures['serving_default']\n"
        "out = serve(customer_features=np.load(sys.argv[2]))\n"
        "print(json.dumps([out['ids'].numpy().tolist(), out['scores'].numpy().tolist()]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path), str(tmp_path / "queries.npy")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    ids, scores = json.loads(result.stdout.strip().splitlines()[-1])
    assert same_top_k(ids, expected_ids, vectors, products, tolerance=1e-5)
    assert np.allclose(scores, expected_scores, atol=1e-5)


def test_reloaded_here_too_and_shapes(exported):
    import tensorflow as tf

    path, queries, expected_ids, _, vectors, products = exported
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    out = serve(customer_features=tf.constant(queries))
    ids, scores = out["ids"].numpy(), out["scores"].numpy()
    assert ids.shape == scores.shape == (7, 5) and ids.dtype == np.int32
    assert same_top_k(ids, expected_ids, vectors, products, tolerance=1e-5)
    assert (np.diff(scores, axis=1) <= 0).all()  # best first


def test_export_rejects_bad_k(tmp_path):
    from course_utils.models import build_tower

    tower = build_tower(5, (4,), 2)
    vectors = np.zeros((3, 2), np.float32)
    with pytest.raises(ValueError, match="k must be at most the 3 products"):
        export_top_k(tower, vectors, 4, tmp_path / "m")
    with pytest.raises(ValueError, match=r"^k must be an int >= 1, got 0$"):
        export_top_k(tower, vectors, 0, tmp_path / "m")
    with pytest.raises(ValueError, match=r"^product_vectors must be 2-D, got shape \(3,\)$"):
        export_top_k(tower, np.zeros(3, np.float32), 1, tmp_path / "m")


def test_export_of_k_equal_to_the_catalogue_returns_every_product(tmp_path):
    import tensorflow as tf

    from course_utils.models import build_tower

    tower = build_tower(5, (4,), 2)
    vectors = np.arange(6, dtype=np.float32).reshape(3, 2)
    path = export_top_k(tower, vectors, 3, tmp_path / "m")
    assert path == tmp_path / "m" and isinstance(path, Path)
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    ids = serve(customer_features=tf.ones((2, 5)))["ids"].numpy()
    assert sorted(ids[0].tolist()) == sorted(ids[1].tolist()) == [0, 1, 2]


def test_export_takes_the_towers_width_and_stores_the_products_frozen(exported):
    import tensorflow as tf

    path, queries, *_ = exported
    loaded = tf.saved_model.load(str(path))
    (spec,) = loaded.signatures["serving_default"].structured_input_signature[1].values()
    assert spec.shape.as_list() == [None, queries.shape[1]] and spec.dtype == tf.float32
    assert loaded.product_vectors.trainable is False


def test_same_top_k_forgives_near_ties_only():
    customers = np.array([[1.0, 0.0]])
    products = np.array([[3.0, 0], [2.0, 0], [2.0 + 1e-6, 0], [1.0, 0]])
    expected = np.array([[0, 2, 1]])
    assert same_top_k(expected, expected, customers, products)
    assert same_top_k([[0, 1, 2]], expected, customers, products)  # a near-tie swapped
    assert not same_top_k([[0, 2, 3]], expected, customers, products)  # a worse product
    assert not same_top_k([[2, 0, 1]], expected, customers, products)  # wrong order
    assert not same_top_k([[0, 2, 2]], expected, customers, products)  # a product twice
    with pytest.raises(ValueError, match="expected_ids"):
        same_top_k([[0, 2]], expected, customers, products)


def test_same_top_k_names_the_bad_vectors():
    ids = [[0]]
    with pytest.raises(ValueError, match=r"^customer_vectors must be 2-D, got shape \(2,\)$"):
        same_top_k(ids, ids, np.zeros(2), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"^product_vectors must be 2-D, got shape \(3,\)$"):
        same_top_k(ids, ids, np.zeros((1, 2)), np.zeros(3))
