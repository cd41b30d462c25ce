"""Part 3: validating and planning 1,000 scenarios x frequency 100, and parsing the 100,000-run
201 response (time and peak traced memory)."""

from __future__ import annotations

import gc
import json
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from .report import Row, emit, spread
from .server import API_KEY
from .timing import times_of

BULK_SCENARIOS = 1_000
BULK_FREQUENCY = 100
BULK_REPEATS = 7


def bulk_scenarios() -> list[dict[str, Any]]:
    return [
        {"scenario": 1 + i, "websocket_url": f"wss://agent-{i % 50}.example.com/ws?lane={i}"}
        for i in range(BULK_SCENARIOS)
    ]


def submitted_body(runs: int) -> bytes:
    """A 201 body for ``runs`` runs, shaped like the run request's documented response."""
    return json.dumps(
        {
            "id": 4242,
            "agent": 7,
            "status": "pending",
            "run_as_text": False,
            "runs": [
                {
                    "id": 2_000_000 + i,
                    "status": "pending",
                    "scenario": 1 + i % BULK_SCENARIOS,
                    "inbound_number": None,
                    "scenario_name": f"Scenario {1 + i % BULK_SCENARIOS}",
                    "test_profile_data": None,
                }
                for i in range(runs)
            ],
            "created_at": "2026-11-29T04:00:00Z",
        }
    ).encode()


def peak_traced_mb(call: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        kept = call()  # held until the peak is read, as a caller would hold it
        _, peak = tracemalloc.get_traced_memory()
        del kept
    finally:
        tracemalloc.stop()
    return peak / 1e6


def run(quick: bool) -> list[Row]:
    import httpx

    from cekura_wrapper import Submission, plan_run
    from cekura_wrapper._api import request_name, run_request
    from cekura_wrapper._decoding import read_submission

    scenarios = bulk_scenarios()

    def prepare() -> object:
        plan = plan_run(scenarios, frequency=BULK_FREQUENCY, max_runs=BULK_SCENARIOS * BULK_FREQUENCY)
        return run_request(plan)

    plan = plan_run(scenarios, frequency=BULK_FREQUENCY, max_runs=BULK_SCENARIOS * BULK_FREQUENCY)
    kwargs = run_request(plan)
    name = request_name(kwargs)
    body = submitted_body(plan.run_count)
    request = httpx.Request(
        "POST", "http://127.0.0.1/test_framework/v1/scenarios/run_scenarios_with_websockets/"
    )

    def parse() -> Submission:
        response = httpx.Response(201, content=body, request=request)
        submission = read_submission(response, planned_runs=plan.run_count, name=name, secret=API_KEY)
        assert submission.run_count == plan.run_count
        return submission

    def parse_every_run() -> object:
        submission = parse()
        assert len(submission.runs) == plan.run_count  # parsed on first access
        return submission

    rows = []
    for label, call in (
        (f"validate + plan + build request, {BULK_SCENARIOS:,} scenarios x {BULK_FREQUENCY}", prepare),
        (f"parse the {plan.run_count:,}-run 201 response ({len(body) / 1e6:.1f} MB body)", parse),
        (f"parse it and every run in it (Submission.runs, {plan.run_count:,} Run objects)", parse_every_run),
    ):
        call()
        times = times_of(call, 3 if quick else BULK_REPEATS)
        peak = peak_traced_mb(call)
        rows.append(Row("3 bulk", f"{label}: time", spread(times), "-", "-", "< 1 s", max(times) < 1.0))
        rows.append(
            Row("3 bulk", f"{label}: peak traced memory", f"{peak:.1f} MB", "-", "-", "< 200 MB", peak < 200)
        )
    return rows


if __name__ == "__main__":
    emit(run("--quick" in sys.argv))
