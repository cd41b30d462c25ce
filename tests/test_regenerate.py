"""scripts/regenerate.py: the documented transforms and the --check mode."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import regenerate

REPO_ROOT = Path(__file__).resolve().parents[1]


def small_spec() -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Body"}
    return {
        "openapi": "3.1.0",
        "paths": {
            "/test_framework/v1/scenarios/run_scenarios_with_websockets/": {
                "post": {
                    "operationId": "scenarios-run-websocket_2",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": schema},
                            "application/x-www-form-urlencoded": {"schema": schema},
                            "multipart/form-data": {"schema": schema},
                        }
                    },
                }
            },
            "/test_framework/v1/results/{id}/": {
                "get": {"operationId": "results-v1-retrieve", "tags": ["test_framework"]}
            },
            "/other/": {
                "put": {
                    "operationId": "other-update",
                    "requestBody": {"content": {"multipart/form-data": {"schema": schema}}},
                }
            },
        },
        "components": {
            "schemas": {
                "Body": {
                    "type": "object",
                    "properties": {
                        "status": {"type": "string", "enum": ["a", "b"], "description": "Why."},
                        "kind": {"type": ["string", "null"]},
                    },
                }
            }
        },
    }


def test_request_bodies_keep_only_json_where_json_is_offered() -> None:
    prepared = regenerate.prepare_spec(small_spec())
    websockets_post = prepared["paths"]["/test_framework/v1/scenarios/run_scenarios_with_websockets/"]["post"]
    assert list(websockets_post["requestBody"]["content"]) == ["application/json"]
    # A body without a JSON option is left alone rather than emptied.
    other = prepared["paths"]["/other/"]["put"]
    assert list(other["requestBody"]["content"]) == ["multipart/form-data"]


def test_operations_are_renamed_by_method_and_path_only() -> None:
    prepared = regenerate.prepare_spec(small_spec())
    paths = prepared["paths"]
    assert paths["/test_framework/v1/scenarios/run_scenarios_with_websockets/"]["post"]["operationId"] == (
        "run_scenarios_with_websockets"
    )
    assert paths["/test_framework/v1/results/{id}/"]["get"]["operationId"] == "get_result"
    # The first tag names the generated package; it is pinned too, other tags are kept after it.
    assert paths["/test_framework/v1/results/{id}/"]["get"]["tags"] == ["results", "test_framework"]
    assert paths["/test_framework/v1/scenarios/run_scenarios_with_websockets/"]["post"]["tags"] == [
        "evaluators"
    ]
    assert paths["/other/"]["put"]["operationId"] == "other-update"


def test_string_enums_accept_unknown_values() -> None:
    prepared = regenerate.prepare_spec(small_spec())
    status = prepared["components"]["schemas"]["Body"]["properties"]["status"]
    assert status == {
        "description": "Why.",
        "anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "string"}],
    }
    # Non-enum unions pass through untouched.
    assert prepared["components"]["schemas"]["Body"]["properties"]["kind"] == {"type": ["string", "null"]}


def test_prepare_spec_leaves_its_input_untouched() -> None:
    spec = small_spec()
    before = copy.deepcopy(spec)
    regenerate.prepare_spec(spec)
    assert spec == before


def test_check_passes_on_the_committed_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert regenerate.main(["--check"]) == 0
    assert "matches" in capsys.readouterr().out


def test_check_fails_with_a_readable_diff_when_the_spec_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8")
    changed = spec.replace(
        "      required:\n        - scenario\n",
        "        priority:\n          type: integer\n      required:\n        - scenario\n",
        1,
    )
    assert changed != spec
    (tmp_path / "openapi.yaml").write_text(changed, encoding="utf-8")
    shutil.copytree(REPO_ROOT / "generated", tmp_path / "generated")

    code = regenerate.main(
        ["--check", "--spec", str(tmp_path / "openapi.yaml"), "--generated-dir", str(tmp_path / "generated")]
    )

    captured = capsys.readouterr()
    assert code == 1
    assert "+    priority: int | Unset = UNSET" in captured.out
    assert "models/scenario_with_websocket.py" in captured.out
    assert "is stale" in captured.err


def test_missing_spec_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert regenerate.main(["--check", "--spec", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err
