"""Suite files from the CLI: plan's schedule, run --wait over every group, stops and input errors."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from cli_helpers import FAST_POLLS, invoke
from junit_schema import assert_valid_junit

from cekura_wrapper.testing import AgentThread, CekuraEmulator, EmulatorSettings


def suite_file(tmp_path: Path, url: str, *, concurrency: int = 4, soak_frequency: int = 4) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(
        f"""concurrency: {concurrency}
groups:
  - name: smoke
    frequency: 1
    scenarios:
      - {{scenario: 101, websocket_url: "{url}"}}
      - {{scenario: 102, websocket_url: "{url}"}}
  - name: regression
    frequency: 1
    scenarios:
      - {{scenario: 101, websocket_url: "{url}"}}
      - {{scenario: 103, websocket_url: "{url}"}}
      - {{scenario: 104, websocket_url: "{url}"}}
  - name: soak
    frequency: {soak_frequency}
    scenarios:
      - {{scenario: 102, websocket_url: "{url}"}}
""",
        encoding="utf-8",
    )
    return path


def test_plan_shows_the_schedule(tmp_path: Path) -> None:
    path = suite_file(tmp_path, "wss://agent.example.com/chat")
    result = invoke(["plan", "--batch", str(path), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["waves"] == [["smoke"], ["regression"], ["soak"]]
    assert document["peak_calls"] == 4
    wider = json.loads(invoke(["plan", "--batch", str(path), "--concurrency", "5", "--json"]).stdout)
    assert wider["waves"] == [["smoke", "regression"], ["soak"]]


def test_run_wait_runs_every_group_under_the_budget_and_reports_them_all(tmp_path: Path) -> None:
    settings = EmulatorSettings(max_concurrent_runs=50)
    with CekuraEmulator(settings=settings) as emulator, AgentThread("slow", reply_delay=0.1) as agent:
        path = suite_file(tmp_path, agent.url)
        junit, summary = tmp_path / "junit.xml", tmp_path / "summary.md"
        args = [
            "run",
            "--batch",
            str(path),
            "--wait",
            "--json",
            "--junit",
            str(junit),
            "--summary",
            str(summary),
        ]
        result = invoke([*args, *FAST_POLLS], emulator=emulator)
        assert result.exit_code == 0, result.output
        assert agent.peak_open_connections <= 4
        assert emulator.peak_concurrent_calls <= 4
    document = json.loads(result.stdout)
    assert document["kind"] == "suite" and document["passed"] is True
    assert [(g["name"], g["state"]) for g in document["groups"]] == [
        ("smoke", "passed"),
        ("regression", "passed"),
        ("soak", "passed"),
    ]
    assert "group soak: running" in result.stderr
    assert_valid_junit(junit)
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name", "").split(" ")[0] for s in suites] == ["smoke", "regression", "soak"]
    assert [s.get("tests") for s in suites] == ["2", "3", "4"]
    assert "PASSED" in summary.read_text(encoding="utf-8")


def test_a_timeout_ends_active_calls_skips_the_rest_and_exits_4(
    emulator: CekuraEmulator, tmp_path: Path
) -> None:
    with AgentThread("slow", reply_delay=4.0) as agent:
        path = suite_file(tmp_path, agent.url, concurrency=5)
        junit = tmp_path / "junit.xml"
        result = invoke(
            [
                "run",
                "--batch",
                str(path),
                "--wait",
                "--timeout",
                "1",
                "--json",
                "--junit",
                str(junit),
                *FAST_POLLS,
            ],
            emulator=emulator,
        )
        assert result.exit_code == 4, result.output
        document = json.loads(result.stdout)
        assert [(g["state"], g["calls_ended"]) for g in document["groups"]] == [
            ("timeout", True),
            ("timeout", True),
            ("skipped", False),
        ]
        ended = sorted(r.path for r in emulator.requests if r.path.endswith("/end_calls/"))
        ids = [g["result_id"] for g in document["groups"][:2]]
        assert ended == sorted(f"/test_framework/v1/results/{i}/end_calls/" for i in ids)
        assert_valid_junit(junit)
        assert len(ET.parse(junit).getroot().findall("testsuite")) == 3


def test_every_problem_in_every_group_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(
        """groups:
  - name: a
    frequency: 1
    scenarios:
      - {scenario: 101, websocket_url: "http://nope"}
  - name: a
    frequency: 1
    colour: red
    scenarios:
      - {scenario: 102, websocket_url: "wss://agent.example.com/"}
  - name: c
    scenarios:
      - {scenario: 103, websocket_url: "wss://agent.example.com/"}
