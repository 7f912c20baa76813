"""Benchmarks run from the CLI (``filmstyle bench ...``): Table 1 of the paper, reproduced."""
