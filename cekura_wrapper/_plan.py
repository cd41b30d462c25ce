"""What a run request will do, checked and counted before anything is sent (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import Any, Final, TypeAlias

import attrs

from ._errors import Loc, Problem, ValidationError
from ._mock_tools import check_mock_tool_names, normalized
from ._validation import check_frequency, check_positive_id, check_websocket_url, describe, quote


@attrs.frozen
class ScenarioTarget:
    """One scenario (evaluator) run against one agent websocket URL, or, with no URL, against the
    websocket URL configured on the run's agent (then the run needs an ``agent``).

    Plain data: ``plan_run`` checks it, so a bad one is reported with every other problem.
    """

    scenario: int
    websocket_url: str | None = None


#: What ``plan_run`` accepts for one scenario.
ScenarioLike: TypeAlias = ScenarioTarget | tuple[int, str | None] | Mapping[str, Any]
#: What ``plan_run`` accepts for the batch: items as above, or a mapping ``{scenario_id: url}``.
ScenariosInput: TypeAlias = Iterable[ScenarioLike] | Mapping[int, str | None]
#: How plans and reports name the URL of a target that gives none.
AGENT_URL: Final = "the agent's websocket URL"

_TARGET_KEYS = frozenset({"scenario", "websocket_url"})
_REQUIRED_KEYS = frozenset({"scenario"})
#: Conversations one run request may start unless ``max_runs`` says otherwise.
MAX_RUNS: Final = 10_000
#: Problems spelled out in a ``ValidationError``'s message (all are in ``.problems``).
MAX_PROBLEMS_IN_MESSAGE: Final = 20


@attrs.frozen
class RunPlan:
    """A validated run request: the targets, how often each runs, the agent, and which of the
    agent's tools are mocked (``None``: Cekura's default, every configured tool)."""

    scenarios: tuple[ScenarioTarget, ...]
    frequency: int
    agent: int | None = None
    mock_tool_names: tuple[str, ...] | None = None

    @property
    def run_count(self) -> int:
        """Conversations Cekura will start: ``len(scenarios) x frequency``."""
        return len(self.scenarios) * self.frequency

    @property
    def body(self) -> dict[str, Any]:
        """The JSON body of ``POST .../run_scenarios_with_websockets/``."""
        body: dict[str, Any] = {
            "scenarios": [_target_body(target) for target in self.scenarios],
            "frequency": self.frequency,
        }
        if self.agent is not None:
            body["agent"] = self.agent
        if self.mock_tool_names is not None:
            body["mock_tool_names"] = list(self.mock_tool_names)
        return body

    @property
    def endpoint(self) -> tuple[str, str]:
        """The method and path (relative to the API root) of this plan's run request, as the
        generated client builds it."""
        from ._api import run_request  # the generated client: only once an endpoint is asked for

        request = run_request(self)
        return str(request["method"]).upper(), str(request["url"])


def _target_body(target: ScenarioTarget) -> dict[str, Any]:
    """A URL-less target omits ``websocket_url``: Cekura then dials the agent's own URL."""
    if target.websocket_url is None:
        return {"scenario": target.scenario}
    return {"scenario": target.scenario, "websocket_url": target.websocket_url}


def compute_run_count(scenarios: int | Sized, frequency: int) -> int:
    """Conversations a batch starts: the number of scenarios times ``frequency``.

    ``scenarios`` is a count or a sized collection; ``frequency`` an int in 1..100.
    """
    problems: list[Problem] = []
    # A string is sized but is not a collection of scenarios (plan_run refuses it too).
    if isinstance(scenarios, bool | str | bytes | bytearray) or not isinstance(scenarios, int | Sized):
        problems.append(
            Problem(
                ("scenarios",), f"scenarios must be a count or a sized collection, got {describe(scenarios)}"
            )
        )
        count = 0
    else:
        count = scenarios if isinstance(scenarios, int) else len(scenarios)
        if count < 1:
            problems.append(Problem(("scenarios",), f"at least one scenario is needed, got {count}"))
    frequency_problem = check_frequency(frequency)
    if frequency_problem:
        problems.append(Problem(("frequency",), frequency_problem))
    if problems:
        raise ValidationError("; ".join(map(str, problems)), problems)
    return count * frequency


