"""Faults the emulator can inject, so clients can be tested against a misbehaving Cekura.

Queue faults on a running emulator; each is consumed, in order, by the next request it matches
(``on="post"`` for the run request, ``"get"`` for result polls, ``"any"`` for either)::

    emulator.faults.queue(Throttle(retry_after=1), on="post")
    emulator.faults.queue(ServerErrorFault(503), on="get", times=2)
    emulator.faults.queue(ServerErrorAfterCreate(), on="post")  # result exists, client sees 500
    emulator.faults.queue(DropAfterCreate(), on="post")         # result exists, response cut off
    emulator.faults.queue(Latency(0.5))

``DropAfterCreate`` sends the response headers and then closes the connection mid-body, so the
client sees a dropped connection after Cekura has accepted the request.
"""

from __future__ import annotations

import threading
from typing import Literal

import attrs

Endpoint = Literal["post", "get", "any"]


@attrs.frozen
class Latency:
    """Delay the response by ``seconds``, then answer normally."""

    seconds: float


@attrs.frozen
class Throttle:
    """Answer 429 with ``Retry-After: retry_after`` (omitted when None) before doing anything."""

    retry_after: int | None = 1


@attrs.frozen
class ServerErrorFault:
    """Answer ``status`` (5xx) before doing anything."""

    status: int = 500


@attrs.frozen
class ServerErrorAfterCreate:
    """Create the result (its runs start), then answer ``status`` instead of 201."""

    status: int = 500


@attrs.frozen
class DropAfterCreate:
    """Create the result, then drop the connection before the response body is sent."""


Fault = Latency | Throttle | ServerErrorFault | ServerErrorAfterCreate | DropAfterCreate
AFTER_CREATE = (ServerErrorAfterCreate, DropAfterCreate)


class FaultQueue:
    """Thread-safe FIFO of faults; tests queue from their thread, the server takes from its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[tuple[Endpoint, Fault]] = []

    def queue(self, fault: Fault, *, on: Endpoint = "any", times: int = 1) -> None:
        if on not in ("post", "get", "any"):
            raise ValueError(f"on must be 'post', 'get' or 'any', got {on!r}")
        if isinstance(fault, AFTER_CREATE) and on != "post":
            raise ValueError(f"{type(fault).__name__} only applies to the run request: use on='post'")
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times!r}")
        with self._lock:
            self._entries.extend([(on, fault)] * times)

    def take(self, method: str) -> Fault | None:
        """Remove and return the first fault matching ``method`` (``"post"`` or ``"get"``)."""
        with self._lock:
            for index, (on, fault) in enumerate(self._entries):
                if on in (method, "any"):
                    del self._entries[index]
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
