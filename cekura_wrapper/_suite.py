"""Suites: several groups (one Cekura result each) under one concurrency budget (pure).

The rule, as Cekura's own CI action applies it: a group of N scenarios at frequency F needs
N x F calls and reserves ``min(N x F, concurrency)`` call slots. Groups start in the order given;
the next one starts only when its slots fit in what is left of the budget (no overtaking), and a
group's slots free up once its result is terminal. ``SuiteSchedule`` makes that decision and
``SuiteRunState`` every other one (when to poll which result, what a stop ends); the sync and
async clients only send what they are told, so both behave the same and neither sleeps or reads a
clock on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final, Literal

import attrs

from ._budget import RequestBudget
from ._errors import (
    APIError,
    CekuraError,
    PollTimeoutError,
    Problem,
    RateLimitError,
    SubmissionUncertainError,
    ValidationError,
    is_missed_poll,
)
from ._plan import RunPlan, ScenariosInput
from ._polling import MIN_POLL_REQUEST_TIMEOUT, PollSchedule, check_timeout
from ._results import Result, Submission
from ._schedule import PollMode, new_schedule
from ._validation import check_positive_id, describe

if TYPE_CHECKING:
    from ._retries import SuiteRetries

#: Final states of a group; ``pending`` and ``running`` are only seen while the suite runs.
GroupState = Literal["pending", "running", "passed", "failed", "timeout", "skipped", "error"]
FINAL_GROUP_STATES: Final = frozenset({"passed", "failed", "timeout", "skipped", "error"})
#: Longest group name: it is shown in tables, JUnit and GitHub outputs.
MAX_GROUP_NAME: Final = 100


@attrs.frozen
class SuiteGroup:
    """One group of a suite: it becomes one Cekura result. ``scenarios`` takes every form
    ``run_scenarios`` takes; ``name`` is unique within the suite; ``mock_tool_names`` as in
    ``run_scenarios`` (``None``: every tool configured on the agent is mocked)."""

    name: str
    scenarios: ScenariosInput
    frequency: int
    agent: int | None = None
    mock_tool_names: Sequence[str] | None = None


@attrs.frozen
class GroupOutcome:
    """How one group went. ``state``: passed, failed (its result is terminal but did not pass),
    timeout (still running when the suite stopped), skipped (never started), error (its request
    failed; ``error`` says why). ``calls_ended``: ``end_calls`` was sent for it and answered."""

    name: str
    state: GroupState
    submission: Submission | None = None
    result: Result | None = None
    error: CekuraError | None = None
    calls_ended: bool = False
    #: Calls the group needs and the call slots it reserves.
    runs: int = 0
    slots: int = 0

    @property
    def passed(self) -> bool:
        """``passes()``: the state is ``passed``."""
        return self.passes()

    def passes(self, fail_under: float | None = None) -> bool:
        """The group finished (passed or failed) and its result ``passes(fail_under)``; a group
        that was skipped, timed out or erred never passes."""
        return (
            self.state in ("passed", "failed") and self.result is not None and self.result.passes(fail_under)
        )

    @property
    def result_id(self) -> int | None:
        return None if self.submission is None else self.submission.result_id


@attrs.frozen
class SuiteResult:
    """Every group's outcome, in the order given. ``passed`` only when every group passed."""

    groups: tuple[GroupOutcome, ...]
    concurrency: int | None = None
    #: Why the suite stopped before every group finished (``timeout``, ``interrupted``), or None.
    stopped: str | None = None
    #: With ``run_suite(retry_failed=N)``: each group's retries (``SuiteRetries``), else None.
    retries: SuiteRetries | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def passed(self) -> bool:
        """``passes()``: every group passed."""
        return self.passes()

    def passes(self, fail_under: float | None = None) -> bool:
        """The suite's verdict: at least one group, and every group ``passes(fail_under)`` (each
        finished, its result judged by ``Result.passes``)."""
        return bool(self.groups) and all(group.passes(fail_under) for group in self.groups)

    @property
    def results(self) -> list[Result]:
        """The last read result of every group that has one."""
        return [group.result for group in self.groups if group.result is not None]

    def group(self, name: str) -> GroupOutcome:
        for group in self.groups:
            if group.name == name:
                return group
        raise KeyError(name)


