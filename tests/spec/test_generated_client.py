"""The generated client on the wire and on real payloads."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from packaging.requirements import Requirement
from packaging.version import Version
from ruamel.yaml import YAML

from cekura_api.api.evaluators import run_scenarios_with_websockets
from cekura_api.api.results import get_result
from cekura_api.client import AuthenticatedClient
from cekura_api.models import (
    ResultDetailV2,
    ResultStatus,
    RunScenariosWithWebsockets,
    RunScenariosWithWebsocketsResponse,
    ScenarioWithWebsocket,
    SubmissionStatus,
    SubmittedRunStatus,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
API_KEY = "ck_test_0123456789"
BASE_URL = "https://api.cekura.test"


def client_answering(status: int, payload: Any, seen: list[httpx.Request]) -> AuthenticatedClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=payload)

    return AuthenticatedClient(
        base_url=BASE_URL,
        token=API_KEY,
        prefix="",
        auth_header_name="X-CEKURA-API-KEY",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )


def submission_payload() -> dict[str, Any]:
    """A 201 in the seed's shape (values of our own)."""
    return {
        "id": 9001,
        "agent": 12,
        "status": "running",
        "run_as_text": False,
        "runs": [
            {
                "id": 1,
                "status": "pending",
                "scenario": 101,
                "number": None,
                "inbound_number": None,
                "scenario_name": "Refund request",
                "test_profile_data": None,
            },
            {
                "id": 2,
                "status": "queued_for_dialing",  # not in the spec's enum
                "scenario": 102,
                "number": "+15550100",
                "inbound_number": "+15550101",
                "scenario_name": "Order status",
                "test_profile_data": {"name": "Ada"},
                "outbound_dial_window_seconds": 300,  # typed since the 2026-08-21 sync
                "dial_region": "eu-west",  # a field no spec lists yet
            },
        ],
        "created_at": "2026-11-29T10:00:01.990052Z",
    }


def test_run_request_is_one_json_body_with_the_api_key_header() -> None:
    seen: list[httpx.Request] = []
    client = client_answering(201, submission_payload(), seen)
    body = RunScenariosWithWebsockets(
        frequency=2,
        scenarios=[
            ScenarioWithWebsocket(scenario=101, websocket_url="wss://agent-a.example.com/chat"),
            ScenarioWithWebsocket(scenario=101, websocket_url="wss://agent-b.example.com/chat?x=1"),
        ],
        agent=12,
    )

    run_scenarios_with_websockets.sync_detailed(client=client, body=body)

    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == BASE_URL + "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
    assert request.headers["X-CEKURA-API-KEY"] == API_KEY
    assert "authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "frequency": 2,
        "agent": 12,
        "scenarios": [
            {"scenario": 101, "websocket_url": "wss://agent-a.example.com/chat"},
            {"scenario": 101, "websocket_url": "wss://agent-b.example.com/chat?x=1"},
        ],
    }


def test_agent_null_is_sent_as_null_and_unset_is_omitted() -> None:
    seen: list[httpx.Request] = []
    client = client_answering(201, submission_payload(), seen)
    scenarios = [ScenarioWithWebsocket(scenario=7, websocket_url="ws://127.0.0.1:9/")]
    run_scenarios_with_websockets.sync_detailed(
        client=client, body=RunScenariosWithWebsockets(frequency=1, scenarios=scenarios, agent=None)
    )
    run_scenarios_with_websockets.sync_detailed(
        client=client, body=RunScenariosWithWebsockets(frequency=1, scenarios=scenarios)
    )
    assert json.loads(seen[0].content)["agent"] is None
    assert "agent" not in json.loads(seen[1].content)


def test_created_response_parses_with_unknown_run_status_and_extra_fields() -> None:
    seen: list[httpx.Request] = []
    client = client_answering(201, submission_payload(), seen)
    body = RunScenariosWithWebsockets(
        frequency=1, scenarios=[ScenarioWithWebsocket(scenario=101, websocket_url="wss://a.example/")]
    )

    parsed = run_scenarios_with_websockets.sync_detailed(client=client, body=body).parsed

    assert isinstance(parsed, RunScenariosWithWebsocketsResponse)
    assert parsed.id == 9001
    assert parsed.status == SubmissionStatus.RUNNING
    assert isinstance(parsed.runs, list)
    first, second = parsed.runs
    assert first.status == SubmittedRunStatus.PENDING
    assert second.status == "queued_for_dialing"
    assert second.outbound_dial_window_seconds == 300
    assert second.additional_properties["dial_region"] == "eu-west"
    assert parsed.to_dict()["runs"][1]["status"] == "queued_for_dialing"


