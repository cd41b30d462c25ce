"""Fixtures every test folder shares, and the repository root. ``../shared`` exists on the maintainers' machines only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeTime
from fault_server import FaultServer

from cekura_wrapper.testing import AgentThread, CekuraEmulator

pytest_plugins = ["pytester"]  # for testing the cekura_ws pytest plugin itself

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_time() -> FakeTime:
    """A fresh virtual clock for the test (see tests/fakes.py)."""
    return FakeTime()


@pytest.fixture
def unmeasured_children(monkeypatch: pytest.MonkeyPatch) -> None:
    """Subprocesses the test starts run without coverage (``make test`` measures every Python child).

    For children that run none of ``cekura_wrapper`` (the client generator): measuring them finds
    nothing and doubles what they cost.
    """
    for name in ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emulator(cekura_emulator: CekuraEmulator) -> CekuraEmulator:
    """The session's one emulator (the cekura_ws plugin's ``cekura_emulator``), reset for this test.

    A test that needs other settings builds its own (module-scoped where it can), under a name
    that says how it differs.
    """
    return cekura_emulator


@pytest.fixture
def server() -> Iterator[FaultServer]:
    """A stand-in Cekura on 127.0.0.1 that answers what the test queues (see tests/fault_server.py)."""
    with FaultServer() as running:
        yield running


@pytest.fixture(scope="module")
def helpful() -> Iterator[AgentThread]:
    """A well-behaved websocket agent on 127.0.0.1 for a module's tests (a test that reads what an agent
    recorded, such as its handshakes, starts its own with ``cekura_agent``)."""
    with AgentThread("helpful") as agent:
        yield agent
