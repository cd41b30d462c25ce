"""Loading a batch: the file and the ``--scenario``/``--frequency``/``--agent`` flags, checked
together, and planned by the library's ``plan_run`` so the body is exactly what it sends."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from cekura_wrapper import (
    MAX_RUNS,
    RunPlan,
    ValidationError,
    check_frequency,
    check_positive_id,
    check_websocket_url,
    plan_run,
)

from .batch import Batch, Located, place
from .entries import entry_target, scenario_flag
from .files import FileContent, read_file
from .problems import InputError, file_order
from .settings import checked_setting, file_mock_tools
from .variables import Collector


def load_batch(
    batch: Path | None,
    scenarios: Sequence[str] = (),
    *,
    frequency: int | None = None,
    agent: int | None = None,
    need_frequency: bool = True,
    max_runs: int = MAX_RUNS,
    environ: Mapping[str, str] | None = None,
    allow_env: Collection[str] = (),
    mock_tool_names: object = None,
) -> Batch:
    """Read and check everything, or raise ``InputError`` listing every problem. ``${VAR}`` reads
    only ``allow_env`` and ``CEKURA_VAR_*`` names (see ``variable_refusal``).

    ``mock_tool_names``: what the flags chose (a tuple), or anything else (``NOT_GIVEN``) to let
    the file decide."""
    collector = Collector(os.environ if environ is None else environ, allowed=frozenset(allow_env))
    content, targets = _collect(batch, scenarios, collector)
    if not targets and not collector.problems:
        collector.add(str(batch or "input"), "no scenarios: pass --batch FILE or --scenario ID=URL")
    origins: dict[str, str] = {}
    final_frequency = checked_setting(
        "frequency", frequency, content.frequency, check_frequency, collector, origins
    )
    final_agent = checked_setting(
        "agent", agent, content.agent, lambda value: check_positive_id(value, "agent"), collector, origins
    )
    if (
        need_frequency
        and frequency is None
        and content.frequency is None
        and not content.unreadable
        and "frequency" not in content.meant
    ):
        collector.add(
            "--frequency", "frequency is required: pass --frequency N or set frequency in the batch file"
        )
    tools = file_mock_tools(mock_tool_names, content.mock_tool_names, collector, origins)
    run_plan = None
    if not collector.problems and final_frequency is not None:
        run_plan = plan_targets(targets, final_frequency, final_agent, collector, origins, max_runs, tools)
    if collector.problems:
        raise InputError(sorted(collector.problems, key=file_order))
    return Batch(
        targets=tuple(targets),
        frequency=final_frequency,
        agent=final_agent,
        run_plan=run_plan,
        origins=origins,
    )


def plan_targets(
    targets: Sequence[Located],
    frequency: int,
    agent: int | None,
    collector: Collector,
    origins: Mapping[str, str],
    max_runs: int,
    mock_tool_names: tuple[str, ...] | None = None,
) -> RunPlan | None:
    """The library's plan; anything it still rejects becomes a problem at the scenario's file and line."""
    try:
        return plan_run(
            [located.target for located in targets],
            frequency=frequency,
            agent=agent,
            max_runs=max_runs,
            mock_tool_names=mock_tool_names,
        )
    except ValidationError as exc:
        for problem in exc.problems:
            where = place(problem.loc, targets, origins)
            if where is None:
                collector.add("run request", str(problem))
            else:
                collector.add(where, problem.message)
        return None


def load_urls(
    urls: Sequence[str],
    batch: Path | None = None,
    scenarios: Sequence[str] = (),
    *,
    environ: Mapping[str, str] | None = None,
    allow_env: Collection[str] = (),
    skipped: list[str] | None = None,
) -> list[str]:
    """The distinct agent URLs of positional ``urls`` plus a batch, or ``InputError``. Targets
    that give no URL (the agent's own) are left out; where each was is added to ``skipped``.
    ``${VAR}`` reads only ``allow_env`` and ``CEKURA_VAR_*`` names."""
    collector = Collector(os.environ if environ is None else environ, allowed=frozenset(allow_env))
    _content, targets = _collect(batch, scenarios, collector)
    found = [url for located in targets if (url := located.target.websocket_url)]
    if skipped is not None:
        skipped.extend(located.where for located in targets if located.target.websocket_url is None)
    for number, url in enumerate(urls, start=1):
        problem = check_websocket_url(url)
        if problem:
            collector.add(f"URL #{number}", problem)
        else:
            found.append(url.strip())
    if not found and not collector.problems and not targets:
        collector.add("input", "no agent URLs: pass URLs, --batch FILE or --scenario ID=URL")
    if collector.problems:
        raise InputError(sorted(collector.problems, key=file_order))
    return list(dict.fromkeys(found))


def _collect(
    batch: Path | None, scenarios: Sequence[str], collector: Collector
) -> tuple[FileContent, list[Located]]:
    content = read_file(batch, collector) if batch is not None else FileContent()
    targets = [located for item in content.items if (located := entry_target(item, collector)) is not None]
    for number, raw in enumerate(scenarios, start=1):
        located = scenario_flag(raw, f"--scenario #{number}", collector)
        if located is not None:
            targets.append(located)
    return content, targets
