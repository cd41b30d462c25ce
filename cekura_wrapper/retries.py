"""The bookkeeping of ``retry_failed`` rounds (pure): which targets failed, what a round resubmits,
and the worst-case cost, for tools that drive the rounds themselves (``cekura-ws run
--retry-failed``)."""

from ._retries import DEFAULT_MAX_EXTRA_RUNS, RetryLedger, TargetRetries, run_key, worst_case_extra_runs

__all__ = ["DEFAULT_MAX_EXTRA_RUNS", "RetryLedger", "TargetRetries", "run_key", "worst_case_extra_runs"]