class SuiteSchedule:
    """Which groups may start now, under ``concurrency`` call slots (``None``: no limit)."""

    def __init__(self, runs: Sequence[int], concurrency: int | None) -> None:
        self.runs = list(runs)
        self.concurrency = concurrency
        self.slots = [run if concurrency is None else min(run, concurrency) for run in self.runs]
        self._next = 0
        self._holding: set[int] = set()
        self.in_use = 0
        #: The most slots ever reserved at once (never above ``concurrency``).
        self.peak = 0

    def take_startable(self) -> list[int]:
        """The groups to start now, in order, their slots reserved."""
        started: list[int] = []
        while self._next < len(self.runs):
            index = self._next
            if self.concurrency is not None and self.in_use + self.slots[index] > self.concurrency:
                break
            self._holding.add(index)
            self.in_use += self.slots[index]
            self.peak = max(self.peak, self.in_use)
            started.append(index)
            self._next += 1
        return started

    def release(self, index: int) -> None:
        """Free ``index``'s slots (its result is terminal, or it never got one); idempotent."""
        if index in self._holding:
            self._holding.discard(index)
            self.in_use -= self.slots[index]

    def skip_rest(self) -> list[int]:
        """Give up on the groups not started yet; returns them."""
        rest = list(range(self._next, len(self.runs)))
        self._next = len(self.runs)
        return rest

    @property
    def next_fits(self) -> bool:
        """True when the next group could start now."""
        if self.all_started:
            return False
        return self.concurrency is None or self.in_use + self.slots[self._next] <= self.concurrency

    @property
    def all_started(self) -> bool:
        return self._next >= len(self.runs)

    def waves(self) -> list[list[int]]:
        """The groups that start together, assuming every group of a wave ends before the next
        one starts (how ``plan`` shows the schedule; the real run starts each as soon as it fits)."""
        probe = SuiteSchedule(self.runs, self.concurrency)
        waves: list[list[int]] = []
        while not probe.all_started:
            wave = probe.take_startable()
            waves.append(wave)
            for index in wave:
                probe.release(index)
        return waves

    def peak_calls(self) -> int:
        """The most calls in flight at once over ``waves()``."""
        return max((sum(self.slots[index] for index in wave) for wave in self.waves()), default=0)


def check_suite(groups: object, concurrency: object, plan: Callable[[SuiteGroup], RunPlan]) -> list[RunPlan]:
    """Every group's plan, or one ``ValidationError`` listing every problem of every group
    (located as ``groups[i].scenarios[j]``...): nothing is sent when one group is wrong."""
    problems: list[Problem] = []
    if concurrency is not None:
        problem = check_positive_id(concurrency, "concurrency")
        if problem:
            problems.append(Problem(("concurrency",), problem))
    if isinstance(groups, str | bytes) or not isinstance(groups, Sequence):
        raise ValidationError(f"groups must be a list of SuiteGroup, got {describe(groups)}")
    if not groups:
        raise ValidationError("a suite needs at least one group")
    plans: list[RunPlan] = []
    seen: set[str] = set()
    for index, group in enumerate(groups):
        if not isinstance(group, SuiteGroup):
            problems.append(
                Problem(("groups", index), f"a group must be a SuiteGroup, got {describe(group)}")
            )
            continue
        name = group.name
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_GROUP_NAME:
            problems.append(
                Problem(("groups", index, "name"), f"name must be 1 to {MAX_GROUP_NAME} characters")
            )
        elif name in seen:
            problems.append(Problem(("groups", index, "name"), f"group name {name!r} is used twice"))
        else:
            seen.add(name)
        try:
            plans.append(plan(group))
        except ValidationError as exc:
            problems.extend(Problem(("groups", index, *found.loc), found.message) for found in exc.problems)
    if problems:
        count = len(problems)
        raise ValidationError(
            f"{count} problem{'s' if count != 1 else ''} in the suite; nothing was sent", problems
        )
    return plans


@attrs.define
class _Group:
    name: str
    runs: int
    slots: int
    state: GroupState = "pending"
    submission: Submission | None = None
    result: Result | None = None
    error: CekuraError | None = None
    calls_ended: bool = False
    schedule: PollSchedule | None = None
    started_at: float = 0.0
    next_poll: float = 0.0

    def outcome(self) -> GroupOutcome:
        return GroupOutcome(
            self.name,
            self.state,
            self.submission,
            self.result,
            self.error,
            self.calls_ended,
            self.runs,
            self.slots,
        )


