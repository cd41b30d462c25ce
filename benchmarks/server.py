"""A loopback HTTP/1.1 server in its own process, with per-request latency, counting connections."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import socket
import time
from collections.abc import Callable
from typing import Any, Final, Self, cast

API_KEY: Final = "bench-key-not-a-secret"
RESULT_PATH: Final = re.compile(r"^/test_framework/v1/results/(\d+)/?$")  # the official SDK omits the slash


class _ServerProcess:
    """A server in a forked process (so ``respond`` need not be picklable, and the server never
    competes with the client for the GIL or an event loop) that reports its port and counts
    connections accepted, the most open at once and requests served, in shared memory."""

    _target: Callable[..., None]
    _name = "bench-server"

    def __init__(self, respond: Callable[[str], bytes | None], latency: float = 0.0) -> None:
        context = multiprocessing.get_context("fork")
        self._counts = context.RawArray("q", 3)  # accepted, peak open, requests
        self._ready, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=type(self)._target,
            args=(respond, self._counts, child_end, latency),
            name=self._name,
            daemon=True,
        )
        self.url = ""

    @property
    def accepted(self) -> int:
        return int(self._counts[0])

    @property
    def peak_open(self) -> int:
        return int(self._counts[1])

    @property
    def requests(self) -> int:
        return int(self._counts[2])

    def __enter__(self) -> Self:
        self._process.start()
        if not self._ready.poll(20):
            self._process.kill()
            raise RuntimeError(f"{self._name} did not start within 20 s")
        port = self._ready.recv()
        self._listening(port)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def _listening(self, port: int) -> None:
        """Return once ``port`` accepts connections (the port is sent once it does, by default)."""

    def __exit__(self, *exc_info: object) -> None:
        self._process.terminate()
        self._process.join(10)


class LoopbackServer(_ServerProcess):
    """A minimal HTTP/1.1 server with keep-alive on 127.0.0.1 (free port), in its own process.

    ``latency`` seconds pass before each answer (a far server), without blocking other connections.
    It answers each GET with ``respond(path)`` (404 for ``None``) in a single write. Deliberately
    tiny: the less the server costs per request, the more plainly the client's own cost shows in
    a ratio.
    """

    @staticmethod
    def _target(respond: Callable[[str], bytes | None], counts: Any, ready: Any, latency: float) -> None:
        _serve(respond, counts, ready, latency)


def _serve(respond: Callable[[str], bytes | None], counts: Any, ready: Any, latency: float) -> None:
    """The server process: one event loop, one task per connection, ``latency`` s per request."""
    open_now = 0

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal open_now
        counts[0] += 1
        open_now += 1
        counts[1] = max(counts[1], open_now)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                counts[2] += 1
                if latency:
                    await asyncio.sleep(latency)
                body = respond(head.split(b" ", 2)[1].decode("latin-1"))
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else b'{"detail": "Not found."}'
                writer.write(
                    b"HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                    % (status, len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            open_now -= 1
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(connection, "127.0.0.1", 0, backlog=1024)
        ready.send(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def result_id_of(path: str) -> int | None:
    match = RESULT_PATH.match(path)
    return int(match.group(1)) if match else None


class Http2Server(_ServerProcess):
    """The same answers from hypercorn (HTTP/1.1, or HTTP/2 with prior knowledge on plain TCP), in
    its own process: what an HTTP/2 client is measured against. Connections are counted by the
    client address each request arrives from (the most open at once is not counted)."""

    _name = "bench-h2"

    @staticmethod
    def _target(respond: Callable[[str], bytes | None], counts: Any, ready: Any, latency: float) -> None:
        _serve_asgi(respond, counts, ready, latency)

    def _listening(self, port: int) -> None:
        for _ in range(200):  # hypercorn binds after the port is chosen
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)


def _serve_asgi(respond: Callable[[str], bytes | None], counts: Any, ready: Any, latency: float) -> None:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    clients: set[object] = set()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        clients.add(tuple(scope["client"]))
        counts[0] = len(clients)  # the start-up probe never reaches the app: it is not counted
        counts[2] += 1
        if latency:
            await asyncio.sleep(latency)
        body = respond(scope["path"])
        status = 200 if body is not None else 404
        body = body if body is not None else b'{"detail": "Not found."}'
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    with socket.socket() as probe:  # a free port (the benchmark owns this machine while it runs)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.backlog = 1024
    config.accesslog = None
    config.errorlog = None
    config.h2_max_concurrent_streams = 1000

    async def main() -> None:
        ready.send(port)
        await serve(cast(Any, app), config, mode="asgi")

    asyncio.run(main())
