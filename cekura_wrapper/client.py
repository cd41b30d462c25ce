"""``CekuraClient`` and ``AsyncCekuraClient``: the pieces composed, with no logic of their own."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import attrs
import httpx

from ._api import (
    end_calls_request,
    list_results_request,
    request_name,
    result_request,
    run_request,
    share_link_request,
)
from ._budget import DEFAULT_REQUEST_BUDGET, RequestBudget
from ._compare import Comparison, check_compare_input
from ._compare import compare as compare_results
from ._decoding import decode_object, read_result, read_submission
from ._ending import MAX_PARALLEL_ENDS, STOP_REQUEST_TIMEOUT, EndCallsOutcome, checked_ids, outcome_of
from ._errors import (
    APIConnectionError,
    APIError,
    CekuraError,
    PollTimeoutError,
    SubmissionNotCreatedError,
    SubmissionUncertainError,
    ValidationError,
)
from ._links import ShareLink, expire_at
from ._listing import DEFAULT_MAX_PAGES, MAX_PAGE_SIZE, ResultPages
from ._lookup import LOOKUP_PAGE_SIZE, Lookup, Pause, Send
from ._plan import MAX_RUNS, RunPlan, ScenariosInput, plan_run
from ._polling import Poll, WaitState, wait_async, wait_sync
from ._reach import unreachable_agent_urls
from ._reconcile import DEFAULT_SETTLE_WINDOW, Landed, NotLanded, Outcome, SentRequest
from ._responses import parse_http_date
from ._results import Result, Submission
from ._retries import DEFAULT_MAX_EXTRA_RUNS, RetriedResult, RetryLedger, SuiteRetries, retry_problems
from ._retry import Kind
from ._schedule import GRID, PollMode, check_mode, new_schedule
from ._settings import Settings, resolve_api_key
from ._stats import DEFAULT_ALPHA
from ._suite import GroupOutcome, SuiteGroup, SuiteResult, SuiteRunState, check_suite
from ._transport import AsyncSender, SyncSender
from ._validation import check_positive_id, describe, require_seconds

ProgressCallback = Callable[[Result], object]
SuiteProgressCallback = Callable[[GroupOutcome], object]
#: Failures of one poll inside a suite, handed to ``SuiteRunState.missed``.
_POLL_FAILURES = (APIConnectionError, APIError)

logger = logging.getLogger("cekura_wrapper")


def _is_async_callable(callback: object) -> bool:
    """True for an ``async def`` (also behind ``functools.partial``) or an object with an async ``__call__``."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004  (the method, to inspect it)
    )


def _check_progress(on_progress: object, *, can_await: bool) -> None:
    """Raise ``ValidationError`` unless ``on_progress`` is ``None`` or a callback the client can call."""
    if on_progress is None:
        return
    if not callable(on_progress):
        raise ValidationError(f"on_progress must be a function taking a Result, got {describe(on_progress)}")
    if not can_await and _is_async_callable(on_progress):
        raise ValidationError(
            "on_progress is an async function, which CekuraClient cannot await (it would never run); "
            "pass a plain function, or use AsyncCekuraClient"
        )


def _attach(exc: BaseException, outcome: SuiteResult) -> None:
    """Hang the suite's outcome so far on the interrupt that stopped it (``exc.suite_result``)."""
    exc.suite_result = outcome  # type: ignore[attr-defined]


def _ended_on_stop(exc: BaseException, outcome: EndCallsOutcome) -> None:
    """Hang what ``end_calls_on_stop`` did on the error or interrupt that stopped a wait
    (``exc.calls_ended``); a ``PollTimeoutError`` then says the calls were ended, not running."""
    exc.calls_ended = outcome  # type: ignore[attr-defined]
    if isinstance(exc, PollTimeoutError) and outcome.ended:
        exc.args = (str(exc).split("; it keeps running")[0] + "; its calls were ended",)


def _utc_now() -> datetime:
    return datetime.now(UTC)


HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)
SenderT = TypeVar("SenderT", SyncSender, AsyncSender)


