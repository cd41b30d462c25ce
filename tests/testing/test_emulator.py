"""The emulator over real HTTP on 127.0.0.1: auth, validation, lifecycle, faults, scenarios."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cekura_wrapper.testing import (
    DEFAULT_SCENARIOS,
    AgentThread,
    CallOutcome,
    CallSettings,
    CekuraEmulator,
    DropAfterCreate,
    EmulatorSettings,
    Latency,
    Scenario,
    ScenarioRegistry,
    ServerErrorAfterCreate,
    ServerErrorFault,
    Throttle,
    Turn,
)
from cekura_wrapper.testing.caller import place_call

RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
UNREACHABLE = "ws://127.0.0.1:9/nobody-listens"


class GatedCaller:
    """Holds every run until the test opens the gate, so 'running' can be observed without timing."""

    def __init__(self) -> None:
        self.gate = threading.Event()

    async def call(self, url: str, scenario: Scenario, *, result_id: int, run_id: int) -> CallOutcome:
        await asyncio.to_thread(self.gate.wait, 30)
        return CallOutcome(connected=True, success=scenario.id != 104, error_message=None)


#: One TLS context for the module's plain-http clients: httpx loads the CA bundle for every client
#: it makes otherwise (tens of ms each).
TLS = httpx.create_ssl_context()


class Api:
    """Raw HTTP against one emulator; the wrapper client is tested elsewhere."""

    def __init__(self, emulator: CekuraEmulator) -> None:
        self.emulator = emulator
        self.http = httpx.Client(
            base_url=emulator.base_url, headers={"X-CEKURA-API-KEY": emulator.api_key}, verify=TLS
        )

    def run(self, body: Any, **kwargs: Any) -> httpx.Response:
        return self.http.post(RUN_PATH, json=body, **kwargs)

    def result(self, result_id: int, **kwargs: Any) -> httpx.Response:
        return self.http.get(f"/test_framework/v1/results/{result_id}/", **kwargs)

    def final(self, result_id: int) -> dict[str, Any]:
        statuses = self.statuses_until_final(result_id)
        assert statuses[-1] in ("completed", "failed")
        payload: dict[str, Any] = self.result(result_id).json()
        return payload

    def statuses_until_final(self, result_id: int) -> list[str]:
        seen: list[str] = []
        while not seen or seen[-1] not in ("completed", "failed"):
            assert len(seen) < 20_000, f"result {result_id} never finished: {seen[-5:]}"
            status = self.result(result_id).json()["status"]
            if not seen or seen[-1] != status:
                seen.append(status)
        return seen


@pytest.fixture
def api(emulator: CekuraEmulator) -> Iterator[Api]:
    client = Api(emulator)
    yield client
    client.http.close()


def one(url: str, scenario: int = 101, frequency: int = 1) -> dict[str, Any]:
    return {"frequency": frequency, "scenarios": [{"scenario": scenario, "websocket_url": url}]}


def test_creates_len_scenarios_times_frequency_runs(api: Api, helpful: AgentThread) -> None:
    body = {
        "frequency": 3,
        "scenarios": [
            {"scenario": 101, "websocket_url": helpful.url},
            {"scenario": 101, "websocket_url": UNREACHABLE},
        ],
    }
    created = api.run(body)
    assert created.status_code == 201
    runs = created.json()["runs"]
    assert len(runs) == 6
    assert len({run["id"] for run in runs}) == 6
    assert {run["scenario_name"] for run in runs} == {"Opening hours"}
    final = api.final(created.json()["id"])
    # Runs are created target by target; like Cekura's, they do not say which URL they dialled.
    in_order = sorted(final["runs"].values(), key=lambda run: run["id"])
    assert not any("websocket_url" in run for run in in_order)
    assert [r["success"] for r in in_order] == [True] * 3 + [False] * 3
    assert final["success_rate"] == 50.0
    assert final["status"] == "completed"


def test_the_agent_sees_cekuras_handshake_headers(api: Api, cekura_agent: Callable[..., AgentThread]) -> None:
    agent = cekura_agent("helpful")  # its own: it records every handshake
    created = api.run(one(agent.url, scenario=102)).json()
    api.final(created["id"])
    (headers,) = agent.handshakes
    assert headers["X-VOCERA-SCENARIO-ID"] == "102"
    assert headers["X-VOCERA-RESULT-ID"] == str(created["id"])
    assert headers["X-VOCERA-RUN-ID"] == str(created["runs"][0]["id"])


def test_a_batch_nobody_answers_ends_failed_with_the_reason(api: Api) -> None:
    created = api.run(one(UNREACHABLE, frequency=2)).json()
    final = api.final(created["id"])
    assert final["status"] == "failed"
    assert (final["connected_runs"], final["not_connected_runs"], final["success_rate"]) == ("0", "2", 0.0)
    for run in final["runs"].values():
        assert run["status"] == "failed"
        assert run["error_message"].startswith(f"could not connect to {UNREACHABLE}")


def test_lifecycle_pending_running_evaluating_completed() -> None:
    caller = GatedCaller()
    with CekuraEmulator(
        settings=EmulatorSettings(pending_delay=0, evaluating_delay=0), executor=caller
    ) as emulator:
        api = Api(emulator)
        try:
            created = api.run(one("ws://agent.test/", scenario=101, frequency=2)).json()
            assert created["status"] == "pending"
            while {run["status"] for run in api.result(created["id"]).json()["runs"].values()} != {"running"}:
                pass
            held = api.result(created["id"]).json()
            assert (held["status"], held["completed_runs_count"]) == ("running", "0")
        finally:
            caller.gate.set()
        final = api.final(created["id"])
    assert final["status"] == "completed"
    assert (final["completed_runs_count"], final["success_runs_count"]) == ("2", "2")


def test_runs_beyond_the_concurrency_limit_wait_as_pending() -> None:
    caller = GatedCaller()
    limited = EmulatorSettings(pending_delay=0, evaluating_delay=0, max_concurrent_runs=2)
    with CekuraEmulator(settings=limited, executor=caller) as emulator:
        api = Api(emulator)
        try:
            created = api.run(one("ws://agent.test/", frequency=5)).json()
            statuses: list[str] = []
            while statuses.count("running") < 2:
                statuses = [run["status"] for run in api.result(created["id"]).json()["runs"].values()]
            assert sorted(statuses) == ["pending"] * 3 + ["running"] * 2
        finally:
            caller.gate.set()
        assert api.final(created["id"])["success_runs_count"] == "5"


def test_a_long_pending_phase_is_visible_and_stop_cancels_it() -> None:
    with CekuraEmulator(settings=EmulatorSettings(pending_delay=60)) as emulator:
        api = Api(emulator)
        created = api.run(one(UNREACHABLE)).json()
        assert api.result(created["id"]).json()["status"] == "pending"
        running = set(emulator.app._tasks)
        assert len(running) == 1
    # Leaving the block stopped the server and cancelled the pending result's task.
    assert [task.cancelled() for task in running] == [True]


def test_an_evaluating_phase_is_reported_after_the_runs() -> None:
    caller = GatedCaller()
    caller.gate.set()
    with CekuraEmulator(
        settings=EmulatorSettings(pending_delay=0, evaluating_delay=60), executor=caller
    ) as emulator:
        api = Api(emulator)
        created = api.run(one("ws://agent.test/")).json()
        status = api.result(created["id"]).json()["status"]
        while status in ("pending", "running"):
            status = api.result(created["id"]).json()["status"]
        assert status == "evaluating"


@pytest.mark.parametrize(
    ("headers", "path"),
    [
        ({}, "run"),
        ({"X-CEKURA-API-KEY": "wrong"}, "run"),
        ({}, "result"),
        ({"X-CEKURA-API-KEY": ""}, "result"),
    ],
)
def test_a_missing_or_wrong_key_is_401_and_creates_nothing(
    api: Api, headers: dict[str, str], path: str
) -> None:
    http = httpx.Client(base_url=api.emulator.base_url, headers=headers, verify=TLS)
    response = (
        http.post(RUN_PATH, json=one(UNREACHABLE))
        if path == "run"
        else http.get("/test_framework/v1/results/1/")
    )
    assert response.status_code == 401
    assert "detail" in response.json()
    assert api.emulator.app.results == {}


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"scenarios": [{"scenario": 101, "websocket_url": "ws://a/"}]}, "frequency", "required"),
        (
            {"frequency": 0, "scenarios": [{"scenario": 101, "websocket_url": "ws://a/"}]},
            "frequency",
            "greater than",
        ),
        (
            {"frequency": 101, "scenarios": [{"scenario": 101, "websocket_url": "ws://a/"}]},
            "frequency",
            "less than",
        ),
        (
            {"frequency": True, "scenarios": [{"scenario": 101, "websocket_url": "ws://a/"}]},
            "frequency",
            "integer",
        ),
        (
            {"frequency": "2", "scenarios": [{"scenario": 101, "websocket_url": "ws://a/"}]},
            "frequency",
            "integer",
        ),
        ({"frequency": 1}, "scenarios", "required"),
        ({"frequency": 1, "scenarios": []}, "scenarios", "empty"),
        ({"frequency": 1, "scenarios": "101"}, "scenarios", "list"),
        (
            {"frequency": 1, "scenarios": [{"scenario": 999, "websocket_url": "ws://a/"}]},
            "scenarios",
            '"999"',
        ),
        (
            {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": "http://a/"}]},
            "scenarios",
            "ws://",
        ),
        ({"frequency": 1, "scenarios": [{"scenario": 101}]}, "scenarios", "websocket_url"),
        (
            {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": "ws://"}]},
            "scenarios",
            "no host",
        ),
        (
            {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": "ws://a:70000/"}]},
            "scenarios",
            "valid",
        ),
        (
            {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": "ws://a/"}], "agent": 0},
            "agent",
            "positive",
        ),
        ([], "non_field_errors", "dictionary"),
    ],
)
def test_bad_bodies_get_400_naming_the_field(api: Api, body: Any, field: str, fragment: str) -> None:
    response = api.run(body)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors
    assert api.emulator.app.results == {}


def test_every_bad_item_is_reported_with_its_index(api: Api) -> None:
    body = {
        "frequency": 1,
        "scenarios": [
            {"scenario": 101, "websocket_url": "ws://ok/"},
            {"scenario": 5, "websocket_url": "ws://ok/"},
            {"scenario": 102, "websocket_url": "https://x/"},
        ],
    }
    errors = api.run(body).json()
    assert [message.split(":")[0] for message in errors["scenarios"]] == ["Item 1", "Item 2"]


def test_bodies_that_are_not_json_objects(api: Api) -> None:
    not_json = api.http.post(RUN_PATH, content=b"{nope", headers={"Content-Type": "application/json"})
    assert (not_json.status_code, "JSON parse error" in not_json.json()["detail"]) == (400, True)
    # Form bodies are read as DRF reads them: flat text fields, so no list of scenarios (400).
    form = api.http.post(RUN_PATH, data={"frequency": "1"})
    assert (form.status_code, form.json()["scenarios"]) == (400, ["This field is required."])
    multipart = api.http.post(RUN_PATH, files={"scenarios": (None, "101")}, data={"frequency": "1"})
    assert multipart.status_code == 400 and "Expected a list" in multipart.json()["scenarios"][0]
    text = api.http.post(RUN_PATH, content=b"frequency=1", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    empty = api.http.post(RUN_PATH)
    assert empty.status_code == 400
    assert set(empty.json()) == {"frequency", "scenarios"}


def test_too_many_runs_for_one_request_is_400() -> None:
    with CekuraEmulator(settings=EmulatorSettings(max_runs_per_result=10)) as emulator:
        response = Api(emulator).run(one(UNREACHABLE, frequency=11))
    assert response.status_code == 400
    assert "11 runs" in response.json()["non_field_errors"][0]


def test_agent_is_required_when_a_scenario_has_none() -> None:
    registry = ScenarioRegistry([Scenario(301, "Orphan", (Turn("Hi"),), agent=None)])
    with CekuraEmulator(scenarios=registry) as emulator:
        api = Api(emulator)
        without = api.run(one(UNREACHABLE, scenario=301))
        with_agent = api.run({**one(UNREACHABLE, scenario=301), "agent": 42})
    assert without.status_code == 400
    assert "required" in without.json()["agent"][0]
    assert (with_agent.status_code, with_agent.json()["agent"]) == (201, 42)


def test_unknown_paths_and_methods(api: Api) -> None:
    assert api.result(424242).status_code == 404
    assert api.http.get("/test_framework/v1/results/abc/").status_code == 404
    assert api.http.get("/elsewhere/").status_code == 404
    wrong_method = api.http.get(RUN_PATH)
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "POST")


def test_throttle_answers_429_with_retry_after_once(api: Api) -> None:
    api.emulator.faults.queue(Throttle(retry_after=7), on="post")
    throttled = api.run(one(UNREACHABLE))
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "7")
    assert api.emulator.app.results == {}
    assert api.run(one(UNREACHABLE)).status_code == 201


def test_server_errors_hit_only_the_endpoint_they_were_queued_for(api: Api) -> None:
    created = api.run(one(UNREACHABLE)).json()
    api.emulator.faults.queue(ServerErrorFault(503), on="get", times=2)
    assert api.run(one(UNREACHABLE)).status_code == 201
    assert [api.result(created["id"]).status_code for _ in range(3)] == [503, 503, 200]


def test_500_after_create_leaves_a_real_result_behind(api: Api) -> None:
    api.emulator.faults.queue(ServerErrorAfterCreate(), on="post")
    response = api.run(one(UNREACHABLE))
    assert response.status_code == 500
    (result_id,) = api.emulator.app.results
    assert api.final(result_id)["total_runs_count"] == "1"


def test_dropped_connection_after_create(api: Api) -> None:
    api.emulator.faults.queue(DropAfterCreate(), on="post")
    with pytest.raises(httpx.RemoteProtocolError):
        api.run(one(UNREACHABLE))
    (result_id,) = api.emulator.app.results
    assert api.final(result_id)["status"] == "failed"
    assert [(r.method, r.status) for r in api.emulator.requests][:1] == [("POST", 201)]


def test_latency_delays_but_still_answers_and_is_consumed(api: Api) -> None:
    api.emulator.faults.queue(Latency(0.01))
    assert api.run(one(UNREACHABLE)).status_code == 201
    assert len(api.emulator.faults) == 0


def test_faults_are_checked_when_queued(api: Api) -> None:
    with pytest.raises(ValueError, match="on='post'"):
        api.emulator.faults.queue(DropAfterCreate(), on="get")
    with pytest.raises(ValueError, match="times"):
        api.emulator.faults.queue(Throttle(), times=0)


def test_requests_are_recorded_with_their_status(api: Api) -> None:
    api.run({"frequency": 1})
    api.result(99)
    assert [(r.method, r.path, r.status) for r in api.emulator.requests] == [
        ("POST", RUN_PATH, 400),
        ("GET", "/test_framework/v1/results/99/", 404),
    ]


def test_scenarios_from_a_yaml_file_join_the_defaults(tmp_path: Path, helpful: AgentThread) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text(
        "scenarios:\n"
        "  - id: 201\n    name: Hours twice\n    turns:\n"
        "      - say: When are you open?\n        expect: [9am]\n"
        "      - say: Sorry, what hours again?\n        expect: 5pm\n"
        "  - id: 202\n    name: Wants pizza\n    turns:\n      - say: I want a pizza\n        expect: [pepperoni]\n"
    )
    settings = EmulatorSettings(call=CallSettings(reply_timeout=0.2))
    with CekuraEmulator(scenarios=path, settings=settings) as emulator:
        api = Api(emulator)
        assert 101 in emulator.scenarios and 201 in emulator.scenarios
        body = {
            "frequency": 1,
            "scenarios": [{"scenario": s, "websocket_url": helpful.url} for s in (201, 202)],
        }
        final = api.final(api.run(body).json()["id"])
    outcome = {run["scenario"]: run for run in final["runs"].values()}
    assert outcome[201]["success"] is True
    assert outcome[202]["success"] is False
    assert "did not mention ['pepperoni']" in outcome[202]["error_message"]


def test_reset_forgets_results_faults_requests_and_added_scenarios(api: Api) -> None:
    api.emulator.scenarios.register(Scenario(777, "Temporary", (Turn("Hi"),)))
    api.run(one(UNREACHABLE))
    api.emulator.faults.queue(Throttle())
    api.emulator.reset()
    assert (api.emulator.app.results, api.emulator.requests, len(api.emulator.faults)) == ({}, [], 0)
    assert 777 not in api.emulator.scenarios and 101 in api.emulator.scenarios


def test_a_400_never_echoes_a_password_from_the_url(api: Api) -> None:
    body = {
        "frequency": 1,
        "scenarios": [{"scenario": 101, "websocket_url": "https://bob:hunter2@agent.test/"}],
    }
    response = api.run(body)
    assert response.status_code == 400
    assert "hunter2" not in response.text
    assert "https://***@agent.test/" in response.json()["scenarios"][0]


@pytest.mark.parametrize(
    ("url", "secret", "shown"),
    [
        ("https://bob:hunt/er2@agent.test/x", "er2", "https://***@agent.test/x"),  # a '/' in the password
        ("https://agent.test/chat?token=s3cr3t&v=1", "s3cr3t", "https://agent.test/chat?token=***&v=***"),
        ("http://a:b@agent.test/?k=s3cr3t#frag", "s3cr3t", "http://***@agent.test/?k=***#***"),
    ],
)
def test_a_400_never_echoes_a_password_or_a_query_value(api: Api, url: str, secret: str, shown: str) -> None:
    response = api.run({"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": url}]})
    assert response.status_code == 400
    assert secret not in response.text
    assert shown in response.json()["scenarios"][0]


def test_websocket_connections_to_the_api_are_refused(api: Api) -> None:
    outcome = asyncio.run(
        place_call(
            api.emulator.base_url.replace("http", "ws") + "/",
            DEFAULT_SCENARIOS[0],
            headers={},
            settings=CallSettings(),
        )
    )
    assert (outcome.connected, outcome.error_message) == (
        False,
        f"agent at {api.emulator.base_url.replace('http', 'ws')}/ rejected the websocket handshake with HTTP 403",
    )


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: EmulatorSettings(max_concurrent_runs=0), "max_concurrent_runs"),
        (lambda: EmulatorSettings(pending_delay=-1), "pending_delay"),
        (lambda: CallSettings(reply_timeout=0), "reply_timeout"),
    ],
)
def test_settings_refuse_values_that_would_hang_or_crash(make: Any, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        make()


def test_a_port_in_use_is_a_clear_error(api: Api) -> None:
    taken = api.emulator.base_url.rsplit(":", 1)[1]
    with pytest.raises(RuntimeError, match=f"could not start on 127.0.0.1:{taken}: .*address already in use"):
        CekuraEmulator(port=int(taken)).start()
