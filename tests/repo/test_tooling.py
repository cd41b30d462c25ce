"""The developer tooling is wired up: pre-commit hooks run the pinned tools, without a network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = REPO_ROOT / ".pre-commit-config.yaml"


def test_the_pre_commit_config_is_valid() -> None:
    command = [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_pre_commit_runs_ruff_ruff_format_and_mypy_from_the_venv_only() -> None:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to download
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert sorted(hooks) == ["mypy", "ruff", "ruff-format"]
    for hook in hooks.values():
        tool = hook["entry"].split()[0]
        assert tool.startswith(".venv/bin/") and hook["language"] == "system"
    assert "--check" in hooks["ruff-format"]["entry"]  # reports, like make lint; never rewrites