class _ClientBase(Generic[HttpClientT, SenderT]):
    """Configuration, the one constructor and the decisions both clients share (see ``CekuraClient``)."""

    #: Whether ``on_progress`` may be an ``async def`` (only the async client awaits it).
    _can_await: ClassVar[bool] = False
    #: What ``http_client`` must be.
    _http_type: ClassVar[type[httpx.Client] | type[httpx.AsyncClient]]

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        retry_backoff: float = 0.5,
        poll_interval: float = 1.0,
        max_poll_interval: float = GRID,
        http_client: HttpClientT | None = None,
        allow_private_agent_urls: bool = False,
        reconcile_window: float = DEFAULT_SETTLE_WINDOW,
        http2: bool = False,
        poll: PollMode = "latency",
        request_budget: float | None = DEFAULT_REQUEST_BUDGET,
    ) -> None:
        self._settings = Settings.build(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            http2=http2,
        )
        # Holds the key: private, never printed.
        self._api_key = resolve_api_key(api_key)
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise ValidationError(
                f"http_client must be an httpx.{self._http_type.__name__}, got {describe(http_client)}"
            )
        #: Send agent URLs Cekura's cloud cannot reach (peered or VPN setups); see ``_reach``.
        self._allow_private_agent_urls = bool(allow_private_agent_urls)
        #: How long an uncertain submission is looked for before concluding it was not created.
        self._reconcile_window = require_seconds(reconcile_window, "reconcile_window", zero_ok=True)
        #: How waits poll ("latency": never later than a poller every max_poll_interval).
        self._poll_mode = check_mode(poll)
        self._clock: Callable[[], float] = time.monotonic
        #: Our wall clock (UTC): when a run request was sent, when a list answer arrived.
        self._now: Callable[[], datetime] = _utc_now
        #: Polls per second shared by every wait of this client; reads the clock ``_set_time`` sets.
        self._budget = RequestBudget(request_budget, clock=lambda: self._clock())
        self._sender: SenderT = self._new_sender(http_client)

    def _new_sender(self, http_client: HttpClientT | None) -> SenderT:
        raise NotImplementedError

    def _set_time(
        self,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Any] | None = None,
        wall: Callable[[], datetime] | None = None,
    ) -> Self:
        """For tests: read time from ``clock`` (and the date from ``wall``) and wait with ``sleep``
        (a fake that only records)."""
        if clock is not None:
            self._clock = clock
        if wall is not None:
            self._now = wall
        if sleep is not None:
            self._sender.sleep = sleep
        return self

    @property
    def base_url(self) -> str:
        """The API root requests go to."""
        return self._settings.base_url

    def __repr__(self) -> str:
        settings = self._settings
        return (
            f"{type(self).__name__}(base_url={settings.base_url!r}, timeout={settings.timeout:g}, "
            f"max_retries={settings.max_retries})"
        )

    def _sent(self, plan: RunPlan, sent_at: datetime, exc: SubmissionUncertainError) -> SentRequest:
        """What is known of an uncertain request; the error carries the plan and time too."""
        exc.plan, exc.sent_at = plan, sent_at
        return SentRequest(plan, sent_at)

    def _lookup(self, sent: SentRequest) -> Lookup:
        """The decisions of a lookup of ``sent`` starting now (see ``_lookup``)."""
        return Lookup(
            sent,
            first=list_results_request(agent=sent.plan.agent, page_size=LOOKUP_PAGE_SIZE),
            detail=result_request,
            base_url=self._settings.base_url,
            started=self._clock(),
            window=self._reconcile_window,
            request_timeout=self._settings.timeout,
        )

    def _answer(self, lookup: Lookup, step: Send, response: httpx.Response) -> None:
        """Hand a 2xx answer of the lookup to its decisions, with its ``Date`` and arrival time."""
        received_at = self._now()
        try:
            payload = decode_object(response, name=request_name(step.request), secret=self._api_key)
        except CekuraError as exc:
            lookup.failed(exc, self._clock())
            return
        server_date = parse_http_date(response.headers.get("date"))
        lookup.answered(payload, server_date=server_date, received_at=received_at, now=self._clock())

    def _settled(self, outcome: Outcome, sent: SentRequest, exc: SubmissionUncertainError) -> Submission:
        """The reconciled submission, or the error that says what the lookup found."""
        if isinstance(outcome, Landed):
            detail = Result.from_payload(outcome.detail)
            logger.warning(
                "the run request failed after it was sent (%s); looked it up: it did land as result %d",
                exc.reason,
                outcome.result_id,
            )
            return Submission(
                result_id=outcome.result_id,
                status=detail.status,
                run_count=detail.total_runs,
                raw=detail.raw,
                reconciled=True,
                uncertain_reason=exc.reason,
            )
        if isinstance(outcome, NotLanded):
            raise SubmissionNotCreatedError(exc.reason, looked_for=outcome.looked_for) from exc
        exc.looked_up(outcome.reason, outcome.candidates)
        exc.plan, exc.sent_at = sent.plan, sent.sent_at
        raise exc

    def check_agent_urls(self, plan: RunPlan) -> None:
        """Raise ``ValidationError`` naming every agent URL Cekura could not reach (loopback,
        private, link-local, ``.local``/``.internal``), unless the base URL is a loopback one (the
        emulator) or the client was made with ``allow_private_agent_urls=True``."""
        if self._allow_private_agent_urls:
            return
        problems = unreachable_agent_urls(plan, self._settings.base_url)
        if problems:
            count = len(problems)
            raise ValidationError(
                f"{count} agent URL{'s' if count != 1 else ''} cannot be reached from Cekura "
                f"({self._settings.base_url}); pass allow_private_agent_urls=True for peered or VPN setups",
                problems,
            )

    def _plan(
        self,
        scenarios: ScenariosInput,
        frequency: int,
        agent: int | None,
        max_runs: int,
        mock_tool_names: Sequence[str] | None = None,
    ) -> RunPlan:
        """The checked plan of a run request (nothing is sent when it raises)."""
        plan = plan_run(
            scenarios, frequency=frequency, agent=agent, max_runs=max_runs, mock_tool_names=mock_tool_names
        )
        self.check_agent_urls(plan)
        return plan

    def _retried_plan(
        self,
        scenarios: ScenariosInput,
        frequency: int,
        agent: int | None,
        retry_failed: int,
        max_extra_runs: int,
        mock_tool_names: Sequence[str] | None = None,
    ) -> RunPlan:
        """The checked plan of ``run_and_wait``; with retries, also refused when its worst case could
        pass ``max_extra_runs`` (``ValidationError``, nothing sent)."""
        plan = self._plan(scenarios, frequency, agent, MAX_RUNS, mock_tool_names)
        problems = retry_problems(retry_failed, max_extra_runs, plan.run_count)
        if problems:
            raise ValidationError("; ".join(problems))
        return plan

    def _suite_retries(
        self,
        groups: object,
        concurrency: object,
        timeout: float,
        on_progress: object,
        retry_failed: int,
        max_extra_runs: int,
    ) -> SuiteRetries:
        """The checked suite's retries: refused (``ValidationError``, nothing sent) when every run
        of every group failing every round could pass ``max_extra_runs``."""
        state = self._suite_state(groups, concurrency, timeout, on_progress)
        problems = retry_problems(retry_failed, max_extra_runs, sum(plan.run_count for plan in state.plans))
        if problems:
            raise ValidationError("; ".join(problems))
        assert isinstance(groups, list | tuple)
        plans = {group.name: plan for group, plan in zip(groups, state.plans, strict=True)}
        return SuiteRetries(plans, retry_failed, max_extra_runs)

    def _result_kwargs(self, result_id: int) -> dict[str, object]:
        problem = check_positive_id(result_id, "result_id")
        if problem:
            raise ValidationError(problem)
        return result_request(result_id)

    def _suite_state(
        self, groups: object, concurrency: object, timeout: float, on_progress: object
    ) -> SuiteRunState:
        """The checked suite (``ValidationError`` listing every group's problems, nothing sent)."""
        _check_progress(on_progress, can_await=self._can_await)
        plans = check_suite(
            groups,
            concurrency,
            lambda group: self._plan(
                group.scenarios, group.frequency, group.agent, MAX_RUNS, group.mock_tool_names
            ),
        )
        assert isinstance(groups, list | tuple)
        return SuiteRunState(
            [group.name for group in groups],
            plans,
            concurrency=concurrency,  # type: ignore[arg-type]  # checked by check_suite
            timeout=timeout,
            clock=self._clock,
            poll_interval=self._settings.poll_interval,
            max_poll_interval=self._settings.max_poll_interval,
            poll=self._poll_mode,
            budget=self._budget,
        )

    def _end_calls_kwargs(self, result_id: int) -> dict[str, object]:
        problem = check_positive_id(result_id, "result_id")
        if problem:
            raise ValidationError(problem)
        return end_calls_request(result_id)

    def _share_kwargs(self, result_id: int, expires_in_days: int) -> tuple[dict[str, object], str]:
        """The checked request for a shareable link and its ``expire_at`` (``ValidationError`` first)."""
        problem = check_positive_id(result_id, "result_id")
        try:
            until = expire_at(expires_in_days, self._now())
        except ValueError as exc:
            problem = problem or str(exc)
        if problem:
            raise ValidationError(problem)
        return share_link_request(result_id, until), until

    def _result_pages(self, agent: int | None, page_size: int | None, max_pages: int) -> ResultPages:
        """The checked walk of the results list (``ValidationError`` before any request)."""
        problems = [
            problem
            for problem in (
                None if agent is None else check_positive_id(agent, "agent"),
                None if page_size is None else check_positive_id(page_size, "page_size"),
                check_positive_id(max_pages, "max_pages"),
            )
            if problem
        ]
        if page_size is not None and not problems and page_size > MAX_PAGE_SIZE:
            problems.append(f"page_size must be at most {MAX_PAGE_SIZE}, got {page_size}")
        if problems:
            raise ValidationError("; ".join(problems))
        first = list_results_request(agent=agent, page_size=page_size)
        return ResultPages(first, base_url=self._settings.base_url, max_pages=max_pages)

    def _wait_state(
        self,
        result_id: int,
        *,
        timeout: float,
        poll_interval: float | None,
        max_poll_interval: float | None,
        on_progress: ProgressCallback | None,
    ) -> WaitState:
        problem = check_positive_id(result_id, "result_id")
        if problem:
            raise ValidationError(problem)
        _check_progress(on_progress, can_await=self._can_await)
        schedule = new_schedule(
            self._poll_mode,
            self._settings.poll_interval if poll_interval is None else poll_interval,
            self._settings.max_poll_interval if max_poll_interval is None else max_poll_interval,
        )
        return WaitState(
            result_id,
            timeout=timeout,
            schedule=schedule,
            clock=self._clock,
            on_progress=on_progress,
            budget=self._budget,
        )


