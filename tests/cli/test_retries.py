"""Failed runs retried: the pure decisions, the library on the emulator, and the CLI as users run it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import FAST_POLLS, invoke, posts
from fault_server import scripted
from junit_schema import assert_valid_junit

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    Result,
    RetriedResult,
    RunPlan,
    ScenarioTarget,
    SuiteGroup,
    SuiteResult,
    TargetOutcome,
    ValidationError,
)
from cekura_wrapper._retries import RetryLedger, retry_plan, retry_problems, worst_case_extra_runs
from cekura_wrapper.testing import AgentThread, CekuraEmulator
from cekura_wrapper.testing.agents import AgentServer

A, B = "wss://a.example/chat", "wss://b.example/chat"
POLLS: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}


def test_the_worst_case_is_every_run_failing_every_round_and_the_cap_refuses_it() -> None:
    assert worst_case_extra_runs(6, 3) == 18
    assert retry_problems(3, 18, 6) == []
    [problem] = retry_problems(3, 17, 6)
    assert "up to 3 x 6 = 18 runs, over max_extra_runs=17" in problem
    refused = retry_problems(-1, True, 6)
    assert [problem.split(",")[0] for problem in refused] == [
        "retry_failed must be a whole number of at least 0",
        "max_extra_runs must be a whole number of at least 0",
    ]


def test_a_round_resubmits_each_target_as_often_as_it_failed() -> None:
    plan = RunPlan((ScenarioTarget(101, A), ScenarioTarget(102, A)), frequency=5)
    again = retry_plan({(101, A): 2, (102, A): 4}, plan)
    assert again is not None
    assert again.frequency == 2
    assert [(t.scenario, t.websocket_url) for t in again.scenarios] == [(101, A), (102, A), (102, A)]
    assert again.run_count == 6
    assert retry_plan({(101, A): 0}, plan) is None


def test_a_failed_run_whose_url_cannot_be_told_is_retried_on_each_url_at_most_frequency_times() -> None:
    plan = RunPlan((ScenarioTarget(103, A), ScenarioTarget(103, B)), frequency=3)
    result = Result.from_payload(scripted(1, (103, 1, 6), url=None))  # runs that name no URL
    ledger = RetryLedger(plan, result, rounds_allowed=2, max_extra_runs=12)
    assert ledger.pending == {(103, None): 5}
    again = ledger.next_plan()
    assert again is not None and again.run_count == 6  # min(5, 3) on each of the two URLs
    assert {t.websocket_url for t in again.scenarios} == {A, B}


def test_a_target_that_passes_its_retry_is_flaky_and_one_that_does_not_is_failing() -> None:
    plan = RunPlan((ScenarioTarget(101, A), ScenarioTarget(102, A), ScenarioTarget(103, A)), frequency=2)
    first = Result.from_payload(scripted(1, (101, 2, 2), (102, 0, 2), (103, 1, 2), url=A))
    ledger = RetryLedger(plan, first, rounds_allowed=2, max_extra_runs=10)
    round_one = ledger.next_plan()
    assert round_one is not None and round_one.run_count == 3
    ledger.record(Result.from_payload(scripted(2, (102, 2, 2), (103, 0, 1), url=A)), round_one)
    round_two = ledger.next_plan()
    assert round_two is not None and [t.scenario for t in round_two.scenarios] == [103]
    ledger.record(Result.from_payload(scripted(3, (103, 0, 1), url=A)), round_two)
    assert ledger.next_plan() is None  # the rounds are spent
    assert [(t.scenario, t.outcome, t.failed_runs) for t in ledger.targets()] == [
        (102, TargetOutcome.FLAKY, (2, 0)),
        (103, TargetOutcome.FAILING, (1, 1, 1)),
    ]
    assert ledger.outcome((101, A)) is TargetOutcome.PASSED
    assert ledger.extra_runs == 4
    assert not ledger.passes(allow_flaky=True)


def test_flaky_passes_only_when_allowed_and_the_cap_stops_a_round_that_would_pass_it() -> None:
    plan = RunPlan((ScenarioTarget(101, A),), frequency=4)
    first = Result.from_payload(scripted(1, (101, 1, 4), url=A))
    ledger = RetryLedger(plan, first, rounds_allowed=3, max_extra_runs=2)
    assert ledger.next_plan() is None
    assert ledger.stopped == "round 1 would bring the extra runs to 3, over the cap of 2"
    flaky = RetryLedger(plan, first, rounds_allowed=1, max_extra_runs=4)
    again = flaky.next_plan()
    assert again is not None
    flaky.record(Result.from_payload(scripted(2, (101, 3, 3), url=A)), again)
    assert flaky.passes(allow_flaky=True) and not flaky.passes(allow_flaky=False)


def test_the_seeded_flaky_agent_repeats_its_pattern() -> None:
    first, second = AgentServer("flaky", seed=7), AgentServer("flaky", seed=7)
    pattern = [first.flaky_fails(index) for index in range(40)]
    assert pattern == [second.flaky_fails(index) for index in range(40)]
    assert 0 < sum(pattern) < 40
    assert [AgentServer("flaky", flaky_pattern="FFP").flaky_fails(i) for i in range(5)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueError, match="flaky_pattern"):
        AgentServer("flaky", flaky_pattern="FX")


def test_the_library_retries_a_flaky_target_sync_and_async(emulator: CekuraEmulator) -> None:
    with AgentThread("flaky", flaky_pattern="FF") as flaky, AgentThread("helpful") as good:
        targets = [
            {"scenario": 101, "websocket_url": flaky.url},
            {"scenario": 102, "websocket_url": good.url},
        ]
        with CekuraClient(emulator.api_key, base_url=emulator.base_url, **POLLS) as client:
            result = client.run_and_wait(targets, frequency=2, retry_failed=2)
    assert isinstance(result, RetriedResult) and result.retries is not None
    assert (result.success_runs, result.total_runs) == (2, 4)
    [target] = result.retries.targets()
    assert (target.scenario, target.outcome, target.failed_runs) == (101, TargetOutcome.FLAKY, (2, 0))
    assert result.retries.extra_runs == 2 and len(result.retries.rounds) == 1

    async def go() -> Result:
        async with AsyncCekuraClient(emulator.api_key, base_url=emulator.base_url, **POLLS) as client:
            return await client.run_and_wait(targets, frequency=1, retry_failed=1, max_extra_runs=2)

    with AgentThread("flaky", flaky_pattern="FFF") as flaky, AgentThread("helpful") as good:
        targets = [
            {"scenario": 101, "websocket_url": flaky.url},
            {"scenario": 102, "websocket_url": good.url},
        ]
        failing = asyncio.run(go())
    assert isinstance(failing, RetriedResult) and failing.retries is not None
    assert [t.outcome for t in failing.retries.targets()] == [TargetOutcome.FAILING]
    with (
        pytest.raises(ValidationError, match="over max_extra_runs=1"),
        CekuraClient(emulator.api_key, base_url=emulator.base_url) as client,
    ):
        client.run_and_wait(targets, frequency=1, retry_failed=1, max_extra_runs=1)


def _env(emulator: CekuraEmulator) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
    return env | {"CEKURA_API_KEY": emulator.api_key, "CEKURA_BASE_URL": emulator.base_url}


def test_run_wait_passes_a_flaky_target_with_allow_flaky_and_fails_it_without(
    emulator: CekuraEmulator, tmp_path: Path
) -> None:
    script = Path(sys.executable).parent / "cekura-ws"
    if not script.exists():
        pytest.skip("the cekura-ws console script is not installed in this environment")
    report = tmp_path / "cekura.xml"
    with AgentThread("helpful") as good:
        with AgentThread("flaky", flaky_pattern="FF") as flaky:
            url101 = flaky.url
            args = [
                "run",
                "--scenario",
                f"101={flaky.url}",
                "--scenario",
                f"102={good.url}",
                "--frequency",
                "2",
            ]
            args += ["--wait", "--retry-failed", "2", "--json", *FAST_POLLS]
            allowed = subprocess.run(
                [str(script), *args, "--allow-flaky", "--junit", str(report)],
                env=_env(emulator),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        document = json.loads(allowed.stdout)
        retried = emulator.app.results[document["retries"]["rounds"][0]["result_id"]]
        with AgentThread("flaky", flaky_pattern="FF") as flaky:
            args[2] = f"101={flaky.url}"
            strict = invoke(args, emulator=emulator)
    assert allowed.returncode == 0, allowed.stderr
    assert document["passed"] is True
    retries = document["retries"]
    assert (retries["extra_runs"], len(retries["rounds"])) == (2, 1)
    assert retries["targets"] == [
        {"scenario": 101, "websocket_url": url101, "outcome": "flaky", "failed_runs": [2, 0]}
    ]
    # Only the failed target was resubmitted, as often as it failed.
    assert [(run.scenario.id, run.websocket_url) for run in retried.runs] == [(101, url101)] * 2
    assert "Retry round 1: resubmitting 2 failed runs" in allowed.stderr
    assert_valid_junit(report)
    cases = list(ET.parse(report).iter("testcase"))
    assert sum(case.find("flakyFailure") is not None for case in cases) == 2
    assert all(case.find("failure") is None for case in cases)
    assert strict.exit_code == 1, strict.output
    strict_document = json.loads(strict.stdout)
    assert strict_document["retries"]["targets"][0]["outcome"] == "flaky"
    assert "flaky counts as failed without --allow-flaky" in strict_document["verdict"]


def test_a_target_that_keeps_failing_is_failing_with_rerun_failures(
    emulator: CekuraEmulator, tmp_path: Path
) -> None:
    report, summary = tmp_path / "cekura.xml", tmp_path / "summary.md"
    with AgentThread("closes-mid-conversation") as broken:
        args = ["run", "--scenario", f"101={broken.url}", "--frequency", "2", "--wait", "--retry-failed", "1"]
        args += ["--allow-flaky", "--junit", str(report), "--summary", str(summary), *FAST_POLLS]
        result = invoke(args, emulator=emulator)
        assert posts(emulator) == 2
    assert result.exit_code == 1, result.output
    assert "failing" in result.stdout and "2 -> 2" in result.stdout
    assert_valid_junit(report)
    cases = list(ET.parse(report).iter("testcase"))
    assert all(case.find("failure") is not None for case in cases)
    assert all(len(case.findall("rerunFailure")) == 2 for case in cases)
    markdown = summary.read_text()
    assert "### Retries: 1 round, 2 extra runs" in markdown
    assert "| failing |" in markdown


def test_the_cap_refuses_a_plan_that_could_pass_it_before_anything_is_sent(emulator: CekuraEmulator) -> None:
    args = ["--scenario", "101=wss://a.example/chat", "--scenario", "102=wss://b.example/chat"]
    args += ["--frequency", "3", "--retry-failed", "2", "--max-extra-runs", "11"]
    planned = invoke(["plan", *args], emulator=emulator)
    ran = invoke(["run", *args, "--wait", "--json"], emulator=emulator)
    fits = invoke(["plan", *args[:-1], "12", "--json"], emulator=emulator)
    assert emulator.requests == []
    for refused in (planned, ran):
        assert refused.exit_code == 2, refused.output
        assert (
            "2 retry rounds could resubmit up to 2 x 6 = 12 runs, over --max-extra-runs 11" in refused.output
        )
    assert "Retries: up to 2 rounds of failed runs, at worst 12 extra runs" in planned.stdout
    assert fits.exit_code == 0, fits.output
    assert json.loads(fits.stdout)["retries"] == {
        "max_rounds": 2,
        "worst_case_extra_runs": 12,
        "max_extra_runs": 12,
    }


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--wait", "--allow-flaky"], "--allow-flaky needs --retry-failed"),
        (["--retry-failed", "1"], "needs --wait"),
        (["--wait", "--retry-failed", "1", "--fail-under", "0.5"], "cannot be combined with --retry-failed"),
    ],
)
def test_bad_retry_flags_exit_2_before_any_request(
    emulator: CekuraEmulator, extra: list[str], message: str
) -> None:
    result = invoke(
        ["run", "--scenario", "1=wss://a.example/x", "--frequency", "1", *extra], emulator=emulator
    )
    assert emulator.requests == []
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_suite_retries_each_group_s_failed_targets_sync_and_async(emulator: CekuraEmulator) -> None:
    with AgentThread("helpful") as good:
        with AgentThread("flaky", flaky_pattern="FF") as flaky:
            groups = [
                SuiteGroup("flaky group", [{"scenario": 101, "websocket_url": flaky.url}], frequency=2),
                SuiteGroup("steady group", [{"scenario": 102, "websocket_url": good.url}], frequency=1),
            ]
            with CekuraClient(emulator.api_key, base_url=emulator.base_url, **POLLS) as client:
                outcome = client.run_suite(groups, concurrency=2, retry_failed=1, max_extra_runs=3)
        retries = outcome.retries
        assert retries is not None and retries.extra_runs == 2
        [target] = retries.ledgers["flaky group"].targets()
        assert (target.scenario, target.outcome) == (101, TargetOutcome.FLAKY)
        assert retries.ledgers["steady group"].targets() == ()
        assert retries.passes(allow_flaky=True) and not retries.passes(allow_flaky=False)
        with (
            pytest.raises(ValidationError, match="over max_extra_runs=5"),
            CekuraClient(emulator.api_key, base_url=emulator.base_url) as client,
        ):
            client.run_suite(groups, retry_failed=2, max_extra_runs=5)
        before = posts(emulator)

        async def go() -> SuiteResult:
            async with AsyncCekuraClient(emulator.api_key, base_url=emulator.base_url, **POLLS) as client:
                return await client.run_suite(groups, retry_failed=2, max_extra_runs=6)

        with AgentThread("flaky", flaky_pattern="FFFFF") as flaky:
            groups[0] = SuiteGroup(
                "flaky group", [{"scenario": 101, "websocket_url": flaky.url}], frequency=2
            )
            failing = asyncio.run(go())
        assert posts(emulator) == before + 4  # the suite's 2 groups, then 2 rounds of the failing one
        assert failing.retries is not None
        [target] = failing.retries.ledgers["flaky group"].targets()
        assert (target.outcome, target.failed_runs) == (TargetOutcome.FAILING, (2, 2, 1))
