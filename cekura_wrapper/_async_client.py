"""``AsyncCekuraClient``: the asyncio twin of ``CekuraClient``, on the same shared base."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Self

import attrs
import httpx

from ._api import request_name, run_request
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
from ._ending import STOP_REQUEST_TIMEOUT, EndCallsOutcome, checked_ids, outcome_of
from ._errors import CekuraError, PollTimeoutError, SubmissionUncertainError
from ._links import ShareLink
from ._listing import DEFAULT_MAX_PAGES, ResultPages
from ._lookup import Pause, Send
from ._plan import MAX_RUNS, RunPlan, ScenariosInput
from ._polling import POLL_FAILURES, Poll, wait_async
from ._reconcile import SentRequest
from ._results import Result, Submission
from ._retries import DEFAULT_MAX_EXTRA_RUNS, RetriedResult, RetryLedger
from ._retry import Kind
from ._stats import DEFAULT_ALPHA
from ._suite import GroupOutcome, SuiteGroup, SuiteResult, SuiteRunState
from ._transport import AsyncSender


class AsyncCekuraClient(ClientBase[httpx.AsyncClient, AsyncSender]):
    """The asyncio twin of ``CekuraClient``: same arguments, same methods, awaitable."""

    _can_await = True
    _http_type = httpx.AsyncClient

    def _new_sender(self, http_client: httpx.AsyncClient | None) -> AsyncSender:
        return AsyncSender(
            settings=self._settings, secret=self._api_key, http_client=http_client, sleep=asyncio.sleep
        )

    async def run_scenarios(
        self,
        scenarios: ScenariosInput,
        *,
        frequency: int,
        agent: int | None = None,
        max_runs: int = MAX_RUNS,
        reconcile: bool = True,
        mock_tool_names: Sequence[str] | None = None,
    ) -> Submission:
        """See ``CekuraClient.run_scenarios``."""
        plan = self._plan(scenarios, frequency, agent, max_runs, mock_tool_names)
        return await self._submit(plan, reconcile=reconcile)

    async def _submit(self, plan: RunPlan, *, reconcile: bool = True) -> Submission:
        kwargs = run_request(plan)
        sent_at = self._now()
        try:
            response = await self._sender.send(kwargs, Kind.SUBMIT)
            return read_submission(
                response, planned_runs=plan.run_count, name=request_name(kwargs), secret=self._api_key
            )
        except SubmissionUncertainError as exc:
            sent = self._sent(plan, sent_at, exc)
            if not reconcile:
                raise
            return await self._look_up(sent, exc)

    async def find_submission(self, plan: RunPlan, *, sent_at: datetime) -> Submission:
        """See ``CekuraClient.find_submission``."""
        exc = SubmissionUncertainError("looked up on request")
        return await self._look_up(SentRequest(plan, sent_at), exc)

    async def _look_up(self, sent: SentRequest, exc: SubmissionUncertainError) -> Submission:
        lookup = self._lookup(sent)
        while isinstance(step := lookup.step(self._clock()), Send | Pause):
            if isinstance(step, Pause):
                await self._sender.sleep(step.seconds)
                continue
            try:
                response = await self._sender.send(
                    step.request, Kind.READ, max_retries=0, timeout=step.timeout
                )
            except CekuraError as failed:
                lookup.failed(failed, self._clock())
            else:
                self._answer(lookup, step, response)
        return self._settled(step, sent, exc)

    async def run_suite(
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
        """See ``CekuraClient.run_suite``; submissions and polls of the groups run concurrently,
        task cancellation stops the suite like ``KeyboardInterrupt``, and ``on_progress`` may be an
        ``async def``."""
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
            outcome = await suite(groups, timeout=timeout)
            retries.begin(outcome)
            for groups_again, left in retries.rounds_to_run(time_left):
                retries.record(await suite(groups_again, timeout=left))
            return attrs.evolve(outcome, retries=retries)
        state = self._suite_state(groups, concurrency, timeout, on_progress)
        limit = self._settings.timeout

        async def report(outcome: GroupOutcome) -> None:
            if on_progress is not None:
                reported = on_progress(outcome)
                if inspect.isawaitable(reported):
                    await reported

        async def submit(index: int) -> None:
            try:
                submission = await self._submit(state.plans[index])
            except CekuraError as exc:
                await report(state.submit_failed(index, exc))
            else:
                await report(state.submitted(index, submission))

        async def poll(index: int) -> None:
            try:
                result, retry_after = await self._poll(
                    state.result_id(index), max_retries=0, timeout=state.request_timeout(limit)
                )
            except POLL_FAILURES as exc:
                await report(state.missed(index, exc))
            else:
                await report(state.polled(index, result, retry_after))

        try:
            while True:
                await asyncio.gather(*(submit(index) for index in state.to_start()))
                if state.finished:
                    break
                if state.timed_out:
                    await self._stop_suite(state, "timeout", end_calls_on_stop, report)
                    break
                await asyncio.gather(*(poll(index) for index in state.due()))
                delay = state.sleep_time()
                if delay > 0 and not state.finished:
                    await self._sender.sleep(delay)
        except (asyncio.CancelledError, KeyboardInterrupt) as exc:
            await self._stop_suite(state, "interrupted", end_calls_on_stop, report)
            attach_suite_result(exc, state.outcome())
            raise
        return state.outcome()

    async def _stop_suite(
        self,
        state: SuiteRunState,
        reason: str,
        end_calls: bool,
        report: Callable[[GroupOutcome], Awaitable[None]],
    ) -> None:
        """See ``CekuraClient._stop_suite``."""
        active = state.stop(reason)
        if not end_calls or not active:
            return
        outcomes = await self.end_calls_many([state.result_id(index) for index in active])
        for index in active:
            await report(state.ended(index, outcomes[state.result_id(index)].ended))

    async def get_result(self, result_id: int) -> Result:
        """See ``CekuraClient.get_result``."""
        return (await self._poll(result_id, max_retries=None))[0]

    async def compare(
        self, result: Result | int, baseline: Result | int, *, alpha: float = DEFAULT_ALPHA
    ) -> Comparison:
        """See ``CekuraClient.compare``."""
        check_compare_input(result, baseline, alpha)
        now = result if isinstance(result, Result) else await self.get_result(result)
        before = baseline if isinstance(baseline, Result) else await self.get_result(baseline)
        return compare_results(now, before, alpha=alpha)

    async def wait_for_result(
        self,
        result_id: int,
        *,
        timeout: float = 3600.0,
        poll_interval: float | None = None,
        max_poll_interval: float | None = None,
        on_progress: ProgressCallback | None = None,
        end_calls_on_stop: bool = False,
    ) -> Result:
        """See ``CekuraClient.wait_for_result``; ``on_progress`` may also be an ``async def``, and
        task cancellation stops the wait like ``KeyboardInterrupt``."""
        state = self._wait_state(
            result_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
        )
        limit = self._settings.timeout
        try:
            return await wait_async(
                lambda: self._poll(result_id, max_retries=0, timeout=state.request_timeout(limit)),
                state,
                self._sender.sleep,
            )
        except (PollTimeoutError, KeyboardInterrupt, asyncio.CancelledError) as exc:
            if end_calls_on_stop:
                attach_calls_ended(exc, (await self.end_calls_many([result_id]))[result_id])
            raise

    async def run_and_wait(
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
        """See ``CekuraClient.run_and_wait``."""
        plan = self._retried_plan(
            scenarios, frequency, agent, retry_failed, max_extra_runs, mock_tool_names, on_progress
        )
        time_left = self._time_left(timeout)
        submission = await self._submit(plan)
        result = await self.wait_for_result(submission.result_id, timeout=timeout, on_progress=on_progress)
        if not retry_failed:
            return result
        ledger = RetryLedger(plan, result, retry_failed, max_extra_runs)
        for round_plan, left in ledger.rounds_to_run(time_left):
            again = await self._submit(round_plan)
            ledger.record(
                await self.wait_for_result(again.result_id, timeout=left, on_progress=on_progress), round_plan
            )
        return RetriedResult.of(result, ledger)

    async def end_calls(
        self, result_id: int, *, timeout: float | None = None, max_retries: int | None = None
    ) -> None:
        """See ``CekuraClient.end_calls``."""
        kwargs = self._end_calls_kwargs(result_id)
        await self._sender.send(kwargs, Kind.READ, max_retries=max_retries, timeout=timeout)

    async def create_share_link(self, result_id: int, expires_in_days: int) -> ShareLink | None:
        """See ``CekuraClient.create_share_link``."""
        kwargs, until = self._share_kwargs(result_id, expires_in_days)
        response = await self._sender.send(kwargs, Kind.SUBMIT)
        payload = decode_object(response, name=request_name(kwargs), secret=self._api_key)
        return ShareLink.from_payload(result_id, payload, until)

    async def end_calls_many(
        self, result_ids: Iterable[int], *, timeout: float = STOP_REQUEST_TIMEOUT
    ) -> dict[int, EndCallsOutcome]:
        """See ``CekuraClient.end_calls_many`` (at most 20 requests in flight; waiting for a turn
        counts toward ``timeout``)."""
        ids, limit = checked_ids(result_ids, timeout)

        async def end(result_id: int) -> EndCallsOutcome:
            try:
                await self.end_calls(result_id, timeout=limit, max_retries=0)
            except Exception as exc:  # the rule of outcome_of: an id's failure is its outcome
                return outcome_of(result_id, exc)
            return outcome_of(result_id, None)

        outcomes = await asyncio.gather(*(end(result_id) for result_id in ids))
        return {outcome.result_id: outcome for outcome in outcomes}

    def list_results(
        self, agent: int | None = None, *, page_size: int | None = None, max_pages: int = DEFAULT_MAX_PAGES
    ) -> AsyncIterator[Result]:
        """See ``CekuraClient.list_results``: an async iterator (``async for``)."""
        pages = self._result_pages(agent, page_size, max_pages)
        return self._walk(pages)

    async def _walk(self, pages: ResultPages) -> AsyncIterator[Result]:
        request: dict[str, object] | None = pages.first
        while request is not None:
            response = await self._sender.send(request, Kind.READ)
            name = request_name(request)
            results, request = pages.read(decode_object(response, name=name, secret=self._api_key), name=name)
            for result in results:
                yield result

    async def _poll(self, result_id: int, *, max_retries: int | None, timeout: float | None = None) -> Poll:
        kwargs = self._result_kwargs(result_id)
        response = await self._sender.send(kwargs, Kind.READ, max_retries=max_retries, timeout=timeout)
        return read_result(response, result_id, name=request_name(kwargs), secret=self._api_key)

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._sender.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
