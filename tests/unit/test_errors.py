"""Mapping responses to errors, Retry-After, and what each error says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from cekura_wrapper import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CekuraError,
    NotFoundError,
    PermissionDeniedError,
    PollTimeoutError,
    Problem,
    RateLimitError,
    Result,
    ServerError,
    SubmissionUncertainError,
    ValidationError,
)
from cekura_wrapper._errors import render_loc
from cekura_wrapper._responses import (
    error_from_response,
    field_errors_from_body,
    parse_http_date,
    parse_retry_after,
    problems_from_body,
)

REQUEST = "GET /test_framework/v1/results/12/"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (520, ServerError),
        (599, ServerError),
        (409, APIError),
        (499, APIError),
    ],
)
def test_status_codes_map_to_error_classes(status: int, cls: type[APIError]) -> None:
    error = error_from_response(status, '{"detail": "nope"}', request=REQUEST)
    assert type(error) is cls
    assert error.status_code == status
    assert error.body == '{"detail": "nope"}'
    assert str(error).startswith(f"{REQUEST} failed with {status} ")
    assert "nope" in str(error)


def test_every_error_is_a_cekura_error() -> None:
    for cls in (
        ValidationError,
        APIError,
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        RateLimitError,
        ServerError,
        APIConnectionError,
        APITimeoutError,
        SubmissionUncertainError,
        PollTimeoutError,
    ):
        assert issubclass(cls, CekuraError)
    assert issubclass(ValidationError, ValueError)
    assert issubclass(PollTimeoutError, TimeoutError)


def test_401_says_to_check_the_key_variable() -> None:
    assert "CEKURA_API_KEY" in str(error_from_response(401, '{"detail": "Invalid API key"}', request=REQUEST))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"frequency": ["Ensure this value is less than or equal to 100."], "agent": ["Required."]},
            {"frequency": ["Ensure this value is less than or equal to 100."], "agent": ["Required."]},
        ),
        (
            ["Agent does not have a websocket URL"],
            {"non_field_errors": ["Agent does not have a websocket URL"]},
        ),
        ({"detail": "Scenario 9 not found"}, {"non_field_errors": ["Scenario 9 not found"]}),
        (
            {"scenarios": [{}, {"websocket_url": ["Enter a valid URL."]}]},
            {"scenarios": ["[1].websocket_url: Enter a valid URL."]},
        ),
    ],
    ids=["fields", "bare-list", "detail", "nested"],
)
def test_400_field_errors_from_all_three_shapes(body: object, expected: dict[str, list[str]]) -> None:
    import json

    error = error_from_response(400, json.dumps(body), request="POST /x/")
    assert isinstance(error, BadRequestError)
    assert error.field_errors == expected
    for messages in expected.values():
        for message in messages:
            assert message in str(error)


def test_400_with_a_non_json_body_keeps_the_text() -> None:
    error = error_from_response(400, "<html>Bad Request</html>", request="POST /x/")
    assert isinstance(error, BadRequestError)
    assert error.field_errors == {"non_field_errors": ["<html>Bad Request</html>"]}


def test_long_bodies_are_shortened_in_the_message_but_kept_whole() -> None:
    body = "x" * 5000
    error = error_from_response(502, body, request=REQUEST)
    assert len(str(error)) < 500
    assert error.body == body


def test_field_errors_of_nothing_is_empty() -> None:
    assert field_errors_from_body(None) == {}


NOW = datetime(2026, 11, 29, 4, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 1.5 ", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
        ("Sun, 29 Nov 2026 04:01:00 GMT", 60.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_retry_after_seconds_or_http_date(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


def test_retry_after_reads_dates_as_the_date_header_does() -> None:
    date = "Sun, 29 Nov 2026 04:01:00 GMT"
    moment = parse_http_date(date)
    assert moment is not None
    assert parse_retry_after(date, now=NOW) == (moment - NOW).total_seconds() == 60.0
    padded = date.replace(" ", " " * 12)  # still a date to the parser, but longer than any real one
    assert parse_http_date(padded) is None
    assert parse_retry_after(padded, now=NOW) is None


def test_429_carries_retry_after_and_says_so() -> None:
    error = error_from_response(429, "{}", request=REQUEST, retry_after="12")
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 12.0
    assert "wait 12 s" in str(error)


def test_submission_uncertain_says_what_happened_and_how_to_check() -> None:
    message = str(SubmissionUncertainError("Cekura answered 500"))
    assert "may have reached Cekura" in message
    assert "not retried" in message
    assert "Cekura answered 500" in message
    assert "before submitting again" in message


def test_poll_timeout_carries_the_last_result() -> None:
    last = Result.from_payload({"id": 3, "status": "running"})
    error = PollTimeoutError(3, 60.0, last)
    assert error.result_id == 3 and error.result is last
    assert "result 3 was still running after 60.0 s of waiting (timeout 60 s)" in str(error)
    assert "after 61.5 s of waiting" in str(PollTimeoutError(3, 60.0, last, elapsed=61.5))
    assert "no poll succeeded" in str(PollTimeoutError(3, 60.0, None))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"agent": ["This field is required."]}, [Problem(("agent",), "This field is required.")]),
        (
            {"scenarios": ['Item 1: Invalid pk "999" - scenario does not exist.']},
            [Problem(("scenarios", 1), 'Invalid pk "999" - scenario does not exist.')],
        ),
        (  # nested serializer errors: one object per item, {} for the good ones
            {"scenarios": [{}, {"websocket_url": ["Enter a valid URL."]}]},
            [Problem(("scenarios", 1, "websocket_url"), "Enter a valid URL.")],
        ),
        (  # a list field's errors keyed by index
            {"scenarios": {"2": {"scenario": ["Invalid pk."]}}},
            [Problem(("scenarios", 2, "scenario"), "Invalid pk.")],
        ),
        (["Agent does not have a websocket URL"], [Problem((), "Agent does not have a websocket URL")]),
        ({"detail": "Agent is required."}, [Problem((), "Agent is required.")]),
        ({"non_field_errors": ["Item x: not an index"]}, [Problem((), "Item x: not an index")]),
        ("", []),
    ],
)
def test_400_problems_carry_their_location_once(body: object, expected: list[Problem]) -> None:
    assert problems_from_body(body) == expected


def test_a_400_error_has_its_problems_and_a_summary_without_them() -> None:
    error = error_from_response(
        400, json.dumps({"scenarios": ["Item 0: bad"]}), request="POST /test_framework/v1/x/"
    )
    assert isinstance(error, BadRequestError)
    assert error.problems == [Problem(("scenarios", 0), "bad")]
    assert error.summary == "POST /test_framework/v1/x/ failed with 400 Bad Request"
    assert "bad" not in error.summary and "Item 0: bad" in str(error)


def test_locations_render_like_python_access_paths() -> None:
    assert render_loc(("scenarios", 3, "websocket_url")) == "scenarios[3].websocket_url"
    assert render_loc(()) == ""
    assert str(Problem(("scenarios", 3, "websocket_url"), "websocket URL 'x' has no host")) == (
        "scenarios[3]: websocket URL 'x' has no host"
    )
    assert (
        str(Problem(("frequency",), "frequency must be in 1..100, got 0"))
        == "frequency must be in 1..100, got 0"
    )
