"""Validation of the bulk run request body, the way Cekura answers it: ``{field: [messages]}``.

Pure code: it takes the decoded JSON and the scenario registry and either returns a
:class:`RunRequest` or raises :class:`FieldErrors`. Every problem is collected, per field, and
an item's messages start with its index so a client can point at the bad entry.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import attrs

from cekura_wrapper.testing.scenarios import Scenario, ScenarioRegistry

MAX_FREQUENCY = 100


class FieldErrors(Exception):
    """The request body is invalid; ``errors`` is the 400 body."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@attrs.frozen
class RunTarget:
    scenario: Scenario
    websocket_url: str


@attrs.frozen
class RunRequest:
    agent: int
    frequency: int
    targets: tuple[RunTarget, ...]

    @property
    def run_count(self) -> int:
        return len(self.targets) * self.frequency


def parse_run_request(body: Any, registry: ScenarioRegistry, *, max_runs: int) -> RunRequest:
    if not isinstance(body, dict):
        raise FieldErrors(
            {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {_json_type(body)}."]}
        )
    errors: dict[str, list[str]] = {}
    frequency = _frequency(body, errors)
    agent = _agent(body.get("agent"), errors)
    targets = _targets(body, registry, errors)
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
    if errors:
        raise FieldErrors(errors)
    assert agent is not None and frequency is not None
    return RunRequest(agent=agent, frequency=frequency, targets=tuple(targets))


def _frequency(body: dict[str, Any], errors: dict[str, list[str]]) -> int | None:
    if "frequency" not in body or body["frequency"] is None:
        errors["frequency"] = ["This field is required."]
        return None
    value = body["frequency"]
    if not _is_int(value):
        errors["frequency"] = [f"A valid integer is required, got {_json_type(value)} {value!r}."[:200]]
        return None
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
        problems.append("'websocket_url' is required: the emulator's agents have no default websocket URL.")
    elif not isinstance(url, str):
        problems.append(f"'websocket_url' must be a string, got {_json_type(url)}.")
    else:
        problem = _url_problem(url)
        if problem:
            problems.append(problem)
    if problems or scenario is None or not isinstance(url, str):
        return problems, None
    return [], RunTarget(scenario, url.strip())


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
    """The URL with any ``user:password@`` replaced, so a 400 never echoes a password."""
    scheme, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if not sep or "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rpartition('@')[2]}{slash}{path}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "str", bool: "bool", int: "int", float: "float"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
