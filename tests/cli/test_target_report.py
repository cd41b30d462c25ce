"""Per-target statistics in the reports of status, watch and run --wait: table, Markdown, JSON, JUnit."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cli_helpers import FAST_POLLS, invoke
from fault_server import TOKEN_URL, FaultServer, Reply, result_path, scripted
from junit_schema import assert_valid_junit

from cekura_wrapper import Result, RunPlan, ScenarioTarget
from cekura_wrapper.cli.agent_urls import AgentUrls
from cekura_wrapper.cli.summary import markdown_summary
from cekura_wrapper.cli.target_report import MAX_TARGET_ROWS, junit_properties, target_rows
from cekura_wrapper.cli.verdict import judge

URL = TOKEN_URL


def test_status_json_and_table_carry_each_target_s_counts_and_interval(tmp_path: Path) -> None:
    with FaultServer() as server:
        server.default("GET", result_path(5), Reply(json=scripted(5, (101, 9, 10), (102, 10, 10))))
        document = invoke(["status", "5", "--json"], api_key="test-key", base_url=server.url)
        text = invoke(["status", "5"], api_key="test-key", base_url=server.url)
    targets = json.loads(document.stdout)["targets"]
    assert [(t["scenario"], t["passed"], t["total"]) for t in targets] == [(101, 9, 10), (102, 10, 10)]
    assert targets[0]["websocket_url"] == "wss://agent.example.com/chat?token=***"
    assert targets[0]["interval"] == [pytest.approx(0.5958, abs=1e-4), pytest.approx(0.9821, abs=1e-4)]
    assert targets[1]["interval"] == [pytest.approx(0.7225, abs=1e-4), 1.0]
    assert "Targets of result 5" in text.stdout
    assert "9/10" in text.stdout and "60-98 %" in text.stdout
    assert "s3cret" not in text.stdout + document.stdout


def test_the_plan_names_the_url_of_a_scenario_run_against_one_and_not_of_one_run_against_several() -> None:
    result = Result.from_payload(scripted(6, (101, 1, 2), (102, 2, 2), url=None))
    plan = RunPlan(
        (
            ScenarioTarget(101, "wss://a.example/chat"),
            ScenarioTarget(102, "wss://a.example/chat"),
            ScenarioTarget(102, "wss://b.example/chat"),
        ),
        frequency=1,
    )
    rows = target_rows(result, AgentUrls.from_plan(plan))
    assert [(row.stats.scenario, row.url, row.url_label) for row in rows] == [
        (101, "wss://a.example/chat", "wss://a.example/chat"),
        (102, None, "any of 2 URLs"),
    ]
    assert [row.url_label for row in target_rows(result)] == ["-", "-"]


def test_the_markdown_summary_and_junit_list_targets_bounded_and_escaped(tmp_path: Path) -> None:
    many = [(scenario, 1, 1) for scenario in range(1, MAX_TARGET_ROWS + 6)]
    result = Result.from_payload(scripted(7, *many, name="a | b <x>"))
    markdown = markdown_summary(judge([result], None), [result])
    assert "### Per scenario and agent URL" in markdown
    row = r"| 7 | 1 a \| b \<x\> | wss\://agent.example.com/chat?token=\*\*\* | 1/1 | 100.0 % | 21-100 % |"
    assert row in markdown.splitlines()
    assert "*5 more targets are left out.*" in markdown
    properties = junit_properties(result)
    assert len(properties) == MAX_TARGET_ROWS + 1 and properties[-1] == ("targets_left_out", "5")


def test_watch_writes_target_properties_into_a_valid_junit_report(tmp_path: Path) -> None:
    report = tmp_path / "cekura.xml"
    with FaultServer() as server:
        server.default("GET", result_path(8), Reply(json=scripted(8, (101, 2, 3))))
        result = invoke(
            ["watch", "8", "--junit", str(report), *FAST_POLLS], api_key="test-key", base_url=server.url
        )
    assert result.exit_code == 1, result.output
    assert_valid_junit(report)
    properties = {p.get("name"): p.get("value") for p in ET.parse(report).iter("property")}
    assert properties["target.101 @ wss://agent.example.com/chat?token=***"] == (
        "2/3 passed, 95 % interval 21-94 %"
    )


def test_the_key_in_a_scenario_name_stays_out_of_the_targets_and_the_comparison() -> None:
    named = "said test-key-OUTSIDE"
    with FaultServer() as server:
        server.default("GET", result_path(5), Reply(json=scripted(5, (101, 2, 10), name=named)))
        server.default("GET", result_path(4), Reply(json=scripted(4, (101, 10, 10), name=named)))
        # ``invoke`` asserts the key appears nowhere in the output.
        shown = invoke(["status", "5", "--baseline", "4"], api_key="test-key-OUTSIDE", base_url=server.url)
    assert "Targets of result 5" in shown.stdout and "Result 5 against baseline 4" in shown.stdout
    assert "[redacted]" in shown.stdout
