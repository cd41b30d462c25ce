"""The retry policy on its own: backoff, its ceiling, and what a failure allows (no I/O)."""

from __future__ import annotations

import pytest

from cekura_wrapper import APIConnectionError, NotFoundError, SubmissionUncertainError
from cekura_wrapper._retry import MAX_BACKOFF, Failure, Kind, RetryState


def connection_failure(*, sent: bool = False) -> Failure:
    return Failure(APIConnectionError("refused"), maybe_delivered=sent, reason="connection failed")


def test_backoff_doubles_then_stops_at_the_ceiling() -> None:
    state = RetryState(Kind.READ, name="GET /x/", max_retries=100, backoff=0.5, random_fraction=lambda: 1.0)
    delays = [state.next_delay(connection_failure()) for _ in range(100)]
    assert delays[:5] == [0.5, 1.0, 2.0, 4.0, 8.0]
    assert MAX_BACKOFF == 8.0
    assert max(delays) == MAX_BACKOFF  # the 100th retry waits no longer than the 5th (no overflow either)
    assert delays[-1] == MAX_BACKOFF


def test_a_large_base_is_capped_too_and_jitter_scales_the_capped_wait() -> None:
    state = RetryState(Kind.READ, name="GET /x/", max_retries=3, backoff=30.0, random_fraction=lambda: 0.25)
    assert state.next_delay(connection_failure()) == 0.25 * MAX_BACKOFF


def test_retries_stop_at_max_retries_with_the_last_error() -> None:
    state = RetryState(Kind.READ, name="GET /x/", max_retries=1, backoff=0.0)
    assert state.next_delay(connection_failure()) == 0.0
    failure = connection_failure()
    with pytest.raises(APIConnectionError) as caught:
        state.next_delay(failure)
    assert caught.value is failure.error


def test_a_submission_that_may_have_landed_is_never_retried() -> None:
    state = RetryState(Kind.SUBMIT, name="POST /run/", max_retries=5, backoff=0.0)
    with pytest.raises(SubmissionUncertainError):
        state.next_delay(connection_failure(sent=True))


def test_a_404_is_not_worth_another_attempt() -> None:
    error = NotFoundError("gone", status_code=404, body="")
    state = RetryState(Kind.READ, name="GET /x/", max_retries=5, backoff=0.0)
    with pytest.raises(NotFoundError):
        state.next_delay(Failure(error, maybe_delivered=False, reason="Cekura answered 404"))
