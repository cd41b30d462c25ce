"""Every report written once the verdict is known: JUnit, the Markdown summary, GitHub's step
summary, outputs and annotations. A write that fails is reported and returned; it never changes
the exit code (the verdict's)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import attrs

from cekura_wrapper import Result

from .agent_urls import NO_PLAN, AgentUrls
from .analysis import terminal_analysis
from .github import append_summary, run_annotations, step_outputs, write_outputs
from .groups import GroupRow, names_by_result
from .junit import Rerun, write_report
from .links import ReportLinks, current_links
from .render import Output
from .summary import markdown_summary
from .verdict import Verdict


@attrs.frozen
class Reports:
    """What to write: ``--junit``, ``--summary`` and whether GitHub's files may be used."""

    junit: Path | None = None
    summary: Path | None = None
    #: ``--no-summary``: leave ``$GITHUB_STEP_SUMMARY`` alone.
    step_summary: bool = True
    #: ``--project-id`` and ``--share-links`` (read from the running command when not given).
    links: ReportLinks = attrs.field(factory=current_links)


def _attempt(output: Output, what: str, path: Path, write: Callable[[], None]) -> str | None:
    try:
        write()
    except OSError as exc:
        error = f"could not write the {what} {path}: {exc.strerror or exc}"
        output.note(f"Error: {error} (the exit code is still the verdict's)", style="bold red")
        return error
    return None


def _replace(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_reports(
    output: Output,
    verdict: Verdict,
    results: Sequence[Result],
    reports: Reports,
    *,
    urls: AgentUrls = NO_PLAN,
    environ: Mapping[str, str] | None = None,
    extra_markdown: str = "",
    junit_properties: Sequence[tuple[str, str]] = (),
    reruns: Mapping[int, Rerun] | None = None,
    groups: Sequence[GroupRow] = (),
) -> dict[str, str]:
    """Write every report asked for; the errors, keyed by report (``junit``, ``summary``, ...).
    ``extra_markdown`` is appended to the summary (the comparison with a baseline, the retries);
    ``junit_properties`` are added to the JUnit report's; ``groups`` names a suite's results.
    The terminal gets each result's links and Cekura's summary line first."""
    environ = os.environ if environ is None else environ
    errors: dict[str, str] = {}
    names = names_by_result(groups)
    links = reports.links
    for line in links.terminal_lines([result.id for result in results], names):
        output.note(line)
    for line in terminal_analysis(results, names):
        output.note(line)
    if reports.junit is not None and len(results) == 1:
        junit, result = reports.junit, results[0]
        properties = [*junit_properties, *links.junit_properties(result.id)]
        error = _attempt(
            output, "JUnit report", junit, lambda: write_report(result, junit, urls, properties, reruns)
        )
        if error:
            errors["junit"] = error
        else:
            output.note(f"JUnit report written to {junit}")
    markdown = markdown_summary(verdict, results, urls, links=links, groups=groups) + extra_markdown
    if reports.summary is not None:
        summary = reports.summary
        error = _attempt(output, "Markdown summary", summary, lambda: _replace(summary, markdown))
        if error:
            errors["summary"] = error
        else:
            output.note(f"Markdown summary written to {summary}")
    step_summary = environ.get("GITHUB_STEP_SUMMARY")
    if reports.step_summary and step_summary:
        target = Path(step_summary)
        error = _attempt(output, "job summary", target, lambda: append_summary(target, markdown))
        if error:
            errors["step_summary"] = error
    github_output = environ.get("GITHUB_OUTPUT")
    if github_output:
        target = Path(github_output)
        error = _attempt(
            output, "step outputs", target, lambda: write_outputs(target, step_outputs(verdict, groups))
        )
        if error:
            errors["outputs"] = error
    if environ.get("GITHUB_ACTIONS") == "true":
        for line in run_annotations(results, urls, names):
            output.command(line)
    return errors
