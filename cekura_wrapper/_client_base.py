"""What ``CekuraClient`` and ``AsyncCekuraClient`` share: the one constructor, the checks of every
argument and the decisions between requests (the clients only send, sleep and await)."""

from __future__ import annotations

import functools
import inspect
import logging
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

import httpx

from ._api import end_calls_request, list_results_request, request_name, result_request, share_link_request
from ._budget import DEFAULT_REQUEST_BUDGET, RequestBudget
from ._decoding import decode_object
from ._ending import EndCallsOutcome
from ._errors import (
    CekuraError,
    PollTimeoutError,
    SubmissionNotCreatedError,
    SubmissionUncertainError,
    ValidationError,
)
from ._links import expire_at
from ._listing import MAX_PAGE_SIZE, ResultPages
from ._lookup import LOOKUP_PAGE_SIZE, Lookup, Send
from ._plan import MAX_RUNS, RunPlan, ScenariosInput, plan_run
from ._polling import WaitState
from ._reach import unreachable_agent_urls
from ._reconcile import DEFAULT_SETTLE_WINDOW, Landed, NotLanded, Outcome, SentRequest
from ._responses import parse_http_date
from ._results import Result, Submission
from ._retries import SuiteRetries, retry_problems
from ._schedule import GRID, PollMode, check_mode, new_schedule
from ._settings import Settings, resolve_api_key
from ._suite import GroupOutcome, SuiteResult, SuiteRunState, check_suite
from ._transport import AsyncSender, SyncSender
from ._validation import check_positive_id, describe, require_seconds

ProgressCallback = Callable[[Result], object]
SuiteProgressCallback = Callable[[GroupOutcome], object]

logger = logging.getLogger("cekura_wrapper")


def _is_async_callable(callback: object) -> bool:
    """True for an ``async def`` (also behind ``functools.partial``) or an object with an async ``__call__``."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    return inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
        getattr(callback, "__call__", None)  # noqa: B004  (the method, to inspect it)
    )


def check_progress(on_progress: object, *, can_await: bool) -> None:
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


def attach_suite_result(exc: BaseException, outcome: SuiteResult) -> None:
    """Hang the suite's outcome so far on the interrupt that stopped it (``exc.suite_result``)."""
    exc.suite_result = outcome  # type: ignore[attr-defined]


def attach_calls_ended(exc: BaseException, outcome: EndCallsOutcome) -> None:
    """Hang what ``end_calls_on_stop`` did on the error or interrupt that stopped a wait
    (``exc.calls_ended``); a ``PollTimeoutError`` then says the calls were ended, not running."""
    exc.calls_ended = outcome  # type: ignore[attr-defined]
    if isinstance(exc, PollTimeoutError) and outcome.ended:
        exc.args = (str(exc).split("; it keeps running")[0] + "; its calls were ended",)


def _utc_now() -> datetime:
    return datetime.now(UTC)


HttpClientT = TypeVar("HttpClientT", httpx.Client, httpx.AsyncClient)
SenderT = TypeVar("SenderT", SyncSender, AsyncSender)


class ClientBase(Generic[HttpClientT, SenderT]):
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

    def _time_left(self, timeout: float) -> Callable[[], float]:
        """The seconds left of ``timeout`` from now, read on the client's clock when called."""
        started = self._clock()
        return lambda: timeout - (self._clock() - started)

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
        private or other non-global addresses in any spelling, single-label names, internal
        suffixes such as ``.local``/``.internal``/``.svc``), unless the base URL is a loopback one (the
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
        mock_tool_names: Sequence[str] | None,
        on_progress: object,
    ) -> RunPlan:
        """The checked plan of ``run_and_wait``; with retries, also refused when its worst case could
        pass ``max_extra_runs`` (``ValidationError``, nothing sent); ``on_progress`` is checked
        first, before the batch starts rather than after it."""
        check_progress(on_progress, can_await=self._can_await)
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
        check_progress(on_progress, can_await=self._can_await)
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

    def _end_calls_kwargs(self, result_id: int) -> dict[str, object]:
        problem = check_positive_id(result_id, "result_id")
        if problem:
            raise ValidationError(problem)
        return end_calls_request(result_id)

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
        check_progress(on_progress, can_await=self._can_await)
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
