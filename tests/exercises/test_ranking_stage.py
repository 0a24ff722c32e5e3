"""The checks of notebook 11's exercises: valid answers, the stubs, and wrong ones."""

import numpy as np
import pytest

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.ranking_stage import check_candidate_recall, check_cross_layer


def stub(*args):
    raise NotImplementedError


# --- cross_layer


def cross_layer(x0, x, kernel, bias):
    return x0 * (x @ kernel + bias) + x


def cross_layer_einsum(x0, x, kernel, bias):
    """Entry by entry: W x as a sum over j of x_j kernel[j, i]."""
    return np.einsum("bi,bi->bi", x0, np.einsum("bj,ji->bi", x, kernel) + bias[None, :]) + x


@pytest.mark.parametrize("answer", [cross_layer, cross_layer_einsum])
def test_cross_layer_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_cross_layer(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (cross_layer): x0 * (x @ kernel + bias) + x, as keras-rs' FeatureCross.\n"
    )


def test_cross_layer_stub_is_not_attempted():
    assert check_cross_layer(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda x0, x, k, b: x0 * (x @ k + b), "the residual is missing"),
        (lambda x0, x, k, b: x0 * (x @ k.T + b) + x, "the kernel is transposed"),
        (lambda x0, x, k, b: x0 * (x @ k) + x, "the bias is missing"),
        (lambda x0, x, k, b: x0 * (x @ k + b) + x0, "the residual adds x0"),
        (lambda x0, x, k, b: x * (x0 @ k + b) + x0, "x0 and x are swapped"),
        (lambda x0, x, k, b: x * (x @ k + b) + x, "the cross layer multiplies by x0"),
        (lambda x0, x, k, b: x0 @ (x @ k + b).T + x.sum(), "the output is (4, 3)"),
        (lambda x0, x, k, b: x0 + x, "FeatureCross gives"),
        (lambda x0, x, k, b: None, "the output should be an array of numbers; yours is None"),
    ],
)
def test_cross_layer_wrong_answers(attempt, says):
    result = check_cross_layer(attempt)
    assert result.status == WRONG and says in result.message


def test_cross_layer_right_on_the_first_case_only_is_caught():
    def only_when_different(x0, x, kernel, bias):
        return cross_layer(x0, x, kernel, bias) if not np.array_equal(x0, x) else x0

    result = check_cross_layer(only_when_different)
    assert result.status == WRONG and "with x equal to x0" in result.message


# --- candidate_recall


def candidate_recall(candidates, targets):
    return float((candidates == targets[:, None]).any(axis=1).mean())


def candidate_recall_loop(candidates, targets):
    found = [target in list(row) for row, target in zip(candidates, targets, strict=True)]
    return sum(found) / len(found)


@pytest.mark.parametrize("answer", [candidate_recall, candidate_recall_loop])
def test_candidate_recall_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    assert check_candidate_recall(answer).status == CORRECT
    assert capsys.readouterr().out == (
        "✅ Correct (candidate_recall): the share of events whose target is in its own list.\n"
    )


def test_candidate_recall_stub_is_not_attempted():
    assert check_candidate_recall(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda c, t: float(np.isin(t, c).mean()), "look only in its own row"),
        (lambda c, t: int((c == t[:, None]).any(axis=1).sum()), "you counted the events"),
        (lambda c, t: float((c == t[:, None]).mean()), "divide by the number of events"),
        (lambda c, t: float((c[:, 0] == t).mean()), "recall@1"),
        (lambda c, t: (c == t[:, None]).any(axis=1), "one value per event"),
        (lambda c, t: 0.5, "for 6 events with lists of 5"),
        (lambda c, t: float((c == t[:, None]).any(axis=0).mean()), "the answer is 0.5"),
        (lambda c, t: "0.5", "return one number"),
    ],
)
def test_candidate_recall_wrong_answers(attempt, says):
    result = check_candidate_recall(attempt)
    assert result.status == WRONG and says in result.message
