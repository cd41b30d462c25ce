"""Retry rounds end when the time runs out: the one rule both clients follow (``rounds_to_run``),
checked on its own with a scripted clock and through the clients on the emulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from cli_helpers import posts
from fault_server import scripted

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    GroupOutcome,
    Result,
    RetriedResult,
    RunPlan,
    ScenarioTarget,
    SuiteGroup,
    SuiteResult,
)
from cekura_wrapper._retries import RetryLedger, SuiteRetries, timed_rounds
from cekura_wrapper.testing import AgentThread, CekuraEmulator

A = "wss://a.example/chat"
POLLS: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}
NO_TIME = "no time was left before the timeout"


def seconds(*values: float) -> Callable[[], float]:
    """A ``time_left`` that answers ``values`` in turn (and fails the test if asked once more)."""
    answers = iter(values)
    return lambda: next(answers)


def test_each_round_gets_the_time_left_when_it_starts_and_none_starts_without_time() -> None:
    stopped: list[str] = []
    rounds = timed_rounds(iter([1, 2, 3]).__next__, stopped.append, seconds(9.5, 0.25, 0.0), "--timeout")
    assert list(rounds) == [(1, 9.5), (2, 0.25)]
    assert stopped == ["no time was left before --timeout"]


def test_no_round_left_ends_the_rounds_without_reading_the_time_or_stopping() -> None:
    stopped: list[str] = []
    assert list(timed_rounds(lambda: None, stopped.append, seconds(), "the timeout")) == []
    assert stopped == []


def test_a_ledger_asks_for_its_next_round_only_after_the_last_one_was_recorded() -> None:
    plan = RunPlan((ScenarioTarget(101, A), ScenarioTarget(102, A)), frequency=2)
    first = Result.from_payload(scripted(1, (101, 0, 2), (102, 1, 2), url=A))
    ledger = RetryLedger(plan, first, rounds_allowed=3, max_extra_runs=10)
    rounds = ledger.rounds_to_run(seconds(30.0, -1.0))
    round_plan, left = next(rounds)
    assert (round_plan.run_count, left) == (3, 30.0)
    ledger.record(Result.from_payload(scripted(2, (101, 2, 2), (102, 0, 1), url=A)), round_plan)
    assert list(rounds) == []  # round 2 (scenario 102 again) is due, but no time is left
    assert ledger.stopped == NO_TIME
    assert len(ledger.rounds) == 1


def test_a_suite_s_rounds_stop_when_no_time_is_left() -> None:
    plan = RunPlan((ScenarioTarget(101, A),), frequency=1)
    first = Result.from_payload(scripted(1, (101, 0, 1), url=A))
    retries = SuiteRetries({"g": plan}, rounds_allowed=2)
    retries.begin(SuiteResult((GroupOutcome("g", "failed", result=first),)))
    assert list(retries.rounds_to_run(seconds(0.0))) == []
    assert retries.stopped == NO_TIME
    assert retries.ledgers["g"].rounds == []


class JumpWhenDone:
    """The client's clock, moved an hour on once a result ends: the retries find no time left."""

    def __init__(self) -> None:
        self.offset = 0.0

    def clock(self) -> float:
        return time.monotonic() + self.offset

    def __call__(self, seen: Result | GroupOutcome) -> None:
        result = seen if isinstance(seen, Result) else seen.result
        if result is not None and result.is_terminal:
            self.offset += 3600.0


def test_the_clients_retry_no_round_once_the_timeout_has_passed(emulator: CekuraEmulator) -> None:
    with AgentThread("flaky", flaky_pattern="FFFF") as flaky:
        targets = [{"scenario": 101, "websocket_url": flaky.url}]
        groups = [SuiteGroup("g", targets, frequency=1)]
        options: dict[str, Any] = {"base_url": emulator.base_url, **POLLS}
        jump = JumpWhenDone()
        with CekuraClient(emulator.api_key, **options)._set_time(clock=jump.clock) as client:
            result = client.run_and_wait(targets, frequency=1, retry_failed=2, on_progress=jump)
            suite = client.run_suite(groups, retry_failed=2, on_progress=jump)

        async def go() -> tuple[Result, SuiteResult]:
            async with AsyncCekuraClient(emulator.api_key, **options)._set_time(clock=jump.clock) as client:
                result = await client.run_and_wait(targets, frequency=1, retry_failed=2, on_progress=jump)
                return result, await client.run_suite(groups, retry_failed=2, on_progress=jump)

        async_result, async_suite = asyncio.run(go())
        assert posts(emulator) == 4  # the four first batches; no retry round was sent
    for retried in (result, async_result):
        assert isinstance(retried, RetriedResult) and retried.retries is not None
        assert retried.failed_runs == 1
        assert (retried.retries.stopped, retried.retries.rounds) == (NO_TIME, [])
    for outcome in (suite, async_suite):
        assert outcome.retries is not None and outcome.retries.stopped == NO_TIME
        assert outcome.retries.ledgers["g"].rounds == []
