"""Pass-rate statistics for a gate that tells a regression from noise (pure, standard library only).

Conversations with agents are stochastic: a scenario that passes 90 % of the time fails one run in
ten. A drop from 10/10 to 9/10 is noise; a drop from 10/10 to 2/10 is not. These functions say
which, with a Wilson score interval for one pass rate and a one-sided Fisher exact test for two.

The exact test weighs hypergeometric probabilities in log space (``math.lgamma``), so it stays
accurate and fast for totals of many thousands of runs, where exact integers would grow huge.
"""

from __future__ import annotations

import enum
import math
from typing import Final

#: The two-sided 95 % normal quantile used by the Wilson interval.
Z_95: Final = 1.959963984540054
#: The significance level below which a change counts as real.
DEFAULT_ALPHA: Final = 0.05


class Change(enum.StrEnum):
    """How a target compares with its baseline."""

    #: Significantly worse than the baseline (one-sided p-value below alpha).
    REGRESSED = "regressed"
    #: Significantly better than the baseline.
    IMPROVED = "improved"
    #: No significant change either way (noise, or too few runs to tell).
    UNCHANGED = "unchanged"
    #: Only in the new result.
    NEW = "new"
    #: Only in the baseline.
    REMOVED = "removed"


def _check_counts(passed: int, total: int, name: str) -> None:
    if total < 0 or not 0 <= passed <= total:
        raise ValueError(f"{name}: need 0 <= passed <= total, got {passed}/{total}")


def wilson_interval(passed: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``passed / total`` (95 % by default), within [0, 1].

    Unlike the normal approximation it behaves at 0/n and n/n (10/10 gives about [0.72, 1]).
    With no runs there is no information: (0, 1).
    """
    _check_counts(passed, total, "wilson_interval")
    if total == 0:
        return 0.0, 1.0
    rate = passed / total
    z2 = z * z
    denominator = 1.0 + z2 / total
    centre = (rate + z2 / (2 * total)) / denominator
    half = z * math.sqrt(rate * (1.0 - rate) / total + z2 / (4 * total * total)) / denominator
    low = 0.0 if passed == 0 else max(0.0, min(rate, centre - half))
    high = 1.0 if passed == total else min(1.0, max(rate, centre + half))
    return low, high


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _hypergeometric_tail(passes: int, runs: int, drawn: int, upto: int) -> float:
    """P(X <= upto) for X ~ Hypergeometric(runs, passes, drawn), with ``upto`` in X's support.

    The tail's terms over the sum of all terms (not over C(runs, drawn)): the rounding of
    ``lgamma`` cancels, a tail that covers the whole support is exactly 1.0, and the result
    never leaves [0, 1].
    """
    first, last = max(0, drawn - (runs - passes)), min(drawn, passes)
    if upto >= last:
        return 1.0
    logs = [_log_comb(passes, x) + _log_comb(runs - passes, drawn - x) for x in range(first, last + 1)]
    peak = max(logs)
    weights = [math.exp(value - peak) for value in logs]
    return math.fsum(weights[: upto - first + 1]) / math.fsum(weights)


def worse_p_value(baseline_passed: int, baseline_total: int, passed: int, total: int) -> float:
    """One-sided Fisher exact test: how likely a pass count this low (or lower) is now, if the true
    pass rate did not change since the baseline. Small means "now is worse than the baseline".

    Conditioned on the total passes of both, the passes now follow a hypergeometric distribution;
    the p-value is its lower tail at ``passed``. 1.0 when either side has no runs.
    """
    _check_counts(baseline_passed, baseline_total, "baseline")
    _check_counts(passed, total, "now")
    if baseline_total == 0 or total == 0:
        return 1.0
    passes, runs = baseline_passed + passed, baseline_total + total
    return _hypergeometric_tail(passes, runs, total, passed)


def better_p_value(baseline_passed: int, baseline_total: int, passed: int, total: int) -> float:
    """The mirror of ``worse_p_value``: small means "now is better than the baseline"."""
    return worse_p_value(baseline_total - baseline_passed, baseline_total, total - passed, total)


def check_alpha(alpha: float) -> None:
    """Refuse a significance level outside (0, 1), naming it."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive), got {alpha}")


def classify(
    baseline: tuple[int, int] | None, now: tuple[int, int] | None, *, alpha: float = DEFAULT_ALPHA
) -> tuple[Change, float | None]:
    """The verdict and the "worse" p-value of a target from its (passed, total) on each side;
    ``None`` for a side where the target does not appear (then the p-value is ``None`` too)."""
    check_alpha(alpha)
    if baseline is None and now is None:
        raise ValueError("a target must appear in the baseline, the new result, or both")
    if baseline is None:
        return Change.NEW, None
    if now is None:
        return Change.REMOVED, None
    worse = worse_p_value(*baseline, *now)
    if worse < alpha:
        return Change.REGRESSED, worse
    if better_p_value(*baseline, *now) < alpha:
        return Change.IMPROVED, worse
    return Change.UNCHANGED, worse
