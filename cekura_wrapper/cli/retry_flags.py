"""The flags of ``run --retry-failed`` and ``plan --retry-failed``, and the cap on their cost
(light: no client is imported; ``retrying`` follows the rounds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from cekura_wrapper import DEFAULT_MAX_EXTRA_RUNS, worst_case_extra_runs

from .inputs import InputProblem as Problem

F = Callable[..., Any]


def retry_options(function: F) -> F:
    """``--retry-failed``, ``--max-extra-runs`` and ``--allow-flaky``."""
    function = click.option(
        "--allow-flaky",
        is_flag=True,
        help="With --retry-failed: a target that failed, then passed on a retry, counts as passed "
        "(by default flaky counts as failed).",
    )(function)
    function = click.option(
        "--max-extra-runs",
        type=click.IntRange(min=0),
        default=DEFAULT_MAX_EXTRA_RUNS,
        show_default=True,
        metavar="M",
        help="Never resubmit more than M runs in all; a batch whose worst case (every run failing "
        "every round) could pass it is refused before anything is sent.",
    )(function)
    return click.option(
        "--retry-failed",
        type=click.IntRange(min=0, max=10),
        default=0,
        show_default=True,
        metavar="N",
        help="With --wait: after the result ends, resubmit only the scenario/URL targets whose runs "
        "failed (as often as they failed), as a new result, up to N rounds; each target ends passed, "
        "flaky or failing.",
    )(function)


def retry_flag_problems(
    *, retry_failed: int, allow_flaky: bool, fail_under: float | None, fail_on: str | None
) -> list[Problem]:
    """Flag combinations refused before any request (exit 2)."""
    problems = []
    if allow_flaky and not retry_failed:
        problems.append(Problem("--allow-flaky", "--allow-flaky needs --retry-failed N"))
    if retry_failed:
        for flag, value in (("--fail-under", fail_under), ("--fail-on", fail_on)):
            if value is not None:
                problems.append(
                    Problem(flag, f"{flag} cannot be combined with --retry-failed (it judges each target)")
                )
    return problems


def cost_problems(retry_failed: int, max_extra_runs: int, run_count: int) -> list[Problem]:
    """The cap: a batch whose retries could pass ``--max-extra-runs`` is an input error."""
    worst = worst_case_extra_runs(run_count, retry_failed)
    if worst <= max_extra_runs:
        return []
    return [
        Problem(
            "--retry-failed",
            f"{retry_failed} retry round{'s' if retry_failed != 1 else ''} could resubmit up to "
            f"{retry_failed} x {run_count} = {worst} runs, over --max-extra-runs {max_extra_runs} "
            "(raise the cap, retry fewer rounds, or run fewer runs)",
        )
    ]


def cost_line(retry_failed: int, max_extra_runs: int, run_count: int) -> str:
    """What ``plan`` says about the retries' worst case."""
    worst = worst_case_extra_runs(run_count, retry_failed)
    return (
        f"Retries: up to {retry_failed} round{'s' if retry_failed != 1 else ''} of failed runs, at worst "
        f"{worst} extra runs (cap --max-extra-runs {max_extra_runs})"
    )
