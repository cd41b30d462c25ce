"""CekuraClient against a real HTTP server on 127.0.0.1 that injects faults."""

from __future__ import annotations

import functools
import gc
import logging
import threading
import warnings
from collections.abc import Callable, Iterator

import pytest
from fakes import FakeTime
from fault_server import RUN_PATH, FaultServer, Reply, created, free_port, result, result_path

from cekura_wrapper import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CekuraClient,
    CekuraError,
    NotFoundError,
    PermissionDeniedError,
    PollTimeoutError,
    RateLimitError,
    ServerError,
    SubmissionUncertainError,
    ValidationError,
)
from cekura_wrapper._results import _warned_statuses

KEY = "ck_live_TOPSECRET_0123456789"
FLEET = [(101, "ws://127.0.0.1:9001/agent"), (101, "ws://127.0.0.1:9002/agent")]


@pytest.fixture
def client(server: FaultServer, fake_time: FakeTime) -> Iterator[CekuraClient]:
    with CekuraClient(KEY, base_url=server.url)._set_time(clock=fake_time, sleep=fake_time.sleep) as instance:
        yield instance


# --- submitting -------------------------------------------------------------------------------


def test_run_scenarios_sends_the_planned_body_with_the_key_header(
    server: FaultServer, client: CekuraClient
) -> None:
    server.queue("POST", RUN_PATH, Reply(201, created(4242, runs=4)))
    submission = client.run_scenarios(FLEET, frequency=2, agent=7)
    assert (submission.result_id, submission.status, submission.run_count) == (4242, "running", 4)
    assert submission.runs[0].scenario_name == "Refund"
    (request,) = server.received("POST", RUN_PATH)
    assert request.headers["X-CEKURA-API-KEY"] == KEY
    assert request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in request.headers
    assert request.json() == {
        "scenarios": [{"scenario": 101, "websocket_url": url} for _, url in FLEET],
        "frequency": 2,
        "agent": 7,
    }


def test_bad_input_is_refused_before_anything_is_sent(server: FaultServer, client: CekuraClient) -> None:
    with pytest.raises(ValidationError) as caught:
        client.run_scenarios([(101, "http://agent"), (0, "ws://agent")], frequency=0)
    assert len(caught.value.errors) == 3
    with pytest.raises(ValidationError, match="result_id"):
        client.get_result(0)
    assert server.requests == []


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(500, {"detail": "Internal Server Error"}), "Cekura answered 500"),
        (Reply(502, body=b"<html>bad gateway</html>"), "Cekura answered 502"),
        (Reply(503, {}, headers={"Retry-After": "1"}), "Cekura answered 503"),
        (Reply(520, body=b"origin error"), "Cekura answered 520"),
        (Reply(drop=True), "connection dropped"),
        (Reply(201, {"status": "running"}), "no result id"),
        (Reply(201, body=b"<html>"), "could not be read"),
    ],
    ids=[
        "500-after-create",
        "502",
        "503-with-retry-after",
        "520",
        "dropped",
        "201-without-id",
        "201-not-json",
    ],
)
def test_a_post_that_may_have_landed_is_never_resent(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime, reply: Reply, reason: str
) -> None:
    server.queue("POST", RUN_PATH, reply)
    server.default("POST", RUN_PATH, Reply(201, created()))  # a resend would succeed: it must not happen
    with pytest.raises(SubmissionUncertainError) as caught:
        client.run_scenarios(FLEET, frequency=1)
    assert len(server.received("POST", RUN_PATH)) == 1
    assert reason in str(caught.value)
    assert fake_time.sleeps == []


def test_a_post_that_timed_out_reading_the_answer_is_never_resent(server: FaultServer) -> None:
    release = threading.Event()
    server.queue("POST", RUN_PATH, Reply(201, created(), hold=release))
    try:
        client = CekuraClient(KEY, base_url=server.url, timeout=0.2)
        with client, pytest.raises(SubmissionUncertainError, match=r"(read|total) timeout") as caught:
            client.run_scenarios(FLEET, frequency=1)
    finally:
        release.set()
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert len(server.received("POST", RUN_PATH)) == 1


