"""The suite's pure decisions: which group starts when, and what a stop does (no I/O, fake clock)."""

from __future__ import annotations

import pytest
from fakes import FakeTime
from hypothesis import given
from hypothesis import strategies as st

from cekura_wrapper import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    Result,
    Submission,
    SuiteGroup,
    SuiteSchedule,
    ValidationError,
    plan_run,
)
from cekura_wrapper._suite import SuiteRunState, check_suite


def test_groups_start_in_order_while_their_slots_fit() -> None:
    schedule = SuiteSchedule([2, 2, 2], concurrency=4)
    assert schedule.take_startable() == [0, 1]
    assert schedule.take_startable() == []
    schedule.release(1)
    assert schedule.take_startable() == [2]
    assert schedule.in_use == 4


def test_a_group_larger_than_the_budget_reserves_it_all_and_runs_alone() -> None:
    schedule = SuiteSchedule([10, 1], concurrency=4)
    assert schedule.slots == [4, 1]
    assert schedule.take_startable() == [0]
    assert schedule.take_startable() == []
    schedule.release(0)
    assert schedule.take_startable() == [1]


def test_no_group_overtakes_one_that_waits_for_slots() -> None:
    schedule = SuiteSchedule([3, 4, 1], concurrency=4)
    assert schedule.take_startable() == [0]
    assert schedule.take_startable() == []  # group 2 would fit, but group 1 is next
    schedule.release(0)
    schedule.release(0)  # idempotent: slots are freed once
    assert schedule.take_startable() == [1]
    assert schedule.in_use == 4


def test_without_a_budget_everything_starts_at_once() -> None:
    schedule = SuiteSchedule([5, 50, 500], concurrency=None)
    assert schedule.take_startable() == [0, 1, 2]
    assert schedule.peak == 555


def test_waves_and_peak_for_the_plan() -> None:
    schedule = SuiteSchedule([2, 3, 4, 1], concurrency=5)
    assert schedule.waves() == [[0, 1], [2, 3]]
    assert schedule.peak_calls() == 5
    assert schedule.take_startable() == [0, 1]  # waves() did not consume the real schedule


@given(
    runs=st.lists(st.integers(1, 30), min_size=1, max_size=12),
    concurrency=st.integers(1, 20),
    order=st.randoms(use_true_random=False),
)
def test_never_above_the_budget_and_every_group_starts_once(runs: list[int], concurrency: int, order) -> None:  # type: ignore[no-untyped-def]
    schedule = SuiteSchedule(runs, concurrency)
    started: list[int] = []
    running: list[int] = []
    while len(started) < len(runs):
        new = schedule.take_startable()
        started += new
        running += new
        assert schedule.in_use <= concurrency
        assert schedule.in_use == sum(schedule.slots[i] for i in running)
        assert running, "a free budget must start the next group"
        finished = order.choice(running)
        running.remove(finished)
        schedule.release(finished)
    assert started == list(range(len(runs)))
    assert schedule.peak <= concurrency


def _state(runs: list[int], concurrency: int | None, clock: FakeTime, timeout: float = 60.0) -> SuiteRunState:
    plans = [plan_run([(101, "wss://a.example.com/")], frequency=n) for n in runs]
    return SuiteRunState(
        [f"g{i}" for i in range(len(runs))],
        plans,
        concurrency=concurrency,
        timeout=timeout,
        clock=clock,
        poll_interval=1.0,
        max_poll_interval=5.0,
    )


def _submission(result_id: int) -> Submission:
    return Submission(result_id, "pending", 1, {})


def _result(result_id: int, status: str, total: int = 2, success: int = 2) -> Result:
    return Result.from_payload(
        {
            "id": result_id,
            "status": status,
            "total_runs_count": total,
            "success_runs_count": success,
            "completed_runs_count": total if status == "completed" else 0,
        }
    )


def test_a_terminal_result_frees_its_slots_for_the_next_group() -> None:
    clock = FakeTime(now=100.0)
    state = _state([3, 3], 4, clock)
    assert state.to_start() == [0]
    state.submitted(0, _submission(7))
    assert state.due() == [0]
    state.polled(0, _result(7, "running"), None)
    assert state.due() == [] and state.to_start() == []
    clock.now += state.sleep_time()
    assert state.due() == [0]
    assert state.polled(0, _result(7, "completed"), None).state == "passed"
    assert state.sleep_time() == 0.0  # the next group starts at once, not at the next poll
    assert state.to_start() == [1]
    state.submitted(1, _submission(8))
    assert state.polled(1, _result(8, "completed", success=1), None).state == "failed"
    assert state.finished
    outcome = state.outcome()
    assert [g.state for g in outcome.groups] == ["passed", "failed"]
    assert not outcome.passed and outcome.passes(fail_under=0.5)


def test_a_failed_submission_frees_its_slots_and_the_others_go_on() -> None:
    state = _state([4, 4], 4, FakeTime(now=100.0))
    assert state.to_start() == [0]
    error = BadRequestError("400", status_code=400, body="", field_errors={})
    assert state.submit_failed(0, error).state == "error"
    assert state.to_start() == [1]


def test_transient_poll_failures_are_retried_and_others_end_the_group() -> None:
    clock = FakeTime(now=100.0)
    state = _state([1, 1], None, clock)
    for index in state.to_start():
        state.submitted(index, _submission(index + 1))
    assert state.missed(0, APIConnectionError("reset")).state == "running"
    assert state.missed(1, AuthenticationError("401", status_code=401, body="")).state == "error"


def test_a_stop_skips_unstarted_groups_and_times_out_running_ones() -> None:
    clock = FakeTime(now=100.0)
    state = _state([4, 4, 1], 4, clock, timeout=10)
    state.submitted(state.to_start()[0], _submission(5))
    clock.now += 10
    assert state.timed_out
    assert state.stop("timeout") == [0]
    assert state.to_start() == []
    state.ended(0, True)
    outcome = state.outcome()
    assert [(g.state, g.calls_ended) for g in outcome.groups] == [
        ("timeout", True),
        ("skipped", False),
        ("skipped", False),
    ]
    assert outcome.stopped == "timeout" and not outcome.passed


def test_every_problem_of_every_group_is_reported_before_anything_is_sent() -> None:
    groups = [
        SuiteGroup("smoke", [(101, "wss://a.example.com/")], 1),
        SuiteGroup("smoke", [(101, "http://bad")], 0),
        SuiteGroup("", [], 1),
    ]
    with pytest.raises(ValidationError) as caught:
        check_suite(groups, 0, lambda g: plan_run(g.scenarios, frequency=g.frequency, agent=g.agent))
    text = "\n".join(caught.value.errors)
    assert "concurrency" in text
    assert "used twice" in text
    assert "groups[1].scenarios[0]" in text and "frequency" in text
    assert "groups[2]" in text and "name must be" in text


def test_a_stop_during_a_submission_marks_that_group_uncertain() -> None:
    state = _state([1, 1], None, FakeTime(now=100.0))
    first, second = state.to_start()
    state.submitted(first, _submission(3))
    assert state.stop("interrupted") == [first]
    group = state.outcome().groups[second]
    assert group.state == "error"
    assert "may have reached Cekura" in str(group.error)
