"""Offline testing kit: a local Cekura emulator, websocket test agents and a pytest plugin.

The emulator, the agents and the plugin import nothing from the client (``cekura_wrapper``'s
own modules), so the client's tests check it against an independent server. Only ``demo`` (not
imported here) uses the client, through the public package, as a user's program would.
"""

from cekura_wrapper.testing.agents import AGENT_KINDS, AgentKind, AgentServer, AgentThread
from cekura_wrapper.testing.caller import CallOutcome, CallSettings, SimulatedCaller
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
