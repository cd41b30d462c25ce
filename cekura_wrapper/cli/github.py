"""GitHub Actions conventions: step outputs, the job summary file and ``::error`` annotations.

Nothing here decides anything: the verdict is known before these are written, and writing them
never changes the exit code (``ci-facts``: ``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``,
``GITHUB_ACTIONS=true``).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from cekura_wrapper import Result

from .agent_urls import NO_PLAN, AgentUrls
from .groups import GroupRow, groups_output, result_label
from .outside import outside
from .summary import failed_runs, reason
from .verdict import Verdict

#: Annotations printed at most; one more line counts the rest.
MAX_ANNOTATIONS = 20
#: Characters of one annotation message at most.
MAX_ANNOTATION = 1000


def step_outputs(verdict: Verdict, groups: Sequence[GroupRow] = ()) -> dict[str, str]:
    """The step outputs: ``passed``, ``result_ids`` (JSON list), ``total_runs``, ``passed_runs``,
    ``pass_rate`` (a fraction 0..1, empty when unknown) and, for a suite, ``groups`` (JSON: group
    name to ``passed`` and ``result_id``)."""
    outputs = {
        "passed": "true" if verdict.passed else "false",
        "result_ids": json.dumps(list(verdict.result_ids)),
        "total_runs": str(verdict.total_runs),
        "passed_runs": str(verdict.passed_runs),
        "pass_rate": "" if verdict.pass_rate is None else f"{verdict.pass_rate:.4f}",
    }
    if groups:
        outputs["groups"] = groups_output(groups)
    return outputs


def write_outputs(path: Path, outputs: Mapping[str, str]) -> None:
    """Append ``name=value`` lines (a value with a line break uses a random delimiter, as GitHub asks)."""
    lines = []
    for name, raw in outputs.items():
        value = outside(raw)
        if "\n" in value or "\r" in value:
            marker = f"EOF_{secrets.token_hex(8)}"
            lines += [f"{name}<<{marker}", value, marker]
        else:
            lines.append(f"{name}={value}")
    with path.open("a", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")


def append_summary(path: Path, markdown: str) -> None:
    """Append the report to the job summary file."""
    with path.open("a", encoding="utf-8") as file:
        file.write(markdown)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(title: str, message: str) -> str:
    """One ``::error`` workflow command, escaped so a message cannot start a command of its own."""
    message = outside(message, limit=MAX_ANNOTATION)  # masked whole: a cut could split user:password from '@'
    # ``##[`` would start a (legacy) command of its own anywhere in the line.
    line = f"::error title={_escape_property(outside(title))}::{_escape_data(message)}"
    return line[:2] + line[2:].replace("##[", "# #[")


def run_annotations(
    results: Sequence[Result], urls: AgentUrls = NO_PLAN, names: Mapping[int, str] | None = None
) -> list[str]:
    """One annotation per run that did not pass (at most ``MAX_ANNOTATIONS``, then a count);
    ``names``: a suite's group name per result id, which the message then starts with."""
    failed = failed_runs(results)
    lines = []
    for result, run in failed[:MAX_ANNOTATIONS]:
        scenario = f"scenario {run.scenario}" + (f" ({run.scenario_name})" if run.scenario_name else "")
        where = urls.label(run)
        lines.append(
            annotation(
                f"Cekura run {run.id} did not pass",
                f"{result_label(result.id, names or {})}, {scenario}{f' against {where}' if where else ''}: {reason(run)}",
            )
        )
    if len(failed) > MAX_ANNOTATIONS:
        lines.append(
            annotation(
                "More Cekura runs did not pass",
                f"{len(failed) - MAX_ANNOTATIONS} more runs did not pass; see the job summary",
            )
        )
    return lines
