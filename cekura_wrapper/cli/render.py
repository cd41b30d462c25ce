"""What people see: tables on stdout, notes and progress on stderr, or one JSON document with ``--json``.

The progress shown while a result runs is ``progress.py``'s.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from cekura_wrapper import (
    AGENT_URL,
    PreflightResult,
    Result,
    display_url,
    guarded_lines,
    mask_urls,
    visible,
    without_secrets,
)

from .agent_urls import NO_PLAN, AgentUrls
from .documents import run_endpoint, shown_body
from .inputs import Batch
from .mock_tools import describe as describe_mock_tools
from .outside import GuardedStream, cell, outside, secrets_in_use
from .verdict import pass_rate, percent

#: Width of tables when the output is not a terminal and ``COLUMNS`` is unset (CI logs are wide).
PLAIN_WIDTH = 160


def _console(*, stderr: bool) -> Console:
    # The stream resolves sys.stdout/sys.stderr at print time and keeps lines from starting a
    # workflow command.
    stream: Any = GuardedStream((lambda: sys.stderr) if stderr else (lambda: sys.stdout))
    console = Console(file=stream, highlight=False, soft_wrap=False, emoji=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(file=stream, highlight=False, soft_wrap=False, emoji=False, width=PLAIN_WIDTH)
    return console


def _one_line(text: str) -> Text:
    """One line of ours, which may quote outside text: secrets removed, URLs masked, controls and
    line breaks visible, never markup."""
    return Text(visible(mask_urls(without_secrets(text, secrets_in_use()))))


class Output:
    """Where each kind of output goes; in JSON mode stdout carries only the one document."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.out = _console(stderr=False)
        self.err = _console(stderr=True)

    def show(self, renderable: RenderableType) -> None:
        """A table or summary for people (stdout; suppressed in JSON mode)."""
        if not self.json_mode:
            self.out.print(renderable)

    def line(self, text: str) -> None:
        """A plain line of the human report (stdout; suppressed in JSON mode). Never markup; URLs
        in it are shown by ``display_url``, like everywhere else."""
        if not self.json_mode:
            self.out.print(_one_line(text), soft_wrap=True)

    def lines(self, text: str) -> None:
        """Several lines of ours (``text`` split at its line breaks), each shown like ``line``."""
        for line in text.split("\n"):
            self.line(line)

    def note(self, text: str, *, style: str | None = None) -> None:
        """A log line (stderr, in every mode). Never markup, so ``[0]`` prints as written; URLs in it
        (an API error may quote one) are shown by ``display_url``."""
        self.err.print(_one_line(text), style=style, soft_wrap=True)

    def command(self, line: str) -> None:
        """A workflow command for the CI runner (``::error ...``), printed as is on one line: on
        stdout, or on stderr in JSON mode (GitHub reads commands from both), so the document stays alone."""
        stream = sys.stderr if self.json_mode else sys.stdout
        print(line, file=stream, flush=True)

    def document(self, document: Mapping[str, Any]) -> None:
        """The JSON document (stdout; JSON mode only)."""
        if self.json_mode:
            text = json.dumps(_without_secrets(document, secrets_in_use()), indent=2)
            # ``##[`` starts a (legacy) workflow command anywhere in a line; inside a JSON string
            # ``\u0023`` is the same ``#``.
            print(guarded_lines(text.replace("##[", "#\\u0023[")), flush=True)


def _without_secrets(value: Any, secrets: Sequence[str]) -> Any:
    """Every string of a JSON document (keys too) without ``secrets``, in any encoding."""
    if isinstance(value, str):
        return without_secrets(value, secrets)
    if isinstance(value, dict):
        return {
            _without_secrets(key, secrets): _without_secrets(item, secrets) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_without_secrets(item, secrets) for item in value]
    return value


def plan_table(batch: Batch) -> Table:
    table = Table(title="Run plan")
    table.add_column("#", justify="right")
    table.add_column("scenario", justify="right")
    table.add_column("websocket URL", overflow="fold")
    table.add_column("from", overflow="fold")
    for number, located in enumerate(batch.targets, start=1):
        url = located.target.websocket_url
        url = AGENT_URL if url is None else display_url(url)
        table.add_row(str(number), str(located.target.scenario), cell(url), cell(located.where))
    return table


def plan_summary(batch: Batch) -> str:
    plan = batch.plan()
    agent = f", agent {plan.agent}" if plan.agent is not None else ""
    return (
        f"{len(plan.scenarios)} scenario{'s' if len(plan.scenarios) != 1 else ''} x frequency "
        f"{plan.frequency} = {plan.run_count} run{'s' if plan.run_count != 1 else ''}{agent}\n"
        f"{describe_mock_tools(plan.mock_tool_names)}\n"
        f"{' '.join(run_endpoint(plan))}\n{json.dumps(shown_body(plan), indent=2)}"
    )


def runs_table(result: Result, urls: AgentUrls = NO_PLAN) -> Table:
    table = Table(title=f"Runs of result {result.id}")
    table.add_column("run", justify="right")
    table.add_column("scenario", overflow="fold")
    table.add_column("agent URL", overflow="fold")
    table.add_column("status")
    table.add_column("success")
    table.add_column("error", overflow="fold", ratio=1)
    for run in sorted(result.runs, key=lambda run: run.id or 0):
        success = {True: "[green]yes[/]", False: "[red]no[/]", None: "-"}[run.success]
        table.add_row(
            str(run.id if run.id is not None else "-"),
            cell(f"{run.scenario} {run.scenario_name or ''}".strip()),
            cell(urls.label(run) or "-"),
            cell(run.status or "-"),
            success,
            cell(run.error_message or ""),
        )
    return table


def results_table(results: Sequence[Result]) -> Table:
    """Recent results, newest first (``cekura-ws results``)."""
    table = Table(title="Recent results")
    for name in ("result", "created", "status", "agent", "passed / total"):
        table.add_column(name, justify="right" if name in ("result", "passed / total") else "left")
    for result in results:
        created, agent = result.raw.get("created_at"), result.raw.get("agent")
        table.add_row(
            str(result.id),
            cell(str(created) if created else "-", limit=32),
            cell(result.status, limit=32),
            str(agent) if isinstance(agent, int) else "-",
            f"{result.success_runs} / {result.total_runs}",
        )
    return table


def result_summary(result: Result) -> str:
    return (
        f"Result {result.id}: {outside(result.status, limit=64)}; runs {result.total_runs}, done {result.completed_runs}, "
        f"succeeded {result.success_runs}, failed {result.failed_runs}; pass rate {percent(pass_rate(result))}"
    )


def preflight_table(results: Sequence[PreflightResult]) -> Table:
    table = Table(title="Pre-flight check of agent URLs")
    table.add_column("websocket URL", overflow="fold")
    table.add_column("check")
    table.add_column("greeted first")
    table.add_column("round trip", justify="right")
    table.add_column("problem", overflow="fold", ratio=1)
    for result in results:
        check = (
            Text("ok", style="green")
            if result.ok
            else Text.assemble(("failed", "red"), f" ({outside(result.failure)})")
        )
        greeted = {True: "yes", False: "no", None: "-"}[result.greeted]
        round_trip = f"{result.round_trip * 1000:.1f} ms" if result.round_trip is not None else "-"
        url = display_url(result.url)
        table.add_row(cell(url), check, greeted, round_trip, cell(result.problem or ""))
    return table
