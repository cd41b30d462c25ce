"""Which agent URLs Cekura's cloud cannot reach: addresses that are not global (loopback, private,
link-local, shared, reserved, multicast, broadcast, documentation...) in any spelling a resolver
accepts, and names that only resolve inside a network (pure; nothing is resolved).

A batch of such URLs sent to the real Cekura is created, paid for and fails every run; against a
loopback base URL (the emulator) they are what a test uses, so they stay allowed there.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from typing import Final, TypeAlias
from urllib.parse import urlsplit

from ._errors import Problem
from ._plan import RunPlan
from ._validation import display_url, is_loopback_host

Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Networks named in words (the first that holds an address names it); any other address that
#: ``ipaddress`` does not call global is refused too, with its network's kind.
_NETWORKS: Final = tuple(
    (ipaddress.ip_network(network), why)
    for network, why in (
        ("127.0.0.0/8", "a loopback address"),
        ("::1/128", "a loopback address"),
        ("0.0.0.0/8", "an unspecified address"),
        ("::/128", "an unspecified address"),
        ("10.0.0.0/8", "a private address (10.0.0.0/8)"),
        ("172.16.0.0/12", "a private address (172.16.0.0/12)"),
        ("192.168.0.0/16", "a private address (192.168.0.0/16)"),
        ("100.64.0.0/10", "a shared (carrier-grade NAT) address (100.64.0.0/10)"),
        ("169.254.0.0/16", "a link-local address (169.254.0.0/16)"),
        ("198.18.0.0/15", "a benchmarking address (198.18.0.0/15)"),
        ("255.255.255.255/32", "the broadcast address"),
        ("fc00::/7", "a private IPv6 address (fc00::/7)"),
        ("fe80::/10", "a link-local IPv6 address (fe80::/10)"),
    )
)
#: Name suffixes that resolve only inside a network (mDNS, cloud-internal, home, Kubernetes).
_LOCAL_SUFFIXES: Final = (
    ".localhost",
    ".local",
    ".internal",
    ".lan",
    ".home.arpa",
    ".svc",
    ".cluster.local",
    ".localdomain",
    ".intranet",
    ".corp",
    ".home",
)
#: Dots other than ``.`` that IDNA reads as label separators.
_DOTS: Final = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_NAT64: Final = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def normalised_host(host: str) -> str:
    """``host`` as a resolver reads it: brackets, zone id and trailing dots gone, NFKC-normalised
    (full-width digits and dots read as ASCII ones), IDNA dots as ``.``, case folded."""
    host = host.strip().strip("[]").split("%", 1)[0]
    host = unicodedata.normalize("NFKC", host).translate(_DOTS).casefold()
    return host.rstrip(".")


def _ipv4_part(text: str) -> int | None:
    """One part of an IPv4 address as ``inet_aton`` reads it: ``0x`` hex, a leading ``0`` octal, else decimal."""
    try:
        if text[:2] in ("0x", "0X"):
            return int(text[2:], 16) if text[2:] else None
        if len(text) > 1 and text.startswith("0"):
            return int(text, 8)
        return int(text, 10) if text.isdigit() else None
    except ValueError:
        return None


def parse_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """``host`` as an IPv4 address in any spelling ``getaddrinfo`` accepts (``0x7f000001``,
    ``2130706433``, ``127.1``, ``0177.0.0.1``), or ``None``."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(part.isascii() and part for part in parts):
        return None
    numbers = [_ipv4_part(part) for part in parts]
    if any(number is None for number in numbers):
        return None
    *head, last = [number for number in numbers if number is not None]
    if any(number > 255 for number in head) or last >= 1 << (8 * (4 - len(head))):
        return None
    value = last
    for index, number in enumerate(head):
        value |= number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def parse_address(host: str) -> Address | None:
    """The IP address ``host`` (already ``normalised_host``) stands for, or ``None`` for a name."""
    try:
        return ipaddress.IPv6Address(host)
    except ValueError:
        return parse_ipv4(host)


def embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, bool] | None:
    """The IPv4 address an IPv6 one carries, and whether the IPv6 address means just that host:
    mapped (``::ffff:a.b.c.d``), translated (``::ffff:0:a.b.c.d``), compatible (``::a.b.c.d``) and
    NAT64 (``64:ff9b::/96``) do; 6to4 (``2002::/16``) and Teredo (the client) only carry it."""
    value = int(address)
    low = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if address.ipv4_mapped is not None or value >> 32 == 0xFFFF0000 or any(address in n for n in _NAT64):
        return low, True
    if value >> 32 == 0 and value > 1:
        return low, True
    if address.sixtofour is not None:
        return address.sixtofour, False
    if address.teredo is not None:
        return address.teredo[1], False
    return None


def address_reason(address: Address) -> str | None:
    """Why ``address`` is out of Cekura's reach, or ``None`` for a global unicast address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = embedded_ipv4(address)
        if embedded is not None:
            inner, same_host = embedded
            why = address_reason(inner)
            if why is not None:
                return f"{why} inside an IPv6 address"
            if same_host:
                return None
    for network, why in _NETWORKS:
        if address.version == network.version and address in network:
            return why
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "an address that is not reachable on the internet (special-purpose)"
    return None


def private_host_reason(host: str | None) -> str | None:
    """Why a host is out of Cekura's reach ("a private address (10.0.0.0/8)"), or ``None``."""
    if not host:
        return None
    name = normalised_host(host)
    if not name:
        return None
    address = parse_address(name)
    if address is not None:
        return address_reason(address)
    if name == "localhost":
        return "a loopback name"
    for suffix in _LOCAL_SUFFIXES:
        if name.endswith(suffix):
            return f"a {suffix} name, which resolves only inside your network"
    if "." not in name:
        return "a single-label name, which resolves only inside your network"
    return None


def unreachable_agent_urls(plan: RunPlan, base_url: str) -> list[Problem]:
    """One problem per agent URL Cekura at ``base_url`` could not reach; none against a loopback
    base URL (the emulator runs its conversations on this machine)."""
    if is_loopback_host(urlsplit(base_url).hostname):
        return []
    problems = []
    for index, target in enumerate(plan.scenarios):
        if target.websocket_url is None:  # the agent's own URL: Cekura dials it, we never see it
            continue
        why = private_host_reason(urlsplit(target.websocket_url).hostname)
        if why is not None:
            problems.append(
                Problem(
                    ("scenarios", index, "websocket_url"),
                    f"websocket URL {display_url(target.websocket_url)} is {why}; "
                    "Cekura's cloud cannot reach it",
                )
            )
    return problems
