"""The ``cekura-ws`` group: its options, how it reports usage errors and interruptions, and the
registration of the commands (each in ``cli/commands/``)."""

from __future__ import annotations

from collections.abc import Sequence

import click

from cekura_wrapper import DISTRIBUTION

from .commands import compare, dev, drift, plan, preflight, results, run, watch
from .common import configure_logging
from .documents import error_document
from .exit_codes import EXIT_CODES_HELP, ExitCode
from .github_errors import report_error
from .render import Output
from .stopping import Terminated

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


_ARGS = "cekura_ws.args"


class _Group(click.Group):
    """Ctrl-C anywhere else (loading, pre-flight) exits 130, not click's "Aborted!" with 1; with
    ``--json``, click's own usage errors (unknown option, value out of range) also print the
    error document on stdout (click still prints the usage on stderr and exits 2)."""

    def parse_args(self, context: click.Context, args: list[str]) -> list[str]:
        context.meta[_ARGS] = list(args)
        try:
            return super().parse_args(context, args)
        except click.UsageError as exc:
            _usage_document(exc, args)
            raise

    def invoke(self, context: click.Context) -> object:
        try:
            return super().invoke(context)
        except click.UsageError as exc:
            _usage_document(exc, context.meta.get(_ARGS, []))
            raise
        except Terminated:
            click.echo("Terminated.", err=True)
            raise click.exceptions.Exit(int(ExitCode.TERMINATED)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(int(ExitCode.INTERRUPTED)) from None


def _usage_document(exc: click.UsageError, args: Sequence[str]) -> None:
    """The JSON error document of a usage error, when ``--json`` is among the arguments; on GitHub
    Actions its annotation, job summary (unless ``--no-summary``) and ``passed=false``."""
    options = args[: args.index("--")] if "--" in args else args
    output = Output(json_mode="--json" in options)
    for line in report_error(
        ExitCode.INVALID_INPUT, exc.format_message(), step_summary="--no-summary" not in options
    ):
        output.command(line)
    if "--json" in options:
        output.document(error_document(ExitCode.INVALID_INPUT, "usage", exc.format_message()))


@click.group(cls=_Group, context_settings=_CONTEXT, epilog=EXIT_CODES_HELP)
@click.version_option(package_name=DISTRIBUTION, prog_name="cekura-ws", message="%(prog)s %(version)s")
@click.option("-v", "--verbose", count=True, help="Log retries (-v) and every poll (-vv) on stderr.")
@click.pass_context
def main(context: click.Context, verbose: int) -> None:
    """Run Cekura evaluators against websocket agents, follow the runs, and gate CI on the outcome.

    \b
    Typical CI step:
      cekura-ws run --batch smoke.yaml --preflight --wait --junit report.xml --fail-under 0.9
    """
    configure_logging(context, verbose)


for _command in (
    plan.plan,
    run.run,
    watch.status,
    watch.watch,
    results.stop,
    results.results,
    preflight.preflight,
    drift.drift,
    compare.compare,
    dev.emulator,
    dev.agent,
    dev.demo,
):
    main.add_command(_command)
