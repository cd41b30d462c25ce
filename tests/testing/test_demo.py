"""``make demo`` runs the whole job offline and reports it."""

from __future__ import annotations

import io
import os
import subprocess
import sys

from rich.console import Console

from cekura_wrapper.testing import demo


def test_the_demo_batch_mixes_passing_flaky_and_unreachable_agents() -> None:
    output = io.StringIO()
    result = demo.run_demo(Console(file=output, width=250, force_terminal=False))
    text = output.getvalue()

    assert (result.status, result.total_runs) == ("completed", len(demo.PLAN) * demo.FREQUENCY)
    by_agent: dict[str, list[bool | None]] = {}
    for run in result.runs:
        assert "websocket_url" not in run.raw  # shaped like Cekura's runs
        by_agent.setdefault(text.split(f"run {run.id}  ")[1].split()[1], []).append(run.success)
    outcomes = sorted(sorted(successes, key=str) for successes in by_agent.values())
    # helpful: 6 passes; flaky: every second connection fails; unreachable: both fail.
    assert outcomes == [[False, False], [False, False, True, True], [True] * 6]
    assert "runs 12, succeeded 8, failed 4; pass rate 66.7%" in text
    assert "connection refused" in text
    assert "unreachable" in text and "flaky" in text


def test_the_demo_needs_no_api_key_and_exits_0() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CEKURA_")}
    completed = subprocess.run(
        [sys.executable, "-m", "cekura_wrapper.testing.demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "pass rate 66.7%" in completed.stdout.replace("\n", " ")


def test_the_demo_report_stays_one_line_per_run_when_piped_at_80_columns() -> None:
    output = io.StringIO()
    result = demo.run_demo(Console(file=output, width=80, force_terminal=False))
    run_lines = [line for line in output.getvalue().splitlines() if line.startswith("  run ")]
    assert len(run_lines) == result.total_runs == 12
    assert all(line.split()[1].isdigit() for line in run_lines)
