"""The JUnit report and the plain progress lines, on results shaped like Cekura's."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import FAST_POLLS, invoke
from fault_server import RUN_PATH, FaultServer, Reply, created, result_path
from junit_schema import assert_valid_junit, junit_problems

from cekura_wrapper import Result
from cekura_wrapper.cli.exit_codes import ExitCode
from cekura_wrapper.cli.junit import build_report, write_report
from cekura_wrapper.cli.progress import PlainProgress
from cekura_wrapper.cli.verdict import judge


def result(status: str, runs: dict[str, dict[str, Any]]) -> Result:
    done = [run for run in runs.values() if run.get("success") is not None]
    return Result.from_payload(
        {
            "id": 42,
            "status": status,
            "total_runs_count": str(len(runs)),
            "completed_runs_count": str(len(done)),
            "success_runs_count": str(sum(1 for run in done if run["success"])),
            "runs": runs,
        }
    )


RUNS = {
    "7": {"id": 7, "scenario": 101, "scenario_name": "Hours", "status": "completed", "success": True},
    "8": {"id": 8, "scenario": 102, "status": "completed", "success": False},
    "9": {"id": 9, "scenario": 103, "scenario_name": "Book", "status": "running", "success": None},
}


def test_a_cancelled_result_marks_unfinished_runs_as_errors(tmp_path: Path) -> None:
    path = tmp_path / "out" / "report.xml"
    write_report(result("cancelled", RUNS), path)

    assert_valid_junit(path)
    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert {key: suite.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
        "tests": "3",
        "failures": "1",
        "errors": "1",
        "skipped": "0",
    }
    names = [case.get("name") for case in suite.iter("testcase")]
    # No URL in these runs, so none in the names; a run without a scenario name is named by its id.
    assert names == [
        "Hours [scenario 101, run 7]",
        "scenario 102 [scenario 102, run 8]",
        "Book [scenario 103, run 9]",
    ]
    failure = suite.find("testcase/failure")
    assert failure is not None and failure.get("message") == "the run did not meet its expected outcome"
    error = suite.find("testcase/error")
    assert error is not None and "run status running, result cancelled" in (error.get("message") or "")


def test_a_result_still_running_marks_unfinished_runs_as_skipped() -> None:
    tree = build_report(result("running", RUNS))

    assert_valid_junit(tree)
    suite = tree.getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("skipped"), suite.get("errors")) == ("1", "0")
    assert suite.find("testcase/skipped") is not None


def test_every_report_shape_validates_when_written_and_parsed_back(tmp_path: Path) -> None:
    # A run of each kind, a failure's message with markup characters, and a run whose times are junk.
    runs = {
        **RUNS,
        "10": {"id": 10, "scenario": 104, "status": "failed", "success": False, "error_message": "<a & b>"},
        "11": {"id": 11, "scenario": 105, "success": True, "started_at": "x", "ended_at": "y"},
    }
    for status in ("running", "completed", "cancelled"):
        path = tmp_path / f"{status}.xml"
        write_report(result(status, runs), path)
        assert_valid_junit(path)
        assert_valid_junit(str(path))
    assert_valid_junit(build_report(result("completed", {})).getroot())  # no runs at all


def broken(path: str, attribute: str, value: str | None) -> ET.Element:
    """A valid report with one attribute of the element at ``path`` changed (or removed: None)."""
    root = build_report(result("cancelled", RUNS)).getroot()
    element = root.find(path)
    assert element is not None
    if value is None:
        del element.attrib[attribute]
    else:
        element.set(attribute, value)
    return root


@pytest.mark.parametrize(
    ("path", "attribute", "value", "reason"),
    [
        ("testsuite/testcase", "name", None, "missing required attribute 'name'"),
        ("testsuite", "failures", "x", "attribute failures='x'"),
        ("testsuite", "tests", "-1", "attribute tests='-1'"),
        (".", "errors", "2.0", "attribute errors='2.0'"),
        ("testsuite/testcase", "time", "1.5s", "attribute time='1.5s'"),
        ("testsuite", "time", "-0.5", "attribute time='-0.5'"),
        ("testsuite", "errors", None, "missing required attribute 'errors'"),
        (".", "skipped", "1", "'skipped' attribute not allowed"),
        ("testsuite/testcase/failure", "severity", "high", "'severity' attribute not allowed"),
        ("testsuite/properties/property", "value", None, "missing required attribute 'value'"),
    ],
)
def test_the_schema_rejects_a_report_with_a_wrong_attribute(
    path: str, attribute: str, value: str | None, reason: str
) -> None:
    assert junit_problems(build_report(result("cancelled", RUNS))) == []
    problems = junit_problems(broken(path, attribute, value))

    assert len(problems) == 1 and reason in problems[0], problems
    with pytest.raises(AssertionError, match="does not validate"):
        assert_valid_junit(broken(path, attribute, value))


@pytest.mark.parametrize(
    ("parent", "tag"),
    [
        ("testsuite/testcase", "attachment"),  # not a JUnit element
        ("testsuite/testcase[2]", "skipped"),  # a second outcome next to the failure
        ("testsuite", "testsuite"),  # nested suites are not in the shape
        (".", "properties"),  # properties belong to a suite
    ],
)
def test_the_schema_rejects_a_report_with_a_misplaced_element(parent: str, tag: str) -> None:
    root = build_report(result("cancelled", RUNS)).getroot()
    element = root.find(parent)
    assert element is not None
    ET.SubElement(element, tag)

    [problem] = junit_problems(root)
    assert f"Unexpected child with tag '{tag}'" in problem


def test_the_schema_rejects_a_lone_testcase_and_text_where_only_elements_belong(tmp_path: Path) -> None:
    case = build_report(result("cancelled", RUNS)).getroot().find("testsuite/testcase")
    assert case is not None
    stray_text = tmp_path / "stray-text.xml"
    suite = "<testsuite name='a' tests='0' failures='0' errors='0'>oops</testsuite>"
    stray_text.write_text(f"<testsuites>{suite}</testsuites>")

    assert "'testcase' is not an element of the schema" in junit_problems(case)[0]
    assert "character data between child elements not allowed" in junit_problems(stray_text)[0]


def test_the_verdict_of_terminal_statuses_and_the_fail_under_boundary() -> None:
    assert judge([result("cancelled", RUNS)], None).exit_code is ExitCode.EVALUATION_FAILED
    passed_half = result("completed", {key: RUNS[key] for key in ("7", "8")})
    assert judge([passed_half], 0.5).exit_code is ExitCode.OK  # at the threshold passes
    assert judge([passed_half], 0.51).exit_code is ExitCode.EVALUATION_FAILED
    # Without --fail-under, completed is not enough: every run must pass.
    assert judge([passed_half], None).exit_code is ExitCode.EVALUATION_FAILED


def test_plain_progress_prints_changes_and_a_heartbeat_only() -> None:
    now = [0.0]
    lines: list[str] = []
    view = PlainProgress(lines.append, 42, heartbeat=30.0, clock=lambda: now[0])
    running = result("running", RUNS)

    for moment in (1.0, 2.0, 29.0, 31.5):
        now[0] = moment
        view.update(running)
    now[0] = 32.0
    view.update(result("cancelled", RUNS))

    assert [line.rsplit(", ", 1)[1] for line in lines] == ["1.0s elapsed", "31.5s elapsed", "32.0s elapsed"]
    assert lines[0] == "result 42: running, 2/3 runs done, 1 passed, 1 failed, 1.0s elapsed"


def agent_column(table: str) -> dict[str, str]:
    """Run id -> the runs table's agent URL cell."""
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in table.splitlines() if "│" in line]
    return {row[0]: row[2] for row in rows if row[0].isdigit()}


