"""When to poll next (pure), and the sync and async wait loops that follow that advice.

The schedule (``PollSchedule``), in plain words:

* A server ``Retry-After`` always wins (at least ``min_interval``; the wait loop still never
  sleeps past the deadline).
* First minute: polls fall on the 5 s marks, so a short batch is seen no later than by a plain
  5 s poller. Marks are skipped only while the batch cannot plausibly be done: a tenth of the
  way to the end the pace so far predicts (half the way, assuming half that pace, while nothing
  has finished yet). Every mark is kept from 10 s on once only the last runs are left.
* Then, without progress (no counts, nothing finished): a quarter of the elapsed time, at
  least 5 s. With progress: ``max_interval`` while the end is far; ``DENSE_INTERVAL`` once the
  pace since the first finished run predicts the end within two ``max_interval`` periods, or once at
  most 5 % of the runs (at least one) are left.
* A budget caps the cost: after the first minute, polls average at most ``_BUDGET`` per second
  (a 5 s poller makes 0.2); dense polls are stretched to stay within it.
* Every delay is clamped to ``[min_interval, max_interval]`` (except a longer ``Retry-After``).

How it compares with a fixed 5 s poller is measured by ``scripts/bench.py`` on a virtual clock; the
README's benchmark section has the figures.
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

#: During the first minute polls fall on multiples of ``_GRID`` seconds (see ``PollSchedule``).
_SHORT_BATCH: Final = 60.0
_GRID: Final = 5.0
_EPSILON: Final = 1e-6
#: Without progress, wait this share of the elapsed time (bounds the detection delay to ~25%).
_GROWTH: Final = 0.25
#: Poll this often when the end may come at any poll.
DENSE_INTERVAL: Final = 8.0
#: "The end may come at any poll" once at most this share of the runs (at least one) is left.
_ENDGAME_SHARE: Final = 0.05
#: After the first minute, at most this many polls per second on average (a 5 s poller makes
#: 0.2), plus ``_BUDGET_SLACK``: dense polling is stretched to stay within it.
_BUDGET: Final = 0.075
_BUDGET_SLACK: Final = 1.0
#: The shortest time limit a poll's HTTP request gets, even at (or past) the deadline: enough for a
#: request on a kept-alive connection, or a fresh TLS handshake to a nearby server, so the last
#: poll can still see the end. See ``WaitState.request_timeout``.
MIN_POLL_REQUEST_TIMEOUT: Final = 1.0


class PollSchedule:
    """Chooses the delay before the next poll of one result. One instance per wait.

    ``next_delay`` records each observation; it does no I/O and reads no clock, so a benchmark
    can drive it on a virtual clock.
    """

    def __init__(self, min_interval: float = 1.0, max_interval: float = 15.0) -> None:
        check_intervals(min_interval, max_interval)
        self.min_interval = float(min_interval)
        self.max_interval = float(max_interval)
        self._first_done: tuple[float, int] | None = None  # (elapsed, completed) when runs began finishing
        self._baseline: int | None = None  # completed runs at the first poll
        self._latest: tuple[float, int, int] | None = None  # (elapsed, completed, total) of the last poll
        self._polls_after_first_minute = 0

    def next_delay(self, result: Result | None, elapsed: float, *, retry_after: float | None = None) -> float:
        """Seconds to wait before the next poll, ``elapsed`` seconds into the wait.

        ``result`` is the result just read (``None`` when the poll failed).
        """
        if elapsed >= _SHORT_BATCH:
            self._polls_after_first_minute += 1
        if result is not None:
            self._observe(result, elapsed)
        if retry_after is not None:
            # The server's wait wins, even beyond max_interval; min_interval keeps a
            # "Retry-After: 0" from turning into a busy loop.
            return max(retry_after, self.min_interval)
        delay = self._within_budget(self._advice(elapsed), elapsed)
        if elapsed < _SHORT_BATCH:
            # Early on, poll on the 5 s marks (from the first one at which the batch could be
            # done): a short batch is seen no later than by a plain 5 s poller.
            mark = (math.floor(max(elapsed, self._quiet_until(elapsed) - _EPSILON) / _GRID) + 1) * _GRID
            delay = mark - elapsed
        return min(max(delay, self.min_interval), self.max_interval)

    def _within_budget(self, delay: float, elapsed: float) -> float:
        """Stretch ``delay`` so polls after the first minute stay within ``_BUDGET`` per second."""
        if elapsed < _SHORT_BATCH:
            return delay
        earliest_affordable = (self._polls_after_first_minute + 1 - _BUDGET_SLACK) / _BUDGET + _SHORT_BATCH
        return max(delay, min(earliest_affordable - elapsed, self.max_interval))

    def _observe(self, result: Result, elapsed: float) -> None:
        total, done = result.total_runs, result.completed_runs
        if total <= 0 or result.is_terminal:
            return
        if self._baseline is None:
            self._baseline = done
        if self._first_done is None and done > self._baseline:
            self._first_done = (elapsed, done)
        self._latest = (elapsed, done, total)

    def _quiet_until(self, elapsed: float) -> float:
        """A cautious earliest end: a tenth of the way to the end the pace since the wait began predicts.

        With nothing finished yet, half the pace a first finish would imply is assumed, and half
        the way taken, since runs often start, and so finish, together. A tenth, not more: runs
        that only start finishing a while in make the pace so far predict too late an end.
        """
        if self._latest is None or self._baseline is None or elapsed < 2 * _GRID:
            return elapsed
        _, done, total = self._latest
        remaining, finished = total - done, done - self._baseline
        if remaining <= max(1, math.ceil(total * _ENDGAME_SHARE)):
            return elapsed
        expected_end = elapsed + remaining * elapsed / finished if finished > 0 else elapsed * remaining / 2
        return elapsed + (expected_end - elapsed) * (0.1 if finished > 0 else 0.5)

    def _advice(self, elapsed: float) -> float:
        if self._latest is None or self._first_done is None:
            return max(_GROWTH * elapsed, _GRID)  # no progress to go on
        _, done, total = self._latest
        remaining = total - done
        if remaining <= max(1, math.ceil(total * _ENDGAME_SHARE)):
            return DENSE_INTERVAL  # the last runs: the end can come at any poll
        started, done_then = self._first_done
        finished = done - done_then
        if finished <= 0:
            return self.max_interval
        expected_left = remaining * (elapsed - started) / finished
        return DENSE_INTERVAL if expected_left <= 2 * self.max_interval else self.max_interval


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
