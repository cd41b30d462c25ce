"""``cekura-ws run``: its options and the checks of their combinations; then the single-batch path
(``run_batch``) or, for a batch file with groups, the suite path (``run_suite``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..baseline import Gate, gate_options, gate_problems
from ..client_options import ClientOptions, client_options
from ..common import fail, fail_input
from ..exit_codes import ExitCode, command_epilog
from ..inputs import InputError, has_groups
from ..links import current_links, project_id_option, share_links_option
from ..options import allow_private_option, batch_options, json_option, wait_options, websocket_secret_option
from ..render import Output
from ..reports import Reports
from ..retry_flags import retry_flag_problems, retry_options
from .loading import chosen_mock_tools, load, load_suite_file, report_path_problems
from .run_batch import RunSettings, run_batch
from .run_suite import run_suite_file


@click.command(
    epilog=command_epilog(
        [
            "cekura-ws run --batch cekura/smoke.yaml --preflight --wait --fail-under 90%",
            "cekura-ws run --scenario 101=wss://agent.example.com/chat --frequency 1",
        ],
        (0, 1, 2, 3, 4, 130, 143),
    )
)
@batch_options(frequency=True)
@client_options
@click.option("--wait", is_flag=True, help="Follow the result to its end and exit with its verdict.")
@wait_options
@click.option(
    "--preflight",
    "check_first",
    is_flag=True,
    help="Check every agent URL first; when one fails, submit nothing (exit 1).",
)
@click.option(
    "--preflight-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Time allowed for each URL's pre-flight check.",
)
@websocket_secret_option(
    "Sent as X-VOCERA-SECRET in pre-flight checks (the secret configured on the Cekura agent)."
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    metavar="N",
    help="For a batch file with groups: at most N calls in flight (overrides the file's concurrency).",
)
@click.option(
    "--keep-running",
    is_flag=True,
    help="With --wait: at --timeout, Ctrl-C or SIGTERM leave the calls running (resume with "
    "cekura-ws watch ID) instead of ending them.",
)
@allow_private_option
@gate_options
@retry_options
@click.option(
    "--lookup-window",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="When the run request fails after it may have reached Cekura, look for the batch this long "
    "before concluding it was not created (it is never resent).",
)
@project_id_option
@share_links_option
@json_option
def run(
    batch: Path | None,
    scenarios: Sequence[str],
    frequency: int | None,
    agent: int | None,
    max_runs: int,
    mock_tools: str | None,
    no_mock_tools: bool,
    connection: ClientOptions,
    wait: bool,
    timeout: float,
    junit: Path | None,
    fail_under: float | None,
    summary: Path | None,
    no_step_summary: bool,
    check_first: bool,
    preflight_timeout: float,
    websocket_secret: str | None,
    concurrency: int | None,
    keep_running: bool,
    allow_private_urls: bool,
    baseline: int | str | None,
    fail_on: str | None,
    retry_failed: int,
    max_extra_runs: int,
    allow_flaky: bool,
    lookup_window: float,
    json_mode: bool,
) -> None:
    """Submit the batch to Cekura; with --wait, follow it to the end and judge it.

    A batch file with groups is a suite: it needs --wait; groups start in order as their call
    slots fit under --concurrency, and the report covers every group.

    With --wait, stopping early (--timeout, Ctrl-C, SIGTERM) ends the calls this run started,
    unless --keep-running.

    The gate passes only when the result completed and every run in it passed (--fail-under
    relaxes the second half; --baseline with --fail-on regression judges significant drops per
    scenario instead; --retry-failed judges each scenario after retrying its failed runs). Agent URLs Cekura's cloud cannot reach (loopback, private or other
    non-global addresses, single-label names, .local/.internal/.svc...) are refused unless the base URL is a loopback one or --allow-private-urls.
    """
    output = Output(json_mode=json_mode)
    tools = chosen_mock_tools(output, mock_tools, no_mock_tools, batch)
    waiting_only: tuple[tuple[str, object], ...] = (
        ("--junit", junit),
        ("--fail-under", fail_under),
        ("--summary", summary),
        ("--baseline", baseline),
        ("--fail-on", fail_on),
        ("--retry-failed", retry_failed or None),
        ("--share-links", current_links().share_days),
    )
    flags = [flag for flag, value in waiting_only if value is not None]
    if not wait and flags:
        fail(
            output,
            ExitCode.INVALID_INPUT,
            "usage",
            f"{' and '.join(flags)} {'needs' if len(flags) == 1 else 'need'} --wait "
            "(the result must be finished to judge it)",
        )
    gate_flag_problems = gate_problems(baseline, fail_on) + retry_flag_problems(
        retry_failed=retry_failed, allow_flaky=allow_flaky, fail_under=fail_under, fail_on=fail_on
    )
    if gate_flag_problems:
        fail_input(output, InputError(gate_flag_problems))
    settings = RunSettings(
        wait=wait,
        timeout=timeout,
        reports=Reports(junit=junit, summary=summary, step_summary=not no_step_summary),
        fail_under=fail_under,
        preflight=(preflight_timeout, websocket_secret) if check_first else None,
        keep_running=keep_running,
        allow_private_urls=allow_private_urls,
        gate=Gate(baseline, fail_on == "regression"),
        retry_failed=retry_failed,
        max_extra_runs=max_extra_runs,
        allow_flaky=allow_flaky,
        lookup_window=lookup_window,
    )
    if has_groups(batch):
        suite = load_suite_file(output, batch, scenarios, frequency, agent, concurrency, max_runs)
        if baseline is not None or retry_failed:
            fail(
                output,
                ExitCode.INVALID_INPUT,
                "usage",
                "--baseline and --retry-failed are not supported with a batch file with groups",
            )
        if not wait:
            fail(output, ExitCode.INVALID_INPUT, "usage", "a batch file with groups needs --wait")
        path_problems = report_path_problems(junit=junit, summary=summary)
        if path_problems:
            fail_input(output, InputError(path_problems))
        run_suite_file(output, suite, connection, settings)
    checked = load(
        output,
        batch,
        scenarios,
        frequency,
        agent,
        junit=junit,
        summary=summary,
        max_runs=max_runs,
        mock_tool_names=tools,
    )
    run_batch(output, checked, connection, settings)
