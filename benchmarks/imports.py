"""Part 4: ``import cekura_wrapper`` (and the clients) vs ``import httpx`` in fresh interpreters."""

from __future__ import annotations

import statistics
import subprocess
import sys

from .report import Row, emit, number_spread, ratio_text, spread

IMPORT_REPEATS = 7


def import_seconds(module: str) -> float:
    """Seconds ``import module`` takes in a fresh interpreter (interpreter start-up excluded)."""
    code = (
        f"import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def run(quick: bool) -> list[Row]:
    modules = ("cekura_wrapper", "httpx", "cekura_wrapper.client")
    for module in modules:
        import_seconds(module)  # write .pyc files first
    times: dict[str, list[float]] = {module: [] for module in modules}
    for _ in range(3 if quick else IMPORT_REPEATS):
        for module in modules:
            times[module].append(import_seconds(module))
    ours, base, client = (statistics.median(times[m]) for m in modules)
    ratios = [o / b for o, b in zip(times["cekura_wrapper"], times["httpx"], strict=True)]
    return [
        Row(
            "4 import",
            "import cekura_wrapper (fresh interpreter)",
            spread(times["cekura_wrapper"]),
            spread(times["httpx"]),
            number_spread(ratios),
            "<= 2 x import httpx",
            ours / base <= 2,
        ),
        Row(
            "4 import",
            "import cekura_wrapper.client (clients + httpx + generated, info)",
            spread(times["cekura_wrapper.client"]),
            spread(times["httpx"]),
            ratio_text(client, base),
        ),
    ]


if __name__ == "__main__":
    emit(run("--quick" in sys.argv))
