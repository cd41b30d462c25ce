"""Rules for the values a run request carries: websocket URLs, ids and frequency (pure).

Each ``check_*`` function returns the problem as a sentence, or ``None`` when the value is
fine, so a caller can collect every problem in a batch before raising once.
"""

from __future__ import annotations

import ipaddress
import math
import re
import unicodedata
from typing import Final
from urllib.parse import urlsplit

from ._errors import ValidationError

MIN_FREQUENCY: Final = 1
MAX_FREQUENCY: Final = 100
#: Longest agent URL accepted (browsers and servers commonly refuse longer request lines).
MAX_URL_LENGTH: Final = 2048
#: Characters of a value quoted in a message at most.
MAX_QUOTED: Final = 120
#: The largest id Cekura's (64-bit) ids can hold.
MAX_ID: Final = 2**63 - 1

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
_REDACTED: Final = "***"
# Characters a URL scheme may hold after its first letter (RFC 3986).
_SCHEME_CHARACTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_WHITESPACE: Final = re.compile(r"\s")
# One DNS label: letters (any script), digits, hyphens and underscores, no leading/trailing hyphen.
_LABEL: Final = re.compile(r"^(?!-)[\w-]+(?<!-)$")
_DIGITS: Final = re.compile(r"^[0-9]+$")


def display_url(url: str) -> str:
    """``url`` as it may be shown to a person: credentials and query values become ``***``.

    ``wss://agent.example.com:8443/ws?token=abc&region=eu`` is shown as
    ``wss://agent.example.com:8443/ws?token=***&region=***``: scheme, host, port, path and parameter
    names stay, every value goes (a bare ``?abc`` becomes ``?***``, a ``#fragment`` ``#***``), and a
    ``user:password`` becomes ``***`` as everything before the last ``@`` back to the first
    ``scheme://`` (a password may hold ``/``, ``?``, ``#`` or ``@``, so where the authority ends
    cannot be trusted). When a ``?`` or ``#`` comes before that ``@`` (``?email=a@b.example``, or
    such a password) nothing after ``scheme://`` is shown. Any text works (a ``repr``, a malformed
    URL): the function never raises and only ever hides more than needed, never less. The request
    sent to Cekura always keeps the exact URL.
    """
    last_at = url.rfind("@")
    secret_from = min((i for i in (url.find("?"), url.find("#"), last_at) if i >= 0), default=len(url))
    separator = _first_scheme(url, 0, secret_from)
    start = separator[1] if separator is not None else 0
    shown, rest = url[:start], url[start:]
    if last_at >= start:
        userinfo, rest = rest[: last_at - start], rest[last_at - start :]
        if "?" in userinfo or "#" in userinfo:
            return shown + _REDACTED
        shown += _REDACTED
    query = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    return shown + rest[:query] + _masked_query_and_fragment(rest[query:])


def _masked_query_and_fragment(tail: str) -> str:
    """``?a=1&b#x`` -> ``?a=***&***#***`` (``tail`` is empty or starts with ``?`` or ``#``)."""
    query, hash_sign, fragment = tail.partition("#")
    shown = ""
    if query:
        shown = "?" + "&".join(_masked_parameter(parameter) for parameter in query[1:].split("&"))
    if hash_sign:
        shown += "#" + (_REDACTED if fragment else "")
    return shown


def _masked_parameter(parameter: str) -> str:
    name, equals, _value = parameter.partition("=")
    if not equals:
        return _REDACTED if parameter else ""
    return f"{name}={_REDACTED}"


def _first_scheme(text: str, start: int, stop: int) -> tuple[int, int] | None:
    """Where the first ``scheme://`` in ``text[start:stop]`` begins and where it ends (after ``//``).

    Linear in the length scanned: each ``://`` is found with ``str.find`` and its scheme read
    backwards only as far as scheme characters go, which never reach the previous ``://``.
    """
    position = text.find("://", start, stop)
    while position >= 0:
        first = position
        while first > start and text[first - 1] in _SCHEME_CHARACTERS:
            first -= 1
        # A scheme begins with a letter: skip leading digits and signs (``1a://`` is ``a://``).
        while first < position and not text[first].isalpha():
            first += 1
        if first < position:
            return first, position + 3
        position = text.find("://", position + 3, stop)
    return None


def mask_urls(text: str) -> str:
    """``text`` (a message, Cekura's ``error_message``) with every ``scheme://...`` in it shown by
    ``display_url``. A URL ends at whitespace; when a quote opened it, its last such quote closes it
    (``'wss://h/?t=***'),`` keeps the quote and what closes after it), so masking twice changes nothing.
    Linear in the length of ``text``, whatever it holds."""
    parts: list[str] = []
    done = 0
    while (found := _first_scheme(text, done, len(text))) is not None:
        begin = found[0]
        opening = text[begin - 1] if begin > done and text[begin - 1] in "'\"" else ""
        space = _WHITESPACE.search(text, found[1])
        end_of_url = space.start() if space is not None else len(text)
        parts.append(text[done : begin - len(opening)])
        parts.append(_masked_url(opening, text[begin:end_of_url]))
        done = end_of_url
    parts.append(text[done:])
    return "".join(parts)


