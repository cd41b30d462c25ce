"""Every request and every wait ends at its deadline, whatever the server does: a real socket
server on 127.0.0.1 that trickles one byte at a time (slowloris) never resets the clock.

The bound is shown by a count, not by timing the test: the server records how many bytes of each
trickled answer it got out before the client hung up. A client whose clock restarted with every
byte would read the whole answer (over 999 bytes, 50 s); one that keeps its deadline hangs up
after a few bytes. Half the answer is the line between them, far from both, so load cannot blur it.
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
FLEET = {101: "ws://127.0.0.1:9/chat"}
TRICKLE = 0.05  # seconds per byte: a whole answer takes 50 s
HALF_AN_ANSWER = 500  # bytes


@pytest.fixture
def trickling() -> Iterator[FaultServer]:
    """Every POST and GET is answered one byte every ``TRICKLE`` s."""
    with FaultServer() as server:
        server.default("POST", RUN_PATH, Reply(201, trickle=TRICKLE))
        server.default("GET", result_path(5), Reply(200, trickle=TRICKLE))
        server.default("GET", result_path(6), Reply(200, trickle=TRICKLE, trickle_headers=True))
        yield server


def hung_up_early(server: FaultServer, answers: int) -> bool:
    """True when each of ``answers`` trickled answers was cut off before half of it was out.

    The server notices a hang-up at its next byte or two; the wait for that is bounded only
    generously (a hang, not a speed, fails it).
    """
    deadline = time.monotonic() + 60
    while len(server.trickled) < answers and time.monotonic() < deadline:
        time.sleep(TRICKLE)
    return len(server.trickled) == answers and all(sent < HALF_AN_ANSWER for sent in server.trickled)


@pytest.mark.parametrize("result_id", [5, 6], ids=["body", "headers"])
def test_a_trickled_answer_ends_at_the_request_timeout(trickling: FaultServer, result_id: int) -> None:
    with (
        CekuraClient(KEY, base_url=trickling.url, timeout=0.3, max_retries=0) as client,
        pytest.raises(APITimeoutError, match=r"total timeout, limit 0\.3 s"),
    ):
        client.get_result(result_id)
    assert hung_up_early(trickling, answers=1), trickling.trickled


def test_retries_of_a_trickled_answer_each_get_the_time_limit(trickling: FaultServer) -> None:
    with (
        CekuraClient(KEY, base_url=trickling.url, timeout=0.2, max_retries=2, retry_backoff=0.01) as client,
        pytest.raises(APITimeoutError),
    ):
        client.get_result(5)
    assert len(trickling.received("GET", result_path(5))) == 3
    assert hung_up_early(trickling, answers=3), trickling.trickled


def test_a_trickled_answer_to_the_run_request_is_uncertain_and_never_resent(trickling: FaultServer) -> None:
    with (
        CekuraClient(KEY, base_url=trickling.url, timeout=0.3) as client,
        pytest.raises(SubmissionUncertainError, match="total timeout"),
    ):
        client.run_scenarios(FLEET, frequency=1)
    assert len(trickling.received("POST", RUN_PATH)) == 1
    assert hung_up_early(trickling, answers=1), trickling.trickled


def test_a_wait_ends_at_its_deadline_and_says_how_long_it_waited(trickling: FaultServer) -> None:
    # Each request may take 30 s; only the wait's own deadline (0.5 s) can cut the poll short.
    with (
        CekuraClient(KEY, base_url=trickling.url, timeout=30.0) as client,
        pytest.raises(PollTimeoutError) as caught,
    ):
        client.wait_for_result(6, timeout=0.5, poll_interval=0.05)
    assert caught.value.elapsed >= 0.5
    assert f"after {caught.value.elapsed:.1f} s of waiting (timeout 0.5 s)" in str(caught.value)
    assert hung_up_early(trickling, answers=len(trickling.received("GET", result_path(6))))


def test_the_async_client_holds_the_same_deadlines(trickling: FaultServer) -> None:
    async def scenario() -> None:
        async with AsyncCekuraClient(KEY, base_url=trickling.url, timeout=0.3, max_retries=0) as client:
            with pytest.raises(APITimeoutError, match="total timeout"):
                await client.get_result(6)
            with pytest.raises(PollTimeoutError):
                await client.wait_for_result(5, timeout=0.5, poll_interval=0.05)

    asyncio.run(scenario())
    assert hung_up_early(trickling, answers=len(trickling.requests)), trickling.trickled


def test_cekura_ws_watch_ends_at_its_timeout(trickling: FaultServer) -> None:
    env = {**os.environ, "CEKURA_API_KEY": KEY, "CEKURA_BASE_URL": trickling.url}
    done = subprocess.run(
        [sys.executable, "-m", "cekura_wrapper", "watch", "5", "--timeout", "0.5", "--poll-interval", "0.05"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # a hang, not a speed
        check=False,
    )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert hung_up_early(trickling, answers=len(trickling.requests)), trickling.trickled
