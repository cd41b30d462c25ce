"""The gate's verdict on finished results (pure: no I/O, no click).

The rule is ``Result.passes``: Cekura says ``completed`` and every run in it succeeded;
``--fail-under`` relaxes the second half to "the pass rate reached RATE". People read percentages, machines
fractions: ``percent()`` is for text, ``Verdict.pass_rate`` (0..1) for JSON, outputs and JUnit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

from cekura_wrapper import Result

from .exit_codes import ExitCode


def pass_rate(result: Result) -> float | None:
    """Successful runs over all runs (0..1); ``None`` while the result runs or when it has no runs."""
    if not result.is_terminal or result.total_runs <= 0:
        return None
    return result.success_runs / result.total_runs


def percent(rate: float | None) -> str:
    """``0.6667`` as ``66.7 %``; an unknown rate as ``-``."""
    return "-" if rate is None else f"{rate * 100:.1f} %"


def parse_rate(text: str) -> float:
    """A rate written as a fraction (``0.9``) or a percentage (``90%``), as a fraction.

    A bare number above 1 is refused rather than read as a percentage or as a threshold no
    result can meet; ``ValueError`` says what to write instead.
    """
    written = text.strip()
    text = written if len(written) <= 40 else written[:37] + "..."  # quoted back: keep it short
    is_percentage = written.endswith("%")
    number = written[:-1].strip() if is_percentage else written
    try:
        value = float(number)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a rate: write a fraction such as 0.9 or a percentage such as 90%"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a rate: write a fraction such as 0.9 or a percentage such as 90%")
    if is_percentage:
        if not 0 <= value <= 100:
            raise ValueError(f"{text!r} is not a percentage from 0% to 100%")
        return value / 100
    if value > 1:
        if value <= 100:
            raise ValueError(
                f"{text!r} is above 1: did you mean the fraction {value / 100:g} or the percentage {value:g}%?"
            )
        raise ValueError(f"{text!r} is above 1: a rate is a fraction from 0 to 1 or a percentage up to 100%")
    if value < 0:
        raise ValueError(f"{text!r} is below 0: a rate is a fraction from 0 to 1 or a percentage")
    return value


def threshold_text(fail_under: float | None) -> str:
    """The rule applied, in words."""
    return "every run must pass" if fail_under is None else f"--fail-under {round(fail_under * 100, 4):g} %"


def _why(result: Result, fail_under: float | None) -> str:
    """One sentence on one result."""
    from .outside import outside

    rate = pass_rate(result)
    status = outside(result.status, limit=64)
    counts = f"{result.success_runs} of {result.total_runs} runs passed ({percent(rate)})"
    if not result.is_terminal:
        return f"result {result.id} is still {status}; {counts} so far"
    if result.status != "completed":
        return f"result {result.id} ended {status}; {counts}"
    if result.total_runs <= 0:
        return f"result {result.id} completed with no runs"
    if result.passes(fail_under):
        suffix = "" if fail_under is None else f", at or above {threshold_text(fail_under)}"
        return f"result {result.id} completed; {counts}{suffix}"
    if fail_under is None:
        return f"result {result.id} completed but only {counts}"
    return f"result {result.id} completed; {counts}, below {threshold_text(fail_under)}"


@attrs.frozen
class Verdict:
    """Whether a set of results passes the gate, and the figures every report shows."""

    passed: bool
    #: One sentence a person reads.
    reason: str
    fail_under: float | None
    result_ids: tuple[int, ...]
    total_runs: int
    passed_runs: int
    #: Fraction 0..1 over every run; ``None`` while any result is unfinished or there are no runs.
    pass_rate: float | None
    #: The rule applied, in words, when it is not the default one (``--fail-on regression``).
    rule: str | None = None

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK if self.passed else ExitCode.EVALUATION_FAILED

    @property
    def headline(self) -> str:
        """``PASSED: ...`` or ``FAILED: ...``, with the rule applied."""
        rule = self.rule or threshold_text(self.fail_under)
        return f"{'PASSED' if self.passed else 'FAILED'}: {self.reason} (rule: {rule})"


def judge(results: Sequence[Result], fail_under: float | None) -> Verdict:
    """The verdict on ``results`` (one per Cekura result): every one must pass."""
    total = sum(result.total_runs for result in results)
    passed_runs = sum(result.success_runs for result in results)
    finished = all(result.is_terminal for result in results)
    failing = [result for result in results if not result.passes(fail_under)]
    if len(results) == 1:
        reason = _why(results[0], fail_under)
    elif failing:
        reason = f"{len(failing)} of {len(results)} results did not pass: " + "; ".join(
            _why(result, fail_under) for result in failing
        )
    else:
        reason = f"all {len(results)} results passed; {passed_runs} of {total} runs passed"
    return Verdict(
        passed=bool(results) and not failing,
        reason=reason if results else "no result to judge",
        fail_under=fail_under,
        result_ids=tuple(result.id for result in results),
        total_runs=total,
        passed_runs=passed_runs,
        pass_rate=passed_runs / total if finished and total > 0 else None,
    )
