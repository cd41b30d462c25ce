"""The JSON documents ``--json`` prints on stdout: plan, submission, result, preflight or error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cekura_wrapper import (
    AGENT_URL,
    PreflightResult,
    Result,
    Run,
    RunPlan,
    Submission,
    display_url,
    mask_urls,
)

from .agent_urls import NO_PLAN, AgentUrls
from .exit_codes import ExitCode
from .target_report import targets_document
from .verdict import pass_rate


def run_endpoint(plan: RunPlan) -> tuple[str, str]:
    """The method and path of ``plan``'s run request, as the generated client builds it."""
    return plan.endpoint


def plan_document(plan: RunPlan) -> dict[str, Any]:
    """``urls_masked``: the body shows each ``websocket_url`` with its query values as ``***``; the
    request ``run`` sends carries them exactly."""
    method, path = run_endpoint(plan)
    return {
        "kind": "plan",
        "scenario_count": len(plan.scenarios),
        "frequency": plan.frequency,
        "agent": plan.agent,
        "mock_tool_names": None if plan.mock_tool_names is None else list(plan.mock_tool_names),
        "run_count": plan.run_count,
        "request": {"method": method, "path": path, "body": shown_body(plan)},
        "urls_masked": True,
    }


def shown_body(plan: RunPlan) -> dict[str, Any]:
    """The run request's body as people see it: every ``websocket_url`` through ``display_url``."""
    body = plan.body
    body["scenarios"] = [
        {**item, "websocket_url": display_url(item["websocket_url"])} if "websocket_url" in item else item
        for item in body["scenarios"]
    ]
    return body


def submission_document(submission: Submission, urls: AgentUrls = NO_PLAN) -> dict[str, Any]:
    return {
        "kind": "submission",
        "result_id": submission.result_id,
        "status": submission.status,
        "run_count": submission.run_count,
        "runs": [_run(run, urls) for run in submission.runs],
        "watch": f"cekura-ws watch {submission.result_id}",
    }


def result_document(
    result: Result,
    *,
    exit_code: ExitCode,
    verdict: str | None,
    fail_under: float | None,
    urls: AgentUrls = NO_PLAN,
) -> dict[str, Any]:
    """``success_rate_percent`` is Cekura's figure; ``pass_rate`` (0..1, null while the result runs)
    is what ``--fail-under`` compares; ``passed`` applies the gate's rule (see ``verdict.py``);
    ``targets`` has passed/total and the 95 % interval per scenario and URL (see ``target_report``)."""
    return {
        "kind": "result",
        "result_id": result.id,
        "result_ids": [result.id],
        "status": result.status,
        "terminal": result.is_terminal,
        "total_runs": result.total_runs,
        "completed_runs": result.completed_runs,
        "passed_runs": result.success_runs,
        "failed_runs": result.failed_runs,
        "success_rate_percent": result.success_rate,
        "pass_rate": pass_rate(result),
        "passed": result.passes(fail_under),
        "fail_under": fail_under,
        "verdict": verdict,
        "exit_code": int(exit_code),
        "runs": [_run(run, urls) for run in sorted(result.runs, key=lambda run: run.id or 0)],
        "targets": targets_document(result, urls),
    }


def preflight_document(results: Sequence[PreflightResult]) -> dict[str, Any]:
    return {
        "kind": "preflight",
        "ok": all(result.ok for result in results),
        "urls": [{**result.to_dict(), "url": display_url(result.url)} for result in results],
    }


def error_document(exit_code: ExitCode, error: str, message: str, **extra: Any) -> dict[str, Any]:
    """Every string in it has its URLs shown by ``display_url`` (Cekura's error texts may quote one)."""
    document: dict[str, Any] = _masked(
        {"kind": "error", "exit_code": int(exit_code), "error": error, "message": message, **extra}
    )
    return document


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_urls(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value


def _run(run: Run, urls: AgentUrls) -> dict[str, Any]:
    """``websocket_url`` is null when unknown; ``websocket_url_candidates`` lists the plan's URLs
    when the scenario ran against several and the run does not say which; ``agent_websocket_url``
    is true when the plan gave the scenario no URL (Cekura dialled the agent's own)."""
    url = urls.url(run)
    document: dict[str, Any] = {
        "id": run.id,
        "scenario": run.scenario,
        "scenario_name": run.scenario_name,
        "websocket_url": None if url == AGENT_URL else url,
        "status": run.status,
        "success": run.success,
        "error_message": mask_urls(run.error_message) if run.error_message is not None else None,
    }
    if url == AGENT_URL:
        document["agent_websocket_url"] = True
    elif url is None and len(urls.candidates(run)) > 1:
        document["websocket_url_candidates"] = list(urls.candidates(run))
    return document
