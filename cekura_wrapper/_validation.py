"""Rules for the values a run request carries: websocket URLs, ids and frequency (pure).

Each ``check_*`` function returns the problem as a sentence, or ``None`` when the value is
fine, so a caller can collect every problem in a batch before raising once.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Final
from urllib.parse import urlsplit

from ._errors import ValidationError

MIN_FREQUENCY: Final = 1
MAX_FREQUENCY: Final = 100

_WEBSOCKET_SCHEMES: Final = frozenset({"ws", "wss"})
# Characters no URL may hold (unicodedata categories): controls, invisible format characters
# (zero-width spaces, joiners, bidi marks, a BOM), lone surrogates, and any space or separator.
_BAD_CATEGORIES: Final = {
    "Cc": "a control character",
    "Cf": "an invisible format character",
    "Cs": "a lone surrogate",
    "Zs": "whitespace",
    "Zl": "whitespace (a line separator)",
    "Zp": "whitespace (a paragraph separator)",
}
# Where a URL's user:password would begin: right after the first ``scheme://``.
_SCHEME_SEPARATOR: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
_REDACTED_USERINFO: Final = "***"
# One DNS label: letters (any script), digits, hyphens and underscores, no leading/trailing hyphen.
_LABEL: Final = re.compile(r"^(?!-)[\w-]+(?<!-)$")
_DIGITS: Final = re.compile(r"^[0-9]+$")


def redact_userinfo(text: str) -> str:
    """``text`` with anything that may be a URL's ``user:password`` replaced by ``***``.

    Everything before the last ``@`` goes, back to the first ``scheme://`` (kept) or to the start
    of the text: ``ws://u:pw@h/x`` becomes ``ws://***@h/x``. This is wider than the authority on
    purpose: a password may itself hold ``/``, ``?``, ``#`` or ``@`` (so where the authority ends
    cannot be trusted), and redacting too much only costs an error message some readability.
    """
    at = text.rfind("@")
    if at < 0:
        return text
    separator = _SCHEME_SEPARATOR.search(text, 0, at)
    start = separator.end() if separator is not None else 0
    return text[:start] + _REDACTED_USERINFO + text[at:]


def quote(value: object) -> str:
    """``repr(value)`` with any URL credentials redacted: how every message quotes a value."""
    return redact_userinfo(repr(value))


def describe(value: object) -> str:
    """``'abc' (str)``: the value (credentials redacted) and its type, for messages about a wrong value."""
    text = quote(value)  # redacted before truncation, which could otherwise cut the '@' off
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
    bad = _bad_character(url)
    if bad is not None:
        return f"websocket URL {quote(url)} contains {bad}; remove it"
    scheme, separator, rest = url.partition("://")
    if not separator or not scheme:
        return f"websocket URL {quote(url)} has no scheme; use ws:// or wss://"
    if scheme.lower() not in _WEBSOCKET_SCHEMES:
        return f"websocket URL {quote(url)} has scheme {quote(scheme)}; use ws:// or wss://"
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in authority:
        # Not even the redacted URL: the message is about the credentials themselves.
        return "websocket URL must not contain credentials (user:password@host); remove them from the URL"
    if "#" in url:
        return f"websocket URL {quote(url)} has a #fragment, which websocket URLs may not carry (RFC 6455)"
    problem = _check_authority(url, authority)
    if problem is not None:
        return problem
    return None


def _bad_character(url: str) -> str | None:
    """``"whitespace at index 9 (U+0020 SPACE)"`` for the first character no URL may hold, or ``None``."""
    for index, character in enumerate(url):
        category = unicodedata.category(character)
        kind = "whitespace" if character.isspace() and category == "Cc" else _BAD_CATEGORIES.get(category)
        if kind is not None:
            name = unicodedata.name(character, "")
            return f"{kind} at index {index} (U+{ord(character):04X}{' ' + name if name else ''})"
    return None


def _check_authority(url: str, authority: str) -> str | None:
    if not authority:
        return f"websocket URL {quote(url)} has no host"
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"websocket URL {quote(url)} has an invalid IPv6 address (brackets or characters)"
    if authority.startswith("[") and "]" in authority:
        after = authority[authority.index("]") + 1 :]
        if after and not after.startswith(":"):
            return f"websocket URL {quote(url)} has {quote(after)} after the IPv6 address; only :port may follow it"
    try:
        port = parts.port
    except ValueError:
        return f"websocket URL {quote(url)} has a port that is not a number in 1-65535"
    if port is not None and not 1 <= port <= 65535:
        return f"websocket URL {quote(url)} has port {port}, outside 1-65535"
    if authority.endswith(":"):
        return f"websocket URL {quote(url)} has an empty port"
    host = parts.hostname
    if not host:
        return f"websocket URL {quote(url)} has no host"
    if authority.startswith("["):
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return f"websocket URL {quote(url)} has an invalid IPv6 address {quote(host)}"
        return None
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return f"websocket URL {quote(url)} has an invalid host name {quote(host)}"
    if all(_DIGITS.match(label) for label in labels):
        try:
            ipaddress.IPv4Address(".".join(labels))
        except ValueError:
            return (
                f"websocket URL {quote(url)} has an invalid IPv4 address {quote(host)}; "
                "use four numbers 0-255 (a.b.c.d)"
            )
    elif _DIGITS.match(labels[-1]):
        # Resolvers and URL parsers read a host ending in a number as an IPv4 address.
        return f"websocket URL {quote(url)} has an invalid host name {quote(host)}: it ends in a number"
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
