"""The benchmark's virtual-clock polling simulation, run once (fast) so it cannot rot.

Only deterministic counts on the virtual clock are asserted, never wall-clock times.
"""

from __future__ import annotations

import math

import bench
import pytest

SEEDS = range(6)


@pytest.fixture(scope="module")
def cases() -> list[bench.PollingCase]:
    return bench.polling_cases(seeds=SEEDS)


def test_every_duration_and_shape_is_simulated(cases: list[bench.PollingCase]) -> None:
    assert {case.duration for case in cases} == set(bench.DURATIONS)
    for case in cases:
        repeats = 1 if case.shape.startswith("1 run") else len(SEEDS)
        assert len(case.ours) == len(case.baseline) == repeats


@pytest.mark.parametrize("batch", [bench.single_run(60.0), bench.spread_batch(300.0, 10, seed=1)])
def test_the_baseline_is_a_plain_5s_poller(batch: bench.SimulatedBatch) -> None:
    # Polls at 0, 5, 10, ...: the first poll at or after the finish sees it.
    waited = bench.simulate(batch, bench.FixedInterval())
    seen_at = math.ceil(batch.done_at / bench.BASELINE_INTERVAL) * bench.BASELINE_INTERVAL
    assert waited.requests == seen_at / bench.BASELINE_INTERVAL + 1
    assert waited.delay == pytest.approx(seen_at - batch.done_at)


def test_our_schedule_never_returns_before_the_batch_finished(cases: list[bench.PollingCase]) -> None:
    assert all(waited.delay >= 0 for case in cases for waited in case.ours)


def test_long_batches_cost_fewer_requests_than_the_baseline(cases: list[bench.PollingCase]) -> None:
    for case in cases:
        if case.duration >= 300:
            for ours, baseline in zip(case.ours, case.baseline, strict=True):
                assert ours.requests < baseline.requests, (case.duration, case.shape)


def test_retry_after_from_the_server_sets_the_pace() -> None:
    batch = bench.spread_batch(300.0, 10, seed=0)
    waited = bench.simulate(batch, bench.client_schedule(), retry_after=20.0)
    assert waited.requests == math.ceil(batch.done_at / 20.0) + 1


def test_spread_batches_are_reproducible_and_inside_the_window() -> None:
    first = bench.spread_batch(60.0, 10, seed=3)
    assert first == bench.spread_batch(60.0, 10, seed=3)
    assert first != bench.spread_batch(60.0, 10, seed=4)
    assert all(12.0 <= t <= 60.0 for t in first.finish_times)
    assert first.result_at(first.done_at).is_terminal
    assert not first.result_at(first.done_at - 1e-6).is_terminal


def test_rows_judge_each_case(cases: list[bench.PollingCase]) -> None:
    rows = bench.polling_rows(cases)
    assert len(rows) == 2 * len(cases)
    judged = {row.case.split(":")[0]: row.met for row in rows if "requests" in row.case}
    assert judged["D=10 s, 1 run finishing at D"] is None  # no request target below 300 s
    assert all(row.met is not None for row in rows if row.case.startswith("D=300 s"))
