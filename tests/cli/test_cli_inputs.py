"""Batch files and flags: every problem at once with its file and line, ${VAR} expansion, overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import invoke

from cekura_wrapper.cli.inputs import InputError, load_batch, load_urls
from cekura_wrapper.testing import CekuraEmulator

BAD_YAML = """\
frequency: 0
agent: -3
colour: blue
scenarios:
  - scenario: 101
    websocket_url: wss://${AGENT_HOST}/chat
  - scenario: abc
    websocket_url: http://agent/chat
  - {scenario: 103, websocket_uri: "ws://x/"}
  - just a string
  - scenario: 105
    websocket_url: ws://${CEKURA_VAR_TEST_UNSET}/a
"""


def problems_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.endswith("nothing was sent.")]


def test_a_batch_file_with_several_errors_reports_each_with_its_line_and_sends_nothing(
    cekura_emulator: CekuraEmulator, tmp_path: Path
) -> None:
    batch = tmp_path / "smoke.yaml"
    batch.write_text(BAD_YAML)
    args = [
        "run",
        "--batch",
        str(batch),
        "--scenario",
        "junk",
        "--wait",
        "--json",
        "--allow-env",
        "AGENT_HOST",
    ]

    result = invoke(args, emulator=cekura_emulator, env={"AGENT_HOST": "agents.example.com"})

    assert result.exit_code == 2, result.output
    assert problems_of(result.stderr) == [
        f"{batch}:1: frequency must be in 1..100, got 0",
        f"{batch}:2: agent must be a positive int, got -3",
        f"{batch}:3: unknown key 'colour' (expected: agent, frequency, mock_tool_names, scenarios)",
        f"{batch}:7: scenario id must be a positive int, got 'abc' (text)",
        f"{batch}:8: websocket URL 'http://agent/chat' has scheme 'http'; use ws:// or wss://",
        f"{batch}:9: unknown key 'websocket_uri' (did you mean 'websocket_url'?)",
        f"{batch}:10: expected a {{scenario, websocket_url}} entry, got 'just a string'",
        f"{batch}:12: environment variable CEKURA_VAR_TEST_UNSET is not set (write ${{CEKURA_VAR_TEST_UNSET:-default}} for a default)",
        "--scenario #1: expected ID=URL (e.g. 101=wss://agent.example.com/chat) or a bare ID "
        "(the agent's websocket URL), got 'junk'",
    ]
    assert "9 problems in the input; nothing was sent." in result.stderr
    document = json.loads(result.stdout)
    assert (document["error"], len(document["problems"])) == ("invalid_input", 9)
    assert document["problems"][0] == {"where": f"{batch}:1", "message": "frequency must be in 1..100, got 0"}
    assert cekura_emulator.requests == []


def test_csv_problems_carry_exact_line_numbers_across_blank_lines(tmp_path: Path) -> None:
    batch = tmp_path / "fleet.csv"
    batch.write_text(
        "scenario,websocket_url,frequency\n101,ws://a/,2\nx,ws://b/,2\n103,http://c/,3\n\n# a comment\n104,ws://d/,2,extra\n"
    )

    result = invoke(["plan", "--batch", str(batch)])

    assert result.exit_code == 2
    assert problems_of(result.stderr) == [
        f"{batch}:3: scenario id must be a positive int, got 'x' (text)",
        f"{batch}:4: frequency '3' differs from '2' at {batch}:2; a batch has one frequency",
        f"{batch}:4: websocket URL 'http://c/' has scheme 'http'; use ws:// or wss://",
        f"{batch}:7: 4 cells where the header has 3 columns",
    ]


def test_json_problems_carry_line_numbers_and_a_syntax_error_its_line(tmp_path: Path) -> None:
    valid = tmp_path / "batch.json"
    valid.write_text(
        '{"frequency": 2,\n "scenarios": [\n  {"scenario": 1, "websocket_url": "ws://a/"},\n  {"scenario": 0, "websocket_url": "ws://a/"}\n ]\n}\n'
    )
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"frequency": 2,\n "scenarios": [\n  {"scenario": 1 "websocket_url": "ws://a/"}\n ]\n}\n'
    )

    bad_item = invoke(["plan", "--batch", str(valid)])
    bad_syntax = invoke(["plan", "--batch", str(broken)])

    assert (bad_item.exit_code, bad_syntax.exit_code) == (2, 2)
    assert problems_of(bad_item.stderr) == [f"{valid}:4: scenario id must be a positive int, got 0"]
    # Only the syntax error: a frequency the unreadable file may well set is not reported missing.
    assert problems_of(bad_syntax.stderr) == [f"{broken}:3: not valid JSON: Expecting ',' delimiter"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "batch.yaml",
            "frequency: 2\nagent: 7\nscenarios:\n  - scenario: 101\n    websocket_url: wss://${AGENT_HOST}/chat\n",
        ),
        ("batch.yml", "- {scenario: '101', websocket_url: 'wss://${AGENT_HOST}/chat'}\n"),
        (
            "batch.json",
            '{"frequency": 2, "agent": 7, "scenarios": [{"scenario": 101, "websocket_url": "wss://${AGENT_HOST}/chat"}]}',
        ),
        ("batch.csv", "scenario,websocket_url,frequency,agent\n101,wss://${AGENT_HOST}/chat,2,7\n"),
    ],
)
def test_every_format_expands_environment_variables_into_the_same_plan(
    tmp_path: Path, name: str, text: str
) -> None:
    batch = tmp_path / name
    batch.write_text(text)
    flags = ["--frequency", "2", "--agent", "7"] if name == "batch.yml" else []

    result = invoke(
        ["plan", "--batch", str(batch), "--json", "--allow-env", "AGENT_HOST", *flags],
        env={"AGENT_HOST": "staging.example.com"},
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["request"]["body"] == {
        "scenarios": [{"scenario": 101, "websocket_url": "wss://staging.example.com/chat"}],
        "frequency": 2,
        "agent": 7,
    }


def test_flags_override_the_file_and_scenario_flags_add_to_it(tmp_path: Path) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text("frequency: 2\nagent: 7\nscenarios:\n  - {scenario: 101, websocket_url: 'ws://a/'}\n")

    loaded = load_batch(
        batch, ["102=ws://${HOST:-b.example}/"], frequency=5, agent=9, environ={}, allow_env=["HOST"]
    )

    assert (loaded.frequency, loaded.agent) == (5, 9)
    assert [
        (located.target.scenario, located.target.websocket_url, located.where) for located in loaded.targets
    ] == [
        (101, "ws://a/", f"{batch}:4"),
        (102, "ws://b.example/", "--scenario #1"),
    ]
    assert loaded.plan().run_count == 10


def test_frequency_is_required_for_a_run_but_not_for_preflight_urls(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_batch(None, ["101=ws://a/"], environ={})
    assert [str(problem) for problem in caught.value.problems] == [
        "--frequency: frequency is required: pass --frequency N or set frequency in the batch file"
    ]
    assert load_urls(["ws://b/", "ws://a/"], None, ["101=ws://a/", "102=ws://a/"], environ={}) == [
        "ws://a/",
        "ws://b/",
    ]
    with pytest.raises(InputError, match="1 problem"):
        load_urls(["http://nope/"], environ={})


def test_missing_unknown_and_empty_inputs_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")

    for args, expected in (
        (["plan", "--frequency", "1"], "input: no scenarios: pass --batch FILE or --scenario ID=URL"),
        (
            ["plan", "--batch", str(tmp_path / "absent.yaml")],
            "cannot read the batch file: No such file or directory",
        ),
        (["plan", "--batch", str(tmp_path / "batch.txt")], "unknown batch file type '.txt'"),
        (["plan", "--batch", str(empty), "--frequency", "1"], f"{empty}: the batch file is empty"),
        (["preflight"], "no agent URLs"),
    ):
        result = invoke(args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr


NESTED_YAML = """\
frequency: 1
scenarios:
  - scenario: 101
    websocket_url: "wss://${CEKURA_VAR_TEST_A:-${CEKURA_VAR_TEST_B:-fallback.example}}/chat"
  - scenario: 102
    websocket_url: "wss://${CEKURA_VAR_TEST_A:-${CEKURA_VAR_TEST_C}}/chat"
