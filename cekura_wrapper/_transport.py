"""Sending requests: configuration, the retry policy, and failures mapped to errors.

The decisions (is this failure worth another attempt, how long to wait, may a POST have landed)
are plain functions and one small state object shared by the sync and async senders, which only
differ in how they send and sleep. The API key never reaches a message or a log record: response
bodies are redacted before they become error text, and nothing logs the generated client (whose
``repr`` holds the key).
"""

from __future__ import annotations

import enum
import ipaddress
import json
import logging
import os
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import attrs
import httpx

from cekura_api.client import AuthenticatedClient

from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CekuraError,
    RateLimitError,
    SubmissionUncertainError,
    ValidationError,
    error_from_response,
    parse_retry_after,
)
from ._plan import RunPlan
from ._polling import check_intervals, is_missed_poll
from ._results import Result, Submission, warn_if_unknown_status
from ._validation import quote

logger = logging.getLogger("cekura_wrapper")

API_KEY_ENV: Final = "CEKURA_API_KEY"
BASE_URL_ENV: Final = "CEKURA_BASE_URL"
DEFAULT_BASE_URL: Final = "https://api.cekura.ai"
#: A longer ``Retry-After`` is not slept through: the error is raised for the caller to decide.
MAX_RETRY_AFTER: Final = 60.0
_REDACTED: Final = "[redacted]"

# Failures that happen before a request leaves this machine: a POST can safely be sent again.
_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

_TIMEOUT_PHASES: Final = (
    (httpx.ConnectTimeout, "connect"),
    (httpx.ReadTimeout, "read"),
    (httpx.WriteTimeout, "write"),
    (httpx.PoolTimeout, "pool"),
)


class Kind(enum.Enum):
    """How a request may be retried."""

    READ = "read"  # idempotent: retry any transient failure
    SUBMIT = "submit"  # creates runs: retry only what cannot have reached the server


def resolve_api_key(api_key: str | None) -> str:
    """The key passed in, else ``$CEKURA_API_KEY``; a clear error (never echoing it) otherwise."""
    if api_key is None:
        api_key = os.environ.get(API_KEY_ENV)
        if not api_key or not api_key.strip():
            raise CekuraError(
                f"no Cekura API key: pass api_key= or set the {API_KEY_ENV} environment variable"
            )
    if not isinstance(api_key, str) or not api_key.strip():
        raise ValidationError(f"api_key must be a non-empty string (or set {API_KEY_ENV})")
    api_key = api_key.strip()
    if any(character.isspace() or not character.isprintable() for character in api_key):
        raise ValidationError(
            "api_key contains whitespace or control characters; check for a copy-paste error"
        )
    return api_key


def resolve_base_url(base_url: str | None) -> str:
    """The base URL passed in, else ``$CEKURA_BASE_URL``, else Cekura's; plain http only on loopback."""
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not isinstance(base_url, str) or not base_url.strip():
        raise ValidationError(f"base_url must be a non-empty URL string, got {quote(base_url)}")
    base_url = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018  (validates the port)
    except ValueError:
        raise ValidationError(f"base_url {quote(base_url)} is not a valid URL") from None
    if "@" in parts.netloc:
        raise ValidationError("base_url must not contain credentials (user:password@host)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"base_url {quote(base_url)} must be an https:// URL with a host")
    if parts.query or parts.fragment:
        raise ValidationError(f"base_url {quote(base_url)} must not carry a query or fragment")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValidationError(
            f"base_url {quote(base_url)} uses plain http, which would send the API key unencrypted; "
            "use https:// (plain http is allowed for loopback hosts only)"
        )
    return base_url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen
class Settings:
    """Validated client configuration (everything but the key)."""

    base_url: str
    timeout: float
    max_retries: int
    retry_backoff: float
    poll_interval: float
    max_poll_interval: float

    @classmethod
    def build(
        cls,
        *,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        retry_backoff: float,
        poll_interval: float,
        max_poll_interval: float,
    ) -> Settings:
        """Check every value and fill in defaults from the environment."""
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout < float("inf")
        ):
            raise ValidationError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValidationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        if (
            isinstance(retry_backoff, bool)
            or not isinstance(retry_backoff, int | float)
            or not 0 <= retry_backoff < float("inf")
        ):
            raise ValidationError(f"retry_backoff must be a number of seconds >= 0, got {retry_backoff!r}")
        check_intervals(poll_interval, max_poll_interval)
        return cls(
            base_url=resolve_base_url(base_url),
            timeout=float(timeout),
            max_retries=max_retries,
            retry_backoff=float(retry_backoff),
            poll_interval=float(poll_interval),
            max_poll_interval=float(max_poll_interval),
        )


