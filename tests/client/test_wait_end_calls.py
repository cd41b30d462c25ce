"""``wait_for_result(end_calls_on_stop=True)``: a wait that stops before the end (timeout, Ctrl-C,
task cancellation) ends the result's calls first, once, and says so on the error it re-raises.

A stand-in server on 127.0.0.1 keeps the result running and records every request; time is a
fake clock that the client's sleeps advance, so a two-minute timeout passes without waiting.
"""

from __future__ import annotations

import asyncio

import pytest
from fakes import FakeTime
from fault_server import FaultServer, Reply, result, result_path

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    EndCallsOutcome,
    NotFoundError,
    PollTimeoutError,
    Result,
)

KEY = "sk-test-wait-end-calls"
RID = 77
ENDS = f"/test_framework/v1/results/{RID}/end_calls/"


@pytest.fixture
def server(server: FaultServer) -> FaultServer:
    """The shared stand-in server (tests/conftest.py), keeping result ``RID`` running."""
    server.default("GET", result_path(RID), Reply(200, result(RID, "running")))
    server.default("POST", ENDS, Reply(200, {"detail": "calls ended"}))
    return server


def sync_client(server: FaultServer, time: FakeTime) -> CekuraClient:
    return CekuraClient(KEY, base_url=server.url)._set_time(clock=time.clock, sleep=time.sleep)


def async_client(server: FaultServer, time: FakeTime) -> AsyncCekuraClient:
    return AsyncCekuraClient(KEY, base_url=server.url)._set_time(clock=time.clock, sleep=time.async_sleep)


def test_a_timeout_ends_the_calls_once_and_the_error_says_so(server: FaultServer) -> None:
    time = FakeTime()
    with sync_client(server, time) as client, pytest.raises(PollTimeoutError) as caught:
        client.wait_for_result(RID, timeout=120, end_calls_on_stop=True)
    assert time.now >= 120  # the fake clock reached the deadline
    assert len(server.received("GET", result_path(RID))) > 1
    assert len(server.received("POST", ENDS)) == 1
    assert caught.value.calls_ended == EndCallsOutcome(RID)  # type: ignore[attr-defined]
    assert str(caught.value).endswith("; its calls were ended")
    assert "keeps running" not in str(caught.value)


def test_by_default_a_timeout_leaves_the_calls_running(server: FaultServer) -> None:
    with sync_client(server, FakeTime()) as client, pytest.raises(PollTimeoutError) as caught:
        client.wait_for_result(RID, timeout=60)
    assert server.received("POST", ENDS) == []
    assert not hasattr(caught.value, "calls_ended")
    assert "it keeps running on Cekura" in str(caught.value)


def test_ctrl_c_ends_the_calls_and_nothing_is_resubmitted(server: FaultServer) -> None:
    def interrupt(_result: Result) -> None:
        raise KeyboardInterrupt

    with sync_client(server, FakeTime()) as client, pytest.raises(KeyboardInterrupt) as caught:
        client.wait_for_result(RID, on_progress=interrupt, end_calls_on_stop=True)
    assert caught.value.calls_ended.ended  # type: ignore[attr-defined]
    assert [(r.method, r.path) for r in server.requests] == [("GET", result_path(RID)), ("POST", ENDS)]


def test_calls_that_cannot_be_ended_leave_the_timeout_error_in_charge(server: FaultServer) -> None:
    server.default("POST", ENDS, Reply(404, {"detail": "Not found."}))
    with sync_client(server, FakeTime()) as client, pytest.raises(PollTimeoutError) as caught:
        client.wait_for_result(RID, timeout=60, end_calls_on_stop=True)
    outcome = caught.value.calls_ended  # type: ignore[attr-defined]
    assert not outcome.ended and isinstance(outcome.error, NotFoundError)
    assert len(server.received("POST", ENDS)) == 1  # tried once, not retried
    assert "it keeps running on Cekura" in str(caught.value)


async def test_async_timeout_ends_the_calls(server: FaultServer) -> None:
    time = FakeTime()
    async with async_client(server, time) as client:
        with pytest.raises(PollTimeoutError) as caught:
            await client.wait_for_result(RID, timeout=120, end_calls_on_stop=True)
    assert time.now >= 120
    assert len(server.received("POST", ENDS)) == 1
    assert caught.value.calls_ended == EndCallsOutcome(RID)  # type: ignore[attr-defined]


async def test_async_task_cancellation_ends_the_calls(server: FaultServer) -> None:
    polled = asyncio.Event()
    async with async_client(server, FakeTime()) as client:
        task = asyncio.create_task(
            client.wait_for_result(RID, on_progress=lambda _r: polled.set(), end_calls_on_stop=True)
        )
        await asyncio.wait_for(polled.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError) as caught:
            await task
    assert caught.value.calls_ended.ended  # type: ignore[attr-defined]
    assert len(server.received("POST", ENDS)) == 1
