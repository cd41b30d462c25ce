"""The pass-rate statistics: reference values (computed once with scipy 1.16, written here as
literals) and properties that must hold for any counts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cekura_wrapper import Change
from cekura_wrapper._stats import better_p_value, classify, wilson_interval, worse_p_value

# (baseline passed, baseline total, passed, total, scipy fisher_exact "less", "greater") with the
# table [[passed, failed now], [passed, failed in the baseline]].
FISHER_REFERENCE = [
    (10, 10, 2, 10, 0.0003572279114074779, 1.0),
    (10, 10, 9, 10, 0.5, 1.0),
    (10, 10, 10, 10, 1.0, 1.0),
    (9, 10, 3, 10, 0.009883305548940223, 0.9996427720885925),
    (30, 30, 25, 30, 0.02609277430865299, 1.0),
    (45, 50, 30, 50, 0.00048342160153144894, 0.9999283208956695),
    (1, 3, 0, 3, 0.5, 1.0),
    (0, 5, 0, 5, 1.0, 1.0),
    (90, 100, 80, 100, 0.03671379486068818, 0.9859331476106494),
    (2900, 3000, 2800, 3000, 1.6553251294386437e-09, 0.9999999992159123),
    (1800, 2000, 1790, 2000, 0.31949441320557037, 0.7168031115247435),
    (2, 10, 10, 10, 1.0, 0.000357227911407478),
]

# (passed, total, low, high): scipy binomtest(passed, total).proportion_ci(0.95, method="wilson").
WILSON_REFERENCE = [
    (10, 10, 0.7224672001371109, 1.0),
    (0, 10, 0.0, 0.27753279986288926),
    (9, 10, 0.5958499732047615, 0.9821237869049271),
    (2, 10, 0.056682151454375274, 0.5098375284633583),
    (1, 3, 0.06149194472039626, 0.7923403991979523),
    (45, 50, 0.7863976856252034, 0.9565242350681095),
    (2800, 3000, 0.9238416093144765, 0.941716721790241),
    (0, 1, 0.0, 0.7934506856227626),
    (1, 1, 0.20654931437723745, 1.0),
]


@pytest.mark.parametrize(("bp", "bt", "p", "t", "worse", "better"), FISHER_REFERENCE)
def test_the_exact_test_matches_scipy(bp: int, bt: int, p: int, t: int, worse: float, better: float) -> None:
    assert worse_p_value(bp, bt, p, t) == pytest.approx(worse, rel=1e-9, abs=1e-15)
    assert better_p_value(bp, bt, p, t) == pytest.approx(better, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(("passed", "total", "low", "high"), WILSON_REFERENCE)
def test_the_wilson_interval_matches_scipy(passed: int, total: int, low: float, high: float) -> None:
    assert wilson_interval(passed, total) == pytest.approx((low, high), rel=1e-9, abs=1e-15)


def test_no_runs_tell_nothing() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert worse_p_value(0, 0, 3, 10) == 1.0
    assert better_p_value(3, 10, 0, 0) == 1.0


@pytest.mark.parametrize(
    "counts", [(-1, 3), (4, 3), (0, -1)], ids=["negative passes", "more passes than runs", "negative total"]
)
def test_impossible_counts_are_refused_naming_them(counts: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match=rf"{counts[0]}/{counts[1]}"):
        wilson_interval(*counts)
    with pytest.raises(ValueError, match=rf"baseline: .*{counts[0]}/{counts[1]}"):
        worse_p_value(*counts, 1, 1)


def test_the_gate_s_two_cases_a_regression_and_noise() -> None:
    verdict, p_value = classify((10, 10), (2, 10))
    assert verdict is Change.REGRESSED and p_value is not None and p_value < 0.001
    verdict, p_value = classify((10, 10), (9, 10))
    assert verdict is Change.UNCHANGED and p_value == pytest.approx(0.5, rel=1e-12)
    assert classify((2, 10), (10, 10))[0] is Change.IMPROVED
    assert classify(None, (3, 3)) == (Change.NEW, None)
    assert classify((3, 3), None) == (Change.REMOVED, None)


def test_alpha_decides_and_is_checked() -> None:
    # p = 0.0367 for 90/100 -> 80/100: significant at 0.05, not at 0.01.
    assert classify((90, 100), (80, 100))[0] is Change.REGRESSED
    assert classify((90, 100), (80, 100), alpha=0.01)[0] is Change.UNCHANGED
    with pytest.raises(ValueError, match=r"alpha .* got 1\.5"):
        classify((1, 1), (1, 1), alpha=1.5)
    with pytest.raises(ValueError, match="must appear"):
        classify(None, None)


counts = st.integers(min_value=0, max_value=400).flatmap(
    lambda total: st.tuples(st.integers(min_value=0, max_value=total), st.just(total))
)


@given(counts)
def test_the_wilson_interval_contains_the_rate_within_0_and_1(pair: tuple[int, int]) -> None:
    passed, total = pair
    low, high = wilson_interval(passed, total)
    assert 0.0 <= low <= high <= 1.0
    if total:
        assert low <= passed / total <= high
        assert high - low > 0.0


@given(counts)
def test_the_wilson_interval_mirrors_for_failures(pair: tuple[int, int]) -> None:
    passed, total = pair
    low, high = wilson_interval(passed, total)
    mirrored_low, mirrored_high = wilson_interval(total - passed, total)
    assert low == pytest.approx(1.0 - mirrored_high, abs=1e-12)
    assert high == pytest.approx(1.0 - mirrored_low, abs=1e-12)


@given(counts, st.integers(min_value=1, max_value=400), st.data())
def test_the_p_value_falls_as_the_drop_grows(
    baseline: tuple[int, int], total: int, data: st.DataObject
) -> None:
    passed = data.draw(st.integers(min_value=1, max_value=total))
    fewer = data.draw(st.integers(min_value=0, max_value=passed - 1))
    higher = worse_p_value(*baseline, passed, total)
    lower = worse_p_value(*baseline, fewer, total)
    assert 0.0 <= lower <= higher <= 1.0


@given(counts, counts)
def test_worse_and_better_are_mirrors(baseline: tuple[int, int], now: tuple[int, int]) -> None:
    (bp, bt), (p, t) = baseline, now
    # Swapping passes and failures turns "worse" into "better".
    assert better_p_value(bp, bt, p, t) == pytest.approx(worse_p_value(bt - bp, bt, t - p, t), rel=1e-9)
    # Swapping the sides too: "the baseline is worse than now" is "now is better than the baseline".
    assert better_p_value(bp, bt, p, t) == pytest.approx(worse_p_value(p, t, bp, bt), rel=1e-9, abs=1e-300)
    # Both tails include the observed table, so together they cover at least everything.
    assert worse_p_value(bp, bt, p, t) + better_p_value(bp, bt, p, t) >= 1.0 - 1e-9


@given(counts)
def test_an_identical_result_is_never_a_change(pair: tuple[int, int]) -> None:
    verdict, p_value = classify(pair, pair)
    assert verdict is Change.UNCHANGED
    assert p_value is not None and p_value >= 0.5 - 1e-9


def test_large_totals_stay_finite_and_fast_enough() -> None:
    # 5,000 runs a side: thousands of log-space terms, no overflow, a tiny but positive tail.
    p_value = worse_p_value(4900, 5000, 4700, 5000)
    assert 0.0 < p_value < 1e-15 and math.isfinite(p_value)
