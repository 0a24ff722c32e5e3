"""What every exercise check shares: running an attempt, and saying how it went.

A check is a plain function: it calls the learner's code on small inputs it builds
itself, compares the result with the expected one, and returns `correct(...)`,
`wrong(...)` or `not_attempted(...)`. Each prints its one line, so the learner sees it
wherever the call stands in the cell.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "wrong", "not attempted"


class NotAttempted(Exception):
    """Raised inside a check when the learner's stub still raises NotImplementedError."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: its status and the line it printed."""

    exercise: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == CORRECT

    def _ipython_display_(self) -> None:
        """Show nothing more in a notebook: the check already printed its line."""


def _report(exercise: str, status: str, message: str) -> CheckResult:
    marks = {CORRECT: "✅ Correct", WRONG: "❌ Not yet", NOT_ATTEMPTED: "⏳ Not attempted yet"}
    print(f"{marks[status]} ({exercise}): {message}")
    return CheckResult(exercise, status, message)


def correct(exercise: str, message: str) -> CheckResult:
    """Report a right answer in one line."""
    return _report(exercise, CORRECT, message)


def wrong(exercise: str, message: str) -> CheckResult:
    """Report a wrong answer, saying what is wrong in the learner's terms."""
    return _report(exercise, WRONG, message)


def not_attempted(
    exercise: str, what: str = "replace `raise NotImplementedError` with your code"
) -> CheckResult:
    """Report an untouched stub; never an error."""
    return _report(exercise, NOT_ATTEMPTED, what + ", then run this cell again.")


def attempt(function: Callable, *args, **kwargs):
    """Call the learner's `function`; raise `NotAttempted` if it is still the stub.

    Any other exception propagates, so a check can turn it into a `wrong(...)` with the
    exception's text (see `run_check`).
    """
    if not callable(function):
        raise TypeError(f"expected your function, got {type(function).__name__}: {function!r}")
    try:
        return function(*args, **kwargs)
    except NotImplementedError as error:
        raise NotAttempted from error


def run_check(exercise: str, body: Callable[[], CheckResult]) -> CheckResult:
    """Run a check's `body`, turning a stub or a crash of the learner's code into a report."""
    try:
        return body()
    except NotAttempted:
        return not_attempted(exercise)
    except Exception as error:  # the learner's code crashed: say how, do not raise
        return wrong(exercise, f"your code raised {type(error).__name__}: {error}")


def known_mistake(value: float, variants: dict[str, float], messages: dict[str, str]) -> str | None:
    """The message of the first usual mistake whose result on the tiny case equals `value`.

    Args:
        variants: what each mistake (by name) gives on the check's tiny case.
        messages: what to tell the learner, by the same names.
    """
    for mistake, message in messages.items():
        if np.isclose(value, variants[mistake]):
            return message
    return None


def number_problem(what: str, got) -> str | None:
    """A sentence if `got` is not one number (`what` it should be, e.g. "the mean"), else None."""
    if np.ndim(got) != 0:
        return f"return one number, {what}; yours has shape {np.shape(got)}."
    return None


def shape_problem(name: str, got, expected: tuple) -> str | None:
    """A sentence if `got` is not an array of shape `expected`, else None."""
    shape = np.shape(got)
    if shape != expected:
        return f"{name} should have shape {expected}, but yours has shape {shape}."
    return None
