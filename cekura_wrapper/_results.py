"""What Cekura sends back, as typed values: ``Submission``, ``Result`` and ``Run`` (pure).

Parsing is tolerant by design: counts arrive as ints or numeric strings, statuses grow over
time, fields come and go between API versions. Unknown fields stay in ``raw``; missing ones
read as ``None`` (or 0 for counts). Runs are parsed lazily, on first access, so polling a
result with thousands of runs costs little more than decoding its JSON.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._insights import AiSummary, FailedReasons, NextStep, next_steps_from_payload
from ._targets import TargetStats, targets_of

if TYPE_CHECKING:
    from ._api import ResultDetailV2

logger = logging.getLogger("cekura_wrapper")

#: Statuses after which a result never changes again.
TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "timeout", "cancelled"})
#: Statuses Cekura documents for a result that is still moving. Any other unknown status is
#: treated the same way (keep polling) and logged once at WARNING.
LIVE_STATUSES: Final = frozenset(
    {"pending", "running", "in_progress", "evaluating", "in_queue", "scaling_up"}
)

_warned_statuses: set[str] = set()


def normalize_status(value: object) -> str:
    """A status as a lower-case string; ``"unknown"`` when absent or not a string."""
    if not isinstance(value, str) or not value.strip():
        return "unknown"
    return value.strip().lower()


def warn_if_unknown_status(status: str) -> None:
    """Log a status Cekura does not document, once per process and status."""
    if status in TERMINAL_STATUSES or status in LIVE_STATUSES or status in _warned_statuses:
        return
    _warned_statuses.add(status)
    logger.warning("Cekura reported result status %r, which this client does not know; polling on", status)


def to_int(value: object) -> int | None:
    """An int from an int, an integral float or a numeric string; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return None


def to_float(value: object) -> float | None:
    """A finite float from a number or a numeric string; ``None`` for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


#: Characters of a run's text fields (``error_message``, ``scenario_name``) kept; ``raw`` has all.
MAX_TEXT = 4000


def _text(value: object) -> str | None:
    """A server's text, bounded before anything shows it."""
    if not isinstance(value, str):
        return None
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


@attrs.frozen
class Run:
    """One conversation of a batch. Fields the server did not send are ``None``."""

    id: int | None
    scenario: int | None
    status: str | None
    success: bool | None
    error_message: str | None
    scenario_name: str | None
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], *, key: object = None) -> Run:
        """A run from its JSON object; ``key`` is its id when the object sits under one."""
        success = payload.get("success")
        status = payload.get("status")
        return cls(
            id=to_int(payload.get("id", key)),
            scenario=to_int(payload.get("scenario")),
            status=normalize_status(status) if isinstance(status, str) else None,
            success=success if isinstance(success, bool) else None,
            error_message=_text(payload.get("error_message")),
            scenario_name=_text(payload.get("scenario_name")),
            raw=payload,
        )


def parse_runs(runs: object) -> tuple[Run, ...]:
    """Runs from a list of run objects (201 response) or an object keyed by run id (result)."""
    items: Iterable[tuple[object, object]]
    if isinstance(runs, Mapping):
        items = runs.items()
    elif isinstance(runs, list):
        items = ((None, run) for run in runs)
    else:
        return ()
    return tuple(Run.from_payload(run, key=key) for key, run in items if isinstance(run, Mapping))


