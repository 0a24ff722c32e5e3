"""Properties of course_utils.recommend (Hypothesis).

Top-k against a stable sort, and pairing customer i with product j.
"""

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils.recommend import pair_features, predict_pairs, score_all, top_k
from tests.properties.strategies import (
    matrices,
    refused,
    scores_and_k,
)


@given(scores_and_k())
def test_top_k_equals_a_stable_sort(case):
    scores, k = case
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(top_k(scores, k), expected)


@given(scores_and_k(), st.data())
def test_top_k_with_exclude_equals_a_stable_sort_of_the_rest(case, data):
    scores, k = case
    exclude = data.draw(hnp.arrays(bool, scores.shape))
    assume((scores.shape[1] - exclude.sum(axis=1) >= k).all())
    expected = np.argsort(np.where(exclude, np.inf, -scores), axis=1, kind="stable")[:, :k]
    np.testing.assert_array_equal(top_k(scores, k, exclude=exclude), expected)
    refused(lambda: top_k(scores, k, exclude=exclude.astype(int)), "exclude")


class RowSum:
    """A stand-in model: each row's prediction is a fixed function of that row alone."""

    def predict(self, features, batch_size=None, verbose=0):
        weights = np.arange(1, features.shape[1] + 1)
        return (features @ weights)[:, None]


@given(matrices(rows=(1, 6), cols=(1, 3)), matrices(rows=(1, 6), cols=(1, 3)))
def test_pair_features_and_score_all_pair_customer_i_with_product_j(customers, products):
    features = pair_features(customers, products)
    n_products = len(products)
    for row in range(len(features)):
        i, j = divmod(row, n_products)
        np.testing.assert_array_equal(features[row], np.concatenate([customers[i], products[j]]))
    scores = score_all(RowSum(), customers, products)
    assert scores.shape == (len(customers), n_products)
    for i in range(len(customers)):
        for j in range(n_products):
            pair = np.concatenate([customers[i], products[j]])[None, :].astype("float32")
            assert scores[i, j] == RowSum().predict(pair)[0, 0]  # Keras takes float32
    np.testing.assert_array_equal(predict_pairs(RowSum(), features), scores.reshape(-1))
    refused(lambda: pair_features(customers[0], products), "customer_features")
    refused(lambda: predict_pairs(RowSum(), features[0]), "features")
    refused(lambda: score_all(RowSum(), customers, products.astype(str)), "product_features")
