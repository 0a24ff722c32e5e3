"""Checks for the coding exercises, one module per notebook topic.

Each exercise has a cell the learner edits (a stub that raises `NotImplementedError`, or a
value left as `None`) and a check cell that calls a `check_*` function from these modules.
A check prints one line and returns a `CheckResult`:

- "not attempted yet" while the stub is untouched (it never raises);
- on a wrong answer, what is wrong in the learner's terms (the shape expected and the one
  got, the value on a tiny case, the usual mistake it recognised), an answer of the wrong
  type included (None, a tuple, text: never a library's error);
- on a right answer, one line that says so.

Each check runs every case the exercise's text promises (an edge case it names, an order, a
dtype, an argument that must not be written in as a number), often as a second, different
case after the tiny one; its tests hold a table of typical wrong answers and of valid
alternatives (tests/exercises/).

The pattern is the one learners know from the Deep Learning Specialization's
`public_tests.py`, written against the Keras 3 API. The core lives in `core.py`.
"""

from course_utils.exercises.core import CheckResult

__all__ = ["CheckResult"]
