"""A comparison for people and machines: the terminal table, the Markdown summary, the JSON document.

Every text from outside (scenario names, URLs) is escaped for where it goes (rich markup,
Markdown) and bounded; URLs are shown by ``display_url`` (query values and credentials hidden).
"""

from __future__ import annotations

from typing import Any, Final

from rich.table import Table

from cekura_wrapper import TERMINAL_STATUSES, Change, Comparison, ComparisonRow, TargetStats, display_url

from .exit_codes import ExitCode
from .outside import cell
from .summary import _cell
from .verdict import percent

#: Rows of the Markdown table at most (the JSON document and the terminal list them all).
MAX_SUMMARY_ROWS: Final = 200
#: Characters of a scenario name shown in the table.
MAX_NAME: Final = 80

#: Worst first: what a reader must see is at the top.
_ORDER: Final = {
    Change.REGRESSED: 0,
    Change.REMOVED: 1,
    Change.NEW: 2,
    Change.IMPROVED: 3,
    Change.UNCHANGED: 4,
}
_STYLE: Final = {Change.REGRESSED: "bold red", Change.IMPROVED: "green", Change.REMOVED: "yellow"}
_MARK: Final = {Change.REGRESSED: "❌ ", Change.IMPROVED: "✅ ", Change.REMOVED: "⚠️ "}


def ordered(comparison: Comparison) -> list[ComparisonRow]:
    """The rows, regressions first, then by scenario and URL."""
    return sorted(comparison.rows, key=lambda row: _ORDER[row.verdict])


def _scenario(row: ComparisonRow) -> str:
    name = row.scenario_name or ""
    if len(name) > MAX_NAME:
        name = name[: MAX_NAME - 1] + "…"
    return f"{row.scenario if row.scenario is not None else '-'} {name}".strip()


def _url(row: ComparisonRow) -> str:
    return display_url(row.websocket_url) if row.websocket_url is not None else "any (not in Cekura's answer)"


def _counts(target: TargetStats | None) -> str:
    return f"{target.passed}/{target.total}" if target is not None else "-"


def _change(row: ComparisonRow) -> str:
    return "-" if row.difference is None else f"{row.difference * 100:+.1f} pp"


def _p_value(row: ComparisonRow) -> str:
    if row.p_value is None:
        return "-"
    return f"{row.p_value:.4f}" if row.p_value >= 0.0001 else "<0.0001"


def headline(comparison: Comparison, exit_ok: bool) -> str:
    """One line: which results, how many targets regressed, the overall rates."""
    regressed = len(comparison.regressed)
    what = (
        f"{regressed} of {len(comparison.rows)} target{'s' if len(comparison.rows) != 1 else ''} regressed"
        if regressed
        else f"no target regressed ({len(comparison.rows)} compared)"
    )
    rates = f"pass rate {percent(comparison.baseline_rate)} -> {percent(comparison.rate)}"
    state = "passed" if exit_ok else "failed"
    return (
        f"Result {comparison.result_id} against baseline {comparison.baseline_id}: {what}; {rates} "
        f"(alpha {comparison.alpha:g}); {state}"
    )


def comparison_table(comparison: Comparison) -> Table:
    table = Table(title=f"Result {comparison.result_id} against baseline {comparison.baseline_id}")
    table.add_column("scenario", overflow="fold")
    table.add_column("agent URL", overflow="fold")
    for name in ("baseline", "now", "change", "p-value"):
        table.add_column(name, justify="right")
    table.add_column("95 % interval now", justify="right")
    table.add_column("verdict")
    for row in ordered(comparison):
        interval = "-" if row.now is None else "{:.0%}-{:.0%}".format(*row.now.interval)
        style = _STYLE.get(row.verdict)
        verdict = f"[{style}]{row.verdict.value}[/]" if style else row.verdict.value
        table.add_row(
            cell(_scenario(row)),
            cell(_url(row)),
            _counts(row.baseline),
            _counts(row.now),
            _change(row),
            _p_value(row),
            interval,
            verdict,
        )
    return table