@attrs.frozen
class Failure:
    """One failed attempt: the error to raise, and whether the request may have been processed."""

    error: CekuraError
    maybe_delivered: bool
    reason: str


def request_name(kwargs: Mapping[str, Any]) -> str:
    """``"GET /test_framework/v1/results/1/"``: how messages and logs name a request."""
    return f"{str(kwargs['method']).upper()} {kwargs['url']}"


def failure_from_exception(
    exc: httpx.HTTPError, *, name: str, settings: Settings, timeout: float | None = None
) -> Failure:
    """The failure for an exception httpx raised while sending or receiving.

    ``timeout`` is the limit the request had, when it was not ``settings.timeout``.
    """
    sent = not isinstance(exc, _NOT_SENT)
    error: CekuraError
    if isinstance(exc, httpx.TimeoutException):
        phase = next((label for cls, label in _TIMEOUT_PHASES if isinstance(exc, cls)), "request")
        limit = settings.timeout if timeout is None else timeout
        error = APITimeoutError(f"{name} timed out ({phase} timeout, limit {limit:g} s)")
        reason = f"{phase} timeout"
    else:
        error = APIConnectionError(
            f"{name} to {settings.base_url} failed: {type(exc).__name__}: {str(exc) or 'no details'} "
            "(check the base URL and the network)"
        )
        reason = "the connection dropped before a response" if sent else "connection failed"
    error.__cause__ = exc
    return Failure(error=error, maybe_delivered=sent, reason=reason)


