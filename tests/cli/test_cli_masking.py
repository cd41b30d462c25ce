"""A token in an agent URL's query string is never printed: ``cekura-ws`` through its real entry point.

Agent URLs often carry ``?token=...`` (browsers cannot set websocket headers); every table, note,
progress line, JSON document and JUnit report shows it as ``***``, while the request sent to Cekura
keeps the exact URL.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from cli_helpers import FAST_POLLS, invoke, posts, submitted_id
from click.testing import Result
from junit_schema import assert_valid_junit

from cekura_wrapper.testing import AgentThread, CekuraEmulator
from cekura_wrapper.testing.demo import closed_loopback_url

StartAgent = Callable[..., AgentThread]
TOKEN = "?token=s3cret&region=eu"
PLAN = ["plan", "--scenario", "101=wss://a.example.com/ws?token=s3cret", "--frequency", "1"]


def assert_no_token(*results: Result, files: tuple[Path, ...] = ()) -> None:
    texts = [result.stdout for result in results] + [result.stderr for result in results]
    texts += [path.read_text(encoding="utf-8") for path in files]
    assert [text for text in texts if "s3cret" in text] == []


def test_plan_shows_the_url_masked_in_its_table_body_and_json_document() -> None:
    text = invoke(PLAN)
    document = invoke([*PLAN, "--json"])

    assert (text.exit_code, document.exit_code) == (0, 0), text.output
    assert_no_token(text, document)
    assert "wss://a.example.com/ws?token=***" in text.stdout
    assert '"websocket_url": "wss://a.example.com/ws?token=***"' in text.stdout
    plan = json.loads(document.stdout)
    assert plan["request"]["body"]["scenarios"] == [
        {"scenario": 101, "websocket_url": "wss://a.example.com/ws?token=***"}
    ]
    assert plan["urls_masked"] is True


def test_input_problems_never_echo_a_query_value(tmp_path: Path) -> None:
    yaml_batch = tmp_path / "batch.yaml"
    yaml_batch.write_text(
        "frequency: 1\nscenarios:\n"
        "  - wss://a.example.com/ws?token=${CEKURA_VAR_AGENT_QUERY}\n"  # an entry that is only a URL
        "  - {scenario: 102, websocket_url: 'wss://a.example.com:99999/ws?token=${CEKURA_VAR_AGENT_QUERY}'}\n"
        "  - {scenario: 103, 'wss://b.example.com/ws?token=${CEKURA_VAR_AGENT_QUERY}': 1}\n"
    )
    csv_batch = tmp_path / "batch.csv"
    csv_batch.write_text("101,wss://a.example.com/ws?token=s3cret\n")  # no header row
    env = {"CEKURA_VAR_AGENT_QUERY": "s3cret"}

    results = [
        invoke(["plan", "--batch", str(yaml_batch)], env=env),
        invoke(["plan", "--batch", str(yaml_batch), "--json"], env=env),
        invoke(["plan", "--batch", str(csv_batch), "--frequency", "1", "--json"]),
        invoke(["plan", "--scenario", "wss://a.example.com/ws?token=s3cret", "--frequency", "1"]),
        invoke(["plan", "--scenario", "101=wss://a.example.com/ws#token=s3cret", "--frequency", "1"]),
        invoke(["preflight", "http://a.example.com/ws?token=s3cret", "--json"]),
    ]

    assert [result.exit_code for result in results] == [2] * len(results), results[0].output
    assert_no_token(*results)
    assert (
        "batch.yaml:3: expected a {scenario, websocket_url} entry, got 'wss://a.example.com/ws?token=***'"
        in (results[0].stderr)
    )
    assert "'wss://a.example.com:99999/ws?token=***' has a port" in results[0].stderr


def test_run_wait_junit_json_and_progress_mask_the_token_yet_cekura_gets_the_exact_url(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path
) -> None:
    helpful = cekura_agent("helpful").url + TOKEN
    dead = closed_loopback_url() + TOKEN  # the emulator's error_message quotes the URL
    report = tmp_path / "cekura.xml"
    args = ["run", "--scenario", f"101={helpful}", "--scenario", f"102={dead}", "--frequency", "1"]

    waited = invoke(
        ["-vv", *args, "--wait", "--junit", str(report), *FAST_POLLS],
        emulator=cekura_emulator,
        env={"CI": "1"},
    )
    as_json = invoke([*args, "--wait", "--json", *FAST_POLLS], emulator=cekura_emulator)
    submitted = invoke([*args, "--json"], emulator=cekura_emulator)
    watched = invoke(["watch", str(submitted_id(waited)), "--json", *FAST_POLLS], emulator=cekura_emulator)
    looked = invoke(["status", str(submitted_id(waited))], emulator=cekura_emulator)

    # One of the two runs fails, so every command that judges the result exits 1.
    assert [r.exit_code for r in (waited, as_json, submitted, watched, looked)] == [1, 1, 0, 1, 1], (
        waited.output
    )
    assert_no_token(waited, as_json, submitted, watched, looked, files=(report,))
    assert f"result {submitted_id(waited)}: " in waited.stderr  # the plain progress lines
    shown_helpful, shown_dead = (url.replace(TOKEN, "?token=***&region=***") for url in (helpful, dead))
    assert shown_helpful in waited.stdout and shown_dead in waited.stdout
    assert_valid_junit(report)
    names = sorted(case.get("name", "") for case in ET.parse(report).getroot().iter("testcase"))
    assert [name.rpartition(" @ ")[2] for name in names] == [shown_helpful, shown_dead]
    [failure] = ET.parse(report).getroot().iter("failure")
    assert "could not connect to " + shown_dead in failure.get("message", "")
    result = json.loads(as_json.stdout)
    assert {run["websocket_url"] for run in result["runs"]} == {shown_helpful, shown_dead}
    assert {run["websocket_url"] for run in json.loads(submitted.stdout)["runs"]} == {
        shown_helpful,
        shown_dead,
    }
    # What Cekura received is the exact URL (its runs do not show it; the emulator keeps it).
    sent = cekura_emulator.app.results[submitted_id(waited)]
    assert {run.websocket_url for run in sent.runs} == {helpful, dead}
    assert posts(cekura_emulator) == 3


def test_preflight_reports_mask_the_token_in_text_and_json(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    helpful = cekura_agent("helpful").url + TOKEN
    guarded = cekura_agent("helpful", secret="agent-secret").url + TOKEN  # closes with 1008
    dead = closed_loopback_url() + TOKEN

    text = invoke(["preflight", helpful, guarded, dead, "--timeout", "5"])
    document = invoke(["preflight", helpful, guarded, dead, "--timeout", "5", "--json"])
    run = ["run", "--scenario", f"101={helpful}", "--scenario", f"102={dead}", "--frequency", "1"]
    stopped = invoke([*run, "--preflight", "--json"], emulator=cekura_emulator)

    assert (text.exit_code, document.exit_code, stopped.exit_code) == (1, 1, 1), text.output
    assert_no_token(text, document, stopped)
    assert "?token=***&region=***" in text.stdout and "1008" in text.stdout
    urls = {url["url"]: url["failure"] for url in json.loads(document.stdout)["urls"]}
    masked = [url.replace(TOKEN, "?token=***&region=***") for url in (helpful, guarded, dead)]
    assert urls == dict(zip(masked, [None, "closed", "refused"], strict=True))
    error = json.loads(stopped.stdout)
    assert [url["url"] for url in error["preflight"]["urls"]] == [masked[0], masked[2]]
    assert cekura_emulator.requests == []
