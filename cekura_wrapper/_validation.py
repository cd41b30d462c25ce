"""Rules for the values a run request carries: websocket URLs, ids and frequency (pure).

Each ``check_*`` function returns the problem as a sentence, or ``None`` when the value is
fine, so a caller can collect every problem in a batch before raising once.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final
from urllib.parse import urlsplit

from ._errors import ValidationError

MIN_FREQUENCY: Final = 1
MAX_FREQUENCY: Final = 100

_WEBSOCKET_SCHEMES: Final = frozenset({"ws", "wss"})
# Any whitespace or C0/C1 control character, anywhere inside the URL.
_BAD_CHARACTER: Final = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
# One DNS label: letters (any script), digits, hyphens and underscores, no leading/trailing hyphen.
_LABEL: Final = re.compile(r"^(?!-)[\w-]+(?<!-)$")


def describe(value: object) -> str:
    """``'abc' (str)``: the value and its type, for messages about a wrong value."""
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


def check_websocket_url(url: object) -> str | None:
    """The problem with ``url`` as an agent websocket URL, or ``None`` when it is valid."""
    if not isinstance(url, str):
        return f"websocket URL must be a string, got {describe(url)}"
    url = url.strip()
    if not url:
        return "websocket URL is empty"
    if _BAD_CHARACTER.search(url):
        return f"websocket URL {url!r} contains whitespace or a control character"
    scheme, separator, rest = url.partition("://")
    if not separator or not scheme:
        return f"websocket URL {url!r} has no scheme; use ws:// or wss://"
    if scheme.lower() not in _WEBSOCKET_SCHEMES:
        return f"websocket URL {url!r} has scheme {scheme!r}; use ws:// or wss://"
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        # Never echo the URL here: it may carry a password.
        return "websocket URL must not contain credentials (user:password@host); remove them from the URL"
    if "#" in url:
        return f"websocket URL {url!r} has a #fragment, which websocket URLs may not carry (RFC 6455)"
    problem = _check_authority(url, authority)
    if problem is not None:
        return problem
    return None


def _check_authority(url: str, authority: str) -> str | None:
    if not authority:
        return f"websocket URL {url!r} has no host"
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"websocket URL {url!r} has an invalid IPv6 address (brackets or characters)"
    try:
        port = parts.port
    except ValueError:
        return f"websocket URL {url!r} has a port that is not a number in 1-65535"
    if port is not None and not 1 <= port <= 65535:
        return f"websocket URL {url!r} has port {port}, outside 1-65535"
    if authority.endswith(":"):
        return f"websocket URL {url!r} has an empty port"
    host = parts.hostname
    if not host:
        return f"websocket URL {url!r} has no host"
    if authority.startswith("["):
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return f"websocket URL {url!r} has an invalid IPv6 address {host!r}"
        return None
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return f"websocket URL {url!r} has an invalid host name {host!r}"
    return None


def validate_websocket_url(url: object) -> str:
    """Return ``url`` with surrounding whitespace stripped, or raise ``ValidationError``.

    Accepts ``ws://`` and ``wss://`` URLs (any case) with a host name, IPv4 or bracketed IPv6
    address, an optional port, path and query; refuses anything a websocket client could not
    dial, credentials in the URL and ``#fragments``.
    """
    problem = check_websocket_url(url)
    if problem is not None:
        raise ValidationError(problem, [problem])
    assert isinstance(url, str)
    return url.strip()


def check_positive_id(value: object, what: str) -> str | None:
    """The problem with ``value`` as a Cekura id (a positive int), or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{what} must be a positive int, got {describe(value)}"
    if value < 1:
        return f"{what} must be a positive int, got {value}"
    return None


def check_frequency(frequency: object) -> str | None:
    """The problem with ``frequency`` (runs per scenario, an int in 1..100), or ``None``."""
    if isinstance(frequency, bool) or not isinstance(frequency, int):
        return f"frequency must be an int in {MIN_FREQUENCY}..{MAX_FREQUENCY}, got {describe(frequency)}"
    if not MIN_FREQUENCY <= frequency <= MAX_FREQUENCY:
        return f"frequency must be in {MIN_FREQUENCY}..{MAX_FREQUENCY}, got {frequency}"
    return None