def unknown_url_note(comparison: Comparison) -> str | None:
    """What a reader must know when some scenarios could not be split by URL."""
    vague = sorted(
        {row.scenario for row in comparison.rows if row.websocket_url is None}, key=lambda s: s or 0
    )
    if not vague:
        return None
    shown = ", ".join(str(scenario) for scenario in vague[:10]) + (", ..." if len(vague) > 10 else "")
    return (
        f"Cekura's runs do not say which agent URL they talked to: scenario {shown} "
        "is compared as one target over all its URLs."
    )


def markdown_comparison(comparison: Comparison, exit_ok: bool) -> str:
    """The Markdown summary, ending with a newline; cells bounded and escaped, URLs masked."""
    mark = "✅ PASSED" if exit_ok else "❌ FAILED"
    lines = [f"## Cekura comparison: {mark}", "", _cell(headline(comparison, exit_ok)), ""]
    note = unknown_url_note(comparison)
    if note:
        lines += [f"*{_cell(note)}*", ""]
    lines += [
        "| scenario | agent URL | baseline | now | change | p-value | verdict |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    rows = ordered(comparison)
    for row in rows[:MAX_SUMMARY_ROWS]:
        lines.append(
            f"| {_cell(_scenario(row))} | {_cell(_url(row))} | {_counts(row.baseline)} | {_counts(row.now)} "
            f"| {_change(row)} | {_p_value(row)} | {_MARK.get(row.verdict, '')}{row.verdict.value} |"
        )
    if len(rows) > MAX_SUMMARY_ROWS:
        lines += ["", f"*{len(rows) - MAX_SUMMARY_ROWS} more targets are left out.*"]
    return "\n".join(lines) + "\n"


def _interval(target: TargetStats | None) -> list[float] | None:
    return list(target.interval) if target is not None else None


def comparison_document(comparison: Comparison, *, exit_code: int, verdict: str) -> dict[str, Any]:
    """``rows`` carry the counts, the p-value and the verdict of each target; ``websocket_url`` is
    null when Cekura's runs do not name it (the scenario is then one target)."""
    return {
        "kind": "comparison",
        "result_id": comparison.result_id,
        "baseline_id": comparison.baseline_id,
        "status": comparison.status,
        "baseline_status": comparison.baseline_status,
        "alpha": comparison.alpha,
        "passed": comparison.passed,
        "total": comparison.total,
        "baseline_passed": comparison.baseline_passed,
        "baseline_total": comparison.baseline_total,
        "pass_rate": comparison.rate,
        "baseline_pass_rate": comparison.baseline_rate,
        "counts": {change.value: comparison.count(change) for change in Change},
        "verdict": verdict,
        "exit_code": exit_code,
        "rows": [
            {
                "scenario": row.scenario,
                "scenario_name": row.scenario_name,
                "websocket_url": display_url(row.websocket_url) if row.websocket_url is not None else None,
                "baseline_passed": row.baseline_passed,
                "baseline_total": row.baseline_total,
                "passed": row.passed,
                "total": row.total,
                "difference": row.difference,
                "p_value": row.p_value,
                "verdict": row.verdict.value,
                "interval": _interval(row.now),
                "baseline_interval": _interval(row.baseline),
            }
            for row in comparison.rows
        ],
    }


def judge_comparison(comparison: Comparison) -> tuple[ExitCode, str]:
    """Exit 1 when a target regressed significantly, or the new result ended other than
    ``completed``; else 0. New, removed and improved targets never fail the comparison."""
    regressed = comparison.regressed
    if regressed:
        shown = ", ".join(
            f"{row.scenario}" + (f" at {display_url(row.websocket_url)}" if row.websocket_url else "")
            for row in regressed[:5]
        )
        more = f" and {len(regressed) - 5} more" if len(regressed) > 5 else ""
        noun = "target" if len(regressed) == 1 else "targets"
        return ExitCode.EVALUATION_FAILED, f"{len(regressed)} {noun} regressed: scenario {shown}{more}"
    if comparison.status != "completed" and comparison.status in TERMINAL_STATUSES:
        return ExitCode.EVALUATION_FAILED, f"result {comparison.result_id} ended {comparison.status}"
    return ExitCode.OK, "no target regressed significantly"
