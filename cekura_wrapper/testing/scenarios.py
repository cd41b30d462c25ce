"""Scenarios the emulator can run: scripted caller turns and what each reply must mention.

Cekura's scenarios are written in prose and judged by a model; the emulator needs something
deterministic, so a scenario here is a short script. Each turn is a line the simulated caller
says and the words the agent's reply must contain (case-insensitive). The defaults (ids 101 to
104) are what the helpful test agent satisfies; register your own in code or load them from a
YAML or JSON file::

    scenarios:
      - id: 201
        name: Ask for the address
        agent: 7            # optional, default 1
        max_duration: 30    # seconds, optional
        turns:
          - say: Where are you?
            expect: [street]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import yaml

#: The agent id default scenarios belong to, so a request may omit ``agent``.
DEFAULT_AGENT_ID = 1


@attrs.frozen
class Turn:
    """One line the simulated caller says, and the words the reply must contain."""

    say: str
    expect: tuple[str, ...] = ()


@attrs.frozen
class Scenario:
    """A scripted conversation; ``max_duration`` caps it like Cekura's scenario setting."""

    id: int
    name: str
    turns: tuple[Turn, ...]
    agent: int | None = DEFAULT_AGENT_ID
    max_duration: float = 60.0

    def __attrs_post_init__(self) -> None:
        if isinstance(self.id, bool) or not isinstance(self.id, int) or self.id < 1:
            raise ValueError(f"scenario id must be a positive int, got {self.id!r}")
        if not self.turns:
            raise ValueError(f"scenario {self.id} needs at least one turn")
        if not 0 < self.max_duration <= 3600:
            raise ValueError(
                f"scenario {self.id}: max_duration must be in (0, 3600], got {self.max_duration!r}"
            )


DEFAULT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        101,
        "Opening hours",
        (Turn("Hello", ("help",)), Turn("What are your opening hours?", ("9am", "5pm"))),
    ),
    Scenario(
        102,
        "Refund timing",
        (
            Turn("Hi, I would like a refund for my order.", ("refund",)),
            Turn("How long will it take?", ("business days",)),
        ),
    ),
    Scenario(
        103,
        "Book an appointment",
        (Turn("I'd like to book an appointment.", ("tuesday",)), Turn("Perfect, thank you.", ())),
    ),
    Scenario(104, "Ask for a human", (Turn("Can I speak to a person?", ("transfer",)),)),
)


class ScenarioRegistry:
    """Scenario ids the emulator knows; unknown ids are a 400, as on Cekura."""

    def __init__(self, scenarios: Iterable[Scenario] = DEFAULT_SCENARIOS) -> None:
        self._by_id: dict[int, Scenario] = {}
        for scenario in scenarios:
            self.register(scenario)
        self._initial = dict(self._by_id)

    def restore(self) -> None:
        """Back to the scenarios the registry was created with (used by the emulator's reset)."""
        self._by_id = dict(self._initial)

    def register(self, scenario: Scenario) -> Scenario:
        """Add or replace a scenario (same id replaces)."""
        self._by_id[scenario.id] = scenario
        return scenario

    def get(self, scenario_id: int) -> Scenario | None:
        return self._by_id.get(scenario_id)

    def __contains__(self, scenario_id: object) -> bool:
        return scenario_id in self._by_id

    def __iter__(self) -> Iterator[Scenario]:
        return iter(sorted(self._by_id.values(), key=lambda s: s.id))

    def __len__(self) -> int:
        return len(self._by_id)

    def load(self, path: str | Path) -> list[Scenario]:
        """Register every scenario in a YAML or JSON file; returns them."""
        loaded = load_scenarios(path)
        for scenario in loaded:
            self.register(scenario)
        return loaded


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read scenarios from YAML (``.yaml``/``.yml``) or JSON; the error names the bad entry."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    data: Any = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    if isinstance(data, Mapping):
        data = data.get("scenarios")
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of scenarios or a mapping with a 'scenarios' list")
    scenarios = []
    for index, entry in enumerate(data):
        try:
            scenarios.append(scenario_from_mapping(entry))
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"{path}: scenario #{index}: {exc}") from exc
    return scenarios


def scenario_from_mapping(entry: Any) -> Scenario:
    """Build a Scenario from the file format described in the module docstring."""
    if not isinstance(entry, Mapping):
        raise TypeError(f"expected a mapping, got {type(entry).__name__}")
    raw_turns = entry["turns"]
    if not isinstance(raw_turns, list):
        raise TypeError("'turns' must be a list")
    turns = []
    for turn in raw_turns:
        if isinstance(turn, str):
            turns.append(Turn(turn))
            continue
        if not isinstance(turn, Mapping) or not isinstance(turn.get("say"), str):
            raise TypeError(f"each turn needs a 'say' string, got {turn!r}")
        expect = turn.get("expect", ())
        if isinstance(expect, str):
            expect = (expect,)
        if not all(isinstance(word, str) for word in expect):
            raise TypeError(f"'expect' must be a string or a list of strings, got {expect!r}")
        turns.append(Turn(turn["say"], tuple(expect)))
    return Scenario(
        id=entry["id"],
        name=str(entry.get("name", f"Scenario {entry['id']}")),
        turns=tuple(turns),
        agent=entry.get("agent", DEFAULT_AGENT_ID),
        max_duration=float(entry.get("max_duration", 60.0)),
    )
