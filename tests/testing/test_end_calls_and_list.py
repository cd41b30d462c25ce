"""end_calls and the results list: the pure pager, the client against the emulator, the contract."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from openapi_check import assert_matches_spec

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    ListingError,
    NotFoundError,
    Result,
    ValidationError,
)
from cekura_wrapper._listing import ResultPages
from cekura_wrapper.testing import AgentThread, CekuraEmulator, EmulatorSettings, ServerErrorFault

LIST_PATH = "/test_framework/v1/results/"
BASE = "https://api.example.test/root"


def page(ids: list[int], next_link: str | None) -> dict[str, object]:
    return {
        "count": 99,
        "next": next_link,
        "previous": None,
        "results": [
            {
                "id": i,
                "status": "completed",
                "total_runs_count": "2",
                "success_runs_count": "1",
                "completed_runs_count": "2",
                "success_rate": 0.5,
                "runs": [{"id": 1}, {"id": 2}],
            }
            for i in ids
        ],
    }


def test_pages_follow_next_under_the_api_root_and_yield_each_result_once() -> None:
    pages = ResultPages({"method": "get", "url": LIST_PATH}, base_url=BASE)
    first, request = pages.read(page([9, 8], f"{BASE}{LIST_PATH}?page=2&page_size=2"), name="GET list")
    assert [r.id for r in first] == [9, 8]
    assert request == {"method": "get", "url": f"{LIST_PATH}?page=2&page_size=2"}
    # A new result pushed 8 onto page two: it is not yielded again.
    second, request = pages.read(page([8, 7], None), name="GET list")
    assert [r.id for r in second] == [7]
    assert request is None


def test_list_entries_read_success_rate_as_a_fraction_and_string_counts() -> None:
    pages = ResultPages({"method": "get", "url": LIST_PATH}, base_url=BASE)
    (result,), _ = pages.read(page([5], None), name="GET list")
    assert (result.total_runs, result.success_runs, result.success_rate) == (2, 1, 50.0)
    assert len(result.runs) == 2


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.test/root/test_framework/v1/results/?page=2",
        "https://api.example.test/other/?page=2",
        "https://api.example.test/rootx/test_framework/v1/results/?page=2",
        "http://api.example.test/root/test_framework/v1/results/?page=2",
        "x" * 5000,
        17,
    ],
)
def test_a_next_link_outside_the_api_root_stops_the_walk(link: object) -> None:
    pages = ResultPages({"method": "get", "url": LIST_PATH}, base_url=BASE)
    with pytest.raises(ListingError):
        pages.read(page([1], link), name="GET list")  # type: ignore[arg-type]


def test_the_walk_stops_after_max_pages() -> None:
    pages = ResultPages({"method": "get", "url": LIST_PATH}, base_url=BASE, max_pages=2)
    pages.read(page([3], f"{BASE}{LIST_PATH}?page=2"), name="GET list")
    with pytest.raises(ListingError, match="more than 2 pages"):
        pages.read(page([2], f"{BASE}{LIST_PATH}?page=3"), name="GET list")


def _submit(client: CekuraClient, count: int, agent: int = 1) -> list[int]:
    ids = []
    for _ in range(count):
        submission = client.run_scenarios(
            [{"scenario": 101, "websocket_url": "ws://127.0.0.1:9/"}], frequency=1, agent=agent
        )
        ids.append(submission.result_id)
    return ids


def test_list_results_walks_every_page_newest_first(offline_emulator: CekuraEmulator) -> None:
    offline_emulator.reset()
    with CekuraClient(offline_emulator.api_key, base_url=offline_emulator.base_url) as client:
        ids = _submit(client, 5) + _submit(client, 2, agent=7)
        listed = list(client.list_results(page_size=2))
        assert [r.id for r in listed] == sorted(ids, reverse=True)
        assert all(isinstance(r, Result) and r.total_runs == 1 for r in listed)
        assert [r.id for r in client.list_results(agent=7, page_size=1)] == sorted(ids[5:], reverse=True)
    gets = [r for r in offline_emulator.requests if r.method == "GET" and r.path == LIST_PATH]
    assert len(gets) == 4 + 2  # 7 results in pages of 2, then 2 in pages of 1


def test_list_results_async_twin(offline_emulator: CekuraEmulator) -> None:
    offline_emulator.reset()
    with CekuraClient(offline_emulator.api_key, base_url=offline_emulator.base_url) as client:
        ids = _submit(client, 3)

    async def walk() -> list[int]:
        async with AsyncCekuraClient(offline_emulator.api_key, base_url=offline_emulator.base_url) as client:
            return [r.id async for r in client.list_results(page_size=2)]

    assert asyncio.run(walk()) == sorted(ids, reverse=True)


def test_list_results_checks_its_arguments_before_any_request(offline_emulator: CekuraEmulator) -> None:
    offline_emulator.reset()
    with CekuraClient(offline_emulator.api_key, base_url=offline_emulator.base_url) as client:
        with pytest.raises(ValidationError, match="page_size"):
            client.list_results(page_size=0)
        with pytest.raises(ValidationError, match="agent"):
            client.list_results(agent=-3)
        with pytest.raises(ValidationError, match="at most"):
            client.list_results(page_size=5000)
    assert offline_emulator.requests == []


def test_list_and_end_calls_responses_match_the_spec(offline_emulator: CekuraEmulator) -> None:
    offline_emulator.reset()
    with CekuraClient(offline_emulator.api_key, base_url=offline_emulator.base_url) as client:
        (result_id,) = _submit(client, 1)
        client.wait_for_result(result_id, timeout=10, poll_interval=0.01, max_poll_interval=0.05)
    headers = {"X-CEKURA-API-KEY": offline_emulator.api_key}
    listed = httpx.get(offline_emulator.base_url + LIST_PATH, params={"page_size": 1}, headers=headers)
    assert listed.status_code == 200
    assert_matches_spec("GET", LIST_PATH, listed)
    entry = listed.json()["results"][0]
    assert isinstance(entry["runs"], list) and entry["total_runs_count"] == "1"
    ended = httpx.post(f"{offline_emulator.base_url}{LIST_PATH}{result_id}/end_calls/", headers=headers)
    assert (ended.status_code, ended.content) == (200, b"")
    assert_matches_spec("POST", f"{LIST_PATH}{result_id}/end_calls/", ended)
    missing = httpx.post(f"{offline_emulator.base_url}{LIST_PATH}424242/end_calls/", headers=headers)
    assert missing.status_code == 404
    assert_matches_spec("POST", f"{LIST_PATH}424242/end_calls/", missing)


#: The emulator's results end in a fraction of a second: poll them that fast, not on the 5 s grid.
FAST: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}


def _wait_until(predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_end_calls_hangs_up_calls_in_progress_and_cancels_the_rest() -> None:
    settings = EmulatorSettings(max_concurrent_runs=2)
    with (
        CekuraEmulator(settings=settings) as emulator,
        AgentThread("slow", reply_delay=3.0) as agent,
        CekuraClient(emulator.api_key, base_url=emulator.base_url, retry_backoff=0.01, **FAST) as client,
    ):
        submission = client.run_scenarios([{"scenario": 101, "websocket_url": agent.url}], frequency=4)
        _wait_until(lambda: emulator.peak_concurrent_calls == 2)
        emulator.faults.queue(ServerErrorFault(503), on="post")  # ending is retried like a read
        client.end_calls(submission.result_id)
        client.end_calls(submission.result_id)  # twice is harmless
        result = client.wait_for_result(
            submission.result_id, timeout=10, poll_interval=0.02, max_poll_interval=0.05
        )
        assert result.status == "cancelled"
        messages = sorted(run.error_message or "" for run in result.runs)
        assert [("in progress" in m, "before the conversation started" in m) for m in messages] == [
            (False, True),
            (False, True),
            (True, False),
            (True, False),
        ]
        assert not any(run.success for run in result.runs)
        _wait_until(lambda: agent.agent.open_connections == 0, timeout=5)
        assert len(agent.handshakes) == 2  # the unstarted runs never called
        ends = [r.status for r in emulator.requests if r.path.endswith("/end_calls/")]
        assert ends == [503, 200, 200]
        with pytest.raises(NotFoundError):
            client.end_calls(999999)
        with pytest.raises(ValidationError, match="result_id"):
            client.end_calls(0)
        emulator.reset_peak_concurrent_calls()
        assert emulator.peak_concurrent_calls == 0


def test_async_end_calls(emulator: CekuraEmulator) -> None:
    with AgentThread("slow", reply_delay=3.0) as agent:

        async def scenario() -> Result:
            async with AsyncCekuraClient(emulator.api_key, base_url=emulator.base_url, **FAST) as client:
                submission = await client.run_scenarios(
                    [{"scenario": 101, "websocket_url": agent.url}], frequency=1
                )
                await client.end_calls(submission.result_id)
                return await client.wait_for_result(
                    submission.result_id, timeout=10, poll_interval=0.02, max_poll_interval=0.05
                )

        assert asyncio.run(scenario()).status == "cancelled"


def test_the_drift_check_covers_both_new_operations() -> None:
    """Our own contract, with upstream dropping end_calls and narrowing a list count, is breaking."""
    import copy
    from pathlib import Path

    from cekura_wrapper.spec.compare import diff_specs
    from cekura_wrapper.spec.load import load_spec
    from cekura_wrapper.spec.model import Severity
    from cekura_wrapper.spec.naming import OPERATION_NAMES

    ours = load_spec(str(Path(__file__).resolve().parents[2] / "openapi.yaml"))
    upstream = copy.deepcopy(ours)
    del upstream["paths"]["/test_framework/v1/results/{id}/end_calls/"]
    upstream["components"]["schemas"]["Result"]["properties"]["total_runs_count"]["type"] = "boolean"
    breaking = {
        (change.operation, change.location)
        for change in diff_specs(ours, upstream)
        if change.severity is Severity.BREAKING
    }
    operations = {operation for operation, _ in breaking}
    assert operations == {
        "POST /test_framework/v1/results/{id}/end_calls/",
        "GET /test_framework/v1/results/",
    }
    assert ("post", "/test_framework/v1/results/{id}/end_calls/") in OPERATION_NAMES
    assert ("get", "/test_framework/v1/results/") in OPERATION_NAMES
