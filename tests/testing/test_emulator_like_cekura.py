"""Where the emulator answers like Cekura (Django REST framework) when a client could notice:
page handling, integer-valued floats, project filtering, run shapes, and its CLI settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import httpx
import pytest
from cli_helpers import invoke

from cekura_wrapper.testing import AgentThread, CekuraEmulator, EmulatedAgent
from cekura_wrapper.testing.result_list import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_size

RUN_PATH = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
LIST_PATH = "/test_framework/v1/results/"
UNREACHABLE = "ws://127.0.0.1:9/nobody-listens"


@pytest.fixture
def http(cekura_emulator: CekuraEmulator) -> Iterator[httpx.Client]:
    headers = {"X-CEKURA-API-KEY": cekura_emulator.api_key}
    with httpx.Client(base_url=cekura_emulator.base_url, headers=headers, timeout=10) as client:
        yield client


def _create(http: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return http.post(RUN_PATH, json=body)


@pytest.mark.parametrize(
    ("raw", "size"),
    [
        (None, DEFAULT_PAGE_SIZE),
        ("0", 10),
        ("-1", 10),
        ("abc", 10),
        ("", 10),
        ("3", 3),
        ("1000", MAX_PAGE_SIZE),
        ("9" * 40, 10),
    ],
)
def test_a_bad_page_size_falls_back_to_the_default_and_a_big_one_is_capped(
    raw: str | None, size: int
) -> None:
    assert page_size(raw) == size


def test_the_list_pages_like_drf(http: httpx.Client) -> None:
    for _ in range(12):
        assert (
            _create(
                http, {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": UNREACHABLE}]}
            ).status_code
            == 201
        )
    for bad in ("0", "-1", "abc"):
        answer = http.get(LIST_PATH, params={"page_size": bad})
        assert (answer.status_code, len(answer.json()["results"]), answer.json()["count"]) == (200, 10, 12)
    assert http.get(LIST_PATH, params={"page": "2"}).json()["next"] is None
    assert http.get(LIST_PATH, params={"page": "last", "page_size": "5"}).json()["previous"] is not None
    for page in ("abc", "0", "3", "1.0"):
        answer = http.get(LIST_PATH, params={"page": page})
        assert (answer.status_code, answer.json()) == (404, {"detail": "Invalid page."})
    assert http.get(LIST_PATH, params={"agent_id": "abc"}).json() == {"agent_id": ["Enter a number."]}
    assert http.get(LIST_PATH, params={"agent_id": "9" * 30}).json()["count"] == 0  # out of range: no match
    newest = http.get(LIST_PATH).json()["results"][0]
    found = http.get(LIST_PATH, params={"search": newest["name"].upper()}).json()
    assert (found["count"], found["results"][0]["id"]) == (1, newest["id"])


def test_an_empty_list_still_has_page_one(http: httpx.Client) -> None:
    answer = http.get(LIST_PATH)
    assert (answer.status_code, answer.json()) == (
        200,
        {"count": 0, "next": None, "previous": None, "results": []},
    )


def test_project_id_filters_by_the_agents_project(
    cekura_emulator: CekuraEmulator, http: httpx.Client
) -> None:
    cekura_emulator.agents[2] = EmulatedAgent(project=9)
    target = [{"scenario": 101, "websocket_url": UNREACHABLE}]
    in_default = _create(http, {"frequency": 1, "agent": 1, "scenarios": target}).json()["id"]
    in_nine = _create(http, {"frequency": 1, "agent": 2, "scenarios": target}).json()["id"]
    ids = {
        project: [r["id"] for r in http.get(LIST_PATH, params={"project_id": project}).json()["results"]]
        for project in (1, 9, 5)
    }
    assert ids == {1: [in_default], 9: [in_nine], 5: []}


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("frequency", 1.0, 201),
        ("frequency", 1.5, 400),
        ("frequency", True, 400),
        ("agent", 1.0, 201),
        ("scenario", 101.0, 201),
    ],
)
def test_integer_valued_floats_are_accepted_where_drf_accepts_them(
    http: httpx.Client, field: str, value: object, status: int
) -> None:
    body: dict[str, Any] = {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": UNREACHABLE}]}
    if field == "scenario":
        body["scenarios"][0]["scenario"] = value
    else:
        body[field] = value
    answer = _create(http, body)
    assert answer.status_code == status, answer.text
    if status == 201:
        assert answer.json()["runs"][0]["scenario"] == 101


def test_mock_tool_names_are_checked_like_a_drf_list_of_strings(http: httpx.Client) -> None:
    target = [{"scenario": 101, "websocket_url": UNREACHABLE}]
    assert _create(http, {"frequency": 1, "scenarios": target, "mock_tool_names": "crm"}).json() == {
        "mock_tool_names": ['Expected a list of items but got type "str".']
    }
    assert _create(http, {"frequency": 1, "scenarios": target, "mock_tool_names": [1]}).json() == {
        "mock_tool_names": ["Item 0: Not a valid string."]
    }
    assert _create(http, {"frequency": 1, "scenarios": target, "mock_tool_names": None}).status_code == 201


def test_runs_are_shaped_like_cekuras(http: httpx.Client) -> None:
    created = _create(
        http, {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": UNREACHABLE}]}
    ).json()
    (run,) = created["runs"]
    assert {key: run[key] for key in run if key.startswith("outbound_dial_window")} == {
        "outbound_dial_window_opens_at": None,
        "outbound_dial_window_seconds": None,
        "outbound_dial_window_closes_at": None,
    }
    detail = http.get(f"{LIST_PATH}{created['id']}/").json()
    assert all("websocket_url" not in run for run in detail["runs"].values())


class _Recorded:
    """Stands in for CekuraEmulator in the CLI: records its arguments, serves nothing."""

    seen: ClassVar[dict[str, Any]] = {}

    def __init__(self, **kwargs: Any) -> None:
        type(self).seen = kwargs
        self.base_url, self.api_key = "http://127.0.0.1:1", "emulator-key"

    def start(self) -> None:
        pass

    def serve_forever(self) -> None:
        pass


def test_the_emulator_command_sets_its_concurrency_and_agent_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    import cekura_wrapper.testing.emulator as emulator_module

    monkeypatch.setattr(emulator_module, "CekuraEmulator", _Recorded)
    result = invoke(
        ["emulator", "--port", "0", "--max-concurrent-calls", "3", "--agent-url", "7=ws://127.0.0.1:9001/"]
    )
    assert result.exit_code == 0, result.output
    assert _Recorded.seen["settings"].max_concurrent_runs == 3
    assert _Recorded.seen["agents"] == {7: EmulatedAgent(websocket_url="ws://127.0.0.1:9001/")}
    for bad in ("7", "x=ws://h/", "7=http://h/"):
        refused = invoke(["emulator", "--agent-url", bad])
        assert refused.exit_code == 2 and "--agent-url" in refused.output
    assert invoke(["emulator", "--max-concurrent-calls", "0"]).exit_code == 2


def test_the_concurrency_limit_holds_calls_back(
    cekura_agent: Callable[..., AgentThread],
) -> None:
    from cekura_wrapper import CekuraClient
    from cekura_wrapper.testing import EmulatorSettings

    url = cekura_agent("helpful").url
    with (
        CekuraEmulator(settings=EmulatorSettings(max_concurrent_runs=1)) as emulator,
        CekuraClient(
            emulator.api_key, base_url=emulator.base_url, poll_interval=0.02, max_poll_interval=0.05
        ) as client,
    ):
        assert client.run_and_wait([(101, url)], frequency=4, timeout=30).passed
        assert emulator.peak_concurrent_calls == 1
