"""The emulator quotes a bad agent URL the way the client does (``display_url``, the one
redaction): no password, even one holding a ``/``, and no query value reaches its 400."""

from __future__ import annotations

import pytest

from cekura_wrapper import display_url
from cekura_wrapper.testing.run_request import FieldErrors, parse_run_request
from cekura_wrapper.testing.scenarios import ScenarioRegistry


@pytest.mark.parametrize(
    "url",
    [
        "https://bob:hunter2@agent.test/",
        "http://bob:hunt/er2@agent.test/chat",  # a '/' in the password: where the host ends is unsure
        "https://agent.test/chat?token=hunter2",
        "ws://bob:hunter2@agent.test:notaport/",
    ],
)
def test_a_400_quotes_the_url_as_display_url_shows_it(url: str) -> None:
    body = {"frequency": 1, "scenarios": [{"scenario": 101, "websocket_url": url}]}
    with pytest.raises(FieldErrors) as caught:
        parse_run_request(body, ScenarioRegistry(), max_runs=100)
    (message,) = caught.value.errors["scenarios"]
    assert "hunter2" not in message and "er2" not in message
    assert repr(display_url(url)) in message
