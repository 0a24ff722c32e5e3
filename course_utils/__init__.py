"""Helpers for the course Neural Networks for Recommender Systems.

Every notebook starts with `setup(seed=...)`; the rest lives in one module per concept:
`data`, `baselines`, `models`, `recommend`, `metrics`, `plots`, `movielens`.
"""

from course_utils.reproducibility import setup

__all__ = ["setup"]
