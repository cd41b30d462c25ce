"""Part 5: fan-out under latency. 500 concurrent ``get_result`` calls (and 500 concurrent waits)
through one ``AsyncCekuraClient`` against a loopback server answering after 0, 50 or 200 ms: requests
per second, client CPU per request, connections opened; vs raw httpx with the pool cekura-ws used
before (100 connections, no cap on requests in flight) and with httpx's defaults."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from cekura_wrapper import AsyncCekuraClient
from cekura_wrapper._api import API_KEY_HEADER, MAX_IN_FLIGHT

from .report import Row, emit, number_spread
from .server import API_KEY, LoopbackServer, result_id_of

CONCURRENT = 500
ROUNDS = 6  # 3,000 requests per measurement
LATENCIES = (0.0, 0.05, 0.2)
REPEATS = 3
PAYLOAD_RUNS = 10  # a small running result: status, counts, ten short runs


def body_for(result_id: int) -> bytes:
    runs = {str(i): {"id": i, "status": "running", "scenario": 100 + i} for i in range(PAYLOAD_RUNS)}
    payload = {
        "id": result_id,
        "status": "running",
        "total_runs_count": "10",
        "completed_runs_count": "3",
        "runs": runs,
    }
    return json.dumps(payload).encode()


BODIES = {i: body_for(i) for i in range(1, CONCURRENT + 1)}


def respond(path: str) -> bytes | None:
    return BODIES.get(result_id_of(path) or 0)


@dataclass(frozen=True)
class Throughput:
    per_second: float
    cpu_per_request: float
    connections: int


async def _ours(url: str, rounds: int) -> None:
    async with AsyncCekuraClient(API_KEY, base_url=url, max_retries=0) as client:
        for _ in range(rounds):
            results = await asyncio.gather(*(client.get_result(i) for i in BODIES))
            assert all(r.status == "running" for r in results)


def _raw(limits: httpx.Limits) -> Callable[[str, int], Coroutine[Any, Any, None]]:
    async def contender(url: str, rounds: int) -> None:
        async with httpx.AsyncClient(
            base_url=url, headers={API_KEY_HEADER: API_KEY}, limits=limits, timeout=60
        ) as http:

            async def get(i: int) -> object:
                return json.loads((await http.get(f"/test_framework/v1/results/{i}/")).content)

            for _ in range(rounds):
                await asyncio.gather(*(get(i) for i in BODIES))

    return contender


CONTENDERS: dict[str, Callable[[str, int], Coroutine[Any, Any, None]]] = {
    "ours": _ours,
    "before": _raw(httpx.Limits(max_connections=100, max_keepalive_connections=100)),
    "httpx defaults": _raw(httpx.Limits(max_connections=100, max_keepalive_connections=20)),
}


def measure(name: str, latency: float, rounds: int) -> Throughput:
    with LoopbackServer(respond, latency=latency) as server:
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(CONTENDERS[name](server.url, rounds))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        requests = server.requests
        return Throughput(requests / wall, cpu / requests, server.accepted)


async def _wait_all(url: str, finish: dict[int, float]) -> tuple[float, int]:
    async with AsyncCekuraClient(API_KEY, base_url=url, poll_interval=0.05, max_poll_interval=0.5) as client:
        started = time.monotonic()
        await asyncio.gather(*(client.wait_for_result(i, timeout=120) for i in finish))
        return time.monotonic() - started, 0


def run(quick: bool) -> list[Row]:
    latencies = (0.05,) if quick else LATENCIES
    rounds, repeats = (2, 1) if quick else (ROUNDS, REPEATS)
    rows = []
    for latency in latencies:
        seen: dict[str, list[Throughput]] = {name: [] for name in CONTENDERS}
        for _ in range(repeats):
            for name in CONTENDERS:
                seen[name].append(measure(name, latency, rounds))
        ours, before, plain = seen["ours"], seen["before"], seen["httpx defaults"]
        label = f"{latency * 1e3:g} ms latency, {CONCURRENT} concurrent get_result x {rounds}"
        speedups = [o.per_second / b.per_second for o, b in zip(ours, before, strict=True)]
        judged = latency == 0.05
        rows.append(
            Row(
                "5 fan-out",
                f"{label}: requests/s (baseline: the uncapped pool of 100 used before; httpx defaults "
                f"{statistics.median(t.per_second for t in plain):.0f}/s)",
                number_spread([t.per_second for t in ours], "{:.0f}"),
                number_spread([t.per_second for t in before], "{:.0f}"),
                number_spread(speedups),
                ">= 2.5x before" if judged else "",
                min(speedups) >= 2.5 if judged else None,
            )
        )
        rows.append(
            Row(
                "5 fan-out",
                f"{label}: client CPU per request (httpx defaults "
                f"{statistics.median(t.cpu_per_request for t in plain) * 1e3:.2f} ms)",
                number_spread([t.cpu_per_request * 1e3 for t in ours], "{:.2f} ms"),
                number_spread([t.cpu_per_request * 1e3 for t in before], "{:.2f} ms"),
                number_spread(
                    [o.cpu_per_request / b.cpu_per_request for o, b in zip(ours, before, strict=True)]
                ),
                "<= 2 ms" if judged else "",
                max(t.cpu_per_request for t in ours) <= 0.002 if judged else None,
            )
        )
        rows.append(
            Row(
                "5 fan-out",
                f"{label}: TCP connections opened (httpx defaults {statistics.median(t.connections for t in plain):g})",
                number_spread([t.connections for t in ours], "{:g}"),
                number_spread([t.connections for t in before], "{:g}"),
                "-",
                f"<= 25 (MAX_IN_FLIGHT = {MAX_IN_FLIGHT})",
                max(t.connections for t in ours) <= 25,
            )
        )
    rng = random.Random(5)
    finish = {i: rng.uniform(1.0, 4.0) for i in range(1, CONCURRENT + 1)}
    fanout = FinishingResults(finish)
    with LoopbackServer(fanout.respond, latency=0.05) as server:
        fanout.start()
        total, _ = asyncio.run(_wait_all(server.url, finish))
        rows.append(
            Row(
                "5 fan-out",
                f"{CONCURRENT} waits at once, 50 ms latency, results ending within 4 s: total time vs the "
                f"slowest result's end; {server.requests} requests, {server.accepted} connections",
                f"{total:.2f} s",
                f"{max(finish.values()):.2f} s",
                f"{total / max(finish.values()):.2f}",
                "connections <= 25",
                server.accepted <= 25,
            )
        )
    return rows


class FinishingResults:
    """Results that complete at set times after ``start``; the clock is shared across processes
    (``time.monotonic`` is system-wide on Linux), so the forked server reads the same start."""

    def __init__(self, finish: dict[int, float]) -> None:
        import multiprocessing

        self.finish = finish
        self._started = multiprocessing.RawValue("d", 0.0)

    def start(self) -> None:
        self._started.value = time.monotonic()

    def respond(self, path: str) -> bytes | None:
        result_id = result_id_of(path)
        if result_id not in self.finish:
            return None
        done = time.monotonic() - self._started.value >= self.finish[result_id]
        status = "completed" if done else "running"
        payload = {
            "id": result_id,
            "status": status,
            "total_runs_count": "1",
            "completed_runs_count": str(int(done)),
        }
        return json.dumps({**payload, "success_runs_count": str(int(done)), "runs": {}}).encode()


if __name__ == "__main__":
    emit(run("--quick" in sys.argv))
