"""Stopping early from the CLI: run --wait ends the calls it started (timeout, Ctrl-C, SIGTERM),
--keep-running and watch leave them alone, and ``cekura-ws stop`` ends a result's calls."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest
from cli_helpers import FAST_POLLS, invoke, submitted_id

from cekura_wrapper import CekuraClient
from cekura_wrapper.testing import AgentThread, CekuraEmulator


def ended(emulator: CekuraEmulator) -> list[str]:
    return [r.path for r in emulator.requests if r.path.endswith("/end_calls/") and r.status == 200]


@pytest.fixture
def slow_agent() -> object:
    with AgentThread("slow", reply_delay=4.0) as agent:
        yield agent


def test_a_timeout_ends_the_calls_run_started_and_exits_4(
    emulator: CekuraEmulator, slow_agent: AgentThread
) -> None:
    args = [
        "run",
        "--scenario",
        f"101={slow_agent.url}",
        "--frequency",
        "2",
        "--wait",
        "--timeout",
        "0.5",
    ]
    result = invoke([*args, "--json", *FAST_POLLS], emulator=emulator)
    assert result.exit_code == 4, result.output
    rid = submitted_id(result)
    assert f"Ended the calls of result {rid}." in result.stderr
    assert json.loads(result.stdout)["calls_ended"] is True
    assert ended(emulator) == [f"/test_framework/v1/results/{rid}/end_calls/"]
    with CekuraClient(emulator.api_key, base_url=emulator.base_url) as client:
        assert (
            client.wait_for_result(rid, timeout=10, poll_interval=0.02, max_poll_interval=0.05).status
            == "cancelled"
        )


def test_watch_ends_calls_only_when_told(emulator: CekuraEmulator, slow_agent: AgentThread) -> None:
    with CekuraClient(emulator.api_key, base_url=emulator.base_url) as client:
        rid = client.run_scenarios([(101, slow_agent.url)], frequency=1).result_id
        plain = invoke(["watch", str(rid), "--timeout", "0.3", *FAST_POLLS], emulator=emulator)
        assert plain.exit_code == 4 and ended(emulator) == []
        told = invoke(
            ["watch", str(rid), "--timeout", "0.3", "--end-calls-on-stop", *FAST_POLLS], emulator=emulator
        )
        assert told.exit_code == 4, told.output
        assert ended(emulator) == [f"/test_framework/v1/results/{rid}/end_calls/"]


def test_stop_ends_each_result_and_exits_3_for_an_unknown_one(
    emulator: CekuraEmulator, slow_agent: AgentThread
) -> None:
    with CekuraClient(emulator.api_key, base_url=emulator.base_url) as client:
        rid = client.run_scenarios([(101, slow_agent.url)], frequency=1).result_id
        result = invoke(["stop", str(rid), "424242", "--json"], emulator=emulator)
        assert result.exit_code == 3, result.output
        document = json.loads(result.stdout)
        assert document["ended"] == [rid] and list(document["failed"]) == ["424242"]
        assert (
            client.wait_for_result(rid, timeout=10, poll_interval=0.02, max_poll_interval=0.05).status
            == "cancelled"
        )
        again = invoke(["stop", str(rid)], emulator=emulator)
        assert again.exit_code == 0 and f"Ended the calls of result {rid}." in again.stdout


def test_a_real_sigterm_to_run_wait_ends_the_calls_and_exits_143(
    emulator: CekuraEmulator, slow_agent: AgentThread
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
    env |= {"CEKURA_API_KEY": emulator.api_key, "CEKURA_BASE_URL": emulator.base_url}
    args = ["run", "--scenario", f"101={slow_agent.url}", "--frequency", "2", "--wait", *FAST_POLLS]
    process = subprocess.Popen(
        [sys.executable, "-m", "cekura_wrapper", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        lines = iter(process.stderr.readline, "")
        running = None
        for line in lines:  # each progress line is printed as the result changes
            if running := re.match(r"result (\d+): running", line):
                break
        assert running, "run --wait ended before its result was running"
        rid = running.group(1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 143
        rest = "".join(lines)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert f"Ended the calls of result {rid}." in rest
    assert "(SIGTERM)" in rest
    assert ended(emulator) == [f"/test_framework/v1/results/{rid}/end_calls/"]
