"""Per-target pass counts of a result: one target per scenario and websocket URL (pure).

Cekura's run objects carry no ``websocket_url`` (the emulator's do). When every run of a scenario
names its URL, the scenario has one target per URL; otherwise the runs of that scenario against
several URLs cannot be told apart, and the scenario is one target whose ``websocket_url`` is
``None``. Nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from ._stats import wilson_interval

if TYPE_CHECKING:
    from ._results import Run

#: What tells targets apart: the scenario id and the websocket URL (``None``: not known).
TargetKey = tuple[int | None, str | None]


@attrs.frozen
class TargetStats:
    """Passed and total runs of one target, with the 95 % Wilson interval of its pass rate."""

    scenario: int | None
    #: ``None`` when Cekura's answer does not say which URL the runs talked to: the runs of this
    #: scenario against every URL are then counted together, as one target.
    websocket_url: str | None
    scenario_name: str | None
    passed: int
    total: int

    @property
    def key(self) -> TargetKey:
        return self.scenario, self.websocket_url

    @property
    def url_known(self) -> bool:
        """False when the runs do not say which URL they talked to (see ``websocket_url``)."""
        return self.websocket_url is not None

    @property
    def rate(self) -> float | None:
        """The pass rate (0-1); ``None`` with no runs counted."""
        return self.passed / self.total if self.total else None

    @property
    def interval(self) -> tuple[float, float]:
        """The 95 % Wilson interval of the pass rate, within [0, 1] ((0, 1) with no runs)."""
        return wilson_interval(self.passed, self.total)


def _url(run: Run) -> str | None:
    url = run.raw.get("websocket_url")
    return url if isinstance(url, str) and url else None


#: Run statuses after which a run has its outcome (a run may end without a ``success`` value).
_RUN_FINAL = frozenset({"completed", "failed", "timeout", "cancelled", "error"})


def _counts(run: Run, *, finished_only: bool) -> tuple[int, int]:
    """(passed, counted) for one run; an unfinished run counts only when ``finished_only`` is off."""
    if finished_only and run.success is None and run.status not in _RUN_FINAL:
        return 0, 0
    return int(run.success is True), 1


def targets_of(runs: Iterable[Run], *, finished_only: bool = False) -> tuple[TargetStats, ...]:
    """The targets of these runs, by scenario id then URL.

    A run passed when its ``success`` is true; any other run counts as not passed. With
    ``finished_only`` (a result still running) runs without an outcome yet are left out.
    """
    by_scenario: dict[int | None, list[Run]] = {}
    for run in runs:
        by_scenario.setdefault(run.scenario, []).append(run)
    targets: list[TargetStats] = []
    for scenario, scenario_runs in by_scenario.items():
        name = next((run.scenario_name for run in scenario_runs if run.scenario_name), None)
        split = all(_url(run) is not None for run in scenario_runs)
        groups: dict[str | None, list[int]] = {}
        for run in scenario_runs:
            passed, counted = _counts(run, finished_only=finished_only)
            group = groups.setdefault(_url(run) if split else None, [0, 0])
            group[0] += passed
            group[1] += counted
        targets += [
            TargetStats(scenario, url, name, passed, total) for url, (passed, total) in groups.items()
        ]
    return tuple(sorted(targets, key=_order))


def merge_urls(targets: Sequence[TargetStats], scenarios: Collection[int | None]) -> tuple[TargetStats, ...]:
    """The targets with those of ``scenarios`` merged into one per scenario (URL ``None``): how a
    scenario is compared when one side knows its URLs and the other does not."""
    kept = [target for target in targets if target.scenario not in scenarios]
    merged: dict[int | None, TargetStats] = {}
    for target in targets:
        if target.scenario in scenarios:
            seen = merged.get(target.scenario)
            merged[target.scenario] = TargetStats(
                target.scenario,
                None,
                seen.scenario_name if seen is not None and seen.scenario_name else target.scenario_name,
                target.passed + (seen.passed if seen else 0),
                target.total + (seen.total if seen else 0),
            )
    return tuple(sorted([*kept, *merged.values()], key=_order))


def _order(target: TargetStats) -> tuple[bool, int, str]:
    return target.scenario is None, target.scenario or 0, target.websocket_url or ""
