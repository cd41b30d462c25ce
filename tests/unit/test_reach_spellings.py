"""Issue 23, finding 6: an agent URL Cekura's cloud cannot reach is refused in every spelling a
resolver accepts (hex, octal and short IPv4, full-width digits, IPv6 carrying an IPv4 address)
and for names that resolve only inside a network; the guard classifies by meaning."""

from __future__ import annotations

import ipaddress
import json
import socket

import pytest
from cli_helpers import invoke
from hypothesis import given, settings
from hypothesis import strategies as st

from cekura_wrapper._reach import parse_ipv4, private_host_reason

#: Every spelling the issue found passing the old guard.
SPELLINGS = (
    "0x7f000001",
    "\uff11\uff12\uff17.\uff10.\uff10.\uff11",
    "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",
    "[::127.0.0.1]",
    "[::ffff:0:7f00:1]",
    "[64:ff9b::a9fe:a9fe]",
    "198.18.0.1",
    "255.255.255.255",
    "224.0.0.1",
    "metadata",
    "kubernetes.default.svc",
)


@pytest.mark.parametrize(
    "host",
    [
        *SPELLINGS,
        "2130706433",
        "127.1",
        "0177.0.0.1",
        "0x7f.1",
        "127.0.0.1.",
        "[2002:a9fe:a9fe::1]",  # 6to4 of 169.254.169.254
        "[::ffff:a9fe:a9fe]",
        "router.lan",
        "nas.home.arpa",
        "api.cluster.local",
        "metadata.google.internal",
        "printer.local",
        "[ff02::1]",
        "240.0.0.1",
        "192.0.2.7",
        "\uff11\uff10\uff0e\uff10\uff0e\uff10\uff0e\uff11",  # full-width dots too
    ],
)
def test_every_spelling_of_an_unreachable_host_is_refused(host: str) -> None:
    assert private_host_reason(host) is not None


@pytest.mark.parametrize(
    "host",
    [
        "8.8.8.8",
        "agent.example.com",
        "[2606:4700::1]",
        "[::ffff:8.8.8.8]",
        "[64:ff9b::808:808]",
        "xn--bcher-kva.example",
    ],
)
def test_global_hosts_pass(host: str) -> None:
    assert private_host_reason(host) is None


def test_the_cli_refuses_each_spelling_at_its_flag_for_a_public_base_url() -> None:
    args = ["plan", "--frequency", "1", "--json"]
    for number, host in enumerate(SPELLINGS, start=101):
        args += ["--scenario", f"{number}=ws://{host}/chat"]
    done = invoke(args, base_url="https://api.cekura.ai")

    assert done.exit_code == 2, done.output
    problems = json.loads(done.stdout)["problems"]
    assert [problem["where"] for problem in problems] == [
        f"--scenario #{n}" for n in range(1, len(SPELLINGS) + 1)
    ]
    assert all("Cekura's cloud cannot reach it" in problem["message"] for problem in problems)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789xXabcdefg.", min_size=1, max_size=20))
def test_ipv4_spellings_are_read_as_inet_aton_reads_them(text: str) -> None:
    """``getaddrinfo`` reads a numeric host with ``inet_aton``: the guard reads it the same way."""
    try:
        expected: ipaddress.IPv4Address | None = ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        expected = None
    assert parse_ipv4(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_any_spelling_of_an_address_is_judged_like_its_dotted_form(value: int) -> None:
    address = ipaddress.IPv4Address(value)
    dotted = private_host_reason(str(address))
    for spelling in (
        hex(value),
        str(value),
        f"0{value:o}",
        f"{value >> 24}.{value & 0xFFFFFF}",
        f"[::ffff:{address}]",
    ):
        assert (private_host_reason(spelling) is None) == (dotted is None), spelling
