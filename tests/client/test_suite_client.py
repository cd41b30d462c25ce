"""Suites against the emulator and real websocket agents: the budget, stops and ending calls."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from cekura_wrapper import (
    AsyncCekuraClient,
    BadRequestError,
    CekuraClient,
    GroupOutcome,
    SuiteGroup,
    ValidationError,
)
from cekura_wrapper.testing import AgentThread, CekuraEmulator, EmulatorSettings


def make_client(emulator: CekuraEmulator) -> CekuraClient:
    return CekuraClient(
        emulator.api_key,
        base_url=emulator.base_url,
        poll_interval=0.02,
        max_poll_interval=0.05,
        retry_backoff=0.01,
    )


@pytest.fixture(scope="module")
def roomy_emulator() -> Iterator[CekuraEmulator]:
    # Its own limit is raised well above the budget: the client's budget is measured.
    with CekuraEmulator(settings=EmulatorSettings(max_concurrent_runs=50)) as running:
        yield running


def end_calls_seen(emulator: CekuraEmulator) -> list[str]:
    return [r.path for r in emulator.requests if r.path.endswith("/end_calls/") and r.status == 200]


def test_three_groups_under_a_budget_of_four_never_hold_more_than_four_calls(
    roomy_emulator: CekuraEmulator,
) -> None:
    roomy_emulator.reset()
    with AgentThread("slow", reply_delay=0.15) as agent:
        groups = [
            SuiteGroup("smoke", {101: agent.url, 102: agent.url}, 1),  # 2 calls
            SuiteGroup("regression", [(101, agent.url), (103, agent.url), (104, agent.url)], 1),  # 3
            SuiteGroup("soak", [(102, agent.url)], 4),  # 4 calls: the whole budget
        ]
        seen: list[GroupOutcome] = []
        with make_client(roomy_emulator) as client:
            suite = client.run_suite(groups, concurrency=4, timeout=60, on_progress=seen.append)
        assert [g.state for g in suite.groups] == ["passed", "passed", "passed"], suite
        assert suite.passed
        assert 2 <= agent.peak_open_connections <= 4
        assert 2 <= roomy_emulator.peak_concurrent_calls <= 4
        assert len(agent.handshakes) == 9
    assert end_calls_seen(roomy_emulator) == []
    assert {o.name for o in seen if o.state == "running"} == {"smoke", "regression", "soak"}


def test_a_timeout_ends_the_active_calls_and_skips_the_unstarted_group(
    roomy_emulator: CekuraEmulator,
) -> None:
    roomy_emulator.reset()
    with AgentThread("slow", reply_delay=4.0) as agent:
        groups = [
            SuiteGroup("a", [(101, agent.url)], 2),
            SuiteGroup("b", [(102, agent.url)], 1),
            SuiteGroup("later", [(101, agent.url)], 3),  # needs 3 slots: never fits before the end
        ]
        with make_client(roomy_emulator) as client:
            suite = client.run_suite(groups, concurrency=3, timeout=1.0)
            assert [(g.state, g.calls_ended) for g in suite.groups] == [
                ("timeout", True),
                ("timeout", True),
                ("skipped", False),
            ]
            assert suite.stopped == "timeout" and not suite.passed
            ids = [g.result_id for g in suite.groups[:2]]
            assert sorted(end_calls_seen(roomy_emulator)) == sorted(
                f"/test_framework/v1/results/{i}/end_calls/" for i in ids
            )
            for result_id in ids:
                assert result_id is not None
                final = client.wait_for_result(result_id, timeout=10)
                assert final.status == "cancelled"


def test_keep_running_sends_no_end_calls(roomy_emulator: CekuraEmulator) -> None:
    roomy_emulator.reset()
    with AgentThread("slow", reply_delay=4.0) as agent, make_client(roomy_emulator) as client:
        suite = client.run_suite(
            [SuiteGroup("a", [(101, agent.url)], 1)], timeout=0.5, end_calls_on_stop=False
        )
        assert suite.groups[0].state == "timeout" and not suite.groups[0].calls_ended
        assert end_calls_seen(roomy_emulator) == []
        result_id = suite.groups[0].result_id
        assert result_id is not None
        client.end_calls(result_id)  # tidy up


def test_one_bad_group_fails_the_whole_suite_before_any_request(roomy_emulator: CekuraEmulator) -> None:
    roomy_emulator.reset()
    with make_client(roomy_emulator) as client, pytest.raises(ValidationError) as caught:
        client.run_suite(
            [
                SuiteGroup("ok", [(101, "ws://127.0.0.1:9/")], 1),
                SuiteGroup("bad", [(101, "http://nope"), (102, "ws://")], 1),
            ]
        )
    assert len(caught.value.problems) == 2
    assert all(p.loc[:2] == ("groups", 1) for p in caught.value.problems)
    assert roomy_emulator.requests == []


def test_a_group_the_server_refuses_is_an_error_and_the_others_go_on(roomy_emulator: CekuraEmulator) -> None:
    roomy_emulator.reset()
    with AgentThread("helpful") as agent, make_client(roomy_emulator) as client:
        suite = client.run_suite(
            [SuiteGroup("unknown", [(999, agent.url)], 1), SuiteGroup("fine", [(101, agent.url)], 1)],
            concurrency=1,
        )
    assert [g.state for g in suite.groups] == ["error", "passed"]
    assert isinstance(suite.groups[0].error, BadRequestError)


def test_keyboard_interrupt_ends_the_calls_and_carries_the_outcome(roomy_emulator: CekuraEmulator) -> None:
    roomy_emulator.reset()
    with AgentThread("slow", reply_delay=4.0) as agent, make_client(roomy_emulator) as client:
        polls = 0

        def interrupt(outcome: GroupOutcome) -> None:
            nonlocal polls
            if outcome.result is not None and outcome.state == "running":
                polls += 1
                if polls == 2:
                    raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt) as caught:
            client.run_suite(
                [SuiteGroup("a", [(101, agent.url)], 1), SuiteGroup("b", [(101, agent.url)], 1)],
                concurrency=1,
                on_progress=interrupt,
            )
    suite = caught.value.suite_result  # type: ignore[attr-defined]
    assert suite.stopped == "interrupted"
    assert [(g.state, g.calls_ended) for g in suite.groups] == [("timeout", True), ("skipped", False)]
    assert len(end_calls_seen(roomy_emulator)) == 1


def test_async_suite_runs_groups_concurrently_and_cancellation_ends_calls(
    roomy_emulator: CekuraEmulator,
) -> None:
    roomy_emulator.reset()
    with AgentThread("slow", reply_delay=4.0) as agent:

        async def scenario() -> None:
            async with AsyncCekuraClient(
                roomy_emulator.api_key,
                base_url=roomy_emulator.base_url,
                poll_interval=0.02,
                max_poll_interval=0.05,
            ) as client:
                started = asyncio.Event()

                async def progress(outcome: GroupOutcome) -> None:
                    if outcome.result is not None:
                        started.set()

                task = asyncio.create_task(
                    client.run_suite(
                        [SuiteGroup("a", [(101, agent.url)], 1), SuiteGroup("b", [(102, agent.url)], 1)],
                        on_progress=progress,
                    )
                )
                await asyncio.wait_for(started.wait(), 10)
                task.cancel()
                with pytest.raises(asyncio.CancelledError) as caught:
                    await task
                suite = caught.value.suite_result  # type: ignore[attr-defined]
                assert [(g.state, g.calls_ended) for g in suite.groups] == [
                    ("timeout", True),
                    ("timeout", True),
                ]

        asyncio.run(scenario())
    assert len(end_calls_seen(roomy_emulator)) == 2


def test_ending_calls_is_time_bounded_when_cekura_hangs(
    roomy_emulator: CekuraEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hung end_calls request is given up after STOP_REQUEST_TIMEOUT (3 s; 0.3 s here, so the
    test does not wait it out), not the 20 s the server holds it: the group reads
    calls_ended=False and the suite returns."""
    from cekura_wrapper.testing import Latency

    # The bound is end_calls_many's default (read when the module loaded): shorten that default.
    defaults = CekuraClient.end_calls_many.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "timeout", 0.3)
    roomy_emulator.reset()
    with AgentThread("slow", reply_delay=4.0) as agent, make_client(roomy_emulator) as client:

        def hang_the_next_post(outcome: GroupOutcome) -> None:
            if outcome.state == "running" and not len(roomy_emulator.faults):
                roomy_emulator.faults.queue(Latency(20), on="post")

        suite = client.run_suite(
            [SuiteGroup("a", [(101, agent.url)], 1)], timeout=0.5, on_progress=hang_the_next_post
        )
        assert suite.groups[0].state == "timeout"
        assert suite.groups[0].calls_ended is False
        result_id = suite.groups[0].result_id
        assert result_id is not None
        roomy_emulator.faults.clear()
        client.end_calls(result_id)  # tidy up
