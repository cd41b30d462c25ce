"""The one pass rule, ``Result.passes``, and everything judged by it: a group, a suite, the CLI's
verdict and its JSON documents (pure: no I/O)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cekura_wrapper import GroupOutcome, Result, SuiteResult, ValidationError
from cekura_wrapper.cli.documents import result_document
from cekura_wrapper.cli.exit_codes import ExitCode
from cekura_wrapper.cli.suite import suite_document, suite_verdict
from cekura_wrapper.cli.verdict import judge

STATUSES = ("completed", "failed", "timeout", "cancelled", "running", "pending")


def result(status: str = "completed", total: int = 4, success: int = 4, result_id: int = 1) -> Result:
    return Result.from_payload(
        {
            "id": result_id,
            "status": status,
            "total_runs_count": total,
            "completed_runs_count": total,
            "success_runs_count": success,
        }
    )


@pytest.mark.parametrize(
    ("status", "total", "success", "fail_under", "passes"),
    [
        ("completed", 4, 4, None, True),
        ("completed", 4, 3, None, False),
        ("completed", 0, 0, None, False),  # no run: nothing passed
        ("completed", 0, 0, 0.0, False),  # not even at a rate of 0
        ("completed", 4, 3, 0.75, True),  # the rate reached counts
        ("completed", 4, 3, 0.76, False),
        ("completed", 4, 0, 0.0, True),
        ("completed", 4, 4, 1.0, True),
        ("completed", 4, 4, 1, True),  # an int rate is a rate
        ("failed", 4, 4, None, False),  # Cekura's status wins over the counts
        ("timeout", 4, 4, 0.5, False),
        ("cancelled", 4, 4, None, False),
        ("running", 4, 4, 0.0, False),  # a result still running never passes
    ],
)
def test_passes_is_completed_and_every_run_or_the_rate(
    status: str, total: int, success: int, fail_under: float | None, passes: bool
) -> None:
    assert result(status, total, success).passes(fail_under) is passes


@pytest.mark.parametrize(
    ("status", "total", "success"), [("completed", 4, 4), ("completed", 4, 3), ("failed", 2, 2)]
)
def test_passed_is_passes_without_a_rate(status: str, total: int, success: int) -> None:
    checked = result(status, total, success)
    assert checked.passed is checked.passes() is checked.passes(None)


@pytest.mark.parametrize(
    ("fail_under", "shown"),
    [(90, "90"), (-0.1, "-0.1"), (math.nan, "nan"), (True, "True"), ("0.9", "'0.9'"), (1.0001, "1.0001")],
)
def test_a_rate_outside_0_to_1_is_refused_naming_it(fail_under: object, shown: str) -> None:
    with pytest.raises(ValidationError) as caught:
        result().passes(fail_under)  # type: ignore[arg-type]
    assert "fail_under must be a pass rate from 0 to 1" in str(caught.value)
    assert shown in str(caught.value)


def group(state: str, checked: Result | None) -> GroupOutcome:
    return GroupOutcome("g", state, result=checked)  # type: ignore[arg-type]


def test_a_group_passes_only_when_it_finished_and_its_result_passes() -> None:
    good = result()
    assert group("passed", good).passes() and group("passed", good).passed
    assert not group("failed", result(success=3)).passes()
    assert group("failed", result(success=3)).passes(0.75)
    # Stopped, erred or never started: not passed, whatever the last result read said.
    assert not group("timeout", good).passes(0.0)
    assert not group("error", good).passes()
    assert not group("skipped", None).passes(0.0)


def test_an_empty_suite_never_passes() -> None:
    assert not SuiteResult(()).passes(0.0) and not SuiteResult(()).passed


rates = st.one_of(st.none(), st.floats(0, 1), st.sampled_from([0.0, 0.5, 1.0]))
results = st.builds(
    lambda status, total, success, rid: result(status, total, min(success, total), rid),
    st.sampled_from(STATUSES),
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(1, 1000),
)
states = st.sampled_from(("passed", "failed", "timeout", "error", "skipped"))


@given(checked=results, fail_under=rates)
def test_the_cli_verdict_and_document_judge_one_result_by_passes(
    checked: Result, fail_under: float | None
) -> None:
    verdict = judge([checked], fail_under)
    assert verdict.passed is checked.passes(fail_under)
    assert verdict.exit_code == (ExitCode.OK if verdict.passed else ExitCode.EVALUATION_FAILED)
    document = result_document(
        checked, exit_code=verdict.exit_code, verdict=verdict.reason, fail_under=fail_under
    )
    assert document["passed"] is checked.passes(fail_under)


@given(members=st.lists(st.tuples(states, results), min_size=0, max_size=5), fail_under=rates)
def test_the_suite_verdict_is_suite_result_passes_and_each_group_passes(
    members: list[tuple[str, Result]], fail_under: float | None
) -> None:
    groups = tuple(
        GroupOutcome(f"g{i}", state, result=None if state == "skipped" else checked)  # type: ignore[arg-type]
        for i, (state, checked) in enumerate(members)
    )
    suite = SuiteResult(groups)
    expected = bool(groups) and all(
        g.state in ("passed", "failed") and g.result is not None and g.result.passes(fail_under)
        for g in groups
    )
    assert suite.passes(fail_under) is expected
    verdict = suite_verdict(suite, fail_under)
    assert verdict.passed is expected
    document = suite_document(suite, verdict, verdict.exit_code, {})
    assert [g["passed"] for g in document["groups"]] == [g.passes(fail_under) for g in groups]