def plan_run(
    scenarios: ScenariosInput,
    *,
    frequency: int,
    agent: int | None = None,
    max_runs: int = MAX_RUNS,
    mock_tool_names: Sequence[str] | None = None,
) -> RunPlan:
    """Check a batch and return its ``RunPlan``; raise one ``ValidationError`` listing every problem.

    ``scenarios`` holds ``ScenarioTarget``\\s, ``(scenario_id, url)`` tuples or
    ``{"scenario": id, "websocket_url": url}`` dicts, or is a mapping ``{scenario_id: url}``. One
    scenario id may appear with several URLs (one evaluator against a fleet of agents). A target
    without a URL (``ScenarioTarget(101)``, ``(101, None)``, ``{"scenario": 101}``) uses the
    agent's websocket URL, so the plan then needs ``agent``. ``mock_tool_names``: ``None`` (the
    default) mocks every tool configured on the agent, ``[]`` none, names only those.
    ``max_runs`` caps the conversations one request may start (a typo in a frequency or a
    generated file would otherwise send a request of hundreds of MB, and bill for it).
    """
    problems: list[Problem] = []
    targets: list[ScenarioTarget] = []
    without_url: list[int] = []
    items = _items(scenarios, problems)
    for index, item in enumerate(items or ()):
        target = _target(item, ("scenarios", index), problems)
        if target is not None:
            targets.append(target)
            if target.websocket_url is None:
                without_url.append(index)
    if items is not None and not items and not problems:
        problems.append(Problem(("scenarios",), "scenarios: at least one scenario is needed"))
    frequency_problem = check_frequency(frequency)
    if frequency_problem:
        problems.append(Problem(("frequency",), frequency_problem))
    if agent is not None:
        agent_problem = check_positive_id(agent, "agent")
        if agent_problem:
            problems.append(Problem(("agent",), agent_problem))
    else:
        problems.extend(_agent_needed(without_url))
    problems.extend(check_mock_tool_names(mock_tool_names))
    limit_problem = check_positive_id(max_runs, "max_runs")
    if limit_problem:
        problems.append(Problem(("max_runs",), limit_problem))
    elif not problems and len(targets) * frequency > max_runs:
        problems.append(
            Problem(
                ("frequency",),
                f"{len(targets)} scenario{'s' if len(targets) != 1 else ''} x frequency {frequency} = {len(targets) * frequency:,} runs, "
                f"over the limit of {max_runs:,} runs per request (raise it with max_runs= / --max-runs)",
            )
        )
    if problems:
        summary = f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in the run request"
        shown = "; ".join(map(str, problems[:MAX_PROBLEMS_IN_MESSAGE]))
        if len(problems) > MAX_PROBLEMS_IN_MESSAGE:
            shown += f"; and {len(problems) - MAX_PROBLEMS_IN_MESSAGE} more (see .problems)"
        raise ValidationError(f"{summary}: {shown}", problems)
    return RunPlan(
        scenarios=tuple(targets),
        frequency=frequency,
        agent=agent,
        mock_tool_names=normalized(mock_tool_names),
    )


def _agent_needed(without_url: list[int]) -> list[Problem]:
    """A problem at each target without a URL (by input index) when there is no agent whose URL
    it could use."""
    return [
        Problem(
            ("scenarios", index, "websocket_url"),
            f"no websocket URL, so Cekura would dial {AGENT_URL}, but no agent is given: "
            "pass agent= (--agent ID), or give this scenario a websocket URL",
        )
        for index in without_url
    ]


def _items(scenarios: object, problems: list[Problem]) -> list[object] | None:
    if isinstance(scenarios, str | bytes) or not isinstance(scenarios, Iterable):
        problems.append(
            Problem(
                ("scenarios",),
                f"scenarios must be a list of scenarios or a mapping, got {describe(scenarios)}",
            )
        )
        return None
    if isinstance(scenarios, Mapping):
        if scenarios and _TARGET_KEYS.issuperset(scenarios.keys()):
            problems.append(
                Problem(
                    ("scenarios",),
                    "scenarios must be a list of scenarios, got a single scenario dict; wrap it in a list",
                )
            )
            return None
        return list(scenarios.items())
    return list(scenarios)


def _target(item: object, loc: Loc, problems: list[Problem]) -> ScenarioTarget | None:
    if isinstance(item, ScenarioTarget):
        scenario, url = item.scenario, item.websocket_url
    elif isinstance(item, tuple) and len(item) == 2:
        scenario, url = item
    elif isinstance(item, Mapping):
        unknown = sorted(str(key) for key in item if key not in _TARGET_KEYS)
        missing = sorted(_REQUIRED_KEYS - item.keys())
        if unknown or missing:
            parts = [f"missing {', '.join(missing)}"] if missing else []
            parts += [f"unknown key {', '.join(map(quote, unknown))}"] if unknown else []
            problems.append(
                Problem(loc, f"{'; '.join(parts)} (expected keys: scenario and optionally websocket_url)")
            )
            return None
        scenario, url = item["scenario"], item.get("websocket_url")
    else:
        problems.append(
            Problem(
                loc,
                "expected a ScenarioTarget, a (scenario_id, url) tuple or a "
                f"{{'scenario': id, 'websocket_url': url}} dict (the URL may be left out), got {describe(item)}",
            )
        )
        return None
    found = [
        Problem((*loc, field), problem)
        for field, problem in (
            ("scenario", check_positive_id(scenario, "scenario id")),
            ("websocket_url", None if url is None else check_websocket_url(url)),
        )
        if problem is not None
    ]
    problems.extend(found)
    if found:
        return None
    assert isinstance(scenario, int) and (url is None or isinstance(url, str))
    return ScenarioTarget(scenario=scenario, websocket_url=None if url is None else url.strip())
