"""``CekuraClient``, the sync client (``AsyncCekuraClient`` is re-exported from ``_async_client``):
the shared base's pieces composed, with no logic of their own."""

from __future__ import annotations

import concurrent.futures
import functools
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Self

import attrs
import httpx

from ._api import request_name, run_request
from ._async_client import AsyncCekuraClient
from ._client_base import (
    ClientBase,
    ProgressCallback,
    SuiteProgressCallback,
    attach_calls_ended,
    attach_suite_result,
)
from ._compare import Comparison, check_compare_input
from ._compare import compare as compare_results
from ._decoding import decode_object, read_result, read_submission
from ._ending import MAX_PARALLEL_ENDS, STOP_REQUEST_TIMEOUT, EndCallsOutcome, checked_ids, outcome_of
from ._errors import CekuraError, PollTimeoutError, SubmissionUncertainError
from ._links import ShareLink
from ._listing import DEFAULT_MAX_PAGES, ResultPages
from ._lookup import Pause, Send
from ._plan import MAX_RUNS, RunPlan, ScenariosInput
from ._polling import POLL_FAILURES, Poll, wait_sync
from ._reconcile import SentRequest
from ._results import Result, Submission
from ._retries import DEFAULT_MAX_EXTRA_RUNS, RetriedResult, RetryLedger
from ._retry import Kind
from ._stats import DEFAULT_ALPHA
from ._suite import SuiteGroup, SuiteResult, SuiteRunState
from ._transport import SyncSender

__all__ = ["AsyncCekuraClient", "CekuraClient"]


