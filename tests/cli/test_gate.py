"""The CI gate: the verdict, --fail-under, the Markdown summary, GitHub outputs and annotations,
and agent URLs Cekura's cloud cannot reach, through the real entry point against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest
from cli_helpers import FAST_POLLS, invoke, posts, submitted_id

from cekura_wrapper import CekuraClient, Result, ValidationError
from cekura_wrapper._reach import private_host_reason
from cekura_wrapper.cli.github import annotation, run_annotations, step_outputs
from cekura_wrapper.cli.summary import MAX_RUN_ROWS, markdown_summary
from cekura_wrapper.cli.verdict import judge, parse_rate, pass_rate
from cekura_wrapper.testing import AgentThread, CekuraEmulator
from cekura_wrapper.testing.demo import closed_loopback_url

StartAgent = Callable[..., AgentThread]
TOKEN = "?token=s3cr3t-agent-token"


def one_failed_run(cekura_agent: StartAgent) -> list[str]:
    """A batch of three runs, one of which cannot connect (the error message quotes its URL)."""
    helpful = cekura_agent("helpful").url
    dead = closed_loopback_url() + TOKEN
    return [
        "run",
        "--scenario",
        f"101={helpful}",
        "--scenario",
        f"102={helpful}",
        "--scenario",
        f"103={dead}",
    ]


@pytest.mark.parametrize(
    ("extra", "code"), [([], 1), (["--fail-under", "0.5"], 0), (["--fail-under", "50%"], 0)]
)
def test_a_completed_batch_with_one_failed_run_fails_unless_relaxed(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, extra: list[str], code: int
) -> None:
    args = [*one_failed_run(cekura_agent), "--frequency", "1", "--wait", *extra, *FAST_POLLS]

    text = invoke(args, emulator=cekura_emulator)
    document = json.loads(invoke([*args, "--json"], emulator=cekura_emulator).stdout)

    assert text.exit_code == code, text.output
    assert f"Result {submitted_id(text)}: completed" in text.stdout
    assert "pass rate 66.7 %" in text.stdout
    assert ("PASSED: " if code == 0 else "FAILED: ") in text.stderr
    assert (document["status"], document["exit_code"], document["passed"]) == ("completed", code, code == 0)
    assert document["pass_rate"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(("value", "hint"), [("90", "did you mean the fraction 0.9"), ("150%", "0% to 100%")])
def test_fail_under_above_one_is_an_input_error_with_a_hint(
    cekura_emulator: CekuraEmulator, value: str, hint: str
) -> None:
    args = ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--wait", "--fail-under", value]

    result = invoke(args, emulator=cekura_emulator)

    assert result.exit_code == 2, result.output
    assert "--fail-under" in result.stderr and hint in result.stderr
    assert cekura_emulator.requests == []


def test_rates_are_fractions_or_percentages() -> None:
    assert [parse_rate(text) for text in ("0.9", "90%", " 90 % ", "1", "0", "100%", "0%")] == [
        0.9,
        0.9,
        0.9,
        1.0,
        0.0,
        1.0,
        0.0,
    ]
    for bad in ("90", "1.5", "-0.1", "abc", "nan", "inf", "101%", "", "x" * 10_000):
        with pytest.raises(ValueError) as caught:
            parse_rate(bad)
        assert len(str(caught.value)) < 200  # a huge value is not echoed back whole


def result(status: str, outcomes: Sequence[bool | None], *, error: str = "agent hung up") -> Result:
    runs = {
        str(1000 + number): {
            "id": 1000 + number,
            "scenario": 100 + number,
            "scenario_name": f"Scenario {number}",
            "status": "completed" if outcome is not None else "running",
            "success": outcome,
            "error_message": None if outcome else f"{error} at wss://agent.example/chat{TOKEN}",
        }
        for number, outcome in enumerate(outcomes)
    }
    done = [outcome for outcome in outcomes if outcome is not None]
    return Result.from_payload(
        {
            "id": 7,
            "status": status,
            "total_runs_count": str(len(outcomes)),
            "completed_runs_count": str(len(done)),
            "success_runs_count": str(sum(done)),
            "runs": runs,
        }
    )


def test_the_verdict_needs_completed_and_every_run_passed() -> None:
    assert judge([result("completed", [True, True])], None).passed
    assert not judge([result("completed", [True, False])], None).passed
    assert not judge([result("failed", [True, True])], 0.0).passed  # not completed: never passes
    assert not judge([result("completed", [])], 0.0).passed  # nothing ran
    assert judge([result("completed", [True, False])], 0.5).passed
    assert not judge([result("completed", [True, True]), result("cancelled", [True])], None).passed
    running = result("running", [True, None])
    assert pass_rate(running) is None and judge([running], None).pass_rate is None


def test_outputs_summary_and_annotations_are_bounded_escaped_and_masked() -> None:
    many = result("completed", [False] * (MAX_RUN_ROWS + 30) + [True])
    verdict = judge([many], None)

    outputs = step_outputs(verdict)
    markdown = markdown_summary(verdict, [many])
    lines = run_annotations([many])

    assert outputs == {
        "passed": "false",
        "result_ids": "[7]",
        "total_runs": str(MAX_RUN_ROWS + 31),
        "passed_runs": "1",
        "pass_rate": f"{1 / (MAX_RUN_ROWS + 31):.4f}",
    }
    assert markdown.startswith("## Cekura websocket runs: ❌ FAILED\n")
    assert (
        f"| agent hung up at wss\\://agent.example/chat?token=\\*\\*\\* | {MAX_RUN_ROWS + 30} |" in markdown
    )
    assert "*30 more runs that did not pass are left out.*" in markdown
    assert "s3cr3t" not in markdown and all("s3cr3t" not in line for line in lines)
    assert len(lines) == 21 and lines[-1].endswith("110 more runs did not pass; see the job summary")
    forged = annotation("a: title, with commas", "50% done\n::warning::forged")
    assert forged == "::error title=a%3A title%2C with commas::50%25 done\\n::warning::forged"


def test_summary_outputs_and_annotations_are_written_after_the_verdict(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path
) -> None:
    summary, step_summary, outputs = tmp_path / "s" / "summary.md", tmp_path / "step.md", tmp_path / "out"
    step_summary.write_text("earlier step\n")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(step_summary), "GITHUB_OUTPUT": str(outputs)}
    args = [*one_failed_run(cekura_agent), "--frequency", "1", "--wait", "--summary", str(summary)]

    run = invoke([*args, *FAST_POLLS], emulator=cekura_emulator, env=env)

    assert run.exit_code == 1, run.output
    rid = submitted_id(run)
    report = summary.read_text()
    assert report.startswith("## Cekura websocket runs: ❌ FAILED\n")
    assert f"| {rid} | completed | 2 / 3 | 66.7 % |" in report
    assert "| 103 " in report and "?token=\\*\\*\\*" in report and "s3cr3t" not in report
    assert step_summary.read_text() == "earlier step\n" + report
    assert outputs.read_text().splitlines() == [
        "passed=false",
        f"result_ids=[{rid}]",
        "total_runs=3",
        "passed_runs=2",
        "pass_rate=0.6667",
    ]
    [error] = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert error.startswith("::error title=Cekura run ") and "scenario 103" in error
    assert "token=***" in error and "s3cr3t" not in run.output
    assert posts(cekura_emulator) == 1

    # --no-summary leaves the step summary alone; --json keeps stdout for the document alone.
    quiet = invoke([*args, "--no-summary", "--json", *FAST_POLLS], emulator=cekura_emulator, env=env)
    assert quiet.exit_code == 1
    assert step_summary.read_text() == "earlier step\n" + report
    assert json.loads(quiet.stdout)["passed"] is False
    assert "::error title=Cekura run" in quiet.stderr


def test_a_report_that_cannot_be_written_keeps_the_verdict(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path
) -> None:
    folder = tmp_path / "step-summary-is-a-folder"
    folder.mkdir()
    args = ["run", "--scenario", f"101={cekura_agent('helpful').url}", "--frequency", "1", "--wait", "--json"]

    run = invoke([*args, *FAST_POLLS], emulator=cekura_emulator, env={"GITHUB_STEP_SUMMARY": str(folder)})

    assert run.exit_code == 0, run.output
    assert "could not write the job summary" in run.stderr
    document = json.loads(run.stdout)
    assert document["passed"] is True and "step_summary" in document["report_errors"]


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("agent.localhost", True),
        ("printer.local", True),
        ("svc.internal", True),
        ("10.1.2.3", True),
        ("172.20.0.1", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),
        ("169.254.1.1", True),
        ("[::1]", True),
        ("[fd00::1]", True),
        ("[fe80::1]", True),
        ("[::ffff:10.0.0.1]", True),
        ("172.32.0.1", False),
        ("8.8.8.8", False),
        ("agent.example.com", False),
        ("[2001:db8::1]", True),  # documentation: not global
        ("local.example.com", False),
    ],
)
def test_which_hosts_cekura_cannot_reach(host: str, private: bool) -> None:
    assert (private_host_reason(host) is not None) is private


def test_private_agent_urls_are_refused_for_a_public_base_url_before_any_request() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(201, json={"id": 5, "status": "pending", "runs": []})

    scenarios = {101: "ws://127.0.0.1:8765/chat", 102: "wss://agent.example/chat", 103: "ws://10.0.0.7/"}
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        strict = CekuraClient("key", base_url="https://cekura.example", http_client=http)
        with pytest.raises(ValidationError) as caught:
            strict.run_scenarios(scenarios, frequency=1)
        assert sent == []
        assert [problem.loc for problem in caught.value.problems] == [
            ("scenarios", 0, "websocket_url"),
            ("scenarios", 2, "websocket_url"),
        ]
        assert "ws://127.0.0.1:8765/chat is a loopback address" in caught.value.errors[0]
        assert "allow_private_agent_urls=True" in str(caught.value)

        allowed = CekuraClient(
            "key", base_url="https://cekura.example", http_client=http, allow_private_agent_urls=True
        )
        assert allowed.run_scenarios(scenarios, frequency=1).result_id == 5
        assert len(sent) == 1


def test_the_cli_names_unreachable_urls_at_their_place_for_a_public_base_url(tmp_path: Path) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "frequency: 1\nscenarios:\n"
        "  - {scenario: 101, websocket_url: 'wss://agent.example/chat'}\n"
        f"  - {{scenario: 102, websocket_url: 'ws://192.168.1.20:8765/{TOKEN}'}}\n"
    )
    env = {"CEKURA_API_KEY": "k-123456", "CEKURA_BASE_URL": "https://cekura.invalid"}

    run = invoke(["run", "--batch", str(batch), "--preflight"], env=env)
    plan = invoke(["plan", "--batch", str(batch)], env=env)
    planned_anyway = invoke(["plan", "--batch", str(batch), "--allow-private-urls"], env=env)

    for refused in (run, plan):
        assert refused.exit_code == 2, refused.output
        assert (
            f"{batch}:4: websocket URL ws://192.168.1.20:8765/?token=*** is a private address"
            in refused.stderr
        )
        assert "--allow-private-urls" in refused.stderr and "s3cr3t" not in refused.output
    assert "Pre-flight" not in run.stderr  # refused before the local check, which would pass
    assert planned_anyway.exit_code == 0, planned_anyway.output


def test_private_agent_urls_stay_allowed_against_the_emulator(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    args = ["run", "--scenario", f"101={cekura_agent('helpful').url}", "--frequency", "1"]

    run = invoke(args, emulator=cekura_emulator)

    assert run.exit_code == 0, run.output
    assert posts(cekura_emulator) == 1


def test_long_reasons_are_masked_before_they_are_cut() -> None:
    from cekura_wrapper.cli.summary import MAX_CELL
    from cekura_wrapper.cli.summary import _cell as cell

    text = "x" * (MAX_CELL * 4 - 20) + " wss://user:hunter2hunter2@agent.example/chat"
    assert "hunter2" not in cell(text)
    assert "hunter2" not in annotation("t", "y" * 3990 + " wss://user:hunter2hunter2@agent.example/")
