"""The benchmark of the load path and the report set (`python -m bench.run`; see bench/README.md)."""