def test_a_throttled_post_is_retried_after_the_servers_delay(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime
) -> None:
    server.queue(
        "POST",
        RUN_PATH,
        Reply(429, {"detail": "Request was throttled."}, headers={"Retry-After": "3"}),
        Reply(201, created(77)),
    )
    assert client.run_scenarios(FLEET, frequency=1).result_id == 77
    assert len(server.received("POST", RUN_PATH)) == 2
    assert fake_time.sleeps == [3.0]


def test_throttling_that_outlasts_the_retries_raises_rate_limit_error(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime
) -> None:
    server.default("POST", RUN_PATH, Reply(429, {}, headers={"Retry-After": "Sun, 29 Nov 2020 04:00:00 GMT"}))
    with pytest.raises(RateLimitError) as caught:
        client.run_scenarios(FLEET, frequency=1)
    assert caught.value.retry_after == 0.0
    assert len(server.received("POST", RUN_PATH)) == 3  # max_retries=2
    assert fake_time.sleeps == [0.0, 0.0]


def test_a_refused_connection_is_retried_with_backoff_then_raised(fake_time: FakeTime) -> None:
    port = free_port()
    client = CekuraClient(
        KEY, base_url=f"http://127.0.0.1:{port}", max_retries=3, retry_backoff=0.5
    )._set_time(sleep=fake_time.sleep)
    with client, pytest.raises(APIConnectionError) as caught:
        client.run_scenarios(FLEET, frequency=1)
    assert not isinstance(caught.value, SubmissionUncertainError)
    assert len(fake_time.sleeps) == 3
    # Full jitter: each wait lies in [0, backoff * 2**attempt].
    assert all(0 <= delay <= 0.5 * 2**attempt for attempt, delay in enumerate(fake_time.sleeps))
    assert f"127.0.0.1:{port}" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "field_errors"),
    [
        (
            {"frequency": ["Ensure this value is less than or equal to 100."]},
            {"frequency": ["Ensure this value is less than or equal to 100."]},
        ),
        (
            ["Agent does not have a websocket URL"],
            {"non_field_errors": ["Agent does not have a websocket URL"]},
        ),
        ({"detail": "Agent is required."}, {"non_field_errors": ["Agent is required."]}),
    ],
)
def test_a_400_explains_each_field(
    server: FaultServer, client: CekuraClient, body: object, field_errors: dict[str, list[str]]
) -> None:
    server.queue("POST", RUN_PATH, Reply(400, body))
    with pytest.raises(BadRequestError) as caught:
        client.run_scenarios(FLEET, frequency=1)
    assert caught.value.field_errors == field_errors
    assert next(iter(field_errors.values()))[0] in str(caught.value)
    assert len(server.received("POST", RUN_PATH)) == 1


# --- reading results --------------------------------------------------------------------------


def test_get_result_reads_counts_sent_as_strings_and_keeps_extra_fields(
    server: FaultServer, client: CekuraClient
) -> None:
    payload = result(7, "completed", total="3", done="3", success="2", success_rate=66.67, brand_new={"a": 1})
    server.queue("GET", result_path(7), Reply(200, payload))
    got = client.get_result(7)
    assert (got.id, got.status, got.total_runs, got.completed_runs, got.success_runs, got.failed_runs) == (
        7,
        "completed",
        3,
        3,
        2,
        1,
    )
    assert got.is_terminal and not got.passed
    assert got.success_rate == 66.67
    assert got.raw["brand_new"] == {"a": 1}
    assert got.runs[0].id == 9000


def test_transient_get_failures_are_retried(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime
) -> None:
    server.queue(
        "GET",
        result_path(7),
        Reply(503, {"detail": "busy"}),
        Reply(drop=True),
        Reply(200, result(7, "running")),
    )
    assert client.get_result(7).status == "running"
    assert len(server.received("GET", result_path(7))) == 3
    assert len(fake_time.sleeps) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504, 520, 408])
