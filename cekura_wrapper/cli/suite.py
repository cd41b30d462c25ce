"""``plan`` and ``run --wait`` for a batch file with ``groups:``: the schedule, live progress per
group, and reports that cover every group (skipped ones included)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import attrs
import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cekura_wrapper import CekuraClient, GroupOutcome, SuiteGroup, SuiteResult, SuiteSchedule, mask_urls

from .agent_urls import NO_PLAN
from .exit_codes import ExitCode
from .groups import group_document, group_rows
from .inputs import SuiteInput
from .junit import build_report, shown_tree
from .links import ReportLinks, with_shares
from .outside import cell, outside
from .render import Output
from .reports import Reports, write_reports
from .stopping import Terminated
from .verdict import Verdict, judge


def schedule_of(suite: SuiteInput) -> SuiteSchedule:
    return SuiteSchedule([batch.plan().run_count for _, batch in suite.groups], suite.concurrency)


def plan_suite(output: Output, suite: SuiteInput) -> None:
    """Each group's runs and slots, which groups start together, and the peak calls in flight."""
    schedule = schedule_of(suite)
    wave_of = {index: number for number, wave in enumerate(schedule.waves(), start=1) for index in wave}
    table = Table(title=Text(f"Suite {outside(suite.path)}"))
    for column in ("group", "runs", "slots", "starts in wave", "mock tools"):
        table.add_column(column)
    for index, (name, batch) in enumerate(suite.groups):
        tools = short_mock_tools(batch.plan().mock_tool_names)
        table.add_row(
            cell(name),
            str(schedule.runs[index]),
            str(schedule.slots[index]),
            str(wave_of[index]),
            cell(tools),
        )
    output.show(table)
    budget = "no limit" if suite.concurrency is None else str(suite.concurrency)
    output.line(
        f"{len(suite.groups)} groups, {sum(schedule.runs)} runs; concurrency {budget}; "
        f"at most {schedule.peak_calls()} call slots reserved at once: a group starts only when its "
        "slots fit in what the concurrency has left. How many calls of one result run at once is "
        "up to Cekura's own organisation limit, not this budget."
    )
    output.document(
        {
            "kind": "suite_plan",
            "concurrency": suite.concurrency,
            "peak_calls": schedule.peak_calls(),
            "waves": [[suite.groups[index][0] for index in wave] for wave in schedule.waves()],
            "groups": [
                {
                    "name": name,
                    "runs": schedule.runs[i],
                    "slots": schedule.slots[i],
                    "wave": wave_of[i],
                    "mock_tool_names": _listed(batch.plan().mock_tool_names),
                }
                for i, (name, batch) in enumerate(suite.groups)
            ],
        }
    )


def short_mock_tools(names: tuple[str, ...] | None) -> str:
    """A table cell: ``agent's`` (every configured tool), ``none`` or the names."""
    if names is None:
        return "agent's"
    return ", ".join(names) if names else "none"


def _listed(names: tuple[str, ...] | None) -> list[str] | None:
    return None if names is None else list(names)


class _Progress:
    """One plain line per group whenever its state, status or finished count changes."""

    def __init__(self, output: Output) -> None:
        self._output = output
        self._last: dict[str, tuple[object, ...]] = {}

    def close(self) -> None:
        pass

    def __call__(self, outcome: GroupOutcome) -> None:
        result = outcome.result
        key = (outcome.state, result and result.status, result and result.completed_runs, outcome.calls_ended)
        if self._last.get(outcome.name) == key:
            return
        self._last[outcome.name] = key
        text = f"group {outcome.name}: {outcome.state}"
        if outcome.result_id is not None:
            text += f", result {outcome.result_id}"
        if result is not None:
            text += f" {result.status}, {result.completed_runs} of {result.total_runs} runs done"
        if outcome.calls_ended:
            text += "; calls ended"
        self._output.note(text)


