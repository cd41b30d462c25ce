"""Hostile batch files: each is an input error (exit 2, one line naming the file) in bounded time
and memory, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import invoke

NINE_LEVELS = "".join(
    f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]\n" for level in range(1, 10)
)
CASES = {
    "laughs.yaml": (
        "frequency: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + NINE_LEVELS
        + "scenarios: *l9\n",
        "laughs.yaml: more than 200,000 values once aliases are expanded",
    ),
    "deep.yaml": ("[" * 50_000 + "]" * 50_000, "deep.yaml: not valid YAML: nested deeper than"),
    "deep.json": ("[" * 50_000 + "]" * 50_000, "deep.json: not valid JSON: nested deeper than"),
    "deep-suite.yaml": (
        "groups: " + "[" * 50_000 + "]" * 50_000,
        "deep-suite.yaml: not valid YAML: nested deeper than",
    ),
    "shallow-enough.json": ("[" * 40 + "]" * 40, "shallow-enough.json:1: nested deeper than 32 levels"),
    "python.yaml": (
        "frequency: 1\nscenarios: !!python/object/apply:os.system [echo hi]\n",
        "python.yaml:2: the YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ),
    "custom.yaml": (
        "frequency: !foo 1\nscenarios: []\n",
        "custom.yaml:1: the YAML tag '!foo' is not allowed",
    ),
    "big.csv": (
        'scenario,websocket_url\n101,"' + "a" * 200_000 + '"\n',
        "big.csv: not valid CSV: field larger",
    ),
    "digits.yaml": (
        "frequency: 1\nscenarios:\n  - {scenario: " + "9" * 5000 + ", websocket_url: 'ws://a.example/'}\n",
        "digits.yaml:3: a number longer than any id",
    ),
    "digits.csv": (
        "scenario,websocket_url\n" + "9" * 5000 + ",ws://a.example/\n",
        "digits.csv:2: scenario id is too large",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_batch_file_is_one_input_error(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    batch = tmp_path / name
    batch.write_text(text)

    result = invoke(["plan", "--batch", str(batch)], env={"CEKURA_API_KEY": None})

    assert result.exit_code == 2, result.output
    assert f"{tmp_path}/{expected}" in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr) < 2000


def test_files_that_never_end_or_are_too_large_are_refused(tmp_path: Path) -> None:
    endless = tmp_path / "zero.yaml"
    os.symlink("/dev/zero", endless)
    huge = tmp_path / "huge.yaml"
    huge.write_text("# padding\n" * 1_100_000)  # 11 MB of comments

    for batch, expected in ((endless, "not a regular file"), (huge, "larger than 10 MiB")):
        result = invoke(["plan", "--batch", str(batch)], env={"CEKURA_API_KEY": None})
        assert result.exit_code == 2, result.output
        assert f"{batch}: the batch file is" in result.stderr
        assert expected in result.stderr


def test_a_huge_scenario_id_or_url_on_the_command_line_is_one_bounded_error() -> None:
    for flag, expected in (
        ("9" * 5000 + "=ws://a.example/", "scenario id is too large"),
        ("101=ws://" + "a" * 120_000, "at most 2048 are accepted"),
    ):
        result = invoke(["plan", "--scenario", flag, "--frequency", "1"], env={"CEKURA_API_KEY": None})
        assert result.exit_code == 2, result.output
        assert "--scenario #1: " in result.stderr and expected in result.stderr
        assert len(result.stderr) < 1000


def test_one_request_plans_at_most_max_runs() -> None:
    from cekura_wrapper import ValidationError, plan_run

    many = {scenario: "wss://agent.example/chat" for scenario in range(1, 201)}
    with pytest.raises(
        ValidationError, match=r"200 scenarios x frequency 100 = 20,000 runs, over the limit of 10,000"
    ):
        plan_run(many, frequency=100)
    assert plan_run(many, frequency=100, max_runs=20_000).run_count == 20_000

    refused = invoke(["plan", "--scenario", "101=wss://a.example/", "--frequency", "100", "--max-runs", "99"])
    allowed = invoke(
        ["plan", "--scenario", "101=wss://a.example/", "--frequency", "100", "--max-runs", "100"]
    )
    assert refused.exit_code == 2 and "--frequency: 1 scenario x frequency 100 = 100 runs" in refused.stderr
    assert allowed.exit_code == 0, allowed.output


def test_a_validation_error_of_a_huge_batch_has_a_bounded_message() -> None:
    from cekura_wrapper import ValidationError, plan_run

    with pytest.raises(ValidationError) as caught:
        plan_run({scenario: "http://not-a-websocket/" for scenario in range(1, 5001)}, frequency=1)
    assert len(caught.value.problems) == 5000
    assert len(str(caught.value)) < 5000 and "and 4980 more (see .problems)" in str(caught.value)
