"""The retry policy (pure): which failures are worth another attempt, and how long to wait first.

One ``RetryState`` per logical request, shared by the sync and async senders, which only differ
in how they send and sleep. It never sends, sleeps or reads a clock, so it is tested on its own.
"""

from __future__ import annotations

import enum
import logging
import random
from collections.abc import Callable
from typing import Final

import attrs
import httpx

from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    CekuraError,
    RateLimitError,
    SubmissionUncertainError,
    is_missed_poll,
)
from ._exchange import DeadlineExceeded
from ._responses import error_from_response, parse_http_date, redact

logger = logging.getLogger("cekura_wrapper")

#: A longer ``Retry-After`` is not slept through: the error is raised for the caller to decide.
MAX_RETRY_AFTER: Final = 60.0
#: The longest backoff between two attempts (before jitter), whatever ``retry_backoff`` and the
#: attempt number: later retries are spread over this, not doubled into minutes.
MAX_BACKOFF: Final = 8.0

# Failures that happen before a request leaves this machine: a POST can safely be sent again.
_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)

_TIMEOUT_PHASES: Final = (
    (DeadlineExceeded, "total"),
    (httpx.ConnectTimeout, "connect"),
    (httpx.ReadTimeout, "read"),
    (httpx.WriteTimeout, "write"),
    (httpx.PoolTimeout, "pool"),
)


class Kind(enum.Enum):
    """How a request may be retried."""

    READ = "read"  # idempotent: retry any transient failure
    SUBMIT = "submit"  # creates runs: retry only what cannot have reached the server


@attrs.frozen
class Failure:
    """One failed attempt: the error to raise, and whether the request may have been processed."""

    error: CekuraError
    maybe_delivered: bool
    reason: str


def failure_from_exception(exc: httpx.HTTPError, *, name: str, base_url: str, limit: float) -> Failure:
    """The failure for an exception httpx raised while sending or receiving a request with ``limit`` s."""
    sent = not isinstance(exc, _NOT_SENT)
    error: CekuraError
    if isinstance(exc, httpx.TimeoutException):
        phase = next((label for cls, label in _TIMEOUT_PHASES if isinstance(exc, cls)), "request")
        error = APITimeoutError(f"{name} timed out ({phase} timeout, limit {limit:g} s)")
        reason = f"{phase} timeout"
    else:
        error = APIConnectionError(
            f"{name} to {base_url} failed: {type(exc).__name__}: {str(exc) or 'no details'} "
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
        response.status_code,
        body,
        request=name,
        retry_after=response.headers.get("retry-after"),
        secret=secret,
    )
    error.server_date = parse_http_date(response.headers.get("date"))
    if response.status_code == 404:
        error.args = (f"{error} {_where_404(response)}",)
    return Failure(
        error=error,
        maybe_delivered=response.status_code >= 500,
        reason=f"Cekura answered {response.status_code}",
    )


def _where_404(response: httpx.Response) -> str:
    """The path a 404 answered, and a word on the base URL when it adds a path of its own (a base
    URL ending in ``/test_framework/v1`` doubles the API's own prefix)."""
    path = response.request.url.path
    prefix = path.rsplit("/test_framework/", 1)[0] if "/test_framework/" in path else ""
    if prefix:
        return (
            f"[requested {path}: the base URL looks wrong, it adds {prefix!r} before the API's own "
            "paths; use the API root, e.g. https://api.cekura.ai]"
        )
    return f"[requested {path}]"


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
        # Exponential backoff (capped at MAX_BACKOFF) with full jitter; a server's Retry-After wins.
        delay = retry_after if retry_after is not None else self._random() * self.backoff_ceiling()
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

    def backoff_ceiling(self) -> float:
        """The longest wait before the next attempt: ``backoff * 2**attempt``, at most ``MAX_BACKOFF``."""
        # min() first: 2**attempt overflows a float long before max_retries could stop it.
        return min(self.backoff * 2.0 ** min(self.attempt, 64), MAX_BACKOFF)
