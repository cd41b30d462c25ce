"""Pre-flight check of agent websocket URLs: will a Cekura run be able to talk to them?

Each distinct URL is opened once, all at the same time, with the handshake headers a Cekura run
sends (``X-VOCERA-SCENARIO-ID``, ``X-VOCERA-RESULT-ID``, ``X-VOCERA-RUN-ID``, and
``X-VOCERA-SECRET`` when given). The check waits briefly for a greeting, sends one ``content``
message, times the first reply, ends the call with ``end_call`` and closes. A URL that cannot be
reached says why: DNS, refused, TLS, the HTTP status of a refused upgrade, a close code such as
1008, a frame that is not JSON, or no reply in time. Nothing is sent to Cekura, so it costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import ssl
import time
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

import attrs
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from ._errors import Problem, ValidationError
from ._validation import check_seconds, check_websocket_url, describe, mask_urls

#: Why a URL failed its check.
FailureKind = Literal[
    "invalid_url",
    "dns",
    "refused",
    "tls",
    "http_status",
    "handshake",
    "network",
    "closed",
    "protocol",
    "timeout",
]

#: Ids sent in the handshake headers: a pre-flight belongs to no scenario, result or run.
PREFLIGHT_ID: Final = "0"
#: What the simulated caller says first in a Cekura scenario unless told otherwise.
DEFAULT_MESSAGE: Final = "Hello"
_GOODBYE: Final = "Pre-flight check done, goodbye."
_CLOSE_MEANINGS: Final = {
    1000: "normal closure",
    1001: "going away",
    1002: "protocol error",
    1003: "unsupported data",
    1008: "policy violation; agents use it when X-VOCERA-SECRET is missing or does not match",
    1011: "internal error in the agent",
}


@attrs.frozen
class PreflightResult:
    """How one agent URL answered. ``ok`` means a run can hold a conversation with it.

    ``greeted`` says whether the agent spoke first (``None`` when it was never connected);
    ``round_trip`` is the seconds between our ``content`` message and the agent's first reply.
    """

    url: str
    ok: bool
    connected: bool
    failure: FailureKind | None = None
    problem: str | None = None
    http_status: int | None = None
    close_code: int | None = None
    greeted: bool | None = None
    greeting: str | None = None
    round_trip: float | None = None
    reply: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return attrs.asdict(self)


class _ProtocolProblem(Exception):
    """The agent answered with something a Cekura run cannot use."""


@attrs.define
class _Progress:
    """What one check got to, so a timeout can say where it stopped."""

    connected: bool = False
    greeted: bool | None = None
    greeting: str | None = None
    phase: str = "connecting"


def preflight(
    urls: Iterable[str],
    *,
    timeout: float = 10.0,
    secret: str | None = None,
    headers: Mapping[str, str] | None = None,
    greeting_wait: float = 1.0,
    message: str = DEFAULT_MESSAGE,
) -> list[PreflightResult]:
    """Check every distinct URL in ``urls`` concurrently; one result per URL, in input order.

    ``timeout`` bounds each URL's whole check; ``greeting_wait`` is how long to wait for the agent
    to speak first before sending ``message`` (a later greeting counts as the reply). ``secret`` is sent as ``X-VOCERA-SECRET`` and
    ``headers`` are added to the handshake (like an agent's custom headers on Cekura). Invalid
    settings raise ``ValidationError``; a bad or unreachable URL is reported in its result.
    From async code, await ``preflight_async`` instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("preflight() cannot run inside an event loop; await preflight_async() instead")
    return asyncio.run(
        preflight_async(
            urls,
            timeout=timeout,
            secret=secret,
            headers=headers,
            greeting_wait=greeting_wait,
            message=message,
        )
    )


async def preflight_async(
    urls: Iterable[str],
    *,
    timeout: float = 10.0,
    secret: str | None = None,
    headers: Mapping[str, str] | None = None,
    greeting_wait: float = 1.0,
    message: str = DEFAULT_MESSAGE,
) -> list[PreflightResult]:
    """The awaitable ``preflight``: same arguments, same results."""
    distinct = _distinct_urls(urls)
    _check_settings(
        timeout=timeout, greeting_wait=greeting_wait, secret=secret, headers=headers, message=message
    )
    handshake = {
        "X-VOCERA-SCENARIO-ID": PREFLIGHT_ID,
        "X-VOCERA-RESULT-ID": PREFLIGHT_ID,
        "X-VOCERA-RUN-ID": PREFLIGHT_ID,
        **dict(headers or {}),
    }
    if secret is not None:
        handshake["X-VOCERA-SECRET"] = secret
    # Wait for a greeting at most half the budget, so the round trip always has time left.
    wait = min(greeting_wait, timeout / 2)
    return list(
        await asyncio.gather(
            *(
                _check(url, handshake, timeout=timeout, greeting_wait=wait, message=message)
                for url in distinct
            )
        )
    )


def _distinct_urls(urls: object) -> list[str]:
    if isinstance(urls, str | bytes) or not isinstance(urls, Iterable):
        problem = Problem(("urls",), f"urls must be a list of websocket URLs, got {describe(urls)}")
        raise ValidationError(problem.message, [problem])
    distinct: dict[str, None] = {}
    for index, url in enumerate(urls):
        if not isinstance(url, str):
            raise ValidationError(
                f"urls[{index}] must be a websocket URL string, got {describe(url)}",
                [Problem(("urls", index), f"websocket URL must be a string, got {describe(url)}")],
            )
        distinct[url.strip()] = None
    if not distinct:
        problem = Problem(("urls",), "urls: at least one websocket URL is needed")
        raise ValidationError(problem.message, [problem])
    return list(distinct)


def _check_settings(
    *, timeout: float, greeting_wait: float, secret: str | None, headers: object, message: str
) -> None:
    problems = []
    if headers is not None and (
        not isinstance(headers, Mapping)
        or not all(isinstance(key, str) and isinstance(value, str) for key, value in headers.items())
    ):
        problems.append(
            Problem(("headers",), "headers must map header names to string values")
        )  # values may be secrets
    for name, value, zero_ok in (("timeout", timeout, False), ("greeting_wait", greeting_wait, True)):
        problem = check_seconds(value, name, zero_ok=zero_ok)
        if problem is not None:
            problems.append(Problem((name,), problem))
    if secret is not None and (not isinstance(secret, str) or not secret):
        problems.append(Problem(("secret",), "secret must be a non-empty string"))  # never echo a secret
    if not isinstance(message, str) or not message.strip():
        problems.append(Problem(("message",), f"message must be a non-empty string, got {describe(message)}"))
    if problems:
        raise ValidationError("; ".join(map(str, problems)), problems)


async def _check(
    url: str, headers: Mapping[str, str], *, timeout: float, greeting_wait: float, message: str
) -> PreflightResult:
    problem = check_websocket_url(url)
    if problem is not None:
        return PreflightResult(url=url, ok=False, connected=False, failure="invalid_url", problem=problem)
    progress = _Progress()
    try:
        async with asyncio.timeout(timeout):
            return await _probe(url, headers, progress, greeting_wait=greeting_wait, message=message)
    except TimeoutError:
        return _failed(url, progress, "timeout", f"no answer within {timeout:g} s while {progress.phase}")


async def _probe(
    url: str, headers: Mapping[str, str], progress: _Progress, *, greeting_wait: float, message: str
) -> PreflightResult:
    try:
        connection = await connect(
            url,
            additional_headers=dict(headers),
            open_timeout=None,  # the caller's timeout bounds the whole check
            ping_interval=None,
            close_timeout=1,
            max_size=2**20,
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        return attrs.evolve(
            _failed(
                url, progress, "http_status", f"the agent refused the websocket upgrade with HTTP {status}"
            ),
            http_status=status,
        )
    except InvalidURI as exc:
        return _failed(url, progress, "invalid_url", f"not a valid websocket URL: {exc}")
    except InvalidHandshake as exc:
        return _failed(url, progress, "handshake", f"the websocket handshake failed: {exc}")
    except ssl.SSLError as exc:
        return _failed(url, progress, "tls", f"TLS failed: {exc.reason or exc}")
    except socket.gaierror as exc:
        return _failed(url, progress, "dns", f"the host name could not be resolved: {exc.strerror or exc}")
    except ConnectionRefusedError:
        return _failed(url, progress, "refused", "connection refused (is the agent running on that port?)")
    except ConnectionResetError:
        hint = " (is the agent serving TLS on that port?)" if url.lower().startswith("wss:") else ""
        return _failed(url, progress, "network", f"the connection was reset while connecting{hint}")
    except OSError as exc:
        return _failed(url, progress, "network", f"could not connect: {exc.strerror or type(exc).__name__}")
    progress.connected = True
    try:
        return await _converse(url, connection, progress, greeting_wait=greeting_wait, message=message)
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else None
        return attrs.evolve(
            _failed(url, progress, "closed", _closed_problem(exc, progress.phase)), close_code=code
        )
    except _ProtocolProblem as exc:
        return _failed(url, progress, "protocol", str(exc))
    finally:
        await connection.close()


async def _converse(
    url: str, connection: ClientConnection, progress: _Progress, *, greeting_wait: float, message: str
) -> PreflightResult:
    progress.phase = "waiting for a greeting"
    try:
        async with asyncio.timeout(greeting_wait):
            progress.greeting = await _next_content(connection)
    except TimeoutError:
        progress.greeted = False
    else:
        progress.greeted = True
    progress.phase = "waiting for the reply to one message"
    sent_at = time.perf_counter()
    await connection.send(json.dumps({"content": message}))
    reply = await _next_content(connection)
    round_trip = time.perf_counter() - sent_at
    progress.phase = "ending the call"
    with contextlib.suppress(ConnectionClosed):  # the agent may hang up first; the check passed
        await connection.send(json.dumps({"content": _GOODBYE, "type": "end_call"}))
    return PreflightResult(
        url=url,
        ok=True,
        connected=True,
        greeted=progress.greeted,
        greeting=progress.greeting,
        round_trip=round_trip,
        reply=reply,
    )


async def _next_content(connection: ClientConnection) -> str:
    """The next ``content`` the agent sends; metadata frames are skipped, tool calls answered."""
    while True:
        raw = await connection.recv()
        if isinstance(raw, bytes):
            raise _ProtocolProblem(
                f"the agent sent a binary frame ({len(raw)} bytes); frames must be JSON text"
            )
        try:
            frame = json.loads(raw)
        except ValueError:
            shown = raw if len(raw) <= 80 else raw[:77] + "..."
            raise _ProtocolProblem(f"the agent sent a frame that is not JSON: {shown!r}") from None
        if not isinstance(frame, dict):
            raise _ProtocolProblem(f"the agent sent JSON that is not an object: {raw[:80]!r}")
        if frame.get("role") == "Function Call":
            data = frame.get("data")
            call_id = data.get("id") if isinstance(data, dict) else None
            await connection.send(
                json.dumps({"role": "Function Call Result", "data": {"id": call_id, "result": "ok"}})
            )
            continue
        content = frame.get("content")
        if content is None:
            continue
        if not isinstance(content, str):
            raise _ProtocolProblem(f"the agent sent 'content' that is not a string: {content!r:.80}")
        return content


def _closed_problem(exc: ConnectionClosed, phase: str) -> str:
    if exc.rcvd is None:
        return f"the connection dropped without a close frame while {phase}"
    code, reason = exc.rcvd.code, exc.rcvd.reason
    meaning = _CLOSE_MEANINGS.get(code)
    text = f"the agent closed the connection with code {code}"
    if meaning:
        text += f" ({meaning})"
    if reason:
        text += f": {reason!r}"
    return f"{text} while {phase}"


def _failed(url: str, progress: _Progress, failure: FailureKind, problem: str) -> PreflightResult:
    """A failed check; URLs in ``problem`` (an exception's text, an agent's frame or close reason)
    are shown by ``display_url``, so a token in a query string stays out of reports."""
    return PreflightResult(
        url=url,
        ok=False,
        connected=progress.connected,
        failure=failure,
        problem=mask_urls(problem),
        greeted=progress.greeted,
        greeting=progress.greeting,
    )


__all__ = ["DEFAULT_MESSAGE", "FailureKind", "PreflightResult", "preflight", "preflight_async"]
