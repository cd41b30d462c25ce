"""What the README, ``--help`` and ``action.yml`` say about the Action and ``--timeout`` stays true:
the tables list exactly the Action's inputs and outputs, the workflow pins a released version,
and nothing claims a ``run --wait`` timeout leaves the calls running."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from action_runner import load_action
from cli_helpers import invoke

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def table_after(header: str) -> list[str]:
    """The first column's names (in backticks) of the table whose header row starts with ``header``."""
    rows = _while_table(README[README.index(header) :].splitlines()[2:])
    return [name for row in rows for name in re.findall(r"`([^`]+)`", row.split("|")[1])]


def _while_table(lines: list[str]) -> list[str]:
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_the_readme_tables_list_every_input_and_output_of_the_action() -> None:
    action = load_action()
    assert sorted(table_after("| input | default |")) == sorted(action["inputs"])
    assert sorted(table_after("| output | what it holds |")) == sorted(action["outputs"])


def test_the_readme_workflow_pins_the_released_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    uses = re.findall(r"uses: OWNER/cekura-ws@(\S+)", README)
    assert uses == [f"v{version}"]


def test_the_readme_says_to_activate_the_virtual_environment() -> None:
    quick_start = README[README.index("## Quick start") : README.index("**Offline, in one minute.**")]
    assert ". .venv/bin/activate" in quick_start
    assert ". $(VENV)/bin/activate" in (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_timeout_says_run_wait_ends_the_calls() -> None:
    run_help = " ".join(invoke(["run", "--help"]).output.split())
    watch_help = " ".join(invoke(["watch", "--help"]).output.split())
    timeout_input = " ".join(load_action()["inputs"]["timeout"]["description"].split())

    for text in (run_help, watch_help):
        assert "run --wait then ends the calls it started (--keep-running leaves them running)" in text
        assert "watch leaves the result running on Cekura (--end-calls-on-stop ends its calls)" in text
    assert "ended, unless keep-running is true" in timeout_input
    assert "keeps running" not in timeout_input
    assert "`run --wait` ends the calls it started" in README
