"""Benchmarks: each prints its figure, the bound measured beside it in the same run, and the ratio.

Run them all with `python -m bench` (or some: `python -m bench import poll`).
They are not tests: nothing here asserts; bench/README.md keeps the latest figures.
"""
