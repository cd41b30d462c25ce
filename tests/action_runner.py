"""``action.yml`` run as a GitHub runner runs a composite action, without GitHub.

Each ``run:`` step is a script under ``bash --noprofile --norc -eo pipefail`` with the runner's
environment (the job's ``env:``, then the step's, ``GITHUB_OUTPUT`` per step, ``GITHUB_STEP_SUMMARY``,
``GITHUB_ACTION_PATH``, ``RUNNER_OS``, ``RUNNER_TEMP``); ``${{ }}`` expressions and ``if:`` conditions
are evaluated as the runner does (the operators the action uses: ``==``, ``!=``, ``||``, ``&&``,
``!``); the first failing step ends the action. Outputs are read from ``GITHUB_OUTPUT``, multi-line
values included.

Two kinds of test doubles stand in for what needs the network:
- the runner's Pythons: ``python3.X`` scripts that report a version, and whose ``-m venv DIR`` makes
  a DIR whose ``pip`` records its arguments (and "installs" cekura-ws: this environment's) and
  whose ``python`` is this environment's interpreter;
- the ``uses:`` steps: ``actions/setup-python`` makes such a Python in a tool cache and returns its
  ``python-path`` (it must be asked not to touch the job's environment); ``actions/cache/restore``
  and ``save`` copy the folder to and from a store kept across "jobs".
Everything else (the scripts, cekura-ws, the emulator and the agents on 127.0.0.1) is the real thing.
"""

from __future__ import annotations

import re
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
#: What a runner downloads of the action and the install step reads.
ACTION_FILES = (
    "action.yml",
    "action",
    "constraints.txt",
    "pyproject.toml",
    "README.md",
    "cekura_wrapper",
    "generated",
)
#: The commands the steps may use; nothing else of the machine's PATH (its own Pythons stay out).
TOOLS = (
    "bash", "env", "cat", "cp", "rm", "mkdir", "mktemp", "find", "sort", "xargs", "sha256sum", "shasum",
    "cut", "chmod", "dirname", "sed", "touch",
)  # fmt: skip
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
TOKEN = re.compile(r"\s*(?:(\|\||&&|==|!=|!|\(|\))|'((?:[^']|'')*)'|([A-Za-z_][\w.-]*))")


def load_action(folder: Path = REPO) -> dict[str, Any]:
    action: dict[str, Any] = yaml.safe_load((folder / "action.yml").read_text())
    return action


