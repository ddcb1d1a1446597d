"""Benchmarks: each prints a table with the ratio to a baseline measured in the same run."""
