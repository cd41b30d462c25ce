"""``cekura-ws drift``: how a newer Cekura spec differs from the one this client was built from."""

from __future__ import annotations

import click

from cekura_wrapper.spec.model import EXIT_CODE_MEANINGS, DriftExitCode

from ..exit_codes import command_epilog


class _DriftCommand(click.Command):
    """Usage errors exit 3, as the drift check's own list says (2 means breaking drift there)."""

    def parse_args(self, context: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(context, args)
        except click.UsageError as exc:
            exc.exit_code = int(DriftExitCode.BAD_INPUT)
            raise


@click.command(
    cls=_DriftCommand,
    context_settings={"ignore_unknown_options": False},
    epilog=command_epilog(
        [
            "cekura-ws drift --upstream https://api.cekura.ai/openapi.json",
            "cekura-ws drift --upstream newer.yaml --operation GET:/test_framework/v1/results/{id}/ --format json",
        ],
        tuple(EXIT_CODE_MEANINGS),
        meanings=EXIT_CODE_MEANINGS,
    ),
)
@click.option("--upstream", required=True, metavar="URL_OR_PATH", help="Cekura's newer spec (JSON or YAML).")
@click.option(
    "--base",
    metavar="URL_OR_PATH",
    help="The spec to compare with [default: the one this installed client was generated from].",
)
@click.option(
    "--operation", "operations", multiple=True, metavar="METHOD:PATH", help="Only this operation; repeatable."
)
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--verbose", is_flag=True, help="Also report changed descriptions and examples.")
def drift(
    upstream: str, base: str | None, operations: tuple[str, ...], output_format: str, verbose: bool
) -> None:
    """Say how a newer Cekura spec differs from the one this client was generated from, for the
    operations it calls: breaking, warning or info, each with why. Its exit codes are its own
    (below), not the other commands'.
    """
    from cekura_wrapper.spec.drift import check

    code = check(
        upstream,
        base=base,
        operations=operations,
        output_format=output_format,
        verbose=verbose,
        prog="cekura-ws drift",
    )
    raise click.exceptions.Exit(int(code))
