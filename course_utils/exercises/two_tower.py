"""Checks for the exercises of notebooks/05_two_tower.py: in-batch softmax, top-k by dot product.

Both work on tiny batches written out below, so a message can quote the right numbers.
"""

import numpy as np
from scipy.special import log_softmax

from course_utils.exercises.core import (
    CheckResult,
    as_array,
    attempt,
    correct,
    further_case,
    run_check,
    shape_problem,
    wrong,
)

# A batch of 4 purchases: customer i bought product i. Embeddings of size 2.
_BATCH_CUSTOMERS = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.2], [-1.0, 0.5]])
_BATCH_PRODUCTS = np.array([[2.0, 0.0], [0.5, 1.5], [0.0, -1.0], [1.0, 1.0]])
_TEMPERATURE = 0.5
# A second batch, of 3 purchases at temperature 2, so the batch size and the temperature
# must come from the arguments.
_OTHER_CUSTOMERS = np.array([[0.5, -1.0], [2.0, 0.5], [-0.5, 1.5]])
_OTHER_PRODUCTS = np.array([[1.0, 1.0], [1.5, -0.5], [0.0, 2.0]])
_OTHER_TEMPERATURE = 2.0


def _per_customer_loss(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cross-entropy of each row's softmax with its label column: (n_rows,)."""
    return -log_softmax(logits, axis=1)[np.arange(len(logits)), labels]


def in_batch_softmax_reference(customers, products, temperature) -> np.ndarray:
    """The in-batch softmax loss of each customer in the batch, shape (batch,)."""
    logits = customers @ products.T / temperature
    return _per_customer_loss(logits, np.arange(len(logits)))


def _fmt(values) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in np.ravel(values)) + "]"


def check_in_batch_softmax_loss(in_batch_softmax_loss) -> CheckResult:
    """Check `in_batch_softmax_loss(customers, products, temperature) -> (batch,) losses`.

    Row i of `customers` bought row i of `products`; every other product of the batch is
    a negative for customer i. The loss of customer i is -log softmax(logits[i])[i], with
    logits = customers @ products.T / temperature.
    """
    exercise = "in_batch_softmax_loss"
    customers, products, temperature = _BATCH_CUSTOMERS, _BATCH_PRODUCTS, _TEMPERATURE
    logits = customers @ products.T / temperature
    expected = in_batch_softmax_reference(customers, products, temperature)
    diagonal = np.arange(4)
    mistakes = [
        (
            _per_customer_loss(logits.T, diagonal),
            "your softmax runs over axis 0, down each product's column. Customer i chooses "
            "among the 4 products of the batch, so normalise each ROW of the logits (axis=1).",
        ),
        (
            in_batch_softmax_reference(customers, products, 1.0),
            f"these are the losses at temperature 1: divide the logits by the temperature "
            f"({temperature}) before the softmax.",
        ),
        (
            in_batch_softmax_reference(customers, products, 1 / temperature),
            "you multiplied the logits by the temperature; divide them by it.",
        ),
        (
            _per_customer_loss(logits, np.zeros(4, dtype=int)),
            "every customer's label is product 0. Customer i bought product i: the labels "
            "are the diagonal, loss_i = -log softmax(logits[i])[i].",
        ),
        (
            _per_customer_loss(logits, logits.argmax(axis=1)),
            "you scored each customer against its best-scored product (argmax). The label is "
            "the product customer i bought, product i: the diagonal.",
        ),
        (
            -expected,
            "your losses are negative: the loss is MINUS the log-probability of the right product.",
        ),
    ]

    def body() -> CheckResult:
        result = as_array(
            attempt(in_batch_softmax_loss, customers.copy(), products.copy(), temperature),
            "the losses",
        ).astype(float)
        if result.shape == () and np.isclose(result, expected.mean()):
            return wrong(
                exercise,
                f"that is the mean, {expected.mean():.3f}: return one loss per customer, "
                f"shape (4,) (Keras takes the mean).",
            )
        if result.shape == (4, 4):
            return wrong(
                exercise,
                "you returned a (4, 4) matrix: take each customer's loss for its own product, "
                "the diagonal, to get shape (4,).",
            )
        problem = shape_problem("the losses of a batch of 4 customers", result, (4,))
        if problem:
            return wrong(exercise, problem)
        if np.allclose(result, expected, atol=1e-4):
            return _other_batch(exercise, in_batch_softmax_loss) or correct(
                exercise, f"the batch's losses are {_fmt(expected)}."
            )
        for losses, message in mistakes:
            if np.allclose(result, losses, atol=1e-4):
                return wrong(exercise, message)
        return wrong(
            exercise,
            f"on the check's batch (temperature {temperature}) the losses should be "
            f"{_fmt(expected)}; yours are {_fmt(result)}.",
        )

    return run_check(exercise, body)


