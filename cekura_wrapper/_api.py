"""The one place the generated client (``cekura_api``) is imported.

It builds the authenticated generated client and the generated operations' requests. The
generated ``sync_detailed``/``asyncio_detailed`` helpers are not used: their response step
calls ``HTTPStatus(code)``, which raises ``ValueError`` for codes such as 499 or 520 before any
error handling can run, so the wrapper sends the generated request itself and maps the raw
response (see ``_transport``).
"""

from __future__ import annotations

from typing import Any

import httpx

from cekura_api.api.evaluators import run_scenarios_with_websockets as _run_operation
from cekura_api.api.results import get_result as _result_operation
from cekura_api.client import AuthenticatedClient
from cekura_api.models import RunScenariosWithWebsockets

from ._plan import RunPlan

API_KEY_HEADER = "X-CEKURA-API-KEY"

# httpx keeps only 20 idle connections by default: a client waiting on many results at once
# would reconnect (a TLS handshake each) on every burst of polls beyond 20. Keep the whole pool.
CONNECTION_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)


def build_api_client(*, base_url: str, api_key: str, timeout: float) -> AuthenticatedClient:
    """The generated client, authenticating with Cekura's key header.

    Its ``repr`` contains the key: keep the object private and never print it.
    """
    return AuthenticatedClient(
        base_url=base_url,
        token=api_key,
        prefix="",
        auth_header_name=API_KEY_HEADER,
        raise_on_unexpected_status=False,
        timeout=httpx.Timeout(timeout),
        httpx_args={"limits": CONNECTION_LIMITS},
    )


def run_request(plan: RunPlan) -> dict[str, Any]:
    """The httpx request arguments for the bulk websocket run of ``plan``."""
    body = RunScenariosWithWebsockets.from_dict(plan.body)
    return _run_operation._get_kwargs(body=body)


def result_request(result_id: int) -> dict[str, Any]:
    """The httpx request arguments for reading one result."""
    return _result_operation._get_kwargs(id=result_id)
