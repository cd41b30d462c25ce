"""Validation of the bulk run request body, the way Cekura answers it: ``{field: [messages]}``.

Pure code: it takes the decoded JSON and the scenario registry and either returns a
:class:`RunRequest` or raises :class:`FieldErrors`. Every problem is collected, per field, and
an item's messages start with its index so a client can point at the bad entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from cekura_wrapper.testing.emulated_agents import UNCONFIGURED, EmulatedAgent
from cekura_wrapper.testing.scenarios import Scenario, ScenarioRegistry

MAX_FREQUENCY = 100
#: Longest mock tool name the emulator accepts (a bound, not Cekura's documented limit).
MAX_TOOL_NAME = 1000


class FieldErrors(Exception):
    """The request body is invalid; ``errors`` is the 400 body."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@attrs.frozen
class RunTarget:
    scenario: Scenario
    #: None until resolved: the request left it out, so the agent's URL is used.
    websocket_url: str | None


@attrs.frozen
class RunRequest:
    agent: int
    frequency: int
    targets: tuple[RunTarget, ...]
    #: As sent: None (absent or null: every tool mocked), [] (none) or the names.
    mock_tool_names: tuple[str, ...] | None = None

    @property
    def run_count(self) -> int:
        return len(self.targets) * self.frequency


def parse_run_request(
    body: Any,
    registry: ScenarioRegistry,
    *,
    max_runs: int,
    agents: Mapping[int, EmulatedAgent] | None = None,
) -> RunRequest:
    if not isinstance(body, dict):
        raise FieldErrors(
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {_json_type(body)}."]}
        )
    errors: dict[str, list[str]] = {}
    frequency = _frequency(body, errors)
    agent = _agent(body.get("agent"), errors)
    targets = _targets(body, registry, errors)
    mock_tool_names = _mock_tool_names(body.get("mock_tool_names"), errors)
    if agent is None and "agent" not in errors and targets:
        owners = {target.scenario.agent for target in targets}
        known = sorted(owner for owner in owners if owner is not None)
        if None in owners:
            errors["agent"] = ["This field is required when a scenario has no agent."]
        elif len(known) > 1:
            errors["agent"] = [f"The scenarios belong to different agents {known}; name one."]
        else:
            agent = known[0]
    if frequency is not None and targets and len(targets) * frequency > max_runs:
        errors.setdefault("non_field_errors", []).append(
            f"{len(targets)} scenarios x frequency {frequency} = {len(targets) * frequency} runs;"
            f" the emulator allows at most {max_runs} per request."
        )
    if agent is not None and "agent" not in errors:
        targets = _with_agent_url(targets, agent, (agents or {}).get(agent, UNCONFIGURED), errors)
    if errors:
        raise FieldErrors(errors)
    assert agent is not None and frequency is not None
    return RunRequest(
        agent=agent, frequency=frequency, targets=tuple(targets), mock_tool_names=mock_tool_names
    )


def _with_agent_url(
    targets: list[RunTarget], agent: int, settings: EmulatedAgent, errors: dict[str, list[str]]
) -> list[RunTarget]:
    """Targets without a URL take the agent's; an agent without one cannot serve them."""
    if all(target.websocket_url is not None for target in targets):
        return targets
    if settings.websocket_url is None:
        errors.setdefault("scenarios", []).append(
            f"'websocket_url' is required: agent {agent} has no websocket URL configured."
        )
        return targets
    return [
        attrs.evolve(target, websocket_url=target.websocket_url or settings.websocket_url)
        for target in targets
    ]


def _mock_tool_names(value: Any, errors: dict[str, list[str]]) -> tuple[str, ...] | None:
    """DRF's ``ListField(child=CharField(), allow_null=True)``: null, or a list of strings."""
    if value is None:
        return None
    if not isinstance(value, list):
        errors["mock_tool_names"] = [f'Expected a list of items but got type "{_json_type(value)}".']
        return None
    problems = []
    for index, name in enumerate(value):
        if not isinstance(name, str):
            problems.append(f"Item {index}: Not a valid string.")
        elif len(name) > MAX_TOOL_NAME:
            problems.append(f"Item {index}: Ensure this field has no more than {MAX_TOOL_NAME} characters.")
    if problems:
        errors["mock_tool_names"] = problems
        return None
    return tuple(value)


