"""What every exercise check shares: running an attempt, and saying how it went.

A check is a plain function: it calls the learner's code on small inputs it builds
itself, compares the result with the expected one, and returns `correct(...)`,
`wrong(...)` or `not_attempted(...)`. Each prints its one line, so the learner sees it
wherever the call stands in the cell.

An answer of the wrong type (None, a tuple where an array is expected, text where a number
is) gets the check's own message, never a library's error: read an answer through
`number`, `as_array` or `pair`, which raise `WrongAnswer` with that message, and `run_check`
reports it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

CORRECT, WRONG, NOT_ATTEMPTED = "correct", "wrong", "not attempted"


class NotAttempted(Exception):
    """Raised inside a check when the learner's stub still raises NotImplementedError."""


class WrongAnswer(Exception):
    """Raised inside a check with what is wrong, in the learner's terms; `run_check` reports it."""


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


@contextmanager
def further_case(case: str) -> Iterator[None]:
    """Run a check's further case, e.g. `case="with k=3"`: what goes wrong in it names it.

    A crash of the learner's code and an answer of the wrong type are reported with the
    case first, so a learner whose answer passed the first case sees what changed.
    """
    try:
        yield
    except NotAttempted:
        raise
    except WrongAnswer as problem:
        raise WrongAnswer(f"{case}: {problem}") from None
    except Exception as error:  # the learner's code crashed on this case only
        raise WrongAnswer(f"{case}, your code raised {type(error).__name__}: {error}") from error


def run_check(exercise: str, body: Callable[[], CheckResult]) -> CheckResult:
    """Run a check's `body`, turning a stub or a crash of the learner's code into a report."""
    try:
        return body()
    except NotAttempted:
        return not_attempted(exercise)
    except WrongAnswer as problem:
        return wrong(exercise, str(problem))
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


def describe(got) -> str:
    """What `got` is, in a few words a learner recognises: "a tuple of 3 items of shapes ..."."""
    if got is None:
        return "None (does your function end with `return ...`?)"
    if isinstance(got, str | bytes):
        text = repr(got)
        return f"the text {text if len(text) <= 40 else text[:37] + '...'}"
    if isinstance(got, np.ndarray):
        return f"an array of {got.dtype} of shape {got.shape}"
    if isinstance(got, tuple | list):
        try:
            shapes = [np.shape(item) for item in got]
        except ValueError:  # an item is itself ragged
            shapes = []
        items = f"a {type(got).__name__} of {len(got)} item{'s' * (len(got) != 1)}"
        if shapes and any(shapes) and len(set(shapes)) > 1:
            return f"{items} of shapes {', '.join(map(str, shapes))}"
        return items
    name = type(got).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def number_problem(what: str, got) -> str | None:
    """A sentence if `got` is not one number (`what` it should be, e.g. "the mean"), else None."""
    try:
        shape = np.shape(got)
    except ValueError:  # a ragged list
        return f"return one number, {what}; yours is {describe(got)}."
    if shape != ():
        return f"return one number, {what}; yours has shape {shape}."
    if isinstance(got, str | bytes) or np.asarray(got).dtype.kind not in "biuf":
        return f"return one number, {what}; yours is {describe(got)}."
    return None


def number(got, what: str) -> float:
    """`got` as a float; `WrongAnswer` if it is not one number (`what` it should be)."""
    if problem := number_problem(what, got):
        raise WrongAnswer(problem)
    return float(got)


def as_array(got, name: str) -> np.ndarray:
    """`got` as a NumPy array of numbers, of any shape; `WrongAnswer` naming `name` if not."""
    try:
        array = np.asarray(got)
    except (TypeError, ValueError):  # a ragged list, or an object NumPy cannot read
        array = None
    if array is None or array.dtype.kind not in "biuf":
        raise WrongAnswer(f"{name} should be an array of numbers; yours is {describe(got)}.")
    return array


def pair(got, what: str) -> tuple:
    """The two items of a returned pair `what`, e.g. "(X, y)"; `WrongAnswer` if not a pair."""
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise WrongAnswer(f"return a pair {what}; yours returned {describe(got)}.")
    return got[0], got[1]


def shape_problem(name: str, got, expected: tuple) -> str | None:
    """A sentence if `got` is not an array of shape `expected`, else None."""
    shape = np.shape(got)
    if shape != expected:
        return f"{name} should have shape {expected}, but yours has shape {shape}."
    return None
