"""The emulator's responses against openapi.yaml, and no request body making it answer 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_check import assert_matches_spec

from cekura_wrapper.testing import AgentThread, CekuraEmulator

RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
HTTP = httpx.Client(timeout=10)


def post(emulator: CekuraEmulator, body: Any) -> httpx.Response:
    return HTTP.post(emulator.base_url + RUN_PATH, json=body, headers={"X-CEKURA-API-KEY": emulator.api_key})


def get_result(emulator: CekuraEmulator, result_id: int) -> httpx.Response:
    return HTTP.get(
        f"{emulator.base_url}/test_framework/v1/results/{result_id}/",
        headers={"X-CEKURA-API-KEY": emulator.api_key},
    )


def wait_until_terminal(emulator: CekuraEmulator, result_id: int) -> list[httpx.Response]:
    """Poll until completed or failed; every response is kept so each can be validated."""
    seen = [get_result(emulator, result_id)]
    while seen[-1].json()["status"] not in ("completed", "failed"):
        assert len(seen) < 10_000, "result never reached a final status"
        seen.append(get_result(emulator, result_id))
    return seen


def test_run_and_every_poll_match_the_spec_with_real_conversations(emulator: CekuraEmulator) -> None:
    with AgentThread("helpful") as agent:
        body = {
            "frequency": 2,
            "scenarios": [
                {"scenario": 101, "websocket_url": agent.url},
                {"scenario": 102, "websocket_url": "ws://127.0.0.1:9/unreachable"},
            ],
        }
        created = post(emulator, body)
        assert created.status_code == 201
        assert_matches_spec("POST", RUN_PATH, created, body)
        polls = wait_until_terminal(emulator, created.json()["id"])

    path = f"/test_framework/v1/results/{created.json()['id']}/"
    for poll in polls:
        assert poll.status_code == 200
        assert_matches_spec("GET", path, poll)
    final = polls[-1].json()
    assert sorted(final["runs"]) == sorted(str(run["id"]) for run in created.json()["runs"])
    assert (final["total_runs_count"], final["success_runs_count"], final["failed_runs_count"]) == (
        "4",
        "2",
        "2",
    )
    assert final["status"] == "completed"


def test_error_responses_match_the_spec(offline_emulator: CekuraEmulator) -> None:
    bad = post(offline_emulator, {"scenarios": []})
    assert bad.status_code == 400
    assert_matches_spec("POST", RUN_PATH, bad, {"scenarios": []})
    missing = get_result(offline_emulator, 987654)
    assert missing.status_code == 404
    assert_matches_spec("GET", "/test_framework/v1/results/987654/", missing)


def test_a_spec_violation_is_caught_by_the_check() -> None:
    """Guards the guard: a 201 body with a string id must fail validation."""
    response = httpx.Response(201, json={"id": "one", "agent": 1, "status": "pending", "runs": []})
    with pytest.raises(Exception, match=r"(?i)invalid|valid"):
        assert_matches_spec("POST", RUN_PATH, response, {"frequency": 1, "scenarios": []})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
urls = st.sampled_from(
    ["ws://127.0.0.1:9/a", "wss://agent.test/x", "http://a/", "ws://", "ws://h:99999/", "", " "]
)
scenario_items = st.fixed_dictionaries(
    {},
    optional={
        "scenario": st.sampled_from([101, 102, 0, -1, 999, "101", True, None, 1.5]),
        "websocket_url": urls | json_values,
    },
)
near_valid_bodies = st.fixed_dictionaries(
    {},
    optional={
        "frequency": st.integers(-5, 120) | json_values,
        "scenarios": st.lists(scenario_items | json_values, max_size=4) | json_values,
        "agent": st.none() | st.integers(-2, 5) | json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=near_valid_bodies | json_values)
def test_no_json_body_gets_a_server_error(offline_emulator: CekuraEmulator, body: Any) -> None:
    response = post(offline_emulator, body)
    assert response.status_code in (201, 400), response.text
    payload = response.json()
    if response.status_code == 400:
        assert isinstance(payload, dict) and payload
        assert all(isinstance(messages, list) and messages for messages in payload.values())
        assert all(isinstance(message, str) for messages in payload.values() for message in messages)
    else:
        assert_matches_spec("POST", RUN_PATH, response, body)
        assert len(payload["runs"]) == len(body["scenarios"]) * body["frequency"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=64) | st.sampled_from([b"[" * 5_000, b'{"frequency": 1e999}', b"\xff\xfe"]),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", ""]),
)
def test_no_raw_body_gets_a_server_error(
    offline_emulator: CekuraEmulator, raw: bytes, content_type: str
) -> None:
    headers = {"X-CEKURA-API-KEY": offline_emulator.api_key}
    if content_type:
        headers["Content-Type"] = content_type
    response = HTTP.post(offline_emulator.base_url + RUN_PATH, content=raw, headers=headers)
    assert response.status_code in (400, 415), response.text
    assert isinstance(response.json(), dict)
