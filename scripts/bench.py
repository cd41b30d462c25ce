"""Benchmarks for cekura-ws, each figure set against a baseline measured in the same run.

1. Polling: requests made and detection delay of ``wait_for_result``'s schedule vs fixed 5 s
   polling, on a virtual clock (the real wait loop with an injected clock and sleep).
2. Client overhead: ``CekuraClient.get_result`` vs bare ``httpx.Client.get`` + ``json.loads``
   against a loopback HTTP/1.1 server, both on one kept-alive connection.
3. Bulk submission: validating and planning 1,000 scenarios x frequency 100, and parsing the
   100,000-run 201 response (time and peak traced memory).
4. ``import cekura_wrapper`` vs ``import httpx`` in fresh interpreters.
5. Async fan-out: 200 results waited on at once through one ``AsyncCekuraClient`` against a
   loopback server that counts the TCP connections it accepts.

Run ``make bench`` (or ``.venv/bin/python scripts/bench.py --parts 1,3``). Benchmarks are not tests:
the table marks each target met or missed and the exit status is 0 either way. The virtual-clock
simulation is cheap and deterministic, so ``tests/test_bench_simulation.py`` runs it in ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import gc
import importlib.metadata
import inspect
import json
import math
import multiprocessing
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from cekura_wrapper import Result
from cekura_wrapper._polling import PollSchedule, WaitState, wait_sync

API_KEY: Final = "bench-key-not-a-secret"
RESULT_PATH: Final = re.compile(r"^/test_framework/v1/results/(\d+)/$")

# Part 1
DURATIONS: Final = (10.0, 60.0, 300.0, 1800.0, 3600.0)
BASELINE_INTERVAL: Final = 5.0
POLL_SEEDS: Final = 200  # the median delay of 25 seeded batches still moves by +-1 s between seed sets
SPREAD_RUNS: Final = (10, 100)
# Part 2
HTTP_REPEATS: Final = 7
# Part 3
BULK_SCENARIOS: Final = 1_000
BULK_FREQUENCY: Final = 100
BULK_REPEATS: Final = 5
# Part 4
IMPORT_REPEATS: Final = 5
# Part 5
FANOUT_RESULTS: Final = 200
FANOUT_REPEATS: Final = 3
FANOUT_RUNS: Final = 10
FANOUT_FINISH: Final = (1.0, 9.0)  # each result finishes at a seeded time in this window (seconds)
HTTPX_POOL_LIMIT: Final = 100  # the client's max_connections (cekura_wrapper._api.CONNECTION_LIMITS)


@dataclass(frozen=True)
class Row:
    """One line of the table. ``met`` is ``None`` for a figure without a target."""

    part: str
    case: str
    ours: str
    baseline: str
    ratio: str
    target: str = ""
    met: bool | None = None


def ratio_text(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}" if baseline else "-"


def seconds_text(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.0f} µs"


# --- Part 1: polling on a virtual clock -------------------------------------------------------


class VirtualClock:
    """A clock that only moves when the wait loop sleeps: an hour simulates in microseconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"the wait loop asked to sleep {seconds} s")
        self.now += seconds


class FixedInterval(PollSchedule):
    """The baseline: poll every ``interval`` seconds, as typical clients do (Retry-After still wins)."""

    def __init__(self, interval: float = BASELINE_INTERVAL) -> None:
        super().__init__(interval, interval)

    def next_delay(self, result: Result | None, elapsed: float, *, retry_after: float | None = None) -> float:
        return max(retry_after, 0.0) if retry_after is not None else self.min_interval


@dataclass(frozen=True)
class SimulatedBatch:
    """A result whose runs finish at ``finish_times`` (sorted); terminal when the last one has."""

    finish_times: tuple[float, ...]

    @property
    def done_at(self) -> float:
        return self.finish_times[-1]

    def result_at(self, elapsed: float) -> Result:
        """What ``GET /results/{id}/`` would answer ``elapsed`` seconds after submission."""
        total = len(self.finish_times)
        done = bisect.bisect_right(self.finish_times, elapsed)
        return Result.from_payload(
            {
                "id": 1,
                "status": "completed" if done == total else "running",
                "total_runs_count": str(total),
                "completed_runs_count": str(done),
                "success_runs_count": str(done),
            }
        )


