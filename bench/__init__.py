"""Benchmarks: each runs ours and a named baseline in the same run and prints the ratio."""