def failure_from_response(response: httpx.Response, *, name: str, secret: str) -> Failure | None:
    """``None`` for a 2xx response, else the failure it stands for."""
    if 200 <= response.status_code < 300:
        return None
    body = redact(response.text, secret)
    error = error_from_response(
        response.status_code, body, request=name, retry_after=response.headers.get("retry-after")
    )
    return Failure(
        error=error,
        maybe_delivered=response.status_code >= 500,
        reason=f"Cekura answered {response.status_code}",
    )


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced."""
    return text.replace(secret, _REDACTED) if secret and secret in text else text


class RetryState:
    """Retry decisions for one logical request (sans I/O: it never sends or sleeps)."""

    def __init__(
        self,
        kind: Kind,
        *,
        name: str,
        max_retries: int,
        backoff: float,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self.kind = kind
        self.name = name
        self.max_retries = max_retries
        self.backoff = backoff
        self.attempt = 0
        self._random = random_fraction

    def next_delay(self, failure: Failure) -> float:
        """Seconds to wait before trying again; raises the final error when that is not safe or useful."""
        error = failure.error
        if self.kind is Kind.SUBMIT and failure.maybe_delivered:
            raise SubmissionUncertainError(failure.reason) from error
        retry_after = error.retry_after if isinstance(error, APIError) else None
        if self.kind is Kind.SUBMIT:
            # Only what cannot have created runs: a connection that never opened, or throttling.
            retryable = isinstance(error, APIConnectionError | RateLimitError)
        else:
            retryable = is_missed_poll(error)
        if (
            not retryable
            or self.attempt >= self.max_retries
            or (retry_after is not None and retry_after > MAX_RETRY_AFTER)
        ):
            raise error
        # Exponential backoff with full jitter; a server's Retry-After wins.
        delay = retry_after if retry_after is not None else self._random() * self.backoff * 2**self.attempt
        self.attempt += 1
        logger.info(
            "%s failed (%s); retry %d of %d in %.2f s",
            self.name,
            failure.reason,
            self.attempt,
            self.max_retries,
            delay,
        )
        return delay


def _decode(response: httpx.Response, *, name: str, secret: str) -> dict[str, Any]:
    try:
        payload = json.loads(response.content)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        body = redact(response.text, secret)
        raise APIError(
            f"{name} answered {response.status_code} with a body that is not a JSON object: {body[:200]!r}",
            status_code=response.status_code,
            body=body,
        )
    return payload


def read_submission(response: httpx.Response, plan: RunPlan, *, name: str, secret: str) -> Submission:
    """The ``Submission`` in a 2xx answer to the run request."""
    try:
        payload = _decode(response, name=name, secret=secret)
    except APIError as exc:
        raise SubmissionUncertainError(
            "Cekura accepted the request but its answer could not be read"
        ) from exc
    submission = Submission.from_payload(payload, planned_runs=plan.run_count)
    if submission is None:
        raise SubmissionUncertainError("Cekura accepted the request but its answer carries no result id")
    logger.debug("%s created result %d with %d runs", name, submission.result_id, submission.run_count)
    return submission


def read_result(
    response: httpx.Response, result_id: int, *, name: str, secret: str
) -> tuple[Result, float | None]:
    """The ``Result`` in a 2xx answer, with the ``Retry-After`` the server sent along (if any)."""
    result = Result.from_payload(_decode(response, name=name, secret=secret), result_id=result_id)
    warn_if_unknown_status(result.status)
    logger.debug(
        "result %d: %s, %d of %d runs done",
        result.id,
        result.status,
        result.completed_runs,
        result.total_runs,
    )
    return result, parse_retry_after(response.headers.get("retry-after"))


class _Sender:
    """What both senders share: settings, the closed flag, and turning an outcome into a failure."""

    def __init__(self, api: AuthenticatedClient, *, settings: Settings, secret: str) -> None:
        self._api = api
        self._settings = settings
        self._secret = secret
        self._opened = False
        self._closed = False

    def _start(self, kwargs: Mapping[str, Any], kind: Kind, max_retries: int | None) -> RetryState:
        if self._closed:
            raise CekuraError("this client is closed; create a new one (or use it in a with block)")
        self._opened = True
        return RetryState(
            kind,
            name=request_name(kwargs),
            max_retries=self._settings.max_retries if max_retries is None else max_retries,
            backoff=self._settings.retry_backoff,
        )

    def _failed(self, exc: httpx.HTTPError, state: RetryState, timeout: float | None) -> Failure:
        return failure_from_exception(exc, name=state.name, settings=self._settings, timeout=timeout)

    @staticmethod
    def _with_timeout(kwargs: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        """``kwargs`` with a per-request time limit, when one is given (else the client's)."""
        return kwargs if timeout is None else {**kwargs, "timeout": httpx.Timeout(timeout)}

    def _answered(self, response: httpx.Response, state: RetryState) -> Failure | None:
        return failure_from_response(response, name=state.name, secret=self._secret)


class SyncSender(_Sender):
    """Sends generated requests through the generated client's ``httpx.Client``, with retries."""

    def __init__(
        self, api: AuthenticatedClient, *, settings: Settings, secret: str, sleep: Callable[[float], object]
    ) -> None:
        super().__init__(api, settings=settings, secret=secret)
        self._sleep = sleep

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
        state = self._start(kwargs, kind, max_retries)
        http = self._api.get_httpx_client()
        request = self._with_timeout(kwargs, timeout)
        while True:
            try:
                response = http.request(**request)
            except httpx.HTTPError as exc:
                failure = self._failed(exc, state, timeout)
            else:
                answered = self._answered(response, state)
                if answered is None:
                    return response
                failure = answered
            self._sleep(state.next_delay(failure))

    def close(self) -> None:
        """Close the connection pool, if one was opened."""
        self._closed = True
        if self._opened:
            self._api.get_httpx_client().close()


class AsyncSender(_Sender):
    """The async twin of ``SyncSender``: same decisions, awaited I/O."""

    def __init__(
        self,
        api: AuthenticatedClient,
        *,
        settings: Settings,
        secret: str,
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        super().__init__(api, settings=settings, secret=secret)
        self._sleep = sleep

    async def send(
        self,
        kwargs: dict[str, Any],
        kind: Kind,
        *,
        max_retries: int | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """The first 2xx response, or the error the retry policy settles on (see ``SyncSender.send``)."""
        state = self._start(kwargs, kind, max_retries)
        http = self._api.get_async_httpx_client()
        request = self._with_timeout(kwargs, timeout)
        while True:
            try:
                response = await http.request(**request)
            except httpx.HTTPError as exc:
                failure = self._failed(exc, state, timeout)
            else:
                answered = self._answered(response, state)
                if answered is None:
                    return response
                failure = answered
            await self._sleep(state.next_delay(failure))

    async def close(self) -> None:
        """Close the connection pool, if one was opened."""
        self._closed = True
        if self._opened:
            await self._api.get_async_httpx_client().aclose()
