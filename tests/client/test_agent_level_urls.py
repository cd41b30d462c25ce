"""Targets may leave the websocket URL out: Cekura then dials the URL configured on the agent.

The request omits ``websocket_url`` for them and needs an ``agent`` (an input error before any
request otherwise); plan, pre-flight, reports and the exactly-once lookup handle them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import FAST_POLLS, invoke, posts

from cekura_wrapper import CekuraClient, ScenarioTarget, ValidationError, plan_run
from cekura_wrapper._reach import unreachable_agent_urls
from cekura_wrapper.testing import AgentThread, CekuraEmulator, EmulatedAgent, ServerErrorAfterCreate

URL = "wss://agent-a.example.com/chat"


@pytest.mark.parametrize(
    "scenarios",
    [
        [ScenarioTarget(101)],
        [ScenarioTarget(101, None)],
        [(101, None)],
        [{"scenario": 101}],
        [{"scenario": 101, "websocket_url": None}],
        {101: None},
    ],
    ids=["target", "target-none", "tuple", "dict", "dict-null", "mapping"],
)
def test_every_form_of_a_url_less_target_omits_websocket_url(scenarios: object) -> None:
    plan = plan_run(scenarios, frequency=2, agent=7)  # type: ignore[arg-type]
    assert plan.scenarios == (ScenarioTarget(101),)
    assert plan.body == {"scenarios": [{"scenario": 101}], "frequency": 2, "agent": 7}


def test_overrides_and_agent_urls_mix_in_one_batch() -> None:
    plan = plan_run([(101, URL), (102, None), ScenarioTarget(101)], frequency=1, agent=7)
    assert plan.body["scenarios"] == [
        {"scenario": 101, "websocket_url": URL},
        {"scenario": 102},
        {"scenario": 101},
    ]
    assert plan.run_count == 3


def test_without_an_agent_each_url_less_target_is_a_problem_at_its_index() -> None:
    with pytest.raises(ValidationError) as caught:
        plan_run([(101, URL), (102, None), {"scenario": 103}], frequency=1)
    assert [problem.loc for problem in caught.value.problems] == [
        ("scenarios", 1, "websocket_url"),
        ("scenarios", 2, "websocket_url"),
    ]
    assert "no agent is given" in caught.value.problems[0].message
    assert "agent's websocket URL" in caught.value.problems[0].message


def test_a_url_less_target_without_an_agent_sends_nothing(cekura_emulator: CekuraEmulator) -> None:
    with (
        CekuraClient(cekura_emulator.api_key, base_url=cekura_emulator.base_url) as client,
        pytest.raises(ValidationError),
    ):
        client.run_scenarios([ScenarioTarget(101)], frequency=1)
    assert cekura_emulator.requests == []


def test_the_private_url_guard_skips_targets_on_the_agents_url() -> None:
    plan = plan_run([(101, None), (102, "ws://127.0.0.1:9/")], frequency=1, agent=7)
    problems = unreachable_agent_urls(plan, "https://api.cekura.ai")
    assert [problem.loc for problem in problems] == [("scenarios", 1, "websocket_url")]


def test_against_the_emulator_url_less_targets_dial_the_agents_url(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    helpful = cekura_agent("helpful")
    cekura_emulator.agents[1] = EmulatedAgent(websocket_url=helpful.url)
    with CekuraClient(
        cekura_emulator.api_key, base_url=cekura_emulator.base_url, poll_interval=0.02, max_poll_interval=0.05
    ) as client:
        result = client.run_and_wait(
            [ScenarioTarget(101), (102, helpful.url)], frequency=2, agent=1, timeout=30
        )
    assert result.passed and result.total_runs == 4


def test_the_emulator_refuses_url_less_targets_of_an_agent_without_a_url(
    cekura_emulator: CekuraEmulator,
) -> None:
    from cekura_wrapper import BadRequestError

    with (
        CekuraClient(cekura_emulator.api_key, base_url=cekura_emulator.base_url) as client,
        pytest.raises(BadRequestError) as caught,
    ):
        client.run_scenarios([ScenarioTarget(101)], frequency=1, agent=1)
    assert "agent 1 has no websocket URL" in str(caught.value)
    assert posts(cekura_emulator) == 1


def test_the_exactly_once_lookup_finds_a_url_less_batch(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    cekura_emulator.agents[1] = EmulatedAgent(websocket_url=cekura_agent("helpful").url)
    cekura_emulator.faults.queue(ServerErrorAfterCreate(502), on="post")
    with CekuraClient(cekura_emulator.api_key, base_url=cekura_emulator.base_url) as client:
        submission = client.run_scenarios([ScenarioTarget(101), ScenarioTarget(102)], frequency=1, agent=1)
    assert submission.reconciled
    assert (posts(cekura_emulator), list(cekura_emulator.app.results)) == (1, [submission.result_id])


# ----------------------------------------------------------------------------------- command line


def test_plan_shows_the_agents_url_and_a_body_without_websocket_url() -> None:
    result = invoke(
        ["plan", "--scenario", "101", "--scenario", f"102={URL}", "--frequency", "1", "--agent", "7"]
    )
    assert result.exit_code == 0, result.output
    assert "the agent's websocket URL" in result.stdout
    as_json = invoke(["plan", "--scenario", "101", "--frequency", "1", "--agent", "7", "--json"])
    assert json.loads(as_json.stdout)["request"]["body"]["scenarios"] == [{"scenario": 101}]


def test_plan_without_an_agent_names_the_flag_entry() -> None:
    result = invoke(["plan", "--scenario", f"102={URL}", "--scenario", "101", "--frequency", "1"])
    assert result.exit_code == 2
    assert "--scenario #2: no websocket URL" in result.stderr
    assert "--scenario #1" not in result.stderr


def test_batch_files_may_leave_the_url_out(tmp_path: Path) -> None:
    yaml_file = tmp_path / "smoke.yaml"
    yaml_file.write_text(
        f"frequency: 1\nagent: 7\nscenarios:\n  - {{scenario: 101}}\n  - {{scenario: 102, websocket_url: {URL}}}\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "smoke.csv"
    csv_file.write_text("scenario,frequency,agent\n101,1,7\n", encoding="utf-8")
    mixed_csv = tmp_path / "mixed.csv"
    mixed_csv.write_text(f"scenario,websocket_url\n101,\n102,{URL}\n", encoding="utf-8")
    bodies = []
    for path in (yaml_file, csv_file, mixed_csv):
        result = invoke(["plan", "--batch", str(path), "--json", "--frequency", "1", "--agent", "7"])
        assert result.exit_code == 0, result.output
        bodies.append(json.loads(result.stdout)["request"]["body"]["scenarios"])
    assert bodies == [
        [{"scenario": 101}, {"scenario": 102, "websocket_url": URL}],
        [{"scenario": 101}],
        [{"scenario": 101}, {"scenario": 102, "websocket_url": URL}],
    ]


def test_a_batch_entry_without_url_or_agent_is_reported_at_its_line(tmp_path: Path) -> None:
    batch = tmp_path / "smoke.yaml"
    batch.write_text("frequency: 1\nscenarios:\n  - {scenario: 101}\n", encoding="utf-8")
    result = invoke(["plan", "--batch", str(batch)])
    assert result.exit_code == 2
    assert f"{batch}:3: no websocket URL" in result.stderr


def test_preflight_skips_url_less_targets_and_says_so(cekura_agent: Callable[..., AgentThread]) -> None:
    helpful = cekura_agent("helpful")
    result = invoke(["preflight", "--scenario", "101", "--scenario", f"102={helpful.url}", "--timeout", "10"])
    assert result.exit_code == 0, result.output
    assert "skips 1 scenario entry without a websocket URL" in result.stderr
    assert "passed the pre-flight check" in result.stderr
    only = invoke(["preflight", "--scenario", "101", "--json"])
    assert only.exit_code == 0, only.output
    assert json.loads(only.stdout) == {"kind": "preflight", "ok": True, "urls": [], "skipped_without_url": 1}


def test_run_wait_reports_url_less_runs_as_on_the_agents_url(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread], tmp_path: Path
) -> None:
    helpful = cekura_agent("helpful")
    cekura_emulator.agents[1] = EmulatedAgent(websocket_url=helpful.url)
    junit = tmp_path / "report.xml"
    args = ["run", "--scenario", "101", "--frequency", "2", "--agent", "1", "--wait", "--preflight"]
    result = invoke([*args, *FAST_POLLS, "--json", "--junit", str(junit)], emulator=cekura_emulator)
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)["runs"]
    assert [(run["websocket_url"], run.get("agent_websocket_url")) for run in runs] == [(None, True)] * 2
    assert "skips 1 scenario entry" in result.stderr
    assert "the agent's websocket URL" in junit.read_text(encoding="utf-8").replace("&apos;", "'")
