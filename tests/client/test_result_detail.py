"""``Result.detail`` (the generated ``ResultDetailV2``, decoded on first access) and the typed
insights ``ai_summary``, ``failed_reasons`` and ``next_steps``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from cekura_wrapper import AiSummary, CekuraClient, CekuraError, FailedReasons, FailureIssue, NextStep, Result
from cekura_wrapper._decoding import LazyPayload, read_result
from cekura_wrapper.testing import AgentThread, CekuraEmulator
from cekura_wrapper.testing.demo import closed_loopback_url
from scripts import regenerate

REPO_ROOT = Path(__file__).resolve().parents[2]

DETAIL: dict[str, Any] = {
    "id": 41,
    "agent": 7,
    "status": "completed",
    "total_runs_count": "2",
    "completed_runs_count": "2",
    "success_runs_count": "1",
    "runs": {"1": {"id": 1, "success": True}, "2": {"id": 2, "success": False}},
    "critical_categories": "[]",
    "overall_evaluation": {"success_rate": 50},
    "created_at": "2026-08-21T10:00:00Z",
    "failed_reasons": {
        "issues": [{"rank": 1, "run_ids": [2, "x"], "description": "No greeting.", "affected_count": 1}],
        "total_failed_runs": 1,
    },
    "ai_summary": {
        "what_happened": "1 of 2 runs failed.",
        "why_it_happened": "No greeting.",
        "how_to_fix": "Greet first.",
        "generated_from_runs_count": 2,
        "generated_at": "2026-08-21T10:01:00Z",
    },
    "next_steps": [{"title": "Greet", "description": "One prompt edit."}, "not a step"],
}


def test_detail_is_the_generated_model_with_every_declared_field_typed() -> None:
    result = Result.from_payload(DETAIL)
    detail = result.detail
    assert type(detail).__name__ == "ResultDetailV2"
    assert (detail.agent, detail.status, detail.critical_categories) == (7, "completed", "[]")
    assert detail.created_at.year == 2026  # type: ignore[union-attr]
    assert detail.overall_evaluation == {"success_rate": 50}
    assert result.detail is detail  # decoded once


def test_the_insights_are_typed_and_read_tolerantly() -> None:
    result = Result.from_payload(DETAIL)
    assert result.failed_reasons == FailedReasons(
        issues=(FailureIssue(rank=1, description="No greeting.", affected_count=1, run_ids=(2,)),),
        total_failed_runs=1,
    )
    assert result.ai_summary == AiSummary(
        "1 of 2 runs failed.", "No greeting.", "Greet first.", 2, "2026-08-21T10:01:00Z"
    )
    assert result.next_steps == (NextStep("Greet", "One prompt edit."),)
    bare = Result.from_payload(
        {"id": 1, "agent": 7, "ai_summary": None, "failed_reasons": [1], "next_steps": {}}
    )
    assert (bare.ai_summary, bare.failed_reasons, bare.next_steps) == (None, None, ())
    long = Result.from_payload({"id": 1, "ai_summary": {"what_happened": "x" * 10_000}})
    assert long.ai_summary is not None and len(long.ai_summary.what_happened or "") == 4000


@pytest.mark.parametrize(
    "payload",
    [
        {"id": 3, "status": "completed"},
        {"id": 3, "agent": 7, "created_at": "not a time"},
        {"id": 3, "agent": 7, "runs": [1, 2]},
    ],
    ids=["no-agent", "bad-time", "list-runs"],
)
def test_a_payload_that_does_not_fit_is_a_cekura_error_naming_the_result(payload: dict[str, Any]) -> None:
    with pytest.raises(CekuraError, match="result 3 does not fit the ResultDetailV2 schema"):
        Result.from_payload(payload).detail  # noqa: B018


def test_a_running_poll_decodes_the_whole_body_only_when_detail_is_asked_for() -> None:
    body = {**DETAIL, "status": "running"}
    response = httpx.Response(200, content=json.dumps(body).encode())
    result, _ = read_result(response, 41, name="poll", secret="k")
    assert isinstance(result.raw, LazyPayload)
    assert result.raw._full is None  # the poll read the status and counts only
    assert result.detail.status == "running"
    assert result.raw._full is not None


def test_emulated_results_fill_the_insights_in_cekuras_shape(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    url = cekura_agent("helpful").url
    with CekuraClient(
        cekura_emulator.api_key, base_url=cekura_emulator.base_url, poll_interval=0.02, max_poll_interval=0.05
    ) as client:
        mixed = client.run_and_wait([(101, url), (102, closed_loopback_url())], frequency=2, timeout=30)
        passing = client.run_and_wait([(101, url)], frequency=1, timeout=30)
    assert mixed.failed_reasons is not None and mixed.failed_reasons.total_failed_runs == 2
    (issue,) = mixed.failed_reasons.issues
    assert (issue.rank, issue.affected_count, len(issue.run_ids)) == (1, 2, 2)
    assert mixed.ai_summary is not None and mixed.ai_summary.what_happened is not None
    assert mixed.ai_summary.what_happened.startswith("2 of 4 runs failed")
    assert mixed.ai_summary.generated_from_runs_count == 4
    assert mixed.detail.ai_summary_status == "completed" and len(mixed.next_steps) == 1
    assert passing.ai_summary is None and passing.detail.ai_summary_status == "skipped_no_failures"
    assert passing.failed_reasons == FailedReasons(issues=(), total_failed_runs=0)


FIXTURE_SPEC = """\
openapi: 3.1.0
info: {title: fixture, version: v1}
paths:
  /test_framework/v1/scenarios/run_scenarios_with_websockets/:
    post:
      operationId: run
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/RunScenariosWithWebsockets'}
      responses:
        '201': {description: Created.}
  /test_framework/v1/results/:
    get:
      operationId: list
      responses:
        '200': {description: One page.}
  /test_framework/v1/results/{id}/end_calls/:
    post:
      operationId: end
      parameters:
        - {in: path, name: id, required: true, schema: {type: integer}}
      responses:
        '200': {description: Ended.}
  /test_framework/v1/results/{id}/create_shareable_link_token/:
    post:
      operationId: share
      parameters:
        - {in: path, name: id, required: true, schema: {type: integer}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/SchemaPostCreateShareableLinkToken'}
      responses:
        '200': {description: Made.}
  /test_framework/v1/results/{id}/:
    get:
      operationId: get
      parameters:
        - {in: path, name: id, required: true, schema: {type: integer}}
      responses:
        '200':
          description: The result.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ResultDetailV2'}
components:
  schemas:
    SchemaPostCreateShareableLinkToken:
      type: object
      properties:
        expire_at: {type: [string, 'null'], format: date-time}
    RunScenariosWithWebsockets:
      type: object
      required: [frequency, scenarios]
      properties:
        frequency: {type: integer}
        scenarios: {type: array, items: {type: object}}
    ResultDetailV2:
      type: object
      required: [agent]
      properties:
        id: {type: integer}
        agent: {type: integer}
        status: {type: string}
        runs: {type: object, additionalProperties: {}}
        FIELD
"""

PROBE = """\
import json, sys
import cekura_api
from cekura_wrapper import Result
detail = Result.from_payload(json.loads(sys.argv[1])).detail
print(json.dumps({"package": cekura_api.__file__, "value": detail.path_score, "type": type(detail.path_score).__name__}))
"""


@pytest.mark.usefixtures("unmeasured_children")  # the generator runs as a child process
def test_a_field_added_to_the_spec_and_regenerated_is_reachable_through_detail(tmp_path: Path) -> None:
    """No wrapper change: the new field is an attribute of Result.detail once the client is regenerated."""
    payload = {"id": 5, "agent": 7, "status": "completed", "runs": {}, "path_score": 0.75}
    # Today's client does not declare the field: it is only in additional_properties.
    assert Result.from_payload(payload).detail.additional_properties == {"path_score": 0.75}

    spec = tmp_path / "openapi.yaml"
    spec.write_text(FIXTURE_SPEC.replace("FIELD", "path_score: {type: number}"), encoding="utf-8")
    assert regenerate.main(["--spec", str(spec), "--generated-dir", str(tmp_path / "generated")]) == 0

    # The generated client the wrapper imports is swapped for the regenerated one (PYTHONPATH wins).
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "generated")}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(payload)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    probe = json.loads(completed.stdout)
    assert probe["package"].startswith(str(tmp_path))
    assert (probe["value"], probe["type"]) == (0.75, "float")
