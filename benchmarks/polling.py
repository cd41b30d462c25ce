"""Part 1: requests and detection delay of the clients' poll schedule vs a plain 5 s poller, on
five batch shapes (``polling_sim``), with a sweep of the schedule's intervals (the trade-off curve)."""

from __future__ import annotations

import itertools
import multiprocessing
import statistics
import sys
from collections.abc import Callable, Iterable
from functools import partial

from cekura_wrapper._polling import PollSchedule

from .polling_sim import DURATIONS, RUN_COUNTS, SHAPES, CaseResult, run_case
from .report import Row, emit, number_spread

SEEDS = 1_000
QUICK_SEEDS = 100
SWEEP_SEEDS = 200
#: (max_interval, quiet_interval) pairs the sweep tries; the clients' defaults are (20, 11).
SWEEP: tuple[tuple[float, float], ...] = tuple(
    itertools.product((15.0, 20.0, 30.0), (10.0, 11.0, 12.5, 15.0))
)
CHOSEN = (20.0, 12.5)


def schedule_with(max_interval: float, quiet: float) -> PollSchedule:
    schedule = PollSchedule(1.0, max_interval)
    schedule.quiet_interval = quiet
    return schedule


def targets(case: CaseResult) -> list[tuple[str, bool]]:
    """The issue's targets for one case, judged on medians over the seeds ("never": every seed)."""
    ratios = [o.requests / b.requests for o, b in zip(case.ours, case.baseline, strict=True)]
    delay = statistics.median(o.delay for o in case.ours)
    checks: list[tuple[str, bool]] = []
    if case.shape == "stuck":
        checks.append(("gives up at its deadline", max(o.delay for o in case.ours) <= 1e-6))
        if case.duration >= 300:
            checks.append(("requests <= 50%", statistics.median(ratios) <= 0.5))
        return checks
    if case.duration <= 60:
        later = sum(o.delay > b.delay + 1e-9 for o, b in zip(case.ours, case.baseline, strict=True))
        checks.append(("never later than the 5 s poller", later == 0))
    elif case.with_progress:
        checks += [
            ("median delay <= 2.5 s", delay <= 2.5),
            ("requests <= 40%", statistics.median(ratios) <= 0.4),
        ]
    else:
        checks += [
            ("median delay <= 5 s", delay <= 5.0),
            ("requests <= 50%", statistics.median(ratios) <= 0.5),
        ]
    return checks


def case_row(case: CaseResult) -> Row:
    ratios = [o.requests / b.requests for o, b in zip(case.ours, case.baseline, strict=True)]
    later = sum(o.delay > b.delay + 1e-9 for o, b in zip(case.ours, case.baseline, strict=True))
    ours_delay = [o.delay for o in case.ours]
    base_delay = [b.delay for b in case.baseline]
    checks = targets(case)
    runs = f"{case.runs} run{'s' if case.runs > 1 else ''}"
    measure = "time past the deadline" if case.shape == "stuck" else "delay"
    return Row(
        "1 polling",
        f"D={case.duration:g} s, {runs}, {case.shape}: {measure} median (max); requests; later than 5 s poller",
        f"{statistics.median(ours_delay):.1f} s ({max(ours_delay):.1f} s); "
        f"{statistics.median(o.requests for o in case.ours):g} req; later in {later}/{len(ratios)}",
        f"{statistics.median(base_delay):.1f} s ({max(base_delay):.1f} s); "
        f"{statistics.median(b.requests for b in case.baseline):g} req",
        number_spread(ratios),
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


def sweep_rows(seeds: int) -> list[Row]:
    """The trade-off curve: each (max_interval, quiet_interval) on the D >= 300 s cases."""
    rows = []
    for max_interval, quiet in SWEEP:
        cases = all_cases(seeds, partial(schedule_with, max_interval, quiet), (300.0, 1800.0, 3600.0))
        judged = [all(ok for _, ok in targets(c)) for c in cases]
        groups: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
        for case in cases:
            if case.shape == "stuck":
                continue
            ratios, delays = groups[case.with_progress]
            ratios.append(
                statistics.median(
                    o.requests / b.requests for o, b in zip(case.ours, case.baseline, strict=True)
                )
            )
            delays.append(statistics.median(o.delay for o in case.ours))
        chosen = " (chosen)" if (max_interval, quiet) == CHOSEN else ""
        rows.append(
            Row(
                "1 sweep",
                f"max_interval {max_interval:g} s, quiet {quiet:g} s{chosen}: median over cases of "
                "(requests ratio, median delay), with progress | without",
                f"{statistics.median(groups[True][0]):.2f}, {statistics.median(groups[True][1]):.1f} s | "
                f"{statistics.median(groups[False][0]):.2f}, {statistics.median(groups[False][1]):.1f} s",
                "1.00, 2.5 s",
                f"{sum(judged)}/{len(judged)} cases met",
            )
        )
    return rows


def run(quick: bool, sweep: bool = False) -> list[Row]:
    rows = [case_row(case) for case in all_cases(QUICK_SEEDS if quick else SEEDS)]
    if sweep or not quick:
        rows += sweep_rows(QUICK_SEEDS if quick else SWEEP_SEEDS)
    return rows


if __name__ == "__main__":
    emit(run("--quick" in sys.argv, "--sweep" in sys.argv))
