"""The pytest plugin's ``cekura_client`` fixture: the README's pytest example with it is quick,
which the emulator's request log proves (few polls, each at most a twentieth of a second apart),
and the client is closed after the test."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cekura_wrapper import CekuraClient, CekuraError
from cekura_wrapper.testing import AgentThread, CekuraEmulator
from cekura_wrapper.testing.pytest_plugin import CLIENT_MAX_POLL_INTERVAL, CLIENT_POLL_INTERVAL

README = Path(__file__).resolve().parents[2] / "README.md"
#: The test file the README's pytest example writes (its here-document).
EXAMPLE = re.compile(r"cat > test_my_agent\.py <<'PY'\n(?P<code>.*?)\nPY\n", re.DOTALL)


def readme_example() -> Callable[..., None]:
    match = EXAMPLE.search(README.read_text(encoding="utf-8"))
    assert match is not None, "the README's pytest example moved"
    namespace: dict[str, Any] = {}
    exec(compile(match["code"], "README.md:test_my_agent.py", "exec"), namespace)
    test: Callable[..., None] = namespace["test_the_helpful_agent_passes"]
    return test


def test_the_readme_pytest_example_waits_a_fraction_of_a_second(
    cekura_client: CekuraClient,
    cekura_agent: Callable[..., AgentThread],
    cekura_emulator: CekuraEmulator,
) -> None:
    waits: list[float] = []

    def recorded_sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    readme_example()(cekura_client=cekura_client._set_time(sleep=recorded_sleep), cekura_agent=cekura_agent)
    methods = [request.method for request in cekura_emulator.requests]
    assert methods.count("POST") == 1
    assert len(waits) == methods.count("GET") - 1  # one wait between two polls, none after the end
    # Each wait is at most CLIENT_MAX_POLL_INTERVAL (the library's defaults wait a second before
    # the second poll alone), and together they stay well under a second: a few polls.
    assert waits and max(waits) <= CLIENT_MAX_POLL_INTERVAL == 0.05
    assert min(waits) >= CLIENT_POLL_INTERVAL
    assert sum(waits) < 1.0, waits


@pytest.fixture
def kept_clients() -> Iterator[list[CekuraClient]]:
    """Clients a test hands over; set up before ``cekura_client`` (asked for first), so torn down
    after it: by then each must be closed."""
    kept: list[CekuraClient] = []
    yield kept
    for client in kept:
        with pytest.raises(CekuraError, match="this client is closed"):
            list(client.list_results())


def test_the_client_fixture_is_the_emulators_and_is_closed_after_the_test(
    kept_clients: list[CekuraClient], cekura_client: CekuraClient, cekura_emulator: CekuraEmulator
) -> None:
    assert list(cekura_client.list_results()) == []
    assert [(request.method, request.status) for request in cekura_emulator.requests] == [("GET", 200)]
    kept_clients.append(cekura_client)
