"""``cekura-ws plan``: what run would send, checked, without sending it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from cekura_wrapper import DEFAULT_MAX_EXTRA_RUNS, resolve_base_url, worst_case_extra_runs

from ..client_options import base_url_option
from ..common import fail_input, reported_errors
from ..documents import plan_document
from ..exit_codes import command_epilog
from ..inputs import InputError, has_groups
from ..options import allow_private_option, batch_options, json_option
from ..render import Output, plan_summary, plan_table
from ..retry_flags import cost_line, cost_problems
from .loading import chosen_mock_tools, load, load_suite_file, refuse_unreachable


@click.command(
    epilog=command_epilog(
        [
            "cekura-ws plan --batch cekura/smoke.yaml",
            "cekura-ws plan --scenario 101=wss://agent.example.com/chat --frequency 2",
        ],
        (0, 2),
    )
)
@batch_options(frequency=True)
@base_url_option(
    "The Cekura API root run would use [default: https://api.cekura.ai]: agent URLs it could not "
    "reach are named."
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    metavar="N",
    help="For a batch file with groups: at most N calls in flight (overrides the file's concurrency).",
)
@allow_private_option
@click.option(
    "--retry-failed",
    type=click.IntRange(min=0, max=10),
    default=0,
    metavar="N",
    help="Show the worst-case cost of run --retry-failed N (exit 2 when it could pass --max-extra-runs).",
)
@click.option(
    "--max-extra-runs",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_EXTRA_RUNS,
    show_default=True,
    metavar="M",
    help="The cap on runs --retry-failed may resubmit in all.",
)
@json_option
def plan(
    batch: Path | None,
    scenarios: Sequence[str],
    frequency: int | None,
    agent: int | None,
    max_runs: int,
    mock_tools: str | None,
    no_mock_tools: bool,
    base_url: str | None,
    concurrency: int | None,
    allow_private_urls: bool,
    retry_failed: int,
    max_extra_runs: int,
    json_mode: bool,
) -> None:
    """Check the batch, show the run count and request body; sends nothing, needs no key.

    For a batch file with groups: each group's runs and call slots, which groups start together
    and the peak calls in flight under the concurrency.

    Exits 2 when run would refuse the batch, including agent URLs Cekura at the base URL could
    not reach.
    """

    output = Output(json_mode=json_mode)
    tools = chosen_mock_tools(output, mock_tools, no_mock_tools, batch)
    if has_groups(batch):
        from ..suite import plan_suite

        plan_suite(output, load_suite_file(output, batch, scenarios, frequency, agent, concurrency, max_runs))
        return
    checked = load(output, batch, scenarios, frequency, agent, max_runs=max_runs, mock_tool_names=tools)
    with reported_errors(output):
        resolved = resolve_base_url(base_url)
    output.show(plan_table(checked))
    output.lines(plan_summary(checked))
    run_count = checked.plan().run_count
    if retry_failed:
        output.line(cost_line(retry_failed, max_extra_runs, run_count))
    refuse_unreachable(output, checked, resolved, allowed=allow_private_urls)
    if retry_failed:
        over_cap = cost_problems(retry_failed, max_extra_runs, run_count)
        if over_cap:
            fail_input(output, InputError(over_cap))
    document = plan_document(checked.plan())
    if retry_failed:
        document["retries"] = {
            "max_rounds": retry_failed,
            "worst_case_extra_runs": worst_case_extra_runs(run_count, retry_failed),
            "max_extra_runs": max_extra_runs,
        }
    output.document(document)
