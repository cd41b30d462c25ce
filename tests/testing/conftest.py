"""Fixtures of the testing kit's tests (the emulator, agents, the pytest plugin)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cekura_wrapper.testing import CallOutcome, CekuraEmulator, EmulatorSettings, Scenario


class InstantCaller:
    """An executor that scores every run without opening a socket (no network in fuzzing)."""

    async def call(self, url: str, scenario: Scenario, *, result_id: int, run_id: int) -> CallOutcome:
        return CallOutcome(connected=True, success=True, error_message=None)


@pytest.fixture(scope="module")
def offline_emulator() -> Iterator[CekuraEmulator]:
    """An emulator that ends every run at once, passed, without dialling (one per module, never reset)."""
    fast = EmulatorSettings(pending_delay=0, evaluating_delay=0)
    with CekuraEmulator(settings=fast, executor=InstantCaller()) as emulator:
        yield emulator
