"""``preflight``: each agent URL opened once, as a Cekura run would, against real loopback servers."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

import cekura_wrapper
from cekura_wrapper import PreflightResult, ValidationError, preflight, preflight_async
from cekura_wrapper.testing import AgentServer
from cekura_wrapper.testing.agents import GREETING
from cekura_wrapper.testing.demo import closed_loopback_url

Handler = Callable[[ServerConnection], Awaitable[None]]


@asynccontextmanager
async def tiny_server(handler: Handler, **options: object) -> AsyncIterator[str]:
    """A bare websockets server on 127.0.0.1; yields its ws:// URL."""
    async with serve(handler, "127.0.0.1", 0, **options) as server:  # type: ignore[arg-type]
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/"


async def silent(connection: ServerConnection) -> None:
    await connection.wait_closed()


async def test_a_helpful_agent_connects_greets_and_answers_one_message() -> None:
    async with AgentServer("helpful") as agent:
        [result] = await preflight_async([agent.url], timeout=5)

    assert result.ok and result.connected and result.failure is None
    assert result.greeted is True and result.greeting == GREETING
    assert result.reply is not None and "help" in result.reply
    assert result.round_trip is not None and result.round_trip > 0
    # The handshake carries the headers a Cekura run sends.
    headers = {key.lower(): value for key, value in agent.handshakes[0].items()}
    assert {"x-vocera-scenario-id", "x-vocera-result-id", "x-vocera-run-id"} <= headers.keys()
    assert "x-vocera-secret" not in headers


async def test_an_agent_that_waits_for_the_caller_is_reported_as_not_greeting_first() -> None:
    async with AgentServer("helpful", greet=False) as agent:
        [result] = await preflight_async([agent.url], timeout=5, greeting_wait=0.05)

    assert result.ok and result.greeted is False and result.greeting is None
    assert result.reply is not None


async def test_a_refused_connection_says_so() -> None:
    [result] = await preflight_async([closed_loopback_url()], timeout=5)

    assert (result.ok, result.connected, result.failure) == (False, False, "refused")
    assert "connection refused" in (result.problem or "")
    assert result.greeted is None


async def test_a_host_name_that_does_not_resolve_is_a_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host: object, *args: object, **kwargs: object) -> object:
        if host == "agent.invalid":  # answered here, so the test never waits on a real resolver
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    [result] = await preflight_async(["wss://agent.invalid/ws"], timeout=5)

    assert (result.ok, result.connected, result.failure) == (False, False, "dns")
    assert result.problem == "the host name could not be resolved: Name or service not known"


async def test_a_refused_upgrade_reports_its_http_status() -> None:
    def reject(connection: ServerConnection, request: Request) -> Response:
        return connection.respond(HTTPStatus.FORBIDDEN, "no websockets here\n")

    async with tiny_server(silent, process_request=reject) as url:
        [result] = await preflight_async([url], timeout=5)

    assert (result.ok, result.failure, result.http_status) == (False, "http_status", 403)
    assert "HTTP 403" in (result.problem or "")


async def test_close_1008_from_an_agent_requiring_a_secret_and_success_with_the_secret() -> None:
    async with AgentServer("helpful", secret="s3cret") as agent:
        [without] = await preflight_async([agent.url], timeout=5)
        [with_secret] = await preflight_async([agent.url], timeout=5, secret="s3cret")

    assert (without.ok, without.connected, without.failure, without.close_code) == (
        False,
        True,
        "closed",
        1008,
    )
    assert "1008" in (without.problem or "") and "X-VOCERA-SECRET" in (without.problem or "")
    assert with_secret.ok
    assert agent.handshakes[1].get("X-VOCERA-SECRET") == "s3cret"


async def test_an_agent_that_never_replies_times_out_saying_where() -> None:
    async with tiny_server(silent) as url:
        [result] = await preflight_async([url], timeout=0.5, greeting_wait=0.05)

    assert (result.ok, result.connected, result.failure, result.greeted) == (False, True, "timeout", False)
    assert "waiting for the reply" in (result.problem or "")


async def test_a_reply_that_is_not_json_is_a_protocol_failure() -> None:
    async with AgentServer("invalid-json") as agent:
        [result] = await preflight_async([agent.url], timeout=5)

    assert (result.ok, result.failure, result.greeted) == (False, "protocol", True)
    assert "not JSON" in (result.problem or "")


async def test_metadata_frames_are_skipped_and_tool_calls_answered() -> None:
    received: list[str] = []

    async def agent(connection: ServerConnection) -> None:
        await connection.send('{"metadata": {"keepalive": true}}')
        message = await connection.recv()
        received.append(str(message))
        await connection.send(
            '{"role": "Function Call", "data": {"id": "t1", "name": "lookup", "arguments": {}}}'
        )
        received.append(str(await connection.recv()))
        await connection.send('{"content": "Done."}')
        await connection.wait_closed()

    async with tiny_server(agent) as url:
        [result] = await preflight_async([url], timeout=5, greeting_wait=0.1)

    assert result.ok and result.greeted is False and result.reply == "Done."
    assert '"content": "Hello"' in received[0]
    assert '"Function Call Result"' in received[1] and '"t1"' in received[1]


