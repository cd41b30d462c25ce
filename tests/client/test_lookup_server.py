"""The lookup of an uncertain submission against a stand-in Cekura on 127.0.0.1 that lies about
its clock, its fields and its pages. Each case asserts the outcome (followed, not created,
uncertain), the requests that reached the server, and that the lookup ended within its window,
on the client's injected clocks (our date is frozen; no case waits on real time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from cli_helpers import invoke
from fault_server import RUN_PATH, FaultServer, Reply

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    ListingError,
    SubmissionNotCreatedError,
    SubmissionUncertainError,
)
from cekura_wrapper._api import list_results_request
from cekura_wrapper._lookup import LOOKUP_PAGE_SIZE, MAX_LOOKUP_PAGES

KEY = "sk-lookup-stand-in-key"
NOW = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)  # our clock, frozen
FLEET = [(101, "ws://127.0.0.1:9/a"), (102, "ws://127.0.0.1:9/b")]
WINDOW, TIMEOUT = 4.0, 5.0


def http_date(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


def list_path(agent: int | None = 7, page_size: int = LOOKUP_PAGE_SIZE, page: int | None = None) -> str:
    request = list_results_request(agent=agent, page_size=page_size)
    params = {**request["params"], **({} if page is None else {"page": page})}
    return httpx.URL(request["url"], params=params).raw_path.decode()


def detail_path(result_id: int) -> str:
    return f"/test_framework/v1/results/{result_id}/"


def entry(result_id: int, **fields: Any) -> dict[str, Any]:
    """A list entry of the planned batch (agent 7, two runs), created just after the request."""
    body = {
        "id": result_id,
        "name": "batch",
        "agent": 7,
        "status": "running",
        "total_runs_count": "2",
        "created_at": (NOW + timedelta(seconds=1)).isoformat(),
    }
    body.update(fields)
    return {key: value for key, value in body.items() if value is not None}


def detail(result_id: int, **fields: Any) -> dict[str, Any]:
    runs = {"1": {"id": 1, "scenario": 101}, "2": {"id": 2, "scenario": 102}}
    return {"id": result_id, "agent": 7, "status": "running", "total_runs_count": 2, "runs": runs, **fields}


def page(*entries: dict[str, Any], next_link: str | None = None, date: datetime | str = NOW) -> Reply:
    shown = date if isinstance(date, str) else http_date(date)
    body = {"count": len(entries), "next": next_link, "previous": None, "results": list(entries)}
    return Reply(200, body, headers={"Date": shown})


class Clocks:
    """The client's monotonic clock, advanced by its sleeps and, with ``cost``, by each request."""

    def __init__(self, cost: float = 0.0) -> None:
        self.now = 0.0
        self.cost = cost

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.now += seconds

    def on_request(self, request: httpx.Request) -> None:
        """A lookup request that takes ``cost`` times its whole time limit (1.0: each times out)."""
        if request.method == "GET":
            self.now += self.cost * float(request.extensions["timeout"]["read"])


def lookup_client(server: FaultServer, clocks: Clocks) -> CekuraClient:
    http = httpx.Client(event_hooks={"request": [clocks.on_request]})
    client = CekuraClient(
        KEY, base_url=server.url, timeout=TIMEOUT, reconcile_window=WINDOW, http_client=http
    )
    return client._set_time(clock=clocks.clock, sleep=clocks.sleep, wall=lambda: NOW)


def submit(server: FaultServer, clocks: Clocks | None = None, *, failed: Reply | None = None) -> Any:
    """Run the plan once against ``server`` (its POST fails with ``failed``, a 502 by default):
    the submission, or the error it raised."""
    server.queue("POST", RUN_PATH, failed or Reply(502, {"detail": "Bad gateway"}))
    clocks = clocks or Clocks()
    with lookup_client(server, clocks) as client:
        try:
            return client.run_scenarios(FLEET, frequency=1, agent=7)
        except (SubmissionUncertainError, SubmissionNotCreatedError) as exc:
            return exc
        finally:
            assert clocks.now <= WINDOW + TIMEOUT, "the lookup outlived its window plus one request timeout"


def gets(server: FaultServer) -> list[str]:
    assert len(server.received("POST", RUN_PATH)) == 1, "the run request was resent"
    return [request.path for request in server.requests if request.method == "GET"]


YESTERDAY = (NOW - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "date", [NOW - timedelta(days=2), datetime(2001, 1, 1, tzinfo=UTC)], ids=["2-days-behind", "2001"]
)
def test_a_past_date_on_the_502_never_widens_the_window_to_yesterdays_batch(
    server: FaultServer, date: datetime
) -> None:
    server.default("GET", list_path(), page(entry(40, created_at=YESTERDAY)))
    server.default("GET", detail_path(40), Reply(200, detail(40)))
    outcome = submit(server, failed=Reply(502, {}, headers={"Date": http_date(date)}))
    assert isinstance(outcome, SubmissionNotCreatedError)
    assert gets(server) == [list_path()] * 3  # a pass at 0, 2 and 4 s; yesterday's batch is never read


