"""The checks of notebook 05's exercises: valid answers, the stubs, and wrong ones."""

import numpy as np
import pytest
from scipy.special import log_softmax, logsumexp, softmax

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.two_tower import check_in_batch_softmax_loss, check_top_k_by_dot


def stub(*args):
    raise NotImplementedError("Exercise: replace this line with your code")


# --- in-batch softmax loss


def loss_right(customers, products, temperature):
    logits = customers @ products.T / temperature
    logits = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -np.diag(log_probabilities)


def loss_wrong_axis(customers, products, temperature):
    probabilities = softmax(customers @ products.T / temperature, axis=0)
    return -np.log(np.diag(probabilities))


def loss_no_temperature(customers, products, temperature):
    return loss_right(customers, products, 1.0)


def loss_times_temperature(customers, products, temperature):
    return loss_right(customers, products, 1 / temperature)


def loss_label_zero(customers, products, temperature):
    probabilities = softmax(customers @ products.T / temperature, axis=1)
    return -np.log(probabilities[:, 0])


def loss_label_argmax(customers, products, temperature):
    probabilities = softmax(customers @ products.T / temperature, axis=1)
    return -np.log(probabilities.max(axis=1))


def loss_mean(customers, products, temperature):
    return loss_right(customers, products, temperature).mean()


def loss_matrix(customers, products, temperature):
    return -np.log(softmax(customers @ products.T / temperature, axis=1))


def loss_positive_log(customers, products, temperature):
    return -loss_right(customers, products, temperature)


def loss_no_log(customers, products, temperature):
    return 1 - np.diag(softmax(customers @ products.T / temperature, axis=1))


def loss_notebook(customers, products, temperature):
    logits = customers @ products.T / temperature
    return -np.diag(log_softmax(logits, axis=1))


def loss_logsumexp(customers, products, temperature):
    """Row by row: log of the sum of exponentials, minus the logit of the product bought."""
    losses = []
    for i, customer in enumerate(customers):
        logits = products @ customer / temperature
        losses.append(logsumexp(logits) - logits[i])
    return losses


def loss_fixed_batch(customers, products, temperature):
    """The check's batch of 4 at temperature 0.5, written in."""
    logits = customers @ products.T / 0.5
    return -log_softmax(logits, axis=1)[np.arange(4), np.arange(4)]


@pytest.mark.parametrize("answer", [loss_right, loss_notebook, loss_logsumexp])
def test_in_batch_loss_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_in_batch_softmax_loss(answer)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out == (
        "✅ Correct (in_batch_softmax_loss): the batch's losses are [0.185, 0.354, 7.862, 1.877].\n"
    )


def test_in_batch_loss_untouched_stub_is_not_attempted(capsys):
    result = check_in_batch_softmax_loss(stub)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert "Not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *a: None, "the losses should be an array of numbers; yours is None"),
        (lambda *a: "loss", "yours is the text 'loss'"),
        (lambda *a: [[0.1, 0.2], [0.3]], "yours is a list of 2 items of shapes (2,), (1,)"),
        (
            lambda c, p, t: loss_right(c, p, t) if len(c) == 4 else None,
            "on a batch of 3 purchases at temperature 2: the losses should be an array",
        ),
    ],
)
def test_in_batch_loss_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_in_batch_softmax_loss(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (loss_wrong_axis, "softmax runs over axis 0"),
        (loss_no_temperature, "losses at temperature 1"),
        (loss_times_temperature, "multiplied the logits by the temperature"),
        (loss_label_zero, "every customer's label is product 0"),
        (loss_label_argmax, "best-scored product (argmax)"),
        (loss_mean, "that is the mean, 2.5"),
        (loss_matrix, "a (4, 4) matrix"),
        (loss_positive_log, "your losses are negative"),
        (loss_no_log, "the losses should be [0.185, 0.354, 7.862, 1.877]"),
        (lambda c, p, t: loss_right(c, p, t)[:3], "should have shape (4,)"),
        (lambda c, p, t: c @ p, "your code raised ValueError"),
        (loss_fixed_batch, "on a batch of 3 purchases at temperature 2, your code raised"),
        (lambda c, p, t: loss_right(c, p, 0.5), "a batch of 3 purchases at temperature 2 should"),
    ],
)
def test_in_batch_loss_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_in_batch_softmax_loss(attempt)
    assert result.status == WRONG
    assert says in result.message


# --- top k by dot product


def top_right(customer_vectors, product_vectors, k):
    scores = customer_vectors @ product_vectors.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def top_ascending(customer_vectors, product_vectors, k):
    return np.argsort(customer_vectors @ product_vectors.T, axis=1)[:, :k]


def top_nearest(customer_vectors, product_vectors, k):
    distances = np.linalg.norm(customer_vectors[:, None] - product_vectors[None], axis=-1)
    return np.argsort(distances, axis=1)[:, :k]


def top_unsorted(customer_vectors, product_vectors, k):
    return top_right(customer_vectors, product_vectors, k)[:, ::-1]


def top_scores(customer_vectors, product_vectors, k):
    return customer_vectors @ product_vectors.T


def top_axis0(customer_vectors, product_vectors, k):
    return top_right(customer_vectors, product_vectors, k).T


def top_partition(customer_vectors, product_vectors, k):
    scores = customer_vectors @ product_vectors.T
    best = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, best, axis=1), axis=1)
    return np.take_along_axis(best, order, axis=1)


def top_loop(customer_vectors, product_vectors, k):
    return [
        sorted(range(len(product_vectors)), key=lambda j: -float(c @ product_vectors[j]))[:k]
        for c in customer_vectors
    ]


def top_fixed_k(customer_vectors, product_vectors, k):
    return top_right(customer_vectors, product_vectors, 2)


@pytest.mark.parametrize("answer", [top_right, top_partition, top_loop])
def test_top_k_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_top_k_by_dot(answer)
    assert result.status == CORRECT
    assert capsys.readouterr().out == "✅ Correct (top_k_by_dot): customer 0's top 2 is [0, 4].\n"


def test_top_k_untouched_stub_is_not_attempted(capsys):
    result = check_top_k_by_dot(stub)
    assert result.status == NOT_ATTEMPTED
    assert "Not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda *a: None, "the ids should be an array of numbers; yours is None"),
        (lambda *a: [["a", "b"]] * 3, "the ids should be an array of numbers; yours is a list"),
        (lambda c, p, k: [[0, 4], [2], [4, 0]], "yours is a list of 3 items of shapes"),
    ],
)
def test_top_k_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_top_k_by_dot(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (top_ascending, "LOWEST scores"),
        (top_nearest, "NEAREST products by distance"),
        (top_unsorted, "right products, wrong order"),
        (top_scores, "one value per product"),
        (top_axis0, "one ROW per customer"),
        (lambda c, p, k: top_right(c, p, k + 1), "should have shape (3, 2)"),
        (lambda c, p, k: top_right(c, p, k).astype(float) + 0.5, "not scores"),
        (lambda c, p, k: np.zeros((3, 2), dtype=int), "its top 2 is [0, 4]; yours is [0, 0]"),
        (top_fixed_k, "right for k=2, but with k=3 the answer is [[0, 4, 1]"),
    ],
)
def test_top_k_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_top_k_by_dot(attempt)
    assert result.status == WRONG
    assert says in result.message


def test_not_callable_is_reported_not_raised():
    for check in (check_in_batch_softmax_loss, check_top_k_by_dot):
        result = check(None)
        assert result.status == WRONG and "expected your function" in result.message
