"""The one place the generated client (``cekura_api``) is imported.

It provides the generated operations' requests and the HTTP clients the generated package's
factory builds. The generated ``sync_detailed``/``asyncio_detailed`` helpers are not used: their
response step calls ``HTTPStatus(code)``, which raises ``ValueError`` for codes such as 499 or 520
before any error handling can run, so the wrapper sends the generated request itself and maps the
raw response (see ``_transport``). The generator offers no public way to build a request without
sending it, so its private ``_get_kwargs`` is called here and nowhere else
(``tests/client/test_api.py`` pins what it returns).
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from cekura_api.api.evaluators import run_scenarios_with_websockets as _run_operation
from cekura_api.api.results import create_share_link as _share_operation
from cekura_api.api.results import end_calls as _end_calls_operation
from cekura_api.api.results import get_result as _result_operation
from cekura_api.api.results import list_results as _list_operation
from cekura_api.client import Client
from cekura_api.models import ResultDetailV2 as ResultDetailV2  # re-exported for Result.detail
from cekura_api.models import RunScenariosWithWebsockets, SchemaPostCreateShareableLinkToken
from cekura_api.types import UNSET

from ._plan import RunPlan
from ._validation import is_loopback_host

API_KEY_HEADER: Final = "X-CEKURA-API-KEY"

#: Requests one client has in flight at once; more wait their turn (within their own deadline).
#: httpcore scans its whole pool and queue on every request (encode/httpcore#1035): 500 waits
#: on an uncapped pool cost 9-16 ms of CPU per request, capped at 20 about 1.5 ms (make bench, part 5).
MAX_IN_FLIGHT: Final = 20
#: With HTTP/2 the requests share one connection as streams: the pool stays small, so more fit.
MAX_IN_FLIGHT_HTTP2: Final = 100


def max_in_flight(*, http2: bool) -> int:
    """How many requests one client sends at once (the rest wait their turn)."""
    return MAX_IN_FLIGHT_HTTP2 if http2 else MAX_IN_FLIGHT


# Every pooled connection is kept alive between polls (no TLS handshake per burst of polls).
CONNECTION_LIMITS: Final = httpx.Limits(
    max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT
)


@functools.cache
def tls_context(*, trust_env: bool, http2: bool) -> ssl.SSLContext:
    """The certificate-verifying TLS context every client of a kind shares, made once per process.

    httpx makes a new context for each client, loading the whole CA bundle again: 20-60 ms of CPU
    per client, more than a poll costs. One shared context is what httpx's docs advise. HTTP/2
    clients get their own because httpcore sets the offered protocols (ALPN) on the context it is
    given. As in httpx, ``trust_env`` honours SSL_CERT_FILE / SSL_CERT_DIR (read here, once).
    """
    return httpx.create_ssl_context(trust_env=trust_env)


def _generated_client(base_url: str, timeout: float, http2: bool = False) -> Client:
    # No key here: every request carries it (see ``authorized``), so an injected client works too.
    # A loopback API (the emulator) is plain http: a proxy from HTTP_PROXY would read the key in
    # clear text, so such a client ignores the proxy environment and goes direct.
    trust_env = not is_loopback_host(urlsplit(base_url).hostname)
    return Client(
        base_url=base_url,
        raise_on_unexpected_status=False,
        timeout=httpx.Timeout(timeout),
        verify_ssl=tls_context(trust_env=trust_env, http2=http2),
        httpx_args={"limits": CONNECTION_LIMITS, "trust_env": trust_env, "http2": http2},
    )


def new_http_client(*, base_url: str, timeout: float, http2: bool = False) -> httpx.Client:
    """The ``httpx.Client`` a ``CekuraClient`` uses when none is passed in."""
    return _generated_client(base_url, timeout, http2).get_httpx_client()


def new_async_http_client(*, base_url: str, timeout: float, http2: bool = False) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` an ``AsyncCekuraClient`` uses when none is passed in."""
    return _generated_client(base_url, timeout, http2).get_async_httpx_client()


def run_request(plan: RunPlan) -> dict[str, Any]:
    """The httpx request arguments for the bulk websocket run of ``plan`` (URL relative to the API root)."""
    body = RunScenariosWithWebsockets.from_dict(plan.body)
    return _run_operation._get_kwargs(body=body)


def result_request(result_id: int) -> dict[str, Any]:
    """The httpx request arguments for reading one result (URL relative to the API root)."""
    return _result_operation._get_kwargs(id=result_id)


def end_calls_request(result_id: int) -> dict[str, Any]:
    """The httpx request arguments for ending every call of one result."""
    return _end_calls_operation._get_kwargs(id=result_id)


def share_link_request(result_id: int, expire_at: str) -> dict[str, Any]:
    """The httpx request arguments for making a shareable link to one result, valid until ``expire_at``."""
    return _share_operation._get_kwargs(
        id=result_id, body=SchemaPostCreateShareableLinkToken.from_dict({"expire_at": expire_at})
    )


def list_results_request(*, agent: int | None, page_size: int | None) -> dict[str, Any]:
    """The httpx request arguments for the first page of the results list (newest first)."""
    return _list_operation._get_kwargs(
        agent_id=UNSET if agent is None else agent, page_size=UNSET if page_size is None else page_size
    )


def result_detail(payload: Mapping[str, Any]) -> ResultDetailV2:
    """A result's JSON object as the generated model (``Result.detail``): every field the spec
    declares typed, the rest in ``additional_properties``."""
    return ResultDetailV2.from_dict(dict(payload))


def request_name(kwargs: Mapping[str, Any]) -> str:
    """``"GET /test_framework/v1/results/1/"``: how messages and logs name a request."""
    return f"{str(kwargs['method']).upper()} {kwargs['url']}"


def authorized(kwargs: Mapping[str, Any], *, base_url: str, api_key: str, timeout: float) -> dict[str, Any]:
    """``kwargs`` ready to send with any httpx client: absolute URL, the key header, a time limit.

    The result holds the key: never log or print it.
    """
    headers = {**kwargs.get("headers", {}), API_KEY_HEADER: api_key}
    return {
        **kwargs,
        "url": base_url + str(kwargs["url"]),
        "headers": headers,
        "timeout": httpx.Timeout(timeout),
    }
