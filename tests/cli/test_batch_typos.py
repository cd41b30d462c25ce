"""Typos in a batch file: an unknown key names the closest known one ("did you mean 'scenario'?"),
is one problem (not also a missing key), and never hides the other problems of its entry or group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import invoke

from cekura_wrapper.cli.inputs import InputError, load_batch, load_suite
from cekura_wrapper.cli.inputs.keys import closest

URL = "wss://agent.example.com/chat"


def problems(path: Path, *, suite: bool = False) -> list[str]:
    with pytest.raises(InputError) as caught:
        if suite:
            load_suite(path, environ={})
        else:
            load_batch(path, environ={})
    return [str(problem) for problem in caught.value.problems]


def test_an_entry_typo_is_one_problem_naming_the_key_meant(tmp_path: Path) -> None:
    batch = tmp_path / "smoke.yaml"
    batch.write_text(
        "frequency: 1\n"
        "scenarios:\n"
        f"  - {{scenaro: 101, websocket_url: '{URL}'}}\n"
        f"  - {{scenario: 102, websocket-url: '{URL}'}}\n"
        f"  - {{scenario: 103, websocket_url: '{URL}'}}\n"
    )

    assert problems(batch) == [
        f"{batch}:3: unknown key 'scenaro' (did you mean 'scenario'?)",
        f"{batch}:4: unknown key 'websocket-url' (did you mean 'websocket_url'?)",
    ]


def test_an_unknown_key_does_not_hide_the_other_problems_of_its_entry(tmp_path: Path) -> None:
    batch = tmp_path / "smoke.yaml"
    batch.write_text(
        "frequency: 1\n"
        "scenarios:\n"
        "  - {scenario: 0, websocket_url: 'http://agent/chat', colour: blue}\n"
        "  - {colour: blue}\n"
        "  - {scenaro: 104, colour: blue}\n"
        f"  - {{websocket_url: '{URL}'}}\n"
    )

    assert problems(batch) == [
        f"{batch}:3: unknown key 'colour' (expected keys: scenario, websocket_url)",
        f"{batch}:3: scenario id must be a positive int, got 0",
        f"{batch}:3: websocket URL 'http://agent/chat' has scheme 'http'; use ws:// or wss://",
        # No key close to 'scenario': still one problem for the entry's keys.
        f"{batch}:4: unknown key 'colour' (expected keys: scenario, websocket_url); missing scenario",
        f"{batch}:5: unknown key 'colour', 'scenaro' "
        "(expected keys: scenario, websocket_url; did you mean 'scenario' for 'scenaro'?)",
        f"{batch}:6: missing scenario",
    ]


def test_top_level_typos_are_not_reported_again_as_missing(tmp_path: Path) -> None:
    frequency = tmp_path / "frequency.yaml"
    frequency.write_text(f"frequncy: 1\nscenarios:\n  - {{scenario: 101, websocket_url: '{URL}'}}\n")
    scenarios = tmp_path / "scenarios.yaml"
    scenarios.write_text(f"frequency: 1\nscenaros:\n  - {{scenario: 101, websocket_url: '{URL}'}}\n")
    unrelated = tmp_path / "unrelated.yaml"
    unrelated.write_text(
        f"frequency: 1\ncolour: blue\nscenarios:\n  - {{scenario: 101, websocket_url: '{URL}'}}\n"
    )

    assert problems(frequency) == [f"{frequency}:1: unknown key 'frequncy' (did you mean 'frequency'?)"]
    assert problems(scenarios) == [f"{scenarios}:2: unknown key 'scenaros' (did you mean 'scenarios'?)"]
    assert problems(unrelated) == [
        f"{unrelated}:2: unknown key 'colour' (expected: agent, frequency, mock_tool_names, scenarios)"
    ]


def test_a_csv_column_typo_is_one_problem(tmp_path: Path) -> None:
    batch = tmp_path / "fleet.csv"
    batch.write_text(f"scenaro,websocket_url\n101,{URL}\n")

    assert problems(batch) == [f"{batch}:1: unknown column 'scenaro' (did you mean 'scenario'?)"]


def test_every_problem_of_every_group_is_reported_at_once(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "concurency: 3\n"
        "groups:\n"
        "  - name: smoke\n"
        "    frequncy: 1\n"
        "    scenaros:\n"
        f"      - {{scenario: 101, websocket_url: '{URL}'}}\n"
        "  - name: ''\n"
        "    frequency: 1\n"
        "    scenarios:\n"
        f"      - {{scenario: -1, websocket_url: '{URL}'}}\n"
        "  - name: smoke\n"
        "    frequency: 0\n"
        "    scenarios:\n"
        "      - {scenario: 103, websocket_url: 'ftp://agent/chat'}\n"
        "  - nmae: regression\n"
        "    frequency: 1\n"
        "    scenarios: []\n"
    )

    assert problems(suite, suite=True) == [
        f"{suite}:1: unknown key 'concurency' in a file with groups (did you mean 'concurrency'?)",
        f"{suite}:4: unknown key 'frequncy' in a group (did you mean 'frequency'?)",
        f"{suite}:5: unknown key 'scenaros' in a group (did you mean 'scenarios'?)",
        f"{suite}:7: each group needs a name of 1 to 100 characters",
        f"{suite}:10: scenario id must be a positive int, got -1",
        f"{suite}:11: group name 'smoke' is also used at {suite}:3",
        f"{suite}:12: frequency must be in 1..100, got 0",
        f"{suite}:14: websocket URL 'ftp://agent/chat' has scheme 'ftp'; use ws:// or wss://",
        f"{suite}:15: unknown key 'nmae' in a group (did you mean 'name'?)",
        f"{suite}:15: the group has no scenarios",
    ]


def test_only_a_close_key_is_suggested() -> None:
    assert closest("scenaro", ("scenario", "websocket_url")) == "scenario"
    assert closest("WebSocket_URL", ("scenario", "websocket_url")) == "websocket_url"
    assert closest("colour", ("agent", "frequency", "mock_tool_names", "scenarios")) is None
    assert closest(7, ("scenario", "websocket_url")) is None


def test_the_cli_reports_the_suggestion_in_its_json_document(tmp_path: Path) -> None:
    batch = tmp_path / "smoke.yaml"
    batch.write_text(f"frequency: 1\nscenarios:\n  - {{scenaro: 101, websocket_url: '{URL}'}}\n")

    result = invoke(["plan", "--batch", str(batch), "--json"])

    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["problems"] == [
        {"where": f"{batch}:3", "message": "unknown key 'scenaro' (did you mean 'scenario'?)"}
    ]