@attrs.frozen
class Result:
    """A batch as last read from ``GET /test_framework/v1/results/{id}/`` (or the results list,
    where ``runs`` holds short run summaries).

    ``success_rate`` is a percentage (0-100). The detail endpoint documents a percentage, but
    some payloads carry a 0-1 fraction: a value of at most 1 is read as a fraction when the
    counts agree with that reading better, and kept as is otherwise.
    """

    id: int
    status: str
    total_runs: int
    completed_runs: int
    success_runs: int
    failed_runs: int
    success_rate: float | None
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    @property
    def is_terminal(self) -> bool:
        """True once the status is final (completed, failed, timeout, cancelled)."""
        return self.status in TERMINAL_STATUSES

    @property
    def passed(self) -> bool:
        """Completed with every run successful (how Cekura's own CI action counts a pass)."""
        return self.status == "completed" and self.total_runs > 0 and self.success_runs == self.total_runs

    @functools.cached_property
    def runs(self) -> tuple[Run, ...]:
        """The runs, parsed on first access."""
        return parse_runs(self.raw.get("runs"))

    def targets(self) -> tuple[TargetStats, ...]:
        """Passed/total and the 95 % Wilson interval per scenario and websocket URL (see
        ``TargetStats``: ``websocket_url`` is ``None`` when the runs do not name it). While the
        result runs, only runs that ended are counted."""
        return targets_of(self.runs, finished_only=not self.is_terminal)

    @functools.cached_property
    def detail(self) -> ResultDetailV2:
        """The whole result as the generated client types it (``cekura_api``'s ``ResultDetailV2``),
        decoded on first access, so a poll stays cheap. Every field ``openapi.yaml`` declares is an
        attribute (``UNSET`` when the server left it out); regenerating after a spec change makes
        new fields reachable here with no change to this class. ``CekuraError`` when the payload
        does not fit the model (a results-list entry, whose ``runs`` is a list, or a malformed
        timestamp)."""
        from ._api import result_detail  # the generated client, only when asked for
        from ._errors import CekuraError

        try:
            return result_detail(self.raw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CekuraError(
                f"result {self.id} does not fit the ResultDetailV2 schema ({type(exc).__name__}: "
                f"{str(exc)[:200]}); its fields are still in .raw"
            ) from None

    @functools.cached_property
    def ai_summary(self) -> AiSummary | None:
        """Cekura's generated summary (what happened, why, how to fix), once it has written one."""
        return AiSummary.from_payload(self.raw.get("ai_summary"))

    @functools.cached_property
    def failed_reasons(self) -> FailedReasons | None:
        """Failed runs grouped into ranked issues, when Cekura sent them."""
        return FailedReasons.from_payload(self.raw.get("failed_reasons"))

    @functools.cached_property
    def next_steps(self) -> tuple[NextStep, ...]:
        """Cekura's suggested follow-ups, most impact first (empty when it sent none)."""
        return next_steps_from_payload(self.raw.get("next_steps"))

    @classmethod
    def from_payload(
        cls,
        payload: Mapping[str, Any],
        *,
        result_id: int | None = None,
        success_rate_is_fraction: bool = False,
    ) -> Result:
        """A result from its JSON object; ``result_id`` fills in a missing ``id``.

        ``success_rate_is_fraction``: the payload is an entry of the results list, whose schema
        documents ``success_rate`` as a 0-1 fraction (a value above 1 is still a percentage).
        """
        get = payload.get
        total = to_int(get("total_runs_count"))
        if total is None:
            runs = get("runs")
            total = len(runs) if isinstance(runs, Mapping | list) else 0
        completed = to_int(get("completed_runs_count")) or 0
        success = to_int(get("success_runs_count")) or 0
        failed = to_int(get("failed_runs_count"))
        if failed is None:
            failed = max(completed - success, 0)
        return cls(
            id=to_int(get("id")) or result_id or 0,
            status=normalize_status(get("status")),
            total_runs=total,
            completed_runs=completed,
            success_runs=success,
            failed_runs=failed,
            success_rate=_percent(
                to_float(get("success_rate")), success, completed, success_rate_is_fraction
            ),
            raw=payload,
        )


def _percent(value: float | None, success: int, completed: int, fraction: bool = False) -> float | None:
    if fraction and value is not None and 0.0 <= value <= 1.0:
        return value * 100.0
    if value is None or not 0.0 < value <= 1.0 or completed <= 0:
        return value
    from_counts = 100.0 * success / completed
    return value * 100.0 if abs(value * 100.0 - from_counts) < abs(value - from_counts) else value


@attrs.frozen
class Submission:
    """The batch Cekura created for a run request (its 201 response)."""

    result_id: int
    status: str
    run_count: int
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)
    #: True when the run request failed after it was sent and a lookup found the batch it created
    #: (``raw`` is then the result's detail); ``uncertain_reason`` says how the request failed.
    reconciled: bool = False
    uncertain_reason: str | None = None

    @functools.cached_property
    def runs(self) -> tuple[Run, ...]:
        """The runs Cekura created, parsed on first access (a big batch lists 100,000)."""
        return parse_runs(self.raw.get("runs"))

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], *, planned_runs: int) -> Submission | None:
        """The submission from a 201 body, or ``None`` when it carries no result id.

        ``run_count`` is the number of runs listed, or ``planned_runs`` when none are.
        """
        result_id = to_int(payload.get("id"))
        if result_id is None:
            return None
        listed = payload.get("runs")
        entries = (
            listed.values() if isinstance(listed, Mapping) else listed if isinstance(listed, list) else ()
        )
        return cls(
            result_id=result_id,
            status=normalize_status(payload.get("status")),
            run_count=sum(isinstance(run, Mapping) for run in entries) or planned_runs,
            raw=payload,
        )
