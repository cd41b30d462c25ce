"""scripts/regenerate.py: the documented transforms and the --check mode."""

from __future__ import annotations

import copy
import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts import regenerate

# The generator (openapi-python-client) runs as a child process and runs none of cekura_wrapper.
pytestmark = pytest.mark.usefixtures("unmeasured_children")

REPO_ROOT = Path(__file__).resolve().parents[2]


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
    assert capsys.readouterr().err == f"regenerate: error: spec file not found: {tmp_path / 'nope.yaml'}\n"


BAD_SPECS = {
    "malformed yaml": (b"openapi: 3.1.0\npaths: {unclosed: [\n", "is not valid JSON or YAML"),
    "empty": (b"", "is empty"),
    "html": (b"<html><body>Moved</body></html>\n", "looks like an HTML"),
    "swagger 2.0": (b"swagger: '2.0'\npaths: {}\n", "Swagger 2.0 document"),
    "a list": (b"- openapi: 3.1.0\n", "top level is not a mapping"),
    "not utf-8": ("openapi: 3.1.0\ninfo: {title: \u00e9}\n".encode("latin-1"), "cannot read"),
}


@pytest.mark.parametrize("check", [True, False], ids=["check", "generate"])
@pytest.mark.parametrize("name", list(BAD_SPECS))
def test_a_spec_that_cannot_be_used_exits_2_with_one_line_never_1(
    name: str, check: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 1 means "generated/ is stale" only; a bad input must not look like that."""
    content, reason = BAD_SPECS[name]
    spec = tmp_path / "openapi.yaml"
    spec.write_bytes(content)
    generated = tmp_path / "generated"

    code = regenerate.main(
        [*(["--check"] if check else []), "--spec", str(spec), "--generated-dir", str(generated)]
    )

    captured = capsys.readouterr()
    assert code == 2
    [line] = captured.err.splitlines()
    assert line.startswith("regenerate: error: ") and str(spec) in line and reason in line, line
    assert not generated.exists()


def test_wrong_or_missing_tool_versions_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(regenerate, "GENERATOR_VERSION", "0.0.1")
    assert regenerate.main(["--check"]) == 2
    assert capsys.readouterr().err == (
        f"regenerate: error: wrong tool versions: openapi-python-client "
        f"{importlib.metadata.version('openapi-python-client')} (need 0.0.1); run `make install`\n"
    )

    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    assert regenerate.main(["--check"]) == 2
    assert "openapi-python-client not installed (need 0.0.1), ruff not installed" in capsys.readouterr().err


def test_a_generator_failure_exits_2_after_its_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dangling $ref is a warning to openapi-python-client, an error with --fail-on-warning."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x/:\n    get:\n      responses:\n"
        "        '200':\n          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Missing'}\n",
        encoding="utf-8",
    )
    generated = tmp_path / "generated"

    code = regenerate.main(["--spec", str(spec), "--generated-dir", str(generated)])

    err = capsys.readouterr().err
    assert code == 2
    assert "Could not find reference" in err, "the generator's own output is shown"
    assert (
        err.splitlines()[-1]
        == f"regenerate: error: openapi-python-client failed on {spec} (its output is above)"
    )
    assert not generated.exists()


def test_an_output_folder_that_cannot_be_written_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "generated"
    blocker.write_text("a file where a folder should be", encoding="utf-8")

    code = regenerate.main(["--generated-dir", str(blocker)])

    [line] = capsys.readouterr().err.splitlines()
    assert code == 2
    assert line.startswith(f"regenerate: error: cannot write {blocker / 'cekura_api'}: "), line


def test_the_script_exits_2_from_the_shell(tmp_path: Path) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("", encoding="utf-8")
    command = [sys.executable, str(REPO_ROOT / "scripts" / "regenerate.py"), "--check", "--spec", str(spec)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert completed.stderr == f"regenerate: error: {spec} is empty\n"
