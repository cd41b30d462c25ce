"""The exception hierarchy and the mapping from an HTTP response to an exception (pure).

Every message says which value or request failed and what to do next; none ever contains the
API key (the transport redacts it from response bodies before they reach this module).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import attrs

if TYPE_CHECKING:
    from ._results import Result

_MAX_BODY_IN_MESSAGE: Final = 300
#: Characters of an error message built from a response at most; problems listed at most.
MAX_MESSAGE: Final = 2000
MAX_PROBLEMS: Final = 50
_REDACTED: Final = "[redacted]"


#: Where a problem is, from the outside in, as pydantic spells it: ``("scenarios", 3, "websocket_url")``.
Loc: TypeAlias = tuple[str | int, ...]


def render_loc(loc: Loc) -> str:
    """``("scenarios", 3, "websocket_url")`` -> ``"scenarios[3].websocket_url"``; ``()`` -> ``""``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


@attrs.frozen
class Problem:
    """One thing wrong with a request: where (``loc``) and what, in words (``message``).

    A message names the field it is about ("websocket URL 'x' has no host"), not the list item;
    ``str()`` adds the item (``"scenarios[3]: websocket URL 'x' has no host"``).
    """

    loc: Loc
    message: str

    @property
    def item(self) -> Loc:
        """``loc`` up to its last list index (``("scenarios", 3)``), or ``()`` when it has none."""
        indexes = [position for position, part in enumerate(self.loc) if isinstance(part, int)]
        return self.loc[: indexes[-1] + 1] if indexes else ()

    def __str__(self) -> str:
        item = render_loc(self.item)
        return f"{item}: {self.message}" if item else self.message


class CekuraError(Exception):
    """Base class of every error this package raises."""


class ValidationError(CekuraError, ValueError):
    """Bad input, caught before any request was sent.

    ``problems`` lists every problem found, each with its location; ``errors`` the same as strings.
    """

    def __init__(self, message: str, errors: Sequence[str | Problem] | None = None) -> None:
        super().__init__(message)
        found = [message] if errors is None else errors
        self.problems: list[Problem] = [
            problem if isinstance(problem, Problem) else Problem((), problem) for problem in found
        ]
        self.errors: list[str] = [str(problem) for problem in self.problems]


class MissingAPIKeyError(ValidationError):
    """No API key was given (or an empty one): nothing was sent."""


class APIError(CekuraError):
    """Cekura answered with an error status. ``body`` is the response text."""

    def __init__(
        self, message: str, *, status_code: int, body: str, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
        #: The answer's ``Date`` (Cekura's clock), when it carried one.
        self.server_date: datetime | None = None
        #: Seconds the server asked us to wait (``Retry-After``), when it said.
        self.retry_after = retry_after


class BadRequestError(APIError):
    """400: Cekura rejected the request.

    ``field_errors`` maps each field to its messages; ``problems`` has each message once, with its
    location (``("scenarios", 1, "scenario")``), and ``summary`` is the message without them.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: str,
        field_errors: dict[str, list[str]],
        retry_after: float | None = None,
        problems: Sequence[Problem] = (),
        summary: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, body=body, retry_after=retry_after)
        self.field_errors = field_errors
        self.problems: list[Problem] = list(problems)
        self.summary = message if summary is None else summary


class UnreadableResponseError(APIError):
    """A 2xx answer whose body is not the JSON object the operation returns (a proxy's HTML page, a
    truncated or absurdly nested document). While waiting, it counts as a missed poll."""


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
        super().__init__(self._message(reason, None, ()))
        self.reason = reason
        #: Result ids that match the request, when a lookup found several.
        self.candidates: tuple[int, ...] = ()
        #: Why a lookup could not decide, when one was made.
        self.lookup: str | None = None
        #: The request's plan (a ``RunPlan``) and when it was sent (UTC), for ``find_submission``.
        self.plan: Any = None
        self.sent_at: datetime | None = None

    def looked_up(self, lookup: str, candidates: Sequence[int] = ()) -> None:
        """Record what a lookup found without deciding (several matches, or a failed lookup)."""
        self.lookup, self.candidates = lookup, tuple(candidates)
        self.args = (self._message(self.reason, lookup, self.candidates),)

    @staticmethod
    def _message(reason: str, lookup: str | None, candidates: Sequence[int]) -> str:
        looked = f"; looked it up: {lookup}" if lookup else ""
        found = f" (results {', '.join(map(str, candidates))}; none was picked)" if candidates else ""
        return (
            f"the run request may have reached Cekura ({reason}) and was not retried, because "
            f"resending could start a second batch{looked}{found}. Check the results list "
            "(cekura-ws results, or the Cekura dashboard) for a result created just now before submitting again."
        )


class SubmissionNotCreatedError(CekuraError):
    """The run request failed and a lookup found that Cekura created nothing: submitting the same
    batch again is safe (and not done automatically)."""

    def __init__(self, reason: str, *, looked_for: float) -> None:
        super().__init__(
            f"the run request failed ({reason}); looked for the batch on Cekura for {looked_for:.0f} s and "
            "it was not created, so nothing runs and submitting it again is safe"
        )
        self.reason = reason


class PollTimeoutError(CekuraError, TimeoutError):
    """The result did not reach a terminal status before the deadline.

    ``result`` is the last result read (``None`` if no poll succeeded); the batch keeps running.
    """

    def __init__(
        self, result_id: int, timeout: float, result: Result | None, *, elapsed: float | None = None
    ) -> None:
        from ._display import shown  # imported here: _display imports this module's users

        status = shown(result.status, limit=64) if result is not None else "unknown (no poll succeeded)"
        waited = timeout if elapsed is None else elapsed
        super().__init__(
            f"result {result_id} was still {status} after {waited:.1f} s of waiting (timeout {timeout:g} s); "
            "it keeps running on Cekura: wait again with a longer timeout, or check it later"
        )
        self.result_id = result_id
        self.timeout = timeout
        #: Seconds that actually passed from the start of the wait to giving up.
        self.elapsed = waited
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
    if isinstance(exc, UnreadableResponseError):
        return True
    if isinstance(exc, APIError):
        code = exc.status_code
        return code in (408, 429) or (code >= 500 and code != 501)
    return False


def redact(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` (the API key) replaced, however it is encoded
    (plain, JSON-escaped, percent-encoded: see ``_display``)."""
    from ._display import without_secrets  # imported here: _display imports this module's users

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


#: Characters of a response body kept on an exception (``body``) at most.
MAX_BODY: Final = 64 * 1024


def _shown_error(error: APIError, secret: str) -> APIError:
    """``error`` with its message on one line and the key removed from it and from ``body`` in every
    encoding: both may be printed or logged as they are."""
    from ._display import scrubbed, shown

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
