"""``cekura-ws`` through its real entry point, against the emulator and real agents on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import FAST_POLLS, gets, invoke, posts, submitted_id
from junit_schema import assert_valid_junit

from cekura_wrapper.cli import progress
from cekura_wrapper.testing import (
    AgentThread,
    CekuraEmulator,
    DropAfterCreate,
    ServerErrorAfterCreate,
    ServerErrorFault,
)
from cekura_wrapper.testing.demo import closed_loopback_url

StartAgent = Callable[..., AgentThread]


def test_plan_prints_the_run_count_and_body_and_needs_no_key(cekura_emulator: CekuraEmulator) -> None:
    args = ["plan", "--scenario", "101=ws://agent-a:8080/chat", "--scenario", "102=wss://agent-b/chat"]
    args += ["--frequency", "3", "--agent", "7"]

    text = invoke(args, env={"CEKURA_API_KEY": None, "CEKURA_BASE_URL": cekura_emulator.base_url})
    document = invoke(
        [*args, "--json"], env={"CEKURA_API_KEY": None, "CEKURA_BASE_URL": cekura_emulator.base_url}
    )

    assert text.exit_code == 0, text.output
    assert "2 scenarios x frequency 3 = 6 runs, agent 7" in text.stdout
    assert '"websocket_url": "wss://agent-b/chat"' in text.stdout
    plan = json.loads(document.stdout)
    assert (plan["kind"], plan["run_count"], plan["agent"]) == ("plan", 6, 7)
    assert plan["request"]["body"] == {
        "scenarios": [
            {"scenario": 101, "websocket_url": "ws://agent-a:8080/chat"},
            {"scenario": 102, "websocket_url": "wss://agent-b/chat"},
        ],
        "frequency": 3,
        "agent": 7,
    }
    assert cekura_emulator.requests == []  # nothing was sent


def test_run_wait_junit_fail_under_round_trip(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path
) -> None:
    helpful, dead = cekura_agent("helpful").url, closed_loopback_url()
    report = tmp_path / "reports" / "cekura.xml"
    args = [
        "run",
        "--scenario",
        f"101={helpful}",
        "--scenario",
        f"102={helpful}",
        "--scenario",
        f"103={dead}",
    ]
    args += ["--frequency", "2", "--wait", "--junit", str(report), "--fail-under", "0.6", *FAST_POLLS]

    result = invoke(args, emulator=cekura_emulator)

    assert result.exit_code == 0, result.output
    rid = submitted_id(result)
    assert "4 of 6 runs passed (66.7 %), at or above --fail-under 60 %" in result.stderr
    assert f"Result {rid}: completed; runs 6, done 6, succeeded 4, failed 2" in result.stdout
    assert posts(cekura_emulator) == 1
    assert_valid_junit(report)
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    failures = [case.find("failure") for case in cases if case.find("failure") is not None]
    totals = ("tests", "failures", "errors", "skipped")
    assert [suite.get(key) for key in totals] == ["6", "2", "0", "0"]
    assert [root.get(key) for key in totals] == ["6", "2", "0", None]  # no skipped on <testsuites>
    for element in (root, suite):
        assert float(element.get("time", "x")) >= 0
    assert len(cases) == 6 and len(failures) == 2
    for case in cases:
        assert case.get("classname", "").startswith(f"cekura.result_{rid}.scenario_10")
        assert float(case.get("time", "x")) >= 0
    assert sum(helpful in case.get("name", "") for case in cases) == 4
    for failure in failures:
        assert failure is not None
        assert "103" in (failure.text or "") or dead in (failure.text or "")
        assert "connection refused" in failure.get("message", "")
        assert failure.get("type") == "run_failed"
    properties = {prop.get("name"): prop.get("value") for prop in suite.iter("property")}
    assert properties == {
        "result_id": str(rid),
        "status": "completed",
        "pass_rate": "0.6667",
        f"target.101 @ {helpful}": "2/2 passed, 95 % interval 34-100 %",
        f"target.102 @ {helpful}": "2/2 passed, 95 % interval 34-100 %",
        f"target.103 @ {dead}": "0/2 passed, 95 % interval 0-66 %",
    }

    # The same result judged more strictly: exit 1, and watch needs no new submission.
    strict = invoke(
        ["watch", str(rid), "--fail-under", "0.9", "--json", *FAST_POLLS], emulator=cekura_emulator
    )
    assert strict.exit_code == 1, strict.output
    document = json.loads(strict.stdout)
    assert (document["exit_code"], document["pass_rate"], document["fail_under"]) == (1, 4 / 6, 0.9)
    assert "below --fail-under 90 %" in document["verdict"]
    assert posts(cekura_emulator) == 1


def test_exit_1_when_the_result_ends_failed(cekura_emulator: CekuraEmulator) -> None:
    args = ["run", "--scenario", f"101={closed_loopback_url()}", "--frequency", "1", "--wait", *FAST_POLLS]

    result = invoke(args, emulator=cekura_emulator)

    assert result.exit_code == 1, result.output
    assert f"FAILED: result {submitted_id(result)} ended failed; 0 of 1 runs passed" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["run", "--scenario", "101=ws://a/", "--frequency", "1", "--junit", "r.xml"],
            "--junit needs --wait",
        ),
        (["run", "--scenario", "101=ws://a/"], "frequency is required"),
        (["run", "--scenario", "101=ws://a/", "--frequency", "1", "--bogus"], "No such option"),
        (
            ["run", "--scenario", "101=ws://a/", "--frequency", "1", "--wait", "--fail-under", "2"],
            "--fail-under",
        ),
        (["status", "0"], "RESULT_ID"),
    ],
)
def test_exit_2_for_usage_errors_before_any_request(
    cekura_emulator: CekuraEmulator, args: list[str], message: str
) -> None:
    result = invoke(args, emulator=cekura_emulator)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert cekura_emulator.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--json", "--scenario", "101=ws://a/", "--frequency", "1", "--bogus"], "No such option"),
        (
            ["run", "--scenario", "101=ws://a/", "--frequency", "1", "--wait", "--fail-under", "2", "--json"],
            "--fail-under",
        ),
        (["status", "0", "--json"], "RESULT_ID"),
        (["--bogus", "status", "1", "--json"], "No such option '--bogus'"),
        (["nosuch", "--json"], "No such command 'nosuch'"),
    ],
)
def test_usage_errors_under_json_print_the_error_document_too(
    cekura_emulator: CekuraEmulator, args: list[str], message: str
) -> None:
    result = invoke(args, emulator=cekura_emulator)

    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Usage:" in result.stderr
    document = json.loads(result.stdout)
    assert (document["kind"], document["exit_code"], document["error"]) == ("error", 2, "usage")
    assert message in document["message"]
    assert cekura_emulator.requests == []


def test_usage_errors_without_json_print_nothing_on_stdout(cekura_emulator: CekuraEmulator) -> None:
    result = invoke(["run", "--bogus", "--", "--json"], emulator=cekura_emulator)

    assert result.exit_code == 2 and result.stdout == ""


def test_exit_2_without_an_api_key_naming_the_variable(cekura_emulator: CekuraEmulator) -> None:
    result = invoke(
        ["run", "--scenario", "101=ws://a/", "--frequency", "1"],
        env={"CEKURA_API_KEY": None, "CEKURA_BASE_URL": cekura_emulator.base_url},
    )

    assert result.exit_code == 2, result.output
    assert "CEKURA_API_KEY" in result.stderr
    assert cekura_emulator.requests == []


def test_exit_3_for_a_wrong_key_which_is_never_printed(cekura_emulator: CekuraEmulator) -> None:
    wrong = "sk-wrong-key-0123456789"

    result = invoke(
        ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--json"],
        emulator=cekura_emulator,
        api_key=wrong,
    )

    assert result.exit_code == 3, result.output
    assert "401" in result.stderr and "CEKURA_API_KEY" in result.stderr
    assert json.loads(result.stdout)["error"] == "AuthenticationError"
    assert [(request.method, request.status) for request in cekura_emulator.requests] == [("POST", 401)]


def test_exit_2_when_cekura_rejects_the_request_with_its_field_errors(
    cekura_emulator: CekuraEmulator,
) -> None:
    args = ["run", "--scenario", "101=ws://127.0.0.1:9/", "--scenario", "999=ws://127.0.0.1:9/"]

    text = invoke([*args, "--frequency", "1", "--wait", *FAST_POLLS], emulator=cekura_emulator)
    document = invoke([*args, "--frequency", "1", "--json"], emulator=cekura_emulator)

    assert (text.exit_code, document.exit_code) == (2, 2), text.output
    assert "400 Bad Request" in text.stderr and "nothing was created" in text.stderr
    # Each of Cekura's problems once, at the flag that brought the scenario in.
    assert text.stderr.count('Invalid pk "999"') == 1
    assert '  --scenario #2: Invalid pk "999" - scenario does not exist.' in text.stderr
    error = json.loads(document.stdout)
    assert (error["kind"], error["exit_code"], error["error"], error["status_code"]) == (
        "error",
        2,
        "BadRequestError",
        400,
    )
    assert error["field_errors"] == {"scenarios": ['Item 1: Invalid pk "999" - scenario does not exist.']}
    assert error["problems"] == [
        {"where": "--scenario #2", "message": 'Invalid pk "999" - scenario does not exist.'}
    ]
    assert [(request.method, request.status) for request in cekura_emulator.requests] == [
        ("POST", 400),
        ("POST", 400),
    ]  # no poll after a rejected submission, nothing resent


def test_cekuras_400_points_at_the_batch_file_line_of_the_rejected_scenario(
    cekura_emulator: CekuraEmulator, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "frequency: 1\n"
        "scenarios:\n"
        "  - {scenario: 101, websocket_url: 'ws://127.0.0.1:9/'}\n"
        "  - {scenario: 998, websocket_url: 'ws://127.0.0.1:9/'}\n"
        "  - {scenario: 999, websocket_url: 'ws://127.0.0.1:9/'}\n"
    )

    result = invoke(["run", "--batch", str(batch), "--json"], emulator=cekura_emulator)

    assert result.exit_code == 2, result.output
    assert f'  {batch}:4: Invalid pk "998" - scenario does not exist.' in result.stderr
    assert f'  {batch}:5: Invalid pk "999" - scenario does not exist.' in result.stderr
    assert result.stderr.count("Invalid pk") == 2
    assert [problem["where"] for problem in json.loads(result.stdout)["problems"]] == [
        f"{batch}:4",
        f"{batch}:5",
    ]


def test_exit_3_for_an_unreachable_api(cekura_emulator: CekuraEmulator) -> None:
    dead = closed_loopback_url().replace("ws://", "http://").rstrip("/")

    result = invoke(
        ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--max-retries", "0"],
        emulator=cekura_emulator,
        base_url=dead,
    )

    assert result.exit_code == 3, result.output
    assert dead in result.stderr and "check the base URL" in result.stderr


@pytest.mark.parametrize("fault", [DropAfterCreate(), ServerErrorAfterCreate(502)])
def test_a_submission_that_may_have_landed_is_looked_up_and_followed(
    cekura_emulator: CekuraEmulator, fault: DropAfterCreate | ServerErrorAfterCreate
) -> None:
    cekura_emulator.faults.queue(fault, on="post")

    result = invoke(
        ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--wait", "--json", *FAST_POLLS],
        emulator=cekura_emulator,
    )

    # Found and followed: the verdict is the batch's (its one run cannot connect), not exit 3.
    assert result.exit_code == 1, result.output
    rid = submitted_id(result)
    assert f"looked it up: it did land as result {rid}; following it" in result.stderr
    document = json.loads(result.stdout)
    assert (document["kind"], document["result_id"], document["exit_code"]) == ("result", rid, 1)
    assert posts(cekura_emulator) == 1  # never resent


def test_exit_3_with_advice_when_the_lookup_cannot_decide(cekura_emulator: CekuraEmulator) -> None:
    cekura_emulator.faults.queue(ServerErrorAfterCreate(502), on="post")
    cekura_emulator.faults.queue(ServerErrorFault(500), on="get", times=10)  # the lookup fails too, each pass

    args = ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--lookup-window", "0.5"]
    result = invoke(
        [*args, "--json"],
        emulator=cekura_emulator,
    )

    assert result.exit_code == 3, result.output
    assert "may have reached Cekura" in result.stderr and "the lookup failed" in result.stderr
    assert "Check the results list" in result.stderr and "Do not rerun this job blindly" in result.stderr
    document = json.loads(result.stdout)
    assert (document["kind"], document["error"], document["exit_code"]) == (
        "error",
        "submission_uncertain",
        3,
    )
    assert posts(cekura_emulator) == 1  # never resent
    cekura_emulator.faults.clear()


def test_exit_4_when_the_wait_times_out_with_a_junit_of_the_unfinished_runs(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path
) -> None:
    slow = cekura_agent("slow", reply_delay=1.0).url
    report = tmp_path / "cekura.xml"
    args = ["run", "--scenario", f"101={slow}", "--frequency", "2", "--wait", "--timeout", "0.1"]

    result = invoke(
        [*args, "--keep-running", "--junit", str(report), "--json", *FAST_POLLS], emulator=cekura_emulator
    )

    assert result.exit_code == 4, result.output
    rid = submitted_id(result)
    assert f"Resume with: cekura-ws watch {rid}" in result.stderr
    document = json.loads(result.stdout)
    assert (document["error"], document["result_id"], document["exit_code"]) == ("wait_timeout", rid, 4)
    assert document["last_result"]["terminal"] is False
    assert_valid_junit(report)
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("skipped"), suite.get("failures")) == ("2", "2", "0")
    assert posts(cekura_emulator) == 1


def test_an_unwritable_junit_path_is_an_input_error_before_anything_is_sent(
    cekura_emulator: CekuraEmulator, tmp_path: Path
) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the report folder should be")
    report = blocker / "nested" / "cekura.xml"
    args = ["--junit", str(report), "--wait", "--json", *FAST_POLLS]

    run = invoke(
        ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", *args], emulator=cekura_emulator
    )
    both = invoke(["run", "--scenario", "101=http://a/", "--frequency", "1", *args], emulator=cekura_emulator)
    watch = invoke(["watch", "1", "--junit", str(report)], emulator=cekura_emulator)
    directory = invoke(["watch", "1", "--junit", str(tmp_path)], emulator=cekura_emulator)

    assert (run.exit_code, both.exit_code, watch.exit_code, directory.exit_code) == (2, 2, 2, 2), run.output
    problem = {"where": "--junit", "message": f"cannot create {report}: {blocker} is not a directory"}
    assert json.loads(run.stdout)["problems"] == [problem]
    assert [item["where"] for item in json.loads(both.stdout)["problems"]] == ["--scenario #1", "--junit"]
    assert f"--junit: cannot create {report}: {blocker} is not a directory" in watch.stderr
    assert "is a directory" in directory.stderr
    assert cekura_emulator.requests == []


def test_a_junit_report_that_fails_to_write_after_the_run_is_loud_but_keeps_the_verdict(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cekura_wrapper.cli.commands import loading

    # The folder is fine when checked, and gone by the time the batch ends (a disk can fill up too).
    monkeypatch.setattr(loading, "junit_path_problem", lambda path: None)
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    report = blocker / "cekura.xml"
    helpful = cekura_agent("helpful").url
    args = ["run", "--scenario", f"101={helpful}", "--frequency", "1", "--wait", "--junit", str(report)]

    text = invoke([*args, *FAST_POLLS], emulator=cekura_emulator)
    document = invoke([*args, "--json", *FAST_POLLS], emulator=cekura_emulator)

    assert (text.exit_code, document.exit_code) == (0, 0), text.output
    assert f"Error: could not write the JUnit report {report}" in text.stderr
    assert "PASSED: result" in text.stderr and "Result " in text.stdout
    result = json.loads(document.stdout)
    assert (result["kind"], result["exit_code"], result["passed"]) == ("result", 0, True)
    assert result["junit_error"].startswith(f"could not write the JUnit report {report}")
    assert not report.exists()


def test_ctrl_c_while_waiting_prints_how_to_resume_and_resubmits_nothing(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = cekura_agent("slow", reply_delay=1.0).url

    def interrupt(self: progress.PlainProgress, result: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(progress.PlainProgress, "update", interrupt)

    result = invoke(
        ["run", "--scenario", f"101={slow}", "--frequency", "1", "--wait", "--keep-running", *FAST_POLLS],
        emulator=cekura_emulator,
    )

    assert result.exit_code == 130, result.output
    rid = submitted_id(result)
    assert f"stopped waiting for result {rid}" in result.stderr
    assert "Nothing was cancelled or resubmitted" in result.stderr
    assert f"Resume with: cekura-ws watch {rid}" in result.stderr
    assert (posts(cekura_emulator), gets(cekura_emulator)) == (1, 1)


def test_json_output_is_one_document_on_stdout_with_logs_on_stderr(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    helpful = cekura_agent("helpful").url

    waited = invoke(
        ["run", "--scenario", f"101={helpful}", "--frequency", "2", "--wait", "--json", *FAST_POLLS],
        emulator=cekura_emulator,
    )
    submitted = invoke(
        ["run", "--scenario", f"102={helpful}", "--frequency", "1", "--json"], emulator=cekura_emulator
    )
    second = submitted_id(submitted)
    looked = invoke(["status", str(second), "--json"], emulator=cekura_emulator)

    assert (waited.exit_code, submitted.exit_code, looked.exit_code) == (0, 0, 0), waited.output
    result = json.loads(waited.stdout)
    assert (result["kind"], result["status"], result["passed"], result["pass_rate"]) == (
        "result",
        "completed",
        True,
        1.0,
    )
    assert [run["success"] for run in result["runs"]] == [True, True]
    assert {run["websocket_url"] for run in result["runs"]} == {helpful}
    assert f"Submitted result {result['result_id']}" in waited.stderr and "Submitted" not in waited.stdout
    submission = json.loads(submitted.stdout)
    assert (submission["kind"], submission["result_id"], submission["run_count"]) == ("submission", second, 1)
    assert submission["watch"] == f"cekura-ws watch {second}"
    assert json.loads(looked.stdout)["result_id"] == second


def test_run_preflight_submits_nothing_when_an_agent_url_fails(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    helpful, dead = cekura_agent("helpful").url, closed_loopback_url()
    args = ["run", "--scenario", f"101={helpful}", "--scenario", f"102={dead}", "--frequency", "1"]

    result = invoke([*args, "--preflight", "--wait", "--json"], emulator=cekura_emulator)

    assert result.exit_code == 1, result.output
    assert "1 of 2 agent URLs failed the pre-flight check; nothing was submitted" in result.stderr
    document = json.loads(result.stdout)
    outcomes = {url["url"]: url["failure"] for url in document["preflight"]["urls"]}
    assert outcomes == {helpful: None, dead: "refused"}
    assert cekura_emulator.requests == []


def test_run_preflight_then_submits_when_every_url_passes(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    secret_agent = cekura_agent("helpful", secret="s3cret").url
    args = ["run", "--scenario", f"101={secret_agent}", "--frequency", "1", "--preflight"]

    refused = invoke(args, emulator=cekura_emulator)
    accepted = invoke(args, emulator=cekura_emulator, env={"CEKURA_WEBSOCKET_SECRET": "s3cret"})

    assert refused.exit_code == 1 and "1008" in refused.stdout
    assert accepted.exit_code == 0, accepted.output
    assert "s3cret" not in accepted.output
    assert posts(cekura_emulator) == 1


def test_preflight_command_reports_each_url(cekura_agent: StartAgent, tmp_path: Path) -> None:
    helpful = cekura_agent("helpful").url
    secret_agent = cekura_agent("helpful", secret="s3cret").url
    batch = tmp_path / "batch.yaml"
    batch.write_text(f"scenarios:\n  - {{scenario: 101, websocket_url: '{secret_agent}'}}\n")

    failing = invoke(["preflight", helpful, "--batch", str(batch), "--json", "--timeout", "5"])
    passing = invoke(["preflight", helpful, helpful])

    assert failing.exit_code == 1, failing.output
    urls = {url["url"]: url for url in json.loads(failing.stdout)["urls"]}
    assert urls[helpful]["ok"] and urls[helpful]["greeted"] and urls[helpful]["round_trip"] > 0
    assert (urls[secret_agent]["close_code"], urls[secret_agent]["failure"]) == (1008, "closed")
    assert passing.exit_code == 0, passing.output
    assert "The agent URL passed the pre-flight check." in passing.stderr


def test_help_documents_the_exit_codes_once_and_each_command_its_own() -> None:
    top = invoke(["--help"])
    assert top.exit_code == 0
    for line in ("0    success", "2    invalid input", "3    API, auth", "4    --wait/watch timed out"):
        assert line in top.stdout
    assert "rejected the\n         request with 400" in top.stdout
    run, plan = invoke(["run", "--help"]), invoke(["plan", "--help"])
    assert "Examples:\n    cekura-ws run --batch" in run.stdout
    assert "143  terminated (SIGTERM)" in run.stdout and "rejected the" not in run.stdout
    assert "Exit codes:\n    0    success\n    2    invalid input" in plan.stdout
    assert "130" not in plan.stdout and "timed out" not in plan.stdout


def test_the_console_script_runs_a_batch_end_to_end(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    script = Path(sys.executable).parent / "cekura-ws"
    if not script.exists():
        pytest.skip("the cekura-ws console script is not installed in this environment")
    helpful = cekura_agent("helpful").url
    env = {key: value for key, value in os.environ.items() if not key.startswith("CEKURA_")}
    env |= {"CEKURA_API_KEY": cekura_emulator.api_key, "CEKURA_BASE_URL": cekura_emulator.base_url}

    completed = subprocess.run(
        [
            str(script),
            "run",
            "--scenario",
            f"101={helpful}",
            "--frequency",
            "1",
            "--wait",
            "--json",
            *FAST_POLLS,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    module = subprocess.run(
        [sys.executable, "-m", "cekura_wrapper", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert document["status"] == "completed"
    assert (
        f"result {document['result_id']}: completed, 1/1 runs done" in completed.stderr
    )  # plain progress lines off a terminal
    assert cekura_emulator.api_key not in completed.stdout + completed.stderr
    assert module.stdout.strip() == "cekura-ws 0.1.0"


def test_ctrl_c_while_submitting_warns_the_run_may_have_landed(
    cekura_emulator: CekuraEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cekura_wrapper.client import CekuraClient

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(CekuraClient, "run_scenarios", interrupted)

    result = invoke(
        ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--wait"], emulator=cekura_emulator
    )

    assert result.exit_code == 130, result.output
    assert "may have reached Cekura" in result.stderr and "before submitting again" in result.stderr


def test_ctrl_c_during_the_preflight_exits_130_and_submits_nothing(
    cekura_emulator: CekuraEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cekura_wrapper._preflight

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cekura_wrapper._preflight, "preflight", interrupted)

    result = invoke(
        ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--preflight"],
        emulator=cekura_emulator,
    )

    assert result.exit_code == 130, result.output
    assert "Interrupted." in result.stderr
    assert cekura_emulator.requests == []


def test_an_interactive_terminal_gets_a_live_bar_and_ci_gets_plain_lines(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    helpful = cekura_agent("helpful").url
    args = ["run", "--scenario", f"101={helpful}", "--frequency", "1", "--wait", *FAST_POLLS]
    terminal = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1"}

    live = invoke(args, emulator=cekura_emulator, env={**terminal, "CI": None})
    ci = invoke(args, emulator=cekura_emulator, env={**terminal, "CI": "true"})

    assert (live.exit_code, ci.exit_code) == (0, 0), live.output
    assert "\x1b[" in live.stderr and "1/1" in live.stderr and "runs done" not in live.stderr
    assert "completed, 1/1 runs done, 1 passed, 0 failed" in ci.stderr


def test_status_of_an_unknown_result_is_an_api_error(cekura_emulator: CekuraEmulator) -> None:
    result = invoke(["status", "999", "--json"], emulator=cekura_emulator)

    assert result.exit_code == 3, result.output
    assert "404" in result.stderr and "check the id" in result.stderr
    assert json.loads(result.stdout) | {"message": ""} == {
        "kind": "error",
        "exit_code": 3,
        "error": "NotFoundError",
        "message": "",
        "result_id": 999,
    }
