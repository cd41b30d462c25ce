"""Part 5: fan-out under latency. 500 concurrent ``get_result`` calls (and 500 concurrent waits)
through one ``AsyncCekuraClient`` against a loopback server answering after 0, 50 or 200 ms: requests
per second, client CPU per request, connections opened; vs raw httpx with the pool cekura-ws used
before (100 connections, no cap on requests in flight) and with httpx's defaults."""

from __future__ import annotations

import asyncio
import importlib.util
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
from cekura_wrapper._api import API_KEY_HEADER, CONNECTION_LIMITS, MAX_IN_FLIGHT

from .report import Row, emit, number_spread
from .server import API_KEY, Http2Server, LoopbackServer, result_id_of

CONCURRENT = 500
ROUNDS = 2  # 1,000 requests per measurement
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


async def _ours(url: str, rounds: int, http: httpx.AsyncClient | None = None) -> None:
    http2 = http is not None
    async with AsyncCekuraClient(
        API_KEY, base_url=url, max_retries=0, http_client=http, http2=http2
    ) as client:
        for _ in range(rounds):
            results = await asyncio.gather(*(client.get_result(i) for i in BODIES))
            assert all(r.status == "running" for r in results)


async def _ours_h2(url: str, rounds: int) -> None:
    # http2=True negotiates HTTP/2 over TLS; on plain loopback http it takes prior knowledge.
    async with httpx.AsyncClient(http1=False, http2=True, limits=CONNECTION_LIMITS) as http:
        await _ours(url, rounds, http)


def _raw(limits: httpx.Limits, http2: bool = False) -> Callable[[str, int], Coroutine[Any, Any, None]]:
    async def contender(url: str, rounds: int) -> None:
        async with httpx.AsyncClient(
            base_url=url,
            headers={API_KEY_HEADER: API_KEY},
            limits=limits,
            timeout=60,
            http1=not http2,
            http2=http2,
        ) as http:

            async def get(i: int) -> object:
                return json.loads((await http.get(f"/test_framework/v1/results/{i}/")).content)

            for _ in range(rounds):
                await asyncio.gather(*(get(i) for i in BODIES))

    return contender


async def _official_sdk(url: str, rounds: int) -> None:
    from cekura import AsyncCekura  # the `bench` extra

    async with AsyncCekura(api_key=API_KEY, base_url=url, timeout=60) as client:
        for _ in range(rounds):
            results = await asyncio.gather(*(client.results.get(i) for i in BODIES))
            assert all(r["status"] == "running" for r in results)


BEFORE = httpx.Limits(max_connections=100, max_keepalive_connections=100)
DEFAULTS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
#: name -> (server, contender); "h1" is the minimal asyncio server, "hypercorn" serves HTTP/2 too.
CONTENDERS: dict[str, tuple[str, Callable[[str, int], Coroutine[Any, Any, None]]]] = {
    "ours": ("h1", _ours),
    "before": ("h1", _raw(BEFORE)),
    "httpx defaults": ("h1", _raw(DEFAULTS)),
    "official cekura SDK": ("h1", _official_sdk),
    "ours, HTTP/1.1 on hypercorn": ("hypercorn", _ours),
    "ours, HTTP/2 on hypercorn": ("hypercorn", _ours_h2),
    "raw httpx, HTTP/2 on hypercorn": ("hypercorn", _raw(BEFORE, http2=True)),
}


def sdk_installed() -> bool:
    return (
        importlib.util.find_spec("cekura") is not None and importlib.util.find_spec("hypercorn") is not None
    )


def measure(name: str, latency: float, rounds: int) -> Throughput:
    kind, contender = CONTENDERS[name]
    server_type = LoopbackServer if kind == "h1" else Http2Server
    with server_type(respond, latency=latency) as server:
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(contender(server.url, rounds))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        requests = server.requests
        return Throughput(requests / wall, cpu / requests, server.accepted)


async def _wait_all(url: str, finish: dict[int, float]) -> float:
    """Seconds until every result in ``finish`` was seen completed, waiting on all at once."""
    # No request budget: this measures the transport under 500 waits (part 1 measures the budget).
    async with AsyncCekuraClient(
        API_KEY, base_url=url, poll_interval=0.05, max_poll_interval=0.5, request_budget=None
    ) as client:
        started = time.monotonic()
        await asyncio.gather(*(client.wait_for_result(i, timeout=120) for i in finish))
        return time.monotonic() - started


def contenders_for(quick: bool) -> list[str]:
    if quick:
        return ["ours", "before", "httpx defaults"]
    return list(CONTENDERS) if sdk_installed() else ["ours", "before", "httpx defaults"]


def run(quick: bool) -> list[Row]:
    latencies = (0.05,) if quick else LATENCIES
    rounds, repeats = (1, 1) if quick else (ROUNDS, REPEATS)
    names = contenders_for(quick)
    rows = []
    for latency in latencies:
        seen: dict[str, list[Throughput]] = {name: [] for name in names}
        for _ in range(repeats):
            for name in names:
                seen[name].append(measure(name, latency, rounds))
        ours, before = seen["ours"], seen["before"]
        label = f"{latency * 1e3:g} ms latency, {CONCURRENT} concurrent get_result x {rounds}"
        speedups = [o.per_second / b.per_second for o, b in zip(ours, before, strict=True)]
        judged = latency == 0.05
        rows.append(
            Row(
                "5 fan-out",
                f"{label}: requests/s vs the uncapped pool of 100 used before",
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
                f"{label}: client CPU per request",
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
                f"{label}: TCP connections opened",
                number_spread([t.connections for t in ours], "{:g}"),
                number_spread([t.connections for t in before], "{:g}"),
                "-",
                f"<= 25 (MAX_IN_FLIGHT = {MAX_IN_FLIGHT})",
                max(t.connections for t in ours) <= 25,
            )
        )
        for name in names[2:]:
            other = seen[name]
            reference = (
                seen["ours, HTTP/1.1 on hypercorn"] if "hypercorn" in name and "1.1" not in name else ours
            )
            rows.append(
                Row(
                    "5 fan-out",
                    f"{label}: {name} (info; the ratio is its requests/s over "
                    f"{'ours, HTTP/1.1 on hypercorn' if reference is not ours else 'ours'}): requests/s; CPU per "
                    "request; connections",
                    f"{number_spread([t.per_second for t in other], '{:.0f}')}/s; "
                    f"{number_spread([t.cpu_per_request * 1e3 for t in other], '{:.2f}')} ms; "
                    f"{number_spread([t.connections for t in other], '{:g}')}",
                    f"{statistics.median(t.per_second for t in reference):.0f}/s",
                    number_spread(
                        [o.per_second / r.per_second for o, r in zip(other, reference, strict=True)]
                    ),
                )
            )
    if not quick and not sdk_installed():
        rows.append(
            Row(
                "5 fan-out",
                "official cekura SDK and HTTP/2: not measured",
                "-",
                "-",
                "-",
                "pip install -e '.[bench]' (make bench does)",
                None,
            )
        )
    rng = random.Random(5)
    finish = {i: rng.uniform(1.0, 4.0) for i in range(1, CONCURRENT + 1)}
    fanout = FinishingResults(finish)
    with LoopbackServer(fanout.respond, latency=0.05) as server:
        fanout.start()
        total = asyncio.run(_wait_all(server.url, finish))
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
