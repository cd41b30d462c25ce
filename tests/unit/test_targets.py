"""Per-target statistics of a result: one target per scenario and URL, when the runs name it."""

from __future__ import annotations

from typing import Any

import pytest

from cekura_wrapper import Result, TargetStats
from cekura_wrapper._targets import merge_urls


def run(
    run_id: int, scenario: int | None, success: bool | None, url: str | None = None, **extra: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = {"id": run_id, "scenario": scenario, "success": success, "status": "completed"}
    if url is not None:
        payload["websocket_url"] = url
    return {**payload, **extra}


def result(*runs: dict[str, Any], status: str = "completed") -> Result:
    return Result.from_payload({"id": 7, "status": status, "runs": {str(item["id"]): item for item in runs}})


def test_runs_that_name_their_url_make_one_target_per_scenario_and_url() -> None:
    targets = result(
        run(1, 102, True, "ws://b/", scenario_name="Refund"),
        run(2, 101, True, "ws://a/"),
        run(3, 101, False, "ws://a/"),
        run(4, 101, True, "ws://c/"),
    ).targets()
    assert [(t.scenario, t.websocket_url, t.passed, t.total) for t in targets] == [
        (101, "ws://a/", 1, 2),
        (101, "ws://c/", 1, 1),
        (102, "ws://b/", 1, 1),
    ]
    assert targets[2].scenario_name == "Refund"
    assert all(target.url_known for target in targets)
    assert targets[0].rate == 0.5
    low, high = targets[0].interval
    assert 0.0 < low < 0.5 < high < 1.0


def test_a_scenario_whose_runs_do_not_all_name_a_url_is_one_target_with_no_url() -> None:
    # Cekura's own run objects carry no websocket_url: runs against two URLs cannot be told apart.
    targets = result(run(1, 101, True), run(2, 101, False, "ws://a/"), run(3, 101, True)).targets()
    assert targets == (TargetStats(101, None, None, 2, 3),)
    assert not targets[0].url_known


def test_a_run_without_success_counts_as_not_passed_once_the_result_ended() -> None:
    ended = result(run(1, 101, None, status="failed"), run(2, 101, None, status="pending"), run(3, 101, True))
    assert [(t.passed, t.total) for t in ended.targets()] == [(1, 3)]


def test_while_the_result_runs_only_runs_that_ended_count() -> None:
    running = result(
        run(1, 101, None, status="running"),
        run(2, 101, False, status="failed"),
        run(3, 101, True),
        run(4, 101, None, status="failed"),
        status="running",
    )
    assert [(t.passed, t.total) for t in running.targets()] == [(1, 3)]


def test_no_runs_no_targets_and_a_run_without_scenario_sorts_last() -> None:
    assert result().targets() == ()
    targets = result(run(1, None, True), run(2, 5, False)).targets()
    assert [t.scenario for t in targets] == [5, None]
    assert TargetStats(1, None, None, 0, 0).rate is None
    assert TargetStats(1, None, None, 0, 0).interval == (0.0, 1.0)


def test_merging_urls_sums_the_scenario_s_targets_and_keeps_the_others() -> None:
    targets = (
        TargetStats(101, "ws://a/", None, 1, 2),
        TargetStats(101, "ws://b/", "Refund", 3, 3),
        TargetStats(102, "ws://a/", None, 0, 1),
    )
    assert merge_urls(targets, {101}) == (
        TargetStats(101, None, "Refund", 4, 5),
        TargetStats(102, "ws://a/", None, 0, 1),
    )
    assert merge_urls(targets, set()) == targets


@pytest.mark.parametrize("runs", [None, "not runs", 3])
def test_a_result_without_usable_runs_has_no_targets(runs: object) -> None:
    assert Result.from_payload({"id": 1, "status": "completed", "runs": runs}).targets() == ()
