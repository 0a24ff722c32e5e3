"""The checks of notebook 07's exercises: right, untouched, and typical wrong answers."""

import numpy as np
import pytest

from course_utils.exercises.core import CORRECT, NOT_ATTEMPTED, WRONG
from course_utils.exercises.serving import check_merge_top_k, check_to_euclidean
from course_utils.serving import inner_product_to_euclidean


def stub(*args):
    raise NotImplementedError("Exercise: replace this line with your code")


# --- The Euclidean transform


def euclidean_right(products, customers):
    norms_squared = (products**2).sum(axis=1)
    extra = np.sqrt(norms_squared.max() - norms_squared)
    return np.column_stack([products, extra]), np.column_stack(
        [customers, np.zeros(len(customers))]
    )


def euclidean_with(extra_of, query_extra=None):
    """A transform whose product column is `extra_of(norms_squared)`."""

    def transform(products, customers):
        norms_squared = (products**2).sum(axis=1)
        query = np.zeros(len(customers)) if query_extra is None else query_extra(customers)
        return (
            np.column_stack([products, extra_of(norms_squared)]),
            np.column_stack([customers, query]),
        )

    return transform


def mean_norm_squared_as_m_squared(norms_squared):
    """M^2 below the largest squared norm: the root of a negative number, NaN."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(norms_squared.mean() - norms_squared)


def test_euclidean_right_answer_passes(capsys):
    result = check_to_euclidean(euclidean_right)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out.startswith("✅ Correct (to_euclidean)")


def test_euclidean_course_version_passes():
    assert check_to_euclidean(inner_product_to_euclidean).passed


def test_euclidean_untouched_stub_is_not_attempted(capsys):
    result = check_to_euclidean(stub)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert "Not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (euclidean_with(lambda n: n.max() - n), "you forgot the square root"),
        (euclidean_with(lambda n: np.sqrt(100.0 - n)), "M is not the largest product norm"),
        (euclidean_with(mean_norm_squared_as_m_squared), "NaN: the square root of a negative"),
        (
            euclidean_with(
                lambda n: np.sqrt(n.max() - n),
                query_extra=lambda c: np.sqrt(25.0 - (c**2).sum(axis=1)),
            ),
            "the extra column goes to the products only",
        ),
        (euclidean_with(lambda n: np.sqrt(n.max()) - np.sqrt(n)), "should be sqrt(M^2 - |p|^2)"),
        (lambda p, c: euclidean_right(p, c)[0], "return a pair (products, customers)"),
        (lambda p, c: (p, c), "one extra column each"),
        (
            lambda p, c: (np.column_stack([euclidean_right(p, c)[0][:, 2], p]), c[:, [0, 1, 1]]),
            "append the new one last",
        ),
        (lambda p, c: (p @ p, c), "your code raised ValueError"),
    ],
)
def test_euclidean_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_to_euclidean(attempt)
    assert result.status == WRONG
    assert says in result.message


# --- Merging each shard's top k


def merge_right(shard_ids, shard_scores, k):
    ids, scores = np.concatenate(shard_ids, axis=1), np.concatenate(shard_scores, axis=1)
    order = np.lexsort((ids, -scores), axis=1)[:, :k]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)


def merge_ignoring_ties(shard_ids, shard_scores, k):
    """Stable sort on the scores alone: a tie goes to whichever shard answered first."""
    ids, scores = np.concatenate(shard_ids, axis=1), np.concatenate(shard_scores, axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)


def merge_best_of_each_shard(shard_ids, shard_scores, k):
    ids = np.stack([s[:, 0] for s in shard_ids], axis=1)
    scores = np.stack([s[:, 0] for s in shard_scores], axis=1)
    order = np.lexsort((ids, -scores), axis=1)[:, :k]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)


def merge_ascending(shard_ids, shard_scores, k):
    ids, scores = merge_right(shard_ids, shard_scores, k)
    return ids[:, ::-1], scores[:, ::-1]


def merge_unsorted_scores(shard_ids, shard_scores, k):
    ids, scores = merge_right(shard_ids, shard_scores, k)
    return ids, np.sort(scores, axis=1)


def merge_local_positions(shard_ids, shard_scores, k):
    """Positions in the concatenated lists instead of catalogue ids."""
    scores = np.concatenate(shard_scores, axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return order + 100, np.take_along_axis(scores, order, axis=1)


def test_merge_right_answer_passes(capsys):
    result = check_merge_top_k(merge_right)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out.startswith("✅ Correct (merge_top_k)")


def test_merge_untouched_stub_is_not_attempted(capsys):
    result = check_merge_top_k(stub)
    assert result.status == NOT_ATTEMPTED and not result.passed
    assert "Not attempted yet" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (merge_ignoring_ties, "ties go to the lower id"),
        (merge_best_of_each_shard, "Keep every shard's whole top k"),
        (merge_ascending, "sort by descending score"),
        (merge_unsorted_scores, "your scores do not belong to your ids"),
        (merge_local_positions, "ids must be catalogue ids"),
        (lambda i, s, k: merge_right(i, s, k)[0], "return a pair (ids, scores)"),
        (lambda i, s, k: (np.concatenate(i, 1), np.concatenate(s, 1)), "shape (2, 3)"),
        (lambda i, s, k: (i[0], s[0]), "the top 3 should be [[4, 1, 9], [5, 6, 7]]"),
        (lambda i, s, k: np.concatenate(i) @ s, "your code raised ValueError"),
    ],
)
def test_merge_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_merge_top_k(attempt)
    assert result.status == WRONG
    assert says in result.message


def test_merge_check_agrees_with_the_course_top_k_on_a_random_case():
    """The reference the check builds is the whole-matrix stable argsort: the course's top_k."""
    from course_utils.recommend import top_k
    from course_utils.serving import top_k_streaming

    scores = np.random.default_rng(0).integers(0, 4, size=(5, 12)).astype(float)  # many ties
    blocks = (scores[:, start : start + 4] for start in range(0, 12, 4))
    ids, _ = top_k_streaming(blocks, 3)
    assert np.array_equal(ids, top_k(scores, 3))
    assert np.array_equal(ids, np.argsort(-scores, axis=1, kind="stable")[:, :3])


def test_checks_report_a_non_function_instead_of_raising():
    assert "expected your function" in check_to_euclidean(None).message
    assert "expected your function" in check_merge_top_k(42).message
