"""The ``cekura-ws`` commands: plan, run, status, watch, preflight (and the offline tools in ``dev``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cekura_wrapper import DISTRIBUTION
from cekura_wrapper._plan import MAX_RUNS
from cekura_wrapper._reach import unreachable_agent_urls
from cekura_wrapper._retries import DEFAULT_MAX_EXTRA_RUNS, worst_case_extra_runs
from cekura_wrapper.spec.model import EXIT_CODE_MEANINGS, DriftExitCode

from . import dev
from .agent_urls import AgentUrls
from .analysis import terminal_analysis
from .baseline import (
    Gate,
    choose_baseline,
    comparison_fields,
    gate_options,
    gate_problems,
    gate_verdict,
    show_comparison,
)
from .common import (
    allow_private_option,
    allowed_env,
    api_options,
    batch_options,
    configure_logging,
    fail,
    fail_input,
    json_option,
    plural,
    poll_timing,
    reconciled_note,
    reported_errors,
    wait_options,
)
from .compare import compare
from .documents import error_document, plan_document, preflight_document, submission_document
from .exit_codes import EXIT_CODES_HELP, ExitCode, command_epilog
from .github_errors import report_error
from .inputs import Batch, InputError, InputProblem, SuiteInput, has_groups, load_batch, load_suite, load_urls
from .junit import junit_path_problem
from .links import current_links, project_id_option, share_links_option
from .render import Output, plan_summary, plan_table, preflight_table, result_summary, runs_table
from .reports import Reports
from .retry_flags import cost_line, cost_problems, retry_flag_problems, retry_options
from .stopping import Terminated, ended_lines, sigterm_as_interrupt
from .verdict import judge

if TYPE_CHECKING:
    from cekura_wrapper._preflight import PreflightResult

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


@main.command(
    epilog=command_epilog(
        [
            "cekura-ws plan --batch cekura/smoke.yaml",
            "cekura-ws plan --scenario 101=wss://agent.example.com/chat --frequency 2",
        ],
        (0, 2),
    )
)
@batch_options(frequency=True)
@click.option(
    "--base-url",
    envvar="CEKURA_BASE_URL",
    show_envvar=True,
    metavar="URL",
    help="The Cekura API root run would use [default: https://api.cekura.ai]: agent URLs it could not "
    "reach are named.",
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
    from cekura_wrapper._settings import resolve_base_url

    output = Output(json_mode=json_mode)
    tools = _mock_tools(output, mock_tools, no_mock_tools, batch)
    if has_groups(batch):
        from .suite import plan_suite

        plan_suite(output, _load_suite(output, batch, scenarios, frequency, agent, concurrency, max_runs))
        return
    checked = _load(output, batch, scenarios, frequency, agent, max_runs=max_runs, mock_tool_names=tools)
    with reported_errors(output):
        resolved = resolve_base_url(base_url)
    output.show(plan_table(checked))
    output.lines(plan_summary(checked))
    run_count = checked.plan().run_count
    if retry_failed:
        output.line(cost_line(retry_failed, max_extra_runs, run_count))
    _refuse_unreachable(output, checked, resolved, allowed=allow_private_urls)
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


@main.command(
    epilog=command_epilog(
        [
            "cekura-ws run --batch cekura/smoke.yaml --preflight --wait --fail-under 90%",
            "cekura-ws run --scenario 101=wss://agent.example.com/chat --frequency 1",
        ],
        (0, 1, 2, 3, 4, 130, 143),
    )
)
@batch_options(frequency=True)
@api_options
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
@click.option(
    "--websocket-secret",
    envvar="CEKURA_WEBSOCKET_SECRET",
    show_envvar=True,
    metavar="SECRET",
    help="Sent as X-VOCERA-SECRET in pre-flight checks (the secret configured on the Cekura agent).",
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
    api_key: str | None,
    base_url: str | None,
    max_retries: int,
    wait: bool,
    timeout: float,
    poll_interval: float | None,
    max_poll_interval: float | None,
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
    scenario instead; --retry-failed judges each scenario after retrying its failed runs). Agent URLs Cekura's cloud cannot reach (loopback, private,
    .local/.internal) are refused unless the base URL is a loopback one or --allow-private-urls.
    """
    from cekura_wrapper import CekuraClient

    from .follow import follow
    from .retrying import follow_with_retries

    output = Output(json_mode=json_mode)
    tools = _mock_tools(output, mock_tools, no_mock_tools, batch)
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
    if has_groups(batch):
        suite = _load_suite(output, batch, scenarios, frequency, agent, concurrency, max_runs)
        if baseline is not None or retry_failed:
            fail(
                output,
                ExitCode.INVALID_INPUT,
                "usage",
                "--baseline and --retry-failed are not supported with a batch file with groups",
            )
        if not wait:
            fail(output, ExitCode.INVALID_INPUT, "usage", "a batch file with groups needs --wait")
        path_problems = _report_path_problems(junit=junit, summary=summary)
        if path_problems:
            fail_input(output, InputError(path_problems))
        _run_suite(
            output,
            suite,
            preflight=(preflight_timeout, websocket_secret) if check_first else None,
            api_key=api_key,
            base_url=base_url,
            max_retries=max_retries,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            allow_private_urls=allow_private_urls,
            timeout=timeout,
            keep_running=keep_running,
            reports=Reports(junit=junit, summary=summary, step_summary=not no_step_summary),
            fail_under=fail_under,
        )
    checked = _load(
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
    run_plan = checked.plan()
    if retry_failed:
        over_cap = cost_problems(retry_failed, max_extra_runs, run_plan.run_count)
        if over_cap:
            fail_input(output, InputError(over_cap))
    with reported_errors(output):
        poll_interval, max_poll_interval = poll_timing(base_url, poll_interval, max_poll_interval)
        client = CekuraClient(
            api_key,
            base_url=base_url,
            max_retries=max_retries,
            poll_interval=poll_interval,
            max_poll_interval=max(poll_interval, max_poll_interval),
            allow_private_agent_urls=allow_private_urls,
            reconcile_window=lookup_window,
        )
    with client, sigterm_as_interrupt():
        _refuse_unreachable(output, checked, client.base_url, allowed=allow_private_urls)
        if check_first:
            _note_skipped(output, checked.on_agent_url)
            _preflight_or_stop(output, checked.urls, timeout=preflight_timeout, secret=websocket_secret)
        output.note(f"Submitting {plural(run_plan.run_count, 'run')} to {client.base_url}")
        try:
            with reported_errors(output, batch=checked):
                submission = client.run_scenarios(
                    run_plan.scenarios,
                    frequency=run_plan.frequency,
                    agent=run_plan.agent,
                    mock_tool_names=run_plan.mock_tool_names,
                )
        except KeyboardInterrupt as exc:
            terminated = isinstance(exc, Terminated)
            fail(
                output,
                ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED,
                "terminated" if terminated else "interrupted",
                "interrupted while submitting: the run request may have reached Cekura.",
                advice="Check the results list in the Cekura dashboard before submitting again.",
            )
        if submission.reconciled:
            output.note(reconciled_note(submission), style="yellow")
        output.note(
            f"Submitted result {submission.result_id}: {plural(submission.run_count, 'run')}."
            f" Follow it with: cekura-ws watch {submission.result_id}"
        )
        if not wait:
            output.line(f"result {submission.result_id}")
            output.document(submission_document(submission, AgentUrls.from_plan(run_plan)))
            return
        if retry_failed:
            follow_with_retries(
                output,
                client,
                submission.result_id,
                run_plan,
                retry_failed=retry_failed,
                max_extra_runs=max_extra_runs,
                allow_flaky=allow_flaky,
                timeout=timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                reports=Reports(junit=junit, summary=summary, step_summary=not no_step_summary),
                urls=AgentUrls.from_plan(run_plan),
                end_calls_on_stop=not keep_running,
            )
        follow(
            output,
            client,
            submission.result_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            reports=Reports(junit=junit, summary=summary, step_summary=not no_step_summary),
            fail_under=fail_under,
            urls=AgentUrls.from_plan(run_plan),
            end_calls_on_stop=not keep_running,
            gate=Gate(baseline, fail_on == "regression", run_plan.agent),
        )


@main.command(
    epilog=command_epilog(
        ["cekura-ws status 1234", "cekura-ws status 1234 --json | jq .pass_rate"], (0, 1, 2, 3)
    )
)
@click.argument("result_id", type=click.IntRange(min=1))
@api_options
@gate_options
@project_id_option
@json_option
def status(
    result_id: int,
    api_key: str | None,
    base_url: str | None,
    max_retries: int,
    baseline: int | str | None,
    fail_on: str | None,
    json_mode: bool,
) -> None:
    """Read a result once; once it has ended, exit 1 unless it completed with every run passed
    (0 while it still runs). --baseline compares it (once ended); --fail-on regression judges that."""
    from cekura_wrapper import CekuraClient

    from .documents import result_document
    from .target_report import targets_table

    output = Output(json_mode=json_mode)
    gate_flag_problems = gate_problems(baseline, fail_on)
    if gate_flag_problems:
        fail_input(output, InputError(gate_flag_problems))
    gate = Gate(baseline, fail_on == "regression")
    with (
        reported_errors(output, result_id=result_id),
        CekuraClient(api_key, base_url=base_url, max_retries=max_retries) as client,
    ):
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


@main.command(
    epilog=command_epilog(
        ["cekura-ws watch 1234 --timeout 1800 --junit reports/cekura.xml"], (0, 1, 2, 3, 4, 130, 143)
    )
)
@click.argument("result_id", type=click.IntRange(min=1))
@api_options
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
    api_key: str | None,
    base_url: str | None,
    max_retries: int,
    timeout: float,
    poll_interval: float | None,
    max_poll_interval: float | None,
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
    from cekura_wrapper import CekuraClient

    from .follow import follow

    output = Output(json_mode=json_mode)
    path_problems = _report_path_problems(junit=junit, summary=summary) + gate_problems(baseline, fail_on)
    if path_problems:
        fail_input(output, InputError(path_problems))
    with reported_errors(output):
        poll_interval, max_poll_interval = poll_timing(base_url, poll_interval, max_poll_interval)
        client = CekuraClient(
            api_key,
            base_url=base_url,
            max_retries=max_retries,
            poll_interval=poll_interval,
            max_poll_interval=max(poll_interval, max_poll_interval),
        )
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


@main.command(epilog=command_epilog(["cekura-ws stop 1234 1235"], (0, 2, 3)))
@click.argument("result_ids", nargs=-1, required=True, type=click.IntRange(min=1), metavar="RESULT_ID...")
@api_options
@json_option
def stop(
    result_ids: tuple[int, ...], api_key: str | None, base_url: str | None, max_retries: int, json_mode: bool
) -> None:
    """End every call of these results: calls in progress hang up, runs not started never start.

    Ending twice is harmless. Exits 3 when Cekura could not end one of them (an unknown id included).
    """
    from cekura_wrapper import CekuraClient

    output = Output(json_mode=json_mode)
    unique = list(dict.fromkeys(result_ids))
    with reported_errors(output):
        client = CekuraClient(api_key, base_url=base_url, max_retries=max_retries)
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


@main.command(
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
@api_options
@json_option
def results(
    agent: int | None,
    limit: int,
    api_key: str | None,
    base_url: str | None,
    max_retries: int,
    json_mode: bool,
) -> None:
    """List recent results, newest first: id, created, status, passed/total.

    What to look at before running a job again after "may have reached Cekura" (exit 3).
    Exits 0, or 2/3 like every command that reads from Cekura.
    """
    import itertools

    from cekura_wrapper import CekuraClient

    from .render import results_table

    output = Output(json_mode=json_mode)
    with reported_errors(output):
        client = CekuraClient(api_key, base_url=base_url, max_retries=max_retries)
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


@main.command(
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
@click.option(
    "--websocket-secret",
    envvar="CEKURA_WEBSOCKET_SECRET",
    show_envvar=True,
    metavar="SECRET",
    help="Sent as X-VOCERA-SECRET (the secret configured on the Cekura agent).",
)
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
    _note_skipped(output, len(skipped))
    if not targets:
        output.document({**preflight_document([]), "skipped_without_url": len(skipped)})
        return
    results = _run_preflight(
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


def _load(
    output: Output,
    batch: Path | None,
    scenarios: Sequence[str],
    frequency: int | None,
    agent: int | None,
    *,
    junit: Path | None = None,
    summary: Path | None = None,
    max_runs: int = MAX_RUNS,
    mock_tool_names: object = None,
) -> Batch:
    """The checked batch; its problems and unwritable report paths are reported together (exit 2)."""
    path_problems = _report_path_problems(junit=junit, summary=summary)
    try:
        loaded = load_batch(
            batch,
            scenarios,
            frequency=frequency,
            agent=agent,
            max_runs=max_runs,
            mock_tool_names=mock_tool_names,
            allow_env=allowed_env(),
        )
    except InputError as exc:
        fail_input(output, InputError([*exc.problems, *path_problems]))
    if path_problems:
        fail_input(output, InputError(path_problems))
    return loaded


def _mock_tools(output: Output, mock_tools: str | None, no_mock_tools: bool, batch: Path | None) -> object:
    """The flags' choice of mock tools (``NOT_GIVEN``: the batch file decides), or exit 2."""
    from .mock_tools import NOT_GIVEN, from_flags

    try:
        chosen = from_flags(mock_tools, no_mock_tools)
    except InputError as exc:
        fail_input(output, exc)
    if chosen is not NOT_GIVEN and has_groups(batch):
        fail(
            output,
            ExitCode.INVALID_INPUT,
            "usage",
            "--mock-tools/--no-mock-tools cannot be combined with a batch file with groups "
            "(set mock_tool_names per group)",
        )
    return chosen


def _load_suite(
    output: Output,
    batch: Path | None,
    scenarios: Sequence[str],
    frequency: int | None,
    agent: int | None,
    concurrency: int | None,
    max_runs: int,
) -> SuiteInput:
    """The checked suite file, or exit 2 listing every problem of every group."""
    assert batch is not None
    flags = [
        flag
        for flag, value in (("--scenario", scenarios), ("--frequency", frequency), ("--agent", agent))
        if value
    ]
    if flags:
        fail(
            output,
            ExitCode.INVALID_INPUT,
            "usage",
            f"{', '.join(flags)} cannot be combined with a batch file with groups (set them per group)",
        )
    try:
        return load_suite(batch, concurrency=concurrency, max_runs=max_runs, allow_env=allowed_env())
    except InputError as exc:
        fail_input(output, exc)


def _run_suite(
    output: Output,
    suite: SuiteInput,
    *,
    preflight: tuple[float, str | None] | None,
    api_key: str | None,
    base_url: str | None,
    max_retries: int,
    poll_interval: float | None,
    max_poll_interval: float | None,
    allow_private_urls: bool,
    timeout: float,
    keep_running: bool,
    reports: Reports,
    fail_under: float | None,
) -> None:
    from cekura_wrapper import CekuraClient

    from .suite import run_suite

    with reported_errors(output):
        poll_interval, max_poll_interval = poll_timing(base_url, poll_interval, max_poll_interval)
        client = CekuraClient(
            api_key,
            base_url=base_url,
            max_retries=max_retries,
            poll_interval=poll_interval,
            max_poll_interval=max(poll_interval, max_poll_interval),
            allow_private_agent_urls=allow_private_urls,
        )
    with client, sigterm_as_interrupt():
        for _name, batch in suite.groups:
            _refuse_unreachable(output, batch, client.base_url, allowed=allow_private_urls)
        if preflight is not None:
            urls = list(dict.fromkeys(url for _name, batch in suite.groups for url in batch.urls))
            _note_skipped(output, sum(batch.on_agent_url for _name, batch in suite.groups))
            _preflight_or_stop(output, urls, timeout=preflight[0], secret=preflight[1])
        total = sum(batch.plan().run_count for _, batch in suite.groups)
        output.note(f"Running {len(suite.groups)} groups ({total} runs) on {client.base_url}")
        with reported_errors(output):
            run_suite(
                output,
                client,
                suite,
                timeout=timeout,
                keep_running=keep_running,
                reports=reports,
                fail_under=fail_under,
            )


def _report_path_problems(*, junit: Path | None, summary: Path | None) -> list[InputProblem]:
    """Checked before anything is submitted or waited for, so a finished batch is never left without its report."""
    problems = []
    for flag, path in (("--junit", junit), ("--summary", summary)):
        problem = junit_path_problem(path) if path is not None else None
        if problem:
            problems.append(InputProblem(flag, problem))
    return problems


def _refuse_unreachable(output: Output, batch: Batch, base_url: str, *, allowed: bool) -> None:
    """Exit 2 naming every agent URL Cekura at ``base_url`` could not reach (before any request,
    pre-flight included: a local check would pass them)."""
    problems = [] if allowed else unreachable_agent_urls(batch.plan(), base_url)
    if problems:
        output.note(
            f"Cekura ({base_url}) runs its conversations from its cloud: these agent URLs are out of its "
            "reach. Use a public URL (e.g. a tunnel), or --allow-private-urls for peered or VPN setups."
        )
        fail_input(
            output, InputError([InputProblem(batch.where(p.loc) or "input", p.message) for p in problems])
        )


def _run_preflight(
    output: Output, urls: Sequence[str], *, timeout: float, secret: str | None, greeting_wait: float = 1.0
) -> list[PreflightResult]:
    from cekura_wrapper._preflight import preflight as check

    output.note(f"Pre-flight check of {len(urls)} agent URL{'s' if len(urls) != 1 else ''}...")
    with reported_errors(output):
        results = check(urls, timeout=timeout, secret=secret, greeting_wait=greeting_wait)
    if output.json_mode:
        output.err.print(preflight_table(results))
    else:
        output.show(preflight_table(results))
    return results


def _note_skipped(output: Output, count: int) -> None:
    """Pre-flight cannot check a target that gives no URL: Cekura dials the agent's own."""
    if count:
        output.note(
            f"Pre-flight skips {count} scenario entr{'ies' if count != 1 else 'y'} without a websocket URL: "
            "Cekura dials the agent's websocket URL, which only Cekura knows."
        )


def _preflight_or_stop(output: Output, urls: Sequence[str], *, timeout: float, secret: str | None) -> None:
    if not urls:
        return
    results = _run_preflight(output, urls, timeout=timeout, secret=secret)
    failed = [result for result in results if not result.ok]
    if failed:
        fail(
            output,
            ExitCode.EVALUATION_FAILED,
            "preflight_failed",
            f"{len(failed)} of {len(results)} agent URLs failed the pre-flight check; nothing was submitted.",
            preflight=preflight_document(results),
        )


class _DriftCommand(click.Command):
    """Usage errors exit 3, as the drift check's own list says (2 means breaking drift there)."""

    def parse_args(self, context: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(context, args)
        except click.UsageError as exc:
            exc.exit_code = int(DriftExitCode.BAD_INPUT)
            raise


@main.command(
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


for _command in (compare, dev.emulator, dev.agent, dev.demo):
    main.add_command(_command)
