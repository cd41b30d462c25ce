"""``cekura-ws emulator``, ``agent`` and ``demo``: the offline tools, run as a user would."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypedDict

import httpx
import pytest
from cli_helpers import FAST_POLLS, invoke

from cekura_wrapper import preflight
from cekura_wrapper.testing import AgentThread, CekuraEmulator, EmulatorSettings


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def cekura_ws(*args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """``python -m cekura_wrapper ARGS`` in the background; stopped with Ctrl-C (SIGINT) at the end."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CEKURA_")} | (env or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "cekura_wrapper", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # Ctrl-C as a terminal delivers it, even when the suite itself runs with SIGINT ignored
        # (a background job of a non-interactive shell): ignored signals are inherited.
        preexec_fn=_default_sigint,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def read_lines(process: subprocess.Popen[str], count: int, timeout: float = 60.0) -> list[str]:
    """The first ``count`` lines the process prints; fails instead of hanging."""
    stdout = process.stdout
    assert stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        with contextlib.suppress(ValueError):  # the pipe is closed when the process is stopped
            for line in stdout:
                lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    found: list[str] = []
    while len(found) < count:
        try:
            found.append(lines.get(timeout=timeout).rstrip("\n"))
        except queue.Empty:
            pytest.fail(f"no output within {timeout} s (exit code {process.poll()}); got {found}")
    return found


def test_agent_prints_its_url_for_port_0_and_stops_cleanly_on_ctrl_c() -> None:
    with cekura_ws("agent", "--kind", "helpful", "--port", "0") as process:
        [line] = read_lines(process, 1)
        url = line.split()[4]
        assert line.startswith("helpful agent listening on ws://127.0.0.1:")

        [result] = preflight([url], timeout=5)

        assert result.ok and result.greeted
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0


def test_emulator_prints_its_url_and_key_and_serves_a_run_through_the_cli() -> None:
    with cekura_ws("emulator", "--port", "0") as process, AgentThread("helpful") as agent:
        banner, base_line, key_line = read_lines(process, 3)
        base_url = base_line.removeprefix("export CEKURA_BASE_URL=")
        api_key = key_line.removeprefix("export CEKURA_API_KEY=")
        assert banner == f"Cekura emulator listening on {base_url} (Ctrl-C to stop)"
        assert base_url.startswith("http://127.0.0.1:") and api_key.startswith("emulator-")

        wrong = httpx.get(f"{base_url}/test_framework/v1/results/1/", headers={"X-CEKURA-API-KEY": "nope"})
        run = invoke(
            ["run", "--scenario", f"101={agent.url}", "--frequency", "1", "--wait", *FAST_POLLS],
            api_key=api_key,
            base_url=base_url,
        )

        assert wrong.status_code == 401
        assert run.exit_code == 0, run.output
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0


def test_emulator_with_a_given_key_does_not_print_it() -> None:
    with cekura_ws("emulator", "--port", "0", "--api-key", "my-local-key-123") as process:
        lines = read_lines(process, 3)

    assert lines[2] == "(it accepts the key given with --api-key)"
    assert not any("my-local-key-123" in line for line in lines)


class _Api(TypedDict):
    api_key: str
    base_url: str


def banner_settings(lines: list[str]) -> _Api:
    """``api_key`` and ``base_url`` from the emulator's ``export`` lines."""
    exports = dict(line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export "))
    return _Api(api_key=exports["CEKURA_API_KEY"], base_url=exports["CEKURA_BASE_URL"])


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_the_emulator_caller_sends_the_websocket_secret_an_agent_requires(how: str) -> None:
    secret = "agent-secret-0123456789"
    flag = ["--websocket-secret", secret] if how == "flag" else []
    env = {"CEKURA_WEBSOCKET_SECRET": secret} if how == "environment" else {}
    with (
        cekura_ws("emulator", "--port", "0", *flag, env=env) as with_secret,
        cekura_ws("emulator", "--port", "0") as without,
        AgentThread("helpful", secret=secret) as agent,
    ):
        lines = read_lines(with_secret, 4)
        args = ["run", "--scenario", f"101={agent.url}", "--frequency", "1", "--wait", "--fail-under", "1"]

        passed = invoke([*args, "--json", *FAST_POLLS], **banner_settings(lines))
        refused = invoke([*args, "--json", *FAST_POLLS], **banner_settings(read_lines(without, 3)))

    assert lines[3] == "(its simulated caller sends the websocket secret given, as X-VOCERA-SECRET)"
    assert not any(secret in line for line in lines)
    assert passed.exit_code == 0, passed.output
    assert json.loads(passed.stdout)["passed"] is True
    assert refused.exit_code == 1, refused.output  # the agent closed with 1008: the run failed
    assert json.loads(refused.stdout)["runs"][0]["success"] is False


def test_demo_runs_the_whole_job_offline() -> None:
    result = invoke(["demo"], env={"CEKURA_API_KEY": None, "CEKURA_BASE_URL": None})

    assert result.exit_code == 0, result.output
    assert "pass rate 66.7%" in " ".join(result.stdout.split())


def test_a_real_ctrl_c_while_waiting_exits_130_with_resume_advice_and_sends_nothing_more() -> None:
    with CekuraEmulator(settings=EmulatorSettings(pending_delay=600)) as emulator:
        env = {"CEKURA_API_KEY": emulator.api_key, "CEKURA_BASE_URL": emulator.base_url}
        args = ["run", "--scenario", "101=ws://127.0.0.1:9/", "--frequency", "1", "--wait", "--keep-running"]
        with cekura_ws(*args, *FAST_POLLS, env=env) as process:
            assert process.stderr is not None
            # It prints a progress line per change or exits (EOF): reading cannot block for good.
            lines = iter(process.stderr.readline, "")
            seen = [next(lines) for _ in range(3)]
            assert seen[1].startswith("Submitted result 1:")
            assert seen[2].startswith("result 1: pending")  # the wait is under way
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 130
            rest = "".join(lines)
        posts = [r for r in emulator.requests if r.method == "POST"]
    assert "stopped waiting for result 1 (Ctrl-C)" in rest
    assert "Resume with: cekura-ws watch 1" in rest
    assert len(posts) == 1  # nothing was resubmitted, nor ended (--keep-running)
