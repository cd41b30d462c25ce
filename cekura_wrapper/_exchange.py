"""One HTTP exchange within a total deadline and a size limit (sync and async).

httpx's timeouts apply to each network operation, so a server that trickles one byte a second
never trips them. Here the whole exchange (connect, send, headers, body) gets one deadline: the
async twin cancels it with ``asyncio.timeout``; the sync one runs it in a worker thread and stops
waiting at the deadline (the worker stops reading the body at its next chunk, and every read it
makes is bounded by httpx's own timeout). Bodies are read up to a limit, so neither a 50 MB error
page nor an endless stream can fill memory.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Final

import httpx

#: Bytes of an error response (4xx/5xx) kept; the rest is dropped: it only ever becomes a message.
MAX_ERROR_BODY: Final = 1 << 20
#: Bytes of a successful response read at most (a 100,000-run result with transcripts is a few
#: hundred MB); a larger body is a failed exchange.
MAX_BODY: Final = 1 << 30
_DROPPED_HEADERS: Final = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class DeadlineExceeded(httpx.TimeoutException):
    """The whole exchange did not finish within its time limit (whatever each read did)."""


class BodyTooLarge(httpx.RemoteProtocolError):
    """A successful response longer than its limit (``MAX_BODY`` unless the caller sets one)."""


class _Body:
    """The bytes of a response body read so far, within the limit for its status (pure)."""

    def __init__(self, response: httpx.Response, max_body: int = MAX_BODY) -> None:
        self._response = response
        self._limit = max_body if response.status_code < 400 else MAX_ERROR_BODY
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; ``False`` once the limit is reached (stop reading)."""
        room = self._limit - self._size
        self._chunks.append(chunk[:room])
        self._size += min(len(chunk), room)
        if self._size < self._limit:
            return True
        if self._response.status_code < 400:
            raise BodyTooLarge(f"the response body is larger than {self._limit} bytes")
        return False

    def response(self) -> httpx.Response:
        """A complete, decoded response (headers that described the encoding dropped)."""
        source = self._response
        headers = [(key, value) for key, value in source.headers.multi_items() if key not in _DROPPED_HEADERS]
        return httpx.Response(
            source.status_code, headers=headers, content=b"".join(self._chunks), request=source.request
        )


def _deadline(limit: float) -> DeadlineExceeded:
    return DeadlineExceeded(f"no complete response within {limit:g} s")


def exchange_sync(
    http: httpx.Client, request: dict[str, Any], limit: float, *, max_body: int = MAX_BODY
) -> httpx.Response:
    """Send ``request`` and read its response within ``limit`` seconds, or raise ``DeadlineExceeded``;
    a successful body over ``max_body`` bytes raises ``BodyTooLarge``."""
    stop = threading.Event()
    outcome: list[httpx.Response | BaseException] = []

    def work() -> None:
        try:
            with http.stream(**request) as response:
                body = _Body(response, max_body)
                for chunk in response.iter_bytes():
                    if stop.is_set() or not body.add(chunk):
                        break
                outcome.append(body.response())
        except BaseException as exc:  # handed to the waiting thread, which raises it
            outcome.append(exc)

    worker = threading.Thread(target=work, name="cekura-ws request", daemon=True)
    worker.start()
    try:
        worker.join(limit)
    finally:
        if worker.is_alive():
            stop.set()
    if not outcome:
        raise _deadline(limit)
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


async def exchange_async(
    http: httpx.AsyncClient, request: dict[str, Any], limit: float, turn: asyncio.Semaphore
) -> httpx.Response:
    """The async twin of ``exchange_sync``: the exchange is cancelled at the deadline.

    ``turn`` caps the requests in flight; the time spent waiting for it counts toward ``limit``.
    """
    try:
        async with asyncio.timeout(limit), turn, http.stream(**request) as response:
            body = _Body(response)
            async for chunk in response.aiter_bytes():
                if not body.add(chunk):
                    break
            return body.response()
    except TimeoutError:
        raise _deadline(limit) from None