def test_result_request_and_payload_with_fields_the_spec_does_not_list() -> None:
    payload = {
        "id": 9001,
        "agent": 12,
        "status": "scaling_up",
        "total_runs_count": "4",
        "completed_runs_count": 3,  # an int where the spec says string: passed through
        "success_rate": 75.0,
        "runs": {"1": {"id": 1, "status": "completed", "success": True, "error_message": None}},
        "brand_new_field": {"nested": [1, 2]},
    }
    seen: list[httpx.Request] = []
    client = client_answering(200, payload, seen)

    parsed = get_result.sync_detailed(9001, client=client).parsed

    (request,) = seen
    assert request.method == "GET"
    assert str(request.url) == BASE_URL + "/test_framework/v1/results/9001/"
    assert request.headers["X-CEKURA-API-KEY"] == API_KEY
    assert isinstance(parsed, ResultDetailV2)
    assert parsed.status == ResultStatus.SCALING_UP
    assert parsed.total_runs_count == "4"
    # Typed str in the spec, kept as the int the server sent (the wrapper reads both).
    assert parsed.completed_runs_count == 3  # type: ignore[comparison-overlap]
    assert parsed.additional_properties["brand_new_field"] == {"nested": [1, 2]}
    assert parsed.runs is not None and parsed.runs.additional_properties["1"]["success"] is True  # type: ignore[union-attr]


def test_result_status_unknown_to_the_spec_stays_a_string() -> None:
    parsed = ResultDetailV2.from_dict({"agent": 1, "status": "paused_by_operator"})
    assert parsed.status == "paused_by_operator"
    assert not isinstance(parsed.status, ResultStatus)


def created_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """The 201 response schema of the run operation."""
    operation = spec["paths"]["/test_framework/v1/scenarios/run_scenarios_with_websockets/"]["post"]
    return operation["responses"]["201"]["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


def test_seed_201_examples_parse() -> None:
    """The 201 examples of the seed (openapi.yaml holds them verbatim) parse with the generated model."""
    spec = YAML(typ="safe", pure=True).load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    properties = created_schema(spec)["properties"]
    examples = properties["runs"]["examples"]
    assert len(examples) == 2, "the seed carries two run examples"
    payload = {"id": 1, "runs": examples}
    payload.update({name: prop["example"] for name, prop in properties.items() if "example" in prop})
    assert set(payload) == {"id", "runs", "run_as_text", "created_at"}

    parsed = RunScenariosWithWebsocketsResponse.from_dict(payload)

    assert isinstance(parsed.runs, list)
    assert [run.id for run in parsed.runs] == [274, 275]
    assert [run.status for run in parsed.runs] == [SubmittedRunStatus.PENDING] * 2
    assert [(run.number, run.inbound_number) for run in parsed.runs] == [
        (None, "+11234567890"),
        ("+11234567890", None),
    ]
    assert parsed.run_as_text is False
    assert parsed.created_at == datetime(2025, 2, 25, 21, 0, 1, 990052, tzinfo=UTC)
    assert parsed.to_dict()["runs"] == examples


@pytest.mark.parametrize("status_code", [499, 520])
def test_generated_response_builder_rejects_codes_outside_httpstatus(status_code: int) -> None:
    """Upstream #1442: the wrapper must not rely on the generated builder for such codes."""
    seen: list[httpx.Request] = []
    client = client_answering(status_code, {"detail": "edge"}, seen)
    with pytest.raises(ValueError):
        get_result.sync_detailed(1, client=client)


def test_the_build_backend_understands_the_spdx_license_string() -> None:
    """``license = "MIT"`` (PEP 639) needs setuptools 77; an older one refuses the build."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(pyproject["project"]["license"], str)
    (setuptools,) = [
        Requirement(text)
        for text in pyproject["build-system"]["requires"]
        if Requirement(text).name == "setuptools"
    ]
    assert not setuptools.specifier.contains(Version("76.0")), setuptools
    assert setuptools.specifier.contains(Version("77.0.3")), setuptools
