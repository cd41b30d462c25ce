"""Exactly once, as near as Cekura's API allows: what could be the batch of an uncertain request
(pure: no I/O, no clock of its own).

Cekura takes no idempotency key, so a run request that failed after it was sent (a 5xx, a read
timeout, a dropped connection) may or may not have created a batch. The client looks instead
(``_lookup``); this module judges what it reads. Our clock sets the window: a batch created for
the request cannot be older than the moment it was sent, shifted by the clock skew measured from
the ``Date`` of the list answer being read (a 2xx of the API itself; the ``Date`` of an error,
often a gateway's, is never used), or by ``MAX_SKEW`` when that answer carries no readable date.
A skew beyond ``MAX_SKEW`` means the clocks cannot be trusted: no decision. A result is the batch
only when every field says so: a ``created_at`` inside the window, the planned agent (on the list
and on the detail), run count and multiset of scenario ids, and a detail whose ``id`` is the
listed one. A field that is missing or unreadable on a result that would otherwise match is a
doubt, never a "no": the lookup then cannot say "not created".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal

import attrs

from ._plan import RunPlan
from ._results import parse_runs, to_int

#: How long to keep looking for a batch that may not be listed yet, and how often.
DEFAULT_SETTLE_WINDOW: Final = 10.0
LOOKUP_INTERVAL: Final = 2.0
#: The largest clock skew between us and Cekura the lookup accepts; also the allowance used when
#: the list answer carries no readable ``Date``.
MAX_SKEW: Final = timedelta(minutes=2)
#: Slack for ``Date``'s one-second resolution and for ``created_at`` being stamped by another
#: machine of Cekura's than the one that stamped ``Date``.
DATE_MARGIN: Final = timedelta(seconds=5)
#: Characters of a ``created_at`` parsed at most (an ISO 8601 timestamp is about 32).
MAX_TIME_LENGTH: Final = 64


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (naive ones are UTC), else ``None``."""
    if not isinstance(value, str) or len(value) > MAX_TIME_LENGTH:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _span(delta: timedelta) -> str:
    seconds = abs(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds / 60:.0f} minutes" if seconds >= 120 else f"{seconds:.0f} s"


@attrs.frozen
class Window:
    """Creation times, by Cekura's clock, that a batch created for the request can have."""

    earliest: datetime
    #: A result created later than this was not in the list answer that names it: not believable.
    latest: datetime


def window_for(sent_at: datetime, server_date: datetime | None, received_at: datetime) -> Window | str:
    """The window for a request sent at ``sent_at`` (our clock), from a 2xx list answer received
    at ``received_at`` (our clock) with ``Date`` ``server_date``; a string says why the clocks
    cannot be trusted (a skew beyond ``MAX_SKEW``)."""
    if server_date is None:  # no date, or an unreadable one: our clock, the full allowance
        return Window(sent_at - MAX_SKEW, received_at + MAX_SKEW + DATE_MARGIN)
    # ``Date`` was stamped before we received the answer, so this is at most the true skew.
    skew = server_date - received_at
    if abs(skew) > MAX_SKEW:
        side = "behind" if skew < timedelta(0) else "ahead of"
        return (
            f"Cekura's clock (the list answer's Date, {server_date:%Y-%m-%d %H:%M:%S} UTC) is "
            f"{_span(skew)} {side} ours, more than the {_span(MAX_SKEW)} the lookup allows, so it "
            "cannot tell which results are new"
        )
    return Window(sent_at + skew - DATE_MARGIN, server_date + DATE_MARGIN + timedelta(seconds=1))


Verdict = Literal["older", "other", "candidate", "doubt", "match"]


@attrs.frozen
class Judged:
    """What one list entry or detail says: ``older`` (the scan may stop), ``other`` (not ours),
    ``candidate`` (read its detail), ``doubt`` (could be ours, cannot tell: ``reason``) or
    ``match`` (a detail that is ours)."""

    verdict: Verdict
    reason: str = ""


def _agrees(value: object, expected: int) -> bool | None:
    """Whether a field holds ``expected``: ``None`` when it is missing or not a number."""
    number = to_int(value)
    return None if number is None else number == expected


@attrs.frozen
class SentRequest:
    """A run request whose fate is unknown: what it asked for and when it was sent (our clock, UTC)."""

    plan: RunPlan
    sent_at: datetime

    @property
    def scenarios(self) -> Counter[int]:
        """Scenario id -> runs of it the batch holds."""
        counts: Counter[int] = Counter()
        for target in self.plan.scenarios:
            counts[target.scenario] += self.plan.frequency
        return counts

    def _fields(self, entry: Mapping[str, Any]) -> tuple[bool | None, ...]:
        """Agent and run count: each agrees (True), disagrees (False) or cannot be read (None)."""
        agent = True if self.plan.agent is None else _agrees(entry.get("agent"), self.plan.agent)
        return agent, _agrees(entry.get("total_runs_count"), self.plan.run_count)

    def judge_entry(self, result_id: int, entry: Mapping[str, Any], window: Window) -> Judged:
        """A list entry (with a readable id): older than the window, another batch, a candidate or a doubt."""
        created = parse_time(entry.get("created_at"))
        if created is not None and created < window.earliest:
            return Judged("older")
        fields = self._fields(entry)
        if False in fields:
            return Judged("other")
        if created is None:
            return Judged("doubt", f"result {result_id} could be this batch but has no readable created_at")
        if created > window.latest:
            return Judged(
                "doubt", f"result {result_id} could be this batch but claims to be created after the list was"
            )
        return Judged("candidate")

    def judge_detail(self, listed_id: int, detail: Mapping[str, Any]) -> Judged:
        """A candidate's detail: this batch (``match``), another (``other``) or a doubt. The run
        count is the runs' own when the detail carries no ``total_runs_count``."""
        detail_id = to_int(detail.get("id"))
        if detail_id != listed_id:
            shown = "no id" if detail_id is None else f"id {detail_id}"
            return Judged("doubt", f"Cekura answered a result with {shown} when asked for result {listed_id}")
        agent, run_count = self._fields(detail)
        runs = parse_runs(detail.get("runs"))
        scenarios = [run.scenario for run in runs]
        planned = self.scenarios
        known = Counter(scenario for scenario in scenarios if scenario is not None)
        too_many = len(runs) > self.plan.run_count or any(known[s] > planned[s] for s in known)
        if agent is False or run_count is False or too_many:
            return Judged("other")
        if agent is None or None in scenarios or not isinstance(detail.get("runs"), Mapping | list):
            return Judged(
                "doubt",
                f"result {listed_id} could be this batch but its detail lacks a readable agent, "
                "runs or scenario ids",
            )
        return Judged("match" if known == planned else "other")


@attrs.frozen
class Landed:
    result_id: int
    detail: Mapping[str, Any] = attrs.field(eq=False, repr=False, factory=dict)


@attrs.frozen
class NotLanded:
    looked_for: float


@attrs.frozen
class Undecided:
    reason: str
    candidates: tuple[int, ...] = ()


Outcome = Landed | NotLanded | Undecided
