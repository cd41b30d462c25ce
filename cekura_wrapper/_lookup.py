"""The lookup of an uncertain submission as a state machine (pure: no I/O, no clock of its own).

The clients only ask ``step(now)`` what to do (send a request within a time limit, pause, or
stop with an ``Outcome``) and hand back each answer (``answered``) or failure (``failed``); both
clients share every decision. A pass reads the results list newest first down to the first result
older than the window (``_reconcile``), then the detail of each candidate. One match: it landed.
No match on a pass that started at or after the settle window's end: it was not created. Several,
a doubt, clocks that cannot be trusted, a list that does not end: undecided, at once. A failed
request that may succeed later (5xx, 429, connection) is looked at again while the window lasts.

Bounded whatever the server does: pauses end at the window's end, every request's time limit ends
by the window plus one request timeout, and a pass reads at most ``MAX_LOOKUP_PAGES`` pages,
``MAX_LOOKUP_ENTRIES`` entries and ``MAX_LOOKUP_DETAILS`` details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from ._errors import APIConnectionError, APIError, CekuraError
from ._listing import ResultPages
from ._reconcile import (
    DATE_MARGIN,
    LOOKUP_INTERVAL,
    Landed,
    NotLanded,
    Outcome,
    SentRequest,
    Undecided,
    Window,
    parse_time,
    window_for,
)

#: Pages, entries and details one pass reads at most (results newer than the request on a busy account).
MAX_LOOKUP_PAGES: Final = 20
MAX_LOOKUP_ENTRIES: Final = 2000
MAX_LOOKUP_DETAILS: Final = 20
#: Results per list page the lookup asks for.
LOOKUP_PAGE_SIZE: Final = 100
#: A request given less time than this is not sent: the lookup has run out of time.
MIN_REQUEST_TIME: Final = 0.05


@attrs.frozen
class Send:
    """Send ``request`` (relative to the API root) once, within ``timeout`` seconds."""

    request: dict[str, Any]
    timeout: float


@attrs.frozen
class Pause:
    seconds: float


Step = Send | Pause | Landed | NotLanded | Undecided


def _retriable(error: CekuraError) -> bool:
    """A failure that may not happen again: the connection, a 5xx, throttling."""
    return isinstance(error, APIConnectionError) or (
        isinstance(error, APIError) and (error.status_code >= 500 or error.status_code == 429)
    )


class Lookup:
    """The decisions of one lookup, started at ``started`` (the clients' monotonic clock)."""

    def __init__(
        self,
        sent: SentRequest,
        *,
        first: dict[str, Any],
        detail: Callable[[int], dict[str, Any]],
        base_url: str,
        started: float,
        window: float,
        request_timeout: float,
        interval: float = LOOKUP_INTERVAL,
    ) -> None:
        self.sent = sent
        self._first, self._detail, self._base_url = first, detail, base_url
        self.started = started
        self._deadline = started + window
        #: Nothing the lookup does lasts past this.
        self.hard_end = self._deadline + request_timeout
        self._request_timeout = request_timeout
        self._interval = interval
        self._outcome: Outcome | None = None
        self._resume_at = started
        self._pending: Send | None = None
        self._new_pass(started)

    def _new_pass(self, now: float) -> None:
        self._pass_started = now
        self._pages = ResultPages(self._first, base_url=self._base_url, max_pages=MAX_LOOKUP_PAGES)
        self._next_page: dict[str, Any] | None = self._first
        self._window: Window | None = None
        self._entries = 0
        self._newest: datetime | None = None
        self._to_read: list[int] = []
        self._reading: int | None = None
        self._confirmed: dict[int, Mapping[str, Any]] = {}

    def step(self, now: float) -> Step:
        """What to do now: send a request, pause, or the outcome."""
        if self._outcome is not None:
            return self._outcome
        if self._pending is not None:  # a pass between two requests, or the next one
            request = self._pending.request
        elif now < self._resume_at:
            return Pause(self._resume_at - now)
        else:
            self._new_pass(now)
            request = self._first
        limit = min(self._request_timeout, self.hard_end - now)
        if limit < MIN_REQUEST_TIME:
            return self._finish(Undecided(self._out_of_time()))
        self._pending = Send(request, limit)
        return self._pending

    def _out_of_time(self) -> str:
        return "the lookup ran out of time before it could read every result that could be the batch"

    def _finish(self, outcome: Outcome) -> Outcome:
        self._outcome, self._pending = outcome, None
        return outcome

    def failed(self, error: CekuraError, now: float) -> None:
        """The request of the last ``Send`` failed."""
        self._pending = None
        if not _retriable(error) or self._pass_started >= self._deadline:
            self._finish(Undecided(f"the lookup failed: {error}", tuple(sorted(self._confirmed))))
            return
        self._resume_at = now + min(self._interval, max(0.0, self._deadline - now))

    def answered(
        self, payload: Mapping[str, Any], *, server_date: datetime | None, received_at: datetime, now: float
    ) -> None:
        """The 2xx answer (a JSON object) to the last ``Send``, with its ``Date`` and when it arrived (our clock)."""
        self._pending = None
        if self._reading is not None:
            self._read_detail(self._reading, payload)
        else:
            self._read_page(payload, server_date, received_at)
        if self._outcome is None:
            self._continue(now)

    def _read_page(
        self, payload: Mapping[str, Any], server_date: datetime | None, received_at: datetime
    ) -> None:
        window = window_for(self.sent.sent_at, server_date, received_at)
        if isinstance(window, str):
            self._finish(Undecided(window))
            return
        self._window = self._window or window
        try:
            fresh, self._next_page = self._pages.read(payload, name="the results list")
        except APIError as exc:
            self._finish(Undecided(f"the lookup stopped: {exc}"))
            return
        if self._pages.unreadable:
            self._finish(
                Undecided(f"the results list holds {self._pages.unreadable} entries without a readable id")
            )
            return
        for summary in fresh:
            self._entries += 1
            if self._entries > MAX_LOOKUP_ENTRIES:
                self._finish(
                    Undecided(f"more than {MAX_LOOKUP_ENTRIES} results were listed since the request")
                )
                return
            if not self._judge(summary.id, summary.raw, self._window):
                return

    def _judge(self, result_id: int, entry: Mapping[str, Any], window: Window) -> bool:
        """Take one entry into account; ``False`` once the scan is over (older results or an outcome)."""
        created = parse_time(entry.get("created_at"))
        if created is not None:
            if self._newest is not None and created > self._newest + DATE_MARGIN:
                self._finish(
                    Undecided("the results list is not sorted newest first, so it cannot be scanned")
                )
                return False
            self._newest = created
        judged = self.sent.judge_entry(result_id, entry, window)
        if judged.verdict == "older":
            self._next_page = None
            return False
        if judged.verdict == "doubt":
            self._finish(Undecided(judged.reason, (result_id,)))
            return False
        if judged.verdict == "candidate":
            if len(self._to_read) >= MAX_LOOKUP_DETAILS:
                self._finish(Undecided(f"more than {MAX_LOOKUP_DETAILS} results could be this batch"))
                return False
            self._to_read.append(result_id)
        return True

    def _read_detail(self, result_id: int, detail: Mapping[str, Any]) -> None:
        self._reading = None
        judged = self.sent.judge_detail(result_id, detail)
        if judged.verdict == "doubt":
            self._finish(Undecided(judged.reason, tuple(sorted({*self._confirmed, result_id}))))
        elif judged.verdict == "match":
            self._confirmed[result_id] = detail

    def _continue(self, now: float) -> None:
        """The next request of this pass, or its conclusion."""
        if self._next_page is not None:
            self._pending = Send(self._next_page, 0.0)
        elif self._to_read:
            self._reading = self._to_read.pop(0)
            self._pending = Send(self._detail(self._reading), 0.0)
        else:
            self._conclude(now)

    def _conclude(self, now: float) -> None:
        confirmed = self._confirmed
        if len(confirmed) == 1:
            ((result_id, detail),) = confirmed.items()
            self._finish(Landed(result_id, detail))
        elif confirmed:
            agents = sorted({str(detail.get("agent")) for detail in confirmed.values()})
            of = f" (of agents {', '.join(agents)})" if len(agents) > 1 else ""
            self._finish(Undecided(f"several results match the request{of}", tuple(sorted(confirmed))))
        elif self._pass_started >= self._deadline:
            self._finish(NotLanded(now - self.started))
        else:
            self._resume_at = now + min(self._interval, max(0.0, self._deadline - now))