def spread_batch(duration: float, runs: int, seed: int) -> SimulatedBatch:
    """``runs`` runs finishing at seeded uniform random times in ``[0.2 D, D]``.

    The batch ends with its last run, just before ``D``: not on the baseline's 5 s grid, which a
    batch ending exactly at ``D`` would hand the baseline for free (a detection delay of 0).
    """
    rng = random.Random(f"{duration}/{runs}/{seed}")
    return SimulatedBatch(tuple(sorted(rng.uniform(0.2 * duration, duration) for _ in range(runs))))


def single_run(duration: float) -> SimulatedBatch:
    return SimulatedBatch((duration,))


@dataclass(frozen=True)
class Waited:
    """One simulated wait: requests made, and seconds from the batch finishing to the wait returning."""

    requests: int
    delay: float


def client_schedule() -> PollSchedule:
    """The schedule ``CekuraClient.wait_for_result`` builds with the client's default settings."""
    from cekura_wrapper import CekuraClient

    defaults = inspect.signature(CekuraClient.__init__).parameters
    return PollSchedule(defaults["poll_interval"].default, defaults["max_poll_interval"].default)


def simulate(batch: SimulatedBatch, schedule: PollSchedule, *, retry_after: float | None = None) -> Waited:
    """Wait for ``batch`` with the real wait loop on a virtual clock; the server may send Retry-After."""
    clock = VirtualClock()
    requests = 0

    def fetch() -> tuple[Result, float | None]:
        nonlocal requests
        requests += 1
        return batch.result_at(clock.now), retry_after

    state = WaitState(1, timeout=10 * batch.done_at + 600, schedule=schedule, clock=clock, on_progress=None)
    wait_sync(fetch, state, clock.sleep)
    return Waited(requests, clock.now - batch.done_at)


@dataclass(frozen=True)
class PollingCase:
    """Our schedule and the baseline waiting on the same batches (one per repeat)."""

    duration: float
    shape: str
    ours: tuple[Waited, ...]
    baseline: tuple[Waited, ...]

    def requests(self, which: Sequence[Waited]) -> float:
        return statistics.median(w.requests for w in which)

    def delays(self, which: Sequence[Waited]) -> list[float]:
        return [w.delay for w in which]

    def request_ratios(self) -> list[float]:
        return [o.requests / b.requests for o, b in zip(self.ours, self.baseline, strict=True)]

    def later_than_baseline(self) -> list[float]:
        """Per repeat, how much later than the baseline ours saw the batch finish (0 when not later)."""
        return [max(o.delay - b.delay, 0.0) for o, b in zip(self.ours, self.baseline, strict=True)]

    def targets(self) -> list[tuple[str, bool]]:
        """The issue's targets for this case: medians over the repeats, and "never" over all of them."""
        checks: list[tuple[str, bool]] = []
        d = self.duration
        if d >= 300:
            checks.append(("requests <= 40% of baseline", statistics.median(self.request_ratios()) <= 0.40))
            delays = self.delays(self.ours)
            checks.append(("median delay <= 5 s", statistics.median(delays) <= 5.0))
            checks.append((f"max delay <= 10% of D ({0.1 * d:g} s)", max(delays) <= 0.1 * d + 1e-9))
        if d <= 60:
            checks.append(("never later than baseline", max(self.later_than_baseline()) <= 1e-9))
        return checks


def polling_cases(
    durations: Iterable[float] = DURATIONS,
    seeds: Iterable[int] = range(POLL_SEEDS),
    spread_runs: Iterable[int] = SPREAD_RUNS,
) -> list[PollingCase]:
    """Every (D, shape) pair, with both schedules run on identical batches."""
    seeds, spread_runs = list(seeds), list(spread_runs)
    cases = []
    for duration in durations:
        shapes: list[tuple[str, list[SimulatedBatch]]] = [
            (f"{runs} runs over [0.2D, D]", [spread_batch(duration, runs, seed) for seed in seeds])
            for runs in spread_runs
        ]
        shapes.append(("1 run finishing at D", [single_run(duration)]))
        for shape, batches in shapes:
            cases.append(
                PollingCase(
                    duration,
                    shape,
                    tuple(simulate(b, client_schedule()) for b in batches),
                    tuple(simulate(b, FixedInterval()) for b in batches),
                )
            )
    return cases


