"""Per-target statistics in every report: passed/total and the 95 % Wilson interval of each scenario
and agent URL (``Result.targets()``), for the terminal, the Markdown summary, ``--json`` and JUnit.

When Cekura's runs do not name their URL, the plan ``run`` submitted fills it in for a scenario it
ran against one URL; a scenario run against several URLs stays one target, labelled as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import attrs
from rich.table import Table

from cekura_wrapper import Result, TargetStats, display_url

from .agent_urls import NO_PLAN, AgentUrls
from .outside import cell
from .summary import _cell
from .verdict import percent

#: Targets listed at most in the Markdown summary and as JUnit properties (JSON lists them all).
MAX_TARGET_ROWS: Final = 100
#: Characters of a scenario name shown.
MAX_NAME: Final = 80


@attrs.frozen
class TargetRow:
    """One target as reports show it: the URL as ``display_url`` shows it, or ``None`` if unknown."""

    stats: TargetStats
    url: str | None
    #: What the URL column says: the URL, ``any of 3 URLs`` or ``-``.
    url_label: str

    @property
    def scenario_label(self) -> str:
        name = self.stats.scenario_name or ""
        if len(name) > MAX_NAME:
            name = name[: MAX_NAME - 1] + "…"
        scenario = self.stats.scenario
        return f"{scenario if scenario is not None else '-'} {name}".strip()

    @property
    def counts(self) -> str:
        return f"{self.stats.passed}/{self.stats.total}"

    @property
    def interval_text(self) -> str:
        if not self.stats.total:
            return "-"
        low, high = self.stats.interval
        return f"{low * 100:.0f}-{high * 100:.0f} %"


def target_rows(result: Result, urls: AgentUrls = NO_PLAN) -> list[TargetRow]:
    """The result's targets, with the plan's URL where the runs do not name one."""
    rows = []
    for target in result.targets():
        if target.websocket_url is not None:
            url: str | None = display_url(target.websocket_url)
            label = display_url(target.websocket_url)
        else:
            candidates = urls.by_scenario.get(target.scenario, ()) if target.scenario is not None else ()
            url = display_url(candidates[0]) if len(candidates) == 1 else None
            label = url or (f"any of {len(candidates)} URLs" if candidates else "-")
        rows.append(TargetRow(target, url, label))
    return rows


def targets_table(result: Result, urls: AgentUrls = NO_PLAN) -> Table:
    """Passed/total, pass rate and 95 % interval per scenario and agent URL."""
    table = Table(title=f"Targets of result {result.id}")
    table.add_column("scenario", overflow="fold")
    table.add_column("agent URL", overflow="fold")
    table.add_column("passed", justify="right")
    table.add_column("pass rate", justify="right")
    table.add_column("95 % interval", justify="right")
    for row in target_rows(result, urls):
        table.add_row(
            cell(row.scenario_label),
            cell(row.url_label),
            row.counts,
            percent(row.stats.rate),
            row.interval_text,
        )
    return table


def markdown_targets(results: Sequence[Result], urls: AgentUrls = NO_PLAN) -> list[str]:
    """The Markdown lines of the per-target table (bounded), or none without runs."""
    rows = [(result, row) for result in results for row in target_rows(result, urls)]
    if not rows:
        return []
    lines = [
        "",
        "### Per scenario and agent URL",
        "",
        "| result | scenario | agent URL | passed / total | pass rate | 95 % interval |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for result, row in rows[:MAX_TARGET_ROWS]:
        lines.append(
            f"| {result.id} | {_cell(row.scenario_label)} | {_cell(row.url_label)} | {row.counts} "
            f"| {percent(row.stats.rate)} | {row.interval_text} |"
        )
    if len(rows) > MAX_TARGET_ROWS:
        lines += ["", f"*{len(rows) - MAX_TARGET_ROWS} more targets are left out.*"]
    return lines


def targets_document(result: Result, urls: AgentUrls = NO_PLAN) -> list[dict[str, Any]]:
    """``websocket_url`` is null when neither the runs nor the plan say which URL (the scenario ran
    against several: it is then one target); ``interval`` is the 95 % Wilson interval (0-1)."""
    return [
        {
            "scenario": row.stats.scenario,
            "scenario_name": row.stats.scenario_name,
            "websocket_url": row.url,
            "passed": row.stats.passed,
            "total": row.stats.total,
            "pass_rate": row.stats.rate,
            "interval": list(row.stats.interval),
        }
        for row in target_rows(result, urls)
    ]


def junit_properties(result: Result, urls: AgentUrls = NO_PLAN) -> list[tuple[str, str]]:
    """``target.SCENARIO @ URL`` = ``9/10 passed, 95 % interval 60-99 %`` per target (bounded)."""
    properties = []
    rows = target_rows(result, urls)
    for row in rows[:MAX_TARGET_ROWS]:
        scenario = row.stats.scenario if row.stats.scenario is not None else "-"
        properties.append(
            (
                f"target.{scenario} @ {row.url_label}",
                f"{row.counts} passed, 95 % interval {row.interval_text}",
            )
        )
    if len(rows) > MAX_TARGET_ROWS:
        properties.append(("targets_left_out", str(len(rows) - MAX_TARGET_ROWS)))
    return properties
