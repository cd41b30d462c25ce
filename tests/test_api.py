"""What the wrapper takes from the generated client (``_api``): requests, names and HTTP clients.

``run_request`` and ``result_request`` wrap the generated modules' private ``_get_kwargs``; these
tests pin what they return, so a regenerated client that changes it fails here first.
"""

from __future__ import annotations

import importlib.util

import httpx
import pytest

from cekura_wrapper import AsyncCekuraClient, CekuraClient, ValidationError, plan_run
from cekura_wrapper._api import (
    API_KEY_HEADER,
    CONNECTION_LIMITS,
    MAX_IN_FLIGHT,
    MAX_IN_FLIGHT_HTTP2,
    authorized,
    new_async_http_client,
    new_http_client,
    request_name,
    result_request,
    run_request,
)

RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"


def test_the_run_request_carries_the_plan_as_its_json_body() -> None:
    plan = plan_run([(101, "wss://agent.example.com/chat?token=t")], frequency=2, agent=7)
    request = run_request(plan)
    assert (request["method"].upper(), request["url"]) == ("POST", RUN_PATH)
    assert request["json"] == plan.body
    assert request_name(request) == f"POST {RUN_PATH}"


def test_the_result_request_names_the_result() -> None:
    request = result_request(42)
    assert (request["method"].upper(), request["url"]) == ("GET", "/test_framework/v1/results/42/")
    assert request_name(request) == "GET /test_framework/v1/results/42/"


def test_an_authorized_request_works_with_any_httpx_client() -> None:
    request = authorized(result_request(1), base_url="https://cekura.test", api_key="k3y", timeout=4)
    assert request["url"] == "https://cekura.test/test_framework/v1/results/1/"
    assert request["headers"] == {API_KEY_HEADER: "k3y"}
    assert request["timeout"] == httpx.Timeout(4)
    # The generated request is not changed in place (it is built anew for each send).
    plan = plan_run([(1, "ws://a")], frequency=1)
    original = run_request(plan)
    sent = authorized(original, base_url="https://cekura.test", api_key="k3y", timeout=4)
    assert sent["headers"] == {"Content-Type": "application/json", API_KEY_HEADER: "k3y"}
    assert API_KEY_HEADER not in original["headers"]


async def test_the_default_http_clients_hold_no_key_and_keep_the_whole_pool() -> None:
    with new_http_client(base_url="https://cekura.test", timeout=5) as sync_client:
        assert API_KEY_HEADER.lower() not in {name.lower() for name in sync_client.headers}
        assert sync_client.timeout == httpx.Timeout(5)
    async with new_async_http_client(base_url="https://cekura.test", timeout=5) as async_client:
        assert async_client.timeout == httpx.Timeout(5)
    assert CONNECTION_LIMITS.max_keepalive_connections == CONNECTION_LIMITS.max_connections == MAX_IN_FLIGHT


async def test_http2_allows_more_requests_in_flight_as_streams() -> None:
    async with (
        AsyncCekuraClient("k", base_url="https://cekura.test", http2=True) as h2,
        AsyncCekuraClient("k", base_url="https://cekura.test") as h1,
    ):
        assert h2._sender._turns()._value == MAX_IN_FLIGHT_HTTP2
        assert h1._sender._turns()._value == MAX_IN_FLIGHT


def test_http2_is_offered_only_when_asked_for_and_needs_h2(monkeypatch: pytest.MonkeyPatch) -> None:
    with CekuraClient("k", base_url="https://cekura.test", http2=True) as client:
        assert client._sender._client()._transport._pool._http2  # type: ignore[attr-defined]
    with CekuraClient("k", base_url="https://cekura.test") as client:
        assert not client._sender._client()._transport._pool._http2  # type: ignore[attr-defined]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "h2" else object())
    with pytest.raises(ValidationError, match=r"pip install 'cekura-ws\[h2\]'"):
        AsyncCekuraClient("k", http2=True)
    with pytest.raises(ValidationError, match="http2 must be True or False, got 'yes'"):
        CekuraClient("k", http2="yes")  # type: ignore[arg-type]
