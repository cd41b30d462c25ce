"""The emulator's simulated caller: one real websocket conversation per run.

It honours Cekura's custom-websocket protocol: handshake headers ``X-VOCERA-SCENARIO-ID``,
``X-VOCERA-RESULT-ID``, ``X-VOCERA-RUN-ID`` (and ``X-VOCERA-SECRET`` when configured); JSON text
frames with ``content``; metadata-only frames that get no reply; tool calls answered with a
``Function Call Result``; ``end_call`` from either side; and a close from the agent counts as the
agent ending the call. Each turn sends one line, then reads the agent's frames until one set of
replies mentions every expected word, or the reply timeout passes. A greeting sent before or
after the first line is simply read as part of that turn.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any, Literal

import attrs
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from cekura_wrapper.testing.scenarios import Scenario, Turn

GOODBYE = "Thanks, that's all. Goodbye."
#: Frames an agent may send in one turn before the call fails (a chatty or runaway agent).
MAX_FRAMES_PER_TURN = 1000
#: Transcript entries kept per call, and characters kept of each.
MAX_TRANSCRIPT = 500
MAX_CONTENT = 4000


@attrs.frozen
class CallSettings:
    """Timeouts of one conversation; small defaults keep local runs quick."""

    connect_timeout: float = attrs.field(default=5.0, validator=attrs.validators.gt(0))
    reply_timeout: float = attrs.field(default=5.0, validator=attrs.validators.gt(0))
    #: Sent as ``X-VOCERA-SECRET`` when set, like the websocket secret configured on a Cekura agent.
    secret: str | None = None
    #: Cekura waits about a second after its ``end_call`` before closing; 0 closes at once.
    hangup_grace: float = attrs.field(default=0.0, validator=attrs.validators.ge(0))
    #: Send a metadata-only frame (which must get no reply) before the first line, as Cekura's
    #: keepalives do: an agent that answers or chokes on frames without ``content`` fails here too.
    send_metadata: bool = True


@attrs.frozen
class CallOutcome:
    """How one run went: ``connected`` is False when the agent could not be reached."""

    connected: bool
    success: bool
    error_message: str | None
    transcript: tuple[Mapping[str, Any], ...] = ()
    ended_by: Literal["caller", "agent"] | None = None


class CallFailed(Exception):
    """A conversation that reached the agent but cannot be scored as a success."""


class SimulatedCaller:
    """Places calls with at most ``max_concurrent`` conversations open at once."""

    def __init__(self, settings: CallSettings | None = None, *, max_concurrent: int = 10) -> None:
        if max_concurrent < 1:
            raise ValueError(f"max_concurrent must be at least 1, got {max_concurrent!r}")
        self.settings = settings or CallSettings()
        self.max_concurrent = max_concurrent
        self._slots: asyncio.Semaphore | None = None

    async def call(self, url: str, scenario: Scenario, *, result_id: int, run_id: int) -> CallOutcome:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrent)
        async with self._slots:
            headers = {
                "X-VOCERA-SCENARIO-ID": str(scenario.id),
                "X-VOCERA-RESULT-ID": str(result_id),
                "X-VOCERA-RUN-ID": str(run_id),
            }
            if self.settings.secret is not None:
                headers["X-VOCERA-SECRET"] = self.settings.secret
            return await place_call(url, scenario, headers=headers, settings=self.settings)


async def place_call(
    url: str, scenario: Scenario, *, headers: Mapping[str, str], settings: CallSettings
) -> CallOutcome:
    """Connect, play the scenario's turns, and score the conversation."""
    try:
        connection = await connect(
            url,
            additional_headers=dict(headers),
            open_timeout=settings.connect_timeout,
            ping_interval=30,
            ping_timeout=10,
            close_timeout=1,
            max_size=2**20,
        )
    except InvalidStatus as exc:
        return _not_connected(
            f"agent at {url} rejected the websocket handshake with HTTP {exc.response.status_code}"
        )
    except InvalidURI:
        return _not_connected(f"websocket URL {url!r} is not valid")
    except (InvalidHandshake, ValueError) as exc:
        return _not_connected(f"websocket handshake with {url} failed: {exc}")
    except TimeoutError:
        return _not_connected(f"could not connect to {url} within {settings.connect_timeout:g}s")
    except ConnectionRefusedError:
        return _not_connected(f"could not connect to {url}: connection refused")
    except OSError as exc:
        return _not_connected(f"could not connect to {url}: {exc.strerror or exc}")

    conversation = _Conversation(connection, scenario, settings)
    try:
        async with asyncio.timeout(scenario.max_duration):
            ended_by = await conversation.play()
    except CallFailed as exc:
        return conversation.outcome(success=False, error_message=str(exc), ended_by="agent")
    except TimeoutError:
        message = f"conversation exceeded the scenario's maximum duration of {scenario.max_duration:g}s"
        return conversation.outcome(success=False, error_message=message, ended_by="caller")
    finally:
        await connection.close()
    return conversation.outcome(success=True, error_message=None, ended_by=ended_by)


def _not_connected(message: str) -> CallOutcome:
    return CallOutcome(connected=False, success=False, error_message=message)


