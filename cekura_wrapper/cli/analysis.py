"""Cekura's own analysis of a result (``ai_summary``, ``failed_reasons``) in the reports: a section
of the Markdown summary and one line per result on the terminal. All of it is outside text:
bounded, on one line, secrets removed, URLs masked and (in Markdown) escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cekura_wrapper import Result
from cekura_wrapper.display import markdown_text

from .outside import outside

#: Characters of one analysis text at most (the summary line, why, how to fix, a reason).
MAX_ANALYSIS_TEXT = 600
#: Failure reasons listed per result at most; the rest are counted.
MAX_REASONS = 10
#: Results whose analysis the summary shows at most.
MAX_ANALYSED_RESULTS = 20


def _markdown(text: str | None) -> str:
    return markdown_text(outside(" ".join((text or "").split()), limit=MAX_ANALYSIS_TEXT))


def _label(result_id: int, names: Mapping[int, str]) -> str:
    name = names.get(result_id)
    return f"result {result_id}" if name is None else f"{outside(name, limit=100)} (result {result_id})"


def has_analysis(result: Result) -> bool:
    summary, reasons = result.ai_summary, result.failed_reasons
    return bool(summary and summary.what_happened) or bool(reasons and reasons.issues)


def markdown_analysis(results: Sequence[Result], names: Mapping[int, str] | None = None) -> list[str]:
    """The ``Cekura's analysis`` section: per result, the summary, why and how to fix, and the
    failed runs grouped by reason (most runs first); no lines when Cekura analysed none."""
    names = names or {}
    analysed = [result for result in results if has_analysis(result)]
    if not analysed:
        return []
    lines = ["", "### Cekura's analysis", ""]
    for result in analysed[:MAX_ANALYSED_RESULTS]:
        lines.append(f"#### {markdown_text(_label(result.id, names))}")
        lines.append("")
        summary = result.ai_summary
        if summary is not None:
            for heading, text in (
                ("Summary", summary.what_happened),
                ("Why", summary.why_it_happened),
                ("How to fix", summary.how_to_fix),
            ):
                if text:
                    lines.append(f"- {heading}: {_markdown(text)}")
        reasons = result.failed_reasons
        if reasons is not None and reasons.issues:
            issues = sorted(reasons.issues, key=lambda issue: (issue.rank is None, issue.rank or 0))
            total = reasons.total_failed_runs
            lines += [
                "",
                f"| why runs failed{f' ({total} failed runs)' if total is not None else ''} | runs |",
            ]
            lines.append("|---|---:|")
            for issue in issues[:MAX_REASONS]:
                count = issue.affected_count if issue.affected_count is not None else len(issue.run_ids)
                lines.append(f"| {_markdown(issue.description) or '-'} | {count} |")
            if len(issues) > MAX_REASONS:
                lines.append(f"| {len(issues) - MAX_REASONS} more reasons | |")
        lines.append("")
    if len(analysed) > MAX_ANALYSED_RESULTS:
        lines.append(
            f"*Cekura's analysis of {len(analysed) - MAX_ANALYSED_RESULTS} more results is left out.*"
        )
    return lines


def terminal_analysis(results: Sequence[Result], names: Mapping[int, str] | None = None) -> list[str]:
    """One line per result Cekura summarised: ``Cekura's analysis of result 12: ...``."""
    names = names or {}
    lines = []
    for result in results:
        summary = result.ai_summary
        if summary is not None and summary.what_happened:
            text = outside(" ".join(summary.what_happened.split()), limit=MAX_ANALYSIS_TEXT)
            lines.append(f"Cekura's analysis of {_label(result.id, names)}: {text}")
    return lines
