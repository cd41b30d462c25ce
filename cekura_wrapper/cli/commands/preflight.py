"""``cekura-ws preflight``, and the pre-flight check ``run --preflight`` makes before submitting."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..common import fail, fail_input, reported_errors
from ..documents import preflight_document
from ..exit_codes import ExitCode, command_epilog
from ..inputs import InputError, has_groups, load_suite, load_urls
from ..options import allowed_env, batch_options, json_option, websocket_secret_option
from ..render import Output, preflight_table

if TYPE_CHECKING:
    from cekura_wrapper import PreflightResult


@click.command(
    epilog=command_epilog(
        ["cekura-ws preflight wss://agent.example.com/chat", "cekura-ws preflight --batch cekura/smoke.yaml"],
        (0, 1, 2),
    )
)
@click.argument("urls", nargs=-1, metavar="[URL]...")
@batch_options(frequency=False)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time allowed for each URL's whole check.",
)
@click.option(
    "--greeting-wait",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for the agent to speak first.",
)
@websocket_secret_option("Sent as X-VOCERA-SECRET (the secret configured on the Cekura agent).")
@json_option
def preflight(
    urls: Sequence[str],
    batch: Path | None,
    scenarios: Sequence[str],
    timeout: float,
    greeting_wait: float,
    websocket_secret: str | None,
    json_mode: bool,
) -> None:
    """Open each distinct agent URL once, as a Cekura run would, and report what happened.

    Per URL: connected or why not (DNS, refused, TLS, HTTP status, close code such as 1008),
    whether the agent greeted first, and the round trip of one message. Exits 1 when any fails.
    """
    output = Output(json_mode=json_mode)
    skipped: list[str] = []
    try:
        if has_groups(batch):
            assert batch is not None
            suite = load_suite(batch, allow_env=allowed_env())
            grouped = [url for _name, group in suite.groups for url in group.urls]
            extra = (
                load_urls(urls, None, scenarios, skipped=skipped, allow_env=allowed_env())
                if urls or scenarios
                else []
            )
            targets = list(dict.fromkeys([*extra, *grouped]))
            skipped += [f"group {name}" for name, group in suite.groups for _ in range(group.on_agent_url)]
        else:
            targets = load_urls(urls, batch, scenarios, skipped=skipped, allow_env=allowed_env())
    except InputError as exc:
        fail_input(output, exc)
    note_skipped(output, len(skipped))
    if not targets:
        output.document({**preflight_document([]), "skipped_without_url": len(skipped)})
        return
    results = run_preflight(
        output, targets, timeout=timeout, secret=websocket_secret, greeting_wait=greeting_wait
    )
    output.document({**preflight_document(results), "skipped_without_url": len(skipped)})
    failed = [result for result in results if not result.ok]
    if failed:
        output.note(f"{len(failed)} of {len(results)} agent URLs failed the pre-flight check.", style="red")
        raise click.exceptions.Exit(int(ExitCode.EVALUATION_FAILED))
    output.note(
        "The agent URL passed the pre-flight check."
        if len(results) == 1
        else f"All {len(results)} agent URLs passed the pre-flight check.",
        style="green",
    )


def run_preflight(
    output: Output, urls: Sequence[str], *, timeout: float, secret: str | None, greeting_wait: float = 1.0
) -> list[PreflightResult]:
    from cekura_wrapper import preflight as check

    output.note(f"Pre-flight check of {len(urls)} agent URL{'s' if len(urls) != 1 else ''}...")
    with reported_errors(output):
        results = check(urls, timeout=timeout, secret=secret, greeting_wait=greeting_wait)
    if output.json_mode:
        output.err.print(preflight_table(results))
    else:
        output.show(preflight_table(results))
    return results


def note_skipped(output: Output, count: int) -> None:
    """Pre-flight cannot check a target that gives no URL: Cekura dials the agent's own."""
    if count:
        output.note(
            f"Pre-flight skips {count} scenario entr{'ies' if count != 1 else 'y'} without a websocket URL: "
            "Cekura dials the agent's websocket URL, which only Cekura knows."
        )


def preflight_or_stop(output: Output, urls: Sequence[str], *, timeout: float, secret: str | None) -> None:
    if not urls:
        return
    results = run_preflight(output, urls, timeout=timeout, secret=secret)
    failed = [result for result in results if not result.ok]
    if failed:
        fail(
            output,
            ExitCode.EVALUATION_FAILED,
            "preflight_failed",
            f"{len(failed)} of {len(results)} agent URLs failed the pre-flight check; nothing was submitted.",
            preflight=preflight_document(results),
        )
