"""Pieces every command shares: options, building the client, and turning errors into exit codes."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import click

from cekura_wrapper import (
    MAX_RUNS,
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
from .verdict import parse_rate

F = TypeVar("F", bound=Callable[..., Any])


def json_option(function: F) -> F:
    return click.option(
        "--json",
        "json_mode",
        is_flag=True,
        help="Print one JSON document on stdout (logs stay on stderr).",
    )(function)


def batch_options(*, frequency: bool) -> Callable[[F], F]:
    """``--batch``, ``--scenario`` and, for plan/run, ``--frequency`` and ``--agent``."""

    def decorate(function: F) -> F:
        if frequency:
            function = click.option(
                "--no-mock-tools",
                is_flag=True,
                help="Mock none of the agent's tools: every tool calls its real endpoint (sends mock_tool_names []).",
            )(function)
            function = click.option(
                "--mock-tools",
                metavar="NAME[,NAME...]",
                help="Mock only these of the agent's tools (MCP servers by name) [default: every tool "
                "configured on the agent, or the batch file's mock_tool_names].",
            )(function)
            function = click.option(
                "--max-runs",
                type=click.IntRange(min=1),
                default=MAX_RUNS,
                show_default=True,
                metavar="N",
                help="Refuse a batch of more conversations than this (a typo in a frequency is costly).",
            )(function)
            function = click.option(
                "--agent", type=int, metavar="ID", help="Cekura agent id (overrides the batch file)."
            )(function)
            function = click.option(
                "--frequency",
                type=int,
                metavar="N",
                help="Runs per scenario, 1-100 (required here or in the batch file; overrides the file).",
            )(function)
        function = click.option(
            "--allow-env",
            multiple=True,
            metavar="NAME",
            expose_value=False,
            callback=_remember_allowed_env,
            help="Let ${NAME} in the batch file and --scenario read this environment variable; repeatable. "
            "CEKURA_VAR_* names need no flag; the API key, the websocket secret and *_KEY, *_TOKEN, "
            "*_SECRET, *_PASSWORD names are never read.",
        )(function)
        function = click.option(
            "--scenario",
            "scenarios",
            multiple=True,
            metavar="ID=URL",
            help="A scenario id and the agent websocket URL to run it against; repeatable, "
            "added to the batch file's scenarios. ${VAR} is expanded (see --allow-env).",
        )(function)
        return click.option(
            "--batch",
            type=click.Path(dir_okay=False, path_type=Path),
            metavar="FILE",
            help="YAML, JSON or CSV file of scenario/websocket_url pairs (optionally frequency and agent).",
        )(function)

    return decorate


_ALLOWED_ENV = "cekura_ws.allow_env"


def _remember_allowed_env(context: click.Context, param: click.Parameter, names: tuple[str, ...]) -> None:
    from .inputs import is_valid_variable_name

    for name in names:
        if not is_valid_variable_name(name):
            raise click.BadParameter(
                f"{name!r} is not a variable name (letters, digits and _, not starting with a digit)",
                context,
                param,
            )
    context.meta[_ALLOWED_ENV] = frozenset(names)


def allowed_env() -> frozenset[str]:
    """The ``--allow-env`` names of the running command (none outside one)."""
    context = click.get_current_context(silent=True)
    found = context.meta.get(_ALLOWED_ENV, frozenset()) if context is not None else frozenset()
    return frozenset(found)


def api_options(function: F) -> F:
    """How to reach Cekura: key, base URL, retries."""
    function = click.option(
        "--max-retries",
        type=click.IntRange(min=0),
        metavar="N",
        default=2,
        show_default=True,
        help="Retries of requests that are safe to repeat (a run request that may have landed is never resent).",
    )(function)
    function = click.option(
        "--base-url",
        envvar="CEKURA_BASE_URL",
        show_envvar=True,
        metavar="URL",
        help="Cekura API root [default: https://api.cekura.ai].",
    )(function)
    return click.option(
        "--api-key",
        envvar="CEKURA_API_KEY",
        show_envvar=True,
        metavar="KEY",
        help="Cekura API key; prefer the environment variable (a flag shows up in process lists).",
    )(function)


def allow_private_option(function: F) -> F:
    return click.option(
        "--allow-private-urls",
        is_flag=True,
        help="Send agent URLs Cekura's cloud cannot reach (loopback, private, .local/.internal) anyway, "
        "for peered or VPN setups. Against a loopback base URL (the emulator) they are always allowed.",
    )(function)


def wait_options(function: F) -> F:
    """How to follow a result to its end, and how to judge it."""
    for option in reversed(
        (
            click.option(
                "--timeout",
                type=click.FloatRange(min=0, min_open=True),
                default=3600.0,
                show_default=True,
                metavar="SECONDS",
                help="Stop waiting after this long (exit 4). run --wait then ends the calls it started "
                "(--keep-running leaves them running); watch leaves the result running on Cekura "
                "(--end-calls-on-stop ends its calls).",
            ),
            click.option(
                "--poll-interval",
                type=click.FloatRange(min=0, min_open=True),
                default=None,
                metavar="SECONDS",
                help="Shortest wait between polls [default: 1; 0.05 against a loopback API such as the emulator].",
            ),
            click.option(
                "--max-poll-interval",
                type=click.FloatRange(min=0, min_open=True),
                default=None,
                metavar="SECONDS",
                help="Longest wait between polls [default: 5; 0.5 against a loopback API]: a poll on every multiple of it.",
            ),
            click.option(
                "--junit",
                type=click.Path(dir_okay=False, path_type=Path),
                metavar="PATH",
                help="Write a JUnit XML report: one testcase per run, failures carry Cekura's error_message.",
            ),
            click.option(
                "--fail-under",
                type=RateType(),
                metavar="RATE",
                help="Relax the gate: pass when the result completed and its pass rate (passed runs / all "
                "runs) is at least RATE, a fraction (0.9) or a percentage (90%). Without it, every run must pass.",
            ),
            click.option(
                "--summary",
                type=click.Path(dir_okay=False, path_type=Path),
                metavar="PATH",
                help="Write a Markdown report: the verdict, a row per result, every run that did not pass.",
            ),
            click.option(
                "--no-summary",
                "no_step_summary",
                is_flag=True,
                help="Do not append the report to $GITHUB_STEP_SUMMARY (done by default when it is set).",
            ),
        )
    ):
        function = option(function)
    return function


class RateType(click.ParamType[float]):
    """``--fail-under``: a fraction or a percentage; a bare number above 1 is refused with a hint."""

    name = "rate"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_rate(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def poll_timing(
    base_url: str | None, poll_interval: float | None, max_poll_interval: float | None
) -> tuple[float, float]:
    """``--poll-interval`` and ``--max-poll-interval``: 1 s and 5 s by default, 0.05 s and 0.5 s
    against a loopback API (the emulator ends a batch in well under a second; real Cekura is
    never on loopback). May raise ``ValidationError`` for a bad base URL."""
    from cekura_wrapper import is_loopback_host, resolve_base_url

    fast = is_loopback_host(urlsplit(resolve_base_url(base_url)).hostname)
    shortest = poll_interval if poll_interval is not None else (0.05 if fast else 1.0)
    longest = max_poll_interval if max_poll_interval is not None else (0.5 if fast else 5.0)
    return shortest, max(shortest, longest)


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
