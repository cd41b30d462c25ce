"""``--baseline`` and ``--fail-on regression`` on status, watch and run --wait: scripted results on
a stand-in server, and a real regression on the emulator through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import FAST_POLLS, invoke
from fault_server import FaultServer, Reply, result_path, scripted

from cekura_wrapper import CekuraClient
from cekura_wrapper.testing import AgentThread, CekuraEmulator

LIST = "/test_framework/v1/results/?page_size=50&agent_id=7"


def judged(
    server: FaultServer, new: dict[str, Any], baseline: dict[str, Any], *args: str, command: str = "status"
) -> Any:
    server.default("GET", result_path(new["id"]), Reply(json=new))
    server.default("GET", result_path(baseline["id"]), Reply(json=baseline))
    return invoke(
        [command, str(new["id"]), "--baseline", str(baseline["id"]), "--json", *args],
        api_key="test-key",
        base_url=server.url,
    )


def test_a_clear_regression_is_flagged_and_fails_the_regression_gate() -> None:
    with FaultServer() as server:
        result = judged(
            server, scripted(2, (101, 2, 10)), scripted(1, (101, 10, 10)), "--fail-on", "regression"
        )
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["baseline"] == {"result_id": 1, "why": "baseline 1: given with --baseline"}
    [row] = document["comparison"]["rows"]
    assert (row["baseline_passed"], row["passed"], row["verdict"]) == (10, 2, "regressed")
    assert "1 target regressed: scenario 101" in document["verdict"]


def test_noise_is_unchanged_and_passes_the_regression_gate_but_not_the_default_one() -> None:
    with FaultServer() as server:
        gated = judged(
            server, scripted(2, (101, 9, 10)), scripted(1, (101, 10, 10)), "--fail-on", "regression"
        )
        default = judged(server, scripted(2, (101, 9, 10)), scripted(1, (101, 10, 10)))
    assert gated.exit_code == 0, gated.output
    assert (
        json.loads(gated.stdout)["passed"] is True
    )  # the rule applied, not "every run passed"    assert [row["verdict"] for row in json.loads(gated.stdout)["comparison"]["rows"]] == ["unchanged"]
    assert "no target regressed significantly" in json.loads(gated.stdout)["verdict"]
    # Without --fail-on the comparison is shown, and the default gate (every run passed) decides.
    assert default.exit_code == 1, default.output
    assert json.loads(default.stdout)["comparison"]["counts"]["unchanged"] == 1


def test_fail_under_must_hold_as_well() -> None:
    with FaultServer() as server:
        result = judged(
            server,
            scripted(2, (101, 9, 10)),
            scripted(1, (101, 10, 10)),
            "--fail-on",
            "regression",
            "--fail-under",
            "0.95",
            *FAST_POLLS,
            command="watch",
        )
    assert result.exit_code == 1, result.output
    verdict = json.loads(result.stdout)["verdict"]
    assert "no target regressed significantly; but" in verdict and "below --fail-under 95 %" in verdict


def test_a_new_scenario_is_listed_as_new_and_does_not_fail_the_gate(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    with FaultServer() as server:
        new, old = scripted(2, (101, 10, 10), (102, 1, 3)), scripted(1, (101, 10, 10))
        server.default("GET", result_path(2), Reply(json=new))
        server.default("GET", result_path(1), Reply(json=old))
        result = invoke(
            [
                "watch",
                "2",
                "--baseline",
                "1",
                "--fail-on",
                "regression",
                "--summary",
                str(summary),
                *FAST_POLLS,
            ],
            api_key="test-key",
            base_url=server.url,
        )
    assert result.exit_code == 0, result.output
    assert "Result 2 against baseline 1" in result.stdout
    assert "new" in result.stdout
    markdown = summary.read_text()
    assert "## Cekura comparison: ✅ PASSED" in markdown and "| new |" in markdown


def test_latest_picks_the_newest_completed_result_that_covers_ours_and_says_why() -> None:
    ours = scripted(10, (101, 10, 10), (102, 10, 10)) | {"agent": 7}
    listed = [
        {"id": 11, "status": "completed", "agent": 7},  # newer than ours: not a baseline
        {"id": 10, "status": "completed", "agent": 7},  # ours
        {"id": 9, "status": "in_progress", "agent": 7},
        {"id": 8, "status": "completed", "agent": 7},  # lacks scenario 102
        {"id": 7, "status": "completed", "agent": 7},  # its detail says otherwise
        {"id": 6, "status": "completed", "agent": 7},  # the one
        {"id": 5, "status": "completed", "agent": 7},  # never read
    ]
    both = scripted(6, (101, 10, 10), (102, 10, 10))
    with FaultServer() as server:
        server.default("GET", LIST, Reply(json={"count": 7, "next": None, "results": listed}))
        server.default("GET", result_path(10), Reply(json=ours))
        server.default("GET", result_path(8), Reply(json=scripted(8, (101, 10, 10))))
        server.default("GET", result_path(7), Reply(json=both | {"id": 7, "status": "failed"}))
        server.default("GET", result_path(6), Reply(json=both))
        result = invoke(
            ["status", "10", "--baseline", "latest", "--fail-on", "regression", "--json"],
            api_key="test-key",
            base_url=server.url,
        )
        read = [request.path for request in server.requests]
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["baseline"]["result_id"] == 6
    why = document["baseline"]["why"]
    assert "newest completed result of agent 7 before 10" in why
    assert "passed over 8 lacks scenario 102" in why and "7 is failed on its detail" in why
    assert not {result_path(5), result_path(9), result_path(11)} & set(read)


def test_latest_without_a_covering_result_falls_back_to_the_default_rule() -> None:
    ours = scripted(10, (101, 9, 10)) | {"agent": 7}
    with FaultServer() as server:
        server.default("GET", LIST, Reply(json={"count": 0, "next": None, "results": []}))
        server.default("GET", result_path(10), Reply(json=ours))
        result = invoke(
            ["status", "10", "--baseline", "latest", "--fail-on", "regression", "--json"],
            api_key="test-key",
            base_url=server.url,
        )
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["baseline"]["result_id"] is None
    assert document["baseline"]["why"].startswith("no baseline")
    assert "comparison" not in document


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "3", "--fail-on", "regression"], "--fail-on regression needs --baseline"),
        (["watch", "3", "--fail-on", "regression"], "--fail-on regression needs --baseline"),
        (["status", "3", "--baseline", "newest"], "neither a result id"),
        (["status", "3", "--baseline", "0"], "neither a result id"),
        (["run", "--scenario", "1=wss://a.example/x", "--frequency", "1", "--baseline", "2"], "needs --wait"),
        (
            [
                "run",
                "--scenario",
                "1=wss://a.example/x",
                "--frequency",
                "1",
                "--wait",
                "--fail-on",
                "regression",
            ],
            "--fail-on regression needs --baseline",
        ),
    ],
)
def test_bad_gate_flags_exit_2_before_any_request(args: list[str], message: str) -> None:
    with FaultServer() as server:
        result = invoke(args, api_key="test-key", base_url=server.url)
        assert server.requests == []
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_the_console_script_fails_run_wait_on_a_real_regression_against_the_latest_baseline(
    emulator: CekuraEmulator,
) -> None:
    script = Path(sys.executable).parent / "cekura-ws"
    if not script.exists():
        pytest.skip("the cekura-ws console script is not installed in this environment")
    polls: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}
    with (
        CekuraClient(emulator.api_key, base_url=emulator.base_url, **polls) as client,
        AgentThread("helpful") as good,
    ):
        port, url = good.agent.port, good.url
        baseline = client.run_and_wait([{"scenario": 101, "websocket_url": url}], frequency=10, agent=7)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
    env |= {"CEKURA_API_KEY": emulator.api_key, "CEKURA_BASE_URL": emulator.base_url}
    command = [str(script), "run", "--scenario", f"101={url}", "--frequency", "10", "--agent", "7"]
    command += ["--wait", "--baseline", "latest", "--fail-on", "regression", "--json", *FAST_POLLS]
    with AgentThread("closes-mid-conversation", port=port):
        completed = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert completed.returncode == 1, completed.stderr
    document = json.loads(completed.stdout)
    assert document["baseline"]["result_id"] == baseline.id
    assert f"baseline {baseline.id}: the newest completed result of agent 7" in completed.stderr
    [row] = document["comparison"]["rows"]
    assert (row["baseline_passed"], row["passed"], row["total"], row["verdict"]) == (10, 0, 10, "regressed")
