"""The exception hierarchy: what each error is and what its message says (pure).

Every message says which value or request failed and what to do next; none ever contains the
API key. Turning an HTTP response into one of these errors is ``_responses``' job.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

if TYPE_CHECKING:
    from ._results import Result

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