def bench_polling() -> list[Row]:
    started = time.perf_counter()
    cases = polling_cases()
    rows = polling_rows(cases)
    batch = spread_batch(300.0, 10, 0)
    honoured = simulate(batch, client_schedule(), retry_after=20.0)
    expected = math.ceil(batch.done_at / 20.0) + 1
    rows.append(
        Row(
            "1 polling",
            "D=300 s, server sends Retry-After: 20 on every poll: requests",
            f"{honoured.requests}",
            f"{simulate(batch, FixedInterval(), retry_after=20.0).requests}",
            "-",
            f"Retry-After wins (= {expected})",
            honoured.requests == expected,
        )
    )
    waits = sum(len(c.ours) + len(c.baseline) for c in cases) + 2
    print(f"part 1: {waits} simulated waits in {time.perf_counter() - started:.2f} s (virtual clock)")
    return rows


def polling_rows(cases: Iterable[PollingCase]) -> list[Row]:
    """Two rows per case: requests, and detection delay, each with its targets judged."""
    rows = []
    for case in cases:
        label = f"D={case.duration:g} s, {case.shape}"
        ours_req, base_req = case.requests(case.ours), case.requests(case.baseline)
        targets = case.targets()
        request_targets = [t for t in targets if "requests" in t[0]]
        ratios = case.request_ratios()
        rows.append(
            Row(
                "1 polling",
                f"{label}: requests, median (our worst ratio {max(ratios):.2f})",
                f"{ours_req:g}",
                f"{base_req:g}",
                f"{statistics.median(ratios):.2f}",
                "; ".join(t for t, _ in request_targets),
                all(ok for _, ok in request_targets) if request_targets else None,
            )
        )
        ours_delay, base_delay = case.delays(case.ours), case.delays(case.baseline)
        delay_targets = [t for t in targets if "requests" not in t[0]]
        later = [x for x in case.later_than_baseline() if x > 1e-9]
        late_note = (
            f"; later than baseline in {len(later)}/{len(ours_delay)}, by <= {max(later):.1f} s"
            if later
            else ""
        )
        rows.append(
            Row(
                "1 polling",
                f"{label}: detection delay, median (max){late_note}",
                f"{statistics.median(ours_delay):.1f} s ({max(ours_delay):.1f} s)",
                f"{statistics.median(base_delay):.1f} s ({max(base_delay):.1f} s)",
                "-",
                "; ".join(t for t, _ in delay_targets),
                all(ok for _, ok in delay_targets) if delay_targets else None,
            )
        )
    return rows


# --- Loopback HTTP server (parts 2 and 5) ------------------------------------------------------


class LoopbackServer:
    """A minimal HTTP/1.1 server with keep-alive on 127.0.0.1 (free port), in its own process.

    Its own process, so it never competes with the client for the GIL or an event loop. It
    answers each GET with ``respond(path)`` (404 for ``None``) in a single write, and counts the
    TCP connections it accepts. Deliberately tiny: the less the server costs per request, the
    more plainly the client's own cost shows in a ratio.
    """

    def __init__(self, respond: Callable[[str], bytes | None]) -> None:
        context = multiprocessing.get_context("fork")  # ``respond`` need not be picklable
        self._counts = context.RawArray("q", 3)  # accepted, peak open, requests
        self._ready, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve, args=(respond, self._counts, child_end), name="bench-server", daemon=True
        )
        self.url = ""

    @property
    def accepted(self) -> int:
        return int(self._counts[0])

    @property
    def peak_open(self) -> int:
        return int(self._counts[1])

    @property
    def requests(self) -> int:
        return int(self._counts[2])

    def __enter__(self) -> LoopbackServer:
        self._process.start()
        if not self._ready.poll(10):
            self._process.kill()
            raise RuntimeError("the loopback server did not start within 10 s")
        self.url = f"http://127.0.0.1:{self._ready.recv()}"
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._process.terminate()
        self._process.join(10)


