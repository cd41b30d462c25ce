"""A batch file with ``groups:`` (a suite): every group checked as a batch, and the concurrency."""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Final

import attrs
import yaml

from cekura_wrapper import MAX_RUNS, check_frequency, check_positive_id, quote

from .batch import Batch
from .entries import entry_target
from .files import FileContent, file_setting, read_items
from .keys import meant_keys, unknown_message
from .limits import FORMATS, MAX_DEPTH, bounded_text, compose, construct, node_line, tree_problem
from .loading import plan_targets
from .problems import InputError, file_order
from .settings import checked_setting, file_mock_tools
from .variables import UNRESOLVED, Collector

_SUITE_KEYS: Final = frozenset({"groups", "concurrency"})
_GROUP_KEYS: Final = frozenset({"name", "scenarios", "frequency", "agent", "mock_tool_names"})


@attrs.frozen
class SuiteInput:
    """A checked batch file with ``groups:``: each group a ``Batch`` with its plan, and the budget."""

    groups: tuple[tuple[str, Batch], ...]
    concurrency: int | None
    path: str


def has_groups(path: Path | None) -> bool:
    """True when ``path`` is a YAML/JSON batch file whose top level holds ``groups``."""
    if path is None or FORMATS.get(path.suffix.lower()) not in ("yaml", "json"):
        return False
    try:
        node = compose(bounded_text(path))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError):
        return False  # load_batch reports it
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(key, yaml.ScalarNode) and key.value == "groups" for key, _ in node.value
    )


def load_suite(
    path: Path,
    *,
    concurrency: int | None = None,
    max_runs: int = MAX_RUNS,
    environ: Mapping[str, str] | None = None,
    allow_env: Collection[str] = (),
) -> SuiteInput:
    """Read a suite file and check every group, or raise ``InputError`` listing every problem of
    every group (each at its file and line)."""
    collector = Collector(os.environ if environ is None else environ, allowed=frozenset(allow_env))
    name = str(path)
    node = None
    try:
        node = compose(bounded_text(path))
    except (OSError, UnicodeDecodeError) as exc:
        collector.add(name, f"cannot read the batch file: {getattr(exc, 'strerror', None) or exc}")
    except ValueError as exc:
        collector.add(name, str(exc))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        collector.add(f"{name}:{mark.line + 1}" if mark is not None else name, f"not valid YAML: {exc}")
    except RecursionError:
        collector.add(name, f"nested deeper than {MAX_DEPTH} levels")
    problem = tree_problem(node, name) if node is not None else None
    if problem is not None:
        collector.add(*problem)
        node = None
    groups: list[tuple[str, Batch]] = []
    origins: dict[str, str] = {}
    file_concurrency: tuple[object, str] | None = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = construct(key_node)
            if key == "groups":
                groups = _read_groups(value_node, name, collector, max_runs)
            elif key == "concurrency":
                file_concurrency = (construct(value_node), node_line(name, value_node))
            else:
                collector.add(
                    node_line(name, key_node),
                    unknown_message(
                        [key],
                        _SUITE_KEYS,
                        place=" in a file with groups",
                        expected=f"expected: {', '.join(sorted(_SUITE_KEYS))}",
                    ),
                )
    final_concurrency = checked_setting(
        "concurrency",
        concurrency,
        file_concurrency,
        lambda value: check_positive_id(value, "concurrency"),
        collector,
        origins,
    )
    if collector.problems:
        raise InputError(sorted(collector.problems, key=file_order))
    return SuiteInput(tuple(groups), final_concurrency, name)


def _read_groups(node: yaml.Node, name: str, collector: Collector, max_runs: int) -> list[tuple[str, Batch]]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        collector.add(node_line(name, node), "'groups' must be a non-empty list of groups")
        return []
    groups: list[tuple[str, Batch]] = []
    names: dict[str, str] = {}
    for group_node in node.value:
        where = node_line(name, group_node)
        if not isinstance(group_node, yaml.MappingNode):
            collector.add(where, "each group must be a mapping with name, scenarios, frequency (and agent)")
            continue
        content = FileContent()
        group_name: object = None
        for key_node, value_node in group_node.value:
            key = construct(key_node)
            value_where = node_line(name, value_node)
            if key == "scenarios":
                read_items(value_node, name, collector, content)
            elif key in ("frequency", "agent", "mock_tool_names"):
                file_setting(content, str(key), construct(value_node), value_where, collector)
            elif key == "name":
                group_name = collector.expand(construct(value_node), value_where)
            else:
                content.meant |= meant_keys([key], _GROUP_KEYS)
                collector.add(
                    node_line(name, key_node),
                    unknown_message(
                        [key],
                        _GROUP_KEYS,
                        place=" in a group",
                        expected=f"expected: {', '.join(sorted(_GROUP_KEYS))}",
                    ),
                )
        # A group with a bad name is still checked through, so every problem shows at once.
        name_problem = _name_problem(group_name, names, content.meant)
        if name_problem:
            collector.add(where, name_problem)
        elif name_problem is None:
            assert isinstance(group_name, str)
            names[group_name] = where
        label = (
            f"group {quote(group_name)}"
            if isinstance(group_name, str) and group_name.strip()
            else "the group"
        )
        targets = [
            located for item in content.items if (located := entry_target(item, collector)) is not None
        ]
        if not content.items and "scenarios" not in content.meant:
            collector.add(where, f"{label} has no scenarios")
        origins: dict[str, str] = {}
        frequency = checked_setting("frequency", None, content.frequency, check_frequency, collector, origins)
        agent = checked_setting(
            "agent", None, content.agent, lambda value: check_positive_id(value, "agent"), collector, origins
        )
        if content.frequency is None and "frequency" not in content.meant:
            collector.add(where, f"{label} needs a frequency")
        tools = file_mock_tools(None, content.mock_tool_names, collector, origins)
        run_plan = None
        if targets and frequency is not None and len(targets) == len(content.items):
            run_plan = plan_targets(targets, frequency, agent, collector, origins, max_runs, tools)
        if name_problem is None:
            assert isinstance(group_name, str)
            groups.append(
                (group_name, Batch(tuple(targets), frequency, agent, run_plan=run_plan, origins=origins))
            )
    return groups


def _name_problem(group_name: object, names: Mapping[str, str], meant: set[str]) -> str | None:
    """Why ``group_name`` cannot name a group ("" when that is reported already: a variable that
    did not expand, a typo of ``name``), or ``None`` when it can."""
    if not isinstance(group_name, str) or not group_name.strip() or len(group_name) > 100:
        if group_name is UNRESOLVED or "name" in meant:
            return ""
        return "each group needs a name of 1 to 100 characters"
    if group_name in names:
        return f"group name {quote(group_name)} is also used at {names[group_name]}"
    return None
