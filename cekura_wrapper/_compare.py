"""A result compared with a baseline, target by target (pure: a function of two ``Result`` s).

Each target (scenario and URL) present on both sides gets a one-sided Fisher exact test of "now
passes less often than the baseline"; the verdict is ``regressed`` below ``alpha``, ``improved``
when the mirror test is below it, else ``unchanged``; ``new`` and ``removed`` for targets on one
side only. A scenario whose URL one side does not know is compared as one target on both sides.
"""

from __future__ import annotations

import math

import attrs

from ._errors import ValidationError
from ._results import Result
from ._stats import DEFAULT_ALPHA, Change, classify
from ._targets import TargetKey, TargetStats, merge_urls
from ._validation import check_positive_id, describe


@attrs.frozen
class ComparisonRow:
    """One target: its counts on each side (``None`` where it does not appear) and the verdict."""

    scenario: int | None
    #: ``None`` when the runs do not say which URL they talked to (see ``TargetStats``).
    websocket_url: str | None
    scenario_name: str | None
    baseline: TargetStats | None
    now: TargetStats | None
    #: One-sided p-value of "now is worse than the baseline"; ``None`` for new and removed targets.
    p_value: float | None
    verdict: Change

    @property
    def baseline_passed(self) -> int | None:
        return self.baseline.passed if self.baseline is not None else None

    @property
    def baseline_total(self) -> int | None:
        return self.baseline.total if self.baseline is not None else None

    @property
    def passed(self) -> int | None:
        return self.now.passed if self.now is not None else None

    @property
    def total(self) -> int | None:
        return self.now.total if self.now is not None else None

    @property
    def difference(self) -> float | None:
        """Now's pass rate minus the baseline's (-1..1); ``None`` unless both have runs."""
        now = self.now.rate if self.now is not None else None
        before = self.baseline.rate if self.baseline is not None else None
        return now - before if now is not None and before is not None else None


@attrs.frozen
class Comparison:
    """A result against its baseline: a row per target, and the overall pass counts."""

    result_id: int
    baseline_id: int
    #: The results' statuses: a comparison with a result still running is provisional.
    status: str
    baseline_status: str
    alpha: float
    rows: tuple[ComparisonRow, ...]

    @property
    def passed(self) -> int:
        """Runs passed now, over every target (the runs ``targets()`` counts)."""
        return sum(row.now.passed for row in self.rows if row.now is not None)

    @property
    def total(self) -> int:
        return sum(row.now.total for row in self.rows if row.now is not None)

    @property
    def baseline_passed(self) -> int:
        return sum(row.baseline.passed for row in self.rows if row.baseline is not None)

    @property
    def baseline_total(self) -> int:
        return sum(row.baseline.total for row in self.rows if row.baseline is not None)

    @property
    def rate(self) -> float | None:
        """The overall pass rate now (0-1); ``None`` without runs."""
        return self.passed / self.total if self.total else None

    @property
    def baseline_rate(self) -> float | None:
        return self.baseline_passed / self.baseline_total if self.baseline_total else None

    @property
    def regressed(self) -> tuple[ComparisonRow, ...]:
        """The targets that got significantly worse."""
        return tuple(row for row in self.rows if row.verdict is Change.REGRESSED)

    def count(self, verdict: Change) -> int:
        """How many targets got this verdict."""
        return sum(row.verdict is verdict for row in self.rows)


def check_compare_input(result: object, baseline: object, alpha: object) -> None:
    """Every problem with what a client's ``compare`` was given, as one ``ValidationError``, before
    anything is fetched: results must be ``Result`` s or positive ids, ``alpha`` in (0, 1)."""
    problems = [
        problem
        for value, what in ((result, "result"), (baseline, "baseline"))
        if not isinstance(value, Result)
        for problem in [check_positive_id(value, f"{what} (a Result or a result id)")]
        if problem is not None
    ]
    if (
        isinstance(alpha, bool)
        or not isinstance(alpha, int | float)
        or not math.isfinite(alpha)
        or not 0.0 < alpha < 1.0
    ):
        problems.append(f"alpha must be a number between 0 and 1 (exclusive), got {describe(alpha)}")
    if problems:
        raise ValidationError("; ".join(problems), problems)


def compare(result: Result, baseline: Result, *, alpha: float = DEFAULT_ALPHA) -> Comparison:
    """``result`` against ``baseline``, target by target (see the module's docstring)."""
    check_compare_input(result, baseline, alpha)
    now_targets, base_targets = result.targets(), baseline.targets()
    vague = {t.scenario for t in (*now_targets, *base_targets) if t.websocket_url is None}
    now = {t.key: t for t in merge_urls(now_targets, vague)}
    before = {t.key: t for t in merge_urls(base_targets, vague)}
    keys = sorted(now.keys() | before.keys(), key=_order)
    return Comparison(
        result_id=result.id,
        baseline_id=baseline.id,
        status=result.status,
        baseline_status=baseline.status,
        alpha=alpha,
        rows=tuple(_row(key, before.get(key), now.get(key), alpha) for key in keys),
    )


def _row(key: TargetKey, before: TargetStats | None, now: TargetStats | None, alpha: float) -> ComparisonRow:
    verdict, p_value = classify(
        (before.passed, before.total) if before is not None else None,
        (now.passed, now.total) if now is not None else None,
        alpha=alpha,
    )
    name = (now.scenario_name if now is not None else None) or (
        before.scenario_name if before is not None else None
    )
    return ComparisonRow(key[0], key[1], name, before, now, p_value, verdict)


def _order(key: TargetKey) -> tuple[bool, int, str]:
    return key[0] is None, key[0] or 0, key[1] or ""
