"""The README's examples run: every fenced block right after a ``<!-- test: run -->`` line is
executed offline (python blocks with warnings as errors, sh blocks with bash), so the README
cannot drift from the code."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"<!-- test: run -->\n```(?P<lang>python|sh)\n(?P<code>.*?)\n```", re.DOTALL)


def blocks() -> list[tuple[str, str]]:
    return [(match["lang"], match["code"]) for match in BLOCK.finditer(README.read_text(encoding="utf-8"))]


def test_the_readme_marks_its_offline_examples() -> None:
    kinds = [lang for lang, _ in blocks()]
    assert kinds.count("python") >= 1 and kinds.count("sh") >= 2


@pytest.mark.parametrize(("lang", "code"), blocks(), ids=lambda value: str(value)[:40])
def test_a_readme_example_runs(lang: str, code: str, tmp_path: Path) -> None:
    command = (
        [sys.executable, "-W", "error", "-c", code]
        if lang == "python"
        else ["bash", "-euo", "pipefail", "-c", code]
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
