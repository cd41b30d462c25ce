"""Failed runs retried, opt-in (pure: decisions only; the clients and the CLI send and wait).

After a result ends, the targets (scenario and URL) whose runs failed are resubmitted as a new
result, each as many times as it failed, up to ``rounds`` rounds and never more than
``max_extra_runs`` runs in all. A target then ends ``passed`` (never failed), ``flaky`` (failed,
then every run of a retry round passed) or ``failing``.

Which URL a failed run talked to: the run's own ``websocket_url`` when it carries one (Cekura's
runs may not), else the plan's when the scenario ran against one URL. A scenario run against
several URLs whose failed run cannot be told is retried against each of its URLs, ``min(failed,
frequency)`` times each: every URL that may have failed is tried again, and a round never
resubmits more runs than the round before it, so ``rounds x run_count`` bounds the cost.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterator, Mapping
from typing import Final, TypeVar

import attrs

from ._plan import RunPlan, ScenarioTarget
from ._results import Result, Run
from ._suite import MAX_GROUP_NAME, SuiteGroup, SuiteResult
from ._validation import describe

#: ``--max-extra-runs`` / ``max_extra_runs`` unless told otherwise: retries stay cheap.
DEFAULT_MAX_EXTRA_RUNS: Final = 20
#: Runs per scenario one request may ask for (Cekura's frequency range).
MAX_FREQUENCY: Final = 100

#: A retried target: the scenario and its URL (``None``: one of the plan's several URLs, not known).
RetryKey = tuple[int, str | None]
#: What one round runs: a plan (one result's retries) or groups (a suite's).
RoundT = TypeVar("RoundT")


class TargetOutcome(enum.StrEnum):
    """How a target ended after its retries."""

    PASSED = "passed"
    FLAKY = "flaky"
    FAILING = "failing"


def worst_case_extra_runs(run_count: int, rounds: int) -> int:
    """Runs the retries could add at most: every run fails, every round (see the module docstring)."""
    return run_count * rounds


def retry_problems(retry_failed: object, max_extra_runs: object, run_count: int) -> list[str]:
    """Why these retry settings are refused (before anything is sent), in the library's words."""
    problems = []
    for value, name in ((retry_failed, "retry_failed"), (max_extra_runs, "max_extra_runs")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(f"{name} must be a whole number of at least 0, got {describe(value)}")
    if problems:
        return problems
    assert isinstance(retry_failed, int) and isinstance(max_extra_runs, int)
    worst = worst_case_extra_runs(run_count, retry_failed)
    if worst > max_extra_runs:
        problems.append(
            f"retry_failed={retry_failed} could resubmit up to {retry_failed} x {run_count} = {worst} runs, "
            f"over max_extra_runs={max_extra_runs} (raise it, retry fewer rounds, or run fewer runs)"
        )
    return problems


def _plan_urls(plan: RunPlan) -> dict[int, tuple[str | None, ...]]:
    """The plan's URLs per scenario (``None`` for a URL-less target: Cekura dials the agent's own)."""
    found: dict[int, dict[str | None, None]] = {}
    for target in plan.scenarios:
        found.setdefault(target.scenario, {})[target.websocket_url] = None
    return {scenario: tuple(urls) for scenario, urls in found.items()}


def run_key(run: Run, plan: RunPlan) -> RetryKey | None:
    """The target a run belongs to, as far as the run and the plan tell; ``None`` for a run of a
    scenario the plan does not hold (it cannot be resubmitted)."""
    urls = _plan_urls(plan).get(run.scenario) if run.scenario is not None else None
    if run.scenario is None or not urls:
        return None
    own = run.raw.get("websocket_url")
    if isinstance(own, str) and own in urls:
        return run.scenario, own
    return (run.scenario, urls[0]) if len(urls) == 1 else (run.scenario, None)


def tally(result: Result, plan: RunPlan) -> dict[RetryKey, tuple[int, int]]:
    """(passed, not passed) runs per target of ``plan`` in ``result``."""
    counts: dict[RetryKey, tuple[int, int]] = {}
    for run in result.runs:
        key = run_key(run, plan)
        if key is not None:
            passed, failed = counts.get(key, (0, 0))
            counts[key] = (passed + 1, failed) if run.success is True else (passed, failed + 1)
    return counts


def timed_rounds(
    next_round: Callable[[], RoundT | None],
    stop: Callable[[str], None],
    time_left: Callable[[], float],
    deadline: str,
) -> Iterator[tuple[RoundT, float]]:
    """Each next round with the seconds left for it, asked for only once the round before it was
    recorded; when no time is left, ``stop`` says so (before ``deadline``) and the rounds end."""
    while (round_ := next_round()) is not None:
        left = time_left()
        if left <= 0:
            stop(f"no time was left before {deadline}")
            return
        yield round_, left


def retry_plan(failed: Mapping[RetryKey, int], plan: RunPlan) -> RunPlan | None:
    """The round resubmitting ``failed`` runs per target, made from ``plan`` (the round before);
    ``None`` when nothing failed. Targets that failed a different number of times share one result:
    the frequency is the largest common divisor (at most 100) and each target is listed as often
    as its count needs."""
    urls = _plan_urls(plan)
    wanted: dict[tuple[int, str | None], int] = {}
    for (scenario, url), count in failed.items():
        if count <= 0:
            continue
        # A key without a URL: the plan's URLs of the scenario (one URL-less target, or several URLs).
        for each in (url,) if url is not None else urls.get(scenario, ()):
            per_url = count if url is not None else min(count, plan.frequency)
            wanted[(scenario, each)] = wanted.get((scenario, each), 0) + per_url
    if not wanted:
        return None
    frequency = math.gcd(*wanted.values())
    frequency = max(d for d in range(1, min(frequency, MAX_FREQUENCY) + 1) if frequency % d == 0)
    targets = tuple(
        ScenarioTarget(scenario, url)
        for (scenario, url), count in wanted.items()
        for _ in range(count // frequency)
    )
    return RunPlan(targets, frequency, plan.agent, plan.mock_tool_names)


@attrs.frozen
class RetryRound:
    """One retry: its result, and the runs it asked for."""

    result: Result
    runs: int


@attrs.frozen
class TargetRetries:
    """A target that failed in the first result, and how its retries went."""

    scenario: int
    websocket_url: str | None
    outcome: TargetOutcome
    #: Runs that failed, round by round (the first result first).
    failed_runs: tuple[int, ...]


@attrs.define
class RetryLedger:
    """What the retries of one result did so far, and what to resubmit next."""

    plan: RunPlan
    first: Result
    rounds_allowed: int
    max_extra_runs: int = DEFAULT_MAX_EXTRA_RUNS
    rounds: list[RetryRound] = attrs.field(factory=list)
    #: Failed runs per target, per round; a target is settled once it is flaky.
    history: dict[RetryKey, list[int]] = attrs.field(factory=dict)
    flaky: set[RetryKey] = attrs.field(factory=set)
    pending: dict[RetryKey, int] = attrs.field(factory=dict)
    #: Why the retries stopped before ``rounds_allowed`` (the cap, or time).
    stopped: str | None = None

    def __attrs_post_init__(self) -> None:
        for key, (_passed, failed) in tally(self.first, self.plan).items():
            if failed:
                self.history[key] = [failed]
                self.pending[key] = failed

    @property
    def extra_runs(self) -> int:
        return sum(round_.runs for round_ in self.rounds)

    def next_plan(self) -> RunPlan | None:
        """The next round's plan; ``None`` when nothing is left to retry, the rounds are spent or
        the next round would pass ``max_extra_runs`` (then ``stopped`` says so)."""
        if not self.pending or len(self.rounds) >= self.rounds_allowed or self.stopped:
            return None
        plan = retry_plan(self.pending, self.plan)
        if plan is None:
            return None
        if self.extra_runs + plan.run_count > self.max_extra_runs:
            self.stopped = (
                f"round {len(self.rounds) + 1} would bring the extra runs to {self.extra_runs + plan.run_count}, "
                f"over the cap of {self.max_extra_runs}"
            )
            return None
        return plan

    def stop(self, why: str) -> None:
        """No more rounds (for example: no time left)."""
        self.stopped = why

    def rounds_to_run(
        self, time_left: Callable[[], float], *, deadline: str = "the timeout"
    ) -> Iterator[tuple[RunPlan, float]]:
        """The rounds to run, each its plan and the seconds left for it (see ``timed_rounds``);
        ``record`` each round's result before asking for the next."""
        return timed_rounds(self.next_plan, self.stop, time_left, deadline)

    def record(self, result: Result, plan: RunPlan) -> None:
        """A retry round ended: targets whose runs all passed are flaky; the others go again."""
        self.rounds.append(RetryRound(result, plan.run_count))
        counts = tally(result, self.plan)  # the first result's keys: the retried plan's URLs are among them
        still: dict[RetryKey, int] = {}
        for key, asked in self.pending.items():
            passed, failed = counts.get(key, (0, 0))
            if passed and not failed:
                self.flaky.add(key)
                self.history[key].append(0)
            else:
                self.history[key].append(failed)
                still[key] = failed or asked  # runs that never ran count as failed again
        self.pending = still

    def outcome(self, key: RetryKey) -> TargetOutcome:
        if key not in self.history:
            return TargetOutcome.PASSED
        return TargetOutcome.FLAKY if key in self.flaky else TargetOutcome.FAILING

    def targets(self) -> tuple[TargetRetries, ...]:
        """Every target that failed in the first result, by scenario then URL."""
        return tuple(
            TargetRetries(key[0], key[1], self.outcome(key), tuple(self.history[key]))
            for key in sorted(self.history, key=lambda key: (key[0], key[1] or ""))
        )

    def count(self, outcome: TargetOutcome) -> int:
        return sum(target.outcome is outcome for target in self.targets())

    def passes(self, *, allow_flaky: bool) -> bool:
        """The first result completed and no target is failing (nor flaky, unless allowed); runs of
        scenarios outside the plan must all have passed."""
        if self.first.status != "completed" or self.first.total_runs <= 0:
            return False
        unplanned = [
            run for run in self.first.runs if run_key(run, self.plan) is None and run.success is not True
        ]
        return not unplanned and not self.count(TargetOutcome.FAILING) and (allow_flaky or not self.flaky)


@attrs.frozen
class RetriedResult(Result):
    """The first result, as ``run_and_wait`` returns it, with ``retries``: the rounds, the extra
    runs and each target's outcome (``retries.passes(allow_flaky=...)`` is the gate)."""

    retries: RetryLedger | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def of(cls, first: Result, ledger: RetryLedger) -> RetriedResult:
        values = {field.name: getattr(first, field.name) for field in attrs.fields(Result)}
        return cls(**values, retries=ledger)


@attrs.define
class SuiteRetries:
    """The retries of a suite: one ``RetryLedger`` per group whose result ended; each round runs
    the groups' retries as a suite of their own (same concurrency, stop and timeout handling), and
    ``max_extra_runs`` bounds the runs of every group together."""

    plans: dict[str, RunPlan]
    rounds_allowed: int
    max_extra_runs: int = DEFAULT_MAX_EXTRA_RUNS
    ledgers: dict[str, RetryLedger] = attrs.field(factory=dict)
    stopped: str | None = None
    #: The round being run: its group names -> (the group retried, the plan).
    _round: dict[str, tuple[str, RunPlan]] = attrs.field(factory=dict)

    def begin(self, outcome: SuiteResult) -> None:
        """The first suite ended: a ledger per group whose result ended."""
        for group in outcome.groups:
            plan = self.plans.get(group.name)
            if plan is not None and group.result is not None and group.result.is_terminal:
                self.ledgers[group.name] = RetryLedger(
                    plan, group.result, self.rounds_allowed, self.max_extra_runs
                )
        if outcome.stopped:
            self.stopped = f"the suite stopped ({outcome.stopped})"

    @property
    def extra_runs(self) -> int:
        return sum(ledger.extra_runs for ledger in self.ledgers.values())

    def next_groups(self) -> list[SuiteGroup]:
        """The next round's groups (empty when done, or when the cap or a stop ends the retries)."""
        self._round = {}
        if self.stopped:
            return []
        total = self.extra_runs
        for name, ledger in self.ledgers.items():
            plan = ledger.next_plan()
            if plan is None:
                continue
            if total + plan.run_count > self.max_extra_runs:
                self.stop(
                    f"the next round would bring the extra runs to {total + plan.run_count}, over the cap"
                )
                return []
            total += plan.run_count
            suffix = f" (retry {len(ledger.rounds) + 1})"
            self._round[name[: MAX_GROUP_NAME - len(suffix)] + suffix] = (name, plan)
        return [
            SuiteGroup(retry_name, plan.scenarios, plan.frequency, plan.agent)
            for retry_name, (_name, plan) in self._round.items()
        ]

    def record(self, outcome: SuiteResult) -> None:
        """A round ended: each group's retry result goes to its ledger."""
        for group in outcome.groups:
            name, plan = self._round[group.name]
            if group.result is not None and group.result.is_terminal:
                self.ledgers[name].record(group.result, plan)
            else:
                self.ledgers[name].stop(f"its retry ended {group.state}")
        if outcome.stopped:
            self.stop(f"a retry round stopped ({outcome.stopped})")

    def stop(self, why: str) -> None:
        self.stopped = why

    def rounds_to_run(
        self, time_left: Callable[[], float], *, deadline: str = "the timeout"
    ) -> Iterator[tuple[list[SuiteGroup], float]]:
        """The rounds to run, each its groups and the seconds left for it (see ``timed_rounds``);
        ``record`` each round's outcome before asking for the next."""
        return timed_rounds(lambda: self.next_groups() or None, self.stop, time_left, deadline)

    def passes(self, *, allow_flaky: bool) -> bool:
        """Every group's ledger passes (a group whose result never ended does not)."""
        return len(self.ledgers) == len(self.plans) and all(
            ledger.passes(allow_flaky=allow_flaky) for ledger in self.ledgers.values()
        )
