"""display_url, mask_urls and quote: how a URL is shown to people (query values and credentials as ***)."""

from __future__ import annotations

import string
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cekura_wrapper import ValidationError, display_url, plan_run, validate_websocket_url
from cekura_wrapper._validation import check_websocket_url, mask_urls, quote


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("wss://a.example.com/ws?token=s3cret", "wss://a.example.com/ws?token=***"),
        (
            "wss://agent.example.com:8443/ws?token=abc&region=eu",
            "wss://agent.example.com:8443/ws?token=***&region=***",
        ),
        ("ws://h?abc", "ws://h?***"),
        ("ws://h/x?a=&&b", "ws://h/x?a=***&&***"),
        ("ws://h/x?a=1=2", "ws://h/x?a=***"),
        ("ws://h/x?", "ws://h/x?"),
        ("ws://h/x#", "ws://h/x#"),
        ("ws://h/x?t=1#top", "ws://h/x?t=***#***"),
        ("ws://h/x#top?t=1", "ws://h/x#***"),
        ("ws://[::1]:8765/agent?t=1", "ws://[::1]:8765/agent?t=***"),
        ("ws://agent.example.com/chat", "ws://agent.example.com/chat"),
        ("WSS://Agent.Example.com/Path", "WSS://Agent.Example.com/Path"),
        ("ws://h/a%3Fb", "ws://h/a%3Fb"),  # an encoded '?' is path
        # user:password, as before: everything before the last '@' back to the scheme.
        ("ws://u:s3cret@h/x?t=1", "ws://***@h/x?t=***"),
        ("ws://u:s3/cret@h", "ws://***@h"),
        ("ws://u:s3cret@x@h", "ws://***@h"),
        ("u:s3cret@h://x", "***@h://x"),
        ("ws:/u:s3cret@h", "***@h"),
        # A '?' or '#' before the last '@': the host cannot be told apart, so nothing is shown.
        ("wss://h/ws?email=a@b.example&token=s3cret", "wss://***"),
        ("ws://u:s3?cret@h", "ws://***"),
        ("ws://u:s3#cret@h", "ws://***"),
        # Malformed: nothing raises; everything after the first '?' is masked.
        ("ws://[::1/x?t=s3cret", "ws://[::1/x?t=***"),
        ("agent.example.com/ws?token=s3cret", "agent.example.com/ws?token=***"),
        ("?token=s3cret", "?token=***"),
        ("?s3cret", "?***"),
        ("x?t=ab://s3cret", "x?t=***"),  # a '://' inside the query is no scheme
        ("ws://h/a b?t=s3 cret&u", "ws://h/a b?t=***&***"),
        ("ws://h?t=s3cret\x00\n", "ws://h?t=***"),
        ("", ""),
        ("ws://", "ws://"),
        ("://h?t=1", "://h?t=***"),
        ("not a url", "not a url"),
    ],
)
def test_display_url(url: str, shown: str) -> None:
    assert display_url(url) == shown
    assert display_url(shown) == shown  # showing twice changes nothing


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "could not connect to ws://127.0.0.1:9/?token=s3cret: connection refused",
            "could not connect to ws://127.0.0.1:9/?token=***: connection refused",
        ),
        ("url 'wss://h/x?t=s3cret' has a port", "url 'wss://h/x?t=***' has a port"),
        ("frame: \"moved to 'wss://h/x?t=s3cret'\"", "frame: \"moved to 'wss://h/x?t=***'\""),
        ('{"websocket_url": "wss://h/x?t=s3cret"},', '{"websocket_url": "wss://h/x?t=***"},'),
        ("two: ws://a?x=1 and ws://u:p@b/?y=2", "two: ws://a?x=*** and ws://***@b/?y=***"),
        ("no URL here? a=1", "no URL here? a=1"),
        ("", ""),
    ],
)
def test_mask_urls_masks_every_url_in_a_message(text: str, shown: str) -> None:
    assert mask_urls(text) == shown
    assert mask_urls(shown) == shown


def test_quote_keeps_the_quotes_of_a_string_and_masks_any_repr() -> None:
    assert quote("wss://h/x?t=s3cret") == "'wss://h/x?t=***'"
    assert quote(b"ws://u:p@h?x=s3cret") == "b'ws://***@h?x=***"
    assert "s3cret" not in quote(["wss://a/x", "wss://b/y?t=s3cret"])
    assert quote(42) == "42"


