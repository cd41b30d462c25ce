"""``run --wait --retry-failed N``: resubmit the targets whose runs failed, judge each target passed,
flaky or failing, and report the rounds (the decisions are ``cekura_wrapper._retries``'s).

Every round is a run request like the first: validated, sent through the client's exactly-once
path (never resent blindly), followed with the same progress, timeout and stop handling (its calls
are ended on Ctrl-C, SIGTERM or the timeout unless --keep-running). ``--timeout`` covers all rounds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Final, NoReturn

import attrs
import click
from rich.table import Table

from cekura_wrapper._plan import RunPlan
from cekura_wrapper._results import Result
from cekura_wrapper._retries import RetryLedger, TargetOutcome, TargetRetries, run_key
from cekura_wrapper._validation import display_url

from .agent_urls import AgentUrls
from .common import fail, plural, reconciled_note, reported_errors
from .documents import result_document
from .exit_codes import ExitCode
from .follow import wait_or_stop
from .junit import Rerun
from .links import with_shares
from .outside import cell
from .render import Output, result_summary, runs_table
from .reports import Reports, write_reports
from .stopping import Terminated
from .summary import _cell, reason
from .target_report import targets_table
from .verdict import Verdict, pass_rate

if TYPE_CHECKING:
    from cekura_wrapper import CekuraClient

#: Targets listed at most in the Markdown summary (JSON lists them all).
MAX_RETRY_ROWS: Final = 100


def follow_with_retries(
    output: Output,
    client: CekuraClient,
    result_id: int,
    plan: RunPlan,
    *,
    retry_failed: int,
    max_extra_runs: int,
    allow_flaky: bool,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    reports: Reports,
    urls: AgentUrls,
    end_calls_on_stop: bool,
) -> NoReturn:
    """Follow the first result, run the retry rounds, report, and exit with the verdict."""
    started = time.monotonic()
    waits: dict[str, Any] = {
        "poll_interval": poll_interval,
        "max_poll_interval": max_poll_interval,
        "reports": reports,
        "fail_under": None,
        "end_calls_on_stop": end_calls_on_stop,
    }
    first = wait_or_stop(output, client, result_id, timeout=timeout, urls=urls, **waits)
    ledger = RetryLedger(plan, first, retry_failed, max_extra_runs)
    while (round_plan := ledger.next_plan()) is not None:
        left = timeout - (time.monotonic() - started)
        if left <= 0:
            ledger.stop("no time was left before --timeout")
            break
        number = len(ledger.rounds) + 1
        output.note(
            f"Retry round {number}: resubmitting {plural(round_plan.run_count, 'failed run')} "
            f"({ledger.extra_runs + round_plan.run_count} of at most {max_extra_runs} extra runs)"
        )
        submission_id = _submit(output, client, round_plan)
        result = wait_or_stop(
            output, client, submission_id, timeout=left, urls=AgentUrls.from_plan(round_plan), **waits
        )
        output.line(f"Retry round {number}: {result_summary(result)}")
        ledger.record(result, round_plan)
    if ledger.stopped:
        output.note(f"Retries stopped: {ledger.stopped}", style="yellow")
    reports = attrs.evolve(reports, links=with_shares(output, client, reports.links, [ledger.first.id]))
    _report(output, ledger, allow_flaky=allow_flaky, reports=reports, urls=urls)


def _submit(output: Output, client: CekuraClient, plan: RunPlan) -> int:
    try:
        with reported_errors(output):
            submission = client.run_scenarios(
                plan.scenarios,
                frequency=plan.frequency,
                agent=plan.agent,
                mock_tool_names=plan.mock_tool_names,
            )
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        fail(
            output,
            ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED,
            "terminated" if terminated else "interrupted",
            "interrupted while submitting a retry round: the run request may have reached Cekura.",
            advice="Check the results list in the Cekura dashboard before submitting again.",
        )
    if submission.reconciled:
        output.note(reconciled_note(submission), style="yellow")
    output.note(f"Submitted retry result {submission.result_id}: {plural(submission.run_count, 'run')}.")
    return submission.result_id


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


def _report(
    output: Output, ledger: RetryLedger, *, allow_flaky: bool, reports: Reports, urls: AgentUrls
) -> NoReturn:
    first: Result = ledger.first
    verdict = retry_verdict(ledger, allow_flaky=allow_flaky)
    output.show(runs_table(first, urls))
    output.show(targets_table(first, urls))
    output.line(result_summary(first))
    if ledger.targets():
        output.show(retries_table(ledger))
    output.note(verdict.headline, style="red" if not verdict.passed else "green")
    errors = write_reports(
        output,
        verdict,
        [first],
        reports,
        urls=urls,
        extra_markdown=retries_markdown(ledger),
        junit_properties=[
            ("retry_rounds", str(len(ledger.rounds))),
            ("extra_runs", str(ledger.extra_runs)),
            ("flaky_targets", str(ledger.count(TargetOutcome.FLAKY))),
        ],
        reruns=reruns(ledger, allow_flaky=allow_flaky),
    )
    document = result_document(
        first, exit_code=verdict.exit_code, verdict=verdict.reason, fail_under=None, urls=urls
    )
    document["passed"] = verdict.passed
    document.update(reports.links.fields(first.id))
    document["retries"] = retries_document(ledger, allow_flaky=allow_flaky)
    if errors:
        document["report_errors"] = errors
    if "junit" in errors:
        document["junit_error"] = errors["junit"]
    output.document(document)
    raise click.exceptions.Exit(int(verdict.exit_code))
