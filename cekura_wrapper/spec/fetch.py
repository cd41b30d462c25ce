"""Fetching a spec from a URL: https (plain http to a loopback host only), within one total
deadline and a size limit, with a ``user:password@`` in the URL sent as HTTP basic auth.

The exchange is the client's own (``_exchange``): one deadline from connecting to the last byte,
the body read up to a limit. Messages name the URL as ``display_url`` shows it, and any secret
part of the URL is removed from the reasons the network stack gives.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx

from .._exchange import BodyTooLarge, exchange_sync
from .._validation import display_url, is_loopback_host, mask_urls
from .model import DEFAULT_LIMITS, DriftInputError, SpecLimits

_ACCEPT = "application/json, application/yaml"


def fetch_text(url: str, limits: SpecLimits = DEFAULT_LIMITS) -> str:
    """The body of ``url`` as text; ``DriftInputError`` (one line, no secret) for anything else."""
    shown = display_url(url)
    request, loopback = _request(url, shown)
    # No proxy from the environment for a loopback URL (as for the client's loopback API).
    http = httpx.Client(timeout=limits.fetch_seconds, follow_redirects=True, trust_env=not loopback)
    try:
        response = exchange_sync(http, request, limits.fetch_seconds, max_body=limits.max_bytes)
    except httpx.TimeoutException as exc:  # the whole deadline (DeadlineExceeded) or one read's
        # Not closed: the exchange's worker may still be in its last read; it ends on its own.
        raise DriftInputError(
            f"cannot fetch {shown}: too slow: no complete response within {limits.fetch_seconds:g} s"
        ) from exc
    except BodyTooLarge as exc:
        http.close()
        raise DriftInputError(
            f"cannot fetch {shown}: too big: the response is larger than {limits.max_bytes} bytes"
        ) from exc
    except (httpx.HTTPError, OSError, ValueError) as exc:
        http.close()
        raise DriftInputError(f"cannot fetch {shown}: {_scrub(str(exc) or type(exc).__name__, url)}") from exc
    http.close()
    if response.status_code >= 400:
        raise DriftInputError(
            f"cannot fetch {shown}: HTTP {response.status_code} {_scrub(response.reason_phrase, url)}"
        )
    try:
        return response.content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DriftInputError(f"cannot fetch {shown}: {exc}") from exc


def _request(url: str, shown: str) -> tuple[dict[str, Any], bool]:
    """The GET for ``url`` (a ``user:password@`` in it becomes basic auth, which httpx does not
    carry along on a redirect to another host) and whether it goes to a loopback host."""
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
        _port = parsed.port  # raises ValueError on a port that is not a number
    except ValueError as exc:
        raise DriftInputError(f"invalid URL {shown}: {_scrub(str(exc), url)}") from exc
    loopback = is_loopback_host(host)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and loopback):
        raise DriftInputError(f"only file paths and https:// URLs are supported, not {shown!r}")
    auth = None
    if "@" in parsed.netloc:
        user, password = (urllib.parse.unquote(part or "") for part in (parsed.username, parsed.password))
        auth = httpx.BasicAuth(user, password)
        url = urllib.parse.urlunsplit(parsed._replace(netloc=parsed.netloc.rpartition("@")[2]))
    return {"method": "GET", "url": url, "headers": {"Accept": _ACCEPT}, "auth": auth}, loopback


def _scrub(message: str, url: str) -> str:
    """``message`` with every secret part of ``url`` (userinfo, query, fragment) replaced, and any
    URL in it shown as ``display_url`` does."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(details withheld: the URL cannot be parsed)"
    secrets = [parts.netloc.rpartition("@")[0] if "@" in parts.netloc else "", parts.query, parts.fragment]
    secrets += [parts.password or "", urllib.parse.unquote(parts.password or "")]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        message = message.replace(secret, "***")
    return mask_urls(message)
