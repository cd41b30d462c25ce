"""Hundreds of waits on one client, on a virtual clock: the request budget they share, importable by tests.

Each wait is the real ``wait_async`` loop with the real ``WaitState``, schedule and
``RequestBudget``; a tiny event loop (``VirtualLoop``) resumes the waits in the order of their
virtual wake-up times, so 500 waits over ten minutes simulate in well under a second.
"""

from __future__ import annotations

import heapq
import itertools
import math
import statistics
from collections.abc import Coroutine, Generator
from dataclasses import dataclass
from typing import Any

from cekura_wrapper import Result
from cekura_wrapper._budget import RequestBudget
from cekura_wrapper._polling import PollSchedule, WaitState, wait_async

from .polling_sim import SimulatedBatch, VirtualClock, make_batch


class _Sleep:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __await__(self) -> Generator[_Sleep, None, None]:
        yield self


async def virtual_sleep(seconds: float) -> None:
    """What the waits await instead of ``asyncio.sleep``: hands the delay to ``VirtualLoop``."""
    await _Sleep(seconds)


class VirtualLoop:
    """Runs coroutines that only await ``virtual_sleep``, moving ``clock`` from wake-up to wake-up."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._ready: list[tuple[float, int, Coroutine[Any, Any, Any]]] = []
        self._order = itertools.count()

    def start(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        heapq.heappush(self._ready, (self.clock.now, next(self._order), coroutine))

    def run(self) -> None:
        while self._ready:
            wake, _, coroutine = heapq.heappop(self._ready)
            self.clock.now = max(self.clock.now, wake)
            try:
                sleep = coroutine.send(None)
            except StopIteration:
                continue
            assert isinstance(sleep, _Sleep) and sleep.seconds >= 0, sleep
            heapq.heappush(self._ready, (self.clock.now + sleep.seconds, next(self._order), coroutine))


@dataclass(frozen=True)
class FanOut:
    """Many waits on one client: when each request went out, and each wait's delay past its batch's end."""

    request_times: tuple[float, ...]
    delays: tuple[float, ...]

    def most_in_window(self, seconds: float) -> int:
        """The most requests any window of ``seconds`` held."""
        times, most, first = sorted(self.request_times), 0, 0
        for last, at in enumerate(times):
            while times[first] <= at - seconds:
                first += 1
            most = max(most, last - first + 1)
        return most

    @property
    def rate(self) -> float:
        """Requests per second from the first to the last."""
        times = self.request_times
        return len(times) / max(max(times) - min(times), 1e-9)

    @property
    def median_delay(self) -> float:
        return statistics.median(self.delays)


def fan_out(
    waits: int, budget: float | None, *, duration: float = 300.0, runs: int = 10, seed: int = 0
) -> FanOut:
    """``waits`` concurrent waits (uniform batches of about ``duration`` s) sharing one budget."""
    clock = VirtualClock()
    shared = RequestBudget(budget, clock=clock)
    loop = VirtualLoop(clock)
    request_times: list[float] = []
    delays: list[float] = []

    async def one(batch: SimulatedBatch) -> None:
        async def fetch() -> tuple[Result, float | None]:
            request_times.append(clock.now)
            return batch.result_at(clock.now), None

        state = WaitState(
            1,
            timeout=10 * duration + 600,
            schedule=PollSchedule(),
            clock=clock,
            on_progress=None,
            budget=shared,
        )
        await wait_async(fetch, state, virtual_sleep)
        delays.append(clock.now - batch.done_at)

    for index in range(waits):
        loop.start(one(make_batch("uniform", duration, runs, seed * 100_000 + index)))
    loop.run()
    assert len(delays) == waits and all(math.isfinite(d) for d in delays)
    return FanOut(tuple(request_times), tuple(delays))
