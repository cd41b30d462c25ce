"""``CekuraClient`` and ``AsyncCekuraClient``: the pieces composed, with no logic of their own."""

from __future__ import annotations

import asyncio
import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from ._api import build_api_client, result_request, run_request
from ._errors import ValidationError
from ._plan import ScenariosInput, plan_run
from ._polling import Poll, PollSchedule, WaitState, wait_async, wait_sync
from ._results import Result, Submission
from ._transport import (
    AsyncSender,
    Kind,
    Settings,
    SyncSender,
    read_result,
    read_submission,
    request_name,
    resolve_api_key,
)
from ._validation import check_positive_id, describe

ProgressCallback = Callable[[Result], object]


def _is_async_callable(callback: object) -> bool:
    """True for an ``async def`` (also behind ``functools.partial``) or an object with an async ``__call__``."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004  (the method, to inspect it)
    )


def _check_progress(on_progress: object, *, can_await: bool) -> None:
    """Raise ``ValidationError`` unless ``on_progress`` is ``None`` or a callback the client can call."""
    if on_progress is None:
        return
    if not callable(on_progress):
        raise ValidationError(f"on_progress must be a function taking a Result, got {describe(on_progress)}")
    if not can_await and _is_async_callable(on_progress):
        raise ValidationError(
            "on_progress is an async function, which CekuraClient cannot await (it would never run); "
            "pass a plain function, or use AsyncCekuraClient"
        )


class _ClientBase:
    """Configuration and the decisions both clients share."""

    #: Whether ``on_progress`` may be an ``async def`` (only the async client awaits it).
    _can_await = False

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        retry_backoff: float,
        poll_interval: float,
        max_poll_interval: float,
        clock: Callable[[], float],
    ) -> None:
        self._settings = Settings.build(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
        )
        self._api_key = resolve_api_key(api_key)
        # Holds the key: private, never printed.
        self._api = build_api_client(
            base_url=self._settings.base_url, api_key=self._api_key, timeout=self._settings.timeout
        )
        self._clock = clock

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._settings.base_url

    def __repr__(self) -> str:
        settings = self._settings
        return (
            f"{type(self).__name__}(base_url={settings.base_url!r}, timeout={settings.timeout:g}, "
            f"max_retries={settings.max_retries})"
        )

    def _result_kwargs(self, result_id: int) -> dict[str, object]:
        problem = check_positive_id(result_id, "result_id")
        if problem:
            raise ValidationError(problem)
        return result_request(result_id)

    def _wait_state(
        self,
        result_id: int,
        *,
        timeout: float,
        poll_interval: float | None,
        max_poll_interval: float | None,
        on_progress: ProgressCallback | None,
    ) -> WaitState:
        problem = check_positive_id(result_id, "result_id")
        if problem:
            raise ValidationError(problem)
        _check_progress(on_progress, can_await=self._can_await)
        schedule = PollSchedule(
            self._settings.poll_interval if poll_interval is None else poll_interval,
            self._settings.max_poll_interval if max_poll_interval is None else max_poll_interval,
        )
        return WaitState(
            result_id, timeout=timeout, schedule=schedule, clock=self._clock, on_progress=on_progress
        )


class CekuraClient(_ClientBase):
    """Runs Cekura evaluators against websocket agents and follows the results.

    ``api_key`` defaults to ``$CEKURA_API_KEY`` and ``base_url`` to ``$CEKURA_BASE_URL``, then
    ``https://api.cekura.ai``. ``timeout`` bounds each HTTP request; ``max_retries`` and
    ``retry_backoff`` shape retries of safe requests; ``poll_interval`` and
    ``max_poll_interval`` bound the wait between polls.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
        _clock: Callable[[], float] = time.monotonic,
        _sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            clock=_clock,
        )
        self._sleep = _sleep
        self._sender = SyncSender(self._api, settings=self._settings, secret=self._api_key, sleep=_sleep)

    def run_scenarios(
        self, scenarios: ScenariosInput, *, frequency: int, agent: int | None = None
    ) -> Submission:
        """Start a batch: every scenario against its websocket URL, ``frequency`` times each.

        Everything is validated first (``ValidationError``, nothing sent). The request is retried
        only when it cannot have reached Cekura; otherwise ``SubmissionUncertainError``.
        """
        plan = plan_run(scenarios, frequency=frequency, agent=agent)
        kwargs = run_request(plan)
        response = self._sender.send(kwargs, Kind.SUBMIT)
        return read_submission(response, plan, name=request_name(kwargs), secret=self._api_key)

    def get_result(self, result_id: int) -> Result:
        """Read a result once (transient failures are retried)."""
        return self._poll(result_id, max_retries=None)[0]

    def wait_for_result(
        self,
        result_id: int,
        *,
        timeout: float = 3600.0,
        poll_interval: float | None = None,
        max_poll_interval: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """Poll until the result is terminal, calling ``on_progress(result)`` after each poll.

        ``on_progress`` must be a plain function: an ``async def`` is refused with
        ``ValidationError`` before any request (``AsyncCekuraClient`` awaits one).

        Raises ``PollTimeoutError`` within one poll of ``timeout``; a failed poll counts as a
        missed one while time remains. Each poll's request gets at most the time left before the
        deadline (but at least ``MIN_POLL_REQUEST_TIMEOUT``, 1 s), so a server that holds its
        answer delays the error by about a second, not a whole HTTP timeout.
        """
        state = self._wait_state(
            result_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )
        limit = self._settings.timeout
        return wait_sync(
            lambda: self._poll(result_id, max_retries=0, timeout=state.request_timeout(limit)),
            state,
            self._sleep,
        )

    def run_and_wait(
        self,
        scenarios: ScenariosInput,
        *,
        frequency: int,
        agent: int | None = None,
        timeout: float = 3600.0,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """``run_scenarios`` then ``wait_for_result``."""
        _check_progress(on_progress, can_await=False)  # before the batch starts, not after
        submission = self.run_scenarios(scenarios, frequency=frequency, agent=agent)
        return self.wait_for_result(submission.result_id, timeout=timeout, on_progress=on_progress)

    def _poll(self, result_id: int, *, max_retries: int | None, timeout: float | None = None) -> Poll:
        kwargs = self._result_kwargs(result_id)
        response = self._sender.send(kwargs, Kind.READ, max_retries=max_retries, timeout=timeout)
        return read_result(response, result_id, name=request_name(kwargs), secret=self._api_key)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._sender.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncCekuraClient(_ClientBase):
    """The asyncio twin of ``CekuraClient``: same arguments, same methods, awaitable."""

    _can_await = True

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
        poll_interval: float = 1.0,
        max_poll_interval: float = 15.0,
        _clock: Callable[[], float] = time.monotonic,
        _sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            clock=_clock,
        )
        self._sleep = _sleep
        self._sender = AsyncSender(self._api, settings=self._settings, secret=self._api_key, sleep=_sleep)

    async def run_scenarios(
        self, scenarios: ScenariosInput, *, frequency: int, agent: int | None = None
    ) -> Submission:
        """See ``CekuraClient.run_scenarios``."""
        plan = plan_run(scenarios, frequency=frequency, agent=agent)
        kwargs = run_request(plan)
        response = await self._sender.send(kwargs, Kind.SUBMIT)
        return read_submission(response, plan, name=request_name(kwargs), secret=self._api_key)

    async def get_result(self, result_id: int) -> Result:
        """See ``CekuraClient.get_result``."""
        return (await self._poll(result_id, max_retries=None))[0]

    async def wait_for_result(
        self,
        result_id: int,
        *,
        timeout: float = 3600.0,
        poll_interval: float | None = None,
        max_poll_interval: float | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """See ``CekuraClient.wait_for_result``; ``on_progress`` may also be an ``async def``."""
        state = self._wait_state(
            result_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )
        limit = self._settings.timeout
        return await wait_async(
            lambda: self._poll(result_id, max_retries=0, timeout=state.request_timeout(limit)),
            state,
            self._sleep,
        )

    async def run_and_wait(
        self,
        scenarios: ScenariosInput,
        *,
        frequency: int,
        agent: int | None = None,
        timeout: float = 3600.0,
        on_progress: ProgressCallback | None = None,
    ) -> Result:
        """See ``CekuraClient.run_and_wait``."""
        _check_progress(on_progress, can_await=True)
        submission = await self.run_scenarios(scenarios, frequency=frequency, agent=agent)
        return await self.wait_for_result(submission.result_id, timeout=timeout, on_progress=on_progress)

    async def _poll(self, result_id: int, *, max_retries: int | None, timeout: float | None = None) -> Poll:
        kwargs = self._result_kwargs(result_id)
        response = await self._sender.send(kwargs, Kind.READ, max_retries=max_retries, timeout=timeout)
        return read_result(response, result_id, name=request_name(kwargs), secret=self._api_key)

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._sender.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