@pytest.mark.parametrize(
    "date", [NOW + timedelta(minutes=10), datetime(2100, 1, 1, tzinfo=UTC)], ids=["10-min-ahead", "2100"]
)
def test_a_future_date_on_the_502_never_hides_the_batch_that_was_created(
    server: FaultServer, date: datetime
) -> None:
    server.queue("GET", list_path(), page(entry(50)))
    server.queue("GET", detail_path(50), Reply(200, detail(50)))
    submission = submit(server, failed=Reply(502, {}, headers={"Date": http_date(date)}))
    assert submission.reconciled and submission.result_id == 50
    assert gets(server) == [list_path(), detail_path(50)]


@pytest.mark.parametrize(
    ("date", "words"),
    [
        (NOW - timedelta(days=2), "2 days behind ours"),
        (NOW + timedelta(minutes=10), "10 minutes ahead of ours"),
    ],
)
def test_a_list_date_beyond_the_skew_bound_is_uncertain(
    server: FaultServer, date: datetime, words: str
) -> None:
    server.default("GET", list_path(), page(entry(50), date=date))
    outcome = submit(server)
    assert isinstance(outcome, SubmissionUncertainError) and words in str(outcome)
    assert gets(server) == [list_path()]


def test_a_measured_skew_keeps_an_identical_batch_from_before_the_request_out(server: FaultServer) -> None:
    ahead = timedelta(seconds=60)  # Cekura's clock runs a minute ahead: its "now" is NOW + 60 s
    before_ours = entry(50, created_at=(NOW + ahead - timedelta(seconds=30)).isoformat())
    server.default("GET", list_path(), page(before_ours, date=NOW + ahead))
    outcome = submit(server)
    assert isinstance(
        outcome, SubmissionNotCreatedError
    )  # without the skew, a 2-minute allowance would follow it
    assert gets(server) == [list_path()] * 3


@pytest.mark.parametrize("date", ["garbage", "Tue, 99 Foo 2026 25:61:00 GMT"])
def test_a_garbage_list_date_falls_back_to_our_clock(server: FaultServer, date: str) -> None:
    ours = entry(50, created_at=(NOW - timedelta(seconds=90)).isoformat())  # within the 2-minute allowance
    older = entry(49, created_at=(NOW - timedelta(minutes=3)).isoformat())
    server.queue("GET", list_path(), page(ours, older, date=date))
    server.queue("GET", detail_path(50), Reply(200, detail(50)))
    submission = submit(server)
    assert submission.reconciled and submission.result_id == 50
    assert gets(server) == [list_path(), detail_path(50)]


@pytest.mark.parametrize(
    "created_at", [None, "01/02/2024 10:00", 20241202], ids=["missing", "unreadable", "number"]
)
def test_an_entry_without_a_readable_created_at_is_uncertain_never_followed(
    server: FaultServer, created_at: object
) -> None:
    server.default("GET", list_path(), page(entry(50, created_at=created_at)))
    server.default("GET", detail_path(50), Reply(200, detail(50)))
    outcome = submit(server)
    assert isinstance(outcome, SubmissionUncertainError)
    assert "no readable created_at" in str(outcome) and outcome.candidates == (50,)
    assert gets(server) == [list_path()]


@pytest.mark.parametrize("listed_agent", [7, None], ids=["list-says-7", "list-says-nothing"])
def test_a_batch_of_another_agent_is_never_followed(server: FaultServer, listed_agent: int | None) -> None:
    server.default("GET", list_path(), page(entry(50, agent=listed_agent)))
    server.default("GET", detail_path(50), Reply(200, detail(50, agent=8)))
    outcome = submit(server)
    assert isinstance(outcome, SubmissionNotCreatedError)
    assert gets(server) == [list_path(), detail_path(50)] * 3


def test_a_detail_with_another_id_is_uncertain_never_followed(server: FaultServer) -> None:
    server.default("GET", list_path(), page(entry(50)))
    server.default("GET", detail_path(50), Reply(200, detail(9999)))
    outcome = submit(server)
    assert isinstance(outcome, SubmissionUncertainError)
    assert "id 9999 when asked for result 50" in str(outcome) and outcome.candidates == (50,)
    assert gets(server) == [list_path(), detail_path(50)]


