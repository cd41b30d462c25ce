"""plan_run: the accepted input shapes, one error listing every problem, the request body."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cekura_api.models import RunScenariosWithWebsockets
from cekura_wrapper import RunPlan, ScenarioTarget, ValidationError, plan_run

URL_A = "wss://agent-a.example.com/chat"
URL_B = "wss://agent-b.example.com/chat"


@pytest.mark.parametrize(
    "scenarios",
    [
        [ScenarioTarget(101, URL_A), ScenarioTarget(102, URL_B)],
        [(101, URL_A), (102, URL_B)],
        [{"scenario": 101, "websocket_url": URL_A}, {"scenario": 102, "websocket_url": URL_B}],
        {101: URL_A, 102: URL_B},
        ((101, URL_A), ScenarioTarget(102, URL_B)),
    ],
    ids=["targets", "tuples", "dicts", "mapping", "mixed"],
)
def test_every_input_shape_gives_the_same_plan(scenarios: object) -> None:
    plan = plan_run(scenarios, frequency=3, agent=7)  # type: ignore[arg-type]
    assert plan == RunPlan(
        scenarios=(ScenarioTarget(101, URL_A), ScenarioTarget(102, URL_B)), frequency=3, agent=7
    )
    assert plan.run_count == 6
    assert plan.body == {
        "scenarios": [
            {"scenario": 101, "websocket_url": URL_A},
            {"scenario": 102, "websocket_url": URL_B},
        ],
        "frequency": 3,
        "agent": 7,
    }


def test_one_scenario_against_a_fleet_of_agents() -> None:
    fleet = [(101, f"ws://127.0.0.1:{port}/agent") for port in (9001, 9002, 9003)]
    plan = plan_run(fleet, frequency=2)
    assert [target.websocket_url for target in plan.scenarios] == [url for _, url in fleet]
    assert plan.run_count == 6
    assert "agent" not in plan.body


def test_urls_are_stored_stripped() -> None:
    plan = plan_run([(1, f"  {URL_A}\n")], frequency=1)
    assert plan.scenarios[0].websocket_url == URL_A
    assert plan.body["scenarios"][0]["websocket_url"] == URL_A


def test_every_problem_is_collected_with_its_index_before_raising() -> None:
    scenarios = [
        (101, URL_A),
        (0, URL_B),
        (True, "http://agent"),
        {"websocket_url": URL_A},
        {"scenario": 5, "websocket_url": URL_A, "agnet": 1},
        "ws://not-a-pair",
        ("7", URL_A),
    ]
    with pytest.raises(ValidationError) as caught:
        plan_run(scenarios, frequency=101, agent=-3)  # type: ignore[arg-type]
    errors = caught.value.errors
    assert errors == [
        "scenarios[1]: scenario id must be a positive int, got 0",
        "scenarios[2]: scenario id must be a positive int, got True (true/false)",
        "scenarios[2]: websocket URL 'http://agent' has scheme 'http'; use ws:// or wss://",
        "scenarios[3]: missing scenario (expected keys: scenario and optionally websocket_url)",
        "scenarios[4]: unknown key 'agnet' (expected keys: scenario and optionally websocket_url)",
        "scenarios[5]: expected a ScenarioTarget, a (scenario_id, url) tuple or a "
        "{'scenario': id, 'websocket_url': url} dict (the URL may be left out), got 'ws://not-a-pair' (text)",
        "scenarios[6]: scenario id must be a positive int, got '7' (text)",
        "frequency must be in 1..100, got 101",
        "agent must be a positive int, got -3",
    ]
    assert str(caught.value).startswith("9 problems in the run request: ")
    assert [(problem.loc, problem.message) for problem in caught.value.problems][:3] == [
        (("scenarios", 1, "scenario"), "scenario id must be a positive int, got 0"),
        (("scenarios", 2, "scenario"), "scenario id must be a positive int, got True (true/false)"),
        (
            ("scenarios", 2, "websocket_url"),
            "websocket URL 'http://agent' has scheme 'http'; use ws:// or wss://",
        ),
    ]
    assert [problem.loc for problem in caught.value.problems][3:] == [
        ("scenarios", 3),
        ("scenarios", 4),
        ("scenarios", 5),
        ("scenarios", 6, "scenario"),
        ("frequency",),
        ("agent",),
    ]
    assert caught.value.errors == [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize("scenarios", [[], {}, ()])
def test_an_empty_batch_is_refused(scenarios: object) -> None:
    with pytest.raises(ValidationError, match="at least one scenario"):
        plan_run(scenarios, frequency=1)  # type: ignore[arg-type]


@pytest.mark.parametrize("scenarios", ["ws://agent", 42, None, b"x"])
def test_a_non_collection_is_refused(scenarios: object) -> None:
    with pytest.raises(ValidationError, match="scenarios must be a list"):
        plan_run(scenarios, frequency=1)  # type: ignore[arg-type]


def test_a_single_scenario_dict_is_refused_with_a_hint() -> None:
    with pytest.raises(ValidationError, match="wrap it in a list"):
        plan_run({"scenario": 1, "websocket_url": URL_A}, frequency=1)  # type: ignore[arg-type]


@pytest.mark.parametrize("agent", [0, True, "7", 7.0])
def test_agent_must_be_a_positive_int(agent: object) -> None:
    with pytest.raises(ValidationError, match="agent must be a positive int"):
        plan_run([(1, URL_A)], frequency=1, agent=agent)  # type: ignore[arg-type]


def test_a_password_in_a_url_is_never_echoed() -> None:
    with pytest.raises(ValidationError) as caught:
        plan_run([(1, "wss://user:s3cr3t@agent/chat")], frequency=1)
    assert "s3cr3t" not in str(caught.value) and "s3cr3t" not in "".join(caught.value.errors)


def test_a_password_is_never_echoed_alongside_other_problems() -> None:
    urls: list[object] = [
        "http://u:s3cret@h",
        "ftp://u:s3cret@h",
        "u:s3cret@h",
        "ws://u:s3cret@h/a b",
        "ws://u:s3cret@h:99999",
        "ws://u:s3/cret@h",
        b"ws://u:s3cret@h",
    ]
    scenarios: list[object] = [(1, url) for url in urls]
    scenarios += [
        {"scenario": 1, "websocket_url": "ws://u:s3cret@h/a b"},
        ScenarioTarget(1, "http://u:s3cret@h"),
        ["ws://u:s3cret@h"],  # not a tuple: the whole item is quoted
        {"scenario": 1, "websocket_url": URL_A, "ws://u:s3cret@h": 1},  # an unknown key
    ]
    with pytest.raises(ValidationError) as caught:
        plan_run(scenarios, frequency=1)  # type: ignore[arg-type]
    assert len(caught.value.errors) == len(scenarios)
    texts = [str(caught.value), repr(caught.value), *caught.value.errors]
    assert [text for text in texts if "s3cret" in text or "cret@" in text] == []


def test_targets_and_plans_are_immutable() -> None:
    target = ScenarioTarget(1, URL_A)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        target.scenario = 2  # type: ignore[misc]
    plan = plan_run([target], frequency=1)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.frequency = 5  # type: ignore[misc]


@given(
    targets=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=2**31),
            st.sampled_from(["ws", "wss", "WS"]).map(lambda scheme: f"{scheme}://agent.example.com"),
            st.integers(min_value=1, max_value=65535),
        ),
        min_size=1,
        max_size=20,
    ),
    frequency=st.integers(min_value=1, max_value=100),
    agent=st.none() | st.integers(min_value=1, max_value=2**31),
)
def test_valid_batches_plan_to_a_body_the_generated_model_round_trips(
    targets: list[tuple[int, str, int]], frequency: int, agent: int | None
) -> None:
    scenarios = [(scenario, f"{host}:{port}/chat") for scenario, host, port in targets]
    plan = plan_run(scenarios, frequency=frequency, agent=agent)
    assert plan.run_count == len(scenarios) * frequency
    assert RunScenariosWithWebsockets.from_dict(plan.body).to_dict() == plan.body
