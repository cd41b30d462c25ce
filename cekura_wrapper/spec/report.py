"""How the drift check reports its changes: one line each, or JSON, a summary line, an exit code."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from .model import Change, DriftExitCode, Severity


def exit_code(changes: Sequence[Change]) -> DriftExitCode:
    if not changes:
        return DriftExitCode.NO_DRIFT
    if any(change.severity is Severity.BREAKING for change in changes):
        return DriftExitCode.BREAKING
    return DriftExitCode.COMPATIBLE


def _render_value(value: Any, limit: int = 80) -> str:
    if value is None:
        return "absent"
    if value == "":
        return '""'
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_text(changes: Sequence[Change]) -> str:
    return "".join(
        f"{change.severity.value:<9} {change.operation}  {change.location} "
        f"{_render_value(change.before)} -> {_render_value(change.after)}  ({change.message})\n"
        for change in changes
    )


def format_json(changes: Sequence[Change]) -> str:
    return json.dumps({"changes": [asdict(change) for change in changes]}, indent=2, default=str) + "\n"


def summary(changes: Sequence[Change], operation_count: int, prog: str = "check_drift") -> str:
    """The closing line on stderr, starting with ``prog`` (the command as the user ran it)."""
    if not changes:
        return f"{prog}: no drift in {operation_count} operation(s)"
    counts = {severity: 0 for severity in Severity}
    for change in changes:
        counts[change.severity] += 1
    parts = ", ".join(f"{counts[severity]} {severity.value}" for severity in Severity)
    return f"{prog}: {parts} in {operation_count} operation(s)"
