"""The single-batch path of ``cekura-ws run``: submit the checked batch, then (with --wait) follow
it, with retries of failed runs when asked, and judge it."""

from __future__ import annotations

import attrs

from ..agent_urls import AgentUrls
from ..baseline import Gate
from ..client_options import ClientOptions
from ..common import fail_input, plural
from ..documents import submission_document
from ..inputs import Batch, InputError
from ..render import Output
from ..reports import Reports
from ..retry_flags import cost_problems
from ..stopping import sigterm_as_interrupt
from ..submitting import submit_plan
from .loading import refuse_unreachable
from .preflight import note_skipped, preflight_or_stop


@attrs.frozen
class RunSettings:
    """What ``run`` does once its input is checked: wait or not, how to judge, what to report."""

    wait: bool
    timeout: float
    reports: Reports
    fail_under: float | None
    #: ``--preflight``: its timeout and websocket secret; ``None`` without it.
    preflight: tuple[float, str | None] | None
    keep_running: bool
    allow_private_urls: bool
    gate: Gate
    retry_failed: int
    max_extra_runs: int
    allow_flaky: bool
    lookup_window: float


def run_batch(output: Output, checked: Batch, connection: ClientOptions, settings: RunSettings) -> None:
    """Submit ``checked``; with ``settings.wait``, follow it to its verdict (exits with it)."""
    from ..follow import follow
    from ..retrying import follow_with_retries

    run_plan = checked.plan()
    if settings.retry_failed:
        over_cap = cost_problems(settings.retry_failed, settings.max_extra_runs, run_plan.run_count)
        if over_cap:
            fail_input(output, InputError(over_cap))
    client = connection.client(
        output,
        polls=True,
        allow_private_agent_urls=settings.allow_private_urls,
        reconcile_window=settings.lookup_window,
    )
    poll_interval, max_poll_interval = connection.polling()
    with client, sigterm_as_interrupt():
        refuse_unreachable(output, checked, client.base_url, allowed=settings.allow_private_urls)
        if settings.preflight is not None:
            note_skipped(output, checked.on_agent_url)
            timeout, secret = settings.preflight
            preflight_or_stop(output, checked.urls, timeout=timeout, secret=secret)
        output.note(f"Submitting {plural(run_plan.run_count, 'run')} to {client.base_url}")
        submission = submit_plan(output, client, run_plan, doing="submitting", batch=checked)
        output.note(
            f"Submitted result {submission.result_id}: {plural(submission.run_count, 'run')}."
            f" Follow it with: cekura-ws watch {submission.result_id}"
        )
        if not settings.wait:
            output.line(f"result {submission.result_id}")
            output.document(submission_document(submission, AgentUrls.from_plan(run_plan)))
            return
        if settings.retry_failed:
            follow_with_retries(
                output,
                client,
                submission.result_id,
                run_plan,
                retry_failed=settings.retry_failed,
                max_extra_runs=settings.max_extra_runs,
                allow_flaky=settings.allow_flaky,
                timeout=settings.timeout,
                poll_interval=poll_interval,
                max_poll_interval=max_poll_interval,
                reports=settings.reports,
                urls=AgentUrls.from_plan(run_plan),
                end_calls_on_stop=not settings.keep_running,
            )
        follow(
            output,
            client,
            submission.result_id,
            timeout=settings.timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            reports=settings.reports,
            fail_under=settings.fail_under,
            urls=AgentUrls.from_plan(run_plan),
            end_calls_on_stop=not settings.keep_running,
            gate=attrs.evolve(settings.gate, agent=run_plan.agent),
        )
