"""``action.yml`` run as a GitHub runner would run it, without GitHub: each step's script under
``bash --noprofile --norc -eo pipefail`` with the runner's environment (``GITHUB_OUTPUT`` per step,
``GITHUB_STEP_SUMMARY``, ``GITHUB_ACTION_PATH`` = this repository, ``RUNNER_TEMP``), ``${{ }}``
expressions evaluated as the runner does, against the emulator and real agents on 127.0.0.1.

The runner's ``python3`` is a test double: installing the project's dependencies needs the package
index, so ``python3 -m venv DIR`` makes a DIR whose ``pip`` records its arguments and whose
``cekura-ws`` is this environment's. Everything after the install is the real thing.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from cekura_wrapper.testing import AgentThread, CekuraEmulator
from cekura_wrapper.testing.demo import closed_loopback_url

StartAgent = Callable[..., AgentThread]
REPO = Path(__file__).resolve().parents[1]
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def load_action() -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text())
    return action


def evaluate(text: str, context: Mapping[str, str]) -> str:
    """``${{ inputs.x }}`` and ``${{ steps.id.outputs.y }}``, as the runner substitutes them."""
    return EXPRESSION.sub(lambda match: context.get(match[1], ""), text)


def fake_python3(folder: Path) -> Path:
    """A ``python3`` whose ``-m venv DIR`` makes DIR/bin/python (records pip's arguments) and
    DIR/bin/cekura-ws (this environment's)."""
    cekura_ws = Path(sys.executable).parent / "cekura-ws"
    script = folder / "python3"
    script.write_text(
        "#!/usr/bin/env bash\nset -eu\n"
        '[ "$1 $2" = "-m venv" ] || { echo "unexpected python3 $*" >&2; exit 9; }\n'
        'mkdir -p "$3/bin"\n'
        f'printf \'#!/usr/bin/env bash\\necho "$*" >> "%s/pip-args"\\n\' "$3" > "$3/bin/python"\n'
        f'printf \'#!/usr/bin/env bash\\nexec {shlex.quote(str(cekura_ws))} "$@"\\n\' > "$3/bin/cekura-ws"\n'
        'chmod +x "$3/bin/python" "$3/bin/cekura-ws"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def run_action(
    inputs: Mapping[str, str], tmp_path: Path, caller_env: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], str, str, Path]:
    """Every step in order (stopping at the first failure, as the runner does); returns the exit code,
    the action's outputs, stdout, the step summary and ``RUNNER_TEMP``. ``caller_env`` is the ``env:``
    of the workflow step that uses the action (its steps see it)."""
    action = load_action()
    declared = action["inputs"]
    context = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in declared.items()}
    context |= {f"inputs.{name}": value for name, value in inputs.items()}
    runner_temp, bin_folder = tmp_path / "runner-temp", tmp_path / "bin"
    runner_temp.mkdir()
    bin_folder.mkdir()
    fake_python3(bin_folder)
    summary = tmp_path / "step-summary.md"
    summary.touch()
    stdout, code = "", 0
    for number, step in enumerate(action["runs"]["steps"]):
        assert "${{" not in step["run"], "inputs must reach scripts through env, never the script text"
        assert step["shell"] == "bash"
        outputs = tmp_path / f"output-{number}"
        outputs.touch()
        env = {
            "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(runner_temp),
            **(caller_env or {}),
            **{key: evaluate(str(value), context) for key, value in step.get("env", {}).items()},
        }
        script = tmp_path / f"step-{number}.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        stdout += done.stdout
        assert "Traceback" not in done.stderr, done.stderr
        for line in outputs.read_text().splitlines():
            name, _, value = line.partition("=")
            context[f"steps.{step.get('id')}.outputs.{name}"] = value
        code = done.returncode
        if code:
            break
    outputs_of_action = {name: evaluate(spec["value"], context) for name, spec in action["outputs"].items()}
    return code, outputs_of_action, stdout, summary.read_text(), runner_temp


def test_the_action_declares_what_the_issue_promises() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert action["inputs"]["api-key"]["required"] is True
    assert set(action["inputs"]) == {
        "api-key", "batch-file", "scenarios", "frequency", "agent", "fail-under", "timeout",
        "preflight", "junit", "base-url", "websocket-secret", "allow-env",
    }  # fmt: skip
    assert set(action["outputs"]) == {"passed", "result_ids", "total_runs", "passed_runs", "pass_rate"}


def test_a_passing_batch_passes_the_step(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path
) -> None:
    helpful = cekura_agent("helpful").url
    inputs = {
        "api-key": cekura_emulator.api_key,
        "base-url": cekura_emulator.base_url,
        "scenarios": f"101={helpful}\n\n  # a comment\n  102={helpful}  \n",
        "frequency": "2",
        "junit": str(tmp_path / "cekura.xml"),
        "preflight": "true",
    }

    code, outputs, stdout, summary, runner_temp = run_action(inputs, tmp_path)

    assert code == 0, stdout
    assert outputs["passed"] == "true"
    assert (outputs["total_runs"], outputs["passed_runs"], outputs["pass_rate"]) == ("4", "4", "1.0000")
    assert re.fullmatch(r"\[\d+\]", outputs["result_ids"])
    assert summary.startswith("## Cekura websocket runs: ✅ PASSED")
    assert "::error" not in stdout
    assert (tmp_path / "cekura.xml").exists()
    assert (runner_temp / "cekura-ws-venv" / "pip-args").read_text().split()[-1] == str(REPO)
    assert cekura_emulator.api_key not in stdout + summary


def test_a_failing_batch_fails_the_step_with_annotations_and_a_summary(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path, again: Path
) -> None:
    dead = closed_loopback_url() + "?token=s3cr3t"
    inputs = {
        "api-key": cekura_emulator.api_key,
        "base-url": cekura_emulator.base_url,
        "scenarios": f"101={cekura_agent('helpful').url}\n102={dead}",
        "frequency": "1",
    }

    code, outputs, stdout, summary, _ = run_action(inputs, tmp_path)
    relaxed, relaxed_outputs, _, _, _ = run_action({**inputs, "fail-under": "50%"}, again)

    assert code == 1, stdout
    assert (outputs["passed"], outputs["total_runs"], outputs["passed_runs"]) == ("false", "2", "1")
    assert "## Cekura websocket runs: ❌ FAILED" in summary and "102" in summary
    assert [line for line in stdout.splitlines() if line.startswith("::error ")]
    assert "s3cr3t" not in stdout + summary and "token=\\*\\*\\*" in summary  # Markdown-escaped
    assert (relaxed, relaxed_outputs["passed"]) == (0, "true")


@pytest.fixture
def again(tmp_path: Path) -> Path:
    (tmp_path / "again").mkdir()
    return tmp_path / "again"


def test_allow_env_lets_the_batch_file_read_only_the_variables_listed(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text("frequency: 1\nscenarios:\n  - {scenario: 101, websocket_url: '${AGENT_URL}'}\n")
    inputs = {
        "api-key": cekura_emulator.api_key,
        "base-url": cekura_emulator.base_url,
        "batch-file": str(batch),
    }
    caller_env = {"AGENT_URL": cekura_agent("helpful").url}

    (tmp_path / "refused").mkdir()
    (tmp_path / "allowed").mkdir()
    refused = run_action(inputs, tmp_path / "refused", caller_env)
    allowed = run_action({**inputs, "allow-env": "OTHER, AGENT_URL\n"}, tmp_path / "allowed", caller_env)

    assert refused[0] == 2 and allowed[0] == 0, allowed[2]
    assert allowed[1]["passed"] == "true"
