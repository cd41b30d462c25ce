"""Pieces every command shares: turning errors into exit codes and messages, and logging."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import click

from cekura_wrapper import (
    APIConnectionError,
    APIError,
    BadRequestError,
    CekuraError,
    Loc,
    MissingAPIKeyError,
    PollTimeoutError,
    Submission,
    SubmissionNotCreatedError,
    SubmissionUncertainError,
    ValidationError,
    render_loc,
)
from cekura_wrapper import Problem as LocatedProblem

from .documents import error_document
from .exit_codes import ExitCode
from .github_errors import report_error
from .inputs import Batch, InputError, InputProblem
from .render import Output


def plural(count: int, noun: str) -> str:
    """``1 run``, ``2 runs``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def reconciled_note(submission: Submission) -> str:
    """What happened to a run request that failed after it was sent but did create its batch."""
    return (
        f"The run request failed after it was sent ({submission.uncertain_reason}); looked it up: "
        f"it did land as result {submission.result_id}; following it."
    )


def report_to_github(
    output: Output, code: int, message: str, problems: Sequence[str] = (), advice: str = ""
) -> None:
    """On GitHub Actions, an error with no verdict still gets an annotation, a job summary (unless
    ``--no-summary``) and ``passed=false`` (``github_errors``)."""
    context = click.get_current_context(silent=True)
    quiet = context is not None and bool(context.params.get("no_step_summary"))
    for line in report_error(code, message, problems=problems, advice=advice, step_summary=not quiet):
        output.command(line)


def fail(
    output: Output,
    code: ExitCode,
    error: str,
    message: str,
    *,
    advice: str = "",
    github: bool = True,
    **extra: Any,
) -> NoReturn:
    """Report an error (stderr, the JSON document and, unless ``github=False`` because the verdict's
    reports were written already, GitHub's) and exit with ``code``."""
    output.note(f"Error: {message}", style="red")
    if advice:
        output.note(advice)
    if advice:
        extra["advice"] = advice
    if github:
        report_to_github(output, code, message, advice=advice)
    output.document(error_document(code, error, message, **extra))
    raise click.exceptions.Exit(int(code))


def fail_input(output: Output, error: InputError) -> NoReturn:
    """Every input problem at once, then exit 2."""
    for problem in error.problems:
        output.note(str(problem), style="red")
    output.note(f"{error}; nothing was sent.")
    report_to_github(output, ExitCode.INVALID_INPUT, str(error), [str(problem) for problem in error.problems])
    output.document(
        error_document(
            ExitCode.INVALID_INPUT,
            "invalid_input",
            str(error),
            problems=[{"where": problem.where, "message": problem.message} for problem in error.problems],
        )
    )
    raise click.exceptions.Exit(int(ExitCode.INVALID_INPUT))


def _located(problem: LocatedProblem, batch: Batch | None, *, shown: Loc, fallback: str) -> InputProblem:
    """A library or Cekura problem at the user's own place for it: the batch file's line, the
    ``--scenario #N`` or ``--frequency`` flag; else ``shown`` as a location (``scenarios[2]``) or
    ``fallback``."""
    where = batch.where(problem.loc) if batch is not None else None
    return InputProblem(where or render_loc(shown) or fallback, problem.message)


@contextlib.contextmanager
def reported_errors(
    output: Output, *, result_id: int | None = None, resume: str = "", batch: Batch | None = None
) -> Iterator[None]:
    """Map the library's errors to exit codes 2 (invalid input, including Cekura's 400) and 3;
    ``resume`` says how to carry on after an API error; ``batch`` places problems in the input."""
    extra: dict[str, Any] = {} if result_id is None else {"result_id": result_id}
    try:
        yield
    except InputError as exc:
        fail_input(output, exc)
    except MissingAPIKeyError:
        fail(
            output,
            ExitCode.INVALID_INPUT,
            "no_api_key",
            "no Cekura API key: set the CEKURA_API_KEY environment variable (or pass --api-key KEY); "
            "nothing was sent",
        )
    except ValidationError as exc:
        # The library's messages name their field: only the list item is shown with them.
        problems = [
            _located(problem, batch, shown=problem.item, fallback="input") for problem in exc.problems
        ]
        fail_input(output, InputError(problems))
    except SubmissionNotCreatedError as exc:
        fail(
            output,
            ExitCode.API_ERROR,
            "submission_not_created",
            f"{exc}.",
            advice="It did not land: nothing was created, so it is safe to run the job again.",
        )
    except SubmissionUncertainError as exc:
        fail(
            output,
            ExitCode.API_ERROR,
            "submission_uncertain",
            str(exc),
            advice="Do not rerun this job blindly: it could start a second, paid batch.",
            candidates=list(exc.candidates),
        )
    except BadRequestError as exc:
        _rejected(output, exc, batch)
    except (APIError, APIConnectionError) as exc:
        # Resuming helps after a network fault, throttling or a 5xx, not after 401/403/404.
        hopeless = isinstance(exc, APIError) and exc.status_code in (401, 403, 404)
        fail(
            output,
            ExitCode.API_ERROR,
            type(exc).__name__,
            str(exc),
            advice="" if hopeless else resume,
            **extra,
        )
    except PollTimeoutError:
        raise  # the caller knows the result and exits 4
    except CekuraError as exc:  # configuration, e.g. no API key: nothing was sent
        fail(output, ExitCode.INVALID_INPUT, type(exc).__name__, str(exc))


def _rejected(output: Output, exc: BadRequestError, batch: Batch | None) -> NoReturn:
    """A 400: Cekura refused the request as invalid, so nothing was created and a retry fails the same
    way. Exit 2 like any invalid input, each problem once at its place in the input (``field_errors``
    in the JSON too)."""
    # Cekura's messages do not name their field ("This field is required."): its path is shown.
    problems = [_located(problem, batch, shown=problem.loc, fallback="request") for problem in exc.problems]
    output.note(f"Error: {exc.summary if problems else exc}", style="red")
    for problem in problems:
        output.note(f"  {problem}", style="red")
    advice = "Cekura rejected the request, so nothing was created; fix the input (scenario and agent ids?) and run again."
    output.note(advice)
    report_to_github(
        output,
        ExitCode.INVALID_INPUT,
        exc.summary if problems else str(exc),
        [str(p) for p in problems],
        advice,
    )
    output.document(
        error_document(
            ExitCode.INVALID_INPUT,
            "BadRequestError",
            str(exc),
            status_code=exc.status_code,
            field_errors=exc.field_errors,
            problems=[{"where": problem.where, "message": problem.message} for problem in problems],
            advice=advice,
        )
    )
    raise click.exceptions.Exit(int(ExitCode.INVALID_INPUT))


class _EchoHandler(logging.Handler):
    """Log records to whatever stderr is at the time (so test runners capture them)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from cekura_wrapper import guarded_line

            from .outside import outside

            click.echo(guarded_line(outside(self.format(record), limit=4000)), err=True)
        except Exception:  # pragma: no cover - logging must never break the command
            self.handleError(record)


def configure_logging(context: click.Context, verbosity: int) -> None:
    """WARNING by default, INFO with ``-v`` (retries), DEBUG with ``-vv`` (every poll), until the command ends."""
    logger = logging.getLogger("cekura_wrapper")
    handler = _EchoHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)

    context.call_on_close(restore)
