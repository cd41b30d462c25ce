"""Messages a newcomer meets in the first hour say what to do, in the CLI's own terms."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_helpers import invoke, submitted_id
from click.testing import CliRunner

from cekura_wrapper import CekuraClient
from cekura_wrapper.cli import main
from cekura_wrapper.cli.client_options import poll_timing
from cekura_wrapper.testing import AgentThread, CekuraEmulator

StartAgent = Callable[..., AgentThread]
NO_KEY = "no Cekura API key: set the CEKURA_API_KEY environment variable (or pass --api-key KEY)"


@pytest.mark.parametrize(
    "flags", [[], ["--api-key", ""], ["--api-key", "   "]], ids=["unset", "empty", "blank"]
)
def test_a_missing_key_names_the_flag_and_the_variable(flags: list[str]) -> None:
    result = invoke(
        ["status", "1", *flags], env={"CEKURA_API_KEY": None, "CEKURA_BASE_URL": "https://x.invalid"}
    )
    assert result.exit_code == 2, result.output
    assert NO_KEY in result.stderr and "api_key=" not in result.stderr


def test_a_404_shows_the_path_and_no_resume_advice(cekura_emulator: CekuraEmulator) -> None:
    plain = invoke(["watch", "999"], emulator=cekura_emulator)
    doubled = invoke(
        ["status", "1"], emulator=cekura_emulator, base_url=cekura_emulator.base_url + "/test_framework/v1"
    )

    assert plain.exit_code == 3, plain.output
    assert "[requested /test_framework/v1/results/999/]" in plain.stderr
    assert "Resume with" not in plain.stderr
    assert doubled.exit_code == 3, doubled.output
    assert (
        "the base URL looks wrong, it adds '/test_framework/v1' before the API's own paths" in doubled.stderr
    )


def test_counts_are_written_in_words_that_agree(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    url = cekura_agent("helpful").url
    result = invoke(
        ["run", "--scenario", f"101={url}", "--frequency", "1", "--preflight"], emulator=cekura_emulator
    )
    assert result.exit_code == 0, result.output
    assert f"Submitting 1 run to {cekura_emulator.base_url}" in result.stderr
    assert f"Submitted result {submitted_id(result)}: 1 run." in result.stderr


def test_polls_are_fast_against_a_loopback_api_and_unchanged_against_cekura() -> None:
    assert poll_timing("http://127.0.0.1:8000", None, None) == (0.05, 0.5)
    assert poll_timing("https://api.cekura.ai", None, None) == (1.0, 5.0)
    assert poll_timing("http://127.0.0.1:8000", 2.0, None) == (2.0, 2.0)
    assert poll_timing("https://api.cekura.ai", 0.5, 3.0) == (0.5, 3.0)


def test_the_poll_defaults_in_help_are_the_clients_own() -> None:
    defaults = inspect.signature(CekuraClient.__init__).parameters
    shortest, longest = defaults["poll_interval"].default, defaults["max_poll_interval"].default
    assert poll_timing("https://api.cekura.ai", None, None) == (shortest, longest)
    shown = " ".join(CliRunner().invoke(main, ["run", "--help"], terminal_width=200).output.split())
    assert f"Shortest wait between polls [default: {shortest:g};" in shown
    assert f"Longest wait between polls [default: {longest:g};" in shown


def test_run_wait_against_the_emulator_needs_no_poll_flags(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent
) -> None:
    url = cekura_agent("helpful").url
    result = invoke(
        ["run", "--scenario", f"101={url}", "--frequency", "1", "--wait"], emulator=cekura_emulator
    )
    assert result.exit_code == 0, result.output
    polls = [request for request in cekura_emulator.requests if request.method == "GET"]
    # Polled every 0.05-0.5 s: the finished batch is seen within a poll or two of its end, and
    # the command never waits out a 1 s poll interval between the last runs and the verdict.
    assert len(polls) >= 2


def test_the_emulator_writes_an_env_file_a_script_can_source(tmp_path: Path) -> None:
    env_file = tmp_path / "emulator.env"
    process = subprocess.Popen(
        [sys.executable, "-m", "cekura_wrapper", "emulator", "--port", "0", "--env-file", str(env_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # printed once listening, after the file was written
        assert first.startswith("Cekura emulator listening on http://127.0.0.1:")
        sourced = subprocess.run(
            ["bash", "-c", f". {env_file} && cekura-ws results --json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
        )
    finally:
        process.terminate()
        process.wait(10)
    assert sourced.returncode == 0, sourced.stderr
    assert json.loads(sourced.stdout) == {"kind": "results", "results": []}


def test_the_agent_takes_the_same_secret_option_as_everything_else() -> None:
    from cekura_wrapper.cli import main

    text = CliRunner().invoke(main, ["agent", "--help"]).output
    assert "--websocket-secret" in text and "--secret " not in text
