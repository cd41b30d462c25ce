"""``--baseline`` and ``--fail-on regression`` for run --wait, watch and status.

The baseline is a result id, or ``latest``: the newest completed result of the same agent, older
than the one judged (Cekura's ids grow with time), whose targets cover this result's (every
scenario and URL of ours has runs there). The results list is walked a bounded number of pages and
each candidate is confirmed on its detail (the list's run summaries are short), at most
``MAX_DETAILS`` of them.

With ``--fail-on regression`` the gate passes when the result completed and no target regressed
significantly against the baseline (``judge_comparison``); with ``--fail-under`` as well, both must
hold. Without a baseline found, the default rule applies (every run must pass, or --fail-under).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import attrs
import click

from cekura_wrapper import Comparison, ListingError, Result, TargetStats, compare, display_url

from .comparison_report import (
    comparison_document,
    comparison_table,
    headline,
    judge_comparison,
    markdown_comparison,
)
from .exit_codes import ExitCode
from .inputs import InputProblem as Problem
from .verdict import Verdict, threshold_text

if TYPE_CHECKING:
    from cekura_wrapper import CekuraClient

    from .render import Output

LATEST: Final = "latest"
#: How far ``latest`` looks: list entries read, pages walked, candidates confirmed on their detail.
MAX_LISTED: Final = 200
PAGE_SIZE: Final = 50
MAX_PAGES: Final = 4
MAX_DETAILS: Final = 10

F = Callable[..., Any]


class BaselineType(click.ParamType[int | str]):
    """``--baseline``: a positive result id or ``latest``."""

    name = "RESULT_ID|latest"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | str:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        text = str(value).strip()
        if text.casefold() == LATEST:
            return LATEST
        if text.isdigit() and int(text) > 0:
            return int(text)
        shown = text if len(text) <= 40 else text[:37] + "..."
        self.fail(f"{shown!r} is neither a result id (a positive number) nor 'latest'", param, ctx)


def gate_options(function: F) -> F:
    """``--baseline`` and ``--fail-on``."""
    function = click.option(
        "--fail-on",
        type=click.Choice(["regression"]),
        default=None,
        help="With --baseline: pass when the result completed and no scenario/URL regressed "
        "significantly (one-sided Fisher exact test, p < 0.05), instead of 'every run passed'. "
        "With --fail-under, both must hold.",
    )(function)
    return click.option(
        "--baseline",
        type=BaselineType(),
        default=None,
        help="Compare the result with this result id, or with 'latest' (the newest completed result of "
        "the same agent whose scenarios and URLs cover this one's), and show the comparison.",
    )(function)


def gate_problems(baseline: int | str | None, fail_on: str | None) -> list[Problem]:
    """Flag problems, found before any request."""
    if fail_on is not None and baseline is None:
        return [Problem("--fail-on", "--fail-on regression needs --baseline RESULT_ID or --baseline latest")]
    return []


@attrs.frozen
class Gate:
    """What ``--baseline`` and ``--fail-on`` asked for."""

    baseline: int | str | None = None
    fail_on_regression: bool = False
    #: The agent of the batch ``run`` submitted (else the result's own ``agent`` field is used).
    agent: int | None = None


NO_GATE: Final = Gate()


@attrs.frozen
class BaselineChoice:
    """The comparison with the baseline picked, and why it was picked (``None``: none found)."""

    comparison: Comparison | None
    why: str


def missing_targets(candidate: Result, ours: Result) -> list[str]:
    """Our targets the candidate has no runs of (a scenario is matched on its own when either side
    does not know its URLs); empty when the candidate covers ours."""
    theirs = [target for target in candidate.targets() if target.total > 0]
    return [_label(target) for target in ours.targets() if not any(_covers(t, target) for t in theirs)]


def _covers(theirs: TargetStats, ours: TargetStats) -> bool:
    if theirs.scenario != ours.scenario:
        return False
    return (
        theirs.websocket_url is None
        or ours.websocket_url is None
        or theirs.websocket_url == ours.websocket_url
    )


def _label(target: TargetStats) -> str:
    url = f" at {display_url(target.websocket_url)}" if target.websocket_url else ""
    return f"scenario {target.scenario}{url}"


def _agent(result: Result, gate: Gate) -> int | None:
    agent = result.raw.get("agent")
    if gate.agent is not None:
        return gate.agent
    return agent if isinstance(agent, int) and not isinstance(agent, bool) and agent > 0 else None


def find_latest(client: CekuraClient, result: Result, gate: Gate) -> BaselineChoice:
    """The newest completed result of the same agent before ``result`` that covers its targets."""
    agent = _agent(result, gate)
    whose = f"agent {agent}" if agent is not None else "any agent (the result names none)"
    passed_over: list[str] = []
    confirmed = 0
    listing = client.list_results(agent, page_size=PAGE_SIZE, max_pages=MAX_PAGES)
    try:
        for entry in itertools.islice(listing, MAX_LISTED):
            if entry.id >= result.id or entry.status != "completed":
                continue
            if confirmed >= MAX_DETAILS:
                break
            detail = client.get_result(entry.id)
            confirmed += 1
            if detail.status != "completed":
                passed_over.append(f"{entry.id} is {detail.status} on its detail")
                continue
            missing = missing_targets(detail, result)
            if missing:
                more = " ..." if len(missing) > 3 else ""
                passed_over.append(f"{entry.id} lacks {', '.join(missing[:3])}{more}")
                continue
            why = (
                f"the newest completed result of {whose} before {result.id} whose scenarios and URLs cover it"
            )
            if passed_over:
                why += "; passed over " + "; ".join(passed_over[:5])
            return BaselineChoice(compare(result, detail), f"baseline {detail.id}: {why}")
    except ListingError:
        pass  # the walk's page bound: what was read is all ``latest`` considers
    looked = f"looked at {confirmed} completed result{'s' if confirmed != 1 else ''} of {whose}"
    return BaselineChoice(None, f"no baseline: no earlier completed result covers this one ({looked})")


def choose_baseline(client: CekuraClient, result: Result, gate: Gate) -> BaselineChoice | None:
    """The comparison ``gate`` asks for (``None`` without ``--baseline``); API errors propagate."""
    if gate.baseline is None:
        return None
    if gate.baseline == LATEST:
        return find_latest(client, result, gate)
    assert isinstance(gate.baseline, int)
    baseline = client.get_result(gate.baseline)
    return BaselineChoice(compare(result, baseline), f"baseline {baseline.id}: given with --baseline")


def gate_verdict(verdict: Verdict, result: Result, choice: BaselineChoice | None, gate: Gate) -> Verdict:
    """The default verdict, or with ``--fail-on regression`` and a baseline found, the regression
    rule (and ``--fail-under`` when given)."""
    if not gate.fail_on_regression or choice is None or choice.comparison is None:
        return verdict
    comparison = choice.comparison
    code, why = judge_comparison(comparison)
    rule = f"no scenario/URL may regress against baseline {comparison.baseline_id}"
    passed = code is ExitCode.OK
    if verdict.fail_under is not None:
        rule += f" and {threshold_text(verdict.fail_under)}"
        if not result.passes(verdict.fail_under):
            passed = False
            why = f"{why}; but {verdict.reason}" if code is ExitCode.OK else f"{why}; {verdict.reason}"
    return attrs.evolve(verdict, passed=passed, reason=f"result {result.id}: {why}", rule=rule)


def show_comparison(output: Output, choice: BaselineChoice | None) -> None:
    """The comparison table and one line on the baseline picked (stderr: which and why)."""
    if choice is None:
        return
    output.note(choice.why)
    if choice.comparison is not None:
        output.show(comparison_table(choice.comparison))
        code, _why = judge_comparison(choice.comparison)
        output.line(headline(choice.comparison, code is ExitCode.OK))


def comparison_markdown(choice: BaselineChoice | None) -> str:
    if choice is None:
        return ""
    if choice.comparison is None:
        return f"\n*{choice.why}*\n"
    code, _why = judge_comparison(choice.comparison)
    return "\n" + markdown_comparison(choice.comparison, code is ExitCode.OK)


def comparison_fields(choice: BaselineChoice | None) -> dict[str, Any]:
    """``baseline`` (which and why) and ``comparison`` (the compare document) for ``--json``."""
    if choice is None:
        return {}
    comparison = choice.comparison
    fields: dict[str, Any] = {
        "baseline": {"result_id": comparison.baseline_id if comparison else None, "why": choice.why}
    }
    if comparison is not None:
        code, why = judge_comparison(comparison)
        fields["comparison"] = comparison_document(comparison, exit_code=int(code), verdict=why)
    return fields


def junit_fields(choice: BaselineChoice | None) -> list[tuple[str, str]]:
    if choice is None or choice.comparison is None:
        return []
    comparison = choice.comparison
    return [
        ("baseline_id", str(comparison.baseline_id)),
        ("regressed_targets", str(len(comparison.regressed))),
    ]
