"""What the wrapper takes from the generated client (``_api``): requests, names and HTTP clients.

``run_request`` and ``result_request`` wrap the generated modules' private ``_get_kwargs``; these
tests pin what they return, so a regenerated client that changes it fails here first.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import ssl
import threading
from typing import Any

import httpx
import pytest

from cekura_wrapper import APIConnectionError, AsyncCekuraClient, CekuraClient, ValidationError, plan_run
from cekura_wrapper._api import (
    API_KEY_HEADER,
    CONNECTION_LIMITS,
    MAX_IN_FLIGHT,
    MAX_IN_FLIGHT_HTTP2,
    authorized,
    max_in_flight,
    new_async_http_client,
    new_http_client,
    request_name,
    result_request,
    run_request,
)
from cekura_wrapper.testing import CekuraEmulator

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


def test_http2_allows_more_requests_in_flight_as_streams() -> None:
    # HTTP/1.1's cap is shown on a real server in test_async_client (the pool never grows past it).
    assert max_in_flight(http2=False) == MAX_IN_FLIGHT
    assert max_in_flight(http2=True) == MAX_IN_FLIGHT_HTTP2 > MAX_IN_FLIGHT


def offered_protocols(http2: bool) -> bytes:
    """The TLS ClientHello a client sends to a loopback listener (which then hangs up)."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(30)  # only a hang
        port = listener.getsockname()[1]
        hello: list[bytes] = []

        def accept() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.settimeout(30)
                hello.append(connection.recv(65536))

        server = threading.Thread(target=accept, daemon=True)
        server.start()
        with (
            CekuraClient("k", base_url=f"https://127.0.0.1:{port}", http2=http2, max_retries=0) as client,
            pytest.raises(APIConnectionError),
        ):
            client.get_result(1)
        server.join(30)
    return hello[0]


def test_http2_is_offered_only_when_asked_for_and_needs_h2(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a server sees: the protocol list offered in the TLS handshake (ALPN: the list's length,
    # then each name length-prefixed), so the whole list is pinned.
    assert b"\x00\x0c\x08http/1.1\x02h2" in offered_protocols(http2=True)
    assert b"\x00\x09\x08http/1.1" in offered_protocols(http2=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "h2" else object())
    with pytest.raises(ValidationError, match=r"pip install 'cekura-ws\[h2\]'"):
        AsyncCekuraClient("k", http2=True)
    with pytest.raises(ValidationError, match="http2 must be True or False, got 'yes'"):
        CekuraClient("k", http2="yes")  # type: ignore[arg-type]


def test_clients_load_the_ca_bundle_once_per_process_not_once_each(
    monkeypatch: pytest.MonkeyPatch, emulator: CekuraEmulator
) -> None:
    """httpx makes (and fills with the whole CA bundle) a TLS context per client unless given one:
    tens of ms of CPU per client. The wrapper's clients share one per kind (HTTP/1.1 or HTTP/2)."""
    made: list[dict[str, Any]] = []
    real = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)

    async def async_clients() -> None:
        for _ in range(5):
            async with AsyncCekuraClient(emulator.api_key, base_url=emulator.base_url) as client:
                async for _result in client.list_results():
                    break

    for _ in range(5):
        with CekuraClient(emulator.api_key, base_url=emulator.base_url) as client:
            next(iter(client.list_results()), None)
    asyncio.run(async_clients())
    # At most the first client of the process made one (an earlier test may already have).
    assert len(made) <= 1
