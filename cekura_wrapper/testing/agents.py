"""Small websocket agents that speak Cekura's custom-websocket protocol, for tests and the demo.

Kinds (``AGENT_KINDS``):

- ``helpful``: greets, then answers by keyword; satisfies every default scenario.
- ``slow``: the helpful agent, but each message comes ``reply_delay`` seconds late (a message still
  pending when the caller hangs up or the agent stops is never sent: nothing waits out the delay).
- ``closes-mid-conversation``: answers ``replies_before_close`` messages, then closes (code 1000).
- ``invalid-json``: greets, then answers with a frame that is not JSON.
- ``flaky``: every second connection closes mid-conversation; the others are helpful. Reproducible
  patterns for tests: ``flaky_pattern="FFP"`` (connection i fails where the pattern says ``F``;
  connections past its end are helpful), or ``seed=N`` (each connection fails with probability
  ``flaky_rate``, the same way for the same seed and connection index).
- ``chatty``: the helpful agent, but each answer comes after ``chatter`` frames of filler.

Run one in the current event loop with ``async with AgentServer("helpful") as agent: agent.url``,
or from synchronous code with ``with AgentThread("helpful") as agent: ...``. Both listen on
127.0.0.1 and a free port unless told otherwise, and record each handshake's headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Literal, get_args

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

AgentKind = Literal["helpful", "slow", "closes-mid-conversation", "invalid-json", "flaky", "chatty"]
AGENT_KINDS: tuple[AgentKind, ...] = get_args(AgentKind)

GREETING = "Hi, this is the test agent. How can I help you today?"

_ANSWERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("hour", "open"), "We are open from 9am to 5pm, Monday to Friday."),
    (("how long", "when will"), "Refunds reach your account within 5 business days."),
    (("refund",), "I can help with that refund. Could you share your order number?"),
    (("appointment", "book"), "Your appointment is booked for Tuesday at 10am."),
    (("person", "human", "someone"), "Of course, I will transfer you to a colleague now."),
    (("thank",), "You're welcome!"),
)


def helpful_reply(message: str) -> str:
    """The helpful agent's answer to one caller message."""
    text = message.casefold()
    for keywords, answer in _ANSWERS:
        if any(keyword in text for keyword in keywords):
            return answer
    return "Hello! I can help with opening hours, refunds, appointments, or put you through to a person."


class AgentServer:
    """One test agent listening on ``host:port`` (0 = a free port) in the running event loop."""

    def __init__(
        self,
        kind: AgentKind = "helpful",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        reply_delay: float = 1.0,
        replies_before_close: int = 1,
        secret: str | None = None,
        greet: bool = True,
        chatter: int = 2000,
        flaky_pattern: str | None = None,
        seed: int | None = None,
        flaky_rate: float = 0.5,
    ) -> None:
        if kind not in AGENT_KINDS:
            raise ValueError(f"unknown agent kind {kind!r}; choose one of {', '.join(AGENT_KINDS)}")
        self.kind = kind
        self.host = host
        self.port = port
        self.reply_delay = reply_delay
        self.replies_before_close = replies_before_close
        self.secret = secret
        self.greet = greet
        self.chatter = chatter
        if flaky_pattern is not None and set(flaky_pattern) - {"F", "P"}:
            raise ValueError(f"flaky_pattern holds only F (fail) and P (pass), got {flaky_pattern!r}")
        self.flaky_pattern = flaky_pattern
        self.seed = seed
        self.flaky_rate = flaky_rate
        #: Headers of every accepted handshake, in arrival order.
        self.handshakes: list[dict[str, str]] = []
        #: Conversations open right now, and the most ever open at once (what a budget must bound).
        self.open_connections = 0
        self.peak_open_connections = 0
        self._server: Server | None = None
        #: Set by stop(): a ``slow`` agent's pending replies end at once instead of sleeping on.
        self._stopping = asyncio.Event()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the agent is not started")
        return f"ws://{self.host}:{self.port}/"

    async def start(self) -> None:
        self._stopping = asyncio.Event()  # bound to the loop the agent runs in
        self._server = await serve(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1] if self.port == 0 else self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._stopping.set()
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> AgentServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        """Start if needed and serve until cancelled (for ``cekura-ws agent``)."""
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        index = len(self.handshakes)
        self.handshakes.append(dict(connection.request.headers.raw_items()))
        if self.secret is not None and connection.request.headers.get("X-VOCERA-SECRET") != self.secret:
            await connection.close(1008, "websocket secret does not match")
            return
        kind = self.kind
        if kind == "flaky":
            kind = "closes-mid-conversation" if self.flaky_fails(index) else "helpful"
        self.open_connections += 1
        self.peak_open_connections = max(self.peak_open_connections, self.open_connections)
        try:
            with contextlib.suppress(ConnectionClosed, _Stopped):
                await self._converse(connection, kind)
        finally:
            self.open_connections -= 1

    def flaky_fails(self, index: int) -> bool:
        """Whether the flaky agent's connection number ``index`` (from 0) fails."""
        if self.flaky_pattern is not None:
            return index < len(self.flaky_pattern) and self.flaky_pattern[index] == "F"
        if self.seed is not None:
            return random.Random(f"{self.seed}:{index}").random() < self.flaky_rate
        return index % 2 == 1

    async def _converse(self, connection: ServerConnection, kind: AgentKind) -> None:
        delay = self.reply_delay if kind == "slow" else 0.0
        say = _speaker(connection, delay, self._stopping)
        if self.greet:
            await say({"content": GREETING})
        replies = 0
        async for raw in connection:
            frame = _loads(raw)
            content = frame.get("content")
            if not isinstance(content, str):
                continue  # metadata-only frames and tool results need no reply
            if frame.get("type") == "end_call":
                await connection.close()
                return
            if kind == "closes-mid-conversation" and replies >= self.replies_before_close:
                await connection.close(1000, "agent hung up")
                return
            if kind == "invalid-json":
                await connection.send("this is not JSON")
            elif kind == "chatty":
                for number in range(self.chatter):
                    await connection.send(json.dumps({"content": f"um, let me think ({number})"}))
                await say({"content": helpful_reply(content)})
            else:
                await say({"content": helpful_reply(content)})
            replies += 1


