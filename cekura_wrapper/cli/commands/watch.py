"""``cekura-ws status`` and ``cekura-ws watch``: read a result once, or follow it to its end, and judge it."""

from __future__ import annotations

from pathlib import Path

import click

from ..analysis import terminal_analysis
from ..baseline import (
    Gate,
    choose_baseline,
    comparison_fields,
    gate_options,
    gate_problems,
    gate_verdict,
    show_comparison,
)
from ..client_options import ClientOptions, client_options
from ..common import fail_input, reported_errors
from ..exit_codes import ExitCode, command_epilog
from ..inputs import InputError
from ..links import current_links, project_id_option, share_links_option
from ..options import json_option, wait_options
from ..render import Output, result_summary, runs_table
from ..reports import Reports
from ..stopping import sigterm_as_interrupt
from ..verdict import judge
from .loading import report_path_problems


@click.command(
    epilog=command_epilog(
        ["cekura-ws status 1234", "cekura-ws status 1234 --json | jq .pass_rate"], (0, 1, 2, 3)
    )
)
@click.argument("result_id", type=click.IntRange(min=1))
@client_options
@gate_options
@project_id_option
@json_option
def status(
    result_id: int,
    connection: ClientOptions,
    baseline: int | str | None,
    fail_on: str | None,
    json_mode: bool,
) -> None:
    """Read a result once; once it has ended, exit 1 unless it completed with every run passed
    (0 while it still runs). --baseline compares it (once ended); --fail-on regression judges that."""
    from ..documents import result_document
    from ..target_report import targets_table

    output = Output(json_mode=json_mode)
    gate_flag_problems = gate_problems(baseline, fail_on)
    if gate_flag_problems:
        fail_input(output, InputError(gate_flag_problems))
    gate = Gate(baseline, fail_on == "regression")
    client = connection.client(output)
    with reported_errors(output, result_id=result_id), client:
        result = client.get_result(result_id)
        choice = choose_baseline(client, result, gate) if result.is_terminal else None
    if result.is_terminal:
        verdict = gate_verdict(judge([result], None), result, choice, gate)
        code, why, headline = verdict.exit_code, verdict.reason, verdict.headline
    else:
        code, why = ExitCode.OK, f"result {result_id} is still {result.status}"
        headline = why
    output.show(runs_table(result))
    output.show(targets_table(result))
    output.line(result_summary(result))
    show_comparison(output, choice)
    output.note(headline)
    for line in current_links().terminal_lines([result.id]) + terminal_analysis([result]):
        output.note(line)
    output.document(
        result_document(result, exit_code=code, verdict=why, fail_under=None)
        | comparison_fields(choice)
        | current_links().fields(result.id)
        | ({"passed": code is ExitCode.OK} if result.is_terminal else {})
    )
    raise click.exceptions.Exit(int(code))


@click.command(
    epilog=command_epilog(
        ["cekura-ws watch 1234 --timeout 1800 --junit reports/cekura.xml"], (0, 1, 2, 3, 4, 130, 143)
    )
)
@click.argument("result_id", type=click.IntRange(min=1))
@client_options
@wait_options
@click.option(
    "--end-calls-on-stop",
    is_flag=True,
    help="At --timeout, Ctrl-C or SIGTERM, end the result's calls (by default watch leaves them running).",
)
@gate_options
@project_id_option
@share_links_option
@json_option
def watch(
    result_id: int,
    connection: ClientOptions,
    timeout: float,
    junit: Path | None,
    fail_under: float | None,
    summary: Path | None,
    no_step_summary: bool,
    end_calls_on_stop: bool,
    baseline: int | str | None,
    fail_on: str | None,
    json_mode: bool,
) -> None:
    """Follow a result to its end and judge it like run --wait (resumes after Ctrl-C or a timeout)."""
    from ..follow import follow

    output = Output(json_mode=json_mode)
    path_problems = report_path_problems(junit=junit, summary=summary) + gate_problems(baseline, fail_on)
    if path_problems:
        fail_input(output, InputError(path_problems))
    client = connection.client(output, polls=True)
    poll_interval, max_poll_interval = connection.polling()
    with client, sigterm_as_interrupt():
        follow(
            output,
            client,
            result_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            reports=Reports(junit=junit, summary=summary, step_summary=not no_step_summary),
            fail_under=fail_under,
            end_calls_on_stop=end_calls_on_stop,
            gate=Gate(baseline, fail_on == "regression"),
        )
