"""Checks for the exercises of notebooks/12_beyond_accuracy.py: IPS and novelty."""

import numpy as np

from course_utils.exercises.core import (
    CheckResult,
    attempt,
    correct,
    further_case,
    known_mistake,
    number,
    run_check,
    wrong,
)

# --- IPS: six logged events --------------------------------------------------------------
_CLICKS = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
_NEW_PROBABILITY = np.array([1.0, 1.0, 0.0, 0.5, 0.0, 1.0])  # π(a_i | c_i) of the new policy
_PROPENSITY = np.array([0.5, 0.25, 0.2, 0.1, 0.5, 0.8])  # π0(a_i | c_i), logged
# A second log, of another length, so that neither 6 nor the first arrays can be written in.
_OTHER = (np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.2, 0.6, 1.0, 0.0]), np.full(4, 0.4))


def _ips_variants(clicks, new_probability, propensity) -> dict[str, float]:
    """The right IPS estimate on the tiny log, and what each usual mistake gives."""
    weights = new_probability / propensity
    return {
        "right": float(np.mean(weights * clicks)),
        "no division": float(np.mean(new_probability * clicks)),
        "times propensity": float(np.mean(new_probability * propensity * clicks)),
        "self-normalised": float(np.sum(weights * clicks) / np.sum(weights)),
        "clicks only": float(np.mean((weights * clicks)[clicks > 0])),
        "no clicks": float(np.mean(weights)),
    }


def check_ips(ips) -> CheckResult:
    """Check `ips(clicks, new_probability, propensity) -> float`: mean of the weight
    new_probability / propensity times the click."""
    exercise = "ips"
    messages = {
        "no division": "you averaged new_probability * click: that is the click rate the logging "
        "policy's own choices earned where the new policy agrees, still weighted toward what "
        "the old policy liked. Divide by the propensity, the chance the logging policy had of "
        "showing that product.",
        "times propensity": "you multiplied by the propensity; divide by it: a product the "
        "logging policy rarely showed must count more when it was shown, not less.",
        "self-normalised": "you divided by the sum of the weights: that is self-normalised IPS "
        "(SNIPS, section 3), a different estimator. IPS divides by the number of events.",
        "clicks only": "you averaged over the clicked events only; average over every logged "
        "event, the ones without a click count as 0.",
        "no clicks": "you averaged the weights without the clicks: multiply each weight by "
        "the event's click (1 or 0).",
    }

    def body() -> CheckResult:
        values = _ips_variants(_CLICKS, _NEW_PROBABILITY, _PROPENSITY)
        result = attempt(ips, _CLICKS.copy(), _NEW_PROBABILITY.copy(), _PROPENSITY.copy())
        value = number(result, "the estimated click rate")
        if np.isclose(value, values["right"]):
            return _ips_other_log(exercise, ips) or correct(
                exercise, f"IPS on the tiny log is {values['right']:.3f}."
            )
        if mistake := known_mistake(value, values, messages):
            return wrong(exercise, mistake)
        return wrong(
            exercise,
            f"on the tiny log the weights new_probability / propensity are 2, 4, 0, 5, 0, "
            f"1.25 and the clicks 1, 0, 1, 1, 0, 0: IPS = (2 + 5) / 6 = {values['right']:.3f}; "
            f"yours is {value:.3f}.",
        )

    return run_check(exercise, body)


def _ips_other_log(exercise: str, ips) -> CheckResult | None:
    """A `wrong(...)` unless IPS is right on a log of another length too."""
    case = "on a second log of 4 events, each shown with propensity 0.4"
    with further_case(case):
        value = number(attempt(ips, *(a.copy() for a in _OTHER)), "the estimated click rate")
    right = _ips_variants(*_OTHER)["right"]
    if np.isclose(value, right):
        return None
    return wrong(
        exercise,
        f"right on the first log, but {case} IPS is (0.6 / 0.4 + 1 / 0.4) / 4 = {right:.3f}; "
        f"yours is {value:.3f}. Divide by the number of events of the log you are given.",
    )


# --- novelty: two lists of two, three products, three customers ---------------------------
_LISTS = np.array([[0, 1], [0, 2]])
_COUNTS = np.array([3, 1, 0])  # customers who consumed each product, of _N_CUSTOMERS
_N_CUSTOMERS = 3
_OTHER_LISTS, _OTHER_COUNTS, _OTHER_N = np.array([[2, 0, 1]]), np.array([1, 7, 0]), 7


def _novelty_variants(lists, counts, n_customers) -> dict[str, float]:
    """The right novelty on the tiny case, and what each usual mistake gives."""
    share = (counts + 1) / (n_customers + 1)
    with np.errstate(divide="ignore"):
        unsmoothed = -np.log2(counts / n_customers)
    return {
        "right": float(np.mean(-np.log2(share[lists]))),
        "natural log": float(np.mean(-np.log(share[lists]))),
        "sign": float(np.mean(np.log2(share[lists]))),
        "distinct": float(np.mean(-np.log2(share[np.unique(lists)]))),
        "no + 1": float(np.mean(unsmoothed[lists])),
    }


def check_novelty(novelty) -> CheckResult:
    """Check `novelty(recommended, counts, n_customers) -> float`, in bits, with the + 1."""
    exercise = "novelty"
    messages = {
        "natural log": "that is in nats (np.log); self-information is in bits: np.log2.",
        "sign": "your novelty is negative: self-information is -log2(share), and a share is "
        "at most 1, so it is >= 0.",
        "distinct": "you averaged over the distinct products recommended; average over every "
        "list and every rank: a product in many lists counts each time.",
        "no + 1": "a product nobody consumed gets -log2(0) = infinity: add 1 to each count "
        "and to n_customers, (counts + 1) / (n_customers + 1).",
    }

    def body() -> CheckResult:
        values = _novelty_variants(_LISTS, _COUNTS, _N_CUSTOMERS)
        with np.errstate(divide="ignore"):
            result = attempt(novelty, _LISTS.copy(), _COUNTS.copy(), _N_CUSTOMERS)
        value = number(result, "the mean self-information in bits")
        if np.isclose(value, values["right"]):
            return _novelty_other_case(exercise, novelty) or correct(
                exercise, f"novelty on the tiny case is {values['right']:.3f} bits."
            )
        if mistake := known_mistake(value, values, messages):
            return wrong(exercise, mistake)
        return wrong(
            exercise,
            f"with 3 customers, product 0 (consumed by 3) carries -log2(4/4) = 0 bits, product "
            f"1 (by 1) -log2(2/4) = 1 and product 2 (by none) -log2(1/4) = 2; the lists [0, 1] "
            f"and [0, 2] give (0 + 1 + 0 + 2) / 4 = {values['right']:.3f}; yours is {value:.3f}.",
        )

    return run_check(exercise, body)


def _novelty_other_case(exercise: str, novelty) -> CheckResult | None:
    """A `wrong(...)` unless novelty is right with another n_customers and k too."""
    case = f"with n_customers={_OTHER_N} and one list of 3"
    with further_case(case):
        with np.errstate(divide="ignore"):
            result = attempt(novelty, _OTHER_LISTS.copy(), _OTHER_COUNTS.copy(), _OTHER_N)
        value = number(result, "the mean self-information in bits")
    right = _novelty_variants(_OTHER_LISTS, _OTHER_COUNTS, _OTHER_N)["right"]
    if np.isclose(value, right):
        return None
    return wrong(
        exercise,
        f"right on the first case, but {case} ([2, 0, 1], counts [1, 7, 0]) novelty is "
        f"{right:.3f} bits; yours is {value:.3f}. Use the n_customers you are given.",
    )
