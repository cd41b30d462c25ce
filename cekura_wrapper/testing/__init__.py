"""Offline testing kit: a local Cekura emulator, websocket test agents and a pytest plugin.

The emulator, the agents and the plugin import nothing from the client (``cekura_wrapper``'s
own modules), so the client's tests check it against an independent server. Only ``demo`` uses
the client, through the public package, as a user's program would. Names load on first use, so
importing this package (as the pytest plugin does) costs nothing until something is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cekura_wrapper.testing.agents import AGENT_KINDS, AgentKind, AgentServer, AgentThread
    from cekura_wrapper.testing.caller import CallOutcome, CallSettings, SimulatedCaller
    from cekura_wrapper.testing.emulated_agents import EmulatedAgent
    from cekura_wrapper.testing.emulator import CekuraEmulator, EmulatorApp, EmulatorSettings, RecordedRequest
    from cekura_wrapper.testing.faults import (
        DropAfterCreate,
        Fault,
        FaultQueue,
        Latency,
        ServerError,
        ServerErrorAfterCreate,
        Throttle,
    )
    from cekura_wrapper.testing.scenarios import (
        DEFAULT_SCENARIOS,
        Scenario,
        ScenarioRegistry,
        Turn,
        load_scenarios,
    )

#: Which module defines each name (imported on first access: the emulator needs uvicorn).
_MODULES = {
    "agents": ("AGENT_KINDS", "AgentKind", "AgentServer", "AgentThread"),
    "caller": ("CallOutcome", "CallSettings", "SimulatedCaller"),
    "emulated_agents": ("EmulatedAgent",),
    "emulator": ("CekuraEmulator", "EmulatorApp", "EmulatorSettings", "RecordedRequest"),
    "faults": (
        "DropAfterCreate",
        "Fault",
        "FaultQueue",
        "Latency",
        "ServerError",
        "ServerErrorAfterCreate",
        "Throttle",
    ),
    "scenarios": ("DEFAULT_SCENARIOS", "Scenario", "ScenarioRegistry", "Turn", "load_scenarios"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "AGENT_KINDS",
    "DEFAULT_SCENARIOS",
    "AgentKind",
    "AgentServer",
    "AgentThread",
    "CallOutcome",
    "CallSettings",
    "CekuraEmulator",
    "DropAfterCreate",
    "EmulatedAgent",
    "EmulatorApp",
    "EmulatorSettings",
    "Fault",
    "FaultQueue",
    "Latency",
    "RecordedRequest",
    "Scenario",
    "ScenarioRegistry",
    "ServerError",
    "ServerErrorAfterCreate",
    "SimulatedCaller",
    "Throttle",
    "Turn",
    "load_scenarios",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
