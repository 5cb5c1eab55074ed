"""Benchmarks for Movie Recap; see bench/README.md."""