""",
        encoding="utf-8",
    )
    result = invoke(["run", "--batch", str(path), "--wait", "--json"], env={"CEKURA_API_KEY": "k"})
    assert result.exit_code == 2, result.output
    where = {p["where"] for p in json.loads(result.stdout)["problems"]}
    assert {f"{path}:5", f"{path}:6", f"{path}:8", f"{path}:11"} <= where


def test_a_real_sigterm_ends_every_started_group_and_exits_143(
    emulator: CekuraEmulator, tmp_path: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys

    with AgentThread("slow", reply_delay=4.0) as agent:
        path = suite_file(tmp_path, agent.url, concurrency=5)
        env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
        env |= {"CEKURA_API_KEY": emulator.api_key, "CEKURA_BASE_URL": emulator.base_url}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cekura_wrapper",
                "run",
                "--batch",
                str(path),
                "--wait",
                "--json",
                *FAST_POLLS,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert process.stderr is not None
            for line in iter(process.stderr.readline, ""):
                if re.match(r"group regression: running, result \d+ running", line):
                    break
            process.send_signal(signal.SIGTERM)
            stdout, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 143
        document = json.loads(stdout)
        assert [(g["state"], g["calls_ended"]) for g in document["groups"]] == [
            ("timeout", True),
            ("timeout", True),
            ("skipped", False),
        ]
        started = [g["result_id"] for g in document["groups"][:2]]
        ended = sorted(r.path for r in emulator.requests if r.path.endswith("/end_calls/"))
        assert ended == sorted(f"/test_framework/v1/results/{rid}/end_calls/" for rid in started)


def test_the_terminal_view_draws_a_bar_per_group() -> None:
    import io

    from rich.console import Console

    from cekura_wrapper import GroupOutcome, Result
    from cekura_wrapper.cli.suite import _LiveProgress

    sink = io.StringIO()
    view = _LiveProgress(Console(file=sink, force_terminal=True, width=120), ["smoke", "[red]soak"])
    running = Result.from_payload(
        {"id": 1, "status": "running", "total_runs_count": "4", "completed_runs_count": "1"}
    )
    view(GroupOutcome("smoke", "running", result=running, runs=4, slots=4))
    view(GroupOutcome("[red]soak", "skipped", runs=2, slots=2))
    view.close()
    view.close()
    text = sink.getvalue()
    assert "smoke" in text and "1/4" in text and "[red]soak" in text and "skipped" in text


def test_preflight_covers_every_group_and_run_preflight_submits_nothing_when_one_fails(
    emulator: CekuraEmulator,
    tmp_path: Path,
) -> None:
    with AgentThread("helpful") as agent:
        path = tmp_path / "suite.yaml"
        path.write_text(
            f"""groups:
  - name: up
    frequency: 1
    scenarios: [{{scenario: 101, websocket_url: "{agent.url}"}}]
  - name: down
    frequency: 1
    scenarios: [{{scenario: 101, websocket_url: "ws://127.0.0.1:9/"}}]
""",
            encoding="utf-8",
        )
        checked = invoke(["preflight", "--batch", str(path), "--json", "--timeout", "2"])
        assert checked.exit_code == 1, checked.output
        assert len(json.loads(checked.stdout)["urls"]) == 2
        result = invoke(
            ["run", "--batch", str(path), "--wait", "--preflight", *FAST_POLLS], emulator=emulator
        )
        assert result.exit_code == 1, result.output
        assert not [r for r in emulator.requests if r.method == "POST"]
