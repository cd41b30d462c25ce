"""The Markdown job summary: the verdict first, a row per result, then every run that did not pass.

GitHub-flavoured Markdown, as ``$GITHUB_STEP_SUMMARY`` shows it (about 1 MiB per step at most):
tables are capped and every cell is bounded, escaped and has its URLs masked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from cekura_wrapper import Result, Run
from cekura_wrapper.display import markdown_text

from .agent_urls import NO_PLAN, AgentUrls
from .analysis import markdown_analysis
from .groups import GroupRow, names_by_result
from .links import ReportLinks
from .outside import outside
from .verdict import Verdict, pass_rate, percent

#: Rows of the failed-runs table at most; the rest are counted, not listed.
MAX_RUN_ROWS = 100
#: Characters of one table cell at most (Cekura's error messages can be long).
MAX_CELL = 300


def _cell(text: str) -> str:
    """One table cell: bounded, on one line, the key removed, URLs masked (by ``outside``), and
    escaped so it cannot form a link, an image, emphasis, HTML or a table break."""
    return markdown_text(outside(" ".join(text.split()), limit=MAX_CELL)) or "-"


def _duration(result: Result) -> str:
    """From creation to the last update, for a finished result; ``-`` when unknown."""
    created, updated = result.raw.get("created_at"), result.raw.get("updated_at")
    if not result.is_terminal or not isinstance(created, str) or not isinstance(updated, str):
        return "-"
    try:
        seconds = (datetime.fromisoformat(updated) - datetime.fromisoformat(created)).total_seconds()
    except (ValueError, TypeError):
        return "-"
    if seconds < 0:
        return "-"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02d}s" if minutes else f"{rest}s"


def _result_cell(result_id: int, names: Mapping[int, str]) -> str:
    """``12`` or, in a suite, ``smoke (12)``: the group's name escaped."""
    name = names.get(result_id)
    return str(result_id) if name is None else f"{_cell(name)} ({result_id})"


def _group_rows(groups: Sequence[GroupRow], links: ReportLinks) -> list[str]:
    """A suite's table: one row per group, named, whether or not it got a result."""
    lines = [
        "| group | result | state | passed / total | pass rate | duration | on Cekura |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for row in groups:
        result = row.result
        counts = f"{result.success_runs} / {result.total_runs}" if result else f"0 / {row.total_runs}"
        lines.append(
            f"| {_cell(row.name)} | {row.result_id or '-'} | {_cell(row.state)} | {counts} "
            f"| {percent(pass_rate(result)) if result else '-'} | {_duration(result) if result else '-'} "
            f"| {links.markdown_cell(row.result_id)} |"
        )
    return lines


def reason(run: Run) -> str:
    """Why a run did not pass, in Cekura's words when it gave some."""
    if run.error_message:
        return run.error_message
    if run.success is False:
        return "did not meet its expected outcome (no error message)"
    return f"no outcome (run status {run.status or 'unknown'})"


def failed_runs(results: Sequence[Result]) -> list[tuple[Result, Run]]:
    """Every run that did not pass, result by result, in run id order."""
    return [
        (result, run)
        for result in results
        for run in sorted(result.runs, key=lambda run: run.id or 0)
        if run.success is not True
    ]


def markdown_summary(
    verdict: Verdict,
    results: Sequence[Result],
    urls: AgentUrls = NO_PLAN,
    *,
    title: str = "Cekura websocket runs",
    links: ReportLinks | None = None,
    groups: Sequence[GroupRow] = (),
) -> str:
    """The whole report, ending with a newline (so appended reports stay apart). ``groups``: a
    suite's groups, which then name the rows (skipped groups included); ``links``: each result's
    dashboard page (with a project id) and shareable link."""
    mark = "✅ PASSED" if verdict.passed else "❌ FAILED"
    lines = [f"## {title}: {mark}", "", _cell(verdict.headline.split(": ", 1)[1]), ""]
    names = names_by_result(groups)
    links = links or ReportLinks()
    if groups:
        lines += _group_rows(groups, links)
    else:
        lines += [
            "| result | status | passed / total | pass rate | duration | on Cekura |",
            "|---:|---|---:|---:|---:|---|",
        ]
        for result in results:
            lines.append(
                f"| {result.id} | {_cell(result.status)} | {result.success_runs} / {result.total_runs} "
                f"| {percent(pass_rate(result))} | {_duration(result)} | {links.markdown_cell(result.id)} |"
            )
    notes = links.markdown_notes()
    if notes:
        lines += ["", *notes]
    lines += markdown_analysis(results, names)
    from .target_report import markdown_targets  # it builds its cells with ``_cell``

    lines += markdown_targets(results, urls)
    failed = failed_runs(results)
    if failed:
        lines += ["", f"### Runs that did not pass ({len(failed)})", ""]
        shared = Counter(reason(run) for _, run in failed)
        if len(failed) > 1 and len(shared) < len(failed):
            lines += ["| reason | runs |", "|---|---:|"]
            lines += [f"| {_cell(text)} | {count} |" for text, count in shared.most_common(20)]
            if len(shared) > 20:
                lines.append(f"| *{len(shared) - 20} more reasons* | |")
            lines.append("")
        lines += ["| result | run | scenario | agent URL | reason |", "|---|---:|---|---|---|"]
        by_reason = sorted(failed, key=lambda pair: (-shared[reason(pair[1])], reason(pair[1])))
        for result, run in by_reason[:MAX_RUN_ROWS]:
            scenario = f"{run.scenario} {run.scenario_name or ''}".strip() or "-"
            lines.append(
                f"| {_result_cell(result.id, names)} | {run.id if run.id is not None else '-'} | {_cell(scenario)} "
                f"| {_cell(urls.label(run) or '-')} | {_cell(reason(run))} |"
            )
        if len(failed) > MAX_RUN_ROWS:
            lines += ["", f"*{len(failed) - MAX_RUN_ROWS} more runs that did not pass are left out.*"]
    return "\n".join(lines) + "\n"
