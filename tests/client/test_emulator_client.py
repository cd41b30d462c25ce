"""End to end: the public client against the emulator and real websocket agents on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict

import pytest

from cekura_wrapper import (
    AsyncCekuraClient,
    AuthenticationError,
    BadRequestError,
    CekuraClient,
    Result,
    SubmissionUncertainError,
)
from cekura_wrapper.testing import (
    AgentThread,
    CekuraEmulator,
    DropAfterCreate,
    ServerErrorAfterCreate,
    Throttle,
)
from cekura_wrapper.testing.demo import closed_loopback_url


class _Timing(TypedDict):
    poll_interval: float
    max_poll_interval: float
    retry_backoff: float


FAST_POLLING = _Timing(poll_interval=0.02, max_poll_interval=0.05, retry_backoff=0.01)


@pytest.fixture
def client(emulator: CekuraEmulator) -> Iterator[CekuraClient]:
    with CekuraClient(emulator.api_key, base_url=emulator.base_url, **FAST_POLLING) as cekura:
        yield cekura


def posts(emulator: CekuraEmulator) -> int:
    return sum(1 for request in emulator.requests if request.method == "POST")


def test_a_passing_batch(client: CekuraClient, helpful: AgentThread) -> None:
    submission = client.run_scenarios({101: helpful.url, 102: helpful.url, 103: helpful.url}, frequency=2)
    assert submission.run_count == 6
    progress: list[Result] = []
    result = client.wait_for_result(submission.result_id, timeout=30, on_progress=progress.append)
    assert result.passed
    assert (result.status, result.total_runs, result.success_runs, result.success_rate) == (
        "completed",
        6,
        6,
        100.0,
    )
    assert {run.success for run in result.runs} == {True}
    assert progress[-1] == result


async def test_a_passing_batch_with_the_async_client(emulator: CekuraEmulator, helpful: AgentThread) -> None:
    async with AsyncCekuraClient(emulator.api_key, base_url=emulator.base_url, **FAST_POLLING) as cekura:
        result = await cekura.run_and_wait([(104, helpful.url)], frequency=3, timeout=30)
    assert result.passed and result.total_runs == 3


def test_a_batch_with_an_unreachable_agent(client: CekuraClient, helpful: AgentThread) -> None:
    dead = closed_loopback_url()
    result = client.run_and_wait([(101, helpful.url), (101, dead)], frequency=2, timeout=30)
    assert (result.status, result.passed) == ("completed", False)
    assert (result.total_runs, result.success_runs, result.failed_runs) == (4, 2, 2)
    failures = [run for run in result.runs if not run.success]
    assert {run.error_message for run in failures} == {f"could not connect to {dead}: connection refused"}


def test_a_batch_nobody_answers_is_failed(client: CekuraClient) -> None:
    result = client.run_and_wait([(102, closed_loopback_url())], frequency=1, timeout=30)
    assert (result.status, result.is_terminal, result.success_rate) == ("failed", True, 0.0)


def test_a_400_reaches_the_caller_with_its_field_errors(
    client: CekuraClient, emulator: CekuraEmulator
) -> None:
    with pytest.raises(BadRequestError) as caught:
        client.run_scenarios([(101, "ws://127.0.0.1:9/"), (999, "ws://127.0.0.1:9/")], frequency=1)
    assert caught.value.status_code == 400
    assert list(caught.value.field_errors) == ["scenarios"]
    assert caught.value.field_errors["scenarios"] == ['Item 1: Invalid pk "999" - scenario does not exist.']
    assert "999" in str(caught.value)
    assert emulator.app.results == {}


def test_a_wrong_key_is_an_authentication_error_that_hides_the_key(emulator: CekuraEmulator) -> None:
    with (
        CekuraClient("ck_wrong_key_123456", base_url=emulator.base_url, **FAST_POLLING) as cekura,
        pytest.raises(AuthenticationError) as caught,
    ):
        cekura.run_scenarios([(101, "ws://127.0.0.1:9/")], frequency=1)
    assert "ck_wrong_key_123456" not in str(caught.value)


def test_a_429_is_retried_and_creates_one_batch(client: CekuraClient, emulator: CekuraEmulator) -> None:
    emulator.faults.queue(Throttle(retry_after=0), on="post")
    submission = client.run_scenarios([(101, closed_loopback_url())], frequency=1)
    assert (posts(emulator), list(emulator.app.results)) == (2, [submission.result_id])


@pytest.mark.parametrize("fault", [ServerErrorAfterCreate(), DropAfterCreate()], ids=["500", "dropped"])
def test_a_post_that_may_have_landed_is_never_resent(
    client: CekuraClient, emulator: CekuraEmulator, fault: ServerErrorAfterCreate | DropAfterCreate
) -> None:
    emulator.faults.queue(fault, on="post")
    with pytest.raises(SubmissionUncertainError):
        client.run_scenarios([(101, closed_loopback_url())], frequency=1, reconcile=False)
    assert posts(emulator) == 1
    assert len(emulator.app.results) == 1
