"""``make demo``: the whole job offline, through the public client.

Starts the emulator, a helpful and a flaky test agent, and picks a closed loopback port as an
unreachable agent; submits one bulk run (several scenarios, frequency 2), shows live progress,
then a table of runs and a summary. No API key or network beyond 127.0.0.1 is needed: the
emulator has its own key. Run it with ``python -m cekura_wrapper.testing.demo``.
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Mapping

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cekura_wrapper import CekuraClient, Result
from cekura_wrapper._validation import mask_urls
from cekura_wrapper.testing.agents import AgentThread
from cekura_wrapper.testing.emulator import CekuraEmulator

FREQUENCY = 2
#: Which scenarios each agent gets; the unreachable one shows how a dead URL is reported.
PLAN: tuple[tuple[int, str], ...] = (
    (101, "helpful"),
    (102, "helpful"),
    (103, "helpful"),
    (101, "flaky"),
    (102, "flaky"),
    (104, "unreachable"),
)


def closed_loopback_url() -> str:
    """A ws:// URL on a loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"ws://127.0.0.1:{port}/"


def run_demo(console: Console) -> Result:
    """Run the demo batch and render it; returns the final result."""
    with (
        CekuraEmulator() as emulator,
        AgentThread("helpful") as helpful,
        AgentThread("flaky") as flaky,
        CekuraClient(
            emulator.api_key, base_url=emulator.base_url, poll_interval=0.1, max_poll_interval=0.25
        ) as client,
    ):
        urls = {"helpful": helpful.url, "flaky": flaky.url, "unreachable": closed_loopback_url()}
        console.print(
            f"[bold]Cekura emulator[/] at {emulator.base_url} (its own API key; nothing leaves 127.0.0.1)"
        )
        for name, url in urls.items():
            console.print(f"  agent [cyan]{name:<11}[/] {url}")
        started = time.monotonic()
        submission = client.run_scenarios(
            [(scenario, urls[agent]) for scenario, agent in PLAN], frequency=FREQUENCY
        )
        console.print(
            f"Submitted result {submission.result_id}: {len(PLAN)} scenarios x frequency {FREQUENCY}"
            f" = {submission.run_count} runs"
        )
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("pending", total=submission.run_count)

            def show(result: Result) -> None:
                progress.update(task, completed=result.completed_runs, description=f"{result.status:<10}")

            result = client.wait_for_result(submission.result_id, timeout=60, on_progress=show)
        labels = agents_by_run(result, urls)
        if console.is_terminal:
            console.print(runs_table(result, labels))
        else:  # piped or in a CI log: one line per run at any width
            for line in run_lines(result, labels):
                console.print(line, markup=False, highlight=False, soft_wrap=True)
        console.print(summary(result, time.monotonic() - started), soft_wrap=True)
        return result


def agents_by_run(result: Result, urls: Mapping[str, str]) -> dict[int, tuple[str, str]]:
    """Run id -> (agent URL, agent name). Like Cekura's, the emulator's runs do not say which URL
    they dialled; it creates them target by target, ``FREQUENCY`` each, in ``PLAN`` order."""
    ids = sorted(run.id for run in result.runs if run.id is not None)
    return {
        run_id: (urls[PLAN[index // FREQUENCY][1]], PLAN[index // FREQUENCY][1])
        for index, run_id in enumerate(ids)
    }


def runs_table(result: Result, agent_labels: Mapping[int, tuple[str, str]]) -> Table:
    table = Table(title=f"Runs of result {result.id}")
    table.add_column("scenario", overflow="fold")
    table.add_column("agent URL", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("success", no_wrap=True)
    table.add_column("error", overflow="fold", ratio=1)
    for run in sorted(result.runs, key=lambda run: run.id or 0):
        url, label = agent_labels.get(run.id or 0, ("", ""))
        success = {True: "[green]yes[/]", False: "[red]no[/]", None: "-"}[run.success]
        table.add_row(
            f"{run.scenario} {run.scenario_name or ''}".strip(),
            f"{url}\n[dim]{label}[/]" if label else url,
            run.status or "-",
            success,
            run.error_message or "",
        )
    return table


def run_lines(result: Result, agent_labels: Mapping[int, tuple[str, str]]) -> list[str]:
    """The runs as plain lines: ``run 3  101 Opening hours  helpful  completed  ok``."""
    lines = [f"Runs of result {result.id}:"]
    for run in sorted(result.runs, key=lambda run: run.id or 0):
        url, label = agent_labels.get(run.id or 0, ("", ""))
        outcome = {True: "ok", False: "FAILED", None: "-"}[run.success]
        error = f"  {mask_urls(run.error_message)[:200]}" if run.error_message else ""
        lines.append(f"  run {run.id}  {run.scenario}  {label or url}  {run.status or '-'}  {outcome}{error}")
    return lines


def summary(result: Result, elapsed: float) -> str:
    rate = 100.0 * result.success_runs / result.total_runs if result.total_runs else 0.0
    verdict = "[green]passed[/]" if result.passed else "[yellow]not every run passed[/] (as the demo intends)"
    return (
        f"Result {result.id}: {result.status}; runs {result.total_runs}, succeeded {result.success_runs},"
        f" failed {result.failed_runs}; pass rate {rate:.1f}%; {verdict}; {elapsed:.1f}s"
    )


def main() -> int:
    """Exit 0 when the batch reached a final status, 1 otherwise."""
    console = Console()
    result = run_demo(console)
    return 0 if result.is_terminal else 1


if __name__ == "__main__":
    sys.exit(main())
