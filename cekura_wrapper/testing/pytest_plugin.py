"""pytest fixtures for testing code that talks to Cekura, offline (registered as ``cekura_ws``).

- ``cekura_emulator``: a running :class:`CekuraEmulator` on 127.0.0.1. One server serves the
  session and is reset before each test (no results, requests, faults or added scenarios carry
  over). Point your client at ``cekura_emulator.base_url`` with ``cekura_emulator.api_key``.
- ``cekura_client``: a :class:`~cekura_wrapper.CekuraClient` pointed at ``cekura_emulator``,
  polling every few hundredths of a second (the library's defaults suit Cekura's minutes-long
  batches), closed after the test.
- ``cekura_agent``: a factory that starts test agents and stops them after the test::

      def test_batch(cekura_emulator, cekura_agent):
          helpful = cekura_agent("helpful")
          ...  # submit {"scenario": 101, "websocket_url": helpful.url}

Override the session-scoped ``cekura_emulator_settings`` fixture in a conftest to change the
emulator's pacing or limits.

Every project that installs cekura-ws loads this plugin, so it imports nothing heavy (uvicorn,
websockets) until a test asks for one of its fixtures. The fixtures need the testing extra
(``pip install 'cekura-ws[pytest]'`` brings it with pytest); without it a test that uses one
fails at setup with the install command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from cekura_wrapper import CekuraClient
    from cekura_wrapper.testing.agents import AgentKind, AgentThread
    from cekura_wrapper.testing.emulator import CekuraEmulator, EmulatorSettings

#: ``cekura_client``'s shortest and longest wait between polls, s: the emulator ends a batch in
#: a fraction of a second, so a test is not kept waiting (the defaults, 1 and 20, suit Cekura).
CLIENT_POLL_INTERVAL: Final = 0.02
CLIENT_MAX_POLL_INTERVAL: Final = 0.05


def _require_testing_extra() -> None:
    """Fail the test at setup with the install command when the testing extra is missing."""
    from cekura_wrapper.testing.extra import MissingExtraError, require_testing_extra

    try:
        require_testing_extra()
    except MissingExtraError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def cekura_emulator_settings() -> EmulatorSettings:
    """The emulator's settings; override this session-scoped fixture to change them."""
    _require_testing_extra()
    from cekura_wrapper.testing.emulator import EmulatorSettings

    return EmulatorSettings()


@pytest.fixture(scope="session")
def cekura_emulator_server(cekura_emulator_settings: EmulatorSettings) -> Iterator[CekuraEmulator]:
    """The session's emulator server; tests should use ``cekura_emulator``."""
    _require_testing_extra()
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
    _require_testing_extra()
    from cekura_wrapper.testing.agents import AgentThread

    started: list[AgentThread] = []

    def start(kind: AgentKind = "helpful", **options: Any) -> AgentThread:
        agent = AgentThread(kind, **options).start()
        started.append(agent)
        return agent

    yield start
    for agent in reversed(started):
        agent.stop()


@pytest.fixture
def cekura_client(cekura_emulator: CekuraEmulator) -> Iterator[CekuraClient]:
    """A client of ``cekura_emulator`` that polls fast; closed after the test."""
    from cekura_wrapper import CekuraClient

    with CekuraClient(
        cekura_emulator.api_key,
        base_url=cekura_emulator.base_url,
        poll_interval=CLIENT_POLL_INTERVAL,
        max_poll_interval=CLIENT_MAX_POLL_INTERVAL,
    ) as client:
        yield client