@pytest.mark.parametrize(
    "url",
    [
        "wss://a.example.com:99999/ws?token=s3cret",
        "http://a.example.com/ws?token=s3cret",
        "a.example.com/ws?token=s3cret",
        "wss://a.example.com/ws?token=s3cret#top",
        "wss://a.example.com/ws?token=s3 cret",
        "wss://[::1/ws?token=s3cret",
        "wss://a..example/ws?token=s3cret",
        "wss://h/ws?e=a@b&token=s3cret#top",
    ],
)
def test_validation_messages_mask_query_values(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_websocket_url(url)
    with pytest.raises(ValidationError) as planned:
        plan_run([(101, url), (0, url), {"scenario": 1, "websocket_url": url, url: 1}], frequency=1)
    texts = [str(caught.value), *caught.value.errors, str(planned.value), *planned.value.errors]
    assert [text for text in texts if "s3" in text or "cret" in text] == []


def test_a_validation_message_still_shows_scheme_host_port_path_and_names() -> None:
    problem = check_websocket_url("wss://a.example.com:99999/ws?token=s3cret&region=eu")
    assert problem == (
        "websocket URL 'wss://a.example.com:99999/ws?token=***&region=***' has a port that is not "
        "a number in 1-65535"
    )


def test_a_valid_url_keeps_its_query_exactly() -> None:
    url = "wss://a.example.com/ws?token=s3cret"
    assert validate_websocket_url(url) == url
    assert plan_run([(101, url)], frequency=1).body["scenarios"] == [{"scenario": 101, "websocket_url": url}]


# Well-formed URLs: scheme, host, port and path, parameter names lower case; values hold upper case.
_LOWER = st.text(string.ascii_lowercase + string.digits + "-_.~%", min_size=1, max_size=8)
_VALUES = st.text(string.ascii_uppercase + string.digits + "-._~%:/?@!$'()*+,;=", max_size=12).map(
    lambda value: "S" + value
)


@given(
    scheme=st.sampled_from(["ws", "wss", "WSS"]),
    host=st.from_regex(r"\A[a-z]{1,8}(\.[a-z]{1,8}){0,2}\Z"),
    port=st.none() | st.integers(1, 65535),
    path=st.lists(_LOWER, max_size=3).map(lambda parts: "".join("/" + part for part in parts)),
    parameters=st.lists(
        st.tuples(_LOWER, _VALUES) | _VALUES.map(lambda value: (None, value.replace("=", ""))), max_size=5
    ),
    fragment=st.none() | _VALUES,
)
def test_every_query_value_is_masked_and_everything_else_kept(
    scheme: str,
    host: str,
    port: int | None,
    path: str,
    parameters: list[tuple[str | None, str]],
    fragment: str | None,
) -> None:
    base = f"{scheme}://{host}{f':{port}' if port is not None else ''}{path}"
    query = "&".join(value if name is None else f"{name}={value}" for name, value in parameters)
    url = base + (f"?{query}" if parameters else "") + (f"#{fragment}" if fragment is not None else "")

    shown = display_url(url)

    masked = "&".join("***" if name is None else f"{name}=***" for name, _value in parameters)
    if "@" in url:  # '?email=a@b': it might be a password's '@', so only the scheme shows
        assert shown == f"{scheme}://***"
    else:
        assert shown == base + (f"?{masked}" if parameters else "") + ("#***" if fragment is not None else "")
    assert not any(character.isupper() for character in shown.removeprefix(scheme))
    assert display_url(shown) == shown and mask_urls(f"see '{url}'.") == f"see '{shown}'."


_AROUND = st.text(string.ascii_lowercase + ":/@?#&=.%[]' \t", max_size=20)


@given(prefix=_AROUND, name=st.text(string.ascii_lowercase, max_size=5), secret=_VALUES, suffix=_AROUND)
def test_the_value_of_a_parameter_never_shows_whatever_surrounds_it(
    prefix: str, name: str, secret: str, suffix: str
) -> None:
    text = f"{prefix}?{name}={secret}{suffix}"
    for shown in (display_url(text), quote(text)):
        assert not any(character.isupper() for character in shown), shown


@given(st.text())
def test_any_text_is_shown_without_raising(text: str) -> None:
    assert isinstance(display_url(text), str) and isinstance(mask_urls(text), str)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 200_000,  # letters that could start a scheme, and no "://" (quadratic before)
        "ab1+.-" * 35_000,
        "a:/" * 70_000,
        "1://" * 50_000,
        "ws://h/?t=1 " * 17_000,
        "'wss://" + "a" * 200_000,
        "x" * 100_000 + "://" + "?" * 100_000,
    ],
    ids=["letters", "scheme-chars", "almost", "digit-schemes", "many-urls", "quoted", "one-long"],
)
def test_masking_is_linear_on_200k_characters(text: str) -> None:
    outputs: list[str] = []
    worker = threading.Thread(
        target=lambda: outputs.extend((mask_urls(text), display_url(text))), daemon=True
    )
    worker.start()
    # Only a hang fails here (the backtracking regex took minutes on some of these; linear code
    # takes milliseconds): an outer bound, not a benchmark that load could break.
    worker.join(timeout=60)
    assert not worker.is_alive(), "masking did not finish: not linear in the text"
    masked, shown = outputs
    assert mask_urls(masked) == masked and "t=1" not in masked and shown
