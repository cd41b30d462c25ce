"""A local Cekura: the bulk websocket run and the result endpoint, with real conversations.

``CekuraEmulator`` serves :class:`EmulatorApp` (a plain ASGI app) with uvicorn on 127.0.0.1::

    with CekuraEmulator() as emulator:
        client = CekuraClient(emulator.api_key, base_url=emulator.base_url)

- ``POST /test_framework/v1/scenarios/run_scenarios_with_websockets/`` checks
  ``X-CEKURA-API-KEY`` (401), validates the body (400 ``{field: [messages]}``, never 500),
  creates a result of ``len(scenarios) x frequency`` runs and answers 201.
- ``GET /test_framework/v1/results/{id}/`` answers ResultDetailV2: status ``pending``, then
  ``running`` while the simulated caller holds the conversations (at most
  ``max_concurrent_runs`` at once), then ``evaluating``, then ``completed`` (``failed`` when no
  run reached its agent). Counts are numeric strings and ``runs`` is keyed by run id string.
- ``POST /test_framework/v1/results/{id}/end_calls/`` hangs up the result's conversations in
  progress, keeps its unstarted runs from starting (both fail with an ``error_message`` saying
  the call was ended) and ends the result ``cancelled``; repeating it changes nothing.
- ``POST /test_framework/v1/results/{id}/create_shareable_link_token/`` makes a new shareable
  link to the result on every call (see ``share_links``).
- ``GET /test_framework/v1/results/`` lists results newest first, paginated like Django REST
  framework (``count``, ``next``, ``previous``, ``results``; ``page``, ``page_size``,
  ``agent_id``, ``project_id``, ``scenarios``, ``search`` filters; see ``result_list``).

A scenario sent without ``websocket_url`` dials the URL configured on the request's agent
(``agents``, see :mod:`cekura_wrapper.testing.emulated_agents`); ``mock_tool_names`` is checked
like Cekura's field and recorded in the result's ``run_settings``.

``emulator.peak_concurrent_calls`` is the most conversations held at once (reset with
``reset_peak_concurrent_calls``).

Phase delays are small by default so tests stay fast. Faults are off until queued on
``emulator.faults`` (see :mod:`cekura_wrapper.testing.faults`). Every request is recorded in
``emulator.requests`` as ``(method, path, status)``, so a test can count POSTs.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import re
import secrets
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Protocol

import attrs

from cekura_wrapper.testing.asgi_io import (
    BadRequest,
    Message,
    Receive,
    Scope,
    Send,
    read_json,
    send_json,
    start,
)
from cekura_wrapper.testing.caller import CallOutcome, CallSettings, SimulatedCaller
from cekura_wrapper.testing.emulated_agents import UNCONFIGURED, EmulatedAgent
from cekura_wrapper.testing.faults import (
    DropAfterCreate,
    FaultQueue,
    Latency,
    ServerErrorAfterCreate,
    ServerErrorFault,
    Throttle,
)
from cekura_wrapper.testing.result_list import list_results
from cekura_wrapper.testing.results import (
    ENDED_BEFORE_START,
    ENDED_IN_CALL,
    FINAL_STATUSES,
    ResultRecord,
    RunRecord,
    now_iso,
)
from cekura_wrapper.testing.run_request import FieldErrors, RunRequest, parse_run_request
from cekura_wrapper.testing.scenarios import DEFAULT_SCENARIOS, Scenario, ScenarioRegistry, load_scenarios
from cekura_wrapper.testing.server import ServerThread
from cekura_wrapper.testing.share_links import SHARE_PATH, share_answer

RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
RESULT_PATH = re.compile(r"^/test_framework/v1/results/(?P<id>[0-9]{1,18})/$")
END_CALLS_PATH = re.compile(r"^/test_framework/v1/results/(?P<id>[0-9]{1,18})/end_calls/$")
LIST_PATH = "/test_framework/v1/results/"
API_KEY_HEADER = b"x-cekura-api-key"


class RunExecutor(Protocol):
    """Holds one run's conversation; :class:`SimulatedCaller` is the real one."""

    async def call(self, url: str, scenario: Scenario, *, result_id: int, run_id: int) -> CallOutcome: ...