async def test_each_distinct_url_is_checked_once_concurrently_in_input_order() -> None:
    async with AgentServer("helpful") as first, AgentServer("helpful") as second:
        results = await preflight_async([second.url, first.url, f" {second.url} "], timeout=5)

    assert [result.url for result in results] == [second.url, first.url]
    assert (len(first.handshakes), len(second.handshakes)) == (1, 1)


async def test_an_invalid_url_is_reported_without_connecting() -> None:
    [result] = await preflight_async(["http://agent.example.com/"], timeout=5)

    assert (result.ok, result.connected, result.failure) == (False, False, "invalid_url")
    assert "ws:// or wss://" in (result.problem or "")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
async def test_an_untrusted_certificate_is_a_tls_failure(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    async with tiny_server(silent, ssl=context) as url:
        [result] = await preflight_async([url.replace("ws://", "wss://")], timeout=5)

    assert (result.ok, result.connected, result.failure) == (False, False, "tls")
    assert "CERTIFICATE_VERIFY_FAILED" in (result.problem or "")


async def test_bad_settings_raise_before_anything_is_opened() -> None:
    with pytest.raises(ValidationError, match="list of websocket URLs"):
        await preflight_async("ws://127.0.0.1:1/")
    with pytest.raises(ValidationError, match="timeout"):
        await preflight_async(["ws://127.0.0.1:1/"], timeout=0)
    with pytest.raises(ValidationError, match="at least one"):
        await preflight_async([])


async def test_the_sync_function_refuses_to_run_inside_an_event_loop() -> None:
    with pytest.raises(RuntimeError, match="preflight_async"):
        preflight(["ws://127.0.0.1:1/"])


def test_the_sync_function_checks_from_plain_code() -> None:
    results = preflight([closed_loopback_url()], timeout=5)

    assert [type(result) for result in results] == [PreflightResult]
    assert results[0].failure == "refused"
    assert results[0].to_dict()["failure"] == "refused"


def test_importing_the_package_does_not_import_websockets_rich_or_click() -> None:
    code = (
        "import sys, cekura_wrapper; "
        "print(sorted(m for m in ('websockets', 'rich', 'click') if m in sys.modules)); "
        "cekura_wrapper.preflight; print('websockets' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=30
    )
    assert completed.stdout.split() == ["[]", "True"]
    assert cekura_wrapper.preflight is preflight


async def test_custom_headers_join_the_handshake_and_bad_ones_are_refused() -> None:
    async with AgentServer("helpful") as agent:
        [result] = await preflight_async([agent.url], timeout=5, headers={"X-Team": "voice"})

    assert result.ok and agent.handshakes[0].get("X-Team") == "voice"
    with pytest.raises(ValidationError, match="headers must map"):
        await preflight_async([agent.url], headers={"X-Port": 8080})  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match=r"urls\[1\] must be a websocket URL string"):
        await preflight_async([agent.url, 8080])  # type: ignore[list-item]


async def test_a_url_in_an_agents_close_reason_or_frame_is_shown_masked() -> None:
    async def closes(connection: ServerConnection) -> None:
        await connection.close(1008, "use wss://other.example/ws?token=s3cret instead")

    async def garbles(connection: ServerConnection) -> None:
        await connection.send("moved to 'wss://other.example/ws?token=s3cret'")
        await connection.wait_closed()

    async with tiny_server(closes) as closing, tiny_server(garbles) as garbling:
        results = await preflight_async([closing + "?token=s3cret", garbling], timeout=5, greeting_wait=0.1)

    assert [result.failure for result in results] == ["closed", "protocol"]
    assert results[0].url == closing + "?token=s3cret"  # the library keeps the URL it was given
    assert "wss://other.example/ws?token=***" in (results[0].problem or "")
    assert "'wss://other.example/ws?token=***'" in (results[1].problem or "")
    assert [result.problem for result in results if "s3cret" in (result.problem or "")] == []


async def test_settings_problems_carry_their_location() -> None:
    with pytest.raises(ValidationError) as caught:
        await preflight_async(["ws://127.0.0.1:1/"], timeout=0, greeting_wait=-1, secret="")
    assert [problem.loc for problem in caught.value.problems] == [
        ("timeout",),
        ("greeting_wait",),
        ("secret",),
    ]
    with pytest.raises(ValidationError) as caught:
        await preflight_async(["ws://127.0.0.1:1/", 5])  # type: ignore[list-item]
    assert [problem.loc for problem in caught.value.problems] == [("urls", 1)]