class _LiveProgress:
    """On an interactive terminal: one bar per group (state, runs done of total, elapsed)."""

    def __init__(self, console: Console, names: Sequence[str]) -> None:
        self._progress = Progress(
            TextColumn("{task.fields[group]}", markup=False),
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks = {
            name: self._progress.add_task("pending", total=None, group=outside(name)) for name in names
        }
        self._progress.start()
        self._running = True

    def __call__(self, outcome: GroupOutcome) -> None:
        result = outcome.result
        status = (
            f"{outcome.state} ({outside(result.status, limit=64)})" if result is not None else outcome.state
        )
        self._progress.update(
            self._tasks[outcome.name],
            description=f"{status:<22}",
            completed=result.completed_runs if result is not None else 0,
            total=(result.total_runs if result is not None else outcome.runs) or None,
        )

    def close(self) -> None:
        if self._running:
            self._running = False
            self._progress.stop()


def _progress(output: Output, names: Sequence[str]) -> _LiveProgress | _Progress:
    """Bars on an interactive terminal, plain lines otherwise and whenever ``$CI`` is set."""
    if output.err.is_interactive and not os.environ.get("CI"):
        return _LiveProgress(output.err, names)
    return _Progress(output)


def run_suite(
    output: Output,
    client: CekuraClient,
    suite: SuiteInput,
    *,
    timeout: float,
    keep_running: bool,
    reports: Reports,
    fail_under: float | None,
) -> NoReturn:
    """Run every group, report all of them, and exit: 0 all passed, 1 not, 4 timeout, 130/143."""
    groups = [
        SuiteGroup(
            name,
            batch.plan().scenarios,
            batch.plan().frequency,
            batch.plan().agent,
            batch.plan().mock_tool_names,
        )
        for name, batch in suite.groups
    ]
    code: ExitCode | None = None
    view = _progress(output, [group.name for group in groups])
    try:
        result = client.run_suite(
            groups,
            concurrency=suite.concurrency,
            timeout=timeout,
            end_calls_on_stop=not keep_running,
            on_progress=view,
        )
    except KeyboardInterrupt as exc:
        attached = getattr(exc, "suite_result", None)
        if not isinstance(attached, SuiteResult):
            raise
        result = attached
        code = ExitCode.TERMINATED if isinstance(exc, Terminated) else ExitCode.INTERRUPTED
    finally:
        view.close()
    if code is None and result.stopped == "timeout":
        code = ExitCode.WAIT_TIMEOUT
    ids = [group.result_id for group in result.groups if group.result_id is not None]
    reports = attrs.evolve(reports, links=with_shares(output, client, reports.links, ids))
    report_suite(output, result, reports=reports, fail_under=fail_under, code=code, keep_running=keep_running)


def suite_verdict(result: SuiteResult, fail_under: float | None) -> Verdict:
    """Passed when ``SuiteResult.passes(fail_under)``; the figures and the reason are ``judge``'s
    over the groups' results, the groups that did not finish named first.

    ``total_runs`` counts every planned run, those of groups that never started (skipped) or whose
    request failed included, so ``passed_runs / total_runs`` never looks better than the suite did."""
    verdict = attrs.evolve(judge(result.results, fail_under), passed=result.passes(fail_under))
    planned = sum(group.result.total_runs if group.result else group.runs for group in result.groups)
    if planned != verdict.total_runs:
        rate = None if verdict.pass_rate is None or planned <= 0 else verdict.passed_runs / planned
        verdict = attrs.evolve(verdict, total_runs=planned, pass_rate=rate)
    unfinished = [group.name for group in result.groups if group.state not in ("passed", "failed")]
    if not unfinished:
        return verdict
    return attrs.evolve(
        verdict,
        reason=f"{len(unfinished)} of {len(result.groups)} groups did not finish ({', '.join(unfinished)}); "
        + verdict.reason,
    )


def report_suite(
    output: Output,
    result: SuiteResult,
    *,
    reports: Reports,
    fail_under: float | None,
    code: ExitCode | None,
    keep_running: bool,
) -> NoReturn:
    verdict = suite_verdict(result, fail_under)
    table = Table(title="Suite")
    for column in ("group", "result", "state", "status", "passed / total", "calls ended"):
        table.add_column(column)
    for group in result.groups:
        run = group.result
        table.add_row(
            cell(group.name),
            str(group.result_id or "-"),
            cell(group.state),
            cell(run.status if run else "-"),
            f"{run.success_runs} / {run.total_runs}" if run else "-",
            "yes" if group.calls_ended else "-",
        )
    output.show(table)
    for group in result.groups:
        if group.error is not None and group.state == "error":
            output.note(f"group {group.name}: {mask_urls(str(group.error))}", style="red")
    running = [g for g in result.groups if g.state == "timeout" and not g.calls_ended]
    if running and keep_running:
        for group in running:
            output.note(f"group {group.name} keeps running: resume with: cekura-ws watch {group.result_id}")
    final = code if code is not None else verdict.exit_code
    output.note(verdict.headline, style="red" if not verdict.passed else "green")
    rows = group_rows(result, fail_under)
    errors = write_reports(output, verdict, result.results, attrs.evolve(reports, junit=None), groups=rows)
    if reports.junit is not None:
        try:
            write_suite_junit(result, reports.junit, reports.links)
            output.note(f"JUnit report written to {reports.junit}")
        except OSError as exc:
            errors["junit"] = f"could not write the JUnit report {reports.junit}: {exc.strerror or exc}"
            output.note(f"Error: {errors['junit']}", style="bold red")
    output.document(suite_document(result, verdict, final, errors, reports.links))
    raise click.exceptions.Exit(int(final))


def suite_document(
    result: SuiteResult,
    verdict: Verdict,
    code: ExitCode,
    errors: dict[str, str],
    links: ReportLinks | None = None,
) -> dict[str, Any]:
    """The same top-level keys as a single result's document (``passed``, ``pass_rate``,
    ``result_ids``, ``total_runs``, ``passed_runs``) plus ``groups``, whose counts use the same names."""
    links = links or ReportLinks()
    document: dict[str, Any] = {
        "kind": "suite",
        "passed": verdict.passed,
        "verdict": verdict.reason,
        "exit_code": int(code),
        "stopped": result.stopped,
        "concurrency": result.concurrency,
        "result_ids": list(verdict.result_ids),
        "total_runs": verdict.total_runs,
        "passed_runs": verdict.passed_runs,
        "pass_rate": verdict.pass_rate,
        "groups": [
            group_document(row)
            | {
                "calls_ended": group.calls_ended,
                "error": mask_urls(str(group.error)) if group.error is not None else None,
            }
            | links.fields(row.result_id)
            for row, group in zip(group_rows(result, verdict.fail_under), result.groups, strict=True)
        ],
    }
    if errors:
        document["report_errors"] = errors
    return document


def write_suite_junit(result: SuiteResult, path: Path, links: ReportLinks | None = None) -> None:
    """One ``<testsuite>`` per group, named after it (a group without a result gets one skipped or
    error case); a group's result carries its ``dashboard_url`` property with a project id."""
    root = ET.Element("testsuites", name="cekura-ws")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for group in result.groups:
        if group.result is not None:
            extra = [("group", group.name), *(links or ReportLinks()).junit_properties(group.result.id)]
            suite = build_report(group.result, NO_PLAN, extra).getroot()[0]
        else:
            suite = ET.Element("testsuite", tests="1", failures="0", time="0.000")
            case = ET.SubElement(
                suite, "testcase", name=f"group {group.name}", classname="cekura.suite", time="0.000"
            )
            if group.state == "skipped":
                ET.SubElement(case, "skipped", message="the group never started (the suite stopped first)")
                suite.set("skipped", "1")
                suite.set("errors", "0")
            else:
                message = mask_urls(str(group.error)) if group.error is not None else group.state
                ET.SubElement(case, "error", message=message, type=group.state)
                suite.set("errors", "1")
                suite.set("skipped", "0")
        suite.set("name", f"{group.name}" + (f" (result {group.result_id})" if group.result_id else ""))
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        seconds += float(suite.get("time", "0"))
        root.append(suite)
    root.attrib.update({key: str(value) for key, value in totals.items()} | {"time": f"{seconds:.3f}"})
    shown_tree(root)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
