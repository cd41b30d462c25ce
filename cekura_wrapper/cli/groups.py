"""A suite's groups as every report names them (pure): the Markdown summary, annotations, the step
outputs and ``--json`` say "group smoke (result 1234)", not only the result id."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import attrs

from cekura_wrapper import Result, SuiteResult

from .outside import outside
from .verdict import pass_rate


@attrs.frozen
class GroupRow:
    """One group of a suite, whether or not it got a result."""

    name: str
    #: passed, failed, timeout, skipped or error (``GroupOutcome.state``).
    state: str
    result_id: int | None
    result: Result | None
    #: The runs the group planned (its result's count once there is one).
    total_runs: int
    passed: bool


def group_rows(suite: SuiteResult, fail_under: float | None) -> tuple[GroupRow, ...]:
    return tuple(
        GroupRow(
            name=group.name,
            state=group.state,
            result_id=group.result_id,
            result=group.result,
            total_runs=group.result.total_runs if group.result else group.runs,
            passed=group.passes(fail_under),
        )
        for group in suite.groups
    )


def names_by_result(rows: Sequence[GroupRow]) -> dict[int, str]:
    """Result id to group name, for the reports that list results."""
    return {row.result_id: row.name for row in rows if row.result_id is not None}


def result_label(result_id: int, names: Mapping[int, str]) -> str:
    """``group smoke (result 1234)`` for a suite's result, ``result 1234`` otherwise."""
    name = names.get(result_id)
    return f"result {result_id}" if name is None else f"group {outside(name, limit=100)} (result {result_id})"


def groups_output(rows: Sequence[GroupRow]) -> str:
    """The ``groups`` step output: JSON, group name to ``passed`` and ``result_id``."""
    return json.dumps(
        {outside(row.name, limit=100): {"passed": row.passed, "result_id": row.result_id} for row in rows},
        ensure_ascii=False,
    )


def group_document(row: GroupRow) -> dict[str, object]:
    """One entry of a suite's ``--json`` ``groups``: the same count names as a single result."""
    result = row.result
    return {
        "name": row.name,
        "state": row.state,
        "result_id": row.result_id,
        "status": result.status if result else None,
        "total_runs": row.total_runs,
        "passed_runs": result.success_runs if result else 0,
        "pass_rate": pass_rate(result) if result else None,
        "passed": row.passed,
    }
