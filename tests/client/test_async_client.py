"""AsyncCekuraClient against the same fault-injecting loopback server as the sync client."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import AsyncIterator

import pytest
from fakes import FakeTime
from fault_server import RUN_PATH, FaultServer, Reply, created, free_port, result, result_path

from cekura_wrapper import (
    APIConnectionError,
    APITimeoutError,
    AsyncCekuraClient,
    BadRequestError,
    CekuraError,
    NotFoundError,
    PollTimeoutError,
    Result,
    ServerError,
    SubmissionUncertainError,
    ValidationError,
)
from cekura_wrapper._api import MAX_IN_FLIGHT

KEY = "ck_live_ASYNC_SECRET_987654321"
FLEET = [(101, "ws://127.0.0.1:9001/agent"), (102, "ws://127.0.0.1:9002/agent")]


@pytest.fixture
async def client(server: FaultServer, fake_time: FakeTime) -> AsyncIterator[AsyncCekuraClient]:
    async with AsyncCekuraClient(KEY, base_url=server.url)._set_time(
        clock=fake_time, sleep=fake_time.async_sleep
    ) as instance:
        yield instance


async def test_run_and_wait(server: FaultServer, client: AsyncCekuraClient, fake_time: FakeTime) -> None:
    server.queue("POST", RUN_PATH, Reply(201, created(31, runs=2)))
    server.queue(
        "GET",
        result_path(31),
        Reply(200, result(31, "in_queue")),
        Reply(503, {}),
        Reply(200, result(31, "running", done="1", success="1")),
    )
    server.default("GET", result_path(31), Reply(200, result(31, "completed", done="2", success="2")))
    seen: list[str] = []
    final = await client.run_and_wait(FLEET, frequency=1, on_progress=lambda r: seen.append(r.status))
    assert final.passed and final.id == 31
    assert seen == ["in_queue", "running", "completed"]
    (post,) = server.received("POST", RUN_PATH)
    assert post.headers["X-CEKURA-API-KEY"] == KEY
    assert post.json()["frequency"] == 1
    assert len(fake_time.sleeps) == 3


async def test_validation_happens_before_sending(server: FaultServer, client: AsyncCekuraClient) -> None:
    with pytest.raises(ValidationError):
        await client.run_scenarios([(101, "ws://a#b")], frequency=1)
    assert server.requests == []


@pytest.mark.parametrize(
    "reply", [Reply(500, {}), Reply(drop=True), Reply(520, body=b"")], ids=["500", "drop", "520"]
)
async def test_a_post_that_may_have_landed_is_never_resent(
    server: FaultServer, client: AsyncCekuraClient, reply: Reply
) -> None:
    server.queue("POST", RUN_PATH, reply)
    server.default("POST", RUN_PATH, Reply(201, created()))
    with pytest.raises(SubmissionUncertainError):
        await client.run_scenarios(FLEET, frequency=1)
    assert len(server.received("POST", RUN_PATH)) == 1


async def test_a_throttled_post_is_retried(
    server: FaultServer, client: AsyncCekuraClient, fake_time: FakeTime
) -> None:
    server.queue("POST", RUN_PATH, Reply(429, {}, headers={"Retry-After": "2"}), Reply(201, created(8)))
    assert (await client.run_scenarios(FLEET, frequency=1)).result_id == 8
    assert fake_time.sleeps == [2.0]


async def test_errors_map_as_in_the_sync_client(server: FaultServer, client: AsyncCekuraClient) -> None:
    server.queue("POST", RUN_PATH, Reply(400, {"agent": ["This field is required."]}))
    with pytest.raises(BadRequestError) as caught:
        await client.run_scenarios(FLEET, frequency=1)
    assert caught.value.field_errors == {"agent": ["This field is required."]}
    server.queue("GET", result_path(3), Reply(404, {"detail": "Not found."}))
    with pytest.raises(NotFoundError):
        await client.get_result(3)
    server.default("GET", result_path(4), Reply(520, body=b"cdn"))
    with pytest.raises(ServerError):
        await client.get_result(4)
    assert len(server.received("GET", result_path(4))) == 3


async def test_wait_times_out_at_the_deadline(
    server: FaultServer, client: AsyncCekuraClient, fake_time: FakeTime
) -> None:
    server.default("GET", result_path(6), Reply(200, result(6, "evaluating")))
    with pytest.raises(PollTimeoutError) as caught:
        await client.wait_for_result(6, timeout=45)
    assert fake_time.now == pytest.approx(45.0)
    assert caught.value.result is not None and caught.value.result.status == "evaluating"


async def test_a_poll_the_server_holds_is_cut_at_the_deadline(
    server: FaultServer, client: AsyncCekuraClient, fake_time: FakeTime
) -> None:
    release = threading.Event()
    server.queue(
        "GET",
        result_path(6),
        Reply(200, result(6, "running")),
        Reply(200, result(6, "running"), hold=release),
    )
    server.default("GET", result_path(6), Reply(200, result(6, "completed")))
    try:
        with pytest.raises(PollTimeoutError) as caught:
            await client.wait_for_result(6, timeout=3)
    finally:
        release.set()
    assert caught.value.result is not None and caught.value.result.status == "running"
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert "timeout, limit 1 s" in str(caught.value.__cause__)  # read or total: both end it at 1 s
    assert len(server.received("GET", result_path(6))) == 2


async def test_a_refused_connection_is_a_connection_error(fake_time: FakeTime) -> None:
    async with AsyncCekuraClient(KEY, base_url=f"http://127.0.0.1:{free_port()}")._set_time(
        sleep=fake_time.async_sleep
    ) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.run_scenarios(FLEET, frequency=1)
    assert not isinstance(caught.value, SubmissionUncertainError)
    assert len(fake_time.sleeps) == 2


async def test_the_key_never_leaks(
    server: FaultServer, client: AsyncCekuraClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.queue("POST", RUN_PATH, Reply(500, {"echo": KEY}))
    server.default("GET", result_path(2), Reply(401, {"detail": f"invalid key {KEY}"}))
    errors: list[CekuraError] = []
    with caplog.at_level(logging.DEBUG):
        for call in (lambda: client.run_scenarios(FLEET, frequency=1), lambda: client.get_result(2)):
            with pytest.raises(CekuraError) as caught:
                await call()
            errors.append(caught.value)
    texts = [repr(client)] + [record.getMessage() for record in caplog.records]
    for error in errors:
        texts += [str(error), repr(error), str(getattr(error, "body", ""))]
        if error.__cause__ is not None:
            texts += [str(error.__cause__), str(getattr(error.__cause__, "body", ""))]
    assert caplog.records
    assert [text for text in texts if KEY in text] == []


def test_the_async_client_takes_the_same_arguments_as_the_sync_one() -> None:
    import inspect

    from cekura_wrapper import CekuraClient

    def public(cls: type) -> dict[str, inspect.Signature]:
        return {
            name: inspect.signature(member)
            for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_")
        }

    def without_private(signature: inspect.Signature) -> list[tuple[str, object, object]]:
        return [
            (p.name, p.kind, p.default) for p in signature.parameters.values() if not p.name.startswith("_")
        ]

    assert without_private(inspect.signature(AsyncCekuraClient.__init__)) == without_private(
        inspect.signature(CekuraClient.__init__)
    )
    sync_methods, async_methods = public(CekuraClient), public(AsyncCekuraClient)
    assert sync_methods.keys() == async_methods.keys()
    for name, signature in sync_methods.items():
        assert without_private(signature) == without_private(async_methods[name]), name


async def test_a_closed_async_client_says_so(server: FaultServer) -> None:
    server.default("GET", result_path(1), Reply(200, result(1)))
    async with AsyncCekuraClient(KEY, base_url=server.url) as client:
        await client.get_result(1)
    with pytest.raises(CekuraError, match="client is closed"):
        await client.get_result(1)


async def test_concurrent_waits_share_a_capped_pool(server: FaultServer, client: AsyncCekuraClient) -> None:
    """Fanning out keeps MAX_IN_FLIGHT requests open on as many kept-alive connections, no more."""
    waits = 2 * MAX_IN_FLIGHT
    for burst in range(2):
        first_turns = threading.Barrier(MAX_IN_FLIGHT + 1)  # trips only with exactly 20 held + us
        held = [Reply(200, result(5), hold=first_turns)] * MAX_IN_FLIGHT
        server.queue("GET", result_path(5), *held, *[Reply(200, result(5))] * MAX_IN_FLIGHT)
        polls = asyncio.gather(*(client.get_result(5) for _ in range(waits)))
        await asyncio.to_thread(first_turns.wait, 10)  # 20 requests are open at once, the rest wait
        assert [r.id for r in await polls] == [5] * waits, burst
    assert server.connections == MAX_IN_FLIGHT  # the pool was reused, never grown past its cap


async def test_a_request_waiting_for_its_turn_still_ends_at_its_own_deadline(server: FaultServer) -> None:
    """A server holding every slot cannot keep a queued request past its time limit."""
    release = threading.Event()
    server.queue("GET", result_path(5), *[Reply(200, result(5), hold=release)] * MAX_IN_FLIGHT)
    server.default("GET", result_path(6), Reply(200, result(6)))
    async with AsyncCekuraClient(KEY, base_url=server.url, max_retries=0) as client:
        holders = asyncio.gather(*(client.get_result(5) for _ in range(MAX_IN_FLIGHT)))
        async with asyncio.timeout(10):  # until the server holds every slot
            while len(server.received("GET", result_path(5))) < MAX_IN_FLIGHT:
                await asyncio.sleep(0.01)
        with pytest.raises(PollTimeoutError) as caught:  # its poll gets 1 s, all spent waiting
            await client.wait_for_result(6, timeout=0.3)
        assert isinstance(caught.value.__cause__, APITimeoutError)
        assert server.received("GET", result_path(6)) == []  # it never got a turn
        release.set()
        assert [r.id for r in await holders] == [5] * MAX_IN_FLIGHT


async def test_an_async_progress_callback_is_awaited_after_each_poll(
    server: FaultServer, client: AsyncCekuraClient
) -> None:
    server.queue("GET", result_path(8), Reply(200, result(8, "running")), Reply(200, result(8, "evaluating")))
    server.default("GET", result_path(8), Reply(200, result(8, "completed", done="2", success="2")))
    seen: list[str] = []

    async def record(progress: Result) -> None:
        await asyncio.sleep(0)  # a real coroutine: it only records once awaited
        seen.append(progress.status)

    final = await client.wait_for_result(8, on_progress=record)
    assert final.status == "completed"
    assert seen == ["running", "evaluating", "completed"]


async def test_an_async_callable_object_or_partial_is_awaited_too(
    server: FaultServer, client: AsyncCekuraClient
) -> None:
    server.default("GET", result_path(8), Reply(200, result(8, "completed", done="2", success="2")))
    seen: list[str] = []

    async def record(tag: str, progress: Result) -> None:
        await asyncio.sleep(0)
        seen.append(f"{tag}:{progress.status}")

    class Recorder:
        async def __call__(self, progress: Result) -> None:
            await record("object", progress)

    await client.wait_for_result(8, on_progress=functools.partial(record, "partial"))
    await client.wait_for_result(8, on_progress=Recorder())
    assert seen == ["partial:completed", "object:completed"]
