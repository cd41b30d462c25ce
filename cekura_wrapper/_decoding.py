"""Reading Cekura's 2xx answers into the types of ``_results``: a JSON object, else a clear error.

A poll of a result that is still running reads only its status and counts (msgspec skips the
rest of the body without building it); the whole body is decoded when the result is terminal,
or when something asks for a field the poll did not read (``Result.raw``, ``Result.runs``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any, Final

import httpx
import msgspec

from ._errors import APIError, SubmissionUncertainError, UnreadableResponseError
from ._responses import parse_retry_after, redact
from ._results import TERMINAL_STATUSES, Result, Submission, normalize_status, warn_if_unknown_status

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


class _Progress(msgspec.Struct):
    """The top-level fields a poll reads; every other field (``runs`` above all) is skipped."""

    id: Any = msgspec.UNSET
    name: Any = msgspec.UNSET
    agent: Any = msgspec.UNSET
    status: Any = msgspec.UNSET
    success_rate: Any = msgspec.UNSET
    total_runs_count: Any = msgspec.UNSET
    completed_runs_count: Any = msgspec.UNSET
    success_runs_count: Any = msgspec.UNSET
    failed_runs_count: Any = msgspec.UNSET
    created_at: Any = msgspec.UNSET
    updated_at: Any = msgspec.UNSET


_PROGRESS_DECODER: Final = msgspec.json.Decoder(_Progress)


class LazyPayload(Mapping[str, Any]):
    """A result's JSON object of which only the progress fields are decoded until more is asked for.

    Any other key decodes the whole body once (an unreadable one raises
    ``UnreadableResponseError`` then, as ``get_result`` would have).
    """

    def __init__(self, progress: dict[str, Any], response: httpx.Response, *, name: str, secret: str) -> None:
        self._progress = progress
        self._response: httpx.Response | None = response
        self._name, self._secret = name, secret
        self._full: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._full is None:
            assert self._response is not None
            self._full = decode_object(self._response, name=self._name, secret=self._secret)
            self._response = None  # the body is no longer needed
        return self._full

    def __getitem__(self, key: str) -> Any:
        if key in self._progress:
            return self._progress[key]
        if key in _Progress.__struct_fields__:
            raise KeyError(key)  # read by the poll and absent from the body
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


def read_progress(response: httpx.Response, *, name: str, secret: str) -> Mapping[str, Any]:
    """The result's object, decoded in full only when its status is terminal (or unreadable)."""
    try:
        progress = _PROGRESS_DECODER.decode(response.content)
    except (msgspec.DecodeError, RecursionError):
        return decode_object(response, name=name, secret=secret)  # raises the precise error
    fields = {
        field: value
        for field in _Progress.__struct_fields__
        if (value := getattr(progress, field)) is not msgspec.UNSET
    }
    if normalize_status(fields.get("status")) in TERMINAL_STATUSES:
        return decode_object(response, name=name, secret=secret)
    return LazyPayload(fields, response, name=name, secret=secret)


def read_result(
    response: httpx.Response, result_id: int, *, name: str, secret: str
) -> tuple[Result, float | None]:
    """The ``Result`` in a 2xx answer, with the ``Retry-After`` the server sent along (if any)."""
    result = Result.from_payload(read_progress(response, name=name, secret=secret), result_id=result_id)
    warn_if_unknown_status(result.status)
    logger.debug(
        "result %d: %s, %d of %d runs done",
        result.id,
        result.status,
        result.completed_runs,
        result.total_runs,
    )
    return result, parse_retry_after(response.headers.get("retry-after"))
