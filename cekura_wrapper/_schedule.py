"""When to poll one result next (pure objects: no I/O, no clock).

``PollSchedule`` (the default, latency first): a poll on every multiple of ``max_interval``
(the *grid*, 5 s by default) while the result is live, so a wait is never later than a plain
poller at that interval started at the same moment, whatever the batch's length or shape. On top,
*extra* polls halfway between two marks, where the end is likely (every run done and the result
``evaluating``, the pace predicting the end within two marks, the last runs, or no progress to go
on). Extras are paid from a credit of ``extra_share`` (0.25) per poll made on a mark, so a wait
makes at most 1.25x the requests of the plain poller; up to ``_RESERVE`` credits are saved for the
end while the pace says it is far.

``EconomySchedule`` (``poll="economy"``): fewer requests at a cost in delay (the schedule before
issue 28). The first minute on the grid, then 4 grid steps apart while the end is far, 2.5 while
nothing has finished, 1.6 while ``evaluating``, 0.7 near a predicted end. docs/benchmarks.md
measures both.

A server ``Retry-After`` always wins in both (at least ``min_interval``).
"""

from __future__ import annotations

import math
from typing import Final, Literal

from ._errors import ValidationError
from ._results import Result
from ._validation import check_seconds

PollMode = Literal["latency", "economy"]
POLL_MODES: Final = ("latency", "economy")
#: The default grid step (``max_poll_interval``): never later than a poller at this interval.
GRID: Final = 5.0
_EPSILON: Final = 1e-6
#: Credit for extra polls earned by each poll on a mark (extras cost 1 each).
_EXTRA_SHARE: Final = 0.25
#: Credits kept for the end while the pace says it is far; beyond it, extras are spent as earned.
_RESERVE: Final = 5.0
#: "The end may come at any poll" once at most this share of the runs (at least one) is left ...
_ENDGAME_SHARE: Final = 0.05
#: ... or the pace predicts the end within this many grid steps.
_ENDGAME_STEPS: Final = 2.0
#: The pace is measured over this many of the latest count changes ...
_PACE_WINDOW: Final = 4
#: ... unless the last change alone is this many times faster (a burst of runs has begun).
_BURST: Final = 3.0
#: Economy mode: the first minute stays on the grid (a short batch is never seen later) ...
_SHORT_BATCH: Final = 60.0
#: ... then these multiples of the grid step: far from the end, without progress, while
#: scoring, near the end.
_SPARSE_STEPS: Final = 4.0
_QUIET_STEPS: Final = 2.5
_SCORING_STEPS: Final = 1.6
_DENSE_STEPS: Final = 0.7
#: Economy mode stops polling densely after this many paces per remaining run (a stalled last run).
_ENDGAME_PACES: Final = 2.0


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


def check_mode(poll: object) -> PollMode:
    """``poll`` if it names a mode, else ``ValidationError`` naming the choices."""
    if poll == "latency" or poll == "economy":
        return poll
    raise ValidationError(f"poll must be 'latency' or 'economy', got {poll!r}")


class _Progress:
    """What the counts of one result said so far: the pace of finished runs and the latest state."""

    def __init__(self) -> None:
        self.baseline: int | None = None  # completed runs at the first poll
        self.changes: list[tuple[float, int]] = []  # (elapsed, completed) at the last count changes
        self.latest: tuple[int, int, bool] | None = None  # (completed, total, scoring) of the last poll

    def observe(self, result: Result, elapsed: float) -> None:
        total, done = result.total_runs, result.completed_runs
        if total <= 0 or result.is_terminal:
            return
        if self.baseline is None:
            self.baseline = done
        if done > self.baseline and (not self.changes or done != self.changes[-1][1]):
            self.changes.append((elapsed, done))
            del self.changes[: -_PACE_WINDOW - 1]
        self.latest = (done, total, result.status == "evaluating" or done >= total)

    def pace(self, elapsed: float) -> float | None:
        """Seconds per finished run lately (over the last few count changes), or ``None`` before any.

        The time since the last change counts when it is longer: a pace that slowed shows before
        the next run finishes. With one change only, the time from the start to it is the pace.
        """
        if not self.changes or self.baseline is None:
            return None
        (since, done_then), (last, done_now) = self.changes[0], self.changes[-1]
        if len(self.changes) == 1:
            since, done_then = 0.0, self.baseline
        if done_now <= done_then:
            return None  # counts that went back (a server's bug) say nothing about the pace
        pace = max(last - since, elapsed - last) / (done_now - done_then)
        before, done_before = self.changes[-2] if len(self.changes) >= 2 else (since, done_then)
        if done_now > done_before:
            burst = max(last - before, elapsed - last) / (done_now - done_before)
            if burst * _BURST < pace:
                return burst
        return pace

    def expected_left(self, elapsed: float) -> float | None:
        """Seconds the pace predicts until every run is done (0 while scoring), ``None`` if unknown.

        Only after a poll with counts (``latest`` set)."""
        assert self.latest is not None
        done, total, scoring = self.latest
        if scoring:
            return 0.0
        pace = self.pace(elapsed)
        return None if pace is None else (total - done) * pace

    def in_endgame(self) -> bool:
        """At most 5 % of the runs (at least one) are left (only after a poll with counts)."""
        assert self.latest is not None
        done, total, _ = self.latest
        return total - done <= max(1, math.ceil(total * _ENDGAME_SHARE))


