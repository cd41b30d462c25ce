"""Following a result to its end: progress, Ctrl-C, timeout, the verdict and the reports."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from cekura_wrapper import CekuraClient
from cekura_wrapper._errors import PollTimeoutError
from cekura_wrapper._results import Result

from .agent_urls import NO_PLAN, AgentUrls
from .common import fail, reported_errors
from .documents import result_document
from .exit_codes import ExitCode, verdict
from .junit import write_report
from .render import Output, progress_view, result_summary, runs_table


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
    junit: Path | None,
    fail_under: float | None,
    urls: AgentUrls = NO_PLAN,
) -> NoReturn:
    """Wait for the result, report it, and exit with its verdict (or 3, 4, 130).

    ``urls`` says which agent URL each run talked to (from the plan, when ``run`` submitted it)."""
    view = progress_view(output, result_id)
    try:
        with reported_errors(output, result_id=result_id, resume=resume_advice(result_id)):
            result = client.wait_for_result(
                result_id,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max(poll_interval, max_poll_interval),
                on_progress=view.update,
            )
    except PollTimeoutError as exc:
        view.close()
        _timed_out(output, exc, junit, urls)
    except KeyboardInterrupt:
        view.close()
        fail(
            output,
            ExitCode.INTERRUPTED,
            "interrupted",
            f"stopped waiting for result {result_id} (Ctrl-C). Nothing was cancelled or resubmitted: "
            "the batch keeps running on Cekura.",
            advice=resume_advice(result_id),
            result_id=result_id,
        )
    finally:
        view.close()
    report(output, result, junit=junit, fail_under=fail_under, urls=urls)


def report(
    output: Output,
    result: Result,
    *,
    junit: Path | None,
    fail_under: float | None,
    urls: AgentUrls = NO_PLAN,
) -> NoReturn:
    """Show a terminal result, write the JUnit report, and exit with the verdict."""
    code, why = verdict(result, fail_under)
    junit_error = _write_junit(output, result, junit, "JUnit report", urls)
    output.show(runs_table(result, urls))
    output.line(result_summary(result))
    output.note(f"{'FAILED' if code else 'OK'}: {why}", style="red" if code else "green")
    if junit_error:
        output.note(f"Error: {junit_error} (the exit code is still the verdict's)", style="bold red")
    document = result_document(result, exit_code=code, verdict=why, fail_under=fail_under, urls=urls)
    if junit_error:
        document["junit_error"] = junit_error
    output.document(document)
    raise click.exceptions.Exit(int(code))


def _write_junit(
    output: Output, result: Result, junit: Path | None, what: str, urls: AgentUrls
) -> str | None:
    """Write the report; a failure (checked for before submitting, but disks fill up) is returned."""
    if junit is None:
        return None
    try:
        write_report(result, junit, urls)
    except OSError as exc:
        error = f"could not write the JUnit report {junit}: {exc.strerror or exc}"
        output.note(f"Error: {error}", style="bold red")
        return error
    output.note(f"{what} written to {junit}")
    return None


def _timed_out(output: Output, exc: PollTimeoutError, junit: Path | None, urls: AgentUrls) -> NoReturn:
    last = exc.result
    extra: dict[str, object] = {}
    if last is not None:
        junit_error = _write_junit(output, last, junit, "JUnit report of the unfinished result", urls)
        if junit_error:
            extra["junit_error"] = junit_error
        extra["last_result"] = result_document(
            last, exit_code=ExitCode.WAIT_TIMEOUT, verdict=None, fail_under=None, urls=urls
        )
    fail(
        output,
        ExitCode.WAIT_TIMEOUT,
        "wait_timeout",
        str(exc),
        advice=resume_advice(exc.result_id),
        result_id=exc.result_id,
        **extra,
    )