"""


@pytest.mark.parametrize(
    ("env", "urls"),
    [
        ({"CEKURA_VAR_TEST_A": "a.example", "CEKURA_VAR_TEST_C": None}, ["wss://a.example/chat"] * 2),
        (
            {"CEKURA_VAR_TEST_A": None, "CEKURA_VAR_TEST_B": "b.example", "CEKURA_VAR_TEST_C": "c.example"},
            ["wss://b.example/chat", "wss://c.example/chat"],
        ),
        (
            {"CEKURA_VAR_TEST_A": None, "CEKURA_VAR_TEST_B": None, "CEKURA_VAR_TEST_C": "c.example"},
            ["wss://fallback.example/chat", "wss://c.example/chat"],
        ),
    ],
)
def test_nested_defaults_expand_like_the_shell(
    tmp_path: Path, env: dict[str, str | None], urls: list[str]
) -> None:
    batch = tmp_path / "nested.yaml"
    batch.write_text(NESTED_YAML)

    result = invoke(["plan", "--batch", str(batch), "--json"], env=env)

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)["request"]["body"]
    assert [item["websocket_url"] for item in body["scenarios"]] == urls


def test_an_unset_variable_inside_a_default_is_reported_at_its_line(tmp_path: Path) -> None:
    batch = tmp_path / "nested.yaml"
    batch.write_text(NESTED_YAML)

    result = invoke(
        ["plan", "--batch", str(batch)],
        env={"CEKURA_VAR_TEST_A": None, "CEKURA_VAR_TEST_B": None, "CEKURA_VAR_TEST_C": None},
    )

    assert result.exit_code == 2, result.output
    assert problems_of(result.stderr) == [
        f"{batch}:6: environment variable CEKURA_VAR_TEST_C is not set (write ${{CEKURA_VAR_TEST_C:-default}} for a default)"
    ]


def test_a_variable_whose_value_holds_a_reference_is_checked_as_written_and_never_sent(
    cekura_emulator: CekuraEmulator, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "frequency: 1\nscenarios:\n  - {scenario: 101, websocket_url: 'wss://${CEKURA_VAR_TEST_HOST}/chat'}\n"
    )

    run = invoke(
        ["run", "--batch", str(batch), "--json"],
        emulator=cekura_emulator,
        env={"CEKURA_VAR_TEST_HOST": "${OTHER}"},
    )
    planned = invoke(["plan", "--batch", str(batch)], env={"CEKURA_VAR_TEST_HOST": "${OTHER}"})

    assert (run.exit_code, planned.exit_code) == (2, 2), run.output + planned.output
    problem = f"{batch}:3: websocket URL 'wss://${{OTHER}}/chat' has an invalid host name '${{other}}'"
    assert problems_of(planned.stderr) == [problem]
    document = json.loads(run.stdout)
    assert (document["kind"], document["exit_code"], document["error"]) == ("error", 2, "invalid_input")
    assert document["problems"] == [{"where": f"{batch}:3", "message": problem.split(": ", 1)[1]}]
    assert cekura_emulator.requests == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("wss://${CEKURA_VAR_TEST_A/chat", "unterminated ${CEKURA_VAR_TEST_A: a '}' is missing"),
        (
            "wss://${CEKURA_VAR_TEST_A:-${CEKURA_VAR_TEST_B}/chat",
            "unterminated ${CEKURA_VAR_TEST_A:-...: a '}' is missing",
        ),
        ("wss://${CEKURA_VAR_TEST_A-x}/chat", "unsupported variable reference ${CEKURA_VAR_TEST_A-...}"),
        ("wss://${}/chat", "invalid variable reference at '${}/chat'"),
    ],
)
def test_malformed_references_are_input_errors_naming_the_line(
    tmp_path: Path, url: str, message: str
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(f"scenario,websocket_url,frequency\n101,{url},1\n")

    result = invoke(["plan", "--batch", str(batch), "--json"], env={"CEKURA_VAR_TEST_B": "b.example"})

    assert result.exit_code == 2, result.output
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["where"] == f"{batch}:2"
    assert problem["message"].startswith(message)
    assert problem["message"].endswith("write ${VAR} or ${VAR:-default}")


def test_anything_the_library_planner_still_rejects_is_an_input_error_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cekura_wrapper.cli.inputs.entries

    # Should the CLI's own checks ever let a URL through that plan_run rejects: exit 2, not a traceback.
    monkeypatch.setattr(cekura_wrapper.cli.inputs.entries, "check_websocket_url", lambda url: None)
    batch = tmp_path / "batch.yaml"
    batch.write_text("frequency: 1\nscenarios:\n  - {scenario: 101, websocket_url: 'http://agent/chat'}\n")

    result = invoke(["plan", "--batch", str(batch), "--json"])

    assert result.exit_code == 2, result.output
    assert json.loads(result.stdout)["problems"] == [
        {
            "where": f"{batch}:3",
            "message": "websocket URL 'http://agent/chat' has scheme 'http'; use ws:// or wss://",
        }
    ]
