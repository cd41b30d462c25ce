"""A suite's counts cover every planned run: a group that never started (or whose request failed)
still counts its runs in ``total_runs``, so the step outputs never look better than the suite."""

from __future__ import annotations

from cekura_wrapper import GroupOutcome, Result, Submission, SuiteResult
from cekura_wrapper.cli.github import step_outputs
from cekura_wrapper.cli.suite import suite_verdict


def completed(result_id: int, total: int, passed: int) -> Result:
    return Result.from_payload(
        {
            "id": result_id,
            "status": "completed",
            "total_runs_count": str(total),
            "completed_runs_count": str(total),
            "success_runs_count": str(passed),
        }
    )


def submitted(result_id: int, runs: int) -> Submission:
    submission = Submission.from_payload({"id": result_id}, planned_runs=runs)
    assert submission is not None
    return submission


def test_skipped_and_failed_groups_count_their_planned_runs() -> None:
    suite = SuiteResult(
        (
            GroupOutcome("smoke", "passed", submitted(1, 2), completed(1, 2, 2), runs=2, slots=2),
            GroupOutcome("regression", "error", runs=3, slots=3),
            GroupOutcome("soak", "skipped", runs=4, slots=4),
        ),
        concurrency=4,
        stopped="timeout",
    )

    verdict = suite_verdict(suite, None)
    outputs = step_outputs(verdict)

    assert not verdict.passed
    assert (verdict.total_runs, verdict.passed_runs) == (9, 2)
    assert (outputs["total_runs"], outputs["passed_runs"], outputs["pass_rate"]) == ("9", "2", "0.2222")
    assert "regression, soak" in verdict.reason


def test_a_suite_whose_groups_all_ran_keeps_cekuras_counts() -> None:
    suite = SuiteResult(
        (
            GroupOutcome("smoke", "passed", submitted(1, 2), completed(1, 2, 2), runs=2, slots=2),
            GroupOutcome("regression", "failed", submitted(2, 3), completed(2, 3, 1), runs=3, slots=3),
        )
    )

    verdict = suite_verdict(suite, None)

    assert (verdict.total_runs, verdict.passed_runs, verdict.pass_rate) == (5, 3, 0.6)
