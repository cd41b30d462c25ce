"""When to poll next (pure), and the sync and async wait loops that follow that advice.

The schedule (``PollSchedule``), in plain words:

* A server ``Retry-After`` always wins (at least ``min_interval``; the wait loop still never
  sleeps past the deadline).
* Progress (``completed_runs`` of ``total_runs``) gives a window ``[earliest, latest]`` in which
  the batch should finish if runs keep finishing at the pace seen so far: with ``k`` of ``n``
  runs done ``t`` seconds in, it ends between ``t*n/(k+1)`` and ``t*n/k``. Each poll narrows
  the window (the tightest bounds are kept); an observation that contradicts it starts afresh.
  While nothing has finished, half the steady pace is assumed (``earliest = t*n/2``), because
  runs often start, and so finish, together.
* Before ``earliest`` polls are sparse: at ``earliest`` or after ``max_interval``, whichever
  comes first. Inside the window they are dense: every ``DENSE_INTERVAL`` seconds, or a sixth of
  the window when it is wide. Past ``latest`` (the pace changed, or the result is evaluating)
  the interval grows by a quarter of the overrun, back to ``max_interval``.
* Without usable progress the interval is a quarter of the elapsed time (at least 5 s).
* During the first minute polls fall on the 5 s marks, from the first mark at which the batch
  could be done: a short batch is seen no later than by a plain 5 s poller.
* Every delay is clamped to ``[min_interval, max_interval]`` (except a longer ``Retry-After``).

On a virtual clock, for batches whose runs finish at a steady pace (3 to 50 runs), this costs
35-44% of the requests of a fixed 5 s poll for batches of 300 s to an hour, and sees the end
within about 3 s; batches whose runs all finish at once give no progress to go on and are
polled every 15 s after the first minute.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Final

from ._errors import (
    APIConnectionError,
    APIError,
    PollTimeoutError,
    ValidationError,
)
from ._results import Result

#: What one poll returns: the result and the server's Retry-After, if it sent one.
Poll = tuple[Result, float | None]
#: Errors a wait loop hands to ``WaitState.missed`` (which re-raises what is not transient).
_POLL_FAILURES: Final = (APIConnectionError, APIError)

#: Within this many seconds of the start, never skip a multiple of ``_GRID`` when the batch
#: could be finishing (matches a plain fixed-interval poller for short batches).
_SHORT_BATCH: Final = 60.0
_GRID: Final = 5.0
_EPSILON: Final = 1e-6
#: Without progress, wait this share of the elapsed time (bounds the detection delay to ~25%).
_GROWTH: Final = 0.25
#: Poll this often while the batch should be finishing.
DENSE_INTERVAL: Final = 4.0
#: ...unless the window is so wide that this many polls at least cover it.
_DENSE_POLLS: Final = 6


def is_missed_poll(exc: BaseException) -> bool:
    """True for failures worth another poll: network trouble, throttling, 408 and 5xx (not 501)."""
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, APIError):
        code = exc.status_code
        return code in (408, 429) or (code >= 500 and code != 501)
    return False


class PollSchedule:
    """Chooses the delay before the next poll of one result. One instance per wait.

    ``next_delay`` records each observation; it does no I/O and reads no clock, so a benchmark
    can drive it on a virtual clock.
    """

    def __init__(self, min_interval: float = 1.0, max_interval: float = 15.0) -> None:
        check_intervals(min_interval, max_interval)
        self.min_interval = float(min_interval)
        self.max_interval = float(max_interval)
        self._origin: tuple[float, int] | None = None  # (elapsed, completed) of the first sighting
        self._earliest = 0.0
        self._latest = math.inf

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
        if self._origin is not None and self._earliest > elapsed + self.min_interval:
            delay = self._earliest - elapsed
        elif self._latest < math.inf and elapsed <= self._latest:
            delay = max(DENSE_INTERVAL, (self._latest - self._earliest) / _DENSE_POLLS)
        elif self._latest < math.inf:
            delay = DENSE_INTERVAL + _GROWTH * (elapsed - self._latest)
        else:
            delay = max(_GROWTH * elapsed, _GRID)
        if elapsed < _SHORT_BATCH:
            # Early on, poll on the 5 s marks from the first one at which the batch could be done:
            # a short batch is then seen no later than by a plain 5 s poller, at no extra cost.
            mark = (math.floor(max(elapsed, self._earliest - _EPSILON) / _GRID) + 1) * _GRID
            delay = mark - elapsed
        return min(max(delay, self.min_interval), self.max_interval)

    def _observe(self, result: Result, elapsed: float) -> None:
        total, done = result.total_runs, result.completed_runs
        if total <= 0 or done >= total or result.is_terminal:
            return
        if self._origin is None:
            # A batch seen with nothing finished is taken to have started when the wait did.
            self._origin = (0.0, 0) if done == 0 else (elapsed, done)
        start, done_at_start = self._origin
        span, finished, remaining = elapsed - start, done - done_at_start, total - done_at_start
        if span <= 0:
            return
        exact = done_at_start == 0
        if finished <= 0:
            # Nothing finished yet: at a steady pace the first run would take span*remaining; runs
            # often start together, so only half of that is assumed.
            self._earliest = max(self._earliest, start + span * remaining / 2 if remaining > 1 else 0.0)
            return
        earliest = start + span * remaining / (finished + 1)
        latest = (
            start + span * remaining / (finished if exact else finished - 1)
            if finished > (0 if exact else 1)
            else math.inf
        )
        if earliest > self._latest or latest < self._earliest:
            self._earliest, self._latest = earliest, latest  # contradicted: the pace changed
        else:
            self._earliest, self._latest = max(self._earliest, earliest), min(self._latest, latest)


def check_intervals(min_interval: float, max_interval: float) -> None:
    """Raise ``ValidationError`` unless ``0 < min_interval <= max_interval`` (finite numbers)."""
    for name, value in (("poll_interval", min_interval), ("max_poll_interval", max_interval)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
            raise ValidationError(f"{name} must be a positive number of seconds, got {value!r}")
    if min_interval > max_interval:
        raise ValidationError(
            f"poll_interval ({min_interval:g} s) must not exceed max_poll_interval ({max_interval:g} s)"
        )


def check_timeout(timeout: float) -> float:
    """``timeout`` as a float, or ``ValidationError`` unless it is a positive, finite number."""
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < math.inf:
        raise ValidationError(f"timeout must be a positive, finite number of seconds, got {timeout!r}")
    return float(timeout)


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

    def polled(self, result: Result, retry_after: float | None) -> float | None:
        """After a successful poll: ``None`` when done, else seconds to sleep."""
        self.last_result = result
        if self._on_progress is not None:
            self._on_progress(result)
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
            raise PollTimeoutError(self.result_id, self.timeout, self.last_result) from cause
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
            next_delay = state.polled(result, retry_after)
            if next_delay is None:
                return result
            delay = next_delay
        await sleep(delay)