def test_a_next_link_to_the_same_page_ends_the_lookup_at_once(server: FaultServer) -> None:
    server.default(
        "GET", list_path(), page(entry(41, total_runs_count="5"), next_link=server.url + list_path())
    )
    outcome = submit(server)
    assert isinstance(outcome, SubmissionUncertainError) and "repeats a page already read" in str(outcome)
    assert gets(server) == [list_path()]


def endless_pages(server: FaultServer, pages: int, *, empty: bool = False) -> None:
    """Pages 1..``pages``, each linking to the next; each holds one result that is not the batch."""
    for number in range(1, pages + 1):
        path = list_path(page=None if number == 1 else number)
        entries = [] if empty else [entry(1000 - number, total_runs_count="5")]
        server.default("GET", path, page(*entries, next_link=server.url + list_path(page=number + 1)))


def test_endless_pages_end_the_lookup_at_its_page_cap(server: FaultServer) -> None:
    endless_pages(server, MAX_LOOKUP_PAGES + 5)
    outcome = submit(server)
    assert isinstance(outcome, SubmissionUncertainError) and f"more than {MAX_LOOKUP_PAGES} pages" in str(
        outcome
    )
    assert len(gets(server)) == MAX_LOOKUP_PAGES


def test_endless_empty_pages_end_the_lookup_at_the_first(server: FaultServer) -> None:
    endless_pages(server, 5, empty=True)
    outcome = submit(server)
    assert isinstance(outcome, SubmissionUncertainError) and "empty page that links to another" in str(
        outcome
    )
    assert gets(server) == [list_path()]


def test_endless_pages_that_each_take_the_whole_timeout_end_within_window_plus_one_timeout(
    server: FaultServer,
) -> None:
    endless_pages(server, MAX_LOOKUP_PAGES + 5)
    clocks = Clocks(cost=1.0)  # every request lasts its whole time limit
    outcome = submit(server, clocks)
    assert isinstance(outcome, SubmissionUncertainError) and "ran out of time" in str(outcome)
    assert clocks.now == WINDOW + TIMEOUT
    assert len(gets(server)) == 2  # 5 s, then the 4 s left; nothing starts after that


async def test_the_async_client_decides_the_same_way(server: FaultServer) -> None:
    server.queue("POST", RUN_PATH, Reply(502, {}, headers={"Date": http_date(NOW - timedelta(days=2))}))
    server.default("GET", list_path(), page(entry(50)))
    server.default("GET", detail_path(50), Reply(200, detail(9999)))
    clocks = Clocks()
    client = AsyncCekuraClient(KEY, base_url=server.url, timeout=TIMEOUT, reconcile_window=WINDOW)
    async with client._set_time(clock=clocks.clock, sleep=clocks.async_sleep, wall=lambda: NOW) as cekura:
        with pytest.raises(SubmissionUncertainError, match="id 9999 when asked for result 50"):
            await cekura.run_scenarios(FLEET, frequency=1, agent=7)
        server.queue("POST", RUN_PATH, Reply(502, {}))
        server.default("GET", detail_path(50), Reply(200, detail(50)))
        submission = await cekura.run_scenarios(FLEET, frequency=1, agent=7)
    assert submission.reconciled and submission.result_id == 50
    assert [r.path for r in server.requests if r.method == "GET"] == [list_path(), detail_path(50)] * 2
    assert clocks.now == 0.0


def test_cekura_ws_results_on_a_looping_list_is_a_server_fault(server: FaultServer) -> None:
    first = list_path(agent=None, page_size=5)
    server.default("GET", first, page(entry(41), next_link=server.url + first))
    looping = invoke(["results", "--limit", "5"], api_key=KEY, base_url=server.url)
    assert looping.exit_code == 3, looping.output
    assert "repeats a page already read" in looping.stderr
    assert [r.path for r in server.requests] == [first]


def test_cekura_ws_results_on_endless_empty_pages_is_a_server_fault(server: FaultServer) -> None:
    first = list_path(agent=None, page_size=5)
    server.default("GET", first, page(next_link=server.url + list_path(agent=None, page_size=5, page=2)))
    endless = invoke(["results", "--limit", "5", "--json"], api_key=KEY, base_url=server.url)
    assert endless.exit_code == 3, endless.output
    assert "empty page" in endless.stderr
    assert len(server.requests) == 1


def test_list_results_stops_on_pages_that_bring_nothing_new(server: FaultServer) -> None:
    for number in range(1, 10):
        server.default(
            "GET",
            list_path(agent=None, page_size=2, page=None if number == 1 else number),
            page(entry(41), next_link=server.url + list_path(agent=None, page_size=2, page=number + 1)),
        )
    with CekuraClient(KEY, base_url=server.url) as client:
        walk = client.list_results(page_size=2)
        assert next(walk).id == 41
        with pytest.raises(ListingError, match="3 pages of the results list in a row"):
            list(walk)
    assert len(server.requests) == 4
