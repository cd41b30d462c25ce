"""The command-line options several commands share, each declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cekura_wrapper import MAX_RUNS

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


def websocket_secret_option(help: str, *, dest: str = "websocket_secret") -> Callable[[F], F]:
    """``--websocket-secret`` (``CEKURA_WEBSOCKET_SECRET``): what X-VOCERA-SECRET carries; ``help``
    says what the command does with it."""
    return click.option(
        "--websocket-secret",
        dest,
        envvar="CEKURA_WEBSOCKET_SECRET",
        show_envvar=True,
        metavar="SECRET",
        help=help,
    )


def allow_private_option(function: F) -> F:
    return click.option(
        "--allow-private-urls",
        is_flag=True,
        help="Send agent URLs Cekura's cloud cannot reach (loopback, private or other non-global addresses, single-label "
        "names, .local/.internal/.svc...) anyway, for peered or VPN setups. Against a loopback base URL (the emulator) they are always allowed.",
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
