"""Following a result to its end: progress, Ctrl-C, timeout, the verdict and the reports."""

from __future__ import annotations

from typing import NoReturn

import attrs
import click

from cekura_wrapper import CekuraClient, EndCallsOutcome, PollTimeoutError, Result

from .agent_urls import NO_PLAN, AgentUrls
from .baseline import (
    NO_GATE,
    BaselineChoice,
    Gate,
    choose_baseline,
    comparison_fields,
    comparison_markdown,
    gate_verdict,
    junit_fields,
    show_comparison,
)
from .common import fail, reported_errors
from .documents import result_document
from .exit_codes import ExitCode
from .links import with_shares
from .progress import progress_view
from .render import Output, result_summary, runs_table
from .reports import Reports, write_reports
from .stopping import Terminated, ended_lines
from .target_report import targets_table
from .verdict import judge


def resume_advice(result_id: int) -> str:
    return f"Resume with: cekura-ws watch {result_id}"


def follow(
    output: Output,
    client: CekuraClient,
    result_id: int,
    *,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    reports: Reports,
    fail_under: float | None,
    urls: AgentUrls = NO_PLAN,
    end_calls_on_stop: bool = False,
    gate: Gate = NO_GATE,
) -> NoReturn:
    """Wait for the result, report it, and exit with its verdict (or 3, 4, 130, 143).

    ``urls`` says which agent URL each run talked to (from the plan, when ``run`` submitted it).
    ``end_calls_on_stop``: at the timeout, Ctrl-C or SIGTERM, end the result's calls first."""
    result = wait_or_stop(
        output,
        client,
        result_id,
        timeout=timeout,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
        reports=reports,
        fail_under=fail_under,
        urls=urls,
        end_calls_on_stop=end_calls_on_stop,
    )
    with reported_errors(output, result_id=result_id):
        choice = choose_baseline(client, result, gate)
    reports = attrs.evolve(reports, links=with_shares(output, client, reports.links, [result.id]))
    report(output, result, reports=reports, fail_under=fail_under, urls=urls, gate=gate, choice=choice)


def wait_or_stop(
    output: Output,
    client: CekuraClient,
    result_id: int,
    *,
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    reports: Reports,
    fail_under: float | None,
    urls: AgentUrls = NO_PLAN,
    end_calls_on_stop: bool = False,
) -> Result:
    """The result once it ended; at the timeout, Ctrl-C or SIGTERM, the calls are ended (when
    ``end_calls_on_stop``), the reports say what was known, and the command exits (4, 130, 143)."""
    view = progress_view(output, result_id)
    try:
        with reported_errors(output, result_id=result_id, resume=resume_advice(result_id)):
            result = client.wait_for_result(
                result_id,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max(poll_interval, max_poll_interval),
                on_progress=view.update,
                end_calls_on_stop=end_calls_on_stop,
            )
    except PollTimeoutError as exc:
        view.close()
        ended = _show_ended(output, exc)
        _timed_out(output, exc, reports, fail_under, urls, ended=ended)
    except KeyboardInterrupt as exc:
        view.close()
        terminated = isinstance(exc, Terminated)
        ended = _show_ended(output, exc)
        what = "SIGTERM" if terminated else "Ctrl-C"
        fate = (
            "Its calls were ended; nothing was resubmitted."
            if ended
            else "Nothing was cancelled or resubmitted: the batch keeps running on Cekura."
        )
        fail(
            output,
            ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED,
            "terminated" if terminated else "interrupted",
            f"stopped waiting for result {result_id} ({what}). {fate}",
            advice="" if ended else resume_advice(result_id),
            result_id=result_id,
            calls_ended=ended,
        )
    finally:
        view.close()
    return result


def report(
    output: Output,
    result: Result,
    *,
    reports: Reports,
    fail_under: float | None,
    urls: AgentUrls = NO_PLAN,
    gate: Gate = NO_GATE,
    choice: BaselineChoice | None = None,
) -> NoReturn:
    """Show a terminal result (and its comparison with the baseline), write the reports, and exit
    with the verdict."""
    verdict = gate_verdict(judge([result], fail_under), result, choice, gate)
    output.show(runs_table(result, urls))
    output.show(targets_table(result, urls))
    output.line(result_summary(result))
    show_comparison(output, choice)
    output.note(verdict.headline, style="red" if not verdict.passed else "green")
    errors = write_reports(
        output,
        verdict,
        [result],
        reports,
        urls=urls,
        extra_markdown=comparison_markdown(choice),
        junit_properties=junit_fields(choice),
    )
    document = result_document(
        result, exit_code=verdict.exit_code, verdict=verdict.reason, fail_under=fail_under, urls=urls
    )
    document.update(comparison_fields(choice))
    document.update(reports.links.fields(result.id))
    document["passed"] = verdict.passed  # the rule applied (--fail-on regression included)
    _add_errors(document, errors)
    output.document(document)
    raise click.exceptions.Exit(int(verdict.exit_code))


def _add_errors(document: dict[str, object], errors: dict[str, str]) -> None:
    """``report_errors`` lists every report that could not be written (``junit_error`` kept as before)."""
    if errors:
        document["report_errors"] = errors
    if "junit" in errors:
        document["junit_error"] = errors["junit"]


def _show_ended(output: Output, stopped: BaseException) -> bool:
    """Show what ``wait_for_result(end_calls_on_stop=True)`` did before it re-raised ``stopped``;
    True when the calls were ended (False when it was not asked to end them)."""
    outcome = getattr(stopped, "calls_ended", None)
    if not isinstance(outcome, EndCallsOutcome):
        return False
    for line in ended_lines({outcome.result_id: outcome}):
        output.note(line)
    return outcome.ended


def _timed_out(
    output: Output,
    exc: PollTimeoutError,
    reports: Reports,
    fail_under: float | None,
    urls: AgentUrls,
    *,
    ended: bool = False,
) -> NoReturn:
    """Exit 4; the reports say what was known when cekura-ws stopped waiting (the gate did not pass)."""
    last = exc.result
    extra: dict[str, object] = {}
    if last is not None:
        verdict = judge([last], fail_under)
        errors = write_reports(output, verdict, [last], reports, urls=urls)
        _add_errors(extra, errors)
        extra["last_result"] = result_document(
            last, exit_code=ExitCode.WAIT_TIMEOUT, verdict=None, fail_under=fail_under, urls=urls
        ) | reports.links.fields(last.id)
    fail(
        output,
        ExitCode.WAIT_TIMEOUT,
        "wait_timeout",
        str(exc),  # says "its calls were ended" when they were
        advice="" if ended else resume_advice(exc.result_id),
        result_id=exc.result_id,
        calls_ended=ended,
        github=last is None,  # else the reports above said it (passed=false, the summary)
        **extra,
    )