def _masked_url(opening: str, url: str) -> str:
    end = len(url)
    if opening:
        closing = url.rfind(opening)
        if closing >= 0 and not url[closing + 1 :].strip(",;:.)]}'\""):
            end = closing
    # Punctuation that ends a sentence ("...?token=abc: connection refused") is not the URL's.
    while not opening and end > 0 and url[end - 1] in ",;:.":
        end -= 1
    return opening + display_url(url[:end]) + url[end:]


def quote(value: object) -> str:
    """``repr(value)`` with any URL credentials and query values hidden: how every message quotes a
    value; at most ``MAX_QUOTED`` characters (the rest is cut and counted)."""
    try:
        text = repr(display_url(value)) if isinstance(value, str) else display_url(repr(value))
    except ValueError:  # an int too long to print (Python refuses over 4,300 digits)
        return "a number too long to show"
    if len(text) > MAX_QUOTED:
        text = f"{text[: MAX_QUOTED - 30]}... ({len(text)} characters)"
    return text


def describe(value: object) -> str:
    """``'abc' (text)``: the value (credentials and query values hidden) and what kind of value it
    is, in words a user knows (text, a number, a list), for messages about a wrong value."""
    text = quote(value)  # hidden before truncation, which could otherwise cut the '@' or '?' off
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({_kind(value)})"


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bytes):
        return "bytes"
    if value is None:
        return "nothing"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def check_websocket_url(url: object) -> str | None:
    """The problem with ``url`` as an agent websocket URL, or ``None`` when it is valid."""
    if not isinstance(url, str):
        return f"websocket URL must be a string, got {describe(url)}"
    url = url.strip()
    if not url:
        return "websocket URL is empty"
    if len(url) > MAX_URL_LENGTH:
        return (
            f"websocket URL {quote(url)} is {len(url)} characters long; at most {MAX_URL_LENGTH} are accepted"
        )
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
    host = parts.hostname
    if not host:
        return f"websocket URL {quote(url)} has no host"
    if authority.startswith("["):
        address, percent, zone = host.partition("%")
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return f"websocket URL {quote(url)} has an invalid IPv6 address {quote(host)}"
        # RFC 6874: a zone id is written %25 (an escaped '%') followed by the zone.
        if percent and not (zone.startswith("25") and len(zone) > 2):
            return (
                f"websocket URL {quote(url)} has a zone id written {quote('%' + zone)}; write it as %25{zone}"
            )
        return None
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return f"websocket URL {quote(url)} has an invalid host name {quote(host)}"
    if len(host.rstrip(".")) > 253 or any(len(label) > 63 for label in labels):
        # RFC 1035: labels of at most 63 octets, names of at most 253 characters.
        return (
            f"websocket URL {quote(url)} has a host name no resolver can look up: "
            "labels are at most 63 characters and names at most 253"
        )
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
        return f"{what} must be a positive int, got {value if value > -MAX_ID else 'a huge negative number'}"
    if value > MAX_ID:
        return f"{what} is too large: ids are at most {MAX_ID} (2**63 - 1)"
    return None


def check_frequency(frequency: object) -> str | None:
    """The problem with ``frequency`` (runs per scenario, an int in 1..100), or ``None``."""
    if isinstance(frequency, bool) or not isinstance(frequency, int):
        return f"frequency must be an int in {MIN_FREQUENCY}..{MAX_FREQUENCY}, got {describe(frequency)}"
    if not MIN_FREQUENCY <= frequency <= MAX_FREQUENCY:
        return f"frequency must be in {MIN_FREQUENCY}..{MAX_FREQUENCY}, got {frequency}"
    return None


def check_seconds(value: object, name: str, *, zero_ok: bool = False) -> str | None:
    """The problem with ``value`` as a finite number of seconds (> 0, or >= 0 with ``zero_ok``), or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        valid = False
    else:
        valid = (value >= 0 if zero_ok else value > 0) and value < math.inf
    if valid:
        return None
    bound = ">= 0" if zero_ok else "> 0"
    return f"{name} must be a finite number of seconds {bound}, got {value!r}"


def require_seconds(value: float, name: str, *, zero_ok: bool = False) -> float:
    """``value`` as a float, or ``ValidationError`` (see ``check_seconds``)."""
    problem = check_seconds(value, name, zero_ok=zero_ok)
    if problem is not None:
        raise ValidationError(problem)
    return float(value)


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ``::1``); nothing is resolved."""
    if not host:
        return False
    host = host.strip("[]").lower()
    # Only the name ``localhost`` itself: a ``*.localhost`` name is looked up like any other by
    # many resolvers, and plain http to it would send the key to wherever it points.
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
