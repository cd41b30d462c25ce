"""The sync and async wait loops and the decisions of one wait they share (``WaitState``).

When to poll is the schedule's decision (``_schedule``: latency first by default, never later
than a plain poller at ``max_poll_interval``); when the client's request budget lets the poll go
is the budget's (``_budget``, shared by every wait of a client). Both are pure objects; only the
loops here sleep and send.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Final

from ._budget import RequestBudget
from ._errors import (
    APIConnectionError,
    APIError,
    CekuraError,
    PollTimeoutError,
    RateLimitError,
    is_missed_poll,
)
from ._results import Result
from ._schedule import PollSchedule, check_intervals
from ._validation import require_seconds

__all__ = [
    "MIN_POLL_REQUEST_TIMEOUT",
    "Poll",
    "PollSchedule",
    "WaitState",
    "check_intervals",
    "wait_async",
    "wait_sync",
]

#: What one poll returns: the result and the server's Retry-After, if it sent one.
Poll = tuple[Result, float | None]
#: Errors a wait loop hands to ``WaitState.missed`` (which re-raises what is not transient).
POLL_FAILURES: Final = (APIConnectionError, APIError)
#: The shortest time limit a poll's HTTP request gets, even at (or past) the deadline: enough for a
#: request on a kept-alive connection, or a fresh TLS handshake to a nearby server, so the last
#: poll can still see the end. See ``WaitState.request_timeout``.
MIN_POLL_REQUEST_TIMEOUT: Final = 1.0


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
        budget: RequestBudget | None = None,
    ) -> None:
        self.result_id = result_id
        self.timeout = check_timeout(timeout)
        self._schedule = schedule
        self._clock = clock
        self._on_progress = on_progress
        self._budget = budget if budget is not None else RequestBudget(None, clock=clock)
        self._start = clock()
        self._deadline = self._start + self.timeout
        self.last_result: Result | None = None
        #: Set when the budget (or a server's hold) has no slot for a poll before the deadline:
        #: the wait ends there without the poll (and this failure, if one, is the cause).
        self._no_slot = False
        self._no_slot_cause: BaseException | None = None

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

    def first(self) -> float:
        """Seconds to sleep before the first poll: none, unless the client's budget is spent."""
        return self._granted(0.0, None)

    def before_poll(self) -> float:
        """Just before a poll: seconds still to wait (a hold that came while this wait slept; its
        slot is taken anew), else 0. ``PollTimeoutError`` at the deadline when no poll was
        granted before it."""
        if self._no_slot:
            now = self._clock()
            raise PollTimeoutError(
                self.result_id, self.timeout, self.last_result, elapsed=now - self._start
            ) from self._no_slot_cause
        held = self._budget.held_for()
        return self._granted(held, None) if held > 0 else 0.0

    def _next(self, result: Result | None, retry_after: float | None, cause: BaseException | None) -> float:
        now = self._clock()
        if now >= self._deadline:
            raise PollTimeoutError(
                self.result_id, self.timeout, self.last_result, elapsed=now - self._start
            ) from cause
        delay = self._schedule.next_delay(result, now - self._start, retry_after=retry_after)
        if retry_after is not None or isinstance(cause, RateLimitError):
            self._budget.hold(delay)  # the server asked the client to slow down: every wait waits
        return self._granted(delay, cause)

    def _granted(self, delay: float, cause: BaseException | None) -> float:
        """``delay`` as the client's budget grants it, cut at the deadline."""
        left = self._deadline - self._clock()
        granted = self._budget.reserve(min(delay, left))
        if granted > left + 1e-9:
            self._no_slot, self._no_slot_cause = True, cause
            return max(left, 0.0)
        return granted


def wait_sync(fetch: Callable[[], Poll], state: WaitState, sleep: Callable[[float], object]) -> Result:
    """Poll with ``fetch`` until ``state`` says stop; ``fetch`` returns (result, Retry-After)."""
    delay = state.first()
    while True:
        if delay > 0:
            sleep(delay)
        delay = state.before_poll()
        if delay > 0:
            continue
        try:
            result, retry_after = fetch()
        except POLL_FAILURES as exc:
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


async def wait_async(
    fetch: Callable[[], Awaitable[Poll]], state: WaitState, sleep: Callable[[float], Awaitable[object]]
) -> Result:
    """The async twin of ``wait_sync``: same decisions, awaited I/O."""
    delay = state.first()
    while True:
        if delay > 0:
            await sleep(delay)
        delay = state.before_poll()
        if delay > 0:
            continue
        try:
            result, retry_after = await fetch()
        except POLL_FAILURES as exc:
            delay = state.missed(exc)
        else:
            reported = state.report(result)
            if isinstance(reported, Awaitable):  # an ``async def`` on_progress
                await reported
            next_delay = state.polled(result, retry_after)
            if next_delay is None:
                return result
            delay = next_delay
