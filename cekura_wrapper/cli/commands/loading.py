"""What plan, run and watch check before anything is sent: the batch or suite file with the flags,
the report paths, and the agent URLs Cekura could not reach."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cekura_wrapper import MAX_RUNS, unreachable_agent_urls

from ..common import fail, fail_input
from ..exit_codes import ExitCode
from ..inputs import Batch, InputError, InputProblem, SuiteInput, has_groups, load_batch, load_suite
from ..junit import junit_path_problem
from ..options import allowed_env
from ..render import Output


def load(
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
    path_problems = report_path_problems(junit=junit, summary=summary)
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


def chosen_mock_tools(
    output: Output, mock_tools: str | None, no_mock_tools: bool, batch: Path | None
) -> object:
    """The flags' choice of mock tools (``NOT_GIVEN``: the batch file decides), or exit 2."""
    from ..mock_tools import NOT_GIVEN, from_flags

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


def load_suite_file(
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


def report_path_problems(*, junit: Path | None, summary: Path | None) -> list[InputProblem]:
    """Checked before anything is submitted or waited for, so a finished batch is never left without its report."""
    problems = []
    for flag, path in (("--junit", junit), ("--summary", summary)):
        problem = junit_path_problem(path) if path is not None else None
        if problem:
            problems.append(InputProblem(flag, problem))
    return problems


def refuse_unreachable(output: Output, batch: Batch, base_url: str, *, allowed: bool) -> None:
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
