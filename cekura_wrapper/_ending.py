"""Ending the calls of several results at once: the one rule clean-up follows (pure).

Suites that stop, ``wait_for_result(end_calls_on_stop=True)``, ``cekura-ws stop`` and a cancelled
CI step all end calls through ``end_calls_many``: one ``end_calls`` request per result, all in
parallel, each bounded by ``STOP_REQUEST_TIMEOUT`` and never retried, so clean-up fits in a CI
runner's cancel window (SIGTERM 7.5 s after SIGINT). One result that cannot be ended never stops
the others from being ended: its outcome carries the error instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import attrs

from ._errors import ValidationError
from ._validation import check_positive_id, describe, require_seconds

#: Seconds each ``end_calls`` request of a clean-up gets at most (they run in parallel).
STOP_REQUEST_TIMEOUT: Final = 3.0
#: Requests a sync clean-up sends at once (one thread each); more ids wait for a free one.
MAX_PARALLEL_ENDS: Final = 32


@attrs.frozen
class EndCallsOutcome:
    """What became of one result's ``end_calls`` request in ``end_calls_many``: ``error`` is
    ``None`` when Cekura accepted it, else the exception the request raised (``NotFoundError``
    for an unknown id, ``APITimeoutError`` when Cekura did not answer within the bound...)."""

    result_id: int
    error: Exception | None = None

    @property
    def ended(self) -> bool:
        """True when Cekura accepted the request: the calls are hung up, no run starts."""
        return self.error is None


def checked_ids(result_ids: object, timeout: object) -> tuple[list[int], float]:
    """Each id once, in the order given, and the per-request bound; ``ValidationError`` naming
    every bad one before any request."""
    if isinstance(result_ids, str | bytes) or not isinstance(result_ids, Iterable):
        raise ValidationError(f"result_ids must be a list of result ids, got {describe(result_ids)}")
    ids = list(result_ids)
    problems = [
        problem
        for index, result_id in enumerate(ids)
        if (problem := check_positive_id(result_id, f"result_ids[{index}]"))
    ]
    if problems:
        raise ValidationError("; ".join(problems), problems)
    return list(dict.fromkeys(ids)), require_seconds(timeout, "timeout")  # type: ignore[arg-type]


def outcome_of(result_id: int, error: BaseException | None) -> EndCallsOutcome:
    """The rule: any ``Exception`` is this id's error; an interrupt (``KeyboardInterrupt``,
    cancellation) is re-raised, since it stops the clean-up itself."""
    if error is not None and not isinstance(error, Exception):
        raise error
    return EndCallsOutcome(result_id, error)
