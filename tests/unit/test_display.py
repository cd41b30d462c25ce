"""``_display``: the one place outside text becomes displayable (the key removed in every encoding,
controls visible, bounded, Markdown-escaped, never a workflow command), and the CLI's guarded stream."""

from __future__ import annotations

import io
import json
import urllib.parse

import pytest

from cekura_wrapper._display import (
    REDACTED,
    bounded,
    guarded_lines,
    markdown_text,
    scrubbed,
    shown,
    visible,
    without_secrets,
)
from cekura_wrapper.cli.outside import GuardedStream

KEY = "sk-\u00e9l\U0001f600/key-42"  # non-ASCII and outside the BMP: UTF-8 and surrogate pairs


@pytest.mark.parametrize(
    "written",
    [
        KEY,
        json.dumps(KEY)[1:-1],  # \u00e9 and a surrogate pair
        json.dumps(KEY, ensure_ascii=False)[1:-1].replace("/", "\\/"),
        urllib.parse.quote(KEY, safe=""),
        "".join(f"&#{ord(character)};" for character in KEY),
        "".join(f"&#x{ord(character):x};" for character in KEY),
        json.dumps(json.dumps(KEY)[1:-1])[1:-1],  # escaped twice: JSON inside JSON
        urllib.parse.quote(json.dumps(KEY)[1:-1], safe=""),  # JSON escapes, then percent-encoded
    ],
)
def test_the_key_is_removed_however_it_is_written(written: str) -> None:
    assert without_secrets(f"a {written} b", [KEY]) == f"a {REDACTED} b"


def test_escapes_that_do_not_decode_are_kept_as_written() -> None:
    text = "%ff%e9 %e2%82 \\q \\u12 &#99999999; 100% \\ud800x"
    assert without_secrets(text, [KEY]) == text
    assert without_secrets(text + " sk", ["sk"]) == text + f" {REDACTED}"


def test_overlapping_and_repeated_secrets_are_each_removed() -> None:
    assert without_secrets("abcabc abc", ["abc", "bca", "abcabc"]) == f"{REDACTED} {REDACTED}"
    assert without_secrets("x", ["", "y"]) == "x"


def test_a_long_run_of_escapes_still_has_the_key_after_it_removed() -> None:
    text = ("%41\\u0041&#65;" * 20000) + KEY
    assert without_secrets(text, [KEY]).endswith(REDACTED)


def test_shown_is_one_bounded_visible_line_without_secrets_or_url_values() -> None:
    text = f"a\nb\r\x1b[31m\u202e\U000e0001 {KEY} wss://h.example/p?token=abc \t"
    assert (
        shown(text, [KEY])
        == f"a\\nb\\r\\x1b[31m\\u202e\\U000e0001 {REDACTED} wss://h.example/p?token=*** \\t"
    )
    assert shown("x" * 50, limit=10) == "xxxxxxx..." and len(shown("\n" * 50, limit=10)) == 10
    assert shown(12) == "12" and visible("plain") == "plain" and bounded("abc", 5) == "abc"
    assert scrubbed(f"line\n{KEY}", [KEY]) == f"line\n{REDACTED}"


def test_markdown_text_escapes_structure_and_autolinks() -> None:
    escaped = markdown_text(
        "[a](https://e.example) ![i](x) **b** <i> | ~~s~~ `c` a@b.example www.e.example &amp;"
    )
    assert escaped == (
        "\\[a\\](https\\://e.example) \\!\\[i\\](x) \\*\\*b\\*\\* \\<i\\> \\| \\~\\~s\\~\\~ \\`c\\` "
        "a\\@b.example www\\.e.example \\&amp;"
    )
    assert [markdown_text(text) for text in ("- a", "12. b", "+c", "=d", "  3) e")] == [
        "\\- a",
        "12\\. b",
        "\\+c",
        "\\=d",
        "  3\\) e",
    ]


def test_guarded_lines_start_no_workflow_command() -> None:
    text = "ok\n  ::error::x\r::stop-commands::t\r\n\x1b[31m::add-mask::m ##[error]y\nfine ::not-first"
    assert guarded_lines(text) == (
        "ok\n>   ::error::x\r> ::stop-commands::t\r\n> \x1b[31m::add-mask::m # #[error]y\nfine ::not-first"
    )
    assert guarded_lines("plain") == "plain"


def test_the_guarded_stream_checks_each_line_once_it_is_complete() -> None:
    sink = io.StringIO()
    stream = GuardedStream(lambda: sink)
    stream.write(":")
    stream.write(":error::x\nnext ")
    stream.flush()  # "next " is written: the rest of its line is not a line start
    stream.write("::still the same line\n  ")
    stream.flush()  # only spaces pending: kept until the line shows what it starts with
    stream.write("::warning::w\n##[error]z\n")
    assert sink.getvalue() == "> ::error::x\nnext ::still the same line\n>   ::warning::w\n# #[error]z\n"
    assert stream.getvalue() == sink.getvalue()  # anything else is the stream's own
