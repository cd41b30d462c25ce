"""Exactly once: an uncertain run request is looked up instead of failing the job. The decisions
are tested pure in test_lookup.py and against a lying stand-in in test_lookup_server.py; here every
branch runs with real requests against the emulator, each fault yielding exactly one POST."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from cli_helpers import invoke, submitted_id
from fakes import FakeTime

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    SubmissionNotCreatedError,
    SubmissionUncertainError,
)
from cekura_wrapper._reconcile import LOOKUP_INTERVAL
from cekura_wrapper.testing import (
    AgentThread,
    CekuraEmulator,
    DropAfterCreate,
    ServerErrorAfterCreate,
    ServerErrorFault,
)
from cekura_wrapper.testing.demo import closed_loopback_url

# --------------------------------------------------------------------------- against the emulator


@pytest.fixture
def fresh(emulator: CekuraEmulator) -> Iterator[CekuraEmulator]:
    """The shared emulator (reset); settings a test changes are restored after it."""
    settings = emulator.app.settings
    yield emulator
    emulator.app.settings = settings


def client(emulator: CekuraEmulator, **options: Any) -> CekuraClient:
    options = {"poll_interval": 0.02, "max_poll_interval": 0.05, "reconcile_window": 1.0, **options}
    return CekuraClient(emulator.api_key, base_url=emulator.base_url, **options)


def posts(emulator: CekuraEmulator) -> int:
    return sum(1 for request in emulator.requests if request.method == "POST")


@pytest.mark.parametrize("fault", [ServerErrorAfterCreate(502), DropAfterCreate()], ids=["502", "dropped"])
def test_a_batch_that_landed_is_found_and_followed(
    fresh: CekuraEmulator, helpful: AgentThread, fault: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fresh.faults.queue(fault, on="post")
    with client(fresh) as cekura, caplog.at_level(logging.WARNING, logger="cekura_wrapper"):
        result = cekura.run_and_wait([(101, helpful.url), (102, helpful.url)], frequency=2, timeout=30)
    assert (posts(fresh), list(fresh.app.results)) == (1, [result.id])
    assert result.passed and result.total_runs == 4
    assert any("did land as result" in record.getMessage() for record in caplog.records)


def test_the_reconciled_submission_says_so(fresh: CekuraEmulator) -> None:
    fresh.faults.queue(ServerErrorAfterCreate(502), on="post")
    with client(fresh) as cekura:
        submission = cekura.run_scenarios([(101, closed_loopback_url())], frequency=1)
    assert submission.reconciled and submission.uncertain_reason == "Cekura answered 502"
    assert submission.result_id in fresh.app.results


def test_a_batch_that_was_not_created_is_reported_safe_to_resubmit(
    fresh: CekuraEmulator, fake_time: FakeTime
) -> None:
    fresh.faults.queue(ServerErrorFault(502), on="post")  # fails before creating anything
    cekura = client(fresh, reconcile_window=1.0)._set_time(clock=fake_time, sleep=fake_time.sleep)
    with cekura, pytest.raises(SubmissionNotCreatedError) as caught:
        cekura.run_scenarios([(101, closed_loopback_url())], frequency=1)
    # The settle window on the client's clock, then a decision: not a poll more than the window needs.
    assert 1.0 <= fake_time.now <= 1.0 + max(fake_time.sleeps)
    assert "submitting it again is safe" in str(caught.value)
    assert (posts(fresh), len(fresh.app.results)) == (1, 0)


def test_a_batch_listed_late_is_found_within_the_settle_window(
    fresh: CekuraEmulator, fake_time: FakeTime
) -> None:
    fresh.app.settings = attrs.evolve(fresh.app.settings, list_lag=3600.0)  # not listed yet
    fresh.faults.queue(ServerErrorAfterCreate(503), on="post")

    def sleep(seconds: float) -> None:  # the client waits on the fake clock; the list catches up
        fake_time.sleep(seconds)
        fresh.app.settings = attrs.evolve(fresh.app.settings, list_lag=0.0)

    with client(fresh, reconcile_window=8.0)._set_time(clock=fake_time, sleep=sleep) as cekura:
        submission = cekura.run_scenarios([(101, closed_loopback_url())], frequency=1)
    assert submission.reconciled and (posts(fresh), len(fresh.app.results)) == (1, 1)
    assert fake_time.sleeps == [LOOKUP_INTERVAL]  # a miss, one wait, then found


def test_two_identical_batches_in_the_window_are_ambiguous(fresh: CekuraEmulator) -> None:
    scenarios = [(101, closed_loopback_url())]
    with client(fresh) as cekura:
        first = cekura.run_scenarios(scenarios, frequency=1)
        fresh.faults.queue(ServerErrorAfterCreate(502), on="post")
        with pytest.raises(SubmissionUncertainError) as caught:
            cekura.run_scenarios(scenarios, frequency=1)
    second = max(fresh.app.results)
    assert caught.value.candidates == (first.result_id, second)
    assert "several results match" in str(caught.value) and posts(fresh) == 2


def test_a_failed_lookup_leaves_the_submission_uncertain(fresh: CekuraEmulator) -> None:
    fresh.faults.queue(ServerErrorAfterCreate(502), on="post")
    fresh.faults.queue(ServerErrorFault(500), on="get", times=10)  # the list answers 500 too
    with client(fresh, max_retries=0) as cekura, pytest.raises(SubmissionUncertainError) as caught:
        cekura.run_scenarios([(101, closed_loopback_url())], frequency=1)
    assert caught.value.lookup is not None and caught.value.lookup.startswith("the lookup failed")
    assert caught.value.plan is not None and caught.value.sent_at is not None
    fresh.faults.clear()


def test_find_submission_serves_callers_that_caught_the_error(fresh: CekuraEmulator) -> None:
    fresh.faults.queue(DropAfterCreate(), on="post")
    with client(fresh) as cekura:
        with pytest.raises(SubmissionUncertainError) as caught:
            cekura.run_scenarios([(101, closed_loopback_url())], frequency=1, reconcile=False)
        error = caught.value
        assert error.sent_at is not None
        found = cekura.find_submission(error.plan, sent_at=error.sent_at)
    assert found.reconciled and [found.result_id] == list(fresh.app.results)


def test_the_async_client_reconciles_the_same_way(fresh: CekuraEmulator, fake_time: FakeTime) -> None:
    async def scenario() -> int:
        fresh.faults.queue(DropAfterCreate(), on="post")
        async_client = AsyncCekuraClient(fresh.api_key, base_url=fresh.base_url, reconcile_window=1.0)
        async with async_client._set_time(clock=fake_time, sleep=fake_time.async_sleep) as cekura:
            submission = await cekura.run_scenarios([(101, closed_loopback_url())], frequency=1)
            assert submission.reconciled
            with pytest.raises(SubmissionNotCreatedError):
                fresh.faults.queue(ServerErrorFault(502), on="post")
                await cekura.run_scenarios([(102, closed_loopback_url())], frequency=1)
            return submission.result_id

    result_id = asyncio.run(scenario())
    assert list(fresh.app.results) == [result_id]
    assert posts(fresh) == 2
    assert fake_time.now == 1.0  # the not-created batch was looked for through the settle window


def test_cekura_ws_run_says_what_happened(fresh: CekuraEmulator, helpful: AgentThread) -> None:
    args = ["run", "--scenario", f"101={helpful.url}", "--frequency", "1", "--lookup-window", "0.5"]
    fresh.faults.queue(DropAfterCreate(), on="post")
    landed = invoke([*args, "--wait", "--poll-interval", "0.02"], emulator=fresh)
    fresh.faults.queue(ServerErrorFault(502), on="post")
    not_created = invoke([*args[:2], f"102={helpful.url}", *args[3:], "--json"], emulator=fresh)

    assert landed.exit_code == 0, landed.output
    assert f"looked it up: it did land as result {submitted_id(landed)}; following it" in landed.stderr
    assert not_created.exit_code == 3, not_created.output
    assert "it was not created" in not_created.stderr
    assert "It did not land: nothing was created, so it is safe to run the job again." in not_created.stderr
    assert posts(fresh) == 2 and len(fresh.app.results) == 1


def test_cekura_ws_results_lists_the_newest_first(fresh: CekuraEmulator) -> None:
    with client(fresh) as cekura:
        ids = [cekura.run_scenarios([(101, closed_loopback_url())], frequency=1).result_id for _ in range(3)]

    table = invoke(["results", "--limit", "2"], emulator=fresh)
    document = invoke(["results", "--json"], emulator=fresh)

    assert table.exit_code == 0, table.output
    shown = [int(found) for found in re.findall(r"^│\s+(\d+) │", table.stdout, re.MULTILINE)]
    assert shown == [ids[2], ids[1]]
    listed = json.loads(document.stdout)
    assert [entry["id"] for entry in listed["results"]] == ids[::-1]
    assert listed["results"][0]["total_runs"] == 1
