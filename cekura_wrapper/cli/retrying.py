"""``run --wait --retry-failed N``: resubmit the targets whose runs failed, judge each target passed,
flaky or failing, and report the rounds (the decisions are ``cekura_wrapper._retries``'s).

Every round is a run request like the first: validated, sent through the client's exactly-once
path (never resent blindly), followed with the same progress, timeout and stop handling (its calls
are ended on Ctrl-C, SIGTERM or the timeout unless --keep-running). ``--timeout`` covers all rounds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import click

from cekura_wrapper import Result, RunPlan, TargetOutcome
from cekura_wrapper.retries import RetryLedger

from .agent_urls import AgentUrls
from .common import plural
from .documents import result_document
from .follow import wait_or_stop
from .links import with_shares
from .render import Output, result_summary, runs_table
from .reports import Reports, write_reports
from .retry_report import reruns, retries_document, retries_markdown, retries_table, retry_verdict
from .submitting import submit_plan
from .target_report import targets_table

if TYPE_CHECKING:
    from cekura_wrapper import CekuraClient


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
    submission = submit_plan(output, client, plan, doing="submitting a retry round")
    output.note(f"Submitted retry result {submission.result_id}: {plural(submission.run_count, 'run')}.")
    return submission.result_id


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
