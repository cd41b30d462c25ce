"""scripts/check_drift.py: every classification rule, bad inputs, and Cekura's real history."""

from __future__ import annotations

import copy
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import upstream_fixture

from cekura_wrapper.spec import compare_operation
from cekura_wrapper.spec import drift as check_drift
from cekura_wrapper.spec.compare import diff_specs
from cekura_wrapper.spec.load import default_base, display_source
from cekura_wrapper.spec.model import DEFAULT_LIMITS, EXIT_CODE_MEANINGS, Change, Severity
from cekura_wrapper.spec.naming import OPERATION_NAMES
from cekura_wrapper.spec.report import exit_code, format_text

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "check_drift.py"

# The real paths, so the operationId pinning of scripts/regenerate.py applies to them.
RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
RESULT_PATH = "/test_framework/v1/results/{id}/"
RUN = f"POST {RUN_PATH}"
RESULT = f"GET {RESULT_PATH}"


def small_spec() -> dict[str, Any]:
    """Our two operations in miniature, with the shapes the rules need ($refs, enums, bounds)."""
    body = {"$ref": "#/components/schemas/RunRequest"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            RUN_PATH: {
                "post": {
                    "operationId": "run",
                    "tags": ["Evaluators"],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": body},
                            "multipart/form-data": {"schema": body},
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "created",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "id": {"type": "integer"},
                                            "status": {"type": "string", "enum": ["pending", "running"]},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "bad"},
                    },
                    "security": [{"api_key": []}],
                }
            },
            RESULT_PATH: {
                "get": {
                    "operationId": "get-result",
                    "tags": ["Results"],
                    "parameters": [
                        {"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "the result",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Result"}}
                            },
                        }
                    },
                    "security": [{"api_key": []}],
                }
            },
        },
        "components": {
            "schemas": {
                "RunRequest": {
                    "type": "object",
                    "properties": {
                        "agent": {"type": ["integer", "null"]},
                        "scenarios": {"type": "array", "items": {"$ref": "#/components/schemas/Scenario"}},
                        "frequency": {"type": "integer", "minimum": 1, "maximum": 100},
                        "mode": {"type": "string", "enum": ["text", "voice"]},
                    },
                    "required": ["frequency", "scenarios"],
                },
                "Scenario": {
                    "type": "object",
                    "properties": {"scenario": {"type": "integer"}, "websocket_url": {"type": "string"}},
                    "required": ["scenario"],
                },
                "Result": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "agent": {"type": "integer"},
                        "status": {"type": "string", "enum": ["running", "completed", "failed"]},
                        "priority": {"type": "integer", "enum": [1, 2]},
                        "phase": {"type": ["string", "null"], "enum": ["a", "b", None]},
                        "created_at": {"type": "string", "format": "date-time"},
                        "total_runs_count": {"type": "string", "description": "a number sent as a string"},
                    },
                },
            },
            "securitySchemes": {"api_key": {"type": "apiKey", "in": "header", "name": "X-CEKURA-API-KEY"}},
        },
    }


def schemas(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]  # type: ignore[no-any-return]


