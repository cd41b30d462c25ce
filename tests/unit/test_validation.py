"""validate_websocket_url, compute_run_count and the frequency/id rules."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cekura_wrapper import ValidationError, compute_run_count, validate_websocket_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ws://agent.example.com/chat", "ws://agent.example.com/chat"),
        ("wss://agent.example.com", "wss://agent.example.com"),
        ("  wss://agent.example.com:8443/chat?x=1&y=2 \n", "wss://agent.example.com:8443/chat?x=1&y=2"),
        ("WSS://Agent.Example.com/", "WSS://Agent.Example.com/"),
        ("ws://127.0.0.1:8765", "ws://127.0.0.1:8765"),
        ("ws://[::1]:8765/agent", "ws://[::1]:8765/agent"),
        ("wss://[2001:db8::1]/x", "wss://[2001:db8::1]/x"),
        ("ws://localhost:1", "ws://localhost:1"),
        ("ws://[::1]", "ws://[::1]"),
        ("ws://[fe80::1%25eth0]:9/x", "ws://[fe80::1%25eth0]:9/x"),
        ("ws://agent:/x", "ws://agent:/x"),  # RFC 3986: the port may be empty
        ("ws://0.0.0.0:80", "ws://0.0.0.0:80"),
        ("ws://255.255.255.255", "ws://255.255.255.255"),
        ("ws://agent7.example.com1a", "ws://agent7.example.com1a"),
        ("ws://h\u00e9te.example/caf\u00e9", "ws://h\u00e9te.example/caf\u00e9"),
        ("ws://agent_1.internal:65535", "ws://agent_1.internal:65535"),
        ("ws://host?token=abc", "ws://host?token=abc"),
    ],
)
def test_accepts_websocket_urls_and_strips_surrounding_whitespace(url: str, expected: str) -> None:
    assert validate_websocket_url(url) == expected


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://agent.example.com", "scheme 'http'"),
        ("https://agent.example.com", "scheme 'https'"),
        ("agent.example.com/chat", "no scheme"),
        ("://agent.example.com", "no scheme"),
        ("ws://", "no host"),
        ("ws:///chat", "no host"),
        ("ws://:8080/chat", "no host"),
        ("ws://agent:0", "outside 1-65535"),
        ("ws://agent:65536", "1-65535"),
        ("ws://agent:http", "not a number in 1-65535"),
        ("ws://[fe80::1%eth0]:9/x", "write it as %25eth0"),
        ("ws://" + "a" * 64 + ".example/", "labels are at most 63"),
        ("ws://" + ("a" * 50 + ".") * 5 + "example/", "names at most 253"),
        ("ws://agent.example/" + "x" * 3000, "at most 2048"),
        ("ws://agent example.com", "whitespace"),
        ("ws://agent.example.com/a\tb", "whitespace"),
        ("ws://agent.example.com/\x00", "control character"),
        ("ws://agent.example.com/chat#top", "fragment"),
        ("ws://agent.example.com/#", "fragment"),
        ("ws://[::1/x", "invalid IPv6"),
        ("ws://[zz::1]/x", "invalid IPv6"),
        ("ws://-bad-.example.com", "invalid host name"),
        ("ws://a..b", "invalid host name"),
        ("ws://[::1]x", "'x' after the IPv6 address"),
        ("ws://[::1]x:8080/chat", "'x:8080' after the IPv6 address"),
        ("ws://999.1.1.1", "invalid IPv4 address '999.1.1.1'"),
        ("ws://1.2.3.256:80", "invalid IPv4 address"),
        ("ws://1.2.3", "invalid IPv4 address"),
        ("ws://1.2.3.4.5", "invalid IPv4 address"),
        ("ws://2130706433", "invalid IPv4 address"),
        ("ws://01.2.3.4", "invalid IPv4 address"),
        ("ws://agent.example.123", "ends in a number"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_rejects_bad_urls_naming_the_problem(url: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_websocket_url(url)
    assert fragment in str(caught.value)
    assert caught.value.errors == [str(caught.value)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("ws://agent.\u200bexample.com", "invisible format character at index 11 (U+200B ZERO WIDTH SPACE)"),
        ("\ufeffws://agent", "invisible format character at index 0 (U+FEFF ZERO WIDTH NO-BREAK SPACE)"),
        ("ws://agent/chat\u200e", "invisible format character at index 15 (U+200E LEFT-TO-RIGHT MARK)"),
        ("ws://agent/a\u2060b", "invisible format character at index 12 (U+2060 WORD JOINER)"),
        ("ws://agent/a\u00adb", "invisible format character at index 12 (U+00AD SOFT HYPHEN)"),
        ("ws://agent/a\u2028b", "whitespace (a line separator) at index 12 (U+2028 LINE SEPARATOR)"),
        (
            "ws://agent/a\u2029b",
            "whitespace (a paragraph separator) at index 12 (U+2029 PARAGRAPH SEPARATOR)",
        ),
        ("ws://agent/a\u00a0b", "whitespace at index 12 (U+00A0 NO-BREAK SPACE)"),
        ("ws://agent/a\u3000b", "whitespace at index 12 (U+3000 IDEOGRAPHIC SPACE)"),
        ("ws://agent/a\x85b", "whitespace at index 12 (U+0085)"),
        ("ws://agent/a\x7fb", "a control character at index 12 (U+007F)"),
        ("ws://agent/a b", "whitespace at index 12 (U+0020 SPACE)"),
    ],
)
def test_invisible_characters_are_refused_naming_where_and_which(url: str, expected: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_websocket_url(url)
    message = str(caught.value)
    assert expected in message
    assert all(character.isprintable() for character in message)  # shown escaped, never raw


@pytest.mark.parametrize("value", [None, 42, b"ws://agent", ["ws://agent"]])
def test_rejects_non_strings(value: object) -> None:
    with pytest.raises(ValidationError, match="must be a string"):
        validate_websocket_url(value)


@pytest.mark.parametrize(
    "url", ["ws://bob:hunter2@agent.example.com/chat", "wss://:hunter2@agent", "ws://hunter2@agent"]
)
def test_credentials_are_refused_without_echoing_the_password(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_websocket_url(url)
    assert "credentials" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(caught.value.errors)


# A password next to a second problem: the second problem's message quotes the URL.
SECRET_URLS = [
    "http://u:s3cret@h",
    "ftp://u:s3cret@h",
    "u:s3cret@h",
    "://u:s3cret@h",
    "ws://u:s3cret@h/a b",
    "ws://u:s3cret@h/a\tb",
    "ws://u:s3cret@h/\x00",
    "ws://u:s3cret@h#top",
    "ws://u:s3cret@h:99999",
    "ws://u:s3cret@[::1",
    "ws://u:s3/cret@h",  # a '/' in the password ends the authority early: a "port" problem
    "ws://u:s3?cret@h",
    "ws://u:s3#cret@h",
    "ws://u:s3cret@x@h",
    "u:s3cret@h://x",  # the password lands in the "scheme"
    "ws:/u:s3cret@h",
]
SECRET_VALUES: list[object] = [
    b"ws://u:s3cret@h",
    bytearray(b"wss://u:s3cret@h"),
    ["ws://u:s3cret@h"],
    ("ws://a", "ws://u:s3cret@h"),
    b"u:s3cret@h",
    ["ws://" + "a" * 50 + ":s3cret@h"],  # long enough to be truncated in the message
]


@pytest.mark.parametrize("url", SECRET_URLS + SECRET_VALUES)
def test_a_password_is_never_echoed_whatever_else_is_wrong(url: object) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_websocket_url(url)
    texts = [str(caught.value), repr(caught.value), *caught.value.errors]
    assert [text for text in texts if "s3cret" in text or "cret@" in text] == []


def test_a_redacted_url_still_shows_the_rest() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_websocket_url("http://u:s3cret@agent.example.com/chat")
    assert "'http://***@agent.example.com/chat' has scheme 'http'" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        validate_websocket_url(b"ws://u:s3cret@h")
    assert "b'ws://***@h' (bytes)" in str(caught.value)


def test_validation_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        validate_websocket_url("http://x")


@given(st.text(max_size=60))
def test_any_text_is_either_accepted_stripped_or_refused_with_validation_error(text: str) -> None:
    try:
        accepted = validate_websocket_url(text)
    except ValidationError:
        return
    assert accepted == text.strip()
    assert accepted.lower().startswith(("ws://", "wss://"))
    assert "#" not in accepted and "@" not in accepted.split("/")[2]


_LABELS = st.from_regex(r"\A[A-Za-z0-9_]([A-Za-z0-9_-]{0,12}[A-Za-z0-9_])?\Z")
_HOSTS = (
    st.lists(_LABELS, min_size=1, max_size=4)
    .filter(lambda labels: not labels[-1].isdigit())  # a numeric last label means an IPv4 address
    .map(".".join)
    | st.ip_addresses(v=4).map(str)
    | st.ip_addresses(v=6).map(lambda address: f"[{address}]")
)
_PCHARS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@"
_PATHS = st.lists(st.text(_PCHARS, max_size=8), max_size=4).map(lambda parts: "".join(f"/{p}" for p in parts))
_QUERIES = st.just("") | st.text(_PCHARS + "/?%", max_size=16).map(lambda query: f"?{query}")
VALID_URLS = st.builds(
    lambda scheme, host, port, path, query: (
        f"{scheme}://{host}{'' if port is None else f':{port}'}{path}{query}"
    ),
    st.sampled_from(["ws", "wss", "WS", "Wss", "wSS"]),
    _HOSTS,
    st.none() | st.integers(min_value=1, max_value=65535),
    _PATHS,
    _QUERIES,
)
_PADDING = st.sampled_from(["", " ", "\n", "\t ", "\r\n", "\u00a0", " \u3000"])


@given(url=VALID_URLS, before=_PADDING, after=_PADDING)
def test_valid_websocket_urls_are_accepted_and_returned_stripped(url: str, before: str, after: str) -> None:
    assert validate_websocket_url(before + url + after) == url


@pytest.mark.parametrize(
    ("scenarios", "frequency", "expected"),
    [(1, 1, 1), (3, 5, 15), ([1, 2], 100, 200), ({"a": 1}, 2, 2), (range(4), 3, 12)],
)
def test_run_count_is_scenarios_times_frequency(scenarios: object, frequency: int, expected: int) -> None:
    assert compute_run_count(scenarios, frequency) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("frequency", "fragment"),
    [
        (0, "got 0"),
        (101, "got 101"),
        (True, "True (true/false)"),
        ("3", "'3' (text)"),
        (2.0, "2.0 (a number)"),
        (None, "None"),
    ],
)
def test_frequency_must_be_an_int_in_1_to_100(frequency: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        compute_run_count(2, frequency)  # type: ignore[arg-type]
    assert "frequency" in str(caught.value) and fragment in str(caught.value)


@pytest.mark.parametrize("scenarios", [0, -1, [], (), True, 2.5, None, "ab", b"ab", bytearray(b"ab")])
def test_at_least_one_scenario_is_needed(scenarios: object) -> None:
    with pytest.raises(ValidationError, match="scenario"):
        compute_run_count(scenarios, 1)  # type: ignore[arg-type]


def test_compute_run_count_reports_both_problems_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        compute_run_count([], 0)
    assert len(caught.value.errors) == 2
