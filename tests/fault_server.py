"""A tiny scriptable HTTP server on 127.0.0.1 that plays Cekura and injects faults.

Each ``(method, path)`` has a queue of ``Reply`` objects used one per request, then a default.
A ``Reply`` can answer, drop the connection after reading the request, or hold the answer
until the test releases it. Every request is recorded, so tests can assert what reached the
server (for example that a POST arrived exactly once).
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"


def result_path(result_id: int) -> str:
    return f"/test_framework/v1/results/{result_id}/"


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # read the request, then close without answering
    hold: threading.Event | threading.Barrier | None = None  # wait on it before answering
    # Slowloris: send the answer one byte every ``trickle`` seconds (headers too with
    # ``trickle_headers``), announcing ``Content-Length: 999``, until the client hangs up.
    trickle: float | None = None
    trickle_headers: bool = False


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class _QuietServer(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops bursts of connects into a 1 s SYN retry

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (after a read timeout, say) is part of the tests, not an error."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FaultServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.connections = 0  # TCP connections accepted
        #: Bytes each trickled answer got out before the client hung up (or all of them), in the
        #: order the answers ended: a count that shows a deadline held without reading a clock.
        self.trickled: list[int] = []
        self._queues: dict[tuple[str, str], deque[Reply]] = {}
        self._defaults: dict[tuple[str, str], Reply] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server.connections += 1
                # Headers and body go out in two writes: without this, Nagle adds 40 ms a request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                reply = server._take(
                    self.command, self.path, Recorded(self.command, self.path, dict(self.headers), body)
                )
                if reply.hold is not None:
                    reply.hold.wait(10)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if reply.trickle is not None:
                    self._trickle(reply)
                    return
                payload = reply.body if reply.body is not None else json.dumps(reply.json).encode()
                if any(name.lower() == "date" for name in reply.headers):
                    self.send_response_only(reply.status)  # the reply's own Date, not the server's
                else:
                    self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _trickle(self, reply: Reply) -> None:
                assert reply.trickle is not None
                head = f"HTTP/1.1 {reply.status} OK\r\nContent-Length: 999\r\n\r\n".encode()
                if not reply.trickle_headers:
                    self.wfile.write(head)
                    self.wfile.flush()
                    head = b""
                self.close_connection = True
                stop = threading.Event()
                sent = 0
                try:
                    for index in range(len(head) + 999):
                        try:
                            self.wfile.write(head[index : index + 1] if index < len(head) else b"{")
                            self.wfile.flush()
                        except OSError:  # the client hung up: what the test wants
                            return
                        sent += 1
                        if stop.wait(reply.trickle):  # never set: paces the bytes
                            return
                finally:
                    with server._lock:
                        server.trickled.append(sent)

            do_GET = do_POST = _handle

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)
        return f"http://{host}:{port}"

    def queue(self, method: str, path: str, *replies: Reply) -> None:
        with self._lock:
            self._queues.setdefault((method, path), deque()).extend(replies)

    def default(self, method: str, path: str, reply: Reply) -> None:
        with self._lock:
            self._defaults[(method, path)] = reply

    def received(self, method: str, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == method and r.path == path]

    def _take(self, method: str, path: str, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            queue = self._queues.get((method, path))
            if queue:
                return queue.popleft()
            return self._defaults.get((method, path), Reply(404, {"detail": "Not found."}))

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def free_port() -> int:
    """A loopback port with nothing listening (connecting to it is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def created(result_id: int = 4242, runs: int = 2, **extra: Any) -> dict[str, Any]:
    """A 201 body for the bulk websocket run."""
    return {
        "id": result_id,
        "agent": 7,
        "status": "running",
        "run_as_text": True,
        "created_at": "2026-11-29T04:00:00Z",
        "runs": [
            {"id": 9000 + n, "status": "pending", "scenario": 101, "number": n, "scenario_name": "Refund"}
            for n in range(runs)
        ],
        **extra,
    }


def result(
    result_id: int = 4242,
    status: str = "running",
    total: Any = "2",
    done: Any = "0",
    success: Any = "0",
    **extra: Any,
) -> dict[str, Any]:
    """A result body, with counts as strings the way the spec types them."""
    return {
        "id": result_id,
        "agent": 7,
        "status": status,
        "total_runs_count": total,
        "completed_runs_count": done,
        "success_runs_count": success,
        "failed_runs_count": str(int(done) - int(success)),
        "runs": {
            "9000": {"id": 9000, "scenario": 101, "status": status, "success": True, "error_message": None},
        },
        **extra,
    }


#: An agent URL with a token in its query (reports must mask it): the default of ``scripted``.
TOKEN_URL = "wss://agent.example.com/chat?token=s3cret"


def scripted(
    result_id: int, *targets: tuple[int, int, int], url: str | None = TOKEN_URL, name: str = ""
) -> dict[str, Any]:
    """A completed result with ``passed`` of ``total`` runs passing per (scenario, passed, total)."""
    runs: dict[str, Any] = {}
    for scenario, passed, total in targets:
        for n in range(total):
            run_id = 1000 * result_id + len(runs)
            runs[str(run_id)] = {
                "id": run_id,
                "scenario": scenario,
                "scenario_name": name or f"Scenario {scenario}",
                "status": "completed",
                "success": n < passed,
                **({"websocket_url": url} if url is not None else {}),
            }
    success = sum(1 for run in runs.values() if run["success"])
    return {
        "id": result_id,
        "status": "completed",
        "total_runs_count": str(len(runs)),
        "success_runs_count": success,
        "failed_runs_count": len(runs) - success,
        "runs": runs,
    }
