"""The GitHub Action's run step (``action.yml``): its inputs, which arrive as environment variables,
checked and turned into a ``cekura-ws run --wait`` command line, run in this process.

Inputs never pass through a shell: ``scenarios`` is split into lines and ``args`` by ``shlex``
(POSIX rules, nothing expanded or evaluated), and each value becomes one argument. An empty
``api-key``, ``base-url`` or ``websocket-secret`` leaves the job's own ``CEKURA_*`` variable alone.
``python -m cekura_wrapper.cli.action``.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from typing import Final

import attrs

from .exit_codes import ExitCode
from .github_errors import report_error
from .inputs import InputError, InputProblem
from .render import Output

#: Each input reaches the step as ``CEKURA_WS_`` + its name in upper case, ``-`` as ``_``.
ENV_PREFIX: Final = "CEKURA_WS_"
#: Inputs that set cekura-ws's own variable only when given: empty leaves the job's value.
VARIABLES: Final = {
    "api-key": "CEKURA_API_KEY",
    "base-url": "CEKURA_BASE_URL",
    "websocket-secret": "CEKURA_WEBSOCKET_SECRET",
}
#: Inputs passed as ``FLAG VALUE`` when not empty (cekura-ws checks the value).
VALUED: Final = {
    "batch-file": "--batch",
    "frequency": "--frequency",
    "agent": "--agent",
    "fail-under": "--fail-under",
    "timeout": "--timeout",
    "junit": "--junit",
    "concurrency": "--concurrency",
    "max-runs": "--max-runs",
    "project-id": "--project-id",
    "share-links": "--share-links",
}
#: Boolean inputs (``true`` or ``false``; empty is the default): the flag for true, the flag for false.
SWITCHES: Final[Mapping[str, tuple[str | None, str | None]]] = {
    "preflight": ("--preflight", None),
    "keep-running": ("--keep-running", None),
    "allow-private-urls": ("--allow-private-urls", None),
    "summary": (None, "--no-summary"),
}
#: Characters of a bad value quoted back at most.
_SHOWN = 40


def env_name(input_name: str) -> str:
    """``max-runs`` -> ``CEKURA_WS_MAX_RUNS``."""
    return ENV_PREFIX + input_name.upper().replace("-", "_")


def _shown(value: str) -> str:
    return repr(value if len(value) <= _SHOWN else value[: _SHOWN - 3] + "...")


@attrs.frozen
class Invocation:
    """What the step runs: cekura-ws's arguments and the variables to set for it."""

    args: tuple[str, ...]
    environ: Mapping[str, str]


def _switch(name: str, value: str, problems: list[InputProblem]) -> str | None:
    """The flag a boolean input adds, if any; anything but true, false or empty is a problem."""
    when_true, when_false = SWITCHES[name]
    if value == "true":
        return when_true
    if value == "false":
        return when_false
    if value:
        problems.append(InputProblem(f"input {name}", f"must be true or false, got {_shown(value)}"))
    return None


def invocation(environ: Mapping[str, str]) -> Invocation:
    """The command line for the inputs in ``environ``; ``InputError`` lists every bad input."""
    problems: list[InputProblem] = []

    def value(name: str) -> str:
        return environ.get(env_name(name), "")

    args = ["run", "--wait"]
    for name, flag in VALUED.items():
        if value(name).strip():
            args += [flag, value(name).strip()]
    for line in value("scenarios").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            args += ["--scenario", line]
    # Names ${VAR} may read: separated by spaces, commas or lines.
    for variable in value("allow-env").replace(",", " ").split():
        args += ["--allow-env", variable]
    for name in SWITCHES:
        switch = _switch(name, value(name).strip(), problems)
        if switch:
            args.append(switch)
    try:
        args += shlex.split(value("args"))
    except ValueError as exc:
        problems.append(InputProblem("input args", f"cannot be split into arguments: {exc}"))
    if problems:
        raise InputError(problems)
    variables = {variable: value(name) for name, variable in VARIABLES.items() if value(name)}
    return Invocation(tuple(args), variables)


def main(environ: Mapping[str, str] | None = None) -> None:
    """Check the inputs (an error exits 2 and is reported to GitHub), then run cekura-ws."""
    from . import main as command

    environ = os.environ if environ is None else environ
    try:
        call = invocation(environ)
    except InputError as exc:
        output = Output(json_mode=False)
        for problem in exc.problems:
            output.note(str(problem), style="red")
        output.note(f"{exc}; nothing was sent.")
        summary = _switch("summary", environ.get(env_name("summary"), "").strip(), []) is None
        for line in report_error(
            ExitCode.INVALID_INPUT, str(exc), problems=[str(p) for p in exc.problems], step_summary=summary
        ):
            output.command(line)
        sys.exit(int(ExitCode.INVALID_INPUT))
    os.environ.update(call.environ)
    command.main(args=list(call.args), prog_name="cekura-ws")


if __name__ == "__main__":
    main()
