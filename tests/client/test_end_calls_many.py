"""``end_calls_many``: the one way calls are ended in bulk (suites, ``stop``, a stopped wait).

Against a stand-in server where one id 404s, one answers 503 and one hangs: every other id is
ended, each id gets one request (never retried) and its own outcome, and the hanging one is given
up while the server still holds it (the per-request bound, proven without reading a clock).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest
from fault_server import FaultServer, Reply

from cekura_wrapper import (
    STOP_REQUEST_TIMEOUT,
    APITimeoutError,
    AsyncCekuraClient,
    CekuraClient,
    EndCallsOutcome,
    NotFoundError,
    ServerError,
    ValidationError,
)
from cekura_wrapper._ending import outcome_of

KEY = "sk-test-end-calls-many"


def ends(result_id: int) -> str:
    return f"/test_framework/v1/results/{result_id}/end_calls/"


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set when the test is over: until then the server holds the hanging id's answer."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def server(server: FaultServer, release: threading.Event) -> Iterator[FaultServer]:
    """The shared stand-in server (tests/conftest.py), answering ids 1-5 as the module says."""
    server.default("POST", ends(1), Reply(200, {"detail": "calls ended"}))
    server.default("POST", ends(2), Reply(404, {"detail": "Not found."}))
    server.default("POST", ends(3), Reply(200, {"detail": "calls ended"}, hold=release))
    server.default("POST", ends(4), Reply(503, {"detail": "try later"}))
    server.default("POST", ends(5), Reply(200, {"detail": "calls ended"}))
    yield server
    release.set()  # before the server shuts down: its handler thread stops waiting


def check(outcome: dict[int, EndCallsOutcome], server: FaultServer, release: threading.Event) -> None:
    assert not release.is_set(), "the hanging request was given up while the server still held it"
    assert list(outcome) == [1, 2, 3, 4, 5]  # the order given, each id once
    assert [outcome[i].ended for i in outcome] == [True, False, False, False, True]
    assert outcome[1].error is None and outcome[5].error is None
    assert isinstance(outcome[2].error, NotFoundError)
    assert isinstance(outcome[3].error, APITimeoutError)
    assert isinstance(outcome[4].error, ServerError)
    # One request per id although the client retries reads twice and 503s and timeouts are
    # retryable: clean-up never retries.
    assert [len(server.received("POST", ends(i))) for i in range(1, 6)] == [1, 1, 1, 1, 1]


def test_one_failing_id_never_stops_the_others(server: FaultServer, release: threading.Event) -> None:
    with CekuraClient(KEY, base_url=server.url, max_retries=2) as client:
        outcome = client.end_calls_many([1, 2, 3, 4, 5, 1, 3], timeout=1.0)
    check(outcome, server, release)


def test_async_twin_follows_the_same_rule(server: FaultServer, release: threading.Event) -> None:
    async def scenario() -> dict[int, EndCallsOutcome]:
        async with AsyncCekuraClient(KEY, base_url=server.url, max_retries=2) as client:
            return await client.end_calls_many((i for i in [1, 2, 3, 4, 5, 5]), timeout=1.0)

    check(asyncio.run(scenario()), server, release)


def test_each_request_gets_the_stop_bound_by_default() -> None:
    """Without ``timeout``, every request carries ``STOP_REQUEST_TIMEOUT`` (not the client's 30 s)."""
    limits: dict[str, object] = {}

    def answer(request: httpx.Request) -> httpx.Response:
        limits[request.url.path] = request.extensions["timeout"]
        return httpx.Response(200, json={})

    bound = dict.fromkeys(("connect", "read", "write", "pool"), STOP_REQUEST_TIMEOUT)
    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = CekuraClient(KEY, base_url="http://127.0.0.1:9", timeout=30.0, http_client=http)
        outcome = client.end_calls_many([7, 8])
    assert all(ended.ended for ended in outcome.values())
    assert limits == {ends(7): bound, ends(8): bound}


def test_bad_ids_are_refused_before_any_request(server: FaultServer) -> None:
    with CekuraClient(KEY, base_url=server.url) as client:
        with pytest.raises(ValidationError) as caught:
            client.end_calls_many([1, 0, "9", True])  # type: ignore[list-item]
        assert [str(problem) for problem in caught.value.problems] == [
            "result_ids[1] must be a positive int, got 0",
            "result_ids[2] must be a positive int, got '9' (text)",
            "result_ids[3] must be a positive int, got True (true/false)",
        ]
        with pytest.raises(ValidationError, match="result_ids must be a list of result ids"):
            client.end_calls_many("12")  # type: ignore[arg-type]
        with pytest.raises(ValidationError, match="timeout"):
            client.end_calls_many([1], timeout=-1)
        assert client.end_calls_many([]) == {}
    assert server.requests == []


def test_an_interrupt_is_not_an_outcome() -> None:
    """Any Exception is one id's error; an interrupt stops the clean-up itself."""
    failure = RuntimeError("boom")
    assert outcome_of(3, failure) == EndCallsOutcome(3, failure)
    assert not outcome_of(3, failure).ended
    with pytest.raises(KeyboardInterrupt):
        outcome_of(3, KeyboardInterrupt())
    with pytest.raises(asyncio.CancelledError):
        outcome_of(3, asyncio.CancelledError())
