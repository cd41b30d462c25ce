"""A result compared with its baseline: the pure comparison, and the clients that fetch for it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fault_server import FaultServer, Reply, result_path

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    Change,
    Result,
    ValidationError,
    compare,
)


def batch(
    result_id: int, *targets: tuple[int, str | None, int, int], status: str = "completed"
) -> dict[str, Any]:
    """A result body with ``passed`` of ``total`` runs passing per (scenario, url, passed, total)."""
    runs: dict[str, Any] = {}
    for scenario, url, passed, total in targets:
        for n in range(total):
            run_id = 1000 * result_id + len(runs)
            runs[str(run_id)] = {
                "id": run_id,
                "scenario": scenario,
                "scenario_name": f"Scenario {scenario}",
                "status": "completed",
                "success": n < passed,
                **({"websocket_url": url} if url is not None else {}),
            }
    return {"id": result_id, "status": status, "total_runs_count": str(len(runs)), "runs": runs}


def parsed(result_id: int, *targets: tuple[int, str | None, int, int], status: str = "completed") -> Result:
    return Result.from_payload(batch(result_id, *targets, status=status))


A, B = "ws://127.0.0.1:9/a", "ws://127.0.0.1:9/b"


def test_a_clear_regression_noise_a_new_and_a_removed_target() -> None:
    baseline = parsed(1, (101, A, 10, 10), (102, A, 10, 10), (103, A, 4, 4))
    now = parsed(2, (101, A, 2, 10), (102, A, 9, 10), (104, A, 3, 3))
    comparison = compare(now, baseline)
    rows = {(row.scenario, row.websocket_url): row for row in comparison.rows}
    assert [row.verdict for row in comparison.rows] == [
        Change.REGRESSED,
        Change.UNCHANGED,
        Change.REMOVED,
        Change.NEW,
    ]
    regression = rows[(101, A)]
    assert (regression.baseline_passed, regression.baseline_total, regression.passed, regression.total) == (
        10,
        10,
        2,
        10,
    )
    assert regression.difference == pytest.approx(-0.8)
    assert regression.p_value == pytest.approx(66 / 184756)  # C(12,2)/C(20,10): Fisher's lower tail
    assert rows[(102, A)].p_value == pytest.approx(0.5)
    removed, new = rows[(103, A)], rows[(104, A)]
    assert (removed.passed, removed.total, removed.p_value, removed.difference) == (None, None, None, None)
    assert (new.baseline_passed, new.baseline_total, new.p_value) == (None, None, None)
    assert new.scenario_name == "Scenario 104" and removed.scenario_name == "Scenario 103"
    assert comparison.regressed == (regression,)
    assert (comparison.passed, comparison.total, comparison.baseline_passed, comparison.baseline_total) == (
        14,
        23,
        24,
        24,
    )
    assert comparison.rate == pytest.approx(14 / 23) and comparison.baseline_rate == 1.0
    assert comparison.count(Change.NEW) == 1 and comparison.count(Change.IMPROVED) == 0
    assert (comparison.result_id, comparison.baseline_id, comparison.alpha) == (2, 1, 0.05)


def test_each_url_of_a_scenario_is_its_own_target() -> None:
    comparison = compare(
        parsed(2, (101, A, 10, 10), (101, B, 1, 10)), parsed(1, (101, A, 1, 10), (101, B, 10, 10))
    )
    assert [(row.websocket_url, row.verdict) for row in comparison.rows] == [
        (A, Change.IMPROVED),
        (B, Change.REGRESSED),
    ]


def test_a_scenario_one_side_cannot_split_by_url_is_compared_as_one_target() -> None:
    # The baseline came from Cekura (runs name no URL); now's runs name two URLs: both sides merge.
    comparison = compare(
        parsed(2, (101, A, 5, 5), (101, B, 5, 5), (102, A, 1, 1)),
        parsed(1, (101, None, 8, 10), (102, A, 1, 1)),
    )
    assert [
        (row.scenario, row.websocket_url, row.passed, row.total, row.baseline_total)
        for row in comparison.rows
    ] == [
        (101, None, 10, 10, 10),
        (102, A, 1, 1, 1),
    ]


def test_alpha_sets_the_bar() -> None:
    now, baseline = parsed(2, (101, A, 80, 100)), parsed(1, (101, A, 90, 100))  # p = 0.0367
    assert compare(now, baseline).rows[0].verdict is Change.REGRESSED
    strict = compare(now, baseline, alpha=0.01)
    assert strict.rows[0].verdict is Change.UNCHANGED and strict.alpha == 0.01


def test_two_results_without_runs_compare_to_nothing() -> None:
    comparison = compare(parsed(2), parsed(1))
    assert comparison.rows == () and comparison.rate is None and comparison.baseline_rate is None


def test_the_clients_fetch_ids_and_use_results_as_they_are() -> None:
    with FaultServer() as server:
        server.default("GET", result_path(11), Reply(json=batch(11, (101, A, 10, 10))))
        server.default("GET", result_path(12), Reply(json=batch(12, (101, A, 2, 10))))
        with CekuraClient("key", base_url=server.url, max_retries=0) as client:
            by_id = client.compare(12, 11)
            given = client.compare(parsed(12, (101, A, 2, 10)), 11)
        assert by_id.rows[0].verdict is Change.REGRESSED and by_id.result_id == 12 and by_id.baseline_id == 11
        assert given == by_id
        assert len(server.received("GET", result_path(12))) == 1  # the Result given was not fetched

        async def async_compare() -> Any:
            async with AsyncCekuraClient("key", base_url=server.url, max_retries=0) as client:
                return await client.compare(12, parsed(11, (101, A, 10, 10)))

        assert asyncio.run(async_compare()) == by_id
        assert len(server.received("GET", result_path(11))) == 2


@pytest.mark.parametrize(
    ("result", "baseline", "alpha", "message"),
    [
        (0, 11, 0.05, "result (a Result or a result id) must be a positive int, got 0"),
        (12, "11", 0.05, "baseline (a Result or a result id) must be a positive int, got '11'"),
        (12, 11, 0.0, "alpha must be a number between 0 and 1 (exclusive), got 0.0"),
        (12, 11, float("nan"), "alpha must be a number between 0 and 1"),
        (12, 11, True, "alpha must be a number between 0 and 1"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_fetched(
    result: Any, baseline: Any, alpha: Any, message: str
) -> None:
    with FaultServer() as server:
        with CekuraClient("key", base_url=server.url) as client, pytest.raises(ValidationError) as raised:
            client.compare(result, baseline, alpha=alpha)

        async def async_compare() -> None:
            async with AsyncCekuraClient("key", base_url=server.url) as client:
                await client.compare(result, baseline, alpha=alpha)

        with pytest.raises(ValidationError):
            asyncio.run(async_compare())
        assert server.requests == []
    assert message in str(raised.value)
    with pytest.raises(ValidationError, match="alpha"):
        compare(parsed(1), parsed(2), alpha=2)
