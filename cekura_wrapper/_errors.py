"""The exception hierarchy and the mapping from an HTTP response to an exception (pure).

Every message says which value or request failed and what to do next; none ever contains the
API key (the transport redacts it from response bodies before they reach this module).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ._results import Result

_MAX_BODY_IN_MESSAGE: Final = 300
_REDACTED: Final = "[redacted]"


class CekuraError(Exception):
    """Base class of every error this package raises."""


class ValidationError(CekuraError, ValueError):
    """Bad input, caught before any request was sent. ``errors`` lists every problem found."""

    def __init__(self, message: str, errors: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.errors: list[str] = list(errors) if errors is not None else [message]


class APIError(CekuraError):
    """Cekura answered with an error status. ``body`` is the response text."""

    def __init__(
        self, message: str, *, status_code: int, body: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        #: Seconds the server asked us to wait (``Retry-After``), when it said.
        self.retry_after = retry_after


class BadRequestError(APIError):
    """400: Cekura rejected the request. ``field_errors`` maps each field to its messages."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str,
        field_errors: dict[str, list[str]],
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, body=body, retry_after=retry_after)
        self.field_errors = field_errors


class AuthenticationError(APIError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIError):
    """403: the API key may not do this."""


class NotFoundError(APIError):
    """404: no such result (or endpoint)."""


class RateLimitError(APIError):
    """429: throttled; ``retry_after`` says how long Cekura asked us to wait, when it did."""


class ServerError(APIError):
    """5xx: Cekura (or a proxy in front of it) failed."""


class APIConnectionError(CekuraError):
    """The request could not be completed: connection refused, reset, DNS, TLS..."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class SubmissionUncertainError(CekuraError):
    """The run request may have reached Cekura, so it was not retried.

    Resubmitting blindly could start the same batch twice; check first.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the run request may have reached Cekura ({reason}) and was not retried, because "
            "resending could start a second batch. Check the results list in the Cekura dashboard "
            "(or GET /test_framework/v1/results/) for a result created just now before submitting again."
        )
        self.reason = reason


class PollTimeoutError(CekuraError, TimeoutError):
    """The result did not reach a terminal status before the deadline.

    ``result`` is the last result read (``None`` if no poll succeeded); the batch keeps running.
    """

    def __init__(self, result_id: int, timeout: float, result: Result | None) -> None:
        status = result.status if result is not None else "unknown (no poll succeeded)"
        super().__init__(
            f"result {result_id} was still {status} after {timeout:g} s; it keeps running on "
            f"Cekura: wait again with a longer timeout, or check it later"
        )
        self.result_id = result_id
        self.timeout = timeout
        self.result = result


_HINTS: Final[dict[int, str]] = {
    401: "check the API key (CEKURA_API_KEY)",
    403: "this API key may not do that; check its permissions and organisation",
    404: "check the id",
    429: "Cekura is throttling requests; wait and try again",
}

_STATUS_CLASSES: Final[dict[int, type[APIError]]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def is_missed_poll(exc: BaseException) -> bool:
    """True for failures worth another poll: network trouble, throttling, 408 and 5xx (not 501)."""
    if isinstance(exc, APIConnectionError):
        return True
    if isinstance(exc, APIError):
        code = exc.status_code
        return code in (408, 429) or (code >= 500 and code != 501)
    return False


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` (the API key) replaced."""
    return text.replace(secret, _REDACTED) if secret and secret in text else text


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), else ``None``."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    from email.utils import parsedate_to_datetime  # imported here: costs ~10 ms at package import

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def field_errors_from_body(payload: Any) -> dict[str, list[str]]:
    """Field -> messages from any of the three 400 shapes Cekura uses.

    ``{"field": ["msg"]}`` (the spec), a bare list of messages and ``{"detail": "msg"}``; messages
    not tied to a field are filed under ``"non_field_errors"``.
    """
    if isinstance(payload, dict):
        errors: dict[str, list[str]] = {}
        for field, messages in payload.items():
            name = "non_field_errors" if field == "detail" else str(field)
            errors.setdefault(name, []).extend(_flatten_messages(messages))
        return errors
    if isinstance(payload, list):
        return {"non_field_errors": _flatten_messages(payload)}
    if isinstance(payload, str) and payload:
        return {"non_field_errors": [payload]}
    return {}


def _flatten_messages(messages: Any, prefix: str = "") -> list[str]:
    """Messages from a value that may nest lists and dicts (errors per list item)."""
    if isinstance(messages, list):
        flat: list[str] = []
        for index, item in enumerate(messages):
            nested_prefix = f"{prefix}[{index}]" if isinstance(item, dict) else prefix
            flat.extend(_flatten_messages(item, nested_prefix))
        return flat
    if isinstance(messages, dict):
        flat = []
        for key, value in messages.items():
            flat.extend(_flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    text = str(messages)
    return [f"{prefix.lstrip('.')}: {text}" if prefix else text]


def _decode_json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _summary(payload: Any, body: str) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
        return str(payload["detail"])
    text = " ".join(body.split())
    if len(text) > _MAX_BODY_IN_MESSAGE:
        text = text[: _MAX_BODY_IN_MESSAGE - 3] + "..."
    return text


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Unknown Status"


def error_from_response(
    status_code: int, body: str, *, request: str, retry_after: str | None = None
) -> APIError:
    """The exception for an error response; ``request`` names it (``"GET /path/"``)."""
    payload = _decode_json(body)
    wait = parse_retry_after(retry_after)
    head = f"{request} failed with {status_code} {_reason(status_code)}"
    if status_code == 400:
        field_errors = field_errors_from_body(payload if payload is not None else body)
        details = "; ".join(
            f"{field}: {' '.join(messages)}" if field != "non_field_errors" else " ".join(messages)
            for field, messages in field_errors.items()
        )
        return BadRequestError(
            f"{head}: {details or _summary(payload, body)}",
            status_code=status_code,
            body=body,
            field_errors=field_errors,
            retry_after=wait,
        )
    detail = _summary(payload, body)
    message = f"{head}: {detail}" if detail else head
    hint = _HINTS.get(status_code)
    if status_code == 429 and wait is not None:
        hint = f"Cekura asked to wait {wait:g} s"
    if hint:
        message = f"{message} ({hint})"
    cls = _STATUS_CLASSES.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else APIError
    return cls(message, status_code=status_code, body=body, retry_after=wait)
