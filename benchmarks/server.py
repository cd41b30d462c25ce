"""A loopback HTTP/1.1 server in its own process, with per-request latency, counting connections."""

from __future__ import annotations

import asyncio
import multiprocessing
import re
from collections.abc import Callable
from typing import Any, Final

API_KEY: Final = "bench-key-not-a-secret"
RESULT_PATH: Final = re.compile(r"^/test_framework/v1/results/(\d+)/$")


class LoopbackServer:
    """A minimal HTTP/1.1 server with keep-alive on 127.0.0.1 (free port), in its own process.

    ``latency`` seconds pass before each answer (a far server), without blocking other connections.

    Its own process, so it never competes with the client for the GIL or an event loop. It
    answers each GET with ``respond(path)`` (404 for ``None``) in a single write, and counts the
    TCP connections it accepts. Deliberately tiny: the less the server costs per request, the
    more plainly the client's own cost shows in a ratio.
    """

    def __init__(self, respond: Callable[[str], bytes | None], latency: float = 0.0) -> None:
        context = multiprocessing.get_context("fork")  # ``respond`` need not be picklable
        self._counts = context.RawArray("q", 3)  # accepted, peak open, requests
        self._ready, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve, args=(respond, self._counts, child_end, latency), name="bench-server", daemon=True
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

    def __enter__(self) -> LoopbackServer:
        self._process.start()
        if not self._ready.poll(10):
            self._process.kill()
            raise RuntimeError("the loopback server did not start within 10 s")
        self.url = f"http://127.0.0.1:{self._ready.recv()}"
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._process.terminate()
        self._process.join(10)


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
