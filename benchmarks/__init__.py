"""Benchmarks for `make bench`: speed targets, measured side by side, reported as ratios."""
