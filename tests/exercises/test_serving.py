"""The checks of notebook 08's exercises: valid answers, the stubs, and wrong ones."""

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


def euclidean_hstack(products, customers):
    norms = np.linalg.norm(products, axis=1)
    extra = np.sqrt(np.maximum(norms.max() ** 2 - norms**2, 0.0))[:, None]
    return np.hstack([products, extra]), np.pad(customers, ((0, 0), (0, 1)))


def first_product_as_m(norms_squared):
    """M from the first product: right only when the longest product comes first."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(norms_squared[0] - norms_squared)


def two_columns_only(products, customers):
    """Norms from the first two columns, written in: right only for vectors of 2 numbers."""
    norms_squared = products[:, 0] ** 2 + products[:, 1] ** 2
    extra = np.sqrt(norms_squared.max() - norms_squared)
    return np.column_stack([products, extra]), np.column_stack(
        [customers, np.zeros(len(customers))]
    )


def m_over_everyone(products, customers):
    """M over products and customers together: right only if no customer is longer."""
    m_squared = max((products**2).sum(axis=1).max(), (customers**2).sum(axis=1).max())
    extra = np.sqrt(m_squared - (products**2).sum(axis=1))
    return np.column_stack([products, extra]), np.column_stack(
        [customers, np.zeros(len(customers))]
    )


@pytest.mark.parametrize("answer", [euclidean_right, inner_product_to_euclidean, euclidean_hstack])
def test_euclidean_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_to_euclidean(answer)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out == (
        "✅ Correct (to_euclidean): every product now has norm M = 5, each customer's nearest "
        "product is the one with the highest dot product.\n"
    )


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
        (lambda p, c: (p, c), "one extra column each"),
        (
            euclidean_with(first_product_as_m),
            "the longest product last and a customer longer still: your extra column has NaN",
        ),
        (two_columns_only, "on vectors of 3 numbers, the longest product last"),
        (m_over_everyone, "here the norms are 1, 2 and 3, so M = 3"),
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


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda p, c: euclidean_right(p, c)[0], "return a pair (products, customers); yours"),
        (lambda p, c: None, "yours returned None"),
        (lambda p, c: (euclidean_right(p, c)[0], "zeros"), "customers should be an array"),
        (lambda p, c: ([[1.0, 2.0], [3.0]], c), "products should be an array of numbers"),
    ],
)
def test_euclidean_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_to_euclidean(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


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


def merge_by_sorting_on_id_first(shard_ids, shard_scores, k):
    """Order by id, then a stable sort on the score: ties stay in id order."""
    ids, scores = np.concatenate(shard_ids, axis=1), np.concatenate(shard_scores, axis=1)
    by_id = np.argsort(ids, axis=1, kind="stable")
    ids, scores = np.take_along_axis(ids, by_id, axis=1), np.take_along_axis(scores, by_id, axis=1)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)


def merge_by_tuples(shard_ids, shard_scores, k):
    ids, scores = [], []
    for row in range(len(shard_ids[0])):
        pairs = [(-s[row, j], i[row, j]) for i, s in zip(shard_ids, shard_scores, strict=True)
                 for j in range(i.shape[1])]  # fmt: skip
        best = sorted(pairs)[:k]
        ids.append([i for _, i in best])
        scores.append([-s for s, _ in best])
    return np.array(ids), np.array(scores)


def merge_partition_at_the_cut(shard_ids, shard_scores, k):
    """The k best by score alone, then sorted by (score, id): a tie at the cut goes astray."""
    ids, scores = np.concatenate(shard_ids, axis=1), np.concatenate(shard_scores, axis=1)
    kept = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    ids, scores = np.take_along_axis(ids, kept, axis=1), np.take_along_axis(scores, kept, axis=1)
    order = np.lexsort((ids, -scores), axis=1)
    return np.take_along_axis(ids, order, axis=1), np.take_along_axis(scores, order, axis=1)


@pytest.mark.parametrize("answer", [merge_right, merge_by_sorting_on_id_first, merge_by_tuples])
def test_merge_valid_answers_pass_with_the_notebooks_line(answer, capsys):
    result = check_merge_top_k(answer)
    assert result.status == CORRECT and result.passed
    assert capsys.readouterr().out == (
        "✅ Correct (merge_top_k): the merged lists equal a stable argsort of the whole matrix.\n"
    )


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
        (
            merge_partition_at_the_cut,
            "with 2 shards of 5 products and k=2: ties go to the lower id: customer 0's top 2 "
            "is [7, 3]",
        ),
        (lambda i, s, k: (np.concatenate(i, 1), np.concatenate(s, 1)), "shape (2, 3)"),
        (lambda i, s, k: (i[0], s[0]), "the top 3 should be [[4, 1, 9], [5, 6, 7]]"),
        (lambda i, s, k: np.concatenate(i) @ s, "your code raised ValueError"),
    ],
)
def test_merge_typical_wrong_answers_get_their_own_message(attempt, says):
    result = check_merge_top_k(attempt)
    assert result.status == WRONG
    assert says in result.message


@pytest.mark.parametrize(
    ("attempt", "says"),
    [
        (lambda i, s, k: merge_right(i, s, k)[0], "return a pair (ids, scores); yours returned"),
        (lambda i, s, k: {"ids": i, "scores": s}, "yours returned a dict"),
        (lambda i, s, k: (merge_right(i, s, k)[0], None), "scores should be an array"),
        (
            lambda i, s, k: merge_right(i, s, k) if k == 3 else None,
            "with 2 shards of 5 products and k=2: return a pair (ids, scores); yours returned None",
        ),
    ],
)
def test_merge_wrong_types_get_the_checks_own_message(attempt, says):
    result = check_merge_top_k(attempt)
    assert result.status == WRONG
    assert says in result.message
    assert "your code raised" not in result.message


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