def _serve(respond: Callable[[str], bytes | None], counts: Any, ready: Any) -> None:
    """The server process: one event loop, one task per connection."""
    open_now = 0

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now
        counts[0] += 1
        open_now += 1
        counts[1] = max(counts[1], open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                counts[2] += 1
                body = respond(head.split(b" ", 2)[1].decode("latin-1"))
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else b'{"detail": "Not found."}'
                writer.write(
                    b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                    % (status, len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            open_now -= 1
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", 0, backlog=1024)
        ready.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def result_id_of(path: str) -> int | None:
    match = RESULT_PATH.match(path)
    return int(match.group(1)) if match else None


# --- Part 2: client overhead ---------------------------------------------------------------------


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


def bench_overhead() -> list[Row]:
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
                for repeat in range(HTTP_REPEATS):
                    order = list(contenders.items())  # alternate the order between repeats
                    for name, call in order if repeat % 2 else reversed(order):
                        timings[name].append(time_per_call(call, calls))
                ours, base = statistics.median(timings["wrapper"]), statistics.median(timings["plain"])
                size = len(payloads[result_id]) / 1e6
                rows.append(
                    Row(
                        "2 overhead",
                        f"get_result, {runs:,}-run result ({size:.2f} MB), per call",
                        seconds_text(ours),
                        seconds_text(base),
                        ratio_text(ours, base),
                        f"<= {target}",
                        ours / base <= target,
                    )
                )
                full = statistics.median(timings["runs"])
                rows.append(
                    Row(
                        "2 overhead",
                        f"get_result + .runs (every run parsed), {runs:,} runs (info)",
                        seconds_text(full),
                        seconds_text(base),
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


# --- Part 3: bulk submission ---------------------------------------------------------------------


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


def median_time(call: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


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


def bench_bulk() -> list[Row]:
    import httpx

    from cekura_wrapper import Submission, plan_run
    from cekura_wrapper._api import request_name, run_request
    from cekura_wrapper._decoding import read_submission

    scenarios = bulk_scenarios()

    def prepare() -> object:
        plan = plan_run(scenarios, frequency=BULK_FREQUENCY)
        return run_request(plan)

    plan = plan_run(scenarios, frequency=BULK_FREQUENCY)
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
        seconds = median_time(call, BULK_REPEATS)
        peak = peak_traced_mb(call)
        rows.append(Row("3 bulk", f"{label}: time", seconds_text(seconds), "-", "-", "< 1 s", seconds < 1.0))
        rows.append(
            Row("3 bulk", f"{label}: peak traced memory", f"{peak:.1f} MB", "-", "-", "< 200 MB", peak < 200)
        )
    return rows


# --- Part 4: import time -------------------------------------------------------------------------


def import_seconds(module: str) -> float:
    """Seconds ``import module`` takes in a fresh interpreter (interpreter start-up excluded)."""
    code = (
        f"import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def bench_import() -> list[Row]:
    modules = ("cekura_wrapper", "httpx", "cekura_wrapper.client")
    for module in modules:
        import_seconds(module)  # write .pyc files first
    times: dict[str, list[float]] = {module: [] for module in modules}
    for _ in range(IMPORT_REPEATS):
        for module in modules:
            times[module].append(import_seconds(module))
    ours, base, client = (statistics.median(times[m]) for m in modules)
    return [
        Row(
            "4 import",
            "import cekura_wrapper (fresh interpreter)",
            seconds_text(ours),
            seconds_text(base),
            ratio_text(ours, base),
            "<= 2 x import httpx",
            ours / base <= 2,
        ),
        Row(
            "4 import",
            "import cekura_wrapper.client (clients + httpx + generated, info)",
            seconds_text(client),
            seconds_text(base),
            ratio_text(client, base),
        ),
    ]


# --- Part 5: async fan-out -----------------------------------------------------------------------


@dataclass
class FanOutResults:
    """Results that finish at seeded times after ``started``; runs finish at a steady pace.

    ``started`` lives in shared memory: the client sets it, the server process reads it (the
    monotonic clock is the same across processes).
    """

    finish: dict[int, float]
    _started: Any = field(default_factory=lambda: multiprocessing.RawValue("d", time.monotonic()))

    @property
    def started(self) -> float:
        return float(self._started.value)

    @started.setter
    def started(self, value: float) -> None:
        self._started.value = value

    def respond(self, path: str) -> bytes | None:
        result_id = result_id_of(path)
        if result_id not in self.finish:
            return None
        elapsed, finish = time.monotonic() - self.started, self.finish[result_id]
        done = FANOUT_RUNS if elapsed >= finish else math.floor(FANOUT_RUNS * elapsed / finish)
        return json.dumps(
            {
                "id": result_id,
                "agent": 7,
                "status": "completed" if done == FANOUT_RUNS else "running",
                "total_runs_count": str(FANOUT_RUNS),
                "completed_runs_count": str(done),
                "success_runs_count": str(done),
                "failed_runs_count": "0",
                "runs": {},
            }
        ).encode()


@dataclass(frozen=True)
class FanOut:
    total: float
    slowest_finish: float
    slowest_wait: float
    sum_of_waits: float
    connections: int
    peak_open: int
    requests: int


async def _wait_all(url: str, results: FanOutResults) -> tuple[float, list[float]]:
    from cekura_wrapper import AsyncCekuraClient

    async with AsyncCekuraClient(api_key=API_KEY, base_url=url) as client:

        async def wait(result_id: int) -> float:
            result = await client.wait_for_result(result_id, timeout=120)
            assert result.status == "completed"
            return time.monotonic() - results.started

        results.started = time.monotonic()
        waits = await asyncio.gather(*(wait(i) for i in results.finish))
        return time.monotonic() - results.started, list(waits)


def fan_out_once(seed: int) -> FanOut:
    rng = random.Random(seed)
    results = FanOutResults({1 + i: rng.uniform(*FANOUT_FINISH) for i in range(FANOUT_RESULTS)})
    with LoopbackServer(results.respond) as server:
        total, waits = asyncio.run(_wait_all(server.url, results))
        return FanOut(
            total=total,
            slowest_finish=max(results.finish.values()),
            slowest_wait=max(waits),
            sum_of_waits=sum(waits),
            connections=server.accepted,
            peak_open=server.peak_open,
            requests=server.requests,
        )


def bench_fan_out() -> list[Row]:
    runs = [fan_out_once(seed) for seed in range(FANOUT_REPEATS)]

    def med(pick: Callable[[FanOut], float]) -> float:
        return statistics.median(pick(run) for run in runs)

    total, slowest, sum_waits = (
        med(lambda r: r.total),
        med(lambda r: r.slowest_wait),
        med(lambda r: r.sum_of_waits),
    )
    connections, peak, requests = (
        med(lambda r: r.connections),
        med(lambda r: r.peak_open),
        med(lambda r: r.requests),
    )
    n = FANOUT_RESULTS
    return [
        Row(
            "5 fan-out",
            f"{n} waits at once: total time vs the slowest result's own wait",
            seconds_text(total),
            seconds_text(slowest),
            ratio_text(total, slowest),
            "about 1 (not the sum)",
            total / slowest <= 1.2,
        ),
        Row(
            "5 fan-out",
            f"{n} waits at once: total time vs the sum of the waits",
            seconds_text(total),
            seconds_text(sum_waits),
            ratio_text(total, sum_waits),
        ),
        Row(
            "5 fan-out",
            "slowest result finishes at (server side)",
            seconds_text(med(lambda r: r.slowest_finish)),
            "-",
            "-",
        ),
        Row(
            "5 fan-out",
            "TCP connections open at once, peak",
            f"{peak:g}",
            f"{n} (a client per wait)",
            ratio_text(peak, n),
            f"one pool: <= its {HTTPX_POOL_LIMIT}-connection limit",
            peak <= HTTPX_POOL_LIMIT,
        ),
        # The client keeps all 100 pooled connections alive between polls, so few more than 100
        # are opened (replacing idle ones httpx expired); with httpx's default 20 it was ~200.
        Row(
            "5 fan-out",
            "TCP connections accepted vs requests served (info)",
            f"{connections:g}",
            f"{requests:g}",
            ratio_text(connections, requests),
        ),
    ]


# --- Report ----------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version_of(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def print_header() -> None:
    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()} ({platform.machine()})"
    )
    print(f"versions: cekura-ws {version_of('cekura-ws')}, httpx {version_of('httpx')}")
    print(
        f"repeats: part 1 {POLL_SEEDS} seeded batches per case, part 2 {HTTP_REPEATS}, "
        f"part 3 {BULK_REPEATS}, part 4 {IMPORT_REPEATS}, part 5 {FANOUT_REPEATS} (medians)"
    )


def print_table(rows: Sequence[Row]) -> None:
    print("\n| part | case | ours | baseline | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        print(
            f"| {row.part} | {row.case} | {row.ours} | {row.baseline} | {row.ratio} | {row.target} | {met} |"
        )
    judged = [row for row in rows if row.met is not None]
    missed = [row for row in judged if not row.met]
    print(f"\ntargets met: {len(judged) - len(missed)} of {len(judged)}")
    for row in missed:
        print(f"  missed: {row.part}: {row.case} ({row.target})")


PARTS: Final[dict[str, Callable[[], list[Row]]]] = {
    "1": bench_polling,
    "2": bench_overhead,
    "3": bench_bulk,
    "4": bench_import,
    "5": bench_fan_out,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated parts to run (default: all)"
    )
    args = parser.parse_args(argv)
    chosen = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in PARTS]
    if unknown:
        parser.error(f"unknown part(s) {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    print_header()
    rows: list[Row] = []
    started = time.perf_counter()
    for part in chosen:
        part_started = time.perf_counter()
        rows.extend(PARTS[part]())
        print(f"part {part} took {time.perf_counter() - part_started:.1f} s", flush=True)
    print_table(rows)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
