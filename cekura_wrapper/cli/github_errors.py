"""An error that ends a command before any verdict (invalid input, an API error, a stop) on GitHub
Actions: an ``::error`` annotation, a job summary that says why, and ``passed=false``.

Without this a step that exits 2 or 3 leaves no output, so ``if: steps.x.outputs.passed ==
'false'`` misses it, and a reviewer sees only a red step. Like the verdict's reports, nothing here
changes the exit code: a write that fails is ignored (the error itself is already on stderr).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from .exit_codes import ExitCode
from .github import annotation, append_summary, write_outputs
from .summary import _cell as cell

#: Problems listed in the summary and annotated at most; the rest are counted.
MAX_PROBLEMS = 20

_WHAT: Mapping[int, str] = {
    ExitCode.INVALID_INPUT: "invalid input; nothing was sent",
    ExitCode.API_ERROR: "API, auth or connection error",
    ExitCode.WAIT_TIMEOUT: "timed out waiting",
    ExitCode.INTERRUPTED: "interrupted",
    ExitCode.TERMINATED: "terminated (the step was cancelled)",
}


def error_summary(code: int, message: str, problems: Sequence[str] = (), advice: str = "") -> str:
    """The job summary of a failed command: the verdict line, what went wrong, each problem."""
    what = _WHAT.get(code, "failed")
    lines = ["## Cekura websocket runs: ❌ FAILED", "", f"cekura-ws exited {code}: {what}.", ""]
    lines.append(cell(message))
    if problems:
        lines.append("")
        lines += [f"- {cell(problem)}" for problem in problems[:MAX_PROBLEMS]]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"- *{len(problems) - MAX_PROBLEMS} more problems*")
    if advice:
        lines += ["", cell(advice)]
    return "\n".join(lines) + "\n"


def error_annotations(code: int, message: str, problems: Sequence[str] = ()) -> list[str]:
    """One ``::error`` for the error, one per problem (at most ``MAX_PROBLEMS``)."""
    title = f"cekura-ws: {_WHAT.get(code, 'failed')} (exit {code})"
    lines = [annotation(title, message)]
    lines += [annotation(title, problem) for problem in problems[:MAX_PROBLEMS]]
    return lines


def report_error(
    code: int,
    message: str,
    *,
    problems: Sequence[str] = (),
    advice: str = "",
    step_summary: bool = True,
    environ: Mapping[str, str] | None = None,
) -> list[str]:
    """Write ``passed=false`` and the job summary where GitHub says; the annotations to print
    (none outside GitHub Actions)."""
    environ = os.environ if environ is None else environ
    summary_path, output_path = environ.get("GITHUB_STEP_SUMMARY"), environ.get("GITHUB_OUTPUT")
    try:
        if step_summary and summary_path:
            append_summary(Path(summary_path), error_summary(code, message, problems, advice))
    except OSError:
        pass
    try:
        if output_path:
            write_outputs(Path(output_path), {"passed": "false"})
    except OSError:
        pass
    if environ.get("GITHUB_ACTIONS") != "true":
        return []
    return error_annotations(code, message, problems)