class CekuraClient(_ClientBase[httpx.Client, SyncSender]):
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
                _ended_on_stop(exc, self.end_calls_many([result_id])[result_id])
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
        _check_progress(on_progress, can_await=False)  # before the batch starts, not after
        plan = self._retried_plan(scenarios, frequency, agent, retry_failed, max_extra_runs, mock_tool_names)
        started = self._clock()
        submission = self._submit(plan)
        result = self.wait_for_result(submission.result_id, timeout=timeout, on_progress=on_progress)
        if not retry_failed:
            return result
        ledger = RetryLedger(plan, result, retry_failed, max_extra_runs)
        while (round_plan := ledger.next_plan()) is not None:
            left = timeout - (self._clock() - started)
            if left <= 0:
                ledger.stop("no time was left before the timeout")
                break
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
            started = self._clock()
            outcome = self.run_suite(
                groups,
                concurrency=concurrency,
                timeout=timeout,
                end_calls_on_stop=end_calls_on_stop,
                on_progress=on_progress,
            )
            retries.begin(outcome)
            while groups_again := retries.next_groups():
                left = timeout - (self._clock() - started)
                if left <= 0:
                    retries.stop("no time was left before the timeout")
                    break
                round_outcome = self.run_suite(
                    groups_again,
                    concurrency=concurrency,
                    timeout=left,
                    end_calls_on_stop=end_calls_on_stop,
                    on_progress=on_progress,
                )
                retries.record(round_outcome)
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
                    except _POLL_FAILURES as exc:
                        report(state.missed(index, exc))
                    else:
                        report(state.polled(index, result, retry_after))
                delay = state.sleep_time()
                if delay > 0 and not state.finished:
                    self._sender.sleep(delay)
        except KeyboardInterrupt as exc:
            self._stop_suite(state, "interrupted", end_calls_on_stop, report)
            _attach(exc, state.outcome())
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


