"""Real responses checked against the project's ``openapi.yaml`` (shared by the emulator's contract tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC = OpenAPI.from_file_path(str(Path(__file__).resolve().parents[1] / "openapi.yaml"))
SPEC_SERVER = "https://api.cekura.ai"


def assert_matches_spec(method: str, path: str, response: httpx.Response, body: Any = None) -> None:
    """Validate a real response against openapi.yaml (raises with the schema error)."""
    request = MockRequest(
        SPEC_SERVER, method.lower(), path, data=json.dumps(body).encode() if body is not None else None
    )
    SPEC.validate_response(request, MockResponse(response.content, status_code=response.status_code))
