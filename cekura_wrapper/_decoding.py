"""Reading Cekura's 2xx answers into the types of ``_results``: a JSON object, else a clear error."""

from __future__ import annotations

import json
import logging
from typing import Any, Final

import httpx

from ._errors import APIError, SubmissionUncertainError, UnreadableResponseError, parse_retry_after, redact
from ._results import Result, Submission, warn_if_unknown_status

logger = logging.getLogger("cekura_wrapper")

#: Characters of an unreadable body kept on the error.
MAX_BODY_SHOWN: Final = 4096


def decode_object(response: httpx.Response, *, name: str, secret: str) -> dict[str, Any]:
    """The JSON object in ``response``'s body; ``APIError`` (the key redacted) for anything else."""
    try:
        payload = json.loads(response.content)
        problem = "is not a JSON object"
    except RecursionError:
        payload, problem = None, "nests JSON too deeply to read"
    except ValueError:
        payload, problem = None, "is not JSON"
    if not isinstance(payload, dict):
        body = redact(response.text[:MAX_BODY_SHOWN], secret)
        raise UnreadableResponseError(
            f"{name} answered {response.status_code} with a body that {problem}: {body[:200]!r}",
            status_code=response.status_code,
            body=body,
        )
    return payload


def read_submission(response: httpx.Response, *, planned_runs: int, name: str, secret: str) -> Submission:
    """The ``Submission`` in a 2xx answer to the run request."""
    try:
        payload = decode_object(response, name=name, secret=secret)
    except APIError as exc:
        raise SubmissionUncertainError(
            "Cekura accepted the request but its answer could not be read"
        ) from exc
    submission = Submission.from_payload(payload, planned_runs=planned_runs)
    if submission is None:
        raise SubmissionUncertainError("Cekura accepted the request but its answer carries no result id")
    logger.debug("%s created result %d with %d runs", name, submission.result_id, submission.run_count)
    return submission


def read_result(
    response: httpx.Response, result_id: int, *, name: str, secret: str
) -> tuple[Result, float | None]:
    """The ``Result`` in a 2xx answer, with the ``Retry-After`` the server sent along (if any)."""
    result = Result.from_payload(decode_object(response, name=name, secret=secret), result_id=result_id)
    warn_if_unknown_status(result.status)
    logger.debug(
        "result %d: %s, %d of %d runs done",
        result.id,
        result.status,
        result.completed_runs,
        result.total_runs,
    )
    return result, parse_retry_after(response.headers.get("retry-after"))
