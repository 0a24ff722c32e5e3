"""Checks for the exercises of notebooks/11_ranking.py: the cross layer, a re-ranker's ceiling."""

import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    as_array,
    attempt,
    correct,
    further_case,
    number,
    run_check,
    wrong,
)

# A batch of 4 rows of 3 features; x differs from x0, as in a second cross layer. The kernel
# is not symmetric and the bias not zero, so a transposed kernel or a dropped bias shows.
_RNG = np.random.default_rng(10)
_X0 = _RNG.normal(size=(4, 3)).astype("float32")
_X = _RNG.normal(size=(4, 3)).astype("float32")
_KERNEL = _RNG.normal(size=(3, 3)).astype("float32")
_BIAS = np.array([0.5, -1.0, 0.25], dtype="float32")


def _feature_cross(x0: np.ndarray, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray):
    """keras-rs' FeatureCross with the given weights, applied to (x0, x): the reference."""
    import keras
    import keras_rs

    layer = keras_rs.layers.FeatureCross()
    layer.build(x0.shape)
    layer.dense.build(x0.shape)
    layer.dense.kernel.assign(kernel)
    layer.dense.bias.assign(bias)
    return keras.ops.convert_to_numpy(layer(x0, x))


def _cross_mistakes(x0, x, kernel, bias) -> dict[str, np.ndarray]:
    """What the usual mistakes give: {message: (batch, d) output}."""
    return {
        "the residual is missing: add x at the end, x0 * (x @ kernel + bias) + x.": (
            x0 * (x @ kernel + bias)
        ),
        "the kernel is transposed: Keras' kernel multiplies from the right, x @ kernel.": (
            x0 * (x @ kernel.T + bias) + x
        ),
        "the bias is missing: x0 * (x @ kernel + bias) + x.": x0 * (x @ kernel) + x,
        "the residual adds x0; it adds x, the previous layer's output: ... + x.": (
            x0 * (x @ kernel + bias) + x0
        ),
        "x0 and x are swapped: x0 multiplies, x goes through the kernel, "
        "x0 * (x @ kernel + bias) + x.": x * (x0 @ kernel + bias) + x0,
        "the product is with x; the cross layer multiplies by x0, the input of the first "
        "layer, x0 * (x @ kernel + bias) + x.": x * (x @ kernel + bias) + x,
    }


def check_cross_layer(cross_layer) -> CheckResult:
    """Check `cross_layer(x0, x, kernel, bias) -> (batch, d)` against keras-rs' FeatureCross.

    Cases: x different from x0 (a second layer), then x equal to x0 (the first layer).
    """
    exercise = "cross_layer"

    def body() -> CheckResult:
        got = attempt(cross_layer, _X0.copy(), _X.copy(), _KERNEL.copy(), _BIAS.copy())
        got = as_array(got, "the output").astype(float)
        expected = _feature_cross(_X0, _X, _KERNEL, _BIAS)
        if got.shape != expected.shape:
            return wrong(
                exercise,
                f"for a batch of 4 rows of 3 features the output is (4, 3); yours has shape "
                f"{got.shape}. Multiply element by element (*), not with a matrix product.",
            )
        if not np.allclose(got, expected, atol=1e-4):
            for message, mistake in _cross_mistakes(_X0, _X, _KERNEL, _BIAS).items():
                if np.allclose(got, mistake, atol=1e-4):
                    return wrong(exercise, message)
            return wrong(
                exercise,
                f"FeatureCross gives {expected[0].round(3).tolist()} for the first row; yours "
                f"gives {got[0].round(3).tolist()}. The formula: x0 * (x @ kernel + bias) + x.",
            )
        case = "with x equal to x0 (the first cross layer)"
        with further_case(case):
            first = as_array(attempt(cross_layer, _X0.copy(), _X0.copy(), _KERNEL, _BIAS), "it")
        if first.shape != _X0.shape or not np.allclose(
            first, _feature_cross(_X0, _X0, _KERNEL, _BIAS), atol=1e-4
        ):
            return wrong(exercise, f"{case} your output differs from FeatureCross's.")
        return correct(exercise, "x0 * (x @ kernel + bias) + x, as keras-rs' FeatureCross.")

    return run_check(exercise, body)


# Four events, lists of three movies. Event 2's target (7) is in event 0's list, not its
# own, so "in anyone's list" gives another answer; event 1's target is second in its list.
_CANDIDATES = np.array([[3, 7, 1], [4, 5, 6], [0, 2, 8], [9, 1, 3]])
_TARGETS = np.array([3, 5, 7, 10])  # found: events 0 and 1; 10 is in no list


def check_candidate_recall(candidate_recall) -> CheckResult:
    """Check `candidate_recall(candidates, targets) -> float`: the share of events whose
    target is in its own list (recall@n of the retriever, the re-ranker's ceiling)."""
    exercise = "candidate_recall"

    def body() -> CheckResult:
        got = attempt(candidate_recall, _CANDIDATES.copy(), _TARGETS.copy())
        if np.shape(got) == (len(_TARGETS),):
            return wrong(
                exercise,
                "you returned one value per event; return their mean, one number (the share).",
            )
        value = number(got, "the share of events whose target was retrieved")
        mistakes = {
            0.5: None,  # right
            0.75: "you looked for each target in every event's list; look only in its own "
            "row: candidates == targets[:, None].",
            2.0: "you counted the events; return their share, the count divided by the "
            "number of events.",
            2 / 12: "you divided by the number of candidates; divide by the number of events: "
            "each event counts once, found or not.",
            0.25: "you looked only at each list's first movie (recall@1); the target may be "
            "anywhere in the list.",
        }
        for answer, message in mistakes.items():
            if np.isclose(value, answer):
                if message is None:
                    return _longer_lists(exercise, candidate_recall) or correct(
                        exercise, "the share of events whose target is in its own list."
                    )
                return wrong(exercise, message)
        return wrong(
            exercise,
            f"2 of the 4 events find their target (events 0 and 1), so the answer is 0.5; "
            f"yours is {value:.4g}.",
        )

    return run_check(exercise, body)


def _longer_lists(exercise: str, candidate_recall) -> CheckResult | None:
    """A `wrong(...)` unless the answer is right for 6 events and lists of 5 too."""
    rng = np.random.default_rng(3)
    candidates = np.array([rng.permutation(20)[:5] for _ in range(6)])
    targets = np.where(np.arange(6) < 4, candidates[np.arange(6), [4, 0, 2, 3, 0, 0]], 20)
    case = "for 6 events with lists of 5"
    with further_case(case):
        value = number(attempt(candidate_recall, candidates, targets), "the share")
    if np.isclose(value, 4 / 6):
        return None
    return wrong(
        exercise,
        f"{case}, 4 targets are retrieved (4/6 = 0.667); yours gives {value:.4g}. Use the "
        "arrays' own sizes, not fixed numbers.",
    )
