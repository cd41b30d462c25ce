"""When to poll next (pure), and the sync and async wait loops that follow that advice.

The schedule (``PollSchedule``), in plain words:

* A server ``Retry-After`` always wins (at least ``min_interval``; the wait loop still never
  sleeps past the deadline).
* First minute: every 5 s mark, so a batch of up to a minute is never seen later than by a plain
  5 s poller (nothing in a result says a batch will not end at the next mark). The marks go on
  while a batch that finished its runs within that minute is being scored.
* Then, without progress (nothing finished since the wait began): every ``quiet_interval`` (12.5 s;
  the detection delay is half of it). While every run is done and the result is ``evaluating``:
  every ``scoring_interval`` (8 s).
* With progress: ``max_interval`` (20 s by default) while the end is far; ``dense_interval``
  (3.5 s) once the recent pace (over the last few count changes, or over the last one when that
  is three times faster: a burst) predicts the end within two ``max_interval`` periods, or once
  at most 5 % of the runs (at least one) are left, for at most twice the time the pace
  predicted: a stalled last run does not keep polling dense.
* Every delay is clamped to ``[min_interval, max_interval]`` (except a longer ``Retry-After``).

No schedule can be both cheaper than a 5 s poller and never later than it on a batch whose runs
end in a burst, since nothing announces the burst: the benchmark (``make bench``, part 1) measures
the trade-off on five batch shapes and docs/benchmarks.md shows the curve and the point chosen.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Awaitable, Callable
from typing import Final

from ._errors import (
    APIConnectionError,
    APIError,
    CekuraError,
    PollTimeoutError,
    ValidationError,
    is_missed_poll,
)
from ._results import Result
from ._validation import check_seconds, require_seconds

#: What one poll returns: the result and the server's Retry-After, if it sent one.
Poll = tuple[Result, float | None]
#: Errors a wait loop hands to ``WaitState.missed`` (which re-raises what is not transient).
_POLL_FAILURES: Final = (APIConnectionError, APIError)

#: Until a minute in (longer while the last runs are being scored), polls fall on multiples of
#: ``_GRID`` seconds: a short batch is never seen later than by a plain 5 s poller.
_SHORT_BATCH: Final = 60.0
_GRID: Final = 5.0
_EPSILON: Final = 1e-6
#: Without progress to go on, poll this often (the detection delay is half of it, on average).
_QUIET_INTERVAL: Final = 12.5
#: While every run is done and Cekura is scoring them (``evaluating``), poll this often.
_SCORING_INTERVAL: Final = 8.0
#: Poll this often when the end may come at any poll.
DENSE_INTERVAL: Final = 3.5
#: "The end may come at any poll" once at most this share of the runs (at least one) is left, or
#: the pace predicts the end within two ``max_interval`` periods ...
_ENDGAME_SHARE: Final = 0.05
#: ... but no longer than this many paces per remaining run (a stalled last run ends dense polling).
_ENDGAME_PACES: Final = 2.0
#: The pace is measured over this many of the latest count changes.
_PACE_WINDOW: Final = 4
#: ... unless the last change alone is this many times faster (a burst of runs has begun).
_BURST: Final = 3.0
#: The shortest time limit a poll's HTTP request gets, even at (or past) the deadline: enough for a
#: request on a kept-alive connection, or a fresh TLS handshake to a nearby server, so the last
#: poll can still see the end. See ``WaitState.request_timeout``.
MIN_POLL_REQUEST_TIMEOUT: Final = 1.0


class PollSchedule:
    """Chooses the delay before the next poll of one result. One instance per wait.

    ``next_delay`` records each observation; it does no I/O and reads no clock, so a benchmark
    can drive it on a virtual clock.
    """

    #: Seconds between polls while nothing has finished yet, and while the end may come at any poll
    #: (class attributes, so the benchmark's sweep can try other values).
    quiet_interval: float = _QUIET_INTERVAL
    dense_interval: float = DENSE_INTERVAL
    #: Seconds between polls while every run is done and the result is being scored.
    scoring_interval: float = _SCORING_INTERVAL

    def __init__(self, min_interval: float = 1.0, max_interval: float = 20.0) -> None:
        check_intervals(min_interval, max_interval)
        self.min_interval = float(min_interval)
        self.max_interval = float(max_interval)
        self._short = True  # every run done within the first minute (so far)
        self._baseline: int | None = None  # completed runs at the first poll
        self._changes: list[tuple[float, int]] = []  # (elapsed, completed) at the last count changes
        self._latest: tuple[int, int, bool] | None = None  # (completed, total, scoring) of the last poll
        self._endgame_until: float | None = None  # dense polling stops here (a stalled last run)

    def next_delay(self, result: Result | None, elapsed: float, *, retry_after: float | None = None) -> float:
        """Seconds to wait before the next poll, ``elapsed`` seconds into the wait.

        ``result`` is the result just read (``None`` when the poll failed).
        """
        if result is not None:
            self._observe(result, elapsed)
        if retry_after is not None:
            # The server's wait wins, even beyond max_interval; min_interval keeps a
            # "Retry-After: 0" from turning into a busy loop.
            return max(retry_after, self.min_interval)
        if self._short:
            # Poll on the 5 s marks: a short batch is seen no later than by a plain 5 s poller.
            delay = (math.floor(elapsed / _GRID + _EPSILON) + 1) * _GRID - elapsed
        else:
            delay = self._advice(elapsed)
        return min(max(delay, self.min_interval), self.max_interval)

    def _observe(self, result: Result, elapsed: float) -> None:
        total, done = result.total_runs, result.completed_runs
        scoring = result.status == "evaluating" or (total > 0 and done >= total)
        if elapsed >= _SHORT_BATCH and not scoring:
            self._short = False
        if total <= 0 or result.is_terminal:
            return
        if self._baseline is None:
            self._baseline = done
        if done > self._baseline and (not self._changes or done != self._changes[-1][1]):
            self._changes.append((elapsed, done))
            del self._changes[: -_PACE_WINDOW - 1]
        self._latest = (done, total, scoring)

    def _pace(self, elapsed: float) -> float | None:
        """Seconds per finished run lately (over the last few count changes), or ``None`` before any.

        The time since the last change counts when it is longer: a pace that slowed shows before
        the next run finishes. With one change only, the time from the start to it is the pace.
        """
        if not self._changes or self._baseline is None:
            return None
        (since, done_then), (last, done_now) = self._changes[0], self._changes[-1]
        if len(self._changes) == 1:
            since, done_then = 0.0, self._baseline
        if done_now <= done_then:
            return None  # counts that went back (a server's bug) say nothing about the pace
        pace = max(last - since, elapsed - last) / (done_now - done_then)
        before, done_before = self._changes[-2] if len(self._changes) >= 2 else (since, done_then)
        if done_now > done_before:
            burst = max(last - before, elapsed - last) / (done_now - done_before)
            if burst * _BURST < pace:
                return burst
        return pace

    def _advice(self, elapsed: float) -> float:
        if self._latest is None:
            return self.quiet_interval
        done, total, scoring = self._latest
        if scoring:
            return self.scoring_interval  # every run is done; the end comes when scoring does
        pace = self._pace(elapsed)
        if pace is None:
            return self.quiet_interval  # no progress to go on
        remaining = total - done
        expected_left = remaining * pace
        if remaining > max(1, math.ceil(total * _ENDGAME_SHARE)) and expected_left > 2 * self.max_interval:
            self._endgame_until = None
            return self.max_interval
        if self._endgame_until is None:
            self._endgame_until = elapsed + max(_ENDGAME_PACES * expected_left, 2 * self.max_interval)
        return self.dense_interval if elapsed <= self._endgame_until else self.max_interval


def check_intervals(min_interval: float, max_interval: float) -> None:
    """Raise ``ValidationError`` unless ``0 < min_interval <= max_interval`` (finite numbers)."""
    for name, value in (("poll_interval", min_interval), ("max_poll_interval", max_interval)):
        problem = check_seconds(value, name)
        if problem is not None:
            raise ValidationError(problem)
    if min_interval > max_interval:
        raise ValidationError(
            f"poll_interval ({min_interval:g} s) must not exceed max_poll_interval ({max_interval:g} s)"
        )


def check_timeout(timeout: float) -> float:
    """``timeout`` as a float, or ``ValidationError`` unless it is a positive, finite number."""
    return require_seconds(timeout, "timeout")


class WaitState:
    """The decisions of one wait, shared by the sync and async loops: sleep how long, or stop."""

    def __init__(
        self,
        result_id: int,
        *,
        timeout: float,
        schedule: PollSchedule,
        clock: Callable[[], float],
        on_progress: Callable[[Result], object] | None,
    ) -> None:
        self.result_id = result_id
        self.timeout = check_timeout(timeout)
        self._schedule = schedule
        self._clock = clock
        self._on_progress = on_progress
        self._start = clock()
        self._deadline = self._start + self.timeout
        self.last_result: Result | None = None

    def request_timeout(self, limit: float) -> float:
        """The time limit for the next poll's HTTP request: ``limit``, cut to the time left.

        A request held by the server must not carry the wait past its deadline by a whole HTTP
        timeout (30 s by default), so each poll gets at most the seconds left before the deadline,
        but never less than ``MIN_POLL_REQUEST_TIMEOUT`` (1 s): the poll made at the deadline
        still has a chance to see the end. httpx applies the limit to each phase (connect, write,
        read) of the request.
        """
        left = self._deadline - self._clock()
        return min(limit, max(left, MIN_POLL_REQUEST_TIMEOUT))

    def report(self, result: Result) -> object:
        """Record a successful poll and call ``on_progress``; returns what the callback returned."""
        self.last_result = result
        return None if self._on_progress is None else self._on_progress(result)

    def polled(self, result: Result, retry_after: float | None) -> float | None:
        """After a reported poll: ``None`` when done, else seconds to sleep."""
        if result.is_terminal:
            return None
        return self._next(result, retry_after, None)

    def missed(self, exc: BaseException) -> float:
        """After a failed poll: seconds to sleep, or re-raise when the failure is not transient."""
        if not is_missed_poll(exc):
            raise exc
        retry_after = exc.retry_after if isinstance(exc, APIError) else None
        delay = self._next(None, retry_after, exc)
        assert delay is not None
        return delay

    def _next(self, result: Result | None, retry_after: float | None, cause: BaseException | None) -> float:
        now = self._clock()
        if now >= self._deadline:
            raise PollTimeoutError(
                self.result_id, self.timeout, self.last_result, elapsed=now - self._start
            ) from cause
        delay = self._schedule.next_delay(result, now - self._start, retry_after=retry_after)
        return min(delay, self._deadline - now)


def wait_sync(fetch: Callable[[], Poll], state: WaitState, sleep: Callable[[float], object]) -> Result:
    """Poll with ``fetch`` until ``state`` says stop; ``fetch`` returns (result, Retry-After)."""
    while True:
        try:
            result, retry_after = fetch()
        except _POLL_FAILURES as exc:
            delay = state.missed(exc)
        else:
            reported = state.report(result)
            if inspect.iscoroutine(reported):  # a plain function that returned a coroutine
                reported.close()  # no "never awaited" warning: the error below says it all
                raise CekuraError(
                    "on_progress returned a coroutine, which the sync client cannot await; pass a "
                    f"plain function or use AsyncCekuraClient (result {state.result_id} keeps running)"
                )
            next_delay = state.polled(result, retry_after)
            if next_delay is None:
                return result
            delay = next_delay
        sleep(delay)


async def wait_async(
    fetch: Callable[[], Awaitable[Poll]], state: WaitState, sleep: Callable[[float], Awaitable[object]]
) -> Result:
    """The async twin of ``wait_sync``: same decisions, awaited I/O."""
    while True:
        try:
            result, retry_after = await fetch()
        except _POLL_FAILURES as exc:
            delay = state.missed(exc)
        else:
            reported = state.report(result)
            if isinstance(reported, Awaitable):  # an ``async def`` on_progress
                await reported
            next_delay = state.polled(result, retry_after)
            if next_delay is None:
                return result
            delay = next_delay
        await sleep(delay)
