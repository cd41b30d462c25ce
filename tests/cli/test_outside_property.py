"""Issue 23: random outside text, made of workflow commands, line breaks, Rich tags, Markdown and the
key in each of its encodings, sent through every output path (terminal lines and tables, ``--json``,
logs, exception messages and ``.body``, JUnit, the Markdown summary, annotations): none survives."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cekura_wrapper import PollTimeoutError, Result
from cekura_wrapper._display import guarded_lines, shown, visible, without_secrets
from cekura_wrapper._responses import error_from_response
from cekura_wrapper._validation import mask_urls
from cekura_wrapper.cli.common import _EchoHandler
from cekura_wrapper.cli.github import run_annotations
from cekura_wrapper.cli.junit import build_report
from cekura_wrapper.cli.render import Output, runs_table
from cekura_wrapper.cli.summary import markdown_summary
from cekura_wrapper.cli.verdict import judge

KEY = "sk-live/PROP123key"
FORMS = (
    KEY,
    KEY.replace("/", "\\/"),
    "".join(f"\\u{ord(character):04x}" for character in KEY),
    urllib.parse.quote(KEY, safe=""),
    urllib.parse.quote(KEY, safe="").replace("%2F", "%2f"),  # hex digits in either case
)
PIECES = (
    *FORMS,
    "::error title=FORGED::x",
    "::add-mask::",
    "::stop-commands::tok",
    "##[error]legacy",
    "\n",
    "\r",
    "\r\n",
    "\u2028",
    "\x1b[31m",
    "\u202e",
    "\x00",
    "[bold]",
    "[/]",
    "[/x]",
    "[link=https://evil.example]",
    ":warning:",
    "**",
    "_",
    "`",
    "~~",
    "[Re-run](https://evil.example/login)",
    "![x](https://evil.example/x.png)",
    "<b>",
    "<img src=x>",
    "&lt;",
    "|",
    "- ",
    "# ",
    "www.evil.example",
    "a@evil.example",
    "wss://agent.example/ws?token=abc",
    "\\",
    "%",
    " ",
)
outside_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=12).map("".join)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def keyless(text: str) -> bool:
    """No form of the key in ``text``, nor any it decodes to (escapes nested up to three times)."""
    return all(form not in text for form in FORMS) and without_secrets(text, [KEY]) == text


def no_command_lines(text: str) -> bool:
    """No line a CI runner reads as a workflow command (it splits at \\r and \\n and trims)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return all(not line.strip().startswith("::") and "##[" not in line for line in lines)


def hostile_result(text: str) -> Result:
    runs = {
        str(9000 + number): {
            "id": 9000 + number,
            "scenario": 101,
            "scenario_name": text,
            "status": text,
            "success": False,
            "error_message": text if number else f"{text} again",
        }
        for number in range(2)
    }
    payload = {
        "id": 7,
        "status": "completed",
        "total_runs_count": "2",
        "completed_runs_count": "2",
        "runs": runs,
    }
    return Result.from_payload(payload)


@contextlib.contextmanager
def command_context() -> Iterator[None]:
    """A running ``cekura-ws`` command whose API key is ``KEY`` (as the CLI knows it)."""
    command = click.Command("status", params=[click.Option(["--api-key"])])
    with click.Context(command) as context:
        context.params["api_key"] = KEY
        yield


def printed(action: str, text: str, json_mode: bool = False) -> str:
    out, err = io.StringIO(), io.StringIO()
    with command_context(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        output = Output(json_mode=json_mode)
        if action == "note":
            output.note(text)
        elif action == "line":
            output.line(text)
        elif action == "table":
            output.show(runs_table(hostile_result(text)))
        else:
            output.document({"kind": "error", "message": text, "runs": [{"error_message": text}]})
        output.err.file.flush()
        output.out.file.flush()
    return out.getvalue() + err.getvalue()


@SETTINGS
@given(outside_text)
def test_terminal_lines_show_outside_text_as_text(text: str) -> None:
    for action in ("note", "line"):
        shown_text = printed(action, text)
        assert keyless(shown_text) and no_command_lines(shown_text)
        # Nothing was read as markup or emoji: the line is exactly the visible text.
        expected = visible(mask_urls(without_secrets(text, [KEY])))
        assert shown_text == guarded_lines(expected) + "\n"


@SETTINGS
@given(outside_text)
def test_tables_json_and_logs_keep_outside_text_inert(text: str) -> None:
    table = printed("table", text)
    assert keyless(table) and no_command_lines(table)
    document = printed("document", text, json_mode=True)
    assert keyless(document) and no_command_lines(document)
    assert keyless(json.dumps(json.loads(document), ensure_ascii=False))

    record = logging.LogRecord(
        "cekura_wrapper", logging.WARNING, __file__, 1, "status %r: %s", (text, text), None
    )
    handler = _EchoHandler()
    err = io.StringIO()
    with command_context(), contextlib.redirect_stderr(err):
        handler.emit(record)
    assert keyless(err.getvalue()) and no_command_lines(err.getvalue().removesuffix("\n"))
    assert err.getvalue().count("\n") == 1


@SETTINGS
@given(outside_text)
def test_exception_messages_and_bodies_never_hold_the_key(text: str) -> None:
    for body in (text, json.dumps({"error": text}), json.dumps({"detail": text}), json.dumps({"f": [text]})):
        for status in (400, 401, 500):
            error = error_from_response(status, body, request="GET /x/", secret=KEY)
            assert keyless(str(error)) and keyless(error.body)
            assert "\n" not in str(error) and "\r" not in str(error)
            if status == 400:
                assert all(keyless(problem.message) for problem in error.problems)  # type: ignore[attr-defined]
    running = Result.from_payload({"id": 7, "status": text, "runs": {}})
    timed_out = str(PollTimeoutError(7, 1.0, running))
    assert "\n" not in timed_out and "\r" not in timed_out


@SETTINGS
@given(outside_text)
def test_reports_cannot_be_forged_or_formatted_by_outside_text(text: str) -> None:
    result = hostile_result(text)
    verdict = judge([result], None)
    with command_context():
        markdown = markdown_summary(verdict, [result])
        annotations = run_annotations([result])
        junit = ET.tostring(build_report(result).getroot(), encoding="unicode")

    for report in (markdown, junit, *annotations):
        assert keyless(report)
    assert all(line.startswith("::error title=") and no_command_lines(line[2:]) for line in annotations)
    assert all("\n" not in line and "\r" not in line for line in annotations)
    ET.fromstring(junit)  # still well-formed XML: no raw control characters

    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)
    for tag in ("<a ", "<img", "<strong>", "<em>", "<code>", "<s>", "<b>", "<ul>", "<ol>", "<blockquote>"):
        assert tag not in html, tag
    assert html.count("<h2>") == 1 and html.count("<h3>") <= 2  # per-target stats, runs that failed
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        # the reasons, the results or runs, or the per-target table: no cell broken out of its row
        assert row.count("<td") + row.count("<th") in (2, 5, 6)
    assert not re.search(r"(?<!\\)(://|@)", markdown) and "www." not in markdown  # nothing GitHub autolinks


@pytest.mark.parametrize("form", FORMS)
def test_each_encoding_of_the_key_is_removed(form: str) -> None:
    assert shown(f"x {form} y", [KEY]) == "x [redacted] y"
