"""Part 1: detection delay and requests of the clients' poll schedule vs a plain 5 s poller started
at the same moment, on five batch shapes (``polling_sim``); the economy mode's cost in delay; and
500 waits sharing one client's request budget (``fanout_sim``)."""

from __future__ import annotations

import multiprocessing
import statistics
import sys
from collections.abc import Callable, Iterable
from functools import partial

from cekura_wrapper._budget import DEFAULT_REQUEST_BUDGET
from cekura_wrapper._polling import PollSchedule
from cekura_wrapper._schedule import EconomySchedule

from .fanout_sim import fan_out
from .polling_sim import DURATIONS, RUN_COUNTS, SHAPES, CaseResult, run_case
from .report import Row, emit, number_spread

SEEDS = 1_000
QUICK_SEEDS = 30
#: A quick run stops at 300 s batches (the longer ones cost most to simulate).
QUICK_DURATIONS = (10.0, 60.0, 150.0, 300.0)
ECONOMY_SEEDS = 200
#: The issue's ceiling on requests, as a multiple of the 5 s poller's (every seed).
MAX_REQUEST_RATIO = 1.3
FANOUT_WAITS = 500
#: Durations the economy rows compare (the first minute is the same in both modes).
ECONOMY_DURATIONS = (150.0, 300.0, 1800.0, 3600.0)


def later_by(case: CaseResult) -> list[float]:
    """Per seed, how much later than the 5 s poller the wait returned (negative: earlier)."""
    return [o.delay - b.delay for o, b in zip(case.ours, case.baseline, strict=True)]


def ratios(case: CaseResult) -> list[float]:
    return [o.requests / b.requests for o, b in zip(case.ours, case.baseline, strict=True)]


def targets(case: CaseResult) -> list[tuple[str, bool]]:
    """The issue's targets for one case: never later (every seed), median not higher, <= 1.3x requests."""
    cheap = ("requests <= 1.3x", max(ratios(case)) <= MAX_REQUEST_RATIO + 1e-9)
    if case.shape == "stuck":
        return [("gives up at its deadline", max(o.delay for o in case.ours) <= 1e-6), cheap]
    median = statistics.median(o.delay for o in case.ours)
    return [
        ("never later than the 5 s poller", max(later_by(case)) <= 1e-9),
        ("median not higher", median <= statistics.median(b.delay for b in case.baseline) + 1e-9),
        cheap,
    ]


def case_row(case: CaseResult) -> Row:
    later = sum(x > 1e-9 for x in later_by(case))
    ours_delay = [o.delay for o in case.ours]
    base_delay = [b.delay for b in case.baseline]
    checks = targets(case)
    runs = f"{case.runs} run{'s' if case.runs > 1 else ''}"
    measure = "time past the deadline" if case.shape == "stuck" else "delay"
    return Row(
        "1 polling",
        f"D={case.duration:g} s, {runs}, {case.shape}: {measure} median (worst); requests; later than 5 s poller",
        f"{statistics.median(ours_delay):.2f} s ({max(ours_delay):.1f} s); "
        f"{statistics.median(o.requests for o in case.ours):g} req; later in {later}/{len(ours_delay)}",
        f"{statistics.median(base_delay):.2f} s ({max(base_delay):.1f} s); "
        f"{statistics.median(b.requests for b in case.baseline):g} req",
        number_spread(ratios(case)),
        "; ".join(name for name, _ in checks),
        all(ok for _, ok in checks),
    )


def _cases_for(duration: float, seeds: int, schedule: Callable[[], PollSchedule]) -> list[CaseResult]:
    return [
        run_case(duration, runs, shape, range(seeds), schedule) for runs in RUN_COUNTS for shape in SHAPES
    ]


def all_cases(
    seeds: int, schedule: Callable[[], PollSchedule] = PollSchedule, durations: Iterable[float] = DURATIONS
) -> list[CaseResult]:
    """Every (D, runs, shape) case, one process per duration (the simulation is CPU-bound)."""
    with multiprocessing.get_context("fork").Pool() as pool:
        per_duration = pool.map(partial(_cases_for, seeds=seeds, schedule=schedule), list(durations))
    return [case for cases in per_duration for case in cases]


def economy_rows(seeds: int) -> list[Row]:
    """``poll="economy"``: per duration, over every runs x shape but stuck, what it saves and costs."""
    rows = []
    cases = all_cases(seeds, EconomySchedule, ECONOMY_DURATIONS)
    for duration in ECONOMY_DURATIONS:
        mine = [c for c in cases if c.duration == duration and c.shape != "stuck"]
        delays = [o.delay for c in mine for o in c.ours]
        base = [b.delay for c in mine for b in c.baseline]
        late = [x for c in mine for x in later_by(c)]
        request_ratios = [r for c in mine for r in ratios(c)]
        rows.append(
            Row(
                "1 economy",
                f'poll="economy", D={duration:g} s, all runs x shapes: delay median (worst); '
                "later than 5 s poller (by up to)",
                f"{statistics.median(delays):.2f} s ({max(delays):.1f} s); later in "
                f"{sum(x > 1e-9 for x in late) / len(late):.0%} (by up to {max(late):.1f} s)",
                f"{statistics.median(base):.2f} s ({max(base):.1f} s)",
                number_spread(request_ratios),
            )
        )
    return rows


def fanout_rows() -> list[Row]:
    """500 waits (300 s batches of 10 runs) on one client, with the default budget and without."""
    budget = DEFAULT_REQUEST_BUDGET
    held, free = fan_out(FANOUT_WAITS, budget), fan_out(FANOUT_WAITS, None)
    busiest = {window: held.most_in_window(window) for window in (1.0, 10.0, 60.0)}
    met = all(count <= (window + 2) * budget for window, count in busiest.items())
    return [
        Row(
            "1 fan-out",
            f"{FANOUT_WAITS} waits on one client, budget {budget:g}/s vs none: requests in the busiest "
            "1 s / 10 s / 60 s; mean rate",
            f"{busiest[1.0]} / {busiest[10.0]} / {busiest[60.0]}; {held.rate:.1f}/s",
            f"{free.most_in_window(1.0)} / {free.most_in_window(10.0)} / {free.most_in_window(60.0)}; "
            f"{free.rate:.1f}/s",
            f"{len(held.request_times) / len(free.request_times):.2f} (requests)",
            f"<= {budget:g}/s (+{2 * budget:g} per window)",
            met,
        ),
        Row(
            "1 fan-out",
            f"{FANOUT_WAITS} waits on one client, budget {budget:g}/s vs none: delay median (worst)",
            f"{held.median_delay:.1f} s ({max(held.delays):.1f} s)",
            f"{free.median_delay:.1f} s ({max(free.delays):.1f} s)",
            "-",
        ),
    ]


def run(quick: bool, economy: bool = False) -> list[Row]:
    cases = all_cases(QUICK_SEEDS, durations=QUICK_DURATIONS) if quick else all_cases(SEEDS)
    rows = [case_row(case) for case in cases]
    if economy or not quick:
        rows += economy_rows(QUICK_SEEDS if quick else ECONOMY_SEEDS)
    return rows + fanout_rows()


if __name__ == "__main__":
    emit(run("--quick" in sys.argv, "--sweep" in sys.argv))
