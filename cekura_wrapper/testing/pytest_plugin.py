"""pytest fixtures for testing code that talks to Cekura, offline (registered as ``cekura_ws``).

- ``cekura_emulator``: a running :class:`CekuraEmulator` on 127.0.0.1. One server serves the
  session and is reset before each test (no results, requests, faults or added scenarios carry
  over). Point your client at ``cekura_emulator.base_url`` with ``cekura_emulator.api_key``.
- ``cekura_agent``: a factory that starts test agents and stops them after the test::

      def test_batch(cekura_emulator, cekura_agent):
          helpful = cekura_agent("helpful")
          ...  # submit {"scenario": 101, "websocket_url": helpful.url}

Override the session-scoped ``cekura_emulator_settings`` fixture in a conftest to change the
emulator's pacing or limits.

Every project that installs cekura-ws loads this plugin, so it imports nothing heavy (uvicorn,
websockets) until a test asks for one of its fixtures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from cekura_wrapper.testing.agents import AgentKind, AgentThread
    from cekura_wrapper.testing.emulator import CekuraEmulator, EmulatorSettings


@pytest.fixture(scope="session")
def cekura_emulator_settings() -> EmulatorSettings:
    """The emulator's settings; override this session-scoped fixture to change them."""
    from cekura_wrapper.testing.emulator import EmulatorSettings

    return EmulatorSettings()


@pytest.fixture(scope="session")
def cekura_emulator_server(cekura_emulator_settings: EmulatorSettings) -> Iterator[CekuraEmulator]:
    """The session's emulator server; tests should use ``cekura_emulator``."""
    from cekura_wrapper.testing.emulator import CekuraEmulator

    with CekuraEmulator(settings=cekura_emulator_settings) as emulator:
        yield emulator


@pytest.fixture
def cekura_emulator(cekura_emulator_server: CekuraEmulator) -> CekuraEmulator:
    """A running local Cekura emulator, reset for this test."""
    cekura_emulator_server.reset()
    return cekura_emulator_server


@pytest.fixture
def cekura_agent() -> Iterator[Callable[..., AgentThread]]:
    """Start a websocket test agent of the given kind; every agent stops after the test."""
    from cekura_wrapper.testing.agents import AgentThread

    started: list[AgentThread] = []

    def start(kind: AgentKind = "helpful", **options: Any) -> AgentThread:
        agent = AgentThread(kind, **options).start()
        started.append(agent)
        return agent

    yield start
    for agent in reversed(started):
        agent.stop()
