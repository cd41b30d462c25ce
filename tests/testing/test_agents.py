"""Test agents and the simulated caller, over real websockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection, serve
from websockets.http11 import Request, Response

from cekura_wrapper.testing import (
    DEFAULT_SCENARIOS,
    AgentServer,
    AgentThread,
    CallOutcome,
    CallSettings,
    CekuraEmulator,
    Scenario,
    SimulatedCaller,
    Turn,
    load_scenarios,
)
from cekura_wrapper.testing.agents import helpful_reply
from cekura_wrapper.testing.caller import MAX_FRAMES_PER_TURN, place_call

QUICK = CallSettings(connect_timeout=2, reply_timeout=2)
YIELD_EVERY = 64  # the caller lets other tasks run at least this often while frames pour in
HOURS = DEFAULT_SCENARIOS[0]
TWO_TURNS = Scenario(401, "Two turns", (Turn("Hello", ("help",)), Turn("What are your hours?", ("9am",))))


async def call(url: str, scenario: Scenario = HOURS, settings: CallSettings = QUICK) -> CallOutcome:
    headers = {"X-VOCERA-SCENARIO-ID": str(scenario.id), "X-VOCERA-RESULT-ID": "1", "X-VOCERA-RUN-ID": "2"}
    return await place_call(url, scenario, headers=headers, settings=settings)


Handler = Callable[[ServerConnection], Awaitable[None]]


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    """Start a one-off websocket agent from a handler; returns its URL."""
    servers = []

    async def start(handler: Handler) -> str:
        server = await serve(handler, "127.0.0.1", 0)
        servers.append(server)
        return f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("scenario", DEFAULT_SCENARIOS, ids=lambda s: str(s.id))
async def test_the_helpful_agent_passes_every_default_scenario(scenario: Scenario) -> None:
    async with AgentServer("helpful") as agent:
        outcome = await call(agent.url, scenario)
    assert (outcome.connected, outcome.success, outcome.error_message) == (True, True, None)
    assert outcome.ended_by == "caller"
    assert outcome.transcript[0] == {"role": "user", "content": scenario.turns[0].say}


@pytest.mark.parametrize("greet", [True, False])
async def test_a_greeting_is_optional(greet: bool) -> None:
    async with AgentServer("helpful", greet=greet) as agent:
        outcome = await call(agent.url, TWO_TURNS)
    assert outcome.success, outcome.error_message


async def test_the_caller_sends_cekuras_handshake_headers_and_secret() -> None:
    async with AgentServer("helpful", secret="s3cret") as agent:
        caller = SimulatedCaller(CallSettings(secret="s3cret"))
        outcome = await caller.call(agent.url, HOURS, result_id=12, run_id=34)
    assert outcome.success, outcome.error_message
    (headers,) = agent.handshakes
    assert {k: headers[k] for k in ("X-VOCERA-SCENARIO-ID", "X-VOCERA-RESULT-ID", "X-VOCERA-RUN-ID")} == {
        "X-VOCERA-SCENARIO-ID": "101",
        "X-VOCERA-RESULT-ID": "12",
        "X-VOCERA-RUN-ID": "34",
    }
    assert headers["X-VOCERA-SECRET"] == "s3cret"


async def test_a_wrong_secret_is_refused_with_1008() -> None:
    async with AgentServer("helpful", secret="s3cret") as agent:
        outcome = await SimulatedCaller(CallSettings(secret="nope")).call(
            agent.url, HOURS, result_id=1, run_id=1
        )
    assert outcome.connected and not outcome.success
    assert "code 1008" in (outcome.error_message or "")


async def test_an_unreachable_url_is_a_run_that_never_connected() -> None:
    outcome = await call("ws://127.0.0.1:9/")
    assert (outcome.connected, outcome.success) == (False, False)
    assert (outcome.error_message or "").startswith("could not connect to ws://127.0.0.1:9/")


async def test_an_http_server_that_refuses_the_upgrade() -> None:
    async def not_websocket(connection: ServerConnection, request: Request) -> Response:
        return connection.respond(403, "no\n")

    server = await serve(lambda c: asyncio.sleep(0), "127.0.0.1", 0, process_request=not_websocket)
    try:
        outcome = await call(f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/")
    finally:
        server.close()
        await server.wait_closed()
    assert not outcome.connected
    assert "HTTP 403" in (outcome.error_message or "")


async def test_an_agent_that_closes_mid_conversation_fails_the_run() -> None:
    async with AgentServer("closes-mid-conversation", replies_before_close=1) as agent:
        outcome = await call(agent.url, TWO_TURNS)
    assert outcome.connected and not outcome.success
    assert outcome.error_message == "agent closed the connection (code 1000) during turn 2 of 2"


async def test_invalid_json_fails_the_run_and_quotes_the_frame() -> None:
    async with AgentServer("invalid-json", greet=False) as agent:
        outcome = await call(agent.url)
    assert outcome.error_message == "agent sent a frame that is not valid JSON: 'this is not JSON'"


async def test_a_slow_agent_misses_the_reply_timeout() -> None:
    async with AgentServer("slow", reply_delay=0.4, greet=False) as agent:
        outcome = await call(agent.url, settings=CallSettings(reply_timeout=0.05))
    assert outcome.connected and not outcome.success
    assert outcome.error_message == "no reply to turn 1 ('Hello') within 0.05s"


async def test_a_slow_agent_within_the_timeout_passes() -> None:
    async with AgentServer("slow", reply_delay=0.01) as agent:
        outcome = await call(agent.url, TWO_TURNS)
    assert outcome.success, outcome.error_message


async def test_the_flaky_agent_fails_every_second_connection() -> None:
    async with AgentServer("flaky") as agent:
        outcomes = [await call(agent.url, TWO_TURNS) for _ in range(4)]
    assert [outcome.success for outcome in outcomes] == [True, False, True, False]


async def test_a_reply_missing_the_expected_words_names_them() -> None:
    wants_pizza = Scenario(402, "Pizza", (Turn("Pizza please", ("pepperoni", "large")),))
    async with AgentServer("helpful", greet=False) as agent:
        outcome = await call(agent.url, wants_pizza, CallSettings(reply_timeout=0.1))
    assert outcome.error_message is not None
    assert outcome.error_message.startswith(
        "reply to turn 1 ('Pizza please') did not mention ['pepperoni', 'large']"
    )


async def test_metadata_frames_and_tool_calls_are_handled(
    scripted: Callable[[Handler], Awaitable[str]],
) -> None:
    tool_results: list[dict[str, object]] = []
    opening: list[dict[str, object]] = []

    async def agent(connection: ServerConnection) -> None:
        opening.extend([json.loads(await connection.recv()) for _ in range(2)])
        await connection.send(json.dumps({"metadata": {"keepalive": True}}))
        await connection.send(
            json.dumps({"role": "Function Call", "data": {"id": "t1", "name": "lookup", "arguments": {}}})
        )
        tool_results.append(json.loads(await connection.recv()))
        await connection.send(json.dumps({"content": "How can I help?", "metadata": {"latency_ms": 3}}))
        await connection.recv()  # the caller's end_call

    outcome = await call(await scripted(agent), Scenario(403, "One", (Turn("Hello", ("help",)),)))
    assert outcome.success, outcome.error_message
    assert tool_results == [{"role": "Function Call Result", "data": {"id": "t1", "result": "ok"}}]
    assert opening == [{"metadata": {"type": "keepalive"}}, {"content": "Hello"}]


async def test_the_agent_may_end_the_call_on_the_last_turn(
    scripted: Callable[[Handler], Awaitable[str]],
) -> None:
    async def agent(connection: ServerConnection) -> None:
        await connection.recv()
        await connection.send(json.dumps({"content": "Happy to help, goodbye", "type": "end_call"}))

    outcome = await call(await scripted(agent), Scenario(404, "One", (Turn("Hello", ("help",)),)))
    assert (outcome.success, outcome.ended_by) == (True, "agent")


async def test_ending_the_call_early_fails(scripted: Callable[[Handler], Awaitable[str]]) -> None:
    async def agent(connection: ServerConnection) -> None:
        await connection.recv()
        await connection.send(json.dumps({"content": "I can help. Bye!", "type": "end_call"}))

    outcome = await call(await scripted(agent), TWO_TURNS)
    assert outcome.error_message == "agent ended the call after turn 1 of 2"


async def test_the_caller_says_goodbye_with_end_call(scripted: Callable[[Handler], Awaitable[str]]) -> None:
    frames: list[dict[str, str]] = []

    async def agent(connection: ServerConnection) -> None:
        async for raw in connection:
            frames.append(json.loads(raw))
            await connection.send(json.dumps({"content": "I can help"}))

    await call(await scripted(agent), Scenario(405, "One", (Turn("Hello", ("help",)),)))
    assert frames[-1]["type"] == "end_call"


async def test_non_object_and_binary_frames_fail(scripted: Callable[[Handler], Awaitable[str]]) -> None:
    async def sends_list(connection: ServerConnection) -> None:
        await connection.send("[1, 2]")
        await connection.wait_closed()

    async def sends_bytes(connection: ServerConnection) -> None:
        await connection.send(b"\x00\x01")
        await connection.wait_closed()

    assert "not an object" in ((await call(await scripted(sends_list))).error_message or "")
    assert "binary frame (2 bytes)" in ((await call(await scripted(sends_bytes))).error_message or "")


async def test_the_scenario_maximum_duration_caps_the_conversation() -> None:
    short = Scenario(406, "Short", (Turn("Hello", ("help",)),), max_duration=0.05)
    async with AgentServer("slow", reply_delay=0.3, greet=False) as agent:
        outcome = await call(agent.url, short, CallSettings(reply_timeout=5))
    assert outcome.error_message == "conversation exceeded the scenario's maximum duration of 0.05s"


async def test_the_caller_bounds_concurrent_conversations(
    scripted: Callable[[Handler], Awaitable[str]],
) -> None:
    open_now = 0
    peak = 0
    pair_ready = asyncio.Condition()

    async def agent(connection: ServerConnection) -> None:
        nonlocal open_now, peak
        async with pair_ready:
            open_now += 1
            peak = max(peak, open_now)
            pair_ready.notify_all()
            await pair_ready.wait_for(lambda: open_now >= 2)
        try:
            async for _raw in connection:
                await connection.send(json.dumps({"content": "I can help"}))
        finally:
            open_now -= 1

    url = await scripted(agent)
    caller = SimulatedCaller(QUICK, max_concurrent=2)
    one_turn = Scenario(407, "One", (Turn("Hello", ("help",)),))
    outcomes = await asyncio.gather(*(caller.call(url, one_turn, result_id=1, run_id=n) for n in range(6)))
    assert all(outcome.success for outcome in outcomes)
    assert peak == 2


def test_helpful_reply_covers_the_default_scenarios_keywords() -> None:
    for scenario in DEFAULT_SCENARIOS:
        for turn in scenario.turns:
            reply = helpful_reply(turn.say).casefold()
            assert all(word.casefold() in reply for word in turn.expect), (turn, reply)


def test_unknown_agent_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown agent kind 'grumpy'"):
        AgentServer("grumpy")  # type: ignore[arg-type]


def test_scenario_files_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps([{"id": 9, "turns": ["Hi", {"say": "Bye", "expect": "ok"}]}]))
    (scenario,) = load_scenarios(tmp_path / "a.json")
    assert scenario == Scenario(9, "Scenario 9", (Turn("Hi"), Turn("Bye", ("ok",))))
    (tmp_path / "b.yaml").write_text("scenarios:\n  - id: 10\n    turns: []\n")
    with pytest.raises(ValueError, match=r"b.yaml: scenario #0: scenario 10 needs at least one turn"):
        load_scenarios(tmp_path / "b.yaml")
    (tmp_path / "c.yaml").write_text("- id: 0\n  turns: [Hi]\n")
    with pytest.raises(ValueError, match=r"positive int, got 0"):
        load_scenarios(tmp_path / "c.yaml")


def test_agent_thread_serves_synchronous_code() -> None:
    with AgentThread("helpful") as agent:
        assert agent.url.startswith("ws://127.0.0.1:")
        outcome = asyncio.run(call(agent.url))
    assert outcome.success


def test_the_pytest_plugin_fixtures(
    cekura_emulator: CekuraEmulator, cekura_agent: Callable[..., AgentThread]
) -> None:
    """The fixtures registered through the pytest11 entry point run a real batch."""
    agent = cekura_agent("helpful")
    headers = {"X-CEKURA-API-KEY": cekura_emulator.api_key}
    body = {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": agent.url}]}
    with httpx.Client(base_url=cekura_emulator.base_url, headers=headers) as http:
        created = http.post("/test_framework/v1/scenarios/run_scenarios_with_websockets/", json=body).json()
        result = http.get(f"/test_framework/v1/results/{created['id']}/").json()
        while result["status"] not in ("completed", "failed"):
            result = http.get(f"/test_framework/v1/results/{created['id']}/").json()
    assert (result["status"], result["success_runs_count"]) == ("completed", "1")


def test_each_test_gets_a_clean_plugin_emulator(pytester: pytest.Pytester) -> None:
    """The session's one server is reset between tests: nothing one test did reaches the next."""
    pytester.makepyfile(
        """
        import httpx
        from cekura_wrapper.testing import Scenario, Turn
        from cekura_wrapper.testing.faults import ServerErrorFault

        def test_1_leaves_a_mess(cekura_emulator):
            cekura_emulator.scenarios.register(Scenario(777, "Temporary", (Turn("Hi"),)))
            cekura_emulator.faults.queue(ServerErrorFault(503), on="get", times=5)
            body = {"frequency": 1, "scenarios": [{"scenario": 777, "websocket_url": "ws://127.0.0.1:9/"}]}
            headers = {"X-CEKURA-API-KEY": cekura_emulator.api_key}
            url = cekura_emulator.base_url + "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
            assert httpx.post(url, json=body, headers=headers).status_code == 201
            assert cekura_emulator.app.results and cekura_emulator.requests

        def test_2_starts_clean(cekura_emulator):
            assert cekura_emulator.app.results == {}
            assert cekura_emulator.requests == []
            assert len(cekura_emulator.faults) == 0
            assert 777 not in {scenario.id for scenario in cekura_emulator.scenarios}
        """
    )
    outcome = pytester.runpytest(
        "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    outcome.assert_outcomes(passed=2)


async def test_a_chatty_agent_is_cut_off_after_a_bounded_number_of_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bounds by counts, not by the clock: the caller reads at most MAX_FRAMES_PER_TURN frames, and
    another task on the loop runs at least once every YIELD_EVERY frames however fast they come."""
    frames_read = 0
    real_recv = ClientConnection.recv

    async def counting_recv(self: ClientConnection, decode: bool | None = None) -> str | bytes:
        nonlocal frames_read
        frames_read += 1
        return await real_recv(self, decode)

    monkeypatch.setattr(ClientConnection, "recv", counting_recv)
    seen_by_heartbeat: list[int] = []

    async def heartbeat() -> None:  # another task on the same loop (the emulator's API, say)
        while True:
            seen_by_heartbeat.append(frames_read)
            await asyncio.sleep(0)

    async with AgentServer("chatty", chatter=2 * MAX_FRAMES_PER_TURN) as agent:
        beating = asyncio.create_task(heartbeat())
        settings = CallSettings(connect_timeout=2, reply_timeout=60)
        outcome = await asyncio.wait_for(call(agent.url, settings=settings), timeout=60)  # a hang only
        beating.cancel()

    assert not outcome.success
    assert outcome.error_message is not None and "more than 1000 frames in turn" in outcome.error_message
    assert frames_read <= 1 + MAX_FRAMES_PER_TURN  # the greeting's turn, then the cut-off turn
    runs = [later - earlier for earlier, later in itertools.pairwise(seen_by_heartbeat)]
    assert seen_by_heartbeat[-1] == frames_read  # the heartbeat saw the whole call
    assert max(runs, default=0) <= YIELD_EVERY  # the loop kept serving other tasks


async def test_a_chatty_agent_under_the_frame_limit_still_passes() -> None:
    async with AgentServer("chatty", chatter=400) as agent:
        outcome = await call(agent.url)
    assert outcome.success, outcome.error_message
    assert len(outcome.transcript) <= 500
