"""The report of ``run --wait --retry-failed N``: the verdict per scenario/URL target (passed,
flaky or failing), its table, Markdown, JSON and JUnit marks (the decisions are the library's
``RetryLedger``'s)."""

from __future__ import annotations

from typing import Any, Final

from rich.table import Table

from cekura_wrapper import RetryLedger, TargetOutcome, TargetRetries, display_url, run_key

from .common import plural
from .junit import Rerun
from .outside import cell
from .summary import _cell, reason
from .verdict import Verdict, pass_rate

#: Targets listed at most in the Markdown summary (JSON lists them all).
MAX_RETRY_ROWS: Final = 100


def _target_label(target: TargetRetries) -> str:
    url = display_url(target.websocket_url) if target.websocket_url else "one of its URLs"
    return f"scenario {target.scenario} @ {url}"


def retry_verdict(ledger: RetryLedger, *, allow_flaky: bool) -> Verdict:
    """The gate with retries: the first result completed, no target failing, and no target flaky
    unless ``--allow-flaky``."""
    first = ledger.first
    flaky, failing = ledger.count(TargetOutcome.FLAKY), ledger.count(TargetOutcome.FAILING)
    rounds = len(ledger.rounds)
    passed = ledger.passes(allow_flaky=allow_flaky)
    if first.status != "completed":
        why = f"result {first.id} ended {first.status}"
    else:
        why = f"result {first.id} completed; {first.success_runs} of {first.total_runs} runs passed"
    why += (
        f"; after {plural(rounds, 'retry round')} ({plural(ledger.extra_runs, 'extra run')}): "
        f"{failing} failing, {flaky} flaky target{'s' if flaky != 1 else ''}"
    )
    if flaky and not allow_flaky:
        why += " (flaky counts as failed without --allow-flaky)"
    rule = (
        f"every scenario/URL must pass, after up to {plural(ledger.rounds_allowed, 'retry round')}; "
        f"flaky counts as {'passed (--allow-flaky)' if allow_flaky else 'failed'}"
    )
    return Verdict(
        passed=passed,
        reason=why,
        fail_under=None,
        result_ids=(first.id, *(round_.result.id for round_ in ledger.rounds)),
        total_runs=first.total_runs,
        passed_runs=first.success_runs,
        pass_rate=pass_rate(first),
        rule=rule,
    )


def retries_table(ledger: RetryLedger) -> Table:
    table = Table(title=f"Retries of result {ledger.first.id}")
    table.add_column("target", overflow="fold")
    table.add_column("failed runs, round by round", justify="right")
    table.add_column("outcome")
    style = {TargetOutcome.FLAKY: "yellow", TargetOutcome.FAILING: "bold red"}
    for target in ledger.targets():
        outcome = target.outcome.value
        table.add_row(
            cell(_target_label(target)),
            " -> ".join(str(count) for count in target.failed_runs),
            f"[{style[target.outcome]}]{outcome}[/]" if target.outcome in style else outcome,
        )
    return table


def retries_markdown(ledger: RetryLedger) -> str:
    rounds = ", ".join(
        f"result {round_.result.id} ({round_.runs} runs, {round_.result.status})" for round_ in ledger.rounds
    )
    lines = [
        "",
        f"### Retries: {plural(len(ledger.rounds), 'round')}, {plural(ledger.extra_runs, 'extra run')}",
        "",
        f"Rounds: {rounds or 'none'}." + (f" Stopped: {_cell(ledger.stopped)}." if ledger.stopped else ""),
        "",
        "| target | failed runs, round by round | outcome |",
        "|---|---:|---|",
    ]
    targets = ledger.targets()
    for target in targets[:MAX_RETRY_ROWS]:
        failed = " → ".join(str(count) for count in target.failed_runs)
        lines.append(f"| {_cell(_target_label(target))} | {failed} | {target.outcome.value} |")
    if len(targets) > MAX_RETRY_ROWS:
        lines += ["", f"*{len(targets) - MAX_RETRY_ROWS} more targets are left out.*"]
    return "\n".join(lines) + "\n"


def retries_document(ledger: RetryLedger, *, allow_flaky: bool) -> dict[str, Any]:
    return {
        "rounds": [
            {
                "result_id": round_.result.id,
                "status": round_.result.status,
                "runs": round_.runs,
                "passed_runs": round_.result.success_runs,
            }
            for round_ in ledger.rounds
        ],
        "extra_runs": ledger.extra_runs,
        "max_extra_runs": ledger.max_extra_runs,
        "max_rounds": ledger.rounds_allowed,
        "stopped": ledger.stopped,
        "allow_flaky": allow_flaky,
        "targets": [
            {
                "scenario": target.scenario,
                "websocket_url": display_url(target.websocket_url) if target.websocket_url else None,
                "outcome": target.outcome.value,
                "failed_runs": list(target.failed_runs),
            }
            for target in ledger.targets()
        ],
    }


def reruns(ledger: RetryLedger, *, allow_flaky: bool) -> dict[int, Rerun]:
    """The JUnit marks of the first result's failed runs (see ``Rerun``)."""
    again: dict[object, list[tuple[str, str]]] = {}
    for round_ in ledger.rounds:
        for run in round_.result.runs:
            if run.success is not True:
                text = reason(run)
                again.setdefault(run_key(run, ledger.plan), []).append(
                    (text, f"retry result {round_.result.id}, run {run.id}: {text}")
                )
    marks = {}
    for run in ledger.first.runs:
        key = run_key(run, ledger.plan)
        if run.id is None or run.success is not False or key is None:
            continue
        flaky = ledger.outcome(key) is TargetOutcome.FLAKY
        marks[run.id] = Rerun(flaky=flaky, counted_passed=allow_flaky, failures=tuple(again.get(key, ())))
    return marks
