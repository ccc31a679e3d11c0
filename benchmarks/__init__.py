"""Benchmarks (not tests): ``python -m benchmarks.<name>``.  Results go in BENCHMARKS.md."""
