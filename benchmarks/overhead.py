"""Part 2: ``CekuraClient.get_result`` vs bare ``httpx.Client.get`` + ``json.loads`` against a
loopback HTTP/1.1 server, both on one kept-alive connection (completed results: decoded in full)."""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from .report import Row, emit, number_spread, ratio_text, spread
from .server import API_KEY, LoopbackServer, result_id_of

HTTP_REPEATS = 7


def result_detail(result_id: int, runs: int) -> dict[str, Any]:
    """A completed result shaped like ResultDetailV2 (runs keyed by id string)."""
    return {
        "id": result_id,
        "name": f"Benchmark result {result_id}",
        "agent": 7,
        "agent_name": "Benchmark agent",
        "status": "completed",
        "success_rate": 90.0,
        "run_as_text": False,
        "runs": {
            str(1_000_000 + i): {
                "id": 1_000_000 + i,
                "status": "completed",
                "scenario": 500 + i % 1_000,
                "scenario_name": f"Scenario {500 + i % 1_000}: caller asks to reschedule",
                "websocket_url": f"wss://agent-{i % 50}.example.com/ws",
                "success": i % 10 != 0,
                "error_message": None if i % 10 else "agent did not confirm the booking",
                "ended_by": "caller",
                "started_at": "2026-11-29T04:00:00Z",
                "ended_at": "2026-11-29T04:01:30Z",
            }
            for i in range(runs)
        },
        "total_runs_count": str(runs),
        "completed_runs_count": str(runs),
        "success_runs_count": str(runs - runs // 10),
        "failed_runs_count": str(runs // 10),
        "run_type": "Text",
        "created_at": "2026-11-29T04:00:00Z",
        "updated_at": "2026-11-29T04:05:00Z",
    }


def time_per_call(call: Callable[[], object], calls: int) -> float:
    gc.collect()
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def run(quick: bool) -> list[Row]:
    import httpx

    from cekura_wrapper import CekuraClient
    from cekura_wrapper._api import API_KEY_HEADER

    payloads = {1: json.dumps(result_detail(1, 2)).encode(), 2: json.dumps(result_detail(2, 10_000)).encode()}
    rows = []
    with LoopbackServer(lambda path: payloads.get(result_id_of(path) or 0)) as server:
        url = server.url
        with (
            CekuraClient(api_key=API_KEY, base_url=url) as client,
            httpx.Client(base_url=url, headers={API_KEY_HEADER: API_KEY}) as bare,
        ):
            for result_id, runs, calls, target in ((1, 2, 300, 1.3), (2, 10_000, 8, 1.5)):
                path = f"/test_framework/v1/results/{result_id}/"

                def wrapper(result_id: int = result_id) -> object:
                    return client.get_result(result_id)

                def plain(path: str = path) -> object:
                    return json.loads(bare.get(path).content)

                def with_runs(result_id: int = result_id) -> object:
                    return client.get_result(result_id).runs

                contenders: dict[str, Callable[[], object]] = {
                    "wrapper": wrapper,
                    "plain": plain,
                    "runs": with_runs,
                }
                for call in contenders.values():
                    call()  # open the connection, warm caches
                timings: dict[str, list[float]] = {name: [] for name in contenders}
                for repeat in range(3 if quick else HTTP_REPEATS):
                    order = list(contenders.items())  # alternate the order between repeats
                    for name, call in order if repeat % 2 else reversed(order):
                        timings[name].append(time_per_call(call, calls))
                ours, base = statistics.median(timings["wrapper"]), statistics.median(timings["plain"])
                ratios = [o / b for o, b in zip(timings["wrapper"], timings["plain"], strict=True)]
                size = len(payloads[result_id]) / 1e6
                rows.append(
                    Row(
                        "2 overhead",
                        f"get_result, {runs:,}-run result ({size:.2f} MB), per call",
                        spread(timings["wrapper"]),
                        spread(timings["plain"]),
                        number_spread(ratios),
                        f"<= {target}",
                        ours / base <= target,
                    )
                )
                full = statistics.median(timings["runs"])
                rows.append(
                    Row(
                        "2 overhead",
                        f"get_result + .runs (every run parsed), {runs:,} runs (info)",
                        spread(timings["runs"]),
                        spread(timings["plain"]),
                        ratio_text(full, base),
                    )
                )
        connections = server.accepted
    rows.append(
        Row(
            "2 overhead",
            "TCP connections for all of part 2 (keep-alive check)",
            f"{connections}",
            "2 expected",
            "-",
            "one per client",
            connections == 2,
        )
    )
    return rows


if __name__ == "__main__":
    emit(run("--quick" in sys.argv))