class _Conversation:
    def __init__(self, connection: ClientConnection, scenario: Scenario, settings: CallSettings) -> None:
        self.connection = connection
        self.scenario = scenario
        self.settings = settings
        self.transcript: list[dict[str, Any]] = []

    def outcome(
        self, *, success: bool, error_message: str | None, ended_by: Literal["caller", "agent"] | None
    ) -> CallOutcome:
        return CallOutcome(True, success, error_message, tuple(self.transcript), ended_by)

    async def play(self) -> Literal["caller", "agent"]:
        turns = self.scenario.turns
        if self.settings.send_metadata:
            await self._send({"metadata": {"type": "keepalive"}}, role="user")
        for number, turn in enumerate(turns, start=1):
            await self._send({"content": turn.say}, role="user")
            agent_ended = await self._await_reply(turn, number)
            if agent_ended:
                if number < len(turns):
                    raise CallFailed(f"agent ended the call after turn {number} of {len(turns)}")
                return "agent"
        await self._send({"content": GOODBYE, "type": "end_call"}, role="user")
        if self.settings.hangup_grace > 0:
            await asyncio.sleep(self.settings.hangup_grace)
        return "caller"

    async def _send(self, frame: Mapping[str, Any], *, role: str) -> None:
        try:
            await self.connection.send(json.dumps(frame))
        except ConnectionClosed as exc:
            raise CallFailed(
                f"agent closed the connection (code {_code(exc)}) before the caller could speak"
            ) from exc
        if "content" in frame and len(self.transcript) < MAX_TRANSCRIPT:
            self.transcript.append({"role": role, "content": frame["content"]})

    async def _await_reply(self, turn: Turn, number: int) -> bool:
        """Read frames until the replies satisfy ``turn``; True when the agent ended the call.

        The work per frame is bounded by the frame (words already heard are not searched again),
        a turn takes at most ``MAX_FRAMES_PER_TURN`` frames, and the loop yields to the event loop
        now and then, so a chatty agent cannot stall the API served on the same loop.
        """
        heard = _Heard(turn.expect)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.reply_timeout
        frames = 0
        while True:
            frames += 1
            if frames > MAX_FRAMES_PER_TURN:
                raise CallFailed(
                    f"agent sent more than {MAX_FRAMES_PER_TURN} frames in turn {number} without "
                    f"mentioning {heard.missing}"
                )
            if frames % 64 == 0:
                await asyncio.sleep(0)  # buffered frames never make recv() wait: let others run
            try:
                async with asyncio.timeout_at(deadline):
                    raw = await self.connection.recv()
            except TimeoutError:
                raise CallFailed(self._unmet(turn, number, heard)) from None
            except ConnectionClosed as exc:
                total = len(self.scenario.turns)
                if heard.any and heard.satisfied and number == total:
                    return True
                raise CallFailed(
                    f"agent closed the connection (code {_code(exc)}) during turn {number} of {total}"
                ) from exc
            frame = _parse_frame(raw)
            if frame.get("role") == "Function Call":
                await self._answer_tool_call(frame)
                continue
            content = frame.get("content")
            if content is None:
                continue  # metadata only: no reply expected
            if not isinstance(content, str):
                raise CallFailed(f"agent sent 'content' that is not a string: {content!r}")
            heard.add(content)
            if len(self.transcript) < MAX_TRANSCRIPT:
                self.transcript.append({"role": "agent", "content": content[:MAX_CONTENT]})
            if frame.get("type") == "end_call":
                if heard.satisfied:
                    return True
                raise CallFailed(self._unmet(turn, number, heard, ended=True))
            if heard.satisfied:
                return False

    async def _answer_tool_call(self, frame: Mapping[str, Any]) -> None:
        data = frame.get("data")
        call_id = data.get("id") if isinstance(data, Mapping) else None
        await self._send(
            {"role": "Function Call Result", "data": {"id": call_id, "result": "ok"}}, role="tool"
        )

    def _unmet(self, turn: Turn, number: int, heard: _Heard, *, ended: bool = False) -> str:
        when = "before ending the call" if ended else f"within {self.settings.reply_timeout:g}s"
        if not heard.any:
            return f"no reply to turn {number} ({turn.say!r}) {when}"
        last = heard.last if len(heard.last) <= 120 else heard.last[:117] + "..."
        return (
            f"reply to turn {number} ({turn.say!r}) did not mention {heard.missing} {when}; "
            f"last reply: {last!r}"
        )


class _Heard:
    """The expected words not yet heard in a turn's replies, updated per frame in time linear in
    the frame: replies are joined by a space, as before, and only the last few characters of what
    came before are searched again (enough for a word to span two frames)."""

    def __init__(self, expect: tuple[str, ...]) -> None:
        self._missing = [word.casefold() for word in expect]
        self._words = list(expect)
        self._overlap = max((len(word) for word in self._missing), default=0)
        self._tail = ""
        self.any = False
        self.last = ""

    def add(self, content: str) -> None:
        text = content.casefold()
        window = f"{self._tail} {text}" if self.any else text
        found = {word for word in self._missing if word in window}
        self._words = [
            word for word, folded in zip(self._words, self._missing, strict=True) if folded not in found
        ]
        self._missing = [word for word in self._missing if word not in found]
        self._tail = window[-self._overlap :] if self._overlap else ""
        self.any = True
        self.last = content

    @property
    def satisfied(self) -> bool:
        return not self._missing

    @property
    def missing(self) -> list[str]:
        return list(self._words)


def _parse_frame(raw: str | bytes) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raise CallFailed(f"agent sent a binary frame ({len(raw)} bytes); frames must be JSON text")
    try:
        frame = json.loads(raw)
    except RecursionError:
        raise CallFailed("agent sent a frame nested too deeply to read") from None
    except ValueError:
        shown = raw if len(raw) <= 80 else raw[:77] + "..."
        raise CallFailed(f"agent sent a frame that is not valid JSON: {shown!r}") from None
    if not isinstance(frame, dict):
        raise CallFailed(f"agent sent JSON that is not an object: {raw[:80]!r}")
    return frame


def _code(exc: ConnectionClosed) -> int | None:
    return exc.rcvd.code if exc.rcvd is not None else None