def _frequency(body: dict[str, Any], errors: dict[str, list[str]]) -> int | None:
    if "frequency" not in body or body["frequency"] is None:
        errors["frequency"] = ["This field is required."]
        return None
    value = body["frequency"]
    if not _is_int(value):
        errors["frequency"] = [f"A valid integer is required, got {_json_type(value)} {value!r}."[:200]]
        return None
    value = int(value)
    if value < 1:
        errors["frequency"] = ["Ensure this value is greater than or equal to 1."]
    elif value > MAX_FREQUENCY:
        errors["frequency"] = [f"Ensure this value is less than or equal to {MAX_FREQUENCY}."]
    else:
        return int(value)
    return None


def _agent(value: Any, errors: dict[str, list[str]]) -> int | None:
    if value is None:
        return None
    if not _is_int(value) or value < 1:
        errors["agent"] = [f"Agent must be a positive integer id or null, got {_shown(value)}."]
        return None
    return int(value)


def _targets(
    body: dict[str, Any], registry: ScenarioRegistry, errors: dict[str, list[str]]
) -> list[RunTarget]:
    if "scenarios" not in body or body["scenarios"] is None:
        errors["scenarios"] = ["This field is required."]
        return []
    items = body["scenarios"]
    if not isinstance(items, list):
        errors["scenarios"] = [f'Expected a list of items but got type "{_json_type(items)}".']
        return []
    if not items:
        errors["scenarios"] = ["This list may not be empty."]
        return []
    messages: list[str] = []
    targets: list[RunTarget] = []
    for index, item in enumerate(items):
        problems, target = _target(item, registry)
        messages.extend(f"Item {index}: {problem}" for problem in problems)
        if target is not None:
            targets.append(target)
    if messages:
        errors["scenarios"] = messages
        return []
    return targets


def _target(item: Any, registry: ScenarioRegistry) -> tuple[list[str], RunTarget | None]:
    if not isinstance(item, dict):
        return [f"expected an object with 'scenario' and 'websocket_url', got {_json_type(item)}."], None
    problems: list[str] = []
    scenario_id = item.get("scenario")
    scenario = None
    if scenario_id is None:
        problems.append("'scenario' is required.")
    elif not _is_int(scenario_id):
        problems.append(f"'scenario' must be an integer id, got {_shown(scenario_id)}.")
    else:
        scenario = registry.get(int(scenario_id))
        if scenario is None:
            problems.append(f'Invalid pk "{scenario_id}" - scenario does not exist.')
    url = item.get("websocket_url")
    if url is None:
        pass  # the agent's websocket URL, resolved once the agent is known
    elif not isinstance(url, str):
        problems.append(f"'websocket_url' must be a string, got {_json_type(url)}.")
    else:
        problem = _url_problem(url)
        if problem:
            problems.append(problem)
    if problems or scenario is None:
        return problems, None
    return [], RunTarget(scenario, url.strip() if isinstance(url, str) else None)


def _url_problem(url: str) -> str | None:
    shown = _shown(_without_credentials(url))
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"'websocket_url' is not a valid URL: {shown}."
    if parts.scheme.lower() not in ("ws", "wss"):
        return f"'websocket_url' must start with ws:// or wss://, got {shown}."
    if not parts.hostname:
        return f"'websocket_url' has no host: {shown}."
    return None


def _without_credentials(url: str) -> str:
    """The URL with any ``user:password@`` and every query value replaced, so a 400 never echoes a
    password or a token. A password may hold a ``/``, so everything up to the last ``@`` before the
    query goes (a path with an ``@`` loses its host too: the safe side for an error message)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    rest, fragment_sep, fragment = rest.partition("#")
    rest, query_sep, query = rest.partition("?")
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    if query_sep:
        query = "&".join(
            f"{part.partition('=')[0]}=***" if "=" in part else "***" for part in query.split("&") if part
        )
    return f"{scheme}://{rest}{query_sep}{query}{fragment_sep}{'***' if fragment else ''}"


def _is_int(value: Any) -> bool:
    """DRF's IntegerField: an int, or a float with an integral value (``1.0``); never a bool."""
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "str", bool: "bool", int: "int", float: "float"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
