"""``cekura-ws compare NEW_ID BASELINE_ID``: tell a regression from noise, target by target."""

from __future__ import annotations

from pathlib import Path

import click

from cekura_wrapper import DEFAULT_ALPHA, TERMINAL_STATUSES, Comparison

from ..client_options import ClientOptions, client_options
from ..common import fail_input, reported_errors
from ..comparison_report import (
    comparison_document,
    comparison_table,
    headline,
    judge_comparison,
    markdown_comparison,
    unknown_url_note,
)
from ..exit_codes import ExitCode, command_epilog
from ..inputs import InputError, InputProblem
from ..junit import junit_path_problem
from ..links import current_links, project_id_option
from ..options import json_option
from ..render import Output


def _caveats(comparison: Comparison) -> list[str]:
    """What makes the comparison weaker: a result still running, a baseline that did not complete."""
    live = [
        f"{what} {result_id} is still {status}"
        for what, result_id, status in (
            ("result", comparison.result_id, comparison.status),
            ("baseline", comparison.baseline_id, comparison.baseline_status),
        )
        if status not in TERMINAL_STATUSES
    ]
    caveats = ["Provisional: " + " and ".join(live) + " (only finished runs are counted)."] if live else []
    if comparison.baseline_status in TERMINAL_STATUSES and comparison.baseline_status != "completed":
        caveats.append(
            f"Baseline {comparison.baseline_id} ended {comparison.baseline_status}: "
            "its runs may not show how the agent usually does."
        )
    return caveats


@click.command(
    epilog=command_epilog(
        [
            "cekura-ws compare 1240 1234",
            "cekura-ws compare 1240 1234 --json | jq '.rows[] | select(.verdict == \"regressed\")'",
        ],
        (0, 1, 2, 3),
    )
)
@click.argument("result_id", metavar="NEW_ID", type=click.IntRange(min=1))
@click.argument("baseline_id", metavar="BASELINE_ID", type=click.IntRange(min=1))
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=DEFAULT_ALPHA,
    show_default=True,
    help="Significance level: a target regressed when its one-sided p-value is below it.",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Write the comparison as a Markdown report.",
)
@client_options
@project_id_option
@json_option
def compare(
    result_id: int,
    baseline_id: int,
    alpha: float,
    summary: Path | None,
    connection: ClientOptions,
    json_mode: bool,
) -> None:
    """Compare result NEW_ID with BASELINE_ID per scenario and agent URL (a one-sided Fisher exact
    test each): regressed, improved, unchanged, new or removed. Exit 1 when a target regressed
    significantly or NEW_ID did not end completed; 10/10 -> 9/10 is noise, 10/10 -> 2/10 is not."""
    output = Output(json_mode=json_mode)
    problem = junit_path_problem(summary) if summary is not None else None
    if problem:
        fail_input(output, InputError([InputProblem("--summary", problem)]))
    client = connection.client(output)
    with reported_errors(output, result_id=result_id), client:
        comparison = client.compare(result_id, baseline_id, alpha=alpha)
    code, why = judge_comparison(comparison)
    output.show(comparison_table(comparison))
    for note in (unknown_url_note(comparison), *_caveats(comparison)):
        if note:
            output.note(note)
    links = current_links()
    for line in links.terminal_lines([result_id, baseline_id]):
        output.note(line)
    output.line(headline(comparison, code is ExitCode.OK))
    output.note(f"{'PASSED' if code is ExitCode.OK else 'FAILED'}: {why}")
    if summary is not None:
        try:
            summary.parent.mkdir(parents=True, exist_ok=True)
            summary.write_text(
                markdown_comparison(comparison, code is ExitCode.OK)
                + links.markdown_pair(result_id, baseline_id),
                encoding="utf-8",
            )
        except OSError as exc:
            output.note(
                f"Error: could not write the Markdown summary {summary}: {exc.strerror or exc} "
                "(the exit code is still the comparison's)",
                style="bold red",
            )
        else:
            output.note(f"Markdown summary written to {summary}")
    output.document(
        comparison_document(comparison, exit_code=int(code), verdict=why)
        | links.fields(result_id)
        | {"baseline_dashboard_url": links.dashboard(baseline_id)}
    )
    raise click.exceptions.Exit(int(code))
