"""``mock_tool_names`` end to end: which of the agent's tools Cekura mocks during a run.

Absent (None): every tool configured on the agent; ``[]``: none; names: only those.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import FAST_POLLS, invoke

from cekura_wrapper import AsyncCekuraClient, CekuraClient, SuiteGroup, ValidationError, plan_run
from cekura_wrapper._mock_tools import MAX_MOCK_TOOLS, MAX_TOOL_NAME
from cekura_wrapper.testing import AgentThread, CekuraEmulator

URL = "wss://agent-a.example.com/chat"


def test_none_leaves_the_field_out_empty_sends_empty_and_names_are_sent_stripped_once() -> None:
    assert "mock_tool_names" not in plan_run([(101, URL)], frequency=1).body
    assert plan_run([(101, URL)], frequency=1, mock_tool_names=[]).body["mock_tool_names"] == []
    plan = plan_run([(101, URL)], frequency=1, mock_tool_names=[" crm ", "calendar", "crm"])
    assert plan.mock_tool_names == ("crm", "calendar")
    assert plan.body["mock_tool_names"] == ["crm", "calendar"]


@pytest.mark.parametrize(
    ("value", "loc", "words"),
    [
        ("crm", ("mock_tool_names",), "must be a list of tool names, got 'crm' (text)"),
        ([1], ("mock_tool_names", 0), "must be text, got 1 (a number)"),
        (["crm", "  "], ("mock_tool_names", 1), "must not be empty"),
        (["x" * (MAX_TOOL_NAME + 1)], ("mock_tool_names", 0), f"over {MAX_TOOL_NAME} characters"),
        ([f"t{i}" for i in range(MAX_MOCK_TOOLS + 1)], ("mock_tool_names",), f"at most {MAX_MOCK_TOOLS}"),
    ],
    ids=["string", "number", "blank", "long-name", "too-many"],
)
def test_bad_values_are_input_errors_at_their_location(
    value: Any, loc: tuple[object, ...], words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        plan_run([(101, URL)], frequency=1, mock_tool_names=value)
    assert [(problem.loc, words in problem.message) for problem in caught.value.problems] == [(loc, True)]


def _run_settings(emulator: CekuraEmulator, result_id: int) -> dict[str, Any]:
    settings: dict[str, Any] = emulator.app.results[result_id].detail()["run_settings"]
    return settings


def test_the_sync_client_sends_each_choice_and_the_emulator_records_it(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    url = cekura_agent("helpful").url
    with CekuraClient(cekura_emulator.api_key, base_url=cekura_emulator.base_url) as client:
        default = client.run_scenarios([(101, url)], frequency=1)
        none = client.run_scenarios([(101, url)], frequency=1, mock_tool_names=[])
        some = client.run_scenarios([(101, url)], frequency=1, mock_tool_names=("crm",))
    assert [
        _run_settings(cekura_emulator, s.result_id).get("mock_tool_names", "absent")
        for s in (default, none, some)
    ] == [
        "absent",
        [],
        ["crm"],
    ]


def test_the_async_client_and_run_and_wait_send_it(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    url = cekura_agent("helpful").url

    async def main() -> int:
        async with AsyncCekuraClient(
            cekura_emulator.api_key,
            base_url=cekura_emulator.base_url,
            poll_interval=0.02,
            max_poll_interval=0.05,
        ) as client:
            result = await client.run_and_wait(
                [(101, url)], frequency=1, mock_tool_names=["calendar"], timeout=30
            )
            return result.id

    result_id = asyncio.run(main())
    assert _run_settings(cekura_emulator, result_id)["mock_tool_names"] == ["calendar"]


def test_each_suite_group_sends_its_own(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    url = cekura_agent("helpful").url
    groups = [
        SuiteGroup("all", [(101, url)], 1),
        SuiteGroup("none", [(102, url)], 1, mock_tool_names=[]),
    ]
    with CekuraClient(
        cekura_emulator.api_key, base_url=cekura_emulator.base_url, poll_interval=0.02, max_poll_interval=0.05
    ) as client:
        outcome = client.run_suite(groups, concurrency=2, timeout=30)
    ids = {group.name: group.result_id for group in outcome.groups}
    assert "mock_tool_names" not in _run_settings(cekura_emulator, ids["all"])  # type: ignore[arg-type]
    assert _run_settings(cekura_emulator, ids["none"])["mock_tool_names"] == []  # type: ignore[arg-type]


def test_a_bad_suite_group_value_is_located_and_nothing_is_sent(cekura_emulator: CekuraEmulator) -> None:
    with (
        CekuraClient(cekura_emulator.api_key, base_url=cekura_emulator.base_url) as client,
        pytest.raises(ValidationError) as caught,
    ):
        client.run_suite([SuiteGroup("g", [(101, URL)], 1, mock_tool_names="crm")], concurrency=1, timeout=5)
    assert caught.value.problems[0].loc == ("groups", 0, "mock_tool_names")
    assert cekura_emulator.requests == []


# ----------------------------------------------------------------------------------- command line


def _plan(*args: str) -> Any:
    result = invoke(["plan", "--scenario", f"101={URL}", "--frequency", "1", *args])
    return result


def test_plan_shows_each_choice_and_the_body() -> None:
    default, only, none = _plan(), _plan("--mock-tools", "crm, calendar"), _plan("--no-mock-tools")
    assert "mock tools: every tool configured on the agent" in default.stdout
    assert "mock tools: only crm, calendar" in only.stdout
    assert "mock tools: none" in none.stdout
    bodies = [
        json.loads(_plan(*flags, "--json").stdout)["request"]["body"] for flags in ((), ("--no-mock-tools",))
    ]
    assert ["mock_tool_names" in bodies[0], bodies[1]["mock_tool_names"]] == [False, []]


@pytest.mark.parametrize(
    ("flags", "words"),
    [
        (
            ("--mock-tools", "crm", "--no-mock-tools"),
            "--mock-tools and --no-mock-tools contradict each other",
        ),
        (("--mock-tools", "crm,,calendar"), "tool name #2 must not be empty"),
    ],
)
def test_bad_flags_are_input_errors(flags: tuple[str, ...], words: str) -> None:
    result = _plan(*flags)
    assert result.exit_code == 2
    assert f"--mock-tools: {words}" in result.stderr


def test_the_batch_key_is_read_and_the_flag_overrides_it(tmp_path: Path) -> None:
    batch = tmp_path / "smoke.yaml"
    batch.write_text(
        f"frequency: 1\nmock_tool_names: [crm, '${{CEKURA_VAR_TOOL}}']\nscenarios:\n  - {{scenario: 101, websocket_url: {URL}}}\n",
        encoding="utf-8",
    )
    from_file = invoke(["plan", "--batch", str(batch), "--json"], env={"CEKURA_VAR_TOOL": "calendar"})
    overridden = invoke(
        ["plan", "--batch", str(batch), "--json", "--no-mock-tools"], env={"CEKURA_VAR_TOOL": "calendar"}
    )
    assert json.loads(from_file.stdout)["mock_tool_names"] == ["crm", "calendar"]
    assert json.loads(overridden.stdout)["request"]["body"]["mock_tool_names"] == []


def test_a_bad_batch_value_is_reported_at_its_line(tmp_path: Path) -> None:
    batch = tmp_path / "smoke.yaml"
    batch.write_text(
        f"frequency: 1\nscenarios:\n  - {{scenario: 101, websocket_url: {URL}}}\nmock_tool_names: crm\n",
        encoding="utf-8",
    )
    result = invoke(["plan", "--batch", str(batch)])
    assert result.exit_code == 2
    assert f"{batch}:4: mock_tool_names must be a list of tool names" in result.stderr


def test_suite_groups_carry_their_own_and_refuse_the_flags(tmp_path: Path) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "groups:\n"
        f"  - {{name: a, frequency: 1, scenarios: [{{scenario: 101, websocket_url: '{URL}'}}]}}\n"
        f"  - {{name: b, frequency: 1, mock_tool_names: [], scenarios: [{{scenario: 102, websocket_url: '{URL}'}}]}}\n",
        encoding="utf-8",
    )
    shown = invoke(["plan", "--batch", str(suite), "--json"])
    assert shown.exit_code == 0, shown.output
    assert [group["mock_tool_names"] for group in json.loads(shown.stdout)["groups"]] == [None, []]
    table = invoke(["plan", "--batch", str(suite), "--concurrency", "1"]).stdout.replace("\n", " ")
    assert "agent's" in table and "none" in table
    # What the budget guarantees, and what it does not (calls within one result).
    assert "a group starts only when its slots fit in what the concurrency has left" in " ".join(
        table.split()
    )
    assert "Cekura's own organisation limit" in " ".join(table.split())
    assert "peak calls in flight" not in table
    refused = invoke(["plan", "--batch", str(suite), "--no-mock-tools"])
    assert refused.exit_code == 2 and "set mock_tool_names per group" in refused.stderr


def test_run_sends_the_choice(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    url = cekura_agent("helpful").url
    args = [
        "run",
        "--scenario",
        f"101={url}",
        "--frequency",
        "1",
        "--mock-tools",
        "crm",
        "--wait",
        *FAST_POLLS,
    ]
    result = invoke(args, emulator=cekura_emulator)
    assert result.exit_code == 0, result.output
    (result_id,) = cekura_emulator.app.results
    assert _run_settings(cekura_emulator, result_id)["mock_tool_names"] == ["crm"]