class AsyncCekuraClient(_ClientBase[httpx.AsyncClient, AsyncSender]):
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
            started = self._clock()
            outcome = await self.run_suite(
                groups,
                concurrency=concurrency,
                timeout=timeout,
                end_calls_on_stop=end_calls_on_stop,
                on_progress=on_progress,
            )
            retries.begin(outcome)
            while groups_again := retries.next_groups():
                left = timeout - (self._clock() - started)
                if left <= 0:
                    retries.stop("no time was left before the timeout")
                    break
                round_outcome = await self.run_suite(
                    groups_again,
                    concurrency=concurrency,
                    timeout=left,
                    end_calls_on_stop=end_calls_on_stop,
                    on_progress=on_progress,
                )
                retries.record(round_outcome)
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
            except _POLL_FAILURES as exc:
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
            _attach(exc, state.outcome())
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
                _ended_on_stop(exc, (await self.end_calls_many([result_id]))[result_id])
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
        _check_progress(on_progress, can_await=True)
        plan = self._retried_plan(scenarios, frequency, agent, retry_failed, max_extra_runs, mock_tool_names)
        started = self._clock()
        submission = await self._submit(plan)
        result = await self.wait_for_result(submission.result_id, timeout=timeout, on_progress=on_progress)
        if not retry_failed:
            return result
        ledger = RetryLedger(plan, result, retry_failed, max_extra_runs)
        while (round_plan := ledger.next_plan()) is not None:
            left = timeout - (self._clock() - started)
            if left <= 0:
                ledger.stop("no time was left before the timeout")
                break
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