class _Stopped(Exception):
    """The agent was stopped while a reply was still pending: the conversation ends unanswered."""


def _speaker(
    connection: ServerConnection, delay: float, stopping: asyncio.Event
) -> Callable[[dict[str, Any]], Awaitable[None]]:
    async def say(frame: dict[str, Any]) -> None:
        if delay > 0:
            # The reply waits ``delay`` seconds, unless the agent stops or the caller hangs up first.
            ends = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(connection.wait_closed())]
            await asyncio.wait(ends, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
            for end in ends:
                end.cancel()
            if stopping.is_set():
                raise _Stopped
        await connection.send(json.dumps(frame))  # ConnectionClosed once the caller hung up

    return say


def _loads(raw: str | bytes) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except ValueError:
        return {}
    return frame if isinstance(frame, dict) else {}


class AgentThread:
    """An :class:`AgentServer` on its own event loop in a daemon thread, for synchronous code."""

    def __init__(self, kind: AgentKind = "helpful", **options: Any) -> None:
        self.agent = AgentServer(kind, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"agent-{kind}", daemon=True)

    @property
    def url(self) -> str:
        return self.agent.url

    @property
    def handshakes(self) -> list[dict[str, str]]:
        return list(self.agent.handshakes)

    @property
    def peak_open_connections(self) -> int:
        """The most conversations this agent ever held at once."""
        return self.agent.peak_open_connections

    def start(self) -> AgentThread:
        self._thread.start()
        self._run(self.agent.start())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._run(self.agent.stop())
        self._run(_cancel_the_rest())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _run(self, coroutine: Awaitable[None]) -> None:
        future: Future[None] = asyncio.run_coroutine_threadsafe(_awaited(coroutine), self._loop)
        future.result(timeout=10)

    def __enter__(self) -> AgentThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


async def _awaited(awaitable: Awaitable[None]) -> None:
    await awaitable


async def _cancel_the_rest() -> None:
    """Cancel and await every other task of the agent's loop (a handler still ending its
    conversation), as ``asyncio.run`` does before closing a loop: a task left pending would be
    destroyed with the loop and reported, at garbage collection, in whatever code runs then."""
    current = asyncio.current_task()
    rest = [task for task in asyncio.all_tasks() if task is not current]
    for task in rest:
        task.cancel()
    await asyncio.gather(*rest, return_exceptions=True)