class SuiteRunState:
    """The decisions of one suite run, shared by the sync and async loops."""

    def __init__(
        self,
        names: Sequence[str],
        plans: Sequence[RunPlan],
        *,
        concurrency: int | None,
        timeout: float,
        clock: Callable[[], float],
        poll_interval: float,
        max_poll_interval: float,
        poll: PollMode = "latency",
        budget: RequestBudget | None = None,
    ) -> None:
        self.timeout = check_timeout(timeout)
        self.plans = list(plans)
        self.schedule = SuiteSchedule([plan.run_count for plan in plans], concurrency)
        self.groups = [
            _Group(name, plan.run_count, slots)
            for name, plan, slots in zip(names, plans, self.schedule.slots, strict=True)
        ]
        self._clock = clock
        self._poll_interval = poll_interval
        self._max_poll_interval = max_poll_interval
        self._poll = poll
        #: The client's request budget, shared with its other waits.
        self._budget = budget if budget is not None else RequestBudget(None, clock=clock)
        self._deadline = clock() + self.timeout
        self.stopped: str | None = None

    # ---- starting
    def to_start(self) -> list[int]:
        """Groups to submit now (none once stopped)."""
        return [] if self.stopped else self.schedule.take_startable()

    def submitted(self, index: int, submission: Submission) -> GroupOutcome:
        group = self.groups[index]
        group.state, group.submission = "running", submission
        group.schedule = new_schedule(self._poll, self._poll_interval, self._max_poll_interval)
        group.started_at = self._clock()
        group.next_poll = group.started_at + self._budget.reserve(0.0)
        return group.outcome()

    def submit_failed(self, index: int, error: CekuraError) -> GroupOutcome:
        """The request failed (400, auth, uncertain...): the group errs, the others go on."""
        group = self.groups[index]
        group.state, group.error = "error", error
        self.schedule.release(index)
        return group.outcome()

    # ---- polling
    def due(self) -> list[int]:
        now = self._clock()
        held = self._budget.held_for()
        if held > 0:  # a server asked this client to wait: polls due in the meantime move after it
            for group in self.groups:
                if group.state == "running" and group.next_poll < now + held:
                    group.next_poll = now + self._budget.reserve(held)
            return []
        return [
            i for i, group in enumerate(self.groups) if group.state == "running" and group.next_poll <= now
        ]

    def request_timeout(self, limit: float) -> float:
        """A poll's HTTP time limit: ``limit``, cut to the time left (at least 1 s)."""
        return min(limit, max(self._deadline - self._clock(), MIN_POLL_REQUEST_TIMEOUT))

    def polled(self, index: int, result: Result, retry_after: float | None) -> GroupOutcome:
        group = self.groups[index]
        group.result = result
        if result.is_terminal:
            group.state = "passed" if result.passed else "failed"
            self.schedule.release(index)
        else:
            self._reschedule(group, result, retry_after)
        return group.outcome()

    def missed(self, index: int, exc: CekuraError) -> GroupOutcome:
        """A failed poll: transient ones are retried later; anything else ends the group in error."""
        group = self.groups[index]
        if is_missed_poll(exc):
            retry_after = exc.retry_after if isinstance(exc, APIError) else None
            self._reschedule(group, None, retry_after, throttled=isinstance(exc, RateLimitError))
        else:
            group.state, group.error = "error", exc
            self.schedule.release(index)
        return group.outcome()

    def _reschedule(
        self, group: _Group, result: Result | None, retry_after: float | None, *, throttled: bool = False
    ) -> None:
        assert group.schedule is not None
        now = self._clock()
        delay = group.schedule.next_delay(result, now - group.started_at, retry_after=retry_after)
        if retry_after is not None or throttled:
            self._budget.hold(delay)  # every wait of the client waits, not only this group
        group.next_poll = now + self._budget.reserve(delay)

    # ---- the loop's questions
    @property
    def finished(self) -> bool:
        """Every group started and none is still running."""
        return self.schedule.all_started and all(group.state != "running" for group in self.groups)

    @property
    def timed_out(self) -> bool:
        return self._clock() >= self._deadline

    def sleep_time(self) -> float:
        """Seconds until the next poll is due (never past the deadline); 0 when a group can start."""
        if not self.stopped and self.schedule.next_fits:
            return 0.0
        now = self._clock()
        polls = [group.next_poll for group in self.groups if group.state == "running"]
        wake = min([*polls, self._deadline])
        return max(wake - now, 0.0)

    # ---- stopping
    def stop(self, reason: str) -> list[int]:
        """Stop: groups not started are skipped, running ones time out; returns the running ones
        (whose calls to end)."""
        self.stopped = reason
        for index in self.schedule.skip_rest():
            self.groups[index].state = "skipped"
        for index, group in enumerate(self.groups):
            if group.state == "pending":  # stopped while its run request was on its way
                group.state = "error"
                group.error = SubmissionUncertainError(
                    f"the suite was {reason} while submitting group {group.name}"
                )
                self.schedule.release(index)
        active = [i for i, group in enumerate(self.groups) if group.state == "running"]
        for index in active:
            group = self.groups[index]
            group.state = "timeout"
            result_id = self.result_id(index)
            if reason == "timeout":
                group.error = PollTimeoutError(
                    result_id, self.timeout, group.result, elapsed=self._clock() - group.started_at
                )
            else:
                status = group.result.status if group.result is not None else "starting"
                group.error = CekuraError(
                    f"the suite was {reason} while result {result_id} was still {status}"
                )
            self.schedule.release(index)
        return active

    def ended(self, index: int, ok: bool) -> GroupOutcome:
        self.groups[index].calls_ended = ok
        return self.groups[index].outcome()

    def result_id(self, index: int) -> int:
        submission = self.groups[index].submission
        assert submission is not None
        return submission.result_id

    def outcome(self) -> SuiteResult:
        return SuiteResult(
            tuple(group.outcome() for group in self.groups), self.schedule.concurrency, self.stopped
        )