def test_a_burst_longer_than_the_retries_raises(
    server: FaultServer, client: CekuraClient, status: int
) -> None:
    server.default("GET", result_path(7), Reply(status, {"detail": "down"}))
    with pytest.raises(APIError) as caught:
        client.get_result(7)
    assert caught.value.status_code == status
    assert isinstance(caught.value, ServerError) == (status >= 500)
    assert len(server.received("GET", result_path(7))) == 3


@pytest.mark.parametrize(
    ("status", "cls"),
    [(401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError), (501, ServerError)],
)
def test_final_errors_are_not_retried(
    server: FaultServer, client: CekuraClient, status: int, cls: type[APIError]
) -> None:
    server.default("GET", result_path(7), Reply(status, {"detail": "no"}))
    with pytest.raises(cls):
        client.get_result(7)
    assert len(server.received("GET", result_path(7))) == 1


def test_a_200_that_is_not_json_is_an_api_error(server: FaultServer, client: CekuraClient) -> None:
    server.queue("GET", result_path(7), Reply(200, body=b"<html>maintenance</html>"))
    with pytest.raises(APIError, match="not JSON"):
        client.get_result(7)


# --- waiting ----------------------------------------------------------------------------------


def test_wait_for_result_polls_through_every_live_status_and_unknown_ones(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    _warned_statuses.discard("paused_by_ops")
    statuses = [
        "pending",
        "in_queue",
        "scaling_up",
        "paused_by_ops",
        "paused_by_ops",
        "running",
        "evaluating",
    ]
    server.queue("GET", result_path(7), *(Reply(200, result(7, status)) for status in statuses))
    server.queue("GET", result_path(7), Reply(503, {}), Reply(drop=True))  # missed polls
    server.default("GET", result_path(7), Reply(200, result(7, "Completed", done="2", success="2")))
    seen: list[str] = []
    with caplog.at_level(logging.WARNING, logger="cekura_wrapper"):
        final = client.wait_for_result(7, on_progress=lambda r: seen.append(r.status))
    assert final.status == "completed" and final.passed
    assert seen == [*statuses, "completed"]
    assert [r.getMessage().count("paused_by_ops") for r in caplog.records] == [1]
    assert len(server.received("GET", result_path(7))) == len(statuses) + 3


@pytest.mark.parametrize("status", ["failed", "timeout", "cancelled"])
def test_every_terminal_status_ends_the_wait(server: FaultServer, client: CekuraClient, status: str) -> None:
    server.default("GET", result_path(7), Reply(200, result(7, status)))
    assert client.wait_for_result(7).status == status


def test_wait_for_result_gives_up_at_the_deadline(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime
) -> None:
    server.default("GET", result_path(7), Reply(200, result(7, "running")))
    with pytest.raises(PollTimeoutError) as caught:
        client.wait_for_result(7, timeout=120)
    assert fake_time.now == pytest.approx(120.0)
    assert caught.value.result is not None and caught.value.result.status == "running"
    assert max(fake_time.sleeps) <= 15.0


def test_a_poll_the_server_holds_is_cut_at_the_deadline_not_after_a_whole_http_timeout(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime
) -> None:
    release = threading.Event()
    server.queue(
        "GET",
        result_path(7),
        Reply(200, result(7, "running")),
        Reply(200, result(7, "running"), hold=release),  # the poll made at the deadline hangs
    )
    server.default("GET", result_path(7), Reply(200, result(7, "completed")))  # must not be reached
    try:
        with pytest.raises(PollTimeoutError) as caught:
            client.wait_for_result(7, timeout=3)  # the client's HTTP timeout is 30 s
    finally:
        release.set()
    assert fake_time.sleeps == [3.0]
    assert caught.value.result is not None and caught.value.result.status == "running"
    cause = caught.value.__cause__
    assert isinstance(cause, APITimeoutError)
    assert "timeout, limit 1 s" in str(cause)  # the floor, not the client's 30 s
    assert len(server.received("GET", result_path(7))) == 2


def test_a_wait_that_only_fails_times_out_with_the_cause(
    server: FaultServer, client: CekuraClient, fake_time: FakeTime
) -> None:
    server.default("GET", result_path(7), Reply(502, {}))
    with pytest.raises(PollTimeoutError) as caught:
        client.wait_for_result(7, timeout=30, poll_interval=2, max_poll_interval=4)
    assert caught.value.result is None
    assert isinstance(caught.value.__cause__, ServerError)
    assert all(2 <= delay <= 4 for delay in fake_time.sleeps[:-1])


async def _record_async(progress: object, seen: list[object] | None = None) -> None:
    if seen is not None:
        seen.append(progress)


class _AsyncProgress:
    async def __call__(self, progress: object) -> None:
        pass


@pytest.mark.parametrize(
    "on_progress",
    [_record_async, functools.partial(_record_async, seen=[]), _AsyncProgress()],
    ids=["async-def", "partial-of-async-def", "async-__call__"],
)
def test_an_async_progress_callback_is_refused_before_anything_is_sent(
    server: FaultServer, client: CekuraClient, on_progress: Callable[[object], object]
) -> None:
    server.default("GET", result_path(7), Reply(200, result(7, "completed", done="2", success="2")))
    server.default("POST", RUN_PATH, Reply(201, created(7)))
    with pytest.raises(ValidationError, match="use AsyncCekuraClient"):
        client.wait_for_result(7, on_progress=on_progress)
    with pytest.raises(ValidationError, match="use AsyncCekuraClient"):
        client.run_and_wait(FLEET, frequency=1, on_progress=on_progress)
    assert server.requests == []


def test_a_progress_callback_must_be_callable(server: FaultServer, client: CekuraClient) -> None:
    with pytest.raises(ValidationError, match=r"on_progress must be a function.*'print' \(text\)"):
        client.run_and_wait(FLEET, frequency=1, on_progress="print")  # type: ignore[arg-type]
    assert server.requests == []


def test_a_progress_callback_that_returns_a_coroutine_fails_loudly(
    server: FaultServer, client: CekuraClient
) -> None:
    server.default("GET", result_path(7), Reply(200, result(7, "running")))
    with warnings.catch_warnings(record=True) as caught_warnings:
        warnings.simplefilter("always")
        with pytest.raises(CekuraError, match="returned a coroutine") as caught:
            client.wait_for_result(7, on_progress=lambda progress: _record_async(progress))
        gc.collect()
    assert "result 7 keeps running" in str(caught.value)
    assert [w for w in caught_warnings if "never awaited" in str(w.message)] == []
    assert len(server.received("GET", result_path(7))) == 1


def test_run_and_wait(server: FaultServer, client: CekuraClient) -> None:
    server.queue("POST", RUN_PATH, Reply(201, created(9)))
    server.queue("GET", result_path(9), Reply(200, result(9, "running", done="1", success="1")))
    server.default("GET", result_path(9), Reply(200, result(9, "completed", done="2", success="1")))
    final = client.run_and_wait(FLEET, frequency=1, timeout=600)
    assert final.id == 9 and final.status == "completed" and not final.passed
    assert len(server.received("POST", RUN_PATH)) == 1


# --- configuration ----------------------------------------------------------------------------


def test_environment_provides_key_and_base_url(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CEKURA_API_KEY", KEY)
    monkeypatch.setenv("CEKURA_BASE_URL", server.url + "/")
    server.queue("GET", result_path(1), Reply(200, result(1)))
    with CekuraClient() as client:
        assert client.base_url == server.url
        client.get_result(1)
    assert server.requests[0].headers["X-CEKURA-API-KEY"] == KEY


def test_default_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CEKURA_BASE_URL", raising=False)
    assert CekuraClient(KEY).base_url == "https://api.cekura.ai"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("CEKURA_API_KEY", raising=False)
    else:
        monkeypatch.setenv("CEKURA_API_KEY", value)
    with pytest.raises(CekuraError, match="CEKURA_API_KEY"):
        CekuraClient()


@pytest.mark.parametrize(
    "base_url",
    ["http://api.cekura.ai", "http://10.0.0.5:8000", "ftp://x", "https://", "https://u:p@h", "https://h?x=1"],
)
def test_unsafe_or_malformed_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CekuraClient(KEY, base_url=base_url)
    assert KEY not in str(caught.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://u:s3cret@[::1",
        "https://u:s3cret@h:99999",
        "ftp://u:s3cret@h",
        "https://u:s3cret@h?x=1",
        "http://u:s3cret@api.cekura.ai",
        "https://u:s3/cret@h",
        b"https://u:s3cret@h",
        ["https://u:s3cret@h"],
    ],
)
def test_a_password_in_the_base_url_is_never_echoed(base_url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        CekuraClient(KEY, base_url=base_url)
    assert "s3cret" not in str(caught.value) and "cret@" not in str(caught.value)


@pytest.mark.parametrize(
    "base_url", ["http://localhost:8000", "http://127.0.0.1", "http://[::1]:1", "https://cekura.example"]
)
def test_https_and_loopback_http_are_accepted(base_url: str) -> None:
    assert CekuraClient(KEY, base_url=base_url).base_url == base_url


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": 0},
        {"max_retries": -1},
        {"max_retries": 1.5},
        {"retry_backoff": -0.1},
        {"poll_interval": 0},
        {"poll_interval": 20, "max_poll_interval": 10},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        CekuraClient(KEY, base_url="https://h", **kwargs)  # type: ignore[arg-type]


def test_a_key_with_whitespace_inside_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as caught:
        CekuraClient("ck_live abc\n", base_url="https://h")
    assert "ck_live" not in str(caught.value)


# --- the key never leaks ----------------------------------------------------------------------


def test_the_key_never_reaches_a_repr_a_log_record_or_an_error(
    server: FaultServer, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {"detail": f"bad key {KEY}", "header": KEY}  # a server that echoes the key back
    server.queue(
        "POST",
        RUN_PATH,
        Reply(400, echo),
        Reply(429, echo),
        Reply(429, echo),
        Reply(429, echo),
        Reply(500, echo),
    )
    for status in (401, 403, 404, 503, 503, 503):
        server.queue("GET", result_path(5), Reply(status, echo))
    server.queue("GET", result_path(5), Reply(200, result(5, "running")), Reply(200, result(5, "running")))
    server.default("GET", result_path(5), Reply(200, body=f"<html>{KEY}</html>".encode()))
    errors: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):  # every logger, every level: ours, httpx, httpcore
        client = CekuraClient(KEY, base_url=server.url)._set_time(clock=fake_time, sleep=fake_time.sleep)
        with client:
            attempts: tuple[Callable[[], object], ...] = (
                lambda: client.run_scenarios(FLEET, frequency=1),
                lambda: client.run_scenarios(FLEET, frequency=1),
                lambda: client.run_scenarios(FLEET, frequency=1),
                *(lambda: client.get_result(5) for _ in range(4)),
                lambda: client.wait_for_result(5, timeout=5),
                lambda: client.get_result(5),
            )
            for attempt in attempts:
                with pytest.raises(CekuraError) as caught:
                    attempt()
                errors.append(caught.value)
        with CekuraClient(KEY, base_url=f"http://127.0.0.1:{free_port()}", max_retries=0) as refused:
            with pytest.raises(CekuraError) as caught:
                refused.get_result(5)
            errors.append(caught.value)
        texts = [repr(client), str(client)]
    kinds = {type(error).__name__ for error in errors}
    assert kinds >= {
        "BadRequestError",
        "RateLimitError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ServerError",
        "PollTimeoutError",
        "UnreadableResponseError",  # the HTML page answered with 200
        "APIConnectionError",
    }
    for error in errors:
        chain: BaseException | None = error
        while chain is not None:
            texts += [str(chain), repr(chain), repr(chain.args), str(getattr(chain, "body", ""))]
            texts += [str(getattr(chain, "field_errors", ""))]
            chain = chain.__cause__
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    assert caplog.records, "the test must see log records to mean anything"
    leaks = [text for text in texts if KEY in text]
    assert leaks == []
    assert any("[redacted]" in text for text in texts)


def test_a_closed_client_says_so(server: FaultServer) -> None:
    server.default("GET", result_path(1), Reply(200, result(1)))
    with CekuraClient(KEY, base_url=server.url) as client:
        client.get_result(1)
    with pytest.raises(CekuraError, match="client is closed"):
        client.get_result(1)
    client.close()  # closing twice is harmless
