"""What each exit code of ``cekura-ws`` means, and the verdict on a finished result."""

from __future__ import annotations

import enum
from typing import Final

from cekura_wrapper._results import Result


class ExitCode(enum.IntEnum):
    """Exit codes, stable for scripts and CI."""

    OK = 0
    #: The evaluation failed: terminal status failed/timeout/cancelled, or below ``--fail-under``;
    #: also a failed pre-flight check.
    EVALUATION_FAILED = 1
    #: Invalid input or usage; nothing was sent, or Cekura rejected it (400) and created nothing.
    INVALID_INPUT = 2
    #: API, authentication or connection error, including a submission that may have landed.
    API_ERROR = 3
    #: ``--wait``/``watch`` stopped at ``--timeout``; the result keeps running on Cekura.
    WAIT_TIMEOUT = 4
    #: Ctrl-C: stopped waiting (nothing was cancelled or resubmitted).
    INTERRUPTED = 130


#: The exit codes as ``--help`` shows them (``\b`` keeps click from rewrapping the lines).
EXIT_CODES_HELP: Final = """\b
Exit codes:
  0    success
  1    evaluation failed: status failed, timeout or cancelled, success rate
       below --fail-under, or a pre-flight check failed
  2    invalid input or usage (nothing was sent), or Cekura rejected the
       request with 400, e.g. an unknown scenario id (nothing was created)
  3    API, auth or connection error, including a submission that may have
       reached Cekura (the advice printed says what to check)
  4    --wait/watch timed out; the result keeps running on Cekura
  130  interrupted (Ctrl-C) while waiting; resume with: cekura-ws watch ID"""

FAILED_STATUSES: Final = frozenset({"failed", "timeout", "cancelled"})


def pass_rate(result: Result) -> float:
    """Successful runs over all runs, as a fraction 0..1 (0 for an empty result)."""
    return result.success_runs / result.total_runs if result.total_runs > 0 else 0.0


def verdict(result: Result, fail_under: float | None) -> tuple[ExitCode, str]:
    """The exit code for a terminal result, and one sentence saying why."""
    rate = pass_rate(result)
    counts = f"{result.success_runs}/{result.total_runs} runs succeeded (pass rate {rate:.3f})"
    if result.status in FAILED_STATUSES:
        return ExitCode.EVALUATION_FAILED, f"result {result.id} ended {result.status}; {counts}"
    if fail_under is not None and rate < fail_under:
        return ExitCode.EVALUATION_FAILED, f"{counts}, below --fail-under {fail_under:g}"
    if fail_under is not None:
        return ExitCode.OK, f"{counts}, at or above --fail-under {fail_under:g}"
    return ExitCode.OK, f"result {result.id} {result.status}; {counts}"
