"""Which agent URLs Cekura's cloud cannot reach: loopback, private and link-local addresses and
names that only resolve inside a network (pure; nothing is resolved).

A batch of such URLs sent to the real Cekura is created, paid for and fails every run; against a
loopback base URL (the emulator) they are what a test uses, so they stay allowed there.
"""

from __future__ import annotations

import ipaddress
from typing import Final
from urllib.parse import urlsplit

from ._errors import Problem
from ._plan import RunPlan
from ._validation import display_url, is_loopback_host

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
        ("fc00::/7", "a private IPv6 address (fc00::/7)"),
        ("fe80::/10", "a link-local IPv6 address (fe80::/10)"),
    )
)
_LOCAL_SUFFIXES: Final = (".localhost", ".local", ".internal")


def private_host_reason(host: str | None) -> str | None:
    """Why a host is out of Cekura's reach ("a private address (10.0.0.0/8)"), or ``None``."""
    if not host:
        return None
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost":
        return "a loopback name"
    for suffix in _LOCAL_SUFFIXES:
        if host.endswith(suffix):
            return f"a {suffix} name, which resolves only inside your network"
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for network, why in _NETWORKS:
        if address.version == network.version and address in network:
            return why
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
