"""Every request and every wait ends at its deadline, whatever the server does: a real socket
server on 127.0.0.1 that trickles one byte at a time (slowloris) never resets the clock.

Each case is timed against its deadline with a generous tolerance: these check that a deadline
holds (before the fix they took 10-100 times longer), not how fast anything is.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from fault_server import RUN_PATH, FaultServer, Reply, result_path

from cekura_wrapper import (
    APITimeoutError,
    AsyncCekuraClient,
    CekuraClient,
    PollTimeoutError,
    SubmissionUncertainError,
)

KEY = "sk-deadline-test-key"
TOLERANCE = 2.0
FLEET = {101: "ws://127.0.0.1:9/chat"}


@pytest.fixture
def trickling() -> Iterator[FaultServer]:
    """Every POST and GET is answered one byte every 0.1 s (a body of 999 bytes takes 100 s)."""
    with FaultServer() as server:
        server.default("POST", RUN_PATH, Reply(201, trickle=0.1))
        server.default("GET", result_path(5), Reply(200, trickle=0.1))
        server.default("GET", result_path(6), Reply(200, trickle=0.1, trickle_headers=True))
        yield server


@pytest.mark.parametrize("result_id", [5, 6], ids=["body", "headers"])
def test_a_trickled_answer_ends_at_the_request_timeout(trickling: FaultServer, result_id: int) -> None:
    with CekuraClient(KEY, base_url=trickling.url, timeout=1.0, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="total timeout, limit 1 s"):
            client.get_result(result_id)
    assert time.monotonic() - started < 1.0 + TOLERANCE


def test_retries_of_a_trickled_answer_each_get_the_time_limit(trickling: FaultServer) -> None:
    with CekuraClient(KEY, base_url=trickling.url, timeout=0.5, max_retries=2, retry_backoff=0.01) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.get_result(5)
    assert len(trickling.received("GET", result_path(5))) == 3
    assert time.monotonic() - started < 3 * 0.5 + TOLERANCE


def test_a_trickled_answer_to_the_run_request_is_uncertain_and_never_resent(trickling: FaultServer) -> None:
    with CekuraClient(KEY, base_url=trickling.url, timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(SubmissionUncertainError, match="total timeout"):
            client.run_scenarios(FLEET, frequency=1)
    assert time.monotonic() - started < 1.0 + TOLERANCE
    assert len(trickling.received("POST", RUN_PATH)) == 1


def test_a_wait_ends_at_its_deadline_and_says_how_long_it_waited(trickling: FaultServer) -> None:
    with CekuraClient(KEY, base_url=trickling.url, timeout=30.0) as client:
        started = time.monotonic()
        with pytest.raises(PollTimeoutError) as caught:
            client.wait_for_result(6, timeout=2.0, poll_interval=0.1)
    waited = time.monotonic() - started
    assert waited < 2.0 + TOLERANCE
    assert 2.0 <= caught.value.elapsed <= waited
    assert f"after {caught.value.elapsed:.1f} s of waiting (timeout 2 s)" in str(caught.value)


def test_the_async_client_holds_the_same_deadlines(trickling: FaultServer) -> None:
    async def scenario() -> float:
        async with AsyncCekuraClient(KEY, base_url=trickling.url, timeout=1.0, max_retries=0) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError, match="total timeout"):
                await client.get_result(6)
            with pytest.raises(PollTimeoutError):
                await client.wait_for_result(5, timeout=1.5, poll_interval=0.1)
            return time.monotonic() - started

    assert asyncio.run(scenario()) < 1.0 + 1.5 + TOLERANCE


def test_cekura_ws_watch_ends_at_its_timeout(trickling: FaultServer) -> None:
    env = {**os.environ, "CEKURA_API_KEY": KEY, "CEKURA_BASE_URL": trickling.url}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "cekura_wrapper", "watch", "5", "--timeout", "2", "--poll-interval", "0.1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 4, done.stderr
    assert time.monotonic() - started < 2.0 + TOLERANCE + 1.5  # + the interpreter's start-up
    assert "Traceback" not in done.stderr