class PollSchedule:
    """The default, latency-first schedule of one wait (see the module's docstring).

    ``next_delay`` records each observation; it does no I/O and reads no clock, so tests and the
    benchmark drive it on a virtual clock. ``max_interval`` is the grid step; ``min_interval`` the
    shortest gap (extras that would come closer are not made).
    """

    #: Share of a poll's worth of credit each poll on a mark earns for extra polls.
    extra_share: float = _EXTRA_SHARE

    def __init__(self, min_interval: float = 1.0, max_interval: float = GRID) -> None:
        check_intervals(min_interval, max_interval)
        self.min_interval = float(min_interval)
        self.max_interval = float(max_interval)
        self._progress = _Progress()
        self._credit = 0.0
        self._on_mark = True  # the poll being reported was aimed at a mark (the first poll is)

    @property
    def longest_delay(self) -> float:
        """The longest delay ``next_delay`` returns without a ``Retry-After``."""
        return self.max_interval

    def next_delay(self, result: Result | None, elapsed: float, *, retry_after: float | None = None) -> float:
        """Seconds to wait before the next poll, ``elapsed`` seconds into the wait.

        ``result`` is the result just read (``None`` when the poll failed).
        """
        if result is not None:
            self._progress.observe(result, elapsed)
        if self._on_mark:
            self._credit += self.extra_share
        if retry_after is not None:
            # The server's wait wins, even beyond the grid; min_interval keeps a
            # "Retry-After: 0" from turning into a busy loop.
            self._on_mark = True
            return max(retry_after, self.min_interval)
        grid = self.max_interval
        to_mark = (math.floor(elapsed / grid + _EPSILON) + 1) * grid - elapsed
        half = to_mark / 2
        if self._on_mark and half >= self.min_interval and half >= grid / 4 and self._spend(elapsed):
            self._on_mark = False
            return half
        self._on_mark = True
        return min(max(to_mark, self.min_interval), grid)

    def _spend(self, elapsed: float) -> bool:
        """Whether to make an extra poll before the next mark (taking its credit)."""
        if self._credit < 1.0:
            return False
        if self._credit < 1.0 + _RESERVE and not self._end_likely(elapsed):
            return False  # keep a reserve for the end
        self._credit -= 1.0
        return True

    def _end_likely(self, elapsed: float) -> bool:
        progress = self._progress
        if progress.latest is None or progress.latest[1] <= 1:
            return True  # one run, or counts unknown: the end may come at any poll
        expected = progress.expected_left(elapsed)
        if expected is None:
            return progress.in_endgame()  # nothing finished yet: only the last run says "soon"
        return expected <= _ENDGAME_STEPS * self.max_interval or progress.in_endgame()


class EconomySchedule(PollSchedule):
    """``poll="economy"``: fewer requests, later by up to a few grid steps (see the module's docstring)."""

    def __init__(self, min_interval: float = 1.0, max_interval: float = GRID) -> None:
        super().__init__(min_interval, max_interval)
        self._short = True  # every run done within the first minute (so far)
        self._endgame_until: float | None = None  # dense polling stops here (a stalled last run)

    @property
    def longest_delay(self) -> float:
        return _SPARSE_STEPS * self.max_interval

    def next_delay(self, result: Result | None, elapsed: float, *, retry_after: float | None = None) -> float:
        if result is not None:
            self._progress.observe(result, elapsed)
            scoring = result.status == "evaluating" or 0 < result.total_runs <= result.completed_runs
            if elapsed >= _SHORT_BATCH and not scoring:
                self._short = False
        if retry_after is not None:
            return max(retry_after, self.min_interval)
        grid = self.max_interval
        if self._short:
            delay = (math.floor(elapsed / grid + _EPSILON) + 1) * grid - elapsed
        else:
            delay = self._advice(elapsed) * grid
        return min(max(delay, self.min_interval), self.longest_delay)

    def _advice(self, elapsed: float) -> float:
        """The delay in grid steps."""
        progress = self._progress
        if progress.latest is None:
            return _QUIET_STEPS
        done, total, scoring = progress.latest
        if scoring:
            return _SCORING_STEPS  # every run is done; the end comes when scoring does
        pace = progress.pace(elapsed)
        if pace is None:
            return _QUIET_STEPS  # no progress to go on
        expected_left = (total - done) * pace
        sparse = self.longest_delay
        if not progress.in_endgame() and expected_left > 2 * sparse:
            self._endgame_until = None
            return _SPARSE_STEPS
        if self._endgame_until is None:
            self._endgame_until = elapsed + max(_ENDGAME_PACES * expected_left, 2 * sparse)
        return _DENSE_STEPS if elapsed <= self._endgame_until else _SPARSE_STEPS


def new_schedule(mode: PollMode, min_interval: float, max_interval: float) -> PollSchedule:
    """The schedule of one wait in ``mode``."""
    kind = EconomySchedule if mode == "economy" else PollSchedule
    return kind(min_interval, max_interval)
