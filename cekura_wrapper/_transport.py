"""Sending requests through httpx, with the retry policy of ``_retry`` (sync and async).

The two senders only differ in how they send and sleep; every decision is made by
``RetryState``. The API key never reaches a message or a log record: response bodies are redacted
before they become error text, and nothing logs a request's arguments (which carry the key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

import httpx

from ._api import (
    authorized,
    max_in_flight,
    new_async_http_client,
    new_http_client,
    request_name,
)
from ._errors import CekuraError
from ._exchange import exchange_async, exchange_sync
from ._retry import Failure, Kind, RetryState, failure_from_exception, failure_from_response
from ._settings import Settings

HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
SleepT = TypeVar("SleepT", Callable[[float], object], Callable[[float], Awaitable[object]])


class _Sender(Generic[HttpT, SleepT]):
    """What both senders share: settings, the HTTP client, the closed flag, and failures.

    ``http_client`` is the caller's (left open on ``close``), or ``None`` for one of our own,
    made on first use.
    """

    def __init__(self, *, settings: Settings, secret: str, http_client: HttpT | None, sleep: SleepT) -> None:
        self._settings = settings
        self._secret = secret
        self._http: HttpT | None = http_client
        self._owns_http = http_client is None
        self._closed = False
        self.sleep: SleepT = sleep

    def _start(
        self, kwargs: Mapping[str, Any], kind: Kind, max_retries: int | None, timeout: float | None
    ) -> tuple[RetryState, dict[str, Any], float]:
        """The retry state, the request to send and its time limit (``timeout`` overrides the client's)."""
        if self._closed:
            raise CekuraError("this client is closed; create a new one (or use it in a with block)")
        settings = self._settings
        state = RetryState(
            kind,
            name=request_name(kwargs),
            max_retries=settings.max_retries if max_retries is None else max_retries,
            backoff=settings.retry_backoff,
        )
        limit = settings.timeout if timeout is None else timeout
        request = authorized(kwargs, base_url=settings.base_url, api_key=self._secret, timeout=limit)
        return state, request, limit

    def _failed(self, exc: httpx.HTTPError, state: RetryState, limit: float) -> Failure:
        return failure_from_exception(exc, name=state.name, base_url=self._settings.base_url, limit=limit)

    def _answered(self, response: httpx.Response, state: RetryState) -> Failure | None:
        return failure_from_response(response, name=state.name, secret=self._secret)


class SyncSender(_Sender[httpx.Client, Callable[[float], object]]):
    """Sends requests through an ``httpx.Client`` (its own, made on first use, or the caller's)."""

    def _client(self) -> httpx.Client:
        if self._http is None:
            self._http = new_http_client(
                base_url=self._settings.base_url, timeout=self._settings.timeout, http2=self._settings.http2
            )
        return self._http

    def send(
        self,
        kwargs: dict[str, Any],
        kind: Kind,
        *,
        max_retries: int | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """The first 2xx response, or the error the retry policy settles on.

        ``timeout`` overrides the client's per-request time limit for this request.
        """
        state, request, limit = self._start(kwargs, kind, max_retries, timeout)
        http = self._client()
        while True:
            try:
                response = exchange_sync(http, request, limit)
            except httpx.HTTPError as exc:
                failure = self._failed(exc, state, limit)
            else:
                answered = self._answered(response, state)
                if answered is None:
                    return response
                failure = answered
            self.sleep(state.next_delay(failure))

    def close(self) -> None:
        """Close the connection pool, if this sender opened one (a caller's client stays open)."""
        self._closed = True
        if self._owns_http and self._http is not None:
            self._http.close()


class AsyncSender(_Sender[httpx.AsyncClient, Callable[[float], Awaitable[object]]]):
    """The async twin of ``SyncSender``: same decisions, awaited I/O, ``MAX_IN_FLIGHT`` at once."""

    _turn: asyncio.Semaphore | None = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = new_async_http_client(
                base_url=self._settings.base_url, timeout=self._settings.timeout, http2=self._settings.http2
            )
        return self._http

    def _turns(self) -> asyncio.Semaphore:
        """At most ``MAX_IN_FLIGHT`` requests at once, ``MAX_IN_FLIGHT_HTTP2`` with ``http2=True``
        (made on first use, in the running loop)."""
        if self._turn is None:
            self._turn = asyncio.Semaphore(max_in_flight(http2=self._settings.http2))
        return self._turn

    async def send(
        self,
        kwargs: dict[str, Any],
        kind: Kind,
        *,
        max_retries: int | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """The first 2xx response, or the error the retry policy settles on (see ``SyncSender.send``)."""
        state, request, limit = self._start(kwargs, kind, max_retries, timeout)
        http, turn = self._client(), self._turns()
        while True:
            try:
                response = await exchange_async(http, request, limit, turn)
            except httpx.HTTPError as exc:
                failure = self._failed(exc, state, limit)
            else:
                answered = self._answered(response, state)
                if answered is None:
                    return response
                failure = answered
            await self.sleep(state.next_delay(failure))

    async def close(self) -> None:
        """Close the connection pool, if this sender opened one (a caller's client stays open)."""
        self._closed = True
        if self._owns_http and self._http is not None:
            await self._http.aclose()
