"""Benchmarks for the recap pipeline: `python -m bench.pipeline`."""