def _other_batch(exercise: str, in_batch_softmax_loss) -> CheckResult | None:
    """A `wrong(...)` unless the losses of a batch of 3 at temperature 2 are right too."""
    customers, products, temperature = _OTHER_CUSTOMERS, _OTHER_PRODUCTS, _OTHER_TEMPERATURE
    case = f"on a batch of 3 purchases at temperature {temperature:g}"
    with further_case(case):
        got = attempt(in_batch_softmax_loss, customers.copy(), products.copy(), temperature)
        got = as_array(got, "the losses")
    expected = in_batch_softmax_reference(customers, products, temperature)
    if got.shape == expected.shape and np.allclose(got, expected, atol=1e-4):
        return None
    return wrong(
        exercise,
        f"right for the batch of 4, but a batch of 3 purchases at temperature "
        f"{temperature:g} should give 3 losses, {_fmt(expected)}; yours "
        f"{'are ' + _fmt(got) if got.size <= 4 else f'have shape {got.shape}'}. Take B "
        "and the temperature from the arguments, not fixed numbers.",
    )


# 3 customers, 5 products: dot products and distances rank the products differently.
_CUSTOMERS = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0]])
_PRODUCTS = np.array([[3.0, 0.0], [0.9, 0.1], [0.0, 2.0], [-1.0, -1.0], [2.0, -2.5]])
_K = 2
_OTHER_K = 3  # k must come from the argument


def top_k_by_dot_reference(customer_vectors, product_vectors, k) -> np.ndarray:
    """Ids of each customer's k best products by dot product, best first: (n_customers, k)."""
    scores = customer_vectors @ product_vectors.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def check_top_k_by_dot(top_k_by_dot) -> CheckResult:
    """Check `top_k_by_dot(customer_vectors, product_vectors, k) -> (n_customers, k) ids`."""
    exercise = "top_k_by_dot"
    expected = top_k_by_dot_reference(_CUSTOMERS, _PRODUCTS, _K)
    scores = _CUSTOMERS @ _PRODUCTS.T
    distances = np.linalg.norm(_CUSTOMERS[:, None] - _PRODUCTS[None], axis=-1)

    def body() -> CheckResult:
        result = as_array(attempt(top_k_by_dot, _CUSTOMERS.copy(), _PRODUCTS.copy(), _K), "the ids")
        if result.shape == scores.shape:
            return wrong(
                exercise,
                "you returned a (3, 5) array, one value per product: return the ids of the "
                "k = 2 best products of each customer, shape (3, 2).",
            )
        if result.shape == (_K, len(_CUSTOMERS)):
            return wrong(
                exercise,
                "shape (2, 3): one ROW per customer, so (3, 2). Did you sort along axis 0?",
            )
        problem = shape_problem(f"the top {_K} of 3 customers", result, (3, _K))
        if problem:
            return wrong(exercise, problem)
        if np.issubdtype(result.dtype, np.floating) and not np.allclose(result, result.round()):
            return wrong(exercise, "return product ids (integers), not scores.")
        result = result.astype(int)
        if np.array_equal(result, expected):
            return _other_k(exercise, top_k_by_dot) or correct(
                exercise, f"customer 0's top {_K} is {expected[0].tolist()}."
            )
        if np.array_equal(result, np.argsort(scores, axis=1, kind="stable")[:, :_K]):
            return wrong(
                exercise,
                "these are the LOWEST scores: sort by -scores (or reverse the argsort) to put "
                "the best first.",
            )
        if np.array_equal(result, np.argsort(distances, axis=1, kind="stable")[:, :_K]):
            return wrong(
                exercise,
                "these are the NEAREST products by distance. The two-tower's score is the dot "
                "product, customer_vectors @ product_vectors.T: a long product vector can score "
                "high while far away.",
            )
        if np.array_equal(np.sort(result, axis=1), np.sort(expected, axis=1)):
            return wrong(
                exercise,
                f"right products, wrong order: best first, so customer 0 gets "
                f"{expected[0].tolist()}, yours {result[0].tolist()}.",
            )
        return wrong(
            exercise,
            f"the scores of customer 0 are {_fmt(scores[0])}, so its top {_K} is "
            f"{expected[0].tolist()}; yours is {result[0].tolist()}.",
        )

    return run_check(exercise, body)


def _other_k(exercise: str, top_k_by_dot) -> CheckResult | None:
    """A `wrong(...)` unless the top 3 of the same customers is right too."""
    with further_case(f"with k={_OTHER_K}"):
        got = as_array(
            attempt(top_k_by_dot, _CUSTOMERS.copy(), _PRODUCTS.copy(), _OTHER_K), "the ids"
        )
    expected = top_k_by_dot_reference(_CUSTOMERS, _PRODUCTS, _OTHER_K)
    if got.shape == expected.shape and np.array_equal(got, expected):
        return None
    return wrong(
        exercise,
        f"right for k={_K}, but with k={_OTHER_K} the answer is {expected.tolist()}, shape "
        f"(3, {_OTHER_K}); yours has shape {got.shape}"
        f"{': ' + str(got.tolist()) if got.shape == expected.shape else ''}. Use `k`, not a "
        "fixed number.",
    )
