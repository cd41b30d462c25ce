"""What a hostile or broken server sends back becomes a typed CekuraError, bounded in size, with
the key redacted even where JSON escapes hid it; nothing escapes as a raw exception."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from fakes import FakeTime
from fault_server import RUN_PATH, FaultServer, Reply, result, result_path

from cekura_wrapper import (
    BadRequestError,
    CekuraClient,
    SubmissionUncertainError,
    UnreadableResponseError,
    ValidationError,
)

KEY = "sk/live/abc123-hostile"
FLEET = {101: "ws://127.0.0.1:9/chat"}
DEEP = b"[" * 100_000 + b"]" * 100_000


def client_for(server: FaultServer, **options: Any) -> CekuraClient:
    return CekuraClient(KEY, base_url=server.url, max_retries=0, **options)


def test_a_201_nested_too_deeply_is_an_uncertain_submission(server: FaultServer) -> None:
    server.queue("POST", RUN_PATH, Reply(201, body=DEEP))
    with client_for(server) as client, pytest.raises(SubmissionUncertainError) as caught:
        client.run_scenarios(FLEET, frequency=1)
    assert isinstance(caught.value.__cause__, UnreadableResponseError)
    assert "nests JSON too deeply" in str(caught.value.__cause__)
    assert len(server.received("POST", RUN_PATH)) == 1


@pytest.mark.parametrize("status", [200, 400])
def test_other_answers_nested_too_deeply_are_typed_errors(server: FaultServer, status: int) -> None:
    server.queue("GET", result_path(3), Reply(status, body=DEEP))
    expected = UnreadableResponseError if status == 200 else BadRequestError
    with client_for(server) as client, pytest.raises(expected):
        client.get_result(3)


def test_a_poll_answered_with_an_html_page_is_a_missed_poll(server: FaultServer, fake_time: FakeTime) -> None:
    server.queue("GET", result_path(4), Reply(200, body=b"<html>proxy error</html>"))
    server.default("GET", result_path(4), Reply(200, result(4, "completed", done="2", success="2")))
    with client_for(server)._set_time(clock=fake_time, sleep=fake_time.sleep) as client:
        finished = client.wait_for_result(4, timeout=30, poll_interval=0.01)
    assert finished.status == "completed"
    assert len(server.received("GET", result_path(4))) == 2
    assert fake_time.sleeps == [5.0]  # the missed poll is retried at the next 5 s mark, on the fake clock


def test_the_key_echoed_with_json_escapes_is_redacted_after_decoding(server: FaultServer) -> None:
    escaped = json.dumps(KEY).strip('"').replace("/", "\\/")  # sk\/live\/abc123-hostile
    unicode_escaped = "".join(f"\\u{ord(character):04x}" for character in KEY)
    body = f'{{"api_key": ["bad key {escaped}"], "detail": "key {unicode_escaped}"}}'.encode()
    assert KEY.encode() not in body
    server.queue("POST", RUN_PATH, Reply(400, body=body))
    with client_for(server) as client, pytest.raises(BadRequestError) as caught:
        client.run_scenarios(FLEET, frequency=1)
    shown = str(caught.value) + repr(caught.value.field_errors) + repr(caught.value.problems)
    assert KEY not in shown
    assert "[redacted]" in shown


def test_a_huge_error_body_makes_a_bounded_message(server: FaultServer) -> None:
    server.queue("GET", result_path(5), Reply(400, body=json.dumps({"x": ["y" * 5_000_000] * 3}).encode()))
    with client_for(server) as client, pytest.raises(BadRequestError) as caught:
        client.get_result(5)
    assert len(str(caught.value)) <= 2000
    assert len(caught.value.body) <= 1 << 20


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"api_key": "sk-clé"}, "non-ASCII"),
        ({"api_key": "k", "base_url": "https://api.cekura.ai\n/evil"}, "base_url"),
    ],
)
def test_settings_an_http_client_could_not_send_are_validation_errors(
    options: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValidationError, match=named):
        CekuraClient(**options)


class _Proxy(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Proxy.seen.append(self.headers.get("X-CEKURA-API-KEY", ""))
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_loopback_api_is_reached_directly_never_through_a_proxy(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        server.queue("GET", result_path(6), Reply(200, result(6, "running")))
        with client_for(server) as client:
            assert client.get_result(6).status == "running"
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert _Proxy.seen == []
    assert os.environ["HTTP_PROXY"].startswith("http://127.0.0.1")


def test_a_huge_error_message_in_a_result_is_bounded_and_shown_quickly(server: FaultServer) -> None:
    from cli_helpers import invoke

    body = result(8, "completed", done="2", success="1")
    body["runs"]["9000"] |= {"success": False, "error_message": "x" * 120_000 + " wss://a.example/?t=1"}
    server.default("GET", result_path(8), Reply(200, body))
    with client_for(server) as client:
        [run] = client.get_result(8).runs
    assert run.error_message is not None and len(run.error_message) == 4000

    shown = invoke(["status", "8", "--json"], api_key=KEY, base_url=server.url)
    assert shown.exit_code == 1, shown.output
    assert len(shown.stdout) < 20_000
