"""``cekura-ws emulator``, ``agent`` and ``demo``: the offline tools, run as a user would."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from cli_helpers import FAST_POLLS, invoke

from cekura_wrapper import preflight
from cekura_wrapper.testing import AgentThread


@contextmanager
def cekura_ws(*args: str) -> Iterator[subprocess.Popen[str]]:
    """``python -m cekura_wrapper ARGS`` in the background; stopped with Ctrl-C (SIGINT) at the end."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CEKURA_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "cekura_wrapper", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def read_lines(process: subprocess.Popen[str], count: int, timeout: float = 20.0) -> list[str]:
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
        assert process.wait(timeout=15) == 0


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
        assert process.wait(timeout=15) == 0


def test_emulator_with_a_given_key_does_not_print_it() -> None:
    with cekura_ws("emulator", "--port", "0", "--api-key", "my-local-key-123") as process:
        lines = read_lines(process, 3)

    assert lines[2] == "(it accepts the key given with --api-key)"
    assert not any("my-local-key-123" in line for line in lines)


def test_demo_runs_the_whole_job_offline() -> None:
    result = invoke(["demo"], env={"CEKURA_API_KEY": None, "CEKURA_BASE_URL": None})

    assert result.exit_code == 0, result.output
    assert "pass rate 66.7%" in " ".join(result.stdout.split())
