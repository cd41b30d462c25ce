"""The request budget every wait of one client shares: the pure object, 500 simulated waits on the
real wait loop, and the real clients on a virtual clock (no real sleeping; counts, not wall time)."""

from __future__ import annotations

import asyncio
import bisect
import heapq
import itertools
import math
from collections.abc import Awaitable, Callable

import httpx
import pytest

from benchmarks.fanout_sim import fan_out
from cekura_wrapper import AsyncCekuraClient, CekuraClient, PollTimeoutError, ValidationError
from cekura_wrapper._budget import DEFAULT_REQUEST_BUDGET, RequestBudget

BASE = "https://api.cekura.ai"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_under_budget_every_poll_goes_when_its_schedule_asks() -> None:
    clock = Clock()
    budget = RequestBudget(10.0, clock=clock)
    for wanted in (0.0, 5.0, 2.5, 0.33, 7.07):
        assert budget.reserve(wanted) == pytest.approx(wanted)
        clock.now += 0.5


def test_over_budget_polls_take_the_next_free_slots_in_the_order_asked() -> None:
    clock = Clock()
    budget = RequestBudget(4.0, clock=clock)  # slots of 1 s holding 4 polls
    granted = [budget.reserve(5.3) for _ in range(9)]
    assert granted == pytest.approx([5.3] * 4 + [6.0] * 4 + [7.0])
    assert budget.reserve(1.0) == pytest.approx(1.0)  # a slot with room earlier still has it
    slow = RequestBudget(0.5, clock=clock)  # below one a second: one poll per 2 s slot
    assert [slow.reserve(0.0) for _ in range(3)] == pytest.approx([0.0, 2.0, 4.0])


@pytest.mark.parametrize("rate", [0.5, 3.0, 10.0])
def test_any_window_holds_at_most_its_share_of_the_budget(rate: float) -> None:
    clock = Clock()
    budget = RequestBudget(rate, clock=clock)
    times = []
    for step in range(400):  # many waits asking at scattered moments, often the same ones
        clock.now = step * 0.137
        times.append(clock.now + budget.reserve((step * 7919 % 50) / 10))
    times.sort()
    for window in (1.0, 10.0):
        most = max(sum(1 for t in times if start <= t < start + window) for start in times)
        assert most <= window * rate + 2 * max(1, math.floor(rate))


def test_a_hold_stretches_every_poll_and_none_means_no_limit_but_holds() -> None:
    clock = Clock()
    for rate in (10.0, None):
        budget = RequestBudget(rate, clock=clock)
        assert budget.reserve(0.0) == 0.0
        budget.hold(30.0)
        assert budget.reserve(5.0) >= 30.0
        assert budget.reserve(45.0) == pytest.approx(45.0)
    unlimited = RequestBudget(None, clock=clock)
    assert [unlimited.reserve(1.0) for _ in range(100)] == [1.0] * 100


@pytest.mark.parametrize("bad", [0, -1.0, math.inf, math.nan, True, "10"])
def test_bad_budgets_are_refused_naming_the_parameter(bad: object) -> None:
    with pytest.raises(ValidationError, match="request_budget must be a positive number"):
        CekuraClient("key", base_url=BASE, request_budget=bad)  # type: ignore[arg-type]


def test_500_waits_on_one_client_stay_within_the_request_budget() -> None:
    # The real wait_async loop, WaitState, schedule and budget, on a virtual clock.
    budgeted = fan_out(500, DEFAULT_REQUEST_BUDGET, duration=120.0)
    free = fan_out(500, None, duration=120.0)
    assert free.most_in_window(10.0) > 5 * DEFAULT_REQUEST_BUDGET * 10  # the schedule alone would not
    for window in (1.0, 10.0, 60.0):
        assert budgeted.most_in_window(window) <= (window + 2) * DEFAULT_REQUEST_BUDGET
    assert len(budgeted.delays) == 500  # every wait ended, later for it ...
    assert free.median_delay < budgeted.median_delay < 60.0  # ... but fairly: no wait starves
    assert max(budgeted.delays) < 120.0


