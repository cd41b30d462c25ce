"""Part 6: one poll of a running 100,000-run result (runs with a transcript of a few KB each, as
Cekura's detail endpoint returns them) vs ``json.loads`` of the same body; the final read exact."""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx

from cekura_wrapper._decoding import read_result

from .report import Row, emit, number_spread, spread
from .server import API_KEY
from .timing import times_of

RUNS = 100_000
QUICK_RUNS = 10_000
REPEATS = 5
TURN = "Hello, I would like to move my appointment to next Tuesday at 3pm, if that still works. "


def result_body(runs: int, status: str) -> bytes:
    transcript = [
        {"role": "agent" if j % 2 else "caller", "content": TURN * 2, "start": j * 4.5} for j in range(14)
    ]
    payload: dict[str, Any] = {
        "id": 9,
        "name": "nightly regression",
        "status": status,
        "total_runs_count": str(runs),
        "completed_runs_count": str(runs // 2),
        "success_runs_count": str(runs // 2),
        "runs": {
            str(3_000_000 + i): {
                "id": 3_000_000 + i,
                "status": "completed" if i % 2 else "running",
                "scenario": 500 + i % 1_000,
                "success": i % 10 != 0,
                "transcript_object": transcript,
                "evaluation": {"metrics": [{"name": "booking confirmed", "score": 1, "explanation": TURN}]},
            }
            for i in range(runs)
        },
        "created_at": "2026-12-01T04:00:00Z",
    }
    return json.dumps(payload).encode()


def poll_row(runs: int, repeats: int, request: httpx.Request) -> Row:
    running = result_body(runs, "running")
    response = httpx.Response(200, content=running, request=request)

    def poll() -> object:
        result, _ = read_result(response, 9, name="get_result", secret=API_KEY)
        assert result.completed_runs == runs // 2
        return result

    baseline = times_of(lambda: json.loads(running), repeats)
    ours = times_of(poll, repeats)
    ratios = [o / b for o, b in zip(ours, baseline, strict=True)]
    size = f"{len(running) / 1e6:.0f} MB"
    return Row(
        "6 cheap polls",
        f"a poll of a running {runs:,}-run result ({size}) vs json.loads of its body",
        spread(ours),
        spread(baseline),
        number_spread(ratios, "{:.3f}"),
        "<= 0.10",
        max(ratios) <= 0.10,
    )


def run(quick: bool) -> list[Row]:
    runs = QUICK_RUNS if quick else RUNS
    repeats = 3 if quick else REPEATS
    request = httpx.Request("GET", "http://127.0.0.1/test_framework/v1/results/9/")
    rows = [poll_row(runs, repeats, request)]
    done = result_body(runs, "completed")
    final = httpx.Response(200, content=done, request=request)
    result, _ = read_result(final, 9, name="get_result", secret=API_KEY)
    exact = dict(result.raw) == json.loads(done) and len(result.runs) == runs
    rows.append(
        Row(
            "6 cheap polls",
            "the final (completed) read equals json.loads of its body",
            "yes" if exact else "no",
            "-",
            "-",
            "exact",
            exact,
        )
    )
    return rows


if __name__ == "__main__":
    emit(run("--quick" in sys.argv))
