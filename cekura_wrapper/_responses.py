"""From an HTTP answer to what it means: its dates and ``Retry-After``, and the error (pure).

``error_from_response`` maps an error status and its body to the class of ``_errors`` that stands
for it, with a message that names the request; ``parse_http_date`` is the one reader of HTTP dates
(the ``Date`` header and the date form of ``Retry-After``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final

from ._display import scrubbed, shown, without_secrets
from ._errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    Loc,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    RateLimitError,
    ServerError,
)

_MAX_BODY_IN_MESSAGE: Final = 300
#: Characters of an error message built from a response at most; problems listed at most.
MAX_MESSAGE: Final = 2000
MAX_PROBLEMS: Final = 50
#: Characters of a response body kept on an exception (``body``) at most.
MAX_BODY: Final = 64 * 1024

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


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` (the API key) replaced, however it is encoded
    (plain, JSON-escaped, percent-encoded: see ``_display``)."""
    return without_secrets(text, (secret,)) if secret else text


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date header (``Wed, 02 Dec 2026 18:00:00 GMT``) as an aware datetime, else ``None``."""
    if not value or len(value) > 64:
        return None
    from email.utils import parsedate_to_datetime  # imported here: costs ~10 ms at package import

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
    when = parse_http_date(value)
    if when is None:
        return None
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


#: How a message about one list item starts in some 400 bodies: ``"Item 3: ..."``.
_ITEM_PREFIX: Final = "Item "
_NON_FIELD_KEYS: Final = frozenset({"detail", "non_field_errors"})


def problems_from_body(payload: Any, loc: Loc = ()) -> list[Problem]:
    """Each message of a 400 body once, with where it points.

    Handles ``{"field": ["msg"]}``, nested items as a list of objects (``[{}, {"scenario": [...]}]``)
    or an object keyed by index (``{"1": {...}}``), messages that start with ``"Item N: "``, a bare
    list of messages and ``{"detail": "msg"}`` (those two point at the request as a whole, ``()``).
    """
    if isinstance(payload, dict):
        problems: list[Problem] = []
        for key, value in payload.items():
            text = str(key)
            part: str | int = int(text) if text.isdigit() else text
            problems += problems_from_body(value, loc if text in _NON_FIELD_KEYS else (*loc, part))
        return problems
    if isinstance(payload, list):
        if any(isinstance(item, dict) for item in payload):
            return [
                problem
                for index, item in enumerate(payload)
                for problem in problems_from_body(item, (*loc, index))
            ]
        return [problem for item in payload for problem in problems_from_body(item, loc)]
    if payload is None or payload == "":
        return []
    return [_item_problem(str(payload), loc)]


def _item_problem(message: str, loc: Loc) -> Problem:
    """``"Item 3: msg"`` at ``loc`` -> ``msg`` at ``(*loc, 3)``; any other message as it is."""
    if message.startswith(_ITEM_PREFIX):
        number, separator, rest = message[len(_ITEM_PREFIX) :].partition(": ")
        if separator and number.isdigit() and len(number) < 10:
            return Problem((*loc, int(number)), rest)
    return Problem(loc, message)


def _decode_json(body: str) -> Any:
    """The JSON in ``body``, or ``None`` (not JSON, or nested too deeply to decode)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def _redacted(payload: Any, secret: str) -> Any:
    """``payload`` with ``secret`` replaced in every string (keys included)."""
    if not secret:
        return payload
    if isinstance(payload, str):
        return redact(payload, secret)
    if isinstance(payload, dict):
        return {_redacted(key, secret): _redacted(value, secret) for key, value in payload.items()}
    if isinstance(payload, list):
        return [_redacted(item, secret) for item in payload]
    return payload


def _summary(payload: Any, body: str) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("detail"), str):
        return _bounded(str(payload["detail"]), _MAX_BODY_IN_MESSAGE)
    text = " ".join(body.split())
    if len(text) > _MAX_BODY_IN_MESSAGE:
        text = text[: _MAX_BODY_IN_MESSAGE - 3] + "..."
    return text


def _reason(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Unknown Status"


def _bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_from_response(
    status_code: int, body: str, *, request: str, retry_after: str | None = None, secret: str = ""
) -> APIError:
    """The exception for an error response; ``request`` names it (``"GET /path/"``).

    ``secret`` (the API key) is redacted from everything decoded out of the body too: a key echoed
    with JSON escapes (``sk\\/live``) only reads as the key once decoded. Messages are bounded.
    """
    try:
        payload = _redacted(_decode_json(body), secret)
        error = _error(status_code, body, payload, request=request, retry_after=retry_after)
    except RecursionError:  # nested too deeply for the helpers that walk it: read as plain text
        error = _error(status_code, body, None, request=request, retry_after=retry_after)
    return _shown_error(error, secret)


def _shown_error(error: APIError, secret: str) -> APIError:
    """``error`` with its message on one line and the key removed from it and from ``body`` in every
    encoding: both may be printed or logged as they are."""
    secrets = (secret,) if secret else ()
    error.args = (shown(str(error), secrets, limit=MAX_MESSAGE),)
    error.body = scrubbed(error.body, secrets, limit=MAX_BODY)
    if isinstance(error, BadRequestError):
        error.summary = shown(error.summary, secrets)
        error.problems = [Problem(problem.loc, shown(problem.message, secrets)) for problem in error.problems]
        error.field_errors = {
            shown(field, secrets): [shown(message, secrets) for message in messages]
            for field, messages in error.field_errors.items()
        }
    return error


def _error(status_code: int, body: str, payload: Any, *, request: str, retry_after: str | None) -> APIError:
    wait = parse_retry_after(retry_after)
    head = f"{request} failed with {status_code} {_reason(status_code)}"
    if status_code == 400:
        field_errors = field_errors_from_body(payload if payload is not None else body)
        details = "; ".join(
            f"{field}: {' '.join(messages)}" if field != "non_field_errors" else " ".join(messages)
            for field, messages in field_errors.items()
        )
        problems = problems_from_body(payload if payload is not None else body)
        if len(problems) > MAX_PROBLEMS:
            left_out = len(problems) - MAX_PROBLEMS
            problems = [*problems[:MAX_PROBLEMS], Problem((), f"{left_out} more problems left out")]
        return BadRequestError(
            _bounded(f"{head}: {details or _summary(payload, body)}"),
            status_code=status_code,
            body=body,
            field_errors=field_errors,
            retry_after=wait,
            problems=[Problem(problem.loc, _bounded(problem.message, 500)) for problem in problems],
            summary=head,
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
