"""Run the benchmark parts, each in a fresh interpreter, and print one table with met / not met.

``python -m benchmarks`` (``make bench``), ``--quick`` (``make bench-quick``: fewer seeds,
repeats and sizes, under a minute), ``--parts 1,6`` to choose, ``--sweep`` for part 1's economy-mode rows in
quick mode too. Benchmarks are not tests: a target not met does not change the exit status; a
part that crashes does (1).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from .report import Row, print_table

PARTS = {
    "1": "polling",
    "2": "overhead",
    "3": "bulk",
    "4": "imports",
    "5": "fanout",
    "6": "polls",
}


def version_of(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def run_part(module: str, flags: Sequence[str]) -> list[Row] | None:
    """The part's rows, or ``None`` (its output shown) when it failed."""
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *flags], capture_output=True, text=True, check=False
    )
    before, marker, rows = done.stdout.partition("--- rows ---\n")
    if done.returncode != 0 or not marker:
        print(
            f"part {module} failed (exit {done.returncode}):\n{before}{done.stderr[-4000:]}", file=sys.stderr
        )
        return None
    if before.strip():
        print(before.rstrip())
    return [Row.from_json(line) for line in rows.splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help="comma-separated parts (default: all)")
    parser.add_argument("--quick", action="store_true", help="a smaller subset, under a minute")
    parser.add_argument("--sweep", action="store_true", help="part 1's economy-mode rows in quick mode too")
    args = parser.parse_args(argv)
    chosen = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    flags = [flag for flag, on in (("--quick", args.quick), ("--sweep", args.sweep)) if on]
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} "
        f"{platform.release()} ({platform.machine()}); cekura-ws {version_of('cekura-ws')}, httpx "
        f"{version_of('httpx')}, msgspec {version_of('msgspec')}; {'quick' if args.quick else 'full'} run"
    )
    rows: list[Row] = []
    failed = False
    started = time.perf_counter()
    for part in chosen:
        part_started = time.perf_counter()
        part_rows = run_part(PARTS[part], flags)
        failed |= part_rows is None
        rows += part_rows or []
        print(f"part {part} ({PARTS[part]}) took {time.perf_counter() - part_started:.1f} s", flush=True)
    print_table(rows)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
