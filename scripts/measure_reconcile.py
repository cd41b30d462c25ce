"""What reconciliation does for each fault of the run request, against the emulator.

For each fault: POSTs sent, results created, the outcome, and the time the lookup added over a
clean submission measured in the same run (median of a few). Run: .venv/bin/python scripts/measure_reconcile.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import attrs

from cekura_wrapper import CekuraClient, CekuraError, Submission
from cekura_wrapper.testing import CekuraEmulator, DropAfterCreate, ServerErrorAfterCreate, ServerErrorFault
from cekura_wrapper.testing.demo import closed_loopback_url
from cekura_wrapper.testing.faults import Fault

WINDOW = 10.0
REPEATS = 3


def once(emulator: CekuraEmulator, fault: Fault | None, *, lag: float = 0.0) -> tuple[int, int, str, float]:
    emulator.reset()
    emulator.app.settings = attrs.evolve(emulator.app.settings, list_lag=lag)
    if fault is not None:
        emulator.faults.queue(fault, on="post")
    with CekuraClient(emulator.api_key, base_url=emulator.base_url, reconcile_window=WINDOW) as client:
        started = time.perf_counter()
        try:
            submission: Submission | None = client.run_scenarios([(101, closed_loopback_url())], frequency=1)
            outcome = "found it (reconciled)" if submission and submission.reconciled else "created (201)"
        except CekuraError as exc:
            outcome = type(exc).__name__
        elapsed = time.perf_counter() - started
    posts = sum(1 for request in emulator.requests if request.method == "POST")
    return posts, len(emulator.app.results), outcome, elapsed


def main() -> None:
    cases: list[tuple[str, Callable[[CekuraEmulator], tuple[int, int, str, float]]]] = [
        ("none (baseline)", lambda e: once(e, None)),
        ("500 after creating", lambda e: once(e, ServerErrorAfterCreate(500))),
        ("connection dropped after creating", lambda e: once(e, DropAfterCreate())),
        ("502 after creating, listed 3 s late", lambda e: once(e, ServerErrorAfterCreate(502), lag=3.0)),
        ("502 before creating", lambda e: once(e, ServerErrorFault(502))),
    ]
    with CekuraEmulator() as emulator:
        rows = []
        for name, case in cases:
            runs = [case(emulator) for _ in range(REPEATS)]
            rows.append((name, runs[0][0], runs[0][1], runs[0][2], statistics.median(r[3] for r in runs)))
    baseline = rows[0][4]
    print(f"| fault | POSTs | results created | outcome | lookup added (median of {REPEATS}) |")
    print("|---|---:|---:|---|---:|")
    for name, posts, created, outcome, elapsed in rows:
        added = "-" if name.startswith("none") else f"{elapsed - baseline:.2f} s"
        print(f"| {name} | {posts} | {created} | {outcome} | {added} |")


if __name__ == "__main__":
    main()