class CekuraClient(ClientBase[httpx.Client, SyncSender]):
    """Runs Cekura evaluators against websocket agents and follows the results.

    ``api_key`` defaults to ``$CEKURA_API_KEY`` and ``base_url`` to ``$CEKURA_BASE_URL``, then
    ``https://api.cekura.ai``. ``timeout`` bounds each HTTP request; ``max_retries`` and
    ``retry_backoff`` shape retries of safe requests. A wait polls on every multiple of
    ``max_poll_interval`` (5 s), so it is never later than a plain poller at that interval, and
    adds a poll between two marks where the end is likely (never closer than ``poll_interval``,
    at most 1.25x the requests); ``poll="economy"`` polls less at a cost in delay
    (docs/benchmarks.md). ``request_budget`` (10 polls per second; ``None`` for none) is shared by
    every wait of the client: beyond it, their intervals stretch alike, and a server's
    ``Retry-After`` or 429 holds them all. ``http_client`` (an ``httpx.Client``; an
    ``httpx.AsyncClient`` for ``AsyncCekuraClient``) replaces the client's own connection pool,
    for proxies, custom TLS or a mock transport: the client sets the URL, the key header and the
    time limit on each request, and leaves closing a passed-in ``http_client`` to its owner.
    ``http2=True`` (needs ``pip install 'cekura-ws[h2]'``) offers HTTP/2 to the server, which
    HTTPS servers that do not speak it answer in HTTP/1.1. The async client keeps at most 20
    requests in flight on a pool of 20 connections (100 with ``http2=True``, as streams).
    """

    _http_type = httpx.Client

    def _new_sender(self, http_client: httpx.Client | None) -> SyncSender:
        return SyncSender(
            settings=self._settings, secret=self._api_key, http_client=http_client, sleep=time.sleep
        )

    def run_scenarios(
        self,
        scenarios: ScenariosInput,
        *,
        frequency: int,
        agent: int | None = None,
        max_runs: int = MAX_RUNS,
        reconcile: bool = True,
        mock_tool_names: Sequence[str] | None = None,
    ) -> Submission:
        """Start a batch: every scenario against its websocket URL, ``frequency`` times each.

        Everything is validated first (``ValidationError``, nothing sent; at most ``max_runs``
        conversations, 10,000 by default, so a typo cannot start millions). The request is retried
        only when it cannot have reached Cekura. ``mock_tool_names``: ``None`` (the default, the
        field is left out) mocks every tool configured on the agent, ``[]`` none, names only those. When it failed after it may have reached Cekura,
        the batch is looked up (``reconcile``, see ``find_submission``): found once, its
        ``Submission`` is returned with ``reconciled=True``; not created within the settle window,
        ``SubmissionNotCreatedError``; otherwise (or with ``reconcile=False``)
        ``SubmissionUncertainError``. It is never resent.
        """
        plan = self._plan(scenarios, frequency, agent, max_runs, mock_tool_names)
        return self._submit(plan, reconcile=reconcile)

    def _submit(self, plan: RunPlan, *, reconcile: bool = True) -> Submission:
        kwargs = run_request(plan)
        sent_at = self._now()
        try:
            response = self._sender.send(kwargs, Kind.SUBMIT)
            return read_submission(
                response, planned_runs=plan.run_count, name=request_name(kwargs), secret=self._api_key
            )
        except SubmissionUncertainError as exc:
            sent = self._sent(plan, sent_at, exc)
            if not reconcile:
                raise
            return self._look_up(sent, exc)

    def find_submission(self, plan: RunPlan, *, sent_at: datetime) -> Submission:
        """Look up the batch a run request of ``plan`` sent at ``sent_at`` created (for callers that
        caught ``SubmissionUncertainError``, which carries both): the ``Submission`` when exactly one
        result matches, ``SubmissionNotCreatedError`` when none does within the settle window,
        ``SubmissionUncertainError`` (with ``candidates``) otherwise. Nothing is sent but reads; it
        ends within ``reconcile_window`` plus one request ``timeout``."""
        exc = SubmissionUncertainError("looked up on request")
        return self._look_up(SentRequest(plan, sent_at), exc)

    def _look_up(self, sent: SentRequest, exc: SubmissionUncertainError) -> Submission:
        lookup = self._lookup(sent)
        while isinstance(step := lookup.step(self._clock()), Send | Pause):
            if isinstance(step, Pause):
                self._sender.sleep(step.seconds)
                continue
            try:
                response = self._sender.send(step.request, Kind.READ, max_retries=0, timeout=step.timeout)
            except CekuraError as failed:
                lookup.failed(failed, self._clock())
            else:
                self._answer(lookup, step, response)
        return self._settled(step, sent, exc)

    def get_result(self, result_id: int) -> Result:
        """Read a result once (transient failures are retried)."""
        return self._poll(result_id, max_retries=None)[0]

    def compare(
        self, result: Result | int, baseline: Result | int, *, alpha: float = DEFAULT_ALPHA
    ) -> Comparison:
        """``result`` against ``baseline``, target by target (a one-sided exact test per target; see
        ``Comparison``). Ids are read with ``get_result``; ``Result`` s are used as they are."""
        check_compare_input(result, baseline, alpha)
        now = result if isinstance(result, Result) else self.get_result(result)
        before = baseline if isinstance(baseline, Result) else self.get_result(baseline)
        return compare_results(now, before, alpha=alpha)

    def wait_for_result(
        self,
        result_id: int,
        *,
        timeout: float = 3600.0,
        poll_interval: float | None = None,
        max_poll_interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        end_calls_on_stop: bool = False,
    ) -> Result:
        """Poll until the result is terminal, calling ``on_progress(result)`` after each poll.

        ``on_progress`` must be a plain function: an ``async def`` is refused with
        ``ValidationError`` before any request (``AsyncCekuraClient`` awaits one).

        Raises ``PollTimeoutError`` within one poll of ``timeout``; a failed poll counts as a
        missed one while time remains. Each poll's request gets at most the time left before the
        deadline (but at least ``MIN_POLL_REQUEST_TIMEOUT``, 1 s), so a server that holds its
        answer delays the error by about a second, not a whole HTTP timeout.

        ``end_calls_on_stop=True``: when the wait stops before the end (``PollTimeoutError``,
        ``KeyboardInterrupt``; task cancellation on the async client), the result's calls are
        ended first with ``end_calls_many`` (one request, bounded, never retried; nothing is
        resubmitted), and the error re-raised carries its ``EndCallsOutcome`` as ``calls_ended``.
        """
        state = self._wait_state(
            result_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )
        limit = self._settings.timeout
        try:
            return wait_sync(
                lambda: self._poll(result_id, max_retries=0, timeout=state.request_timeout(limit)),
                state,
                self._sender.sleep,
            )
        except (PollTimeoutError, KeyboardInterrupt) as exc:
            if end_calls_on_stop:
                attach_calls_ended(exc, self.end_calls_many([result_id])[result_id])
            raise

    def run_and_wait(
        self,
        scenarios: ScenariosInput,
        *,
        frequency: int,
        agent: int | None = None,
        timeout: float = 3600.0,
        on_progress: ProgressCallback | None = None,
        retry_failed: int = 0,
        max_extra_runs: int = DEFAULT_MAX_EXTRA_RUNS,
        mock_tool_names: Sequence[str] | None = None,
    ) -> Result:
        """``run_scenarios`` then ``wait_for_result``.

        ``retry_failed=N``: once the result ends, resubmit the targets whose runs failed (each as
        often as it failed) as a new result, up to N rounds and ``max_extra_runs`` runs in all (a
        batch whose worst case could pass it is refused with ``ValidationError`` before anything is
        sent). Each round is submitted like the first (validated, never resent blindly). Returns a
        ``RetriedResult``: the first result with ``retries`` (rounds, extra runs, each target
        ``passed``, ``flaky`` or ``failing``). ``timeout`` covers every round.
        """
        plan = self._retried_plan(
            scenarios, frequency, agent, retry_failed, max_extra_runs, mock_tool_names, on_progress
        )
        time_left = self._time_left(timeout)
        submission = self._submit(plan)
        result = self.wait_for_result(submission.result_id, timeout=timeout, on_progress=on_progress)
        if not retry_failed:
            return result
        ledger = RetryLedger(plan, result, retry_failed, max_extra_runs)
        for round_plan, left in ledger.rounds_to_run(time_left):
            again = self._submit(round_plan)
            ledger.record(
                self.wait_for_result(again.result_id, timeout=left, on_progress=on_progress), round_plan
            )
        return RetriedResult.of(result, ledger)

    def run_suite(
        self,
        groups: list[SuiteGroup] | tuple[SuiteGroup, ...],
        *,
        concurrency: int | None = None,
        timeout: float = 3600.0,
        end_calls_on_stop: bool = True,
        on_progress: SuiteProgressCallback | None = None,
        retry_failed: int = 0,
        max_extra_runs: int = DEFAULT_MAX_EXTRA_RUNS,
    ) -> SuiteResult:
        """Run every group (one Cekura result each) with at most ``concurrency`` calls in flight.

        ``retry_failed=N`` (see ``run_and_wait``): once the suite ends, each group's failed targets
        are resubmitted, every round as a suite of its own, up to N rounds and ``max_extra_runs``
        runs over all groups; ``SuiteResult.retries`` holds each group's ``RetryLedger``.

        Groups start in order, each when its ``min(runs, concurrency)`` slots fit (see
        ``SuiteSchedule``). Every group is checked before the first request. A group whose request
        fails is recorded as ``error`` and the others go on. At ``timeout``, or on
        ``KeyboardInterrupt``, the results still running get ``end_calls`` (unless
        ``end_calls_on_stop=False``), unstarted groups are ``skipped``; the outcome is returned
        (timeout) or attached to the re-raised interrupt as ``suite_result``. ``on_progress`` gets
        each ``GroupOutcome`` as it changes.
        """
        if retry_failed:
            retries = self._suite_retries(
                groups, concurrency, timeout, on_progress, retry_failed, max_extra_runs
            )
            time_left = self._time_left(timeout)
            suite = functools.partial(
                self.run_suite,
                concurrency=concurrency,
                end_calls_on_stop=end_calls_on_stop,
                on_progress=on_progress,
            )
            outcome = suite(groups, timeout=timeout)
            retries.begin(outcome)
            for groups_again, left in retries.rounds_to_run(time_left):
                retries.record(suite(groups_again, timeout=left))
            return attrs.evolve(outcome, retries=retries)
        state = self._suite_state(groups, concurrency, timeout, on_progress)
        report = on_progress or (lambda _outcome: None)
        limit = self._settings.timeout
        try:
            while True:
                for index in state.to_start():
                    try:
                        submission = self._submit(state.plans[index])
                    except CekuraError as exc:
                        report(state.submit_failed(index, exc))
                    else:
                        report(state.submitted(index, submission))
                if state.finished:
                    break
                if state.timed_out:
                    self._stop_suite(state, "timeout", end_calls_on_stop, report)
                    break
                for index in state.due():
                    try:
                        result, retry_after = self._poll(
                            state.result_id(index), max_retries=0, timeout=state.request_timeout(limit)
                        )
                    except POLL_FAILURES as exc:
                        report(state.missed(index, exc))
                    else:
                        report(state.polled(index, result, retry_after))
                delay = state.sleep_time()
                if delay > 0 and not state.finished:
                    self._sender.sleep(delay)
        except KeyboardInterrupt as exc:
            self._stop_suite(state, "interrupted", end_calls_on_stop, report)
            attach_suite_result(exc, state.outcome())
            raise
        return state.outcome()

    def _stop_suite(
        self, state: SuiteRunState, reason: str, end_calls: bool, report: SuiteProgressCallback
    ) -> None:
        """Stop the suite; end the running results' calls with ``end_calls_many``."""
        active = state.stop(reason)
        if not end_calls or not active:
            return
        outcomes = self.end_calls_many([state.result_id(index) for index in active])
        for index in active:
            report(state.ended(index, outcomes[state.result_id(index)].ended))

    def end_calls(
        self, result_id: int, *, timeout: float | None = None, max_retries: int | None = None
    ) -> None:
        """Ask Cekura to end every call of a result: calls in progress hang up, runs not started
        never start. Ending twice is harmless, so it is retried like a read; ``timeout`` and
        ``max_retries`` override the client's for this request (clean-up on cancel is short)."""
        kwargs = self._end_calls_kwargs(result_id)
        self._sender.send(kwargs, Kind.READ, max_retries=max_retries, timeout=timeout)

    def create_share_link(self, result_id: int, expires_in_days: int) -> ShareLink | None:
        """Ask Cekura for a link to the result anyone holding it can open, valid ``expires_in_days``
        days (1..365). Each call makes a new link, so a failure that may have reached Cekura is not
        retried (``SubmissionUncertainError``). ``None`` when the answer holds no https link on
        cekura.ai."""
        kwargs, until = self._share_kwargs(result_id, expires_in_days)
        response = self._sender.send(kwargs, Kind.SUBMIT)
        payload = decode_object(response, name=request_name(kwargs), secret=self._api_key)
        return ShareLink.from_payload(result_id, payload, until)

    def end_calls_many(
        self, result_ids: Iterable[int], *, timeout: float = STOP_REQUEST_TIMEOUT
    ) -> dict[int, EndCallsOutcome]:
        """End the calls of every result (each id once) in parallel, for clean-up: one request per
        id, never retried, each bounded by ``timeout`` (``STOP_REQUEST_TIMEOUT``, 3 s), so it all
        ends within about ``timeout`` (ids beyond ``MAX_PARALLEL_ENDS``, 32, wait for a turn).

        Returns an ``EndCallsOutcome`` per id, in the order given. It never raises for one id:
        whatever an id's request raises (``NotFoundError``, ``APITimeoutError``...) becomes that
        id's ``error`` and the other ids are ended all the same. Only ``ValidationError`` (an id
        that is not a positive integer, before any request) and interrupts propagate.
        """
        ids, limit = checked_ids(result_ids, timeout)
        if not ids:
            return {}
        done: dict[int, EndCallsOutcome] = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(ids), MAX_PARALLEL_ENDS)) as pool:
            futures = {pool.submit(self.end_calls, i, timeout=limit, max_retries=0): i for i in ids}
            for future in concurrent.futures.as_completed(futures):
                done[futures[future]] = outcome_of(futures[future], future.exception())
        return {result_id: done[result_id] for result_id in ids}

    def list_results(
        self, agent: int | None = None, *, page_size: int | None = None, max_pages: int = DEFAULT_MAX_PAGES
    ) -> Iterator[Result]:
        """Every result visible to the key (of ``agent`` only, when given), newest first, one page
        request at a time as the iteration goes. Entries are list summaries: their ``runs`` are
        short. Arguments are checked now; ``ListingError`` if a ``next`` link leaves the API root
        or the list runs past ``max_pages`` pages."""
        pages = self._result_pages(agent, page_size, max_pages)
        return self._walk(pages)

    def _walk(self, pages: ResultPages) -> Iterator[Result]:
        request: dict[str, object] | None = pages.first
        while request is not None:
            response = self._sender.send(request, Kind.READ)
            name = request_name(request)
            results, request = pages.read(decode_object(response, name=name, secret=self._api_key), name=name)
            yield from results

    def _poll(self, result_id: int, *, max_retries: int | None, timeout: float | None = None) -> Poll:
        kwargs = self._result_kwargs(result_id)
        response = self._sender.send(kwargs, Kind.READ, max_retries=max_retries, timeout=timeout)
        return read_result(response, result_id, name=request_name(kwargs), secret=self._api_key)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._sender.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
