"""The poll schedule and the wait loops, on a virtual clock (no real sleeping)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

import pytest
from fakes import FakeTime

from cekura_wrapper import (
    APIConnectionError,
    AuthenticationError,
    PollTimeoutError,
    RateLimitError,
    Result,
    ServerError,
)
from cekura_wrapper._polling import (
    MIN_POLL_REQUEST_TIMEOUT,
    PollSchedule,
    WaitState,
    wait_async,
    wait_sync,
)
from cekura_wrapper._schedule import EconomySchedule

DENSE_INTERVAL = 3.5  # economy mode near a predicted end, at the default 5 s grid

BASELINE = 5.0  # a plain fixed-interval poller, for comparison


def batch(duration: float, runs: int) -> Callable[[float], Result]:
    """A batch whose runs finish at a steady pace, the last at ``duration``."""

    def at(t: float) -> Result:
        done = min(runs, math.floor(runs * t / duration + 1e-9))
        status = "completed" if t >= duration else "running"
        return Result.from_payload(
            {"id": 1, "status": status, "total_runs_count": str(runs), "completed_runs_count": str(done)}
        )

    return at


def simulate(duration: float, runs: int, schedule: PollSchedule | None) -> tuple[int, float]:
    """(polls made, seconds from the batch finishing to the poll that saw it)."""
    read = batch(duration, runs)
    t, polls = 0.0, 0
    while True:
        polls += 1
        result = read(t)
        if result.is_terminal:
            return polls, t - duration
        t += schedule.next_delay(result, t) if schedule else BASELINE


def test_retry_after_always_wins_even_beyond_the_maximum() -> None:
    schedule = PollSchedule(1.0, 15.0)
    running = batch(100, 10)(50)
    assert schedule.next_delay(running, 50, retry_after=42.0) == 42.0
    assert schedule.next_delay(None, 50, retry_after=0.2) == 1.0  # never a busy loop


@pytest.mark.parametrize("elapsed", [0, 0.5, 3, 59, 61, 300, 7200])
@pytest.mark.parametrize("kind", [PollSchedule, EconomySchedule])
def test_delays_stay_within_the_configured_bounds(elapsed: float, kind: type[PollSchedule]) -> None:
    for schedule in (kind(1.0, 15.0), kind(2.0, 4.0), kind(0.1, 60.0)):
        for result in (None, batch(100, 10)(elapsed), Result.from_payload({"id": 1})):
            delay = schedule.next_delay(result, elapsed)
            assert schedule.min_interval <= delay <= schedule.longest_delay
    assert PollSchedule(1.0, 15.0).longest_delay == 15.0  # the grid step
    assert EconomySchedule(1.0, 5.0).longest_delay == 20.0  # four grid steps


@pytest.mark.parametrize("bad", [(0, 15), (-1, 15), (5, 1), (1, math.inf), (math.nan, 5), (True, 5)])
def test_bad_intervals_are_refused(bad: tuple[float, float]) -> None:
    with pytest.raises(ValueError):
        PollSchedule(*bad)


#: Batches that end within the first minute: both modes promise to see them as soon as a 5 s poller.
FIRST_MINUTE = [0.5, 3, 5, 7.5, 12, 19.9, 25, 33, 44, 58, 60]
#: Longer batches: only the default mode promises it there (economy polls less after a minute).
LONGER = [151.2, 299.9, 1234.5]


@pytest.mark.parametrize("runs", [1, 5, 20])
@pytest.mark.parametrize(
    ("kind", "duration"),
    [(kind, duration) for kind in (PollSchedule, EconomySchedule) for duration in FIRST_MINUTE]
    + [(PollSchedule, duration) for duration in LONGER],
)
def test_batches_are_seen_no_later_than_by_a_5s_poller(
    duration: float, runs: int, kind: type[PollSchedule]
) -> None:
    polls, ours = simulate(duration, runs, kind())
    baseline_polls, baseline = simulate(duration, runs, None)
    assert ours <= baseline + 1e-9
    assert polls <= 1.25 * baseline_polls


def test_the_default_polls_every_5s_mark_and_adds_a_poll_halfway_where_the_end_is_likely() -> None:
    schedule = PollSchedule()
    scoring = Result.from_payload(
        {"id": 1, "status": "evaluating", "total_runs_count": 3, "completed_runs_count": 3}
    )
    t, times = 0.0, [0.0]
    while t < 100:
        t += schedule.next_delay(scoring, t)
        times.append(t)
    assert all(round(mark * 5.0, 6) in {round(x, 6) for x in times} for mark in range(21))
    extras = [x for x in times if not math.isclose(x % 5.0, 0.0, abs_tol=1e-6)]
    assert extras and all(math.isclose(x % 5.0, 2.5) for x in extras)  # halfway, where they pay most
    assert len(extras) <= 0.25 * (len(times) - len(extras))  # paid from a quarter poll per mark


@pytest.mark.parametrize("runs", [10, 20, 50])
def test_economy_batches_cost_few_polls_and_are_seen_promptly(runs: int) -> None:
    durations = [300.0, 451.3, 600.0, 1234.5, 1800.0, 3600.0]
    delays = []
    for duration in durations:
        polls, delay = simulate(duration, runs, EconomySchedule())
        baseline_polls, _ = simulate(duration, runs, None)
        # Below 1000 s the first minute's 13 polls (never later on short batches) weigh: 300 s
        # batches take half the 5 s poller's requests, longer ones 40 % with 20 runs or more.
        share = 0.5 if duration < 1000 or runs < 20 else 0.4
        assert polls <= share * baseline_polls, (duration, polls, baseline_polls)
        assert delay <= 0.1 * duration
        delays.append(delay)
    assert statistics.median(delays) <= 5.0


def test_economy_a_last_run_that_stalls_does_not_make_polling_dense() -> None:
    finish = [478.55, 623.49, 3600.0]  # two runs early, the last one takes the whole hour

    def poll_count(schedule: PollSchedule | None) -> int:
        t, polls = 0.0, 0
        while t < 3600.0:
            polls += 1
            done = sum(1 for f in finish if f <= t)
            result = Result.from_payload(
                {"id": 1, "status": "running", "total_runs_count": 3, "completed_runs_count": done}
            )
            t += schedule.next_delay(result, t) if schedule else BASELINE
        return polls

    assert poll_count(EconomySchedule()) <= 0.5 * poll_count(None)


def test_economy_polls_steadily_without_progress_after_the_first_minute() -> None:
    schedule = EconomySchedule(1.0, 5.0)
    blind = Result.from_payload({"id": 1, "status": "running"})
    t, delays = 0.0, []
    while t < 600:
        delay = schedule.next_delay(blind, t)
        delays.append(delay)
        t += delay
    assert all(delay <= 5.0 for delay in delays[:12])  # first minute: every 5 s mark
    assert set(delays[13:]) == {12.5}  # then steadily: half of it is the expected detection delay


def make_state(clock: FakeTime, timeout: float = 100.0, **kwargs: object) -> WaitState:
    return WaitState(
        1,
        timeout=timeout,
        schedule=PollSchedule(1.0, 15.0),
        clock=clock,
        on_progress=kwargs.get("on_progress"),  # type: ignore[arg-type]
    )


def test_wait_returns_the_terminal_result_and_reports_every_poll() -> None:
    clock = FakeTime()
    read = batch(40, 4)
    seen: list[str] = []
    result = wait_sync(
        lambda: (read(clock.now), None),
        make_state(clock, on_progress=lambda r: seen.append(r.status)),
        clock.sleep,
    )
    assert result.status == "completed"
    assert seen[-1] == "completed" and set(seen[:-1]) == {"running"}
    assert len(seen) == len(clock.sleeps) + 1


def test_timeout_is_raised_within_one_poll_of_the_deadline_without_sleeping_past_it() -> None:
    clock = FakeTime()
    read = batch(10_000, 10)
    with pytest.raises(PollTimeoutError) as caught:
        wait_sync(lambda: (read(clock.now), None), make_state(clock, timeout=100.0), clock.sleep)
    assert clock.now == pytest.approx(100.0)
    assert caught.value.result_id == 1
    assert caught.value.result is not None and caught.value.result.status == "running"
    assert isinstance(caught.value, TimeoutError)


def test_each_polls_request_gets_at_most_the_time_left_but_at_least_the_floor() -> None:
    clock = FakeTime()
    state = make_state(clock, timeout=100.0)
    limits = []
    for now in (0.0, 80.0, 95.0, 99.5, 100.0, 130.0):
        clock.now = now
        limits.append(state.request_timeout(30.0))
    assert limits == [
        30.0,
        20.0,
        5.0,
        MIN_POLL_REQUEST_TIMEOUT,
        MIN_POLL_REQUEST_TIMEOUT,
        MIN_POLL_REQUEST_TIMEOUT,
    ]
    assert MIN_POLL_REQUEST_TIMEOUT == 1.0
    assert state.request_timeout(0.2) == 0.2  # a client limit below the floor is kept


def test_a_long_retry_after_is_cut_at_the_deadline() -> None:
    clock = FakeTime()

    def throttled() -> tuple[Result, float | None]:
        raise RateLimitError("slow down", status_code=429, body="", retry_after=500.0)

    with pytest.raises(PollTimeoutError) as caught:
        wait_sync(throttled, make_state(clock, timeout=30.0), clock.sleep)
    assert clock.sleeps == [30.0]
    assert caught.value.result is None
    assert isinstance(caught.value.__cause__, RateLimitError)


def test_failed_polls_are_missed_polls_while_time_remains() -> None:
    clock = FakeTime()
    outcomes: list[Exception | None] = [
        APIConnectionError("refused"),
        ServerError("boom", status_code=503, body="", retry_after=2.0),
        ServerError("cdn", status_code=520, body=""),
        None,
    ]
    done = Result.from_payload({"id": 1, "status": "completed"})

    def fetch() -> tuple[Result, float | None]:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome
        return done, None

    assert wait_sync(fetch, make_state(clock), clock.sleep) is done
    assert clock.sleeps[1] == 2.0  # the 503's Retry-After


def test_errors_that_are_not_transient_end_the_wait() -> None:
    clock = FakeTime()

    def fetch() -> tuple[Result, float | None]:
        raise AuthenticationError("bad key", status_code=401, body="")

    with pytest.raises(AuthenticationError):
        wait_sync(fetch, make_state(clock), clock.sleep)
    assert clock.sleeps == []


async def test_async_wait_makes_the_same_decisions() -> None:
    sync_clock, async_clock = FakeTime(), FakeTime()
    read = batch(700, 20)
    wait_sync(lambda: (read(sync_clock.now), None), make_state(sync_clock, timeout=1000), sync_clock.sleep)

    async def fetch() -> tuple[Result, float | None]:
        return read(async_clock.now), None

    result = await wait_async(fetch, make_state(async_clock, timeout=1000), async_clock.async_sleep)
    assert result.status == "completed"
    assert async_clock.sleeps == sync_clock.sleeps


@pytest.mark.parametrize("timeout", [0, -1, math.inf, math.nan, "60", True])
def test_bad_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(ValueError, match="timeout"):
        make_state(FakeTime(), timeout=timeout)  # type: ignore[arg-type]


def test_economy_a_burst_of_finished_runs_turns_polling_dense() -> None:
    schedule = EconomySchedule(1.0, 5.0)

    def seen(t: float, done: int) -> float:
        result = Result.from_payload(
            {"id": 1, "status": "running", "total_runs_count": 100, "completed_runs_count": done}
        )
        return schedule.next_delay(result, t)

    seen(0.0, 0)
    for t, done in ((100.0, 1), (300.0, 2), (500.0, 3)):
        assert seen(t, done) == 20.0  # a slow pace: the end is far
    assert seen(520.0, 40) == DENSE_INTERVAL  # 37 runs in 20 s: a burst, the end may be near


@pytest.mark.parametrize("counts", [[0, 10, 5], [0, 5, 6, 5], [50, 10, 60, 10], [0, 3, 2, 1], [-4, 7, -4]])
@pytest.mark.parametrize("kind", [PollSchedule, EconomySchedule])
def test_counts_that_go_back_never_break_the_schedule(counts: list[int], kind: type[PollSchedule]) -> None:
    schedule = kind(1.0, 5.0)
    t = 0.0
    for step in range(200):
        done = counts[step % len(counts)]
        result = Result.from_payload(
            {"id": 1, "status": "running", "total_runs_count": 100, "completed_runs_count": done}
        )
        delay = schedule.next_delay(result, t)
        assert 1.0 <= delay <= 20.0
        t += delay


def test_economy_lets_a_retry_after_win_too() -> None:
    schedule = EconomySchedule(1.0, 5.0)
    running = batch(1000, 10)(100)
    assert schedule.next_delay(running, 100, retry_after=42.0) == 42.0
    assert schedule.next_delay(None, 150, retry_after=0.0) == 1.0
