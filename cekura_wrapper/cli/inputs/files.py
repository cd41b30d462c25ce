"""A batch file's entries and settings as written, each with its file and line: YAML, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs
import yaml

from cekura_wrapper import quote

from .keys import meant_keys, unknown_message
from .limits import FORMATS, MAX_DEPTH, bounded_text, compose, construct, node_line, tree_problem
from .variables import Collector

_TOP_KEYS: Final = frozenset({"scenarios", "frequency", "agent", "mock_tool_names"})
_CSV_COLUMNS: Final = frozenset({"scenario", "websocket_url", "frequency", "agent"})


@attrs.frozen
class Item:
    """One scenario entry as read from a file: its values, and the line of each (when known)."""

    values: Mapping[str, object]
    where: str
    field_lines: Mapping[str, str] = attrs.field(factory=dict)

    def where_of(self, key: str) -> str:
        return self.field_lines.get(key, self.where)


@attrs.define
class FileContent:
    items: list[Item] = attrs.field(factory=list)
    frequency: tuple[object, str] | None = None
    agent: tuple[object, str] | None = None
    mock_tool_names: tuple[object, str] | None = None
    #: The file could not be read or parsed, so a missing frequency is not worth reporting too.
    unreadable: bool = False
    #: Known keys that unknown ones most likely stand for (``frequncy``: frequency), already
    #: reported as typos, so not reported again as missing.
    meant: set[str] = attrs.field(factory=set)


def read_file(path: Path, collector: Collector) -> FileContent:
    name = str(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        collector.add(
            name, f"unknown batch file type {path.suffix or '(none)'!r}; use .yaml, .yml, .json or .csv"
        )
        return FileContent(unreadable=True)
    try:
        text = bounded_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        collector.add(name, f"cannot read the batch file: {getattr(exc, 'strerror', None) or exc}")
        return FileContent(unreadable=True)
    except ValueError as exc:
        collector.add(name, str(exc))
        return FileContent(unreadable=True)
    if kind == "csv":
        return _read_csv(text, name, collector)
    return _read_tree(text, name, kind, collector)


def _read_csv(text: str, name: str, collector: Collector) -> FileContent:
    try:
        return _read_csv_rows(text, name, collector)
    except csv.Error as exc:  # a field over the csv module's limit (131,072 characters), say
        collector.add(name, f"not valid CSV: {exc}")
        return FileContent(unreadable=True)


def _read_csv_rows(text: str, name: str, collector: Collector) -> FileContent:
    content = FileContent()
    # csv.reader, not DictReader: it yields blank lines too, so line numbers stay exact.
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header = [column.strip() for column in next(reader, [])]
    unknown = [column for column in header if column not in _CSV_COLUMNS]
    missing = [column for column in ("scenario",) if column not in header]
    missing = [column for column in missing if column not in meant_keys(unknown, _CSV_COLUMNS)]
    if unknown:
        collector.add(f"{name}:1", unknown_message(unknown, _CSV_COLUMNS, noun="column"))
    if missing:
        collector.add(
            f"{name}:1", f"missing column {' and '.join(missing)} (header row: scenario,websocket_url)"
        )
    if unknown or missing:
        content.unreadable = True
        return content
    line_start = reader.line_num + 1
    for row in reader:
        where = f"{name}:{line_start}"
        line_start = reader.line_num + 1
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue  # blank lines and comments
        if len(cells) != len(header):
            collector.add(where, f"{len(cells)} cells where the header has {len(header)} columns")
            continue
        values: dict[str, object] = dict(zip(header, cells, strict=True))
        for setting in ("frequency", "agent"):
            value = values.pop(setting, "")
            if value:
                file_setting(content, setting, value, where, collector)
        content.items.append(Item(values=values, where=where))
    return content


def file_setting(content: FileContent, setting: str, value: object, where: str, collector: Collector) -> None:
    current = getattr(content, setting)
    if current is None:
        setattr(content, setting, (value, where))
    elif current[0] != value:
        collector.add(
            where,
            f"{setting} {quote(value)} differs from {quote(current[0])} at {current[1]}; a batch has one {setting}",
        )


def _read_tree(text: str, name: str, kind: str, collector: Collector) -> FileContent:
    if kind == "json":
        try:
            json.loads(text)
        except RecursionError:
            collector.add(name, f"not valid JSON: nested deeper than {MAX_DEPTH} levels")
            return FileContent(unreadable=True)
        except ValueError as exc:
            where = f"{name}:{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else name
            collector.add(where, f"not valid JSON: {getattr(exc, 'msg', exc)}")
            return FileContent(unreadable=True)
    try:
        node = compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        collector.add(where, f"not valid {kind.upper()}: {problem}")
        return FileContent(unreadable=True)
    except RecursionError:
        collector.add(name, f"not valid {kind.upper()}: nested deeper than {MAX_DEPTH} levels")
        return FileContent(unreadable=True)
    problem = tree_problem(node, name) if node is not None else None
    if problem is not None:
        collector.add(*problem)
        return FileContent(unreadable=True)
    content = FileContent()
    if node is None:
        collector.add(name, "the batch file is empty")
        return content
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = construct(key_node)
            where = node_line(name, value_node)
            if key == "scenarios":
                read_items(value_node, name, collector, content)
            elif key in ("frequency", "agent", "mock_tool_names"):
                file_setting(content, str(key), construct(value_node), where, collector)
            else:
                content.meant |= meant_keys([key], _TOP_KEYS)
                collector.add(
                    node_line(name, key_node),
                    unknown_message([key], _TOP_KEYS, expected=f"expected: {', '.join(sorted(_TOP_KEYS))}"),
                )
        if "scenarios" not in content.meant and not any(
            construct(key_node) == "scenarios" for key_node, _ in node.value
        ):
            collector.add(
                node_line(name, node), "missing 'scenarios' (a list of {scenario, websocket_url} entries)"
            )
    elif isinstance(node, yaml.SequenceNode):
        read_items(node, name, collector, content)
    else:
        collector.add(node_line(name, node), "expected a mapping with 'scenarios' or a list of scenarios")
    return content


def read_items(node: yaml.Node, name: str, collector: Collector, content: FileContent) -> None:
    if not isinstance(node, yaml.SequenceNode):
        collector.add(
            node_line(name, node), "'scenarios' must be a list of {scenario, websocket_url} entries"
        )
        return
    for item_node in node.value:
        where = node_line(name, item_node)
        if not isinstance(item_node, yaml.MappingNode):
            collector.add(
                where, f"expected a {{scenario, websocket_url}} entry, got {quote(construct(item_node))}"
            )
            continue
        values: dict[str, object] = {}
        lines: dict[str, str] = {}
        for key_node, value_node in item_node.value:
            key = str(construct(key_node))
            values[key] = construct(value_node)
            lines[key] = node_line(name, value_node)
        content.items.append(Item(values=values, where=where, field_lines=lines))
