"""The emulator's results and runs, and their JSON shapes (the 201 body and ResultDetailV2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import attrs

from cekura_wrapper.testing.caller import CallOutcome
from cekura_wrapper.testing.insights import failed_reasons, summary_fields
from cekura_wrapper.testing.scenarios import Scenario

ResultStatus = Literal["pending", "running", "evaluating", "completed", "failed", "cancelled"]
#: Final statuses: a result in one of them never changes again.
FINAL_STATUSES: frozenset[str] = frozenset({"completed", "failed", "cancelled"})
#: ``error_message`` of a run stopped by ``end_calls`` (in progress, or never started).
ENDED_IN_CALL = "call ended by an end_calls request while the conversation was in progress"
ENDED_BEFORE_START = "call ended by an end_calls request before the conversation started"
RunStatus = Literal["pending", "running", "completed", "failed"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@attrs.define
class RunRecord:
    id: int
    scenario: Scenario
    #: The URL the simulated caller dials; Cekura's run objects do not show it, nor do ours.
    websocket_url: str
    status: RunStatus = "pending"
    outcome: CallOutcome | None = None
    started_at: str | None = None
    ended_at: str | None = None

    def submitted(self) -> dict[str, Any]:
        """The run as the 201 response lists it."""
        return {
            "id": self.id,
            "status": self.status,
            "scenario": self.scenario.id,
            "inbound_number": None,
            "scenario_name": self.scenario.name,
            "test_profile_data": None,
            # Phone runs only; Cekura sends them null on websocket runs.
            "outbound_dial_window_opens_at": None,
            "outbound_dial_window_seconds": None,
            "outbound_dial_window_closes_at": None,
        }

    def detail(self) -> dict[str, Any]:
        """The run as the result's ``runs`` object holds it."""
        outcome = self.outcome
        return {
            "id": self.id,
            "status": self.status,
            "scenario": self.scenario.id,
            "scenario_name": self.scenario.name,
            "success": None if outcome is None else outcome.success,
            "error_message": None if outcome is None else outcome.error_message,
            "ended_by": None if outcome is None else outcome.ended_by,
            "transcript": [] if outcome is None else [dict(turn) for turn in outcome.transcript],
            "started_at": self.started_at,
            "ended_at": self.ended_at,
        }


@attrs.define
class ResultRecord:
    id: int
    agent: int
    frequency: int
    runs: list[RunRecord]
    #: The request's ``mock_tool_names`` (None: absent or null), shown in ``run_settings``.
    mock_tool_names: tuple[str, ...] | None = None
    status: ResultStatus = "pending"
    created_at: str = attrs.field(factory=now_iso)
    updated_at: str = attrs.field(factory=now_iso)
    #: Set by ``end_calls``: conversations stop, unstarted runs never start, the result is cancelled.
    ended: bool = False

    @property
    def name(self) -> str:
        return f"Emulated websocket run {self.id}"

    def touch(self) -> None:
        self.updated_at = now_iso()

    def final_status(self) -> ResultStatus:
        """``completed`` once runs are done, even with failures; ``failed`` when none connected;
        ``cancelled`` after ``end_calls``."""
        if self.ended:
            return "cancelled"
        reached = [run for run in self.runs if run.outcome is not None and run.outcome.connected]
        return "completed" if reached else "failed"

    def submitted(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agent": self.agent,
            "status": self.status,
            "run_as_text": False,
            "runs": [run.submitted() for run in self.runs],
            "created_at": self.created_at,
        }

    def detail(self) -> dict[str, Any]:
        finished = [run.outcome for run in self.runs if run.outcome is not None]
        succeeded = sum(1 for outcome in finished if outcome.success)
        connected = sum(1 for outcome in finished if outcome.connected)
        total = len(self.runs)
        outcomes = [(run.id, run.outcome) for run in self.runs]
        return {
            "id": self.id,
            "name": self.name,
            "agent": self.agent,
            "agent_name": f"Emulated agent {self.agent}",
            "status": self.status,
            "met_expected_outcome_count": str(succeeded),
            "total_expected_outcome_count": str(len(finished)),
            "success_rate": round(100.0 * succeeded / total, 2) if total else 0.0,
            "run_as_text": False,
            "runs": {str(run.id): run.detail() for run in self.runs},
            "total_runs_count": str(total),
            "completed_runs_count": str(len(finished)),
            "success_runs_count": str(succeeded),
            "failed_runs_count": str(len(finished) - succeeded),
            "connected_runs": str(connected),
            "not_connected_runs": str(len(finished) - connected),
            # openapi.yaml types this as oneOf [{}, null], which no null can satisfy: send an object.
            "failed_reasons": failed_reasons(outcomes),
            **summary_fields(outcomes, final=self.status in FINAL_STATUSES, generated_at=self.updated_at),
            # Cekura's known display quirk for runs started through this endpoint.
            "run_type": "Text",
            "run_settings": self._run_settings(),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def _run_settings(self) -> dict[str, Any]:
        settings: dict[str, Any] = {"frequency": self.frequency}
        if self.mock_tool_names is not None:
            settings["mock_tool_names"] = list(self.mock_tool_names)
        return settings

    def summary(self) -> dict[str, Any]:
        """The result as the results list shows it: counts as strings, runs as a short array,
        ``success_rate`` as a 0-1 fraction."""
        detail = self.detail()
        keys = (
            *("id", "name", "agent", "agent_name", "status", "run_as_text", "run_type", "created_at"),
            *("updated_at", "met_expected_outcome_count", "total_expected_outcome_count"),
            *("total_runs_count", "completed_runs_count", "success_runs_count", "failed_runs_count"),
        )
        summary = {key: detail[key] for key in keys}
        summary["success_rate"] = round(detail["success_rate"] / 100.0, 4)
        summary["runs"] = [
            {key: run[key] for key in ("id", "status", "scenario", "scenario_name", "success")}
            for run in detail["runs"].values()
        ]
        summary["scenarios"] = {str(run.scenario.id): run.scenario.name for run in self.runs}
        return summary
