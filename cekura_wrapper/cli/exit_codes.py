"""What each exit code of ``cekura-ws`` means, and the verdict on a finished result."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final


class ExitCode(enum.IntEnum):
    """Exit codes, stable for scripts and CI."""

    OK = 0
    #: The evaluation failed: a result did not end ``completed``, or not every run passed (or the
    #: pass rate is below ``--fail-under``); also a failed pre-flight check.
    EVALUATION_FAILED = 1
    #: Invalid input or usage; nothing was sent, or Cekura rejected it (400) and created nothing.
    INVALID_INPUT = 2
    #: API, authentication or connection error, including a submission that may have landed.
    API_ERROR = 3
    #: ``--wait``/``watch`` stopped at ``--timeout``: ``run --wait`` ended the calls it started
    #: (unless ``--keep-running``); ``watch`` left the result running (unless ``--end-calls-on-stop``).
    WAIT_TIMEOUT = 4
    #: Ctrl-C: stopped waiting (``run --wait`` ended the calls it started, unless --keep-running).
    INTERRUPTED = 130
    #: SIGTERM (a CI runner cancelling the step): like Ctrl-C.
    TERMINATED = 143


#: The exit codes as ``--help`` shows them (``\b`` keeps click from rewrapping the lines).
EXIT_CODES_HELP: Final = """\b
Exit codes:
  0    success
  1    evaluation failed: a result did not end completed, or not every run
       passed (with --fail-under: the pass rate is below it), or a pre-flight
       check failed
  2    invalid input or usage (nothing was sent), or Cekura rejected the
       request with 400, e.g. an unknown scenario id (nothing was created)
  3    API, auth or connection error, including a submission that may have
       reached Cekura (the advice printed says what to check)
  4    --wait/watch timed out: run --wait ends the calls it started (unless
       --keep-running); watch leaves the result running on Cekura (unless
       --end-calls-on-stop)
  130  interrupted (Ctrl-C) while waiting (calls ended as for exit 4)
  143  terminated (SIGTERM, e.g. a cancelled CI job), as for 130"""


_MEANINGS: Final = {
    0: "success",
    1: "evaluation failed (see cekura-ws --help)",
    2: "invalid input or usage; nothing was sent",
    3: "API, auth or connection error",
    4: "timed out waiting",
    130: "interrupted (Ctrl-C)",
    143: "terminated (SIGTERM)",
}


def command_epilog(
    examples: list[str], codes: tuple[int, ...], *, meanings: Mapping[int, str] = _MEANINGS
) -> str:
    """A subcommand's ``--help`` ending: one or two examples, then only the exit codes it can
    return (the full table is in ``cekura-ws --help``; ``drift`` passes its own ``meanings``)."""
    lines = ["\b", "Examples:", *(f"  {example}" for example in examples), "", "\b", "Exit codes:"]
    lines += [f"  {code:<4} {meanings[code]}" for code in codes]
    return "\n".join(lines)
