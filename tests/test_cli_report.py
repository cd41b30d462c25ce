"""The JUnit report and the plain progress lines, on results shaped like Cekura's."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from cekura_wrapper import Result
from cekura_wrapper.cli.exit_codes import ExitCode, verdict
from cekura_wrapper.cli.junit import build_report, write_report
from cekura_wrapper.cli.render import PlainProgress


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

    root = ET.parse(path).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert {key: root.get(key) for key in ("tests", "failures", "errors", "skipped")} == {
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
    root = build_report(result("running", RUNS)).getroot()

    assert (root.get("skipped"), root.get("errors")) == ("1", "0")


def test_the_verdict_of_terminal_statuses_and_the_fail_under_boundary() -> None:
    assert verdict(result("cancelled", RUNS), None)[0] is ExitCode.EVALUATION_FAILED
    passed_half = result("completed", {key: RUNS[key] for key in ("7", "8")})
    assert verdict(passed_half, 0.5)[0] is ExitCode.OK  # at the threshold passes
    assert verdict(passed_half, 0.51)[0] is ExitCode.EVALUATION_FAILED
    assert verdict(passed_half, None)[0] is ExitCode.OK  # without --fail-under, completed is enough


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
