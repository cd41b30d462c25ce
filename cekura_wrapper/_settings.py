"""Client configuration: the API key, the base URL and the timing settings, checked once (pure).

Both clients build their ``Settings`` here; nothing in this module sends or sleeps.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Final
from urllib.parse import urlsplit

import attrs

from ._errors import MissingAPIKeyError, ValidationError
from ._polling import check_intervals
from ._validation import is_loopback_host, quote, require_seconds

API_KEY_ENV: Final = "CEKURA_API_KEY"
BASE_URL_ENV: Final = "CEKURA_BASE_URL"
DEFAULT_BASE_URL: Final = "https://api.cekura.ai"


def resolve_api_key(api_key: str | None) -> str:
    """The key passed in, else ``$CEKURA_API_KEY``; a clear error (never echoing it) otherwise."""
    if api_key is None:
        api_key = os.environ.get(API_KEY_ENV)
        if not api_key or not api_key.strip():
            raise MissingAPIKeyError(
                f"no Cekura API key: pass api_key= or set the {API_KEY_ENV} environment variable"
            )
    if isinstance(api_key, str) and not api_key.strip():
        raise MissingAPIKeyError(
            f"api_key is empty: pass the key, or set the {API_KEY_ENV} environment variable"
        )
    if not isinstance(api_key, str):
        raise ValidationError(f"api_key must be a non-empty string (or set {API_KEY_ENV})")
    api_key = api_key.strip()
    if not api_key.isascii():
        raise ValidationError(
            "api_key contains non-ASCII characters, which an HTTP header cannot carry; "
            "check for a copy-paste error (curly quotes, a look-alike letter)"
        )
    if any(character.isspace() or not character.isprintable() for character in api_key):
        raise ValidationError(
            "api_key contains whitespace or control characters; check for a copy-paste error"
        )
    return api_key


def resolve_base_url(base_url: str | None) -> str:
    """The base URL passed in, else ``$CEKURA_BASE_URL``, else Cekura's; plain http only on loopback."""
    if base_url is None:
        base_url = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    if not isinstance(base_url, str) or not base_url.strip():
        raise ValidationError(f"base_url must be a non-empty URL string, got {quote(base_url)}")
    base_url = base_url.strip().rstrip("/")
    if len(base_url) > 2048:
        raise ValidationError(
            f"base_url is {len(base_url)} characters long; a Cekura API root is a short URL"
        )
    if any(character.isspace() or not character.isprintable() for character in base_url):
        raise ValidationError(
            f"base_url {quote(base_url)} contains whitespace or control characters (a line break?); "
            "check for a copy-paste error"
        )
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018  (validates the port)
    except ValueError:
        raise ValidationError(f"base_url {quote(base_url)} is not a valid URL") from None
    if "@" in parts.netloc:
        raise ValidationError("base_url must not contain credentials (user:password@host)")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(f"base_url {quote(base_url)} must be an https:// URL with a host")
    if parts.query or parts.fragment:
        raise ValidationError(f"base_url {quote(base_url)} must not carry a query or fragment")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValidationError(
            f"base_url {quote(base_url)} uses plain http, which would send the API key unencrypted; "
            "use https:// (plain http is allowed for loopback hosts only)"
        )
    return base_url


@attrs.frozen
class Settings:
    """Validated client configuration (everything but the key)."""

    base_url: str
    timeout: float
    max_retries: int
    retry_backoff: float
    poll_interval: float
    max_poll_interval: float
    http2: bool = False

    @classmethod
    def build(
        cls,
        *,
        base_url: str | None,
        timeout: float,
        max_retries: int,
        retry_backoff: float,
        poll_interval: float,
        max_poll_interval: float,
        http2: bool = False,
    ) -> Settings:
        """Check every value and fill in defaults from the environment."""
        timeout = require_seconds(timeout, "timeout")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValidationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        retry_backoff = require_seconds(retry_backoff, "retry_backoff", zero_ok=True)
        check_intervals(poll_interval, max_poll_interval)
        if http2 is not False and http2 is not True:
            raise ValidationError(f"http2 must be True or False, got {http2!r}")
        if http2 and importlib.util.find_spec("h2") is None:
            raise ValidationError(
                "http2=True needs the h2 package: pip install 'cekura-ws[h2]' (or pass http2=False)"
            )
        return cls(
            base_url=resolve_base_url(base_url),
            timeout=timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            poll_interval=float(poll_interval),
            max_poll_interval=float(max_poll_interval),
            http2=http2,
        )
