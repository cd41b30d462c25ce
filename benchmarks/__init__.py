"""Benchmarks for cekura-ws: ``python -m benchmarks`` (``make bench``, ``make bench-quick``).

Each part is a module with ``run(quick) -> list[Row]`` and runs in a fresh interpreter; every
figure is set against a baseline measured in the same run, with its spread over the repeats.
"""
