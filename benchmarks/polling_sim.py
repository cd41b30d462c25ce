"""Batch shapes and the real wait loop on a virtual clock: what part 1 measures, importable by tests.

A simulated wait runs ``cekura_wrapper._polling.wait_sync`` (the loop both clients use) with an
injected clock and sleep, so an hour-long batch simulates in microseconds. The baseline, a plain
5 s poller, is computed in closed form (``baseline_wait``); a test checks it against the loop.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from cekura_wrapper import PollTimeoutError, Result
from cekura_wrapper._polling import PollSchedule, WaitState, wait_sync

DURATIONS: Final = (10.0, 60.0, 150.0, 300.0, 1800.0, 3600.0)
RUN_COUNTS: Final = (1, 10, 100)
BASELINE_INTERVAL: Final = 5.0
#: Shapes in which counts move before the end ("with progress" when there is more than one run).
PROGRESS_SHAPES: Final = ("uniform", "clustered", "waves")
SHAPES: Final = (*PROGRESS_SHAPES, "evaluating tail", "stuck")
#: How long a wait on a stuck result lasts before its deadline, as a multiple of D.
STUCK_TIMEOUT_FACTOR: Final = 2.0
TAIL_SECONDS: Final = (30.0, 120.0)


class VirtualClock:
    """A clock that only moves when the wait loop sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"the wait loop asked to sleep {seconds} s")
        self.now += seconds


@dataclass(frozen=True)
class SimulatedBatch:
    """Runs finishing at ``finish_times`` (sorted; ``inf`` never finishes), then ``tail`` seconds of
    ``evaluating`` before the result completes."""

    finish_times: tuple[float, ...]
    tail: float = 0.0

    @property
    def done_at(self) -> float:
        return self.finish_times[-1] + self.tail

    @property
    def ends(self) -> bool:
        return math.isfinite(self.done_at)

    def result_at(self, elapsed: float) -> Result:
        """What ``GET /results/{id}/`` would answer ``elapsed`` seconds after submission."""
        total = len(self.finish_times)
        done = bisect.bisect_right(self.finish_times, elapsed)
        if elapsed >= self.done_at:
            status = "completed"
        elif done == total:
            status = "evaluating"
        else:
            status = "running"
        return Result(
            id=1,
            status=status,
            total_runs=total,
            completed_runs=done,
            success_runs=done,
            failed_runs=0,
            success_rate=None,
            raw={},
        )


def make_batch(shape: str, duration: float, runs: int, seed: int) -> SimulatedBatch:
    """One seeded batch of ``runs`` runs lasting about ``duration`` seconds, in ``shape``.

    * uniform: each run finishes at a uniform time in [0.2 D, D];
    * clustered: 90 % of the runs (each, at random) in the last 5 % of D, the rest in [0.2 D, 0.95 D];
    * waves: three bursts, each 2 % of D wide, ending at D/3, 2D/3 and D;
    * evaluating tail: uniform, then 30-120 s of ``evaluating`` with no count changes;
    * stuck: uniform, but the last run never finishes (one run: nothing ever finishes).
    """
    rng = random.Random(f"{shape}/{duration}/{runs}/{seed}")
    d = duration
    if shape in ("uniform", "evaluating tail", "stuck"):
        times = [rng.uniform(0.2 * d, d) for _ in range(runs)]
    elif shape == "clustered":
        times = [
            rng.uniform(0.95 * d, d) if rng.random() < 0.9 else rng.uniform(0.2 * d, 0.95 * d)
            for _ in range(runs)
        ]
    elif shape == "waves":
        times = [rng.uniform((k / 3 - 0.02) * d, k / 3 * d) for k in (rng.randint(1, 3) for _ in range(runs))]
    else:
        raise ValueError(f"unknown shape {shape!r}")
    times.sort()
    if shape == "stuck":
        times[-1] = math.inf
    tail = rng.uniform(*TAIL_SECONDS) if shape == "evaluating tail" else 0.0
    return SimulatedBatch(tuple(times), tail)


@dataclass(frozen=True)
class Waited:
    """One simulated wait: requests made; seconds from the batch ending to the wait returning
    (for a stuck batch: from the deadline to the wait giving up)."""

    requests: int
    delay: float


def timeout_for(batch: SimulatedBatch, duration: float) -> float:
    return STUCK_TIMEOUT_FACTOR * duration if not batch.ends else 10 * batch.done_at + 600


def simulate(
    batch: SimulatedBatch,
    schedule: PollSchedule,
    *,
    duration: float,
    retry_after: float | None = None,
) -> Waited:
    """Wait for ``batch`` with the real wait loop on a virtual clock; the server may send Retry-After."""
    clock = VirtualClock()
    requests = 0

    def fetch() -> tuple[Result, float | None]:
        nonlocal requests
        requests += 1
        return batch.result_at(clock.now), retry_after

    timeout = timeout_for(batch, duration)
    state = WaitState(1, timeout=timeout, schedule=schedule, clock=clock, on_progress=None)
    try:
        wait_sync(fetch, state, clock.sleep)
    except PollTimeoutError:
        return Waited(requests, clock.now - timeout)
    return Waited(requests, clock.now - batch.done_at)


def baseline_wait(batch: SimulatedBatch, duration: float) -> Waited:
    """A plain 5 s poller (polls at 0, 5, 10, ...), in closed form."""
    step = BASELINE_INTERVAL
    if not batch.ends:
        timeout = timeout_for(batch, duration)
        marks = math.floor(timeout / step + 1e-9)
        at_deadline = 0 if math.isclose(marks * step, timeout) else 1
        return Waited(marks + 1 + at_deadline, 0.0)
    seen = math.ceil(batch.done_at / step - 1e-12)
    return Waited(seen + 1, seen * step - batch.done_at)


@dataclass(frozen=True)
class CaseResult:
    """Our schedule and the baseline on the same seeded batches of one (D, runs, shape) case."""

    duration: float
    runs: int
    shape: str
    ours: tuple[Waited, ...]
    baseline: tuple[Waited, ...]

    @property
    def with_progress(self) -> bool:
        return self.runs > 1 and self.shape in PROGRESS_SHAPES


def run_case(
    duration: float,
    runs: int,
    shape: str,
    seeds: range,
    schedule: Callable[[], PollSchedule] = PollSchedule,  # the clients' default
) -> CaseResult:
    ours, baseline = [], []
    for seed in seeds:
        batch = make_batch(shape, duration, runs, seed)
        ours.append(simulate(batch, schedule(), duration=duration))
        baseline.append(baseline_wait(batch, duration))
    return CaseResult(duration, runs, shape, tuple(ours), tuple(baseline))