def copy_action(folder: Path) -> Path:
    """The action's files as a runner downloads them (no caches, no .venv)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ACTION_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, folder / name)
    return folder


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


class _Parser:
    """The expression operators the action uses; values are strings or booleans."""

    def __init__(self, text: str, context: Mapping[str, str]) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text.rstrip()):
            match = TOKEN.match(text, position)
            assert match is not None, f"cannot read {text[position:]!r}"
            kind = "op" if match[1] else "str" if match[2] is not None else "name"
            self.tokens.append((kind, match[1] or (match[2] or "").replace("''", "'") or match[3] or ""))
            position = match.end()
        self.context = context

    def parse(self) -> str | bool:
        value = self._or()
        assert not self.tokens, f"unexpected {self.tokens}"
        return value

    def _take(self, *ops: str) -> str | None:
        if self.tokens and self.tokens[0][0] == "op" and self.tokens[0][1] in ops:
            return self.tokens.pop(0)[1]
        return None

    def _or(self) -> str | bool:
        value = self._and()
        while self._take("||"):
            other = self._and()
            value = value or other
        return value

    def _and(self) -> str | bool:
        value = self._compare()
        while self._take("&&"):
            other = self._compare()
            value = value and other
        return value

    def _compare(self) -> str | bool:
        value = self._unary()
        op = self._take("==", "!=")
        if op:
            equal = render(value).lower() == render(self._unary()).lower()
            return equal if op == "==" else not equal
        return value

    def _unary(self) -> str | bool:
        if self._take("!"):
            return not self._unary()
        if self._take("("):
            value = self._or()
            assert self._take(")")
            return value
        kind, text = self.tokens.pop(0)
        if kind == "str":
            return text
        if text in ("true", "false"):
            return text == "true"
        return self.context.get(text, "")


def render(value: str | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else value


def evaluate(text: str, context: Mapping[str, str]) -> str:
    """``${{ ... }}`` in a value, as the runner substitutes it."""
    return EXPRESSION.sub(lambda match: render(_Parser(match[1], context).parse()), text)


def condition(text: str, context: Mapping[str, str]) -> bool:
    """An ``if:`` (with or without ``${{ }}``); success() is implied, and every step so far succeeded."""
    inner = EXPRESSION.fullmatch(text.strip())
    return bool(_Parser(inner[1] if inner else text, context).parse())


def read_outputs(path: Path) -> dict[str, str]:
    """``name=value`` lines and ``name<<DELIMITER`` blocks."""
    outputs: dict[str, str] = {}
    lines = path.read_text().splitlines()
    while lines:
        line = lines.pop(0)
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, marker = line.split("<<", 1)
            block = []
            while lines[0] != marker:
                block.append(lines.pop(0))
            lines.pop(0)
            outputs[name] = "\n".join(block)
        else:
            name, _, value = line.partition("=")
            outputs[name] = value
    return outputs


def _executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def fake_python(path: Path, version: str, pip_log: Path) -> Path:
    """A Python that reports ``version``; its ``-m venv DIR`` makes a venv whose pip only records."""
    cekura_ws = Path(sys.executable).parent / "cekura-ws"
    venv_python = (
        "#!/usr/bin/env bash\nset -eu\n"
        'bin=$(cd "$(dirname "$0")" && pwd)\n'
        'if [ "${1:-} ${2:-}" = "-m pip" ]; then\n'
        f'  printf "%s\\n" "$*" >> {shlex.quote(str(pip_log))}\n'
        "  source=${!#}\n"
        '  if [ -f "$source/pyproject.toml" ] && [ -f "$source/cekura_wrapper/__init__.py" ]; then\n'
        f'    echo "built from a copy of the sources" >> {shlex.quote(str(pip_log))}\n'
        "  fi\n"
        f"  printf '#!/usr/bin/env bash\\nexec %s \"$@\"\\n' {shlex.quote(shlex.quote(str(cekura_ws)))}"
        ' > "$bin/cekura-ws"\n'
        '  chmod +x "$bin/cekura-ws"\n'
        "  exit 0\n"
        "fi\n"
        f'exec {shlex.quote(sys.executable)} "$@"\n'
    )
    return _executable(
        path,
        "#!/usr/bin/env bash\nset -eu\n"
        f'if [ "${{1:-}}" = -c ]; then echo {version}; exit 0; fi\n'
        '[ "${1:-} ${2:-}" = "-m venv" ] || { echo "unexpected python $*" >&2; exit 9; }\n'
        'mkdir -p "$3/bin"\n'
        f'echo "made by Python {version}" > "$3/made-by"\n'
        f"cat > \"$3/bin/python\" <<'VENV_PYTHON'\n{venv_python}VENV_PYTHON\n"
        'chmod +x "$3/bin/python"\n',
    )


@dataclass
class Runner:
    """One machine: its PATH's Pythons, the OS, the job's ``env:``, and a cache store shared with
    other runners (jobs)."""

    root: Path
    action_path: Path
    cache_store: Path
    pythons: Mapping[str, str] = field(default_factory=lambda: {"python3": "3.12.4"})
    runner_os: str = "Linux"
    job_env: Mapping[str, str] = field(default_factory=dict)
    #: The ``with:`` of every actions/setup-python use.
    setup_calls: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pip_log = self.root / "pip-calls"
        self.bin = self.root / "bin"
        for name, version in self.pythons.items():
            fake_python(self.bin / name, version, self.pip_log)
        for tool in TOOLS:
            found = shutil.which(tool)
            if found and not (self.bin / tool).exists():
                (self.bin / tool).symlink_to(found)

    @property
    def pip_calls(self) -> list[str]:
        return self.pip_log.read_text().splitlines() if self.pip_log.exists() else []

    def run(
        self, inputs: Mapping[str, str], runner_temp: Path | None = None, *, until: str = ""
    ) -> ActionRun:
        """Every step in order, stopping at the first failure, as the runner does (or after the
        step whose id is ``until``)."""
        action = load_action(self.action_path)
        context = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in action["inputs"].items()}
        context |= {f"inputs.{name}": value for name, value in inputs.items()}
        runner_temp = runner_temp or self.root / "runner-temp"
        shutil.rmtree(runner_temp, ignore_errors=True)  # a fresh machine: only the cache carries over
        runner_temp.mkdir(parents=True)
        summary = self.root / "step-summary.md"
        summary.write_text("")
        stdout, stderr, code = "", "", 0
        for number, step in enumerate(action["runs"]["steps"]):
            if "if" in step and not condition(str(step["if"]), context):
                continue
            if "uses" in step:
                outputs = self._uses(
                    step["uses"], {k: evaluate(str(v), context) for k, v in step["with"].items()}
                )
            else:
                outputs, done = self._script(number, step, context, runner_temp, summary)
                stdout, stderr, code = stdout + done.stdout, stderr + done.stderr, done.returncode
            for name, value in outputs.items():
                context[f"steps.{step.get('id')}.outputs.{name}"] = value
            if code or step.get("id") == until:
                break
        results = {name: evaluate(spec["value"], context) for name, spec in action["outputs"].items()}
        return ActionRun(code, results, stdout, stderr, summary.read_text(), runner_temp)

    def _script(
        self, number: int, step: Mapping[str, Any], context: Mapping[str, str], temp: Path, summary: Path
    ) -> tuple[dict[str, str], subprocess.CompletedProcess[str]]:
        assert "${{" not in step["run"], "inputs must reach scripts through env, never the script text"
        assert step["shell"] == "bash"
        outputs = self.root / f"output-{number}"
        outputs.write_text("")
        env = {
            "PATH": str(self.bin),
            "HOME": str(self.root),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(self.action_path),
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_OS": self.runner_os,
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": str(temp),
            **self.job_env,
            **{key: evaluate(str(value), context) for key, value in step.get("env", {}).items()},
        }
        script = self.root / f"step-{number}.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            [shutil.which("bash") or "bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=self.root,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return read_outputs(outputs), done

    def _uses(self, uses: str, given: Mapping[str, str]) -> dict[str, str]:
        action = uses.split("@")[0]
        if action == "actions/setup-python":
            assert given.get("update-environment") == "false", "setup-python must leave the job's PATH alone"
            self.setup_calls.append(dict(given))
            version = given["python-version"]
            full = version if version.count(".") == 2 else f"{version}.0"
            python = fake_python(self.root / "toolcache" / version / "bin" / "python3", full, self.pip_log)
            return {"python-version": full, "python-path": str(python)}
        stored = self.cache_store / given["key"]
        if action == "actions/cache/restore":
            if not stored.exists():
                return {"cache-hit": "false"}
            shutil.rmtree(given["path"], ignore_errors=True)
            shutil.copytree(stored, given["path"], symlinks=True)
            return {"cache-hit": "true", "cache-matched-key": given["key"]}
        if action == "actions/cache/save":
            if not stored.exists():
                shutil.copytree(given["path"], stored, symlinks=True)
            return {}
        raise AssertionError(f"no test double for {uses}")


@dataclass
class ActionRun:
    code: int
    outputs: dict[str, str]
    stdout: str
    stderr: str
    summary: str
    runner_temp: Path

    @property
    def errors(self) -> list[str]:
        """The ``::error`` annotations (GitHub reads them from stdout and stderr)."""
        return [line for line in (self.stdout + self.stderr).splitlines() if line.startswith("::error ")]
