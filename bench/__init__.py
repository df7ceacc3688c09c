"""Benchmarks run by `make bench`; each scenario is a module run with `python -m bench.NAME`."""
