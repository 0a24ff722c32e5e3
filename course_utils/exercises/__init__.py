"""Checks for the coding exercises, one module per notebook topic.

Each exercise has a cell the learner edits (a stub that raises `NotImplementedError`, or a
value left as `None`) and a check cell that calls a `check_*` function from these modules.
A check prints one line and returns a `CheckResult`:

- "not attempted yet" while the stub is untouched (it never raises);
- on a wrong answer, what is wrong in the learner's terms (the shape expected and the one
  got, the value on a tiny case, the usual mistake it recognised);
- on a right answer, one line that says so.

The pattern is the one learners know from the Deep Learning Specialization's
`public_tests.py`, written against the Keras 3 API. The core lives in `core.py`.
"""

from course_utils.exercises.core import CheckResult

__all__ = ["CheckResult"]
