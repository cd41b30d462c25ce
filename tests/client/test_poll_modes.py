"""``poll=`` chooses the schedule of every wait of a client (fake clock and sleep, a mock server)."""

from __future__ import annotations

import itertools

import httpx
import pytest

from cekura_wrapper import CekuraClient, PollTimeoutError, ValidationError

BASE = "https://api.cekura.ai"


def polls_until_timeout(**options: object) -> list[float]:
    """When a client's wait polled a result that never ends, over a 300 s deadline."""
    now = [0.0]
    polled: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        polled.append(now[0])
        return httpx.Response(200, json={"id": 1, "status": "running", "total_runs_count": 1})

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with httpx.Client(transport=httpx.MockTransport(answer)) as http:
        client = CekuraClient("key", base_url=BASE, http_client=http, **options)  # type: ignore[arg-type]
        client._set_time(clock=lambda: now[0], sleep=sleep)
        with pytest.raises(PollTimeoutError):
            client.wait_for_result(1, timeout=300)
    return polled


def test_the_default_polls_every_mark_and_economy_polls_less_after_the_first_minute() -> None:
    latency, economy = polls_until_timeout(), polls_until_timeout(poll="economy")
    marks = {float(5 * k) for k in range(61)}
    assert marks <= set(latency)  # every 5 s mark up to the deadline
    assert len(latency) <= 1.25 * len(marks)
    assert {t for t in economy if t <= 60} == {t for t in marks if t <= 60}  # the first minute alike
    assert len(economy) < 0.6 * len(latency)
    assert max(b - a for a, b in itertools.pairwise(economy)) == pytest.approx(12.5)


def test_max_poll_interval_is_the_grid() -> None:
    polled = polls_until_timeout(max_poll_interval=20.0, request_budget=None)
    assert {float(20 * k) for k in range(16)} <= set(polled)
    assert max(b - a for a, b in itertools.pairwise(polled)) <= 20.0


@pytest.mark.parametrize("bad", ["fast", None, 1, "Economy"])
def test_an_unknown_poll_mode_is_refused_naming_the_choices(bad: object) -> None:
    with pytest.raises(ValidationError, match=r"poll must be 'latency' or 'economy', got"):
        CekuraClient("key", base_url=BASE, poll=bad)  # type: ignore[arg-type]