def run_op(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["paths"][RUN_PATH]["post"]  # type: ignore[no-any-return]


def result_op(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["paths"][RESULT_PATH]["get"]  # type: ignore[no-any-return]


def drift(upstream: dict[str, Any], *, verbose: bool = False) -> list[tuple[str, str, str, Any, Any]]:
    """Changes from small_spec() to ``upstream`` as (severity, operation, location, before, after)."""
    return [
        (change.severity.value, change.operation, change.location, change.before, change.after)
        for change in diff_specs(small_spec(), upstream, verbose=verbose)
    ]


# --------------------------------------------------------------------------- operation level


def test_identical_specs_report_nothing_and_exit_0() -> None:
    changes = diff_specs(small_spec(), small_spec())
    assert changes == []
    assert exit_code(changes) == 0


def test_removed_operation_and_removed_path_are_breaking() -> None:
    upstream = small_spec()
    del upstream["paths"][RESULT_PATH]
    upstream["paths"][RUN_PATH] = {"get": {"responses": {}}}
    assert drift(upstream) == [
        ("breaking", RUN, "operation", RUN, None),
        ("breaking", RESULT, "path", RESULT_PATH, None),
    ]


def test_renamed_path_parameter_is_breaking_and_the_operation_is_still_compared() -> None:
    upstream = small_spec()
    renamed = RESULT_PATH.replace("{id}", "{result_id}")
    upstream["paths"][renamed] = upstream["paths"].pop(RESULT_PATH)
    operation = upstream["paths"][renamed]["get"]
    operation["parameters"][0]["name"] = "result_id"
    operation["deprecated"] = True
    assert drift(upstream) == [
        ("breaking", RESULT, "path", RESULT_PATH, renamed),
        ("breaking", RESULT, "parameters.path.id", "present", None),
        ("breaking", RESULT, "parameters.path.result_id", None, "required"),
        ("warning", RESULT, "deprecated", False, True),
    ]


def test_operation_id_rename_is_breaking_unless_regenerate_pins_the_generated_names() -> None:
    assert ("post", RUN_PATH) in OPERATION_NAMES  # the premise of the first case
    pinned = small_spec()
    run_op(pinned)["operationId"] = "scenarios-run-websocket_3"
    assert drift(pinned) == [("info", RUN, "operationId", "run", "scenarios-run-websocket_3")]

    base, upstream = small_spec(), small_spec()
    for spec in (base, upstream):
        spec["paths"]["/other/"] = {"get": {"operationId": "other" if spec is base else "other-2"}}
    changes = diff_specs(base, upstream, [("get", "/other/")])
    assert [(c.severity, c.location, c.before, c.after) for c in changes] == [
        (Severity.BREAKING, "operationId", "other", "other-2")
    ]


def test_deprecation_is_a_warning() -> None:
    upstream = small_spec()
    result_op(upstream)["deprecated"] = True
    assert drift(upstream) == [("warning", RESULT, "deprecated", False, True)]


def test_first_tag_change_is_breaking_unless_regenerate_pins_the_generated_package() -> None:
    pinned = small_spec()
    result_op(pinned)["tags"] = ["TestFramework", "Results"]
    assert drift(pinned) == [("info", RESULT, "tags[0]", "Results", "TestFramework")]

    base, upstream = small_spec(), small_spec()
    for spec in (base, upstream):
        tag = "Results" if spec is base else "TestFramework"
        spec["paths"]["/other/"] = {"get": {"operationId": "other", "tags": [tag]}}
    [change] = diff_specs(base, upstream, [("get", "/other/")])
    assert (change.severity, change.location, change.before, change.after) == (
        Severity.BREAKING,
        "tags[0]",
        "Results",
        "TestFramework",
    )
    assert "cekura_api.api.results to cekura_api.api.test_framework" in change.message


def test_secondary_tag_change_is_info() -> None:
    upstream = small_spec()
    result_op(upstream)["tags"] = ["Results", "test_framework"]
    assert drift(upstream) == [("info", RESULT, "tags", ["Results"], ["Results", "test_framework"])]


# --------------------------------------------------------------------------- request side


def test_request_field_added_as_required_is_breaking_and_optional_is_info() -> None:
    upstream = small_spec()
    schemas(upstream)["RunRequest"]["properties"]["project"] = {"type": "integer"}
    schemas(upstream)["RunRequest"]["required"].append("project")
    schemas(upstream)["RunRequest"]["properties"]["mock_tool_names"] = {"type": ["array", "null"]}
    assert drift(upstream) == [
        ("breaking", RUN, "requestBody.project", None, "required"),
        ("info", RUN, "requestBody.mock_tool_names", None, "optional"),
    ]


def test_existing_request_field_becoming_required_is_breaking() -> None:
    upstream = small_spec()
    schemas(upstream)["RunRequest"]["required"].append("agent")
    assert drift(upstream) == [("breaking", RUN, "requestBody.agent.required", False, True)]


def test_request_field_removed_is_breaking() -> None:
    upstream = small_spec()
    del schemas(upstream)["RunRequest"]["properties"]["agent"]
    assert drift(upstream) == [("breaking", RUN, "requestBody.agent", "present", None)]


def test_request_type_narrowed_is_breaking_and_widened_is_info() -> None:
    narrowed = small_spec()
    schemas(narrowed)["RunRequest"]["properties"]["agent"]["type"] = "integer"
    [change] = diff_specs(small_spec(), narrowed)
    assert (change.severity, change.location, change.before, change.after) == (
        Severity.BREAKING,
        "requestBody.agent.type",
        "integer|null",
        "integer",
    )
    assert "no longer nullable" in change.message

    widened = small_spec()
    schemas(widened)["RunRequest"]["properties"]["frequency"]["type"] = ["integer", "string"]
    assert drift(widened) == [("info", RUN, "requestBody.frequency.type", "integer", "integer|string")]


def test_nested_request_schemas_are_compared_through_refs_and_array_items() -> None:
    upstream = small_spec()
    schemas(upstream)["Scenario"]["properties"]["websocket_url"]["pattern"] = "^wss?://"
    assert drift(upstream) == [
        ("breaking", RUN, "requestBody.scenarios[].websocket_url.pattern", None, "^wss?://")
    ]


def test_tightened_request_bound_is_breaking_loosened_is_info_and_text_names_the_values() -> None:
    upstream = small_spec()
    schemas(upstream)["RunRequest"]["properties"]["frequency"].update(maximum=50, minimum=0)
    changes = diff_specs(small_spec(), upstream)
    assert [(c.severity.value, c.location, c.before, c.after) for c in changes] == [
        ("breaking", "requestBody.frequency.maximum", 100, 50),
        ("info", "requestBody.frequency.minimum", 1, 0),
    ]
    first_line = format_text(changes).splitlines()[0]
    assert first_line.startswith(f"breaking  {RUN}  requestBody.frequency.maximum 100 -> 50  (")


def test_new_bound_on_a_request_field_is_breaking() -> None:
    upstream = small_spec()
    schemas(upstream)["Scenario"]["properties"]["websocket_url"]["maxLength"] = 2048
    assert drift(upstream) == [
        ("breaking", RUN, "requestBody.scenarios[].websocket_url.maxLength", None, 2048)
    ]


def test_request_enum_value_removed_is_breaking_and_added_is_info() -> None:
    upstream = small_spec()
    schemas(upstream)["RunRequest"]["properties"]["mode"]["enum"] = ["text", "sms"]
    assert drift(upstream) == [
        ("breaking", RUN, "requestBody.mode.enum", "voice", None),
        ("info", RUN, "requestBody.mode.enum", None, "sms"),
    ]


def test_request_format_added_is_breaking() -> None:
    upstream = small_spec()
    schemas(upstream)["Scenario"]["properties"]["websocket_url"]["format"] = "uri"
    assert drift(upstream) == [("breaking", RUN, "requestBody.scenarios[].websocket_url.format", None, "uri")]


def test_request_body_change_is_reported_once_across_content_types_that_share_it() -> None:
    upstream = small_spec()
    schemas(upstream)["RunRequest"]["properties"]["frequency"]["maximum"] = 50
    assert [location for _, _, location, _, _ in drift(upstream)] == ["requestBody.frequency.maximum"]

    only_form = small_spec()
    run_op(only_form)["requestBody"]["content"]["multipart/form-data"] = {"schema": {"type": "object"}}
    locations = {location for _, _, location, _, _ in drift(only_form)}
    assert "requestBody[multipart/form-data].frequency" in locations
    assert not any(location.startswith("requestBody.") for location in locations)


def test_json_content_type_dropped_is_breaking_and_form_dropped_is_info() -> None:
    upstream = small_spec()
    del run_op(upstream)["requestBody"]["content"]["multipart/form-data"]
    assert drift(upstream) == [("info", RUN, "requestBody[multipart/form-data]", "multipart/form-data", None)]
    del run_op(upstream)["requestBody"]["content"]["application/json"]
    assert ("breaking", RUN, "requestBody", "application/json", None) in drift(upstream)


def test_new_required_parameter_is_breaking_and_optional_one_is_info() -> None:
    upstream = small_spec()
    result_op(upstream)["parameters"] += [
        {"in": "query", "name": "include", "required": True, "schema": {"type": "string"}},
        {"in": "query", "name": "page", "schema": {"type": "integer"}},
    ]
    assert drift(upstream) == [
        ("breaking", RESULT, "parameters.query.include", None, "required"),
        ("info", RESULT, "parameters.query.page", None, "optional"),
    ]


def test_path_parameter_retyped_is_breaking() -> None:
    upstream = small_spec()
    result_op(upstream)["parameters"][0]["schema"] = {"type": "string", "format": "uuid"}
    assert drift(upstream) == [
        ("breaking", RESULT, "parameters.path.id.type", "integer", "string"),
        ("breaking", RESULT, "parameters.path.id.format", None, "uuid"),
    ]


# --------------------------------------------------------------------------- response side


def test_response_field_removed_or_retyped_is_breaking_and_new_field_is_info() -> None:
    upstream = small_spec()
    result = schemas(upstream)["Result"]["properties"]
    del result["agent"]
    result["id"] = {"type": "string"}
    result["agent_name"] = {"type": "string"}
    assert drift(upstream) == [
        ("breaking", RESULT, "responses.200.id.type", "integer", "string"),
        ("breaking", RESULT, "responses.200.agent", "present", None),
        ("info", RESULT, "responses.200.agent_name", None, "present"),
    ]


def test_response_field_becoming_nullable_is_breaking() -> None:
    upstream = small_spec()
    schemas(upstream)["Result"]["properties"]["agent"]["type"] = ["integer", "null"]
    [change] = diff_specs(small_spec(), upstream)
    assert (change.severity, change.location) == (Severity.BREAKING, "responses.200.agent.type")
    assert "may now be null" in change.message


def test_response_format_change_is_breaking() -> None:
    upstream = small_spec()
    schemas(upstream)["Result"]["properties"]["created_at"]["format"] = "date"
    assert drift(upstream) == [("breaking", RESULT, "responses.200.created_at.format", "date-time", "date")]


def test_response_string_enum_widened_is_a_warning_because_generated_code_tolerates_it() -> None:
    upstream = small_spec()
    schemas(upstream)["Result"]["properties"]["status"]["enum"].append("scaling_up")
    run_op(upstream)["responses"]["201"]["content"]["application/json"]["schema"]["properties"]["status"][
        "enum"
    ].append("queued")
    changes = diff_specs(small_spec(), upstream)
    assert [(c.severity, c.operation, c.location, c.after) for c in changes] == [
        (Severity.WARNING, RUN, "responses.201.status.enum", "queued"),
        (Severity.WARNING, RESULT, "responses.200.status.enum", "scaling_up"),
    ]
    assert "'scaling_up'" in changes[1].message
    assert exit_code(changes) == 1


def test_response_enum_widened_where_generated_code_would_reject_it_is_breaking() -> None:
    # regenerate.py opens only `type: string` enums: an integer enum, or one typed
    # [string, null], still raises on a value it does not know.
    upstream = small_spec()
    schemas(upstream)["Result"]["properties"]["priority"]["enum"].append(3)
    schemas(upstream)["Result"]["properties"]["phase"]["enum"].append("c")
    assert drift(upstream) == [
        ("breaking", RESULT, "responses.200.priority.enum", None, 3),
        ("breaking", RESULT, "responses.200.phase.enum", None, "c"),
    ]


def test_response_enum_value_removed_is_info() -> None:
    upstream = small_spec()
    schemas(upstream)["Result"]["properties"]["status"]["enum"].remove("failed")
    assert drift(upstream) == [("info", RESULT, "responses.200.status.enum", "failed", None)]


def test_response_required_changes_are_warnings() -> None:
    upstream = small_spec()
    schemas(upstream)["Result"]["required"] = ["agent"]
    assert drift(upstream) == [("warning", RESULT, "responses.200.agent.required", False, True)]


def test_success_status_code_replaced_is_breaking_plus_a_warning_for_the_new_one() -> None:
    upstream = small_spec()
    responses = run_op(upstream)["responses"]
    responses["200"] = responses.pop("201")
    del responses["400"]
    assert drift(upstream) == [
        ("breaking", RUN, "responses.201", "documented", None),
        ("warning", RUN, "responses.200", None, "documented"),
        ("info", RUN, "responses.400", "documented", None),
    ]


def test_renamed_component_is_breaking_because_model_classes_are_named_after_it() -> None:
    upstream = small_spec()
    schemas(upstream)["ResultDetail"] = schemas(upstream).pop("Result")
    content = result_op(upstream)["responses"]["200"]["content"]["application/json"]
    content["schema"]["$ref"] = "#/components/schemas/ResultDetail"
    assert drift(upstream) == [
        (
            "breaking",
            RESULT,
            "responses.200.$ref",
            "#/components/schemas/Result",
            "#/components/schemas/ResultDetail",
        )
    ]


def test_recursive_schemas_terminate_and_still_report_changes() -> None:
    base, upstream = small_spec(), small_spec()
    for spec in (base, upstream):
        schemas(spec)["Result"]["properties"]["parent"] = {"$ref": "#/components/schemas/Result"}
    schemas(upstream)["Result"]["properties"]["id"]["type"] = "string"
    changes = diff_specs(base, upstream)
    assert [(c.severity, c.location) for c in changes] == [(Severity.BREAKING, "responses.200.id.type")]


# --------------------------------------------------------------------------- security, prose, scope


def test_new_security_scheme_is_info_and_removed_or_changed_one_is_breaking() -> None:
    added = small_spec()
    result_op(added)["security"] = [{"oauth2": []}, {"api_key": []}]
    assert drift(added) == [("info", RESULT, "security", None, "oauth2")]

    removed = small_spec()
    result_op(removed)["security"] = [{"oauth2": []}]
    assert drift(removed) == [
        ("breaking", RESULT, "security", "api_key", None),
        ("info", RESULT, "security", None, "oauth2"),
    ]

    renamed_header = small_spec()
    renamed_header["components"]["securitySchemes"]["api_key"]["name"] = "Authorization"
    assert {(s, loc, b, a) for s, _, loc, b, a in drift(renamed_header)} == {
        ("breaking", "security.api_key.name", "X-CEKURA-API-KEY", "Authorization")
    }


def test_descriptions_and_examples_are_reported_only_with_verbose() -> None:
    upstream = small_spec()
    schemas(upstream)["Result"]["properties"]["total_runs_count"]["description"] = "Total runs"
    run_op(upstream)["summary"] = "Run evaluators"
    run_op(upstream)["requestBody"]["content"]["application/json"]["example"] = {"frequency": 1}
    assert drift(upstream) == []
    assert drift(upstream, verbose=True) == [
        ("info", RUN, "requestBody.example", None, {"frequency": 1}),
        ("info", RUN, "operation.summary", None, "Run evaluators"),
        (
            "info",
            RESULT,
            "responses.200.total_runs_count.description",
            "a number sent as a string",
            "Total runs",
        ),
    ]


def test_changes_outside_the_chosen_operations_are_ignored() -> None:
    upstream = small_spec()
    upstream["paths"]["/unrelated/"] = {"get": {"operationId": "x", "responses": {}}}
    upstream["paths"][RESULT_PATH]["delete"] = {"operationId": "delete-result", "responses": {}}
    schemas(upstream)["Unrelated"] = {"type": "string"}
    upstream["components"]["securitySchemes"]["oauth2"] = {"type": "http", "scheme": "bearer"}
    assert drift(upstream) == []
    # --operation narrows further: a change in the other operation is not looked at.
    result_op(upstream)["deprecated"] = True
    assert diff_specs(small_spec(), upstream, [("post", RUN_PATH)]) == []


def test_breaking_changes_are_listed_first_and_exit_2() -> None:
    upstream = small_spec()
    result_op(upstream)["deprecated"] = True
    schemas(upstream)["RunRequest"]["properties"]["frequency"]["maximum"] = 50
    changes = diff_specs(small_spec(), upstream)
    assert [c.severity for c in changes] == [Severity.BREAKING, Severity.WARNING]
    assert exit_code(changes) == 2


# --------------------------------------------------------------------------- command line and inputs


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.fixture
def base_file(tmp_path: Path) -> Path:
    return write_json(tmp_path / "base.json", small_spec())


def test_cli_json_output_lists_changes_with_every_field(
    base_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream = small_spec()
    result_op(upstream)["deprecated"] = True
    upstream_file = write_json(tmp_path / "up.json", upstream)
    code = check_drift.main(["--base", str(base_file), "--upstream", str(upstream_file), "--format", "json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report == {
        "changes": [
            {
                "operation": RESULT,
                "severity": "warning",
                "location": "deprecated",
                "before": False,
                "after": True,
                "message": report["changes"][0]["message"],
            }
        ]
    }
    assert "deprecated" in report["changes"][0]["message"]


def test_cli_reads_yaml_and_reports_no_drift_with_exit_0(
    base_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    upstream_file = tmp_path / "up.yaml"
    upstream_file.write_text(yaml.safe_dump(small_spec()), encoding="utf-8")
    assert check_drift.main(["--base", str(base_file), "--upstream", str(upstream_file)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no drift in 2 operation(s)" in captured.err


def test_cli_operation_option_selects_by_method_and_path(
    base_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream = small_spec()
    result_op(upstream)["deprecated"] = True
    upstream_file = write_json(tmp_path / "up.json", upstream)
    argv = ["--base", str(base_file), "--upstream", str(upstream_file), "--operation", f"post:{RUN_PATH}"]
    assert check_drift.main(argv) == 0
    argv[-1] = f"GET:{RESULT_PATH}"
    assert check_drift.main(argv) == 1
    assert capsys.readouterr().out.startswith(f"warning   {RESULT}  deprecated false -> true")


BAD_INPUTS = {
    "empty file": ("", "is empty"),
    "HTML page": ("<!DOCTYPE html><html><body>Not found</body></html>", "HTML"),
    "Swagger 2.0": (json.dumps({"swagger": "2.0", "paths": {}}), "Swagger 2.0"),
    "broken JSON": ('{"openapi": "3.1.0", "paths": {', "not valid JSON"),
    "broken YAML": ("openapi: 3.1.0\npaths: {unclosed: [\n", "not valid JSON or YAML"),
    "a JSON list": ("[1, 2]", "not an OpenAPI document"),
    "no paths": (json.dumps({"openapi": "3.1.0"}), "no 'paths' object"),
    "plain text": ("just some words", "not an OpenAPI document"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_unreadable_upstream_exits_3_with_a_one_line_reason(
    name: str, base_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, reason = BAD_INPUTS[name]
    upstream_file = tmp_path / "upstream.json"
    upstream_file.write_text(text, encoding="utf-8")
    assert check_drift.main(["--base", str(base_file), "--upstream", str(upstream_file)]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.strip().splitlines()
    assert line.startswith("check_drift: error: ") and reason in line and str(upstream_file) in line


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["--upstream", "/no/such/spec.json"], "no such file: /no/such/spec.json"),
        (["--upstream", "BASE", "--operation", "FETCH /x/"], "METHOD:/path/"),
        (["--upstream", "BASE", "--operation", "DELETE:/nowhere/"], "DELETE /nowhere/ is not an operation"),
        (["--upstream", "http://example.com/spec.json"], "only file paths and https:// URLs"),
        (["--upstream", "ftp://127.0.0.1/spec.json"], "only file paths and https:// URLs"),
    ],
)
def test_bad_arguments_exit_3_before_comparing(
    extra: list[str], reason: str, base_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--base", str(base_file), *(str(base_file) if arg == "BASE" else arg for arg in extra)]
    assert check_drift.main(argv) == 3
    assert reason in capsys.readouterr().err


def test_usage_errors_exit_3_not_2_which_means_breaking(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        check_drift.main(["--format", "text"])
    assert exited.value.code == 3
    assert "--upstream" in capsys.readouterr().err


def test_a_crash_exits_4_so_ci_can_tell_it_from_drift(
    base_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*_args: Any, **_kwargs: Any) -> list[Change]:
        raise RuntimeError("bug in the comparison")

    monkeypatch.setattr(check_drift, "diff_specs", explode)
    assert check_drift.main(["--base", str(base_file), "--upstream", str(base_file)]) == 4
    err = capsys.readouterr().err
    assert "RuntimeError: bug in the comparison" in err and "internal error" in err


class _SpecHandler(http.server.BaseHTTPRequestHandler):
    documents: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.documents.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body or b"{}")

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def spec_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A real HTTP server on 127.0.0.1 serving specs by path."""
    documents: dict[str, bytes] = {}
    handler = type("Handler", (_SpecHandler,), {"documents": documents})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", documents
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_upstream_can_be_a_url(
    base_file: Path, spec_server: tuple[str, dict[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, documents = spec_server
    upstream = small_spec()
    schemas(upstream)["RunRequest"]["properties"]["frequency"]["maximum"] = 50
    documents["/openapi.json"] = json.dumps(upstream).encode()
    assert check_drift.main(["--base", str(base_file), "--upstream", f"{url}/openapi.json"]) == 2
    assert "requestBody.frequency.maximum 100 -> 50" in capsys.readouterr().out

    assert check_drift.main(["--base", str(base_file), "--upstream", f"{url}/missing.json"]) == 3
    assert "HTTP 404" in capsys.readouterr().err


SECRETS = ("ci-bot", "s3cret-pw", "t0ken-abc")


def test_unresolvable_url_is_reported_without_its_secrets(
    base_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def getaddrinfo(host: Any, *_args: Any, **_kwargs: Any) -> Any:
        # .invalid never resolves (RFC 6761): answer so at once, no resolver, nothing to hang on.
        raise socket.gaierror(socket.EAI_NONAME, f"Name or service not known: {host}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    url = "https://ci-bot:s3cret-pw@cekura-spec.invalid/openapi.json?token=t0ken-abc"

    assert check_drift.main(["--base", str(base_file), "--upstream", url]) == 3

    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "check_drift: error: cannot fetch https://***@cekura-spec.invalid/openapi.json?token=***: "
    )
    assert "cekura-spec.invalid" in line and not [secret for secret in SECRETS if secret in line]


def test_url_secrets_are_redacted_in_fetch_and_parse_errors(
    base_file: Path, spec_server: tuple[str, dict[str, bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    url, documents = spec_server
    documents["/login.html?token=t0ken-abc"] = b"<html>sign in</html>"
    host = url.removeprefix("http://")
    for path, reason in [("/missing.json", "HTTP 404"), ("/login.html", "looks like an HTML")]:
        upstream = f"http://ci-bot:s3cret-pw@{host}{path}?token=t0ken-abc"
        assert check_drift.main(["--base", str(base_file), "--upstream", upstream]) == 3
        [line] = capsys.readouterr().err.splitlines()
        assert f"http://***@{host}{path}?token=***" in line and reason in line, line
        assert not [secret for secret in SECRETS if secret in line]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@h.example/a?b=c#d", "https://***@h.example/a?b=***#***"),
        ("https://tok@h.example:8443/a", "https://***@h.example:8443/a"),
        ("https://a:b@c@h.example/", "https://***@h.example/"),
        ("https://h.example/spec.json", "https://h.example/spec.json"),
        ("https://[::1/x?k=v", "https://[::1/x?k=***"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert display_source(url) == shown


def test_script_exit_code_reaches_the_shell(base_file: Path, tmp_path: Path) -> None:
    upstream = small_spec()
    del schemas(upstream)["Result"]["properties"]["agent"]
    upstream_file = write_json(tmp_path / "up.json", upstream)
    command = [sys.executable, str(SCRIPT), "--base", str(base_file), "--upstream", str(upstream_file)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode == 2, completed.stderr
    assert completed.stdout == (
        f"breaking  {RESULT}  responses.200.agent present -> absent  "
        "(response field removed; code reading it breaks)\n"
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_drift_exits_2_on_any_failure_and_names_check_drifts_code(tmp_path: Path) -> None:
    """What the Makefile's comment says: make maps every non-zero exit to 2, with "Error N"."""
    empty = tmp_path / "empty.json"
    empty.write_text("", encoding="utf-8")
    # -o: never (re)install; BIN: run the script with the interpreter running these tests.
    command = ["make", "-s", "-o", ".venv/.installed", "drift", f"BIN={Path(sys.executable).parent}"]
    completed = subprocess.run(
        [*command, f"UPSTREAM={empty}"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 2
    assert "check_drift: error: " in completed.stderr and "Error 3" in completed.stderr
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "Exits like check_drift.py" not in makefile
    assert "run .venv/bin/python scripts/check_drift.py directly" in makefile


# ----------------------------------------------- Cekura's history, as our own fixture specs model it


def history() -> list[tuple[str, str, str, Any, Any]]:
    changes = diff_specs(
        upstream_fixture.before(), upstream_fixture.after(), [("post", RUN_PATH), ("get", RESULT_PATH)]
    )
    return [(c.severity.value, c.operation, c.location, c.before, c.after) for c in changes]


def test_history_of_the_run_operation() -> None:
    run_changes = [change for change in history() if change[1] == RUN]
    assert run_changes == [
        ("info", RUN, "operationId", upstream_fixture.OLD_RUN_ID, "scenarios-run-websocket_2"),
        ("info", RUN, "tags[0]", "test_framework", "Evaluators"),
        ("info", RUN, "requestBody.mock_tool_names", None, "optional"),
        ("info", RUN, "responses.201.runs[].outbound_dial_window_seconds", None, "present"),
    ]


def test_history_of_the_results_operation() -> None:
    result_changes = [change for change in history() if change[1] == RESULT]
    assert result_changes == [
        ("warning", RESULT, "deprecated", False, True),
        ("warning", RESULT, "responses.200.agent.required", False, True),
        ("warning", RESULT, "responses.200.status.enum", None, "scaling_up"),
        ("info", RESULT, "operationId", upstream_fixture.OLD_RESULT_ID, "results-v1-retrieve"),
        ("info", RESULT, "security", None, upstream_fixture.NEW_SCHEME),
    ]


def test_history_is_breaking_for_a_client_generated_without_the_pins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The renames are info only because regenerate.py pins names; without the pins they break."""
    monkeypatch.setattr(compare_operation, "_pinned_operation_ids", set)
    breaking = [change[1:] for change in history() if change[0] == "breaking"]
    assert breaking == [
        (RUN, "operationId", upstream_fixture.OLD_RUN_ID, "scenarios-run-websocket_2"),
        (RUN, "tags[0]", "test_framework", "Evaluators"),
        (RESULT, "operationId", upstream_fixture.OLD_RESULT_ID, "results-v1-retrieve"),
    ]


def test_upstream_against_itself_reports_nothing_and_ignores_unrelated_edits() -> None:
    new = upstream_fixture.after()
    edited = copy.deepcopy(new)
    del edited["paths"][upstream_fixture.UNRELATED_PATH]
    edited["paths"][RESULT_PATH]["get"]["description"] = "edited prose"
    operations = [("post", RUN_PATH), ("get", RESULT_PATH)]
    assert diff_specs(new, edited, operations) == []


def test_committed_spec_against_an_upstream_file_runs_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, upstream = upstream_fixture.write(tmp_path)
    code = check_drift.main(["--upstream", str(upstream)])
    out = capsys.readouterr().out
    assert code == 1, out  # info only: the fixture adds optional fields and a security scheme
    assert out.splitlines() and all(line.split()[0] == "info" for line in out.splitlines())


def test_make_drift_without_upstream_says_what_to_pass() -> None:
    command = ["make", "-s", "-o", ".venv/.installed", "drift", f"BIN={Path(sys.executable).parent}"]
    completed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert "make drift UPSTREAM=PATH_OR_HTTPS_URL" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_cekura_ws_drift_compares_with_the_spec_the_client_ships(tmp_path: Path) -> None:
    from cli_helpers import invoke

    assert default_base().read_bytes() == (REPO_ROOT / "openapi.yaml").read_bytes()
    before, after = upstream_fixture.write(tmp_path)
    same = invoke(["drift", "--upstream", str(REPO_ROOT / "openapi.yaml")])
    newer = invoke(["drift", "--upstream", str(after), "--format", "json"])
    older = invoke(["drift", "--upstream", str(before), "--operation", f"GET:{RESULT_PATH}"])
    unreadable = invoke(["drift", "--upstream", str(tmp_path / "missing.json")])

    assert same.exit_code == 0, same.output
    assert newer.exit_code == 1, newer.output
    # the shipped spec already has the fixture's new fields (mock_tool_names since the 2026 sync)
    assert {change["location"] for change in json.loads(newer.stdout)["changes"]} == {"security"}
    assert older.exit_code == 1 and "operationId" in older.stdout
    assert unreadable.exit_code == 3 and unreadable.stderr.startswith("cekura-ws drift: error: ")


def exit_code_lines(help_text: str) -> list[str]:
    """The lines of the one "Exit codes:" list in ``help_text``."""
    assert help_text.count("Exit codes:") == 1, help_text
    block = help_text.split("Exit codes:", 1)[1].strip().splitlines()
    return [" ".join(line.split()) for line in block if line.strip()[:1].isdigit()]


def test_drift_help_lists_its_own_exit_codes_once_in_both_entry_points() -> None:
    from cli_helpers import invoke

    expected = [f"{int(code)} {meaning}" for code, meaning in EXIT_CODE_MEANINGS.items()]
    ours = invoke(["drift", "--help"])
    script = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )

    assert ours.exit_code == 0
    assert exit_code_lines(ours.stdout) == expected
    assert exit_code_lines(script.stdout) == expected
    assert "evaluation failed" not in ours.stdout  # the other commands' meanings of 1 to 4
    limits = (
        f"{DEFAULT_LIMITS.max_bytes >> 20} MiB",
        f"{DEFAULT_LIMITS.max_depth} levels",
        f"{DEFAULT_LIMITS.fetch_seconds:g} s",
    )
    assert all(limit in " ".join(script.stdout.split()) for limit in limits), script.stdout


def test_cekura_ws_drift_usage_errors_exit_3_like_the_script() -> None:
    from cli_helpers import invoke

    missing = invoke(["drift"])
    bad_format = invoke(["drift", "--upstream", "x.json", "--format", "xml"])

    assert missing.exit_code == 3 and "--upstream" in missing.stderr
    assert bad_format.exit_code == 3 and "xml" in bad_format.stderr
