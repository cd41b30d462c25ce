"""``cekura-ws results`` and ``cekura-ws stop``: list recent results, end a result's calls."""

from __future__ import annotations

import click

from ..client_options import ClientOptions, client_options
from ..common import reported_errors
from ..exit_codes import ExitCode, command_epilog
from ..options import json_option
from ..render import Output
from ..stopping import ended_lines


@click.command(epilog=command_epilog(["cekura-ws stop 1234 1235"], (0, 2, 3)))
@click.argument("result_ids", nargs=-1, required=True, type=click.IntRange(min=1), metavar="RESULT_ID...")
@client_options
@json_option
def stop(result_ids: tuple[int, ...], connection: ClientOptions, json_mode: bool) -> None:
    """End every call of these results: calls in progress hang up, runs not started never start.

    Ending twice is harmless. Exits 3 when Cekura could not end one of them (an unknown id included).
    """
    output = Output(json_mode=json_mode)
    unique = list(dict.fromkeys(result_ids))
    client = connection.client(output)
    with client:
        outcome = client.end_calls_many(unique)
    for line in ended_lines(outcome):
        output.line(line)
    failed = {result_id: str(ended.error) for result_id, ended in outcome.items() if ended.error is not None}
    code = ExitCode.API_ERROR if failed else ExitCode.OK
    output.document(
        {
            "kind": "stop",
            "exit_code": int(code),
            "ended": [result_id for result_id in unique if outcome[result_id].ended],
            "failed": {str(result_id): error for result_id, error in failed.items()},
        }
    )
    raise click.exceptions.Exit(int(code))


@click.command(
    epilog=command_epilog(["cekura-ws results --limit 5", "cekura-ws results --agent 7 --json"], (0, 2, 3))
)
@click.option("--agent", type=click.IntRange(min=1), metavar="ID", help="Only this agent's results.")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    metavar="N",
    help="How many of the newest results to show (1-1000).",
)
@client_options
@json_option
def results(
    agent: int | None,
    limit: int,
    connection: ClientOptions,
    json_mode: bool,
) -> None:
    """List recent results, newest first: id, created, status, passed/total.

    What to look at before running a job again after "may have reached Cekura" (exit 3).
    Exits 0, or 2/3 like every command that reads from Cekura.
    """
    import itertools

    from ..render import results_table

    output = Output(json_mode=json_mode)
    client = connection.client(output)
    with client, reported_errors(output):
        found = list(itertools.islice(client.list_results(agent, page_size=min(limit, 100)), limit))
    output.show(results_table(found))
    output.document(
        {
            "kind": "results",
            "results": [
                {
                    "id": result.id,
                    "created_at": result.raw.get("created_at"),
                    "status": result.status,
                    "agent": result.raw.get("agent"),
                    "passed_runs": result.success_runs,
                    "total_runs": result.total_runs,
                }
                for result in found
            ],
        }
    )
