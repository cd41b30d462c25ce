"""The retry decisions for failures a loopback server cannot stage (respx-mocked transport)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

from cekura_wrapper import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncCekuraClient,
    CekuraClient,
    RateLimitError,
    SubmissionUncertainError,
    ValidationError,
)

BASE = "https://cekura.test"
RUN = f"{BASE}/test_framework/v1/scenarios/run_scenarios_with_websockets/"
RESULT = f"{BASE}/test_framework/v1/results/1/"
CREATED = {"id": 1, "status": "running", "runs": []}


@pytest.fixture
def client() -> Iterator[CekuraClient]:
    sleeps: list[float] = []
    with CekuraClient("key", base_url=BASE)._set_time(sleep=sleeps.append) as instance:
        yield instance


@pytest.mark.parametrize(
    "exc", [httpx.ConnectTimeout("connect"), httpx.ConnectError("refused"), httpx.PoolTimeout("pool")]
)
@respx.mock
def test_a_post_that_never_left_is_retried(client: CekuraClient, exc: Exception) -> None:
    route = respx.post(RUN).mock(side_effect=[exc, httpx.Response(201, json=CREATED)])
    assert client.run_scenarios([(1, "ws://a.example")], frequency=1).result_id == 1
    assert route.call_count == 2


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (httpx.ReadTimeout("read"), "read timeout"),
        (httpx.WriteTimeout("write"), "write timeout"),
        (httpx.ReadError("reset"), "connection dropped"),
        (httpx.WriteError("broken pipe"), "connection dropped"),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), "connection dropped"),
    ],
)
@respx.mock
def test_a_post_that_may_have_arrived_is_not_retried(
    client: CekuraClient, exc: Exception, reason: str
) -> None:
    route = respx.post(RUN).mock(side_effect=[exc, httpx.Response(201, json=CREATED)])
    with pytest.raises(SubmissionUncertainError, match=reason) as caught:
        client.run_scenarios([(1, "ws://a.example")], frequency=1, reconcile=False)
    assert isinstance(caught.value.__cause__, APIConnectionError)
    assert route.call_count == 1


@pytest.mark.parametrize(
    "exc", [httpx.ReadTimeout("read"), httpx.ConnectTimeout("connect"), httpx.RemoteProtocolError("gone")]
)
@respx.mock
def test_reads_retry_any_transport_failure(client: CekuraClient, exc: Exception) -> None:
    route = respx.get(RESULT).mock(
        side_effect=[exc, httpx.Response(200, json={"id": 1, "status": "running"})]
    )
    assert client.get_result(1).status == "running"
    assert route.call_count == 2


@respx.mock
def test_timeouts_are_api_timeout_errors(client: CekuraClient) -> None:
    respx.get(RESULT).mock(side_effect=httpx.ReadTimeout("read"))
    with pytest.raises(APITimeoutError, match="read timeout, limit 30 s"):
        client.get_result(1)


@respx.mock
def test_a_retry_after_beyond_a_minute_is_left_to_the_caller(client: CekuraClient) -> None:
    route = respx.get(RESULT).mock(return_value=httpx.Response(429, json={}, headers={"Retry-After": "3600"}))
    with pytest.raises(RateLimitError, match="wait 3600 s") as caught:
        client.get_result(1)
    assert caught.value.retry_after == 3600.0
    assert route.call_count == 1


@respx.mock
def test_the_generated_response_builder_still_chokes_on_unknown_codes() -> None:
    """Why the wrapper maps raw responses itself (upstream openapi-python-client #1442)."""
    from cekura_api.api.results import get_result
    from cekura_api.client import AuthenticatedClient

    respx.get(RESULT).mock(return_value=httpx.Response(520, text="origin down"))
    api = AuthenticatedClient(base_url=BASE, token="key")
    with pytest.raises(ValueError, match="520"):
        get_result.sync_detailed(1, client=api)


@pytest.mark.parametrize("status", [408, 409, 425])
@respx.mock
def test_a_post_is_not_retried_on_other_4xx(client: CekuraClient, status: int) -> None:
    route = respx.post(RUN).mock(return_value=httpx.Response(status, json={"detail": "no"}))
    with pytest.raises(APIError) as caught:
        client.run_scenarios([(1, "ws://a.example")], frequency=1)
    assert caught.value.status_code == status
    # Cekura's answer itself (a plain APIError naming the request), raised as is: no retry, no wrapper.
    assert type(caught.value) is APIError
    assert str(caught.value).startswith(f"POST {RUN.removeprefix(BASE)} failed with {status}")
    assert caught.value.__cause__ is None
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("exc", "phase"),
    [
        (httpx.ConnectTimeout(""), "connect timeout"),
        (httpx.PoolTimeout(""), "pool timeout"),
        (httpx.TimeoutException(""), "request timeout"),
    ],
)
@respx.mock
def test_timeout_messages_name_the_phase(exc: Exception, phase: str) -> None:
    respx.get(RESULT).mock(side_effect=exc)
    with (
        CekuraClient("key", base_url=BASE, max_retries=0) as client,
        pytest.raises(APITimeoutError, match=phase),
    ):
        client.get_result(1)


@respx.mock
def test_a_connection_error_without_text_still_reads_well() -> None:
    respx.get(RESULT).mock(side_effect=httpx.ConnectError(""))
    with (
        CekuraClient("key", base_url=BASE, max_retries=0) as client,
        pytest.raises(APIConnectionError) as caught,
    ):
        client.get_result(1)
    assert "ConnectError: no details (check the base URL and the network)" in str(caught.value)


def test_an_injected_http_client_carries_every_request_with_url_key_and_time_limit() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": 1, "status": "running"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with CekuraClient("key", base_url=BASE, timeout=7, http_client=http) as client:
        assert client.get_result(1).status == "running"
    assert [str(request.url) for request in seen] == [RESULT]
    assert seen[0].headers["X-CEKURA-API-KEY"] == "key"
    assert seen[0].extensions["timeout"] == httpx.Timeout(7).as_dict()
    assert not http.is_closed  # its owner closes it
    http.close()


async def test_an_injected_async_http_client_is_used_and_left_open() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=CREATED)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with AsyncCekuraClient("key", base_url=BASE, http_client=http) as client:
        submission = await client.run_scenarios([(1, "ws://a.example")], frequency=1)
    assert submission.result_id == 1
    assert [str(request.url) for request in seen] == [RUN]
    assert not http.is_closed
    await http.aclose()


@pytest.mark.parametrize("wrong", [httpx.AsyncClient(), "http://proxy"])
def test_the_wrong_kind_of_http_client_is_refused_before_any_request(wrong: object) -> None:
    with pytest.raises(ValidationError, match=r"http_client must be an httpx\.Client, got"):
        CekuraClient("key", base_url=BASE, http_client=wrong)  # type: ignore[arg-type]
