"""The lookup's decisions, pure: the clock window, what each list entry and detail says, and the
state machine driven by simulated servers on a virtual clock (every bound is proved by counting
requests and virtual seconds, never by waiting)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cekura_wrapper import APIConnectionError, CekuraError, ListingError, NotFoundError, ServerError, plan_run
from cekura_wrapper._listing import ResultPages
from cekura_wrapper._lookup import MAX_LOOKUP_DETAILS, MAX_LOOKUP_PAGES, Lookup, Pause, Send
from cekura_wrapper._reconcile import (
    DATE_MARGIN,
    MAX_SKEW,
    Landed,
    NotLanded,
    Outcome,
    SentRequest,
    Undecided,
    Window,
    window_for,
)

SENT = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)
PLAN = plan_run(
    [(101, "wss://a.example/"), (102, "wss://b.example/"), (101, "wss://c.example/")], frequency=2, agent=7
)
REQUEST = SentRequest(PLAN, SENT)
WINDOW = Window(SENT - DATE_MARGIN, SENT + timedelta(seconds=30))
BASE = "https://api.example.test"
LIST = "/test_framework/v1/results/"
FIRST = {"method": "get", "url": LIST, "params": {"page_size": 100, "agent_id": 7}}


def entry(result_id: int, **fields: Any) -> dict[str, Any]:
    """A list entry that matches the plan unless ``fields`` say otherwise (``None`` drops one)."""
    body = {
        "id": result_id,
        "agent": 7,
        "total_runs_count": "6",
        "created_at": (SENT + timedelta(seconds=1)).isoformat(),
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def detail(result_id: int, scenarios: Sequence[int | None] | None = None, **fields: Any) -> dict[str, Any]:
    chosen = [101] * 4 + [102] * 2 if scenarios is None else scenarios
    runs = {str(n): {"id": n} if s is None else {"id": n, "scenario": s} for n, s in enumerate(chosen)}
    body = {"id": result_id, "agent": 7, "status": "running", "total_runs_count": len(chosen), "runs": runs}
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


# ----------------------------------------------------------------------------- the clock window


def test_without_a_readable_date_our_clock_sets_the_window_with_the_full_allowance() -> None:
    window = window_for(SENT, None, SENT + timedelta(seconds=3))
    assert isinstance(window, Window) and window.earliest == SENT - MAX_SKEW


@pytest.mark.parametrize("skew", [timedelta(seconds=-90), timedelta(0), timedelta(seconds=100)])
def test_a_measured_skew_within_the_bound_shifts_the_window_by_that_skew(skew: timedelta) -> None:
    received = SENT + timedelta(seconds=2)
    window = window_for(SENT, received + skew, received)
    assert isinstance(window, Window)
    assert window.earliest == SENT + skew - DATE_MARGIN
    assert window.latest > received + skew


@pytest.mark.parametrize(
    ("date", "words"),
    [
        (datetime(2001, 1, 1, tzinfo=UTC), "days behind ours"),
        (SENT - timedelta(days=2), "2 days behind ours"),
        (SENT + timedelta(minutes=10), "10 minutes ahead of ours"),
        (datetime(2100, 1, 1, tzinfo=UTC), "days ahead of ours"),
    ],
)
def test_a_skew_beyond_the_bound_is_a_reason_not_a_window(date: datetime, words: str) -> None:
    reason = window_for(SENT, date, SENT)
    assert isinstance(reason, str) and words in reason and "cannot tell" in reason


# ----------------------------------------------------------------------------- entries and details


@pytest.mark.parametrize(
    ("fields", "verdict"),
    [
        ({}, "candidate"),
        ({"agent": None, "total_runs_count": None}, "candidate"),  # read on the detail
        ({"created_at": (SENT - timedelta(minutes=1)).isoformat()}, "older"),
        ({"created_at": (SENT - timedelta(minutes=1)).isoformat(), "agent": 8}, "older"),
        ({"agent": 8}, "other"),
        ({"total_runs_count": 5}, "other"),
        ({"created_at": None}, "doubt"),
        ({"created_at": "01/02/2024 10:00"}, "doubt"),
        ({"created_at": "2026-12-02T18:00:01" + " " * 100}, "doubt"),  # too long to be a timestamp
        ({"created_at": None, "agent": 8}, "other"),
        ({"created_at": "2100-01-01T00:00:00Z"}, "doubt"),  # after the list was answered
        ({"created_at": "2026-12-02T18:00:01"}, "candidate"),  # naive: UTC
    ],
)
def test_a_list_entry_is_judged_on_every_field(fields: dict[str, Any], verdict: str) -> None:
    assert REQUEST.judge_entry(50, entry(50, **fields), WINDOW).verdict == verdict


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        (detail(50), "match"),
        (detail(50, total_runs_count=None), "match"),  # the runs count themselves
        (detail(50, [101] * 3 + [102] * 3), "other"),  # same run count, other scenarios
        (detail(50, [101] * 4 + [102]), "other"),
        (detail(50, [101] * 4 + [102] * 2 + [103]), "other"),
        (detail(50, agent=8), "other"),
        (detail(50, total_runs_count=7), "other"),
        (detail(50, agent=None), "doubt"),
        (detail(50, [101] * 4 + [102, None]), "doubt"),
        (detail(50, runs="many"), "doubt"),
        (detail(9999), "doubt"),
        (detail(50, id=None), "doubt"),
    ],
)
def test_a_detail_is_judged_on_its_id_agent_and_scenarios(body: dict[str, Any], verdict: str) -> None:
    assert REQUEST.judge_detail(50, body).verdict == verdict


def test_a_plan_without_agent_does_not_compare_agents() -> None:
    anyone = SentRequest(plan_run([(101, "wss://a.example/")], frequency=1), SENT)
    assert anyone.judge_entry(5, entry(5, agent=8, total_runs_count=1), WINDOW).verdict == "candidate"
    assert anyone.judge_detail(5, detail(5, [101], agent=None)).verdict == "match"


# ----------------------------------------------------------------------------- the list walk


def page(entries: list[Any], next_link: str | None = None) -> dict[str, Any]:
    return {"count": 999, "next": next_link, "results": entries}


@pytest.mark.parametrize(
    ("link", "words"),
    [
        (f"{BASE}{LIST}?page_size=100&agent_id=7", "repeats a page"),
        (f"{BASE}{LIST}?agent_id=7&page_size=100", "repeats a page"),
        (f"{BASE}{LIST}?page=1&page_size=100&agent_id=7", "goes back from page 1 to page 1"),
        ("https://elsewhere.test/test_framework/v1/results/?page=2", "leaves the API root"),
    ],
)
def test_a_next_link_that_loops_goes_back_or_away_ends_the_walk(link: str, words: str) -> None:
    pages = ResultPages(FIRST, base_url=BASE)
    with pytest.raises(ListingError, match=words):
        pages.read(page([entry(1)], link), name="GET list")


def test_a_walk_that_goes_back_after_moving_forward_ends() -> None:
    pages = ResultPages(FIRST, base_url=BASE)
    pages.read(page([entry(3)], f"{BASE}{LIST}?page=3"), name="GET list")
    with pytest.raises(ListingError, match="from page 3 to page 2"):
        pages.read(page([entry(2)], f"{BASE}{LIST}?page=2"), name="GET list")


def test_empty_pages_oversized_pages_and_stale_pages_end_the_walk() -> None:
    with pytest.raises(ListingError, match="empty page"):
        ResultPages(FIRST, base_url=BASE).read(page([], f"{BASE}{LIST}?page=2"), name="GET list")
    with pytest.raises(ListingError, match="1001 entries"):
        ResultPages(FIRST, base_url=BASE).read(page([entry(1)] * 1001), name="GET list")
    stale = ResultPages(FIRST, base_url=BASE)
    stale.read(page([entry(1)], f"{BASE}{LIST}?page=2"), name="GET list")
    stale.read(page([entry(1)], f"{BASE}{LIST}?page=3"), name="GET list")
    stale.read(page([entry(1)], f"{BASE}{LIST}?page=4"), name="GET list")
    with pytest.raises(ListingError, match="3 pages of the results list in a row brought no new result"):
        stale.read(page([entry(1)], f"{BASE}{LIST}?page=5"), name="GET list")
    assert isinstance(ListingError("x"), CekuraError) and ListingError("x").status_code == 200


def test_entries_that_are_not_results_are_counted() -> None:
    pages = ResultPages(FIRST, base_url=BASE)
    fresh, _ = pages.read(page([entry(1), "x", {"id": "no"}, {"id": 0}, entry(1)]), name="GET list")
    assert [r.id for r in fresh] == [1] and pages.unreadable == 3


# ----------------------------------------------------------------------------- the state machine

Answer = Mapping[str, Any] | CekuraError
Server = Callable[[dict[str, Any]], Answer]


def drive(
    server: Server,
    *,
    window: float = 10.0,
    timeout: float = 30.0,
    cost: Callable[[float], float] = lambda limit: 0.0,
    date: datetime | None = SENT,
) -> tuple[Outcome, list[dict[str, Any]], float]:
    """Run a lookup against ``server`` on a virtual clock: each request costs ``cost(limit)``
    seconds, each pause its length. The outcome, the requests and the virtual seconds it took."""
    now = 0.0
    lookup = Lookup(
        REQUEST,
        first=FIRST,
        detail=lambda result_id: {"method": "get", "url": f"{LIST}{result_id}/"},
        base_url=BASE,
        started=now,
        window=window,
        request_timeout=timeout,
    )
    sent: list[dict[str, Any]] = []
    for _ in range(10_000):
        step = lookup.step(now)
        if isinstance(step, Pause):
            assert step.seconds > 0
            now += step.seconds
            continue
        if not isinstance(step, Send):
            return step, sent, now
        assert 0 < step.timeout <= timeout
        sent.append(step.request)
        now += min(cost(step.timeout), step.timeout)
        answer = server(step.request)
        if isinstance(answer, CekuraError):
            lookup.failed(answer, now)
        else:
            lookup.answered(answer, server_date=date, received_at=SENT, now=now)
    raise AssertionError("the lookup never ended")


def listing(*entries: dict[str, Any], details: Mapping[int, dict[str, Any]] | None = None) -> Server:
    """A server with one list page of ``entries`` and the details of the matching batch ids."""
    known = details or {}

    def answer(request: dict[str, Any]) -> Answer:
        if request["url"] == LIST:
            return page(list(entries))
        result_id = int(request["url"].rstrip("/").rsplit("/", 1)[1])
        return known.get(result_id) or NotFoundError("404", status_code=404, body="")

    return answer


def test_one_match_is_followed_after_one_page_and_one_detail() -> None:
    outcome, sent, _ = drive(listing(entry(50), entry(49, total_runs_count=1), details={50: detail(50)}))
    assert outcome == Landed(50) and len(sent) == 2


def test_nothing_in_the_window_is_not_created_only_after_the_window() -> None:
    old = entry(40, created_at=(SENT - timedelta(minutes=5)).isoformat())
    outcome, sent, elapsed = drive(listing(entry(41, total_runs_count=1), old, entry(39)), window=10.0)
    assert outcome == NotLanded(10.0)
    assert len(sent) == 6 and elapsed == 10.0  # a pass at 0, 2, 4, 6, 8 and 10 s; none reads past 40


def test_several_matches_are_undecided_with_their_agents_when_the_plan_names_none() -> None:
    anyone = plan_run([(101, "wss://a.example/")], frequency=1)
    lookup = Lookup(
        SentRequest(anyone, SENT),
        first=FIRST,
        detail=lambda i: {"url": str(i)},
        base_url=BASE,
        started=0.0,
        window=0.0,
        request_timeout=5.0,
    )
    lookup.step(0.0)
    lookup.answered(
        page([entry(2, agent=8, total_runs_count=1), entry(1, total_runs_count=1)]),
        server_date=SENT,
        received_at=SENT,
        now=0.0,
    )
    lookup.step(0.0)
    lookup.answered(detail(2, [101], agent=8), server_date=None, received_at=SENT, now=0.0)
    lookup.step(0.0)
    lookup.answered(detail(1, [101], agent=7), server_date=None, received_at=SENT, now=0.0)
    outcome = lookup.step(0.0)
    assert outcome == Undecided("several results match the request (of agents 7, 8)", (1, 2))


@pytest.mark.parametrize(
    ("server", "words", "requests"),
    [
        (listing(entry(50, created_at=None)), "no readable created_at", 1),
        (listing(entry(50, created_at="01/02/2024 10:00")), "no readable created_at", 1),
        (listing(entry(50), details={50: detail(9999)}), "id 9999 when asked for result 50", 2),
        (listing(entry(50), "garbage"), "without a readable id", 1),  # type: ignore[arg-type]
        (
            listing(entry(50), entry(51, created_at=(SENT + timedelta(minutes=1)).isoformat())),
            "not sorted newest first",
            1,
        ),
    ],
)
def test_doubts_are_undecided_at_once(server: Server, words: str, requests: int) -> None:
    outcome, sent, elapsed = drive(server)
    assert isinstance(outcome, Undecided) and words in outcome.reason
    assert len(sent) == requests and elapsed == 0.0


def test_another_agent_on_the_detail_is_not_followed() -> None:
    outcome, sent, _ = drive(listing(entry(50), details={50: detail(50, agent=8)}), window=2.0)
    assert outcome == NotLanded(2.0) and len(sent) == 4  # two passes, each one page and one detail


def test_a_date_beyond_the_bound_on_the_list_is_undecided_after_one_request() -> None:
    outcome, sent, _ = drive(listing(entry(50)), date=SENT - timedelta(days=2))
    assert isinstance(outcome, Undecided) and "2 days behind ours" in outcome.reason and len(sent) == 1


def test_too_many_candidates_are_undecided() -> None:
    many = [entry(100 - n) for n in range(MAX_LOOKUP_DETAILS + 1)]
    outcome, sent, _ = drive(listing(*many))
    assert isinstance(outcome, Undecided) and "more than 20 results could be" in outcome.reason
    assert len(sent) == 1


def endless(request: dict[str, Any]) -> Answer:
    """Every page links to the next, each with one result that is not the batch."""
    number = int(request["url"].rsplit("=", 1)[1]) if "page=" in request["url"] else 1
    return page([entry(10_000 - number, total_runs_count=1)], f"{BASE}{LIST}?page={number + 1}")


def self_loop(request: dict[str, Any]) -> Answer:
    return page([entry(7, total_runs_count=1)], f"{BASE}{LIST}?page_size=100&agent_id=7")


def always(error: CekuraError) -> Server:
    return lambda request: error


@pytest.mark.parametrize(
    ("server", "words", "requests"),
    [
        (endless, f"more than {MAX_LOOKUP_PAGES} pages", MAX_LOOKUP_PAGES),
        (self_loop, "repeats a page already read", 1),
        (always(NotFoundError("404 Not found", status_code=404, body="")), "the lookup failed: 404", 1),
    ],
)
def test_a_list_that_does_not_end_is_undecided_within_its_caps(
    server: Server, words: str, requests: int
) -> None:
    outcome, sent, elapsed = drive(server)
    assert isinstance(outcome, Undecided) and words in outcome.reason
    assert len(sent) == requests and elapsed == 0.0


@pytest.mark.parametrize(
    "server",
    [
        endless,
        self_loop,
        always(ServerError("503", status_code=503, body="")),
        always(APIConnectionError("connection refused")),
        listing(entry(50, total_runs_count=1)),
        listing(entry(50), details={50: detail(50)}),
    ],
    ids=["endless", "self-loop", "503", "refused", "nothing", "found"],
)
@pytest.mark.parametrize("cost", [0.0, 0.7, 1.0], ids=["instant", "slow", "every-request-times-out"])
@pytest.mark.parametrize("window", [0.0, 3.0, 10.0])
def test_the_lookup_ends_within_its_window_plus_one_request_timeout(
    server: Server, cost: float, window: float
) -> None:
    timeout = 4.0
    outcome, sent, elapsed = drive(server, window=window, timeout=timeout, cost=lambda limit: cost * limit)
    assert elapsed <= window + timeout
    assert (
        1 <= len(sent) <= MAX_LOOKUP_PAGES * (2 + int(window / 2.0))
    )  # a pass every 2 s, one more at the end
    if server not in (endless, self_loop):
        assert (
            not isinstance(outcome, Undecided)
            or "failed" in outcome.reason
            or "out of time" in outcome.reason
        )


def test_failures_that_may_pass_are_looked_at_again_until_the_window_ends() -> None:
    outcome, sent, elapsed = drive(
        always(ServerError("Cekura answered 503", status_code=503, body="")), window=4.0
    )
    assert isinstance(outcome, Undecided) and outcome.reason == "the lookup failed: Cekura answered 503"
    assert len(sent) == 3 and elapsed == 4.0  # at 0, 2 and 4 s


def lookup_of(window: float, timeout: float) -> Lookup:
    return Lookup(
        REQUEST,
        first=FIRST,
        detail=lambda i: {},
        base_url=BASE,
        started=0.0,
        window=window,
        request_timeout=timeout,
    )


def test_each_request_gets_only_the_time_left_before_the_window_plus_one_timeout() -> None:
    lookup = lookup_of(1.0, 2.0)
    first = lookup.step(0.0)
    assert isinstance(first, Send) and first.timeout == 2.0
    lookup.failed(ServerError("Cekura answered 502", status_code=502, body=""), 0.5)
    assert lookup.step(0.5) == Pause(0.5)  # never past the window's end
    second = lookup.step(1.0)
    assert isinstance(second, Send) and second.timeout == 2.0
    lookup.answered(page([entry(50)], f"{BASE}{LIST}?page=2"), server_date=SENT, received_at=SENT, now=2.5)
    third = lookup.step(2.5)
    assert isinstance(third, Send) and third.timeout == pytest.approx(0.5)
    lookup.answered(page([entry(49)], f"{BASE}{LIST}?page=3"), server_date=SENT, received_at=SENT, now=2.97)
    outcome = lookup.step(2.97)
    assert isinstance(outcome, Undecided) and "ran out of time" in outcome.reason
    assert lookup.step(100.0) is outcome  # decided once


def test_a_failure_on_the_last_pass_is_undecided_not_looked_at_again() -> None:
    lookup = lookup_of(0.0, 2.0)
    lookup.step(0.0)
    lookup.failed(APIConnectionError("connection refused"), 1.0)
    assert lookup.step(1.0) == Undecided("the lookup failed: connection refused")


def test_a_busy_list_is_undecided_past_the_entry_cap() -> None:
    def busy(request: dict[str, Any]) -> Answer:
        number = int(request["url"].rsplit("=", 1)[1]) if "page=" in request["url"] else 1
        entries = [entry(100_000 - number * 1000 - n, total_runs_count=1) for n in range(1000)]
        return page(entries, f"{BASE}{LIST}?page={number + 1}")

    outcome, sent, _ = drive(busy)
    assert isinstance(outcome, Undecided) and "more than 2000 results were listed" in outcome.reason
    assert len(sent) == 3


def test_a_page_without_results_and_a_skew_of_hours_are_undecided() -> None:
    outcome, sent, _ = drive(lambda request: {"count": 1})
    assert isinstance(outcome, Undecided) and "without a 'results' list" in outcome.reason and len(sent) == 1
    outcome, _, _ = drive(listing(entry(50)), date=SENT + timedelta(hours=5))
    assert isinstance(outcome, Undecided) and "5 hours ahead of ours" in outcome.reason