def stub_runs() -> dict[str, dict[str, Any]]:
    """Runs shaped like Cekura's ResultDetailV2: no ``websocket_url`` (one run of 102 has it)."""
    return {
        "501": {"id": 501, "scenario": 101, "scenario_name": "Hours", "status": "completed", "success": True},
        "502": {
            "id": 502,
            "scenario": 102,
            "scenario_name": "Refund",
            "status": "completed",
            "success": True,
        },
        "503": {
            "id": 503,
            "scenario": 102,
            "scenario_name": "Refund",
            "status": "completed",
            "success": False,
            "error_message": "no refund offered",
            "websocket_url": "wss://fleet-b.example/chat",
        },
    }


def test_agent_urls_come_from_the_plan_when_cekura_runs_do_not_carry_them(tmp_path: Path) -> None:
    runs = stub_runs()
    body = {
        "id": 77,
        "status": "completed",
        "total_runs_count": "3",
        "completed_runs_count": "3",
        "success_runs_count": "2",
        "failed_runs_count": "1",
        "runs": runs,
    }
    report = tmp_path / "cekura.xml"
    args = ["run", "--scenario", "101=wss://hours.example/chat", "--frequency", "1", "--wait"]
    args += ["--scenario", "102=wss://fleet-a.example/chat", "--scenario", "102=wss://fleet-b.example/chat"]
    with FaultServer() as server:
        server.default("POST", RUN_PATH, Reply(201, created(77, runs=3)))
        server.default("GET", result_path(77), Reply(200, body))
        key, url = "stub-key-0123456789", server.url

        text = invoke([*args, "--junit", str(report), *FAST_POLLS], api_key=key, base_url=url)
        document = invoke([*args, "--json", *FAST_POLLS], api_key=key, base_url=url)
        looked = invoke(["status", "77", "--json"], api_key=key, base_url=url)
        table = invoke(["status", "77"], api_key=key, base_url=url)

    # Run 503 failed: the gate fails everywhere it judges the result.
    assert (text.exit_code, document.exit_code, looked.exit_code, table.exit_code) == (1, 1, 1, 1), (
        text.output
    )
    assert agent_column(text.stdout) == {
        "501": "wss://hours.example/chat",
        "502": "one of 2 URLs",
        "503": "wss://fleet-b.example/chat",
    }
    assert_valid_junit(report)
    names = [case.get("name") for case in ET.parse(report).getroot().iter("testcase")]
    assert names == [
        "Hours [scenario 101, run 501] @ wss://hours.example/chat",
        "Refund [scenario 102, run 502] @ one of 2 URLs",
        "Refund [scenario 102, run 503] @ wss://fleet-b.example/chat",
    ]
    by_id = {run["id"]: run for run in json.loads(document.stdout)["runs"]}
    assert by_id[501]["websocket_url"] == "wss://hours.example/chat"
    assert by_id[502]["websocket_url"] is None
    assert by_id[502]["websocket_url_candidates"] == [
        "wss://fleet-a.example/chat",
        "wss://fleet-b.example/chat",
    ]
    assert by_id[503]["websocket_url"] == "wss://fleet-b.example/chat"
    # status has no plan: only what the runs say, "-" otherwise (never a guess).
    assert [run["websocket_url"] for run in json.loads(looked.stdout)["runs"]] == [
        None,
        None,
        "wss://fleet-b.example/chat",
    ]
    assert agent_column(table.stdout) == {"501": "-", "502": "-", "503": "wss://fleet-b.example/chat"}
