"""Cekura's generated insights on a result, as typed values (pure): why runs failed, a summary,
suggested next steps.

Cekura's schema types ``failed_reasons``, ``ai_summary`` and ``next_steps`` as "any JSON or
null" and documents their shapes only by example; these classes follow those examples and read
tolerantly: a missing or mistyped field is ``None`` (an empty tuple for lists), anything else
stays in the result's ``raw``. Text is bounded like a run's, lists to ``MAX_ITEMS`` entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import attrs

#: Entries of a list (issues, run ids, next steps) kept; ``raw`` has all.
MAX_ITEMS: Final = 1000
#: Characters of one text field kept.
MAX_TEXT: Final = 4000


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _items(value: object) -> list[Any]:
    return value[:MAX_ITEMS] if isinstance(value, list) else []


@attrs.frozen
class FailureIssue:
    """One cause of failure: its rank (1 = most runs), the runs it affected and what went wrong."""

    rank: int | None
    description: str | None
    affected_count: int | None
    run_ids: tuple[int, ...]


@attrs.frozen
class FailedReasons:
    """Failed runs grouped into ranked issues."""

    issues: tuple[FailureIssue, ...]
    total_failed_runs: int | None

    @classmethod
    def from_payload(cls, value: object) -> FailedReasons | None:
        if not isinstance(value, Mapping):
            return None
        issues = tuple(
            FailureIssue(
                rank=_int(issue.get("rank")),
                description=_text(issue.get("description")),
                affected_count=_int(issue.get("affected_count")),
                run_ids=tuple(run for run in _items(issue.get("run_ids")) if _int(run) is not None),
            )
            for issue in _items(value.get("issues"))
            if isinstance(issue, Mapping)
        )
        return cls(issues=issues, total_failed_runs=_int(value.get("total_failed_runs")))


@attrs.frozen
class AiSummary:
    """Cekura's generated account of a result: what happened, why, and how to fix it."""

    what_happened: str | None
    why_it_happened: str | None
    how_to_fix: str | None
    generated_from_runs_count: int | None
    generated_at: str | None

    @classmethod
    def from_payload(cls, value: object) -> AiSummary | None:
        if not isinstance(value, Mapping):
            return None
        return cls(
            what_happened=_text(value.get("what_happened")),
            why_it_happened=_text(value.get("why_it_happened")),
            how_to_fix=_text(value.get("how_to_fix")),
            generated_from_runs_count=_int(value.get("generated_from_runs_count")),
            generated_at=_text(value.get("generated_at")),
        )


@attrs.frozen
class NextStep:
    """One suggested follow-up, most impact first."""

    title: str | None
    description: str | None


def next_steps_from_payload(value: object) -> tuple[NextStep, ...]:
    return tuple(
        NextStep(title=_text(step.get("title")), description=_text(step.get("description")))
        for step in _items(value)
        if isinstance(step, Mapping)
    )