@attrs.frozen
class EmulatorSettings:
    """Lifecycle pacing and limits; defaults keep a local batch to well under a second of overhead."""

    pending_delay: float = attrs.field(default=0.05, validator=attrs.validators.ge(0))
    evaluating_delay: float = attrs.field(default=0.05, validator=attrs.validators.ge(0))
    max_concurrent_runs: int = attrs.field(default=10, validator=attrs.validators.ge(1))
    max_runs_per_result: int = attrs.field(default=1000, validator=attrs.validators.ge(1))
    #: Seconds a new result stays out of the results list (Cekura's list may lag its creation).
    list_lag: float = attrs.field(default=0.0, validator=attrs.validators.ge(0))
    call: CallSettings = attrs.field(factory=CallSettings)


@attrs.frozen
class RecordedRequest:
    method: str
    path: str
    status: int


class EmulatorApp:
    """The ASGI app. All state lives on the server's event loop, except faults and the log."""

    def __init__(
        self,
        *,
        api_key: str,
        scenarios: ScenarioRegistry | None = None,
        settings: EmulatorSettings | None = None,
        executor: RunExecutor | None = None,
        agents: dict[int, EmulatedAgent] | None = None,
    ) -> None:
        self.api_key = api_key
        #: Agent id -> its websocket URL and project (change it freely between requests).
        self.agents: dict[int, EmulatedAgent] = dict(agents or {})
        self._initial_agents = dict(self.agents)
        self.scenarios = scenarios if scenarios is not None else ScenarioRegistry()
        self.settings = settings or EmulatorSettings()
        self.executor: RunExecutor = executor or SimulatedCaller(
            self.settings.call, max_concurrent=self.settings.max_concurrent_runs
        )
        self.faults = FaultQueue()
        self.results: dict[int, ResultRecord] = {}
        self._log_lock = threading.Lock()
        self._log: list[RecordedRequest] = []
        self._result_ids = itertools.count(1)
        self._run_ids = itertools.count(10001)
        self._tasks: set[asyncio.Task[None]] = set()
        #: The serving event loop, known once the lifespan has started.
        self.loop: asyncio.AbstractEventLoop | None = None
        # Runs wait here for a free slot (they read "pending" meanwhile); created on the server's loop.
        self._slots: asyncio.Semaphore | None = None
        # The task of every run, by result id, so that end_calls can stop them.
        self._run_tasks: dict[int, set[asyncio.Task[None]]] = {}
        self._calls_open = 0
        #: The most conversations held at once since the start or the last reset.
        self.peak_concurrent_calls = 0

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._log_lock:
            return list(self._log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # the API speaks HTTP only: 403

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.loop = asyncio.get_running_loop()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.cancel_runs()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def cancel_runs(self) -> None:
        """Stop every conversation still in progress (on shutdown and reset)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def reset(self) -> None:
        """Forget results, requests and queued faults and restore the initial scenarios and agents."""
        await self.cancel_runs()
        self.results.clear()
        self._run_tasks.clear()
        self.peak_concurrent_calls = 0
        self.faults.clear()
        with self._log_lock:
            self._log.clear()
        self.scenarios.restore()
        self.agents.clear()
        self.agents.update(self._initial_agents)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        method, path = scope["method"], scope["path"]

        async def send_and_record(message: Message) -> None:
            # Recorded before the client can see the response, so a test reading the log never races.
            if message["type"] == "http.response.start":
                with self._log_lock:
                    self._log.append(RecordedRequest(method, path, message["status"]))
            await send(message)

        await self._respond(method, path, scope, receive, send_and_record)

    async def _respond(self, method: str, path: str, scope: Scope, receive: Receive, send: Send) -> int:
        result_match = RESULT_PATH.match(path)
        end_match = END_CALLS_PATH.match(path) or SHARE_PATH.match(path)
        if path not in (RUN_PATH, LIST_PATH) and result_match is None and end_match is None:
            return await send_json(send, 404, {"detail": "Not found."})
        allowed = "POST" if path == RUN_PATH or end_match is not None else "GET"
        if method != allowed:
            return await send_json(send, 405, {"detail": f'Method "{method}" not allowed.'}, allow=allowed)
        fault = self.faults.take(method.lower())
        if isinstance(fault, Latency):
            await asyncio.sleep(fault.seconds)
        elif isinstance(fault, Throttle):
            headers = {} if fault.retry_after is None else {"retry-after": str(fault.retry_after)}
            return await send_json(send, 429, {"detail": "Request was throttled."}, **headers)
        elif isinstance(fault, ServerErrorFault):
            return await send_json(send, fault.status, {"detail": "Injected server error."})
        if not self._authorised(scope):
            return await send_json(send, 401, {"detail": "Invalid or missing API key."})
        if result_match is not None:
            return await self._get_result(int(result_match["id"]), send)
        if end_match is not None and end_match.re is SHARE_PATH:
            return await self._share(int(end_match["id"]), scope, receive, send)
        if end_match is not None:
            return await self._end_calls(int(end_match["id"]), send)
        if path == LIST_PATH:
            return await self._list_results(scope, send)
        try:
            body = await read_json(scope, receive)
            request = parse_run_request(
                body, self.scenarios, max_runs=self.settings.max_runs_per_result, agents=self.agents
            )
        except BadRequest as exc:
            return await send_json(send, exc.status, exc.body)
        except FieldErrors as exc:
            return await send_json(send, 400, exc.errors)
        record = self._create(request)
        if isinstance(fault, ServerErrorAfterCreate):
            return await send_json(
                send, fault.status, {"detail": "Injected server error after creating the result."}
            )
        if isinstance(fault, DropAfterCreate):
            payload = json.dumps(record.submitted()).encode()
            await send(start(201, len(payload), {}))
            # Returning without the body makes the server close the connection mid-response.
            return 201
        return await send_json(send, 201, record.submitted())

    def _authorised(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name.lower() == API_KEY_HEADER:
                return hmac.compare_digest(value, self.api_key.encode())
        return False

    async def _get_result(self, result_id: int, send: Send) -> int:
        record = self.results.get(result_id)
        if record is None:
            return await send_json(send, 404, {"detail": "No Result matches the given query."})
        return await send_json(send, 200, record.detail())

    async def _end_calls(self, result_id: int, send: Send) -> int:
        record = self.results.get(result_id)
        if record is None:
            return await send_json(send, 404, {"detail": "No Result matches the given query."})
        if not record.ended and record.status not in FINAL_STATUSES:
            record.ended = True
            record.touch()
            for task in self._run_tasks.get(result_id, ()):
                task.cancel()
        await send(start(200, 0, {}, content_type=None))
        await send({"type": "http.response.body", "body": b""})
        return 200

    async def _share(self, result_id: int, scope: Scope, receive: Receive, send: Send) -> int:
        if result_id not in self.results:
            return await send_json(send, 404, {"detail": "No Result matches the given query."})
        try:
            body = await read_json(scope, receive)
        except BadRequest as exc:
            return await send_json(send, exc.status, exc.body)
        status, answer = share_answer(body)
        return await send_json(send, status, answer)

    async def _list_results(self, scope: Scope, send: Send) -> int:
        listed_before = datetime.now(UTC) - timedelta(seconds=self.settings.list_lag)
        listed = [
            record
            for record in self.results.values()
            if not self.settings.list_lag or datetime.fromisoformat(record.created_at) <= listed_before
        ]
        status, body = list_results(
            listed,
            scope.get("query_string", b"").decode("latin-1"),
            dict(scope["headers"]).get(b"host", b"127.0.0.1").decode("latin-1"),
            LIST_PATH,
            lambda agent: self.agents.get(agent, UNCONFIGURED).project,
        )
        return await send_json(send, status, body)

    def reset_peak_concurrent_calls(self) -> None:
        """Start counting the peak afresh (the calls open now count at once)."""
        self.peak_concurrent_calls = self._calls_open

    def _create(self, request: RunRequest) -> ResultRecord:
        runs = [
            RunRecord(next(self._run_ids), target.scenario, target.websocket_url or "")
            for target in request.targets
            for _ in range(request.frequency)
        ]
        record = ResultRecord(
            next(self._result_ids), request.agent, request.frequency, runs, request.mock_tool_names
        )
        self.results[record.id] = record
        task = asyncio.get_running_loop().create_task(self._drive(record))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return record

    async def _drive(self, record: ResultRecord) -> None:
        """Move one result through pending, running, evaluating and its final status."""
        await asyncio.sleep(self.settings.pending_delay)
        record.status = "running"
        record.touch()
        loop = asyncio.get_running_loop()
        tasks = {loop.create_task(self._run(record, run)) for run in record.runs}
        self._run_tasks[record.id] = tasks
        await asyncio.gather(*tasks)
        self._run_tasks.pop(record.id, None)
        if not record.ended:
            record.status = "evaluating"
            record.touch()
            await asyncio.sleep(self.settings.evaluating_delay)
        record.status = record.final_status()
        record.touch()

    async def _run(self, record: ResultRecord, run: RunRecord) -> None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.settings.max_concurrent_runs)
        try:
            if record.ended:
                raise asyncio.CancelledError
            async with self._slots:
                if record.ended:
                    raise asyncio.CancelledError
                await self._hold_conversation(record, run)
        except asyncio.CancelledError:
            if not record.ended:
                raise  # shutdown or reset, not end_calls
            started = run.started_at is not None
            run.outcome = CallOutcome(
                connected=started,
                success=False,
                error_message=ENDED_IN_CALL if started else ENDED_BEFORE_START,
                ended_by="caller" if started else None,
            )
            run.status = "failed"
            run.ended_at = now_iso()
            record.touch()

    async def _hold_conversation(self, record: ResultRecord, run: RunRecord) -> None:
        run.status = "running"
        run.started_at = now_iso()
        self._calls_open += 1
        self.peak_concurrent_calls = max(self.peak_concurrent_calls, self._calls_open)
        try:
            outcome = await self.executor.call(
                run.websocket_url, run.scenario, result_id=record.id, run_id=run.id
            )
        except Exception as exc:  # an executor bug must not leave the result running forever
            outcome = CallOutcome(False, False, f"emulator error while running the conversation: {exc!r}")
        finally:
            self._calls_open -= 1
        run.outcome = outcome
        run.status = "completed" if outcome.connected else "failed"
        run.ended_at = now_iso()
        record.touch()


class CekuraEmulator:
    """The emulator app served on a background thread; a context manager.

    ``api_key`` defaults to a fresh random key (the emulator's own; it never needs yours).
    ``scenarios`` may be a registry or a YAML/JSON file whose scenarios join the defaults.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        scenarios: ScenarioRegistry | str | Path | None = None,
        settings: EmulatorSettings | None = None,
        executor: RunExecutor | None = None,
        agents: dict[int, EmulatedAgent] | None = None,
    ) -> None:
        if isinstance(scenarios, (str, Path)):
            registry = ScenarioRegistry([*DEFAULT_SCENARIOS, *load_scenarios(scenarios)])
        else:
            registry = scenarios if scenarios is not None else ScenarioRegistry()
        self.api_key = api_key or f"emulator-{secrets.token_urlsafe(16)}"
        self.app = EmulatorApp(
            api_key=self.api_key, scenarios=registry, settings=settings, executor=executor, agents=agents
        )
        self._server = ServerThread(self.app, host=host, port=port)

    def __repr__(self) -> str:
        return f"CekuraEmulator(base_url={self.base_url!r})"

    @property
    def base_url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def faults(self) -> FaultQueue:
        return self.app.faults

    @property
    def scenarios(self) -> ScenarioRegistry:
        return self.app.scenarios

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.app.requests

    @property
    def agents(self) -> dict[int, EmulatedAgent]:
        """Agent id -> its websocket URL and project; assign to configure one."""
        return self.app.agents

    @property
    def peak_concurrent_calls(self) -> int:
        """The most conversations the emulator held at once (since start or the last reset)."""
        return self.app.peak_concurrent_calls

    def reset_peak_concurrent_calls(self) -> None:
        """Count the peak afresh from now on."""
        self.app.reset_peak_concurrent_calls()

    def start(self) -> CekuraEmulator:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def serve_forever(self) -> None:
        """Start if needed and block until Ctrl-C, then stop cleanly (for ``cekura-ws emulator``)."""
        if self.app.loop is None:
            self.start()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def reset(self) -> None:
        """Start afresh without restarting the server (cheap isolation between tests)."""
        if self.app.loop is None:
            raise RuntimeError("the emulator is not running")
        asyncio.run_coroutine_threadsafe(self.app.reset(), self.app.loop).result(timeout=10)

    def __enter__(self) -> CekuraEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


__all__ = [
    "CekuraEmulator",
    "EmulatedAgent",
    "EmulatorApp",
    "EmulatorSettings",
    "RecordedRequest",
    "RunExecutor",
]
