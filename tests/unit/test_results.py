"""Result, Run and Submission: tolerant parsing of what Cekura really sends."""

from __future__ import annotations

import logging

import pytest

from cekura_wrapper import LIVE_STATUSES, TERMINAL_STATUSES, Result, Submission
from cekura_wrapper._results import _warned_statuses, warn_if_unknown_status


def test_statuses() -> None:
    assert frozenset({"completed", "failed", "timeout", "cancelled"}) == TERMINAL_STATUSES
    assert (
        frozenset({"pending", "running", "in_progress", "evaluating", "in_queue", "scaling_up"})
        == LIVE_STATUSES
    )
    assert not TERMINAL_STATUSES & LIVE_STATUSES


@pytest.mark.parametrize(
    ("raw", "status", "terminal"),
    [
        ("completed", "completed", True),
        ("FAILED", "failed", True),
        (" timeout ", "timeout", True),
        ("cancelled", "cancelled", True),
        ("scaling_up", "scaling_up", False),
        ("paused_by_ops", "paused_by_ops", False),
        (None, "unknown", False),
        (3, "unknown", False),
    ],
)
def test_status_is_lower_case_and_unknown_values_are_kept(raw: object, status: str, terminal: bool) -> None:
    result = Result.from_payload({"id": 1, "status": raw})
    assert result.status == status
    assert result.is_terminal is terminal


@pytest.mark.parametrize(("value", "expected"), [("12", 12), (12, 12), (" 7 ", 7), ("3.0", 3), (4.0, 4)])
def test_counts_are_ints_whether_sent_as_ints_or_strings(value: object, expected: int) -> None:
    result = Result.from_payload(
        {"id": 1, "total_runs_count": value, "completed_runs_count": value, "success_runs_count": value}
    )
    assert (result.total_runs, result.completed_runs, result.success_runs) == (expected, expected, expected)


def test_missing_or_garbage_counts_read_as_zero_and_total_falls_back_to_the_runs() -> None:
    result = Result.from_payload(
        {"id": 1, "completed_runs_count": "lots", "success_runs_count": None, "runs": {"1": {}, "2": {}}}
    )
    assert (result.total_runs, result.completed_runs, result.success_runs, result.failed_runs) == (2, 0, 0, 0)


def test_failed_runs_derive_from_the_counts_when_absent() -> None:
    result = Result.from_payload({"id": 1, "completed_runs_count": "5", "success_runs_count": "3"})
    assert result.failed_runs == 2


def test_id_falls_back_to_the_requested_one() -> None:
    assert Result.from_payload({}, result_id=77).id == 77


@pytest.mark.parametrize(
    ("payload", "passed"),
    [
        ({"status": "completed", "total_runs_count": "3", "success_runs_count": "3"}, True),
        ({"status": "completed", "total_runs_count": "3", "success_runs_count": "2"}, False),
        ({"status": "running", "total_runs_count": "3", "success_runs_count": "3"}, False),
        ({"status": "failed", "total_runs_count": "3", "success_runs_count": "3"}, False),
        ({"status": "completed", "total_runs_count": "0", "success_runs_count": "0"}, False),
    ],
)
def test_passed_means_completed_with_every_run_successful(payload: dict[str, str], passed: bool) -> None:
    assert Result.from_payload({"id": 1, **payload}).passed is passed


@pytest.mark.parametrize(
    ("rate", "success", "completed", "expected"),
    [
        (100, "4", "4", 100.0),
        (75.0, "3", "4", 75.0),
        (0.75, "3", "4", 75.0),  # a 0-1 fraction, confirmed by the counts
        (1.0, "4", "4", 100.0),
        (1.0, "0", "100", 1.0),  # a genuine 1 %: the counts say so
        (0.5, "0", "0", 0.5),  # no counts to tell: kept as sent
        ("50", "1", "2", 50.0),
        (None, "1", "2", None),
        ("n/a", "1", "2", None),
    ],
)
def test_success_rate_is_a_percentage(
    rate: object, success: str, completed: str, expected: float | None
) -> None:
    result = Result.from_payload(
        {"id": 1, "success_rate": rate, "success_runs_count": success, "completed_runs_count": completed}
    )
    assert result.success_rate == expected


def test_runs_keyed_by_id_are_parsed_lazily_and_tolerantly() -> None:
    payload = {
        "id": 1,
        "status": "completed",
        "runs": {
            "86368": {
                "status": "Completed",
                "success": False,
                "error_message": "Could not connect to ws://agent",
                "scenario": "101",
                "scenario_name": "Refund",
                "brand_new_field": [1, 2],
            },
            "86369": {"id": 86369, "success": "yes"},
            "86370": "not a run",
        },
    }
    result = Result.from_payload(payload)
    first, second = result.runs
    assert (first.id, first.scenario, first.status, first.success, first.scenario_name) == (
        86368,
        101,
        "completed",
        False,
        "Refund",
    )
    assert first.error_message == "Could not connect to ws://agent"
    assert first.raw["brand_new_field"] == [1, 2]
    assert (second.id, second.status, second.success, second.error_message) == (86369, None, None, None)
    assert result.runs is result.runs  # parsed once


def test_raw_keeps_unknown_fields_and_stays_out_of_repr() -> None:
    payload = {
        "id": 1,
        "status": "running",
        "new_upstream_field": {"x": 1},
        "runs": {str(i): {} for i in range(500)},
    }
    result = Result.from_payload(payload)
    assert result.raw["new_upstream_field"] == {"x": 1}
    assert "new_upstream_field" not in repr(result)
    assert len(repr(result)) < 300


def test_submission_from_a_201_body() -> None:
    body = {
        "id": 55,
        "status": "running",
        "runs": [
            {"id": 1, "scenario": 101, "status": "pending", "number": 0},
            "junk",
            {"id": 2, "scenario": 102},
        ],
        "extra": True,
    }
    submission = Submission.from_payload(body, planned_runs=9)
    assert submission is not None
    assert (submission.result_id, submission.status, submission.run_count) == (55, "running", 2)
    assert [run.scenario for run in submission.runs] == [101, 102]
    assert submission.raw["extra"] is True
    empty = Submission.from_payload({"id": "56"}, planned_runs=9)
    assert empty is not None and empty.run_count == 9 and empty.result_id == 56
    assert Submission.from_payload({"status": "running"}, planned_runs=1) is None


def test_an_unknown_status_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    _warned_statuses.discard("hibernating")
    with caplog.at_level(logging.DEBUG, logger="cekura_wrapper"):
        for _ in range(3):
            warn_if_unknown_status("hibernating")
        warn_if_unknown_status("running")
        warn_if_unknown_status("completed")
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "hibernating" in warnings[0].getMessage()
