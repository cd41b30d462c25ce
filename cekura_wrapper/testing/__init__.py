"""Offline testing kit: a local Cekura emulator, websocket test agents and a pytest plugin.

The emulator, the agents and the plugin import nothing from the client (``cekura_wrapper``'s
own modules), so the client's tests check it against an independent server. Only ``demo`` and
the plugin's ``cekura_client`` fixture use the client, through the public package, as a user's
program would. Names load on first use, so
importing this package (as the pytest plugin does) costs nothing until something is used.

The kit is an extra (``pip install 'cekura-ws[testing]'``): without it, using any of its names
raises :class:`~cekura_wrapper.testing.extra.MissingExtraError` (an ``ImportError``) that says
so. Its names never repeat one of ``cekura_wrapper``'s (a test module imports both).
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
        ServerErrorAfterCreate,
        ServerErrorFault,
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
        "ServerErrorFault",
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
    "ServerErrorAfterCreate",
    "ServerErrorFault",
    "SimulatedCaller",
    "Throttle",
    "Turn",
    "load_scenarios",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from cekura_wrapper.testing.extra import require_testing_extra

    require_testing_extra()  # the whole kit is the extra, not only the parts that need uvicorn
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    """The kit's names, loaded or not (completion shows them), and nothing of ``typing``."""
    return sorted(__all__)
