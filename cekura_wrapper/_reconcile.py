"""Exactly once, as near as Cekura's API allows (pure: no I/O, no clock of its own).

Cekura takes no idempotency key, so a run request that failed after it was sent (a 5xx, a read
timeout, a dropped connection) may or may not have created a batch. Instead of failing the job,
the client looks: results created since the request was sent (allowing for clock skew: the
server's ``Date`` when its answer carried one, else a margin of a couple of minutes) with the
planned number of runs are candidates, and a candidate whose runs' scenario ids are, as a
multiset, exactly the plan's is the batch. One match: it landed. None after the settle window
(creation may lag behind the failure): it did not. Several, or a lookup that fails: undecided,
never a guess. Nothing is ever resent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Final

import attrs

from ._plan import RunPlan
from ._results import Result

#: How long to keep looking for a batch that may not be listed yet, and how often.
DEFAULT_SETTLE_WINDOW: Final = 10.0
LOOKUP_INTERVAL: Final = 2.0
#: Allowed difference between our clock and Cekura's when no ``Date`` header was received.
CLOCK_SKEW: Final = timedelta(minutes=2)
#: Margin around the server's ``Date`` (the batch was created before that answer was sent).
DATE_MARGIN: Final = timedelta(seconds=5)
#: Results newer than the request that are scanned at most per lookup (a busy account).
MAX_SCANNED: Final = 500


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 timestamp as an aware datetime (naive ones are UTC), else ``None``."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@attrs.frozen
class SentRequest:
    """A run request whose fate is unknown: what it asked for and when."""

    plan: RunPlan
    #: When it was sent, by our clock (UTC).
    sent_at: datetime
    #: The ``Date`` of the failed answer, by Cekura's clock, when one was received.
    server_date: datetime | None = None
    #: Seconds between sending and that answer.
    elapsed: float = 0.0

    @property
    def earliest(self) -> datetime:
        """No batch created for this request can be older than this (by Cekura's clock)."""
        if self.server_date is not None:
            return self.server_date - timedelta(seconds=self.elapsed) - DATE_MARGIN
        return self.sent_at - CLOCK_SKEW

    @property
    def scenarios(self) -> Counter[int]:
        """Scenario id -> runs of it the batch holds."""
        counts: Counter[int] = Counter()
        for target in self.plan.scenarios:
            counts[target.scenario] += self.plan.frequency
        return counts

    def candidates(self, newest_first: Iterable[Result]) -> list[int]:
        """Ids of listed results that could be this batch, scanning until they are older than
        ``earliest``; ``LookupIncomplete`` past ``MAX_SCANNED``."""
        found: list[int] = []
        for scanned, summary in enumerate(newest_first, start=1):
            created = parse_time(summary.raw.get("created_at"))
            if created is not None and created < self.earliest:
                break
            if scanned > MAX_SCANNED:
                raise LookupIncomplete(f"more than {MAX_SCANNED} results were created since the request")
            agent_matches = self.plan.agent is None or summary.raw.get("agent") in (None, self.plan.agent)
            if summary.total_runs == self.plan.run_count and agent_matches:
                found.append(summary.id)
        return found

    def confirms(self, detail: Result) -> bool:
        """Whether a result's runs are exactly this request's (the multiset of scenario ids)."""
        runs = [run.scenario for run in detail.runs]
        return None not in runs and Counter(run for run in runs if run is not None) == self.scenarios


class LookupIncomplete(Exception):
    """The lookup could not see everything it needed."""


@attrs.frozen
class Landed:
    result_id: int


@attrs.frozen
class NotLanded:
    looked_for: float


@attrs.frozen
class Undecided:
    reason: str
    candidates: tuple[int, ...] = ()


Outcome = Landed | NotLanded | Undecided


class Search:
    """The decisions of one reconciliation; the clients only list, read, sleep and ask again."""

    def __init__(
        self, *, started: float, window: float = DEFAULT_SETTLE_WINDOW, interval: float = LOOKUP_INTERVAL
    ) -> None:
        self.started = started
        self.window = window
        self.interval = interval

    def decide(self, confirmed: list[int], now: float) -> Outcome | None:
        """The outcome of a lookup that confirmed ``confirmed``; ``None``: look again after ``delay``."""
        if len(confirmed) == 1:
            return Landed(confirmed[0])
        if len(confirmed) > 1:
            return Undecided("several results match the request", tuple(sorted(confirmed)))
        if now - self.started >= self.window:
            return NotLanded(now - self.started)
        return None

    def delay(self, now: float) -> float:
        """Seconds to wait before the next lookup (never past the window's end)."""
        return max(0.0, min(self.interval, self.started + self.window - now))
