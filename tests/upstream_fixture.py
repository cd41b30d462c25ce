"""Two small "upstream" specs of our own making, standing in for Cekura's published files (those
live in ../shared, on maintainers' machines only, so no test may depend on them).

``after()`` is our ``openapi.yaml`` as Cekura might publish it: other prose, one more security
scheme, one more request field, one more run field, an unrelated path. ``before()`` is the same
spec the way it looked earlier, differing as Cekura's real history did for our two operations
(old operation ids and tags, the results path not yet deprecated, ``agent`` not yet required,
no ``scaling_up`` status, none of the new fields). Both are written to files by ``write()``.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

REPO_ROOT = Path(__file__).resolve().parents[1]
RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
RESULT_PATH = "/test_framework/v1/results/{id}/"
UNRELATED_PATH = "/test_framework/v1/agents/"
OLD_RUN_ID = "scenarios-run-scenarios-with-websockets-create"
OLD_RESULT_ID = "results-retrieve"
UPSTREAM_WORDS = "Upstream wording, not ours."
#: A security scheme our openapi.yaml does not have (it has Cekura's oauth2 since the 2026 sync).
NEW_SCHEME = "partner_oauth"


@functools.cache
def _parsed_ours() -> dict[str, Any]:
    spec: dict[str, Any] = YAML(typ="safe", pure=True).load((REPO_ROOT / "openapi.yaml").read_text("utf-8"))
    return spec


def ours() -> dict[str, Any]:
    """Our openapi.yaml as data, a fresh copy each time (parsed once: the pure YAML parser is slow)."""
    return copy.deepcopy(_parsed_ours())


def after() -> dict[str, Any]:
    spec = ours()
    schemas = spec["components"]["schemas"]
    spec["components"]["securitySchemes"][NEW_SCHEME] = {
        "type": "oauth2",
        "description": UPSTREAM_WORDS,
        "flows": {"clientCredentials": {"tokenUrl": "https://auth.example/token", "scopes": {}}},
    }
    spec["paths"][RESULT_PATH]["get"]["security"].append({NEW_SCHEME: []})
    spec["paths"][RESULT_PATH]["get"]["summary"] = "Upstream's summary of reading a result."
    spec["paths"][RESULT_PATH]["get"]["description"] = "Upstream's description of reading a result."
    for name, field in schemas["ResultDetailV2"]["properties"].items():
        if "description" in field:
            field["description"] = f"Upstream's words on {name}."
    schemas["RunScenariosWithWebsockets"]["properties"]["mock_tool_names"] = {
        "type": ["array", "null"],
        "items": {"type": "string"},
        "description": UPSTREAM_WORDS,
    }
    created = spec["paths"][RUN_PATH]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    created["properties"]["runs"]["items"]["properties"]["outbound_dial_window_seconds"] = {
        "type": ["integer", "null"],
        "description": UPSTREAM_WORDS,
    }
    spec["paths"][UNRELATED_PATH] = {
        "get": {"operationId": "agents-list", "responses": {"200": {"description": UPSTREAM_WORDS}}}
    }
    return spec


def before() -> dict[str, Any]:
    spec = copy.deepcopy(after())
    schemas = spec["components"]["schemas"]
    run = spec["paths"][RUN_PATH]["post"]
    run["operationId"], run["tags"] = OLD_RUN_ID, ["test_framework"]
    result = spec["paths"][RESULT_PATH]["get"]
    result["operationId"] = OLD_RESULT_ID
    del result["deprecated"]
    result["security"] = [scheme for scheme in result["security"] if NEW_SCHEME not in scheme]
    del spec["components"]["securitySchemes"][NEW_SCHEME]
    detail = schemas["ResultDetailV2"]
    detail["required"] = [name for name in detail.get("required", []) if name != "agent"] or None
    if detail["required"] is None:
        del detail["required"]
    detail["properties"]["status"]["enum"].remove("scaling_up")
    del schemas["RunScenariosWithWebsockets"]["properties"]["mock_tool_names"]
    created = run["responses"]["201"]["content"]["application/json"]["schema"]
    del created["properties"]["runs"]["items"]["properties"]["outbound_dial_window_seconds"]
    return spec


def write(folder: Path) -> tuple[Path, Path]:
    """``before.json`` and ``after.json`` in ``folder``."""
    paths = folder / "upstream-before.json", folder / "upstream-after.json"
    for path, spec in zip(paths, (before(), after()), strict=True):
        path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return paths