class VirtualTime:
    """A clock and an async sleep for many tasks on a real event loop: time jumps to the earliest
    sleeper's wake-up once every task is asleep."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + seconds, next(self._order), future))
        await future

    async def run(self, waits: list[Awaitable[object]]) -> list[object]:
        tasks = [asyncio.ensure_future(wait) for wait in waits]
        while not all(task.done() for task in tasks):
            await asyncio.sleep(0)
            if self._sleepers and len(self._sleepers) == sum(not task.done() for task in tasks):
                wake, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, wake)
                future.set_result(None)
        return [task.result() if task.exception() is None else task.exception() for task in tasks]


def results_server(
    ends: dict[int, float], clock: Callable[[], float], log: list[tuple[float, int]], throttle: set[int]
) -> httpx.MockTransport:
    """Result ``i`` completes at ``ends[i]``; the first poll of each result in ``throttle`` gets a 429."""

    def answer(request: httpx.Request) -> httpx.Response:
        result_id = int(request.url.path.rstrip("/").rsplit("/", 1)[1])
        log.append((clock(), result_id))
        if result_id in throttle:
            throttle.discard(result_id)
            return httpx.Response(429, headers={"Retry-After": "30"}, json={"detail": "slow down"})
        status = "completed" if clock() >= ends[result_id] else "running"
        return httpx.Response(200, json={"id": result_id, "status": status})

    return httpx.MockTransport(answer)


async def test_500_waits_on_the_async_client_stay_within_its_budget() -> None:
    # The real AsyncCekuraClient (transport, wait loop, schedule, budget) on a virtual clock.
    time = VirtualTime()
    ends = {i: 20.0 + i % 40 for i in range(1, 501)}
    log: list[tuple[float, int]] = []
    http = httpx.AsyncClient(transport=results_server(ends, time.clock, log, set()))
    client = AsyncCekuraClient("key", base_url=BASE, http_client=http)  # the default budget, 10/s
    client._set_time(clock=time.clock, sleep=time.sleep)
    results = await time.run([client.wait_for_result(i, timeout=600) for i in ends])
    assert all(getattr(result, "status", None) == "completed" for result in results)
    times = [t for t, _ in log]
    for window in (1.0, 10.0):
        per_window = [bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)]
        assert max(per_window) <= (window + 2) * DEFAULT_REQUEST_BUDGET
    await http.aclose()


async def test_a_429_to_one_wait_holds_every_wait_of_the_client() -> None:
    time = VirtualTime()
    ends = {1: 100.0, 2: 100.0, 3: 100.0}
    log: list[tuple[float, int]] = []
    http = httpx.AsyncClient(transport=results_server(ends, time.clock, log, throttle={2}))
    client = AsyncCekuraClient("key", base_url=BASE, http_client=http)._set_time(
        clock=time.clock, sleep=time.sleep
    )
    await time.run([client.wait_for_result(i, timeout=600) for i in ends])
    (told,) = [t for t, rid in log if rid == 2][:1]
    assert not [t for t, _ in log if told < t < told + 30.0]  # nobody polled during the hold
    assert {rid for t, rid in log if t >= told + 30.0} == {1, 2, 3}
    await http.aclose()


def test_the_sync_clients_waits_share_its_budget_and_a_hold_past_the_deadline_ends_the_wait() -> None:
    clock, sleeps = Clock(), []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds

    log: list[tuple[float, int]] = []
    ends = {1: 0.0, 2: 0.0, 3: 1000.0}
    http = httpx.Client(transport=results_server(ends, clock, log, throttle={3}))
    client = CekuraClient("key", base_url=BASE, http_client=http, request_budget=0.5)
    client._set_time(clock=clock, sleep=sleep)
    clock.now = 0.5
    assert client.wait_for_result(1).status == "completed"
    assert client.wait_for_result(2).status == "completed"  # its first poll waits for a free slot
    assert sleeps == [1.5]
    with pytest.raises(PollTimeoutError) as caught:
        client.wait_for_result(3, timeout=10)  # told to wait 30 s, past its deadline: no more polls
    assert [rid for _, rid in log] == [1, 2, 3]
    assert caught.value.__cause__ is not None
    http.close()


def test_under_budget_waits_started_together_poll_exactly_as_without_a_budget() -> None:
    # Ten waits started at once poll on the same marks: ten polls in the same second fit a budget
    # of 10/s, so none is pushed past the mark a 5 s poller would have polled on.
    budgeted, free = fan_out(10, DEFAULT_REQUEST_BUDGET, duration=300.0), fan_out(10, None, duration=300.0)
    assert sorted(budgeted.request_times) == sorted(free.request_times)
    assert sorted(budgeted.delays) == sorted(free.delays)


def test_a_suites_groups_share_the_clients_budget_and_its_holds() -> None:
    from cekura_wrapper import RateLimitError, Submission, plan_run
    from cekura_wrapper._suite import SuiteRunState

    clock = Clock()
    budget = RequestBudget(1.0, clock=clock)
    budget.reserve(0.0)  # another wait of the client took this second's poll
    plans = [plan_run([(101, "wss://a.example.com/")], frequency=1) for _ in range(2)]
    state = SuiteRunState(
        ["a", "b"], plans, concurrency=None, timeout=600, clock=clock,
        poll_interval=1.0, max_poll_interval=5.0, budget=budget,
    )  # fmt: skip
    for index in state.to_start():
        state.submitted(index, Submission(index + 1, "pending", 1, {}))
    assert state.due() == [] and state.sleep_time() == pytest.approx(1.0)  # the next free second
    clock.now = 1.0
    assert state.due() == [0]
    state.missed(0, RateLimitError("slow down", status_code=429, body="", retry_after=30.0))
    clock.now = 2.0  # group b's poll was granted this second, but the client is held
    assert state.due() == []
    assert state.sleep_time() >= 29.0


def test_past_slots_are_forgotten_and_the_budget_still_holds() -> None:
    clock = Clock()
    budget = RequestBudget(10.0, clock=clock)
    for step in range(5000):  # an hour and a half of polls: the record of slots stays small
        clock.now = step * 1.1
        assert [budget.reserve(0.0) for _ in range(10)] == [0.0] * 10
    assert len(budget._taken) <= 2048
    assert budget.reserve(0.0) == pytest.approx(1.0 - clock.now % 1.0)  # this second is full


def test_a_hold_that_comes_while_a_sync_wait_sleeps_delays_its_next_poll() -> None:
    from cekura_wrapper import Result
    from cekura_wrapper._polling import PollSchedule, WaitState, wait_sync

    clock = Clock()
    budget = RequestBudget(None, clock=clock)
    polled: list[float] = []
    sleeps: list[float] = []

    def fetch() -> tuple[Result, float | None]:
        polled.append(clock.now)
        status = "completed" if clock.now >= 12 else "running"
        return Result.from_payload({"id": 1, "status": status}), None

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock.now += seconds
        if len(sleeps) == 1:
            budget.hold(20.0)  # another wait of the client was told to slow down meanwhile

    state = WaitState(1, timeout=100, schedule=PollSchedule(), clock=clock, on_progress=None, budget=budget)
    assert wait_sync(fetch, state, sleep).status == "completed"
    assert polled == [0.0, 25.0]  # not at 5 s (held until 25 s) ...
    assert sleeps == [5.0, 20.0]  # ... and the poll after the hold went at once
