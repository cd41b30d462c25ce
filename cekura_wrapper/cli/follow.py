"""Following a result to its end: progress, Ctrl-C, timeout, the verdict and the reports."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import click

from cekura_wrapper._errors import PollTimeoutError
from cekura_wrapper._results import Result
from cekura_wrapper.client import CekuraClient

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
) -> NoReturn:
    """Wait for the result, report it, and exit with its verdict (or 3, 4, 130)."""
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
        _timed_out(output, exc, junit)
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
    report(output, result, junit=junit, fail_under=fail_under)


def report(output: Output, result: Result, *, junit: Path | None, fail_under: float | None) -> NoReturn:
    """Show a terminal result, write the JUnit report, and exit with the verdict."""
    code, why = verdict(result, fail_under)
    if junit is not None:
        write_report(result, junit)
        output.note(f"JUnit report written to {junit}")
    output.show(runs_table(result))
    output.line(result_summary(result))
    output.note(f"{'FAILED' if code else 'OK'}: {why}", style="red" if code else "green")
    output.document(result_document(result, exit_code=code, verdict=why, fail_under=fail_under))
    raise click.exceptions.Exit(int(code))


def _timed_out(output: Output, exc: PollTimeoutError, junit: Path | None) -> NoReturn:
    last = exc.result
    if junit is not None and last is not None:
        write_report(last, junit)
        output.note(f"JUnit report of the unfinished result written to {junit}")
    extra = {}
    if last is not None:
        extra["last_result"] = result_document(
            last, exit_code=ExitCode.WAIT_TIMEOUT, verdict=None, fail_under=None
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
