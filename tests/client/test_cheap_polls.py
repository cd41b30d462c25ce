"""A poll of a running result reads its status and counts only; the whole body is decoded once,
when the result is terminal or when a caller asks for more. Either way the values are exact."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from cekura_wrapper import UnreadableResponseError
from cekura_wrapper._decoding import LazyPayload, read_result

REQUEST = httpx.Request("GET", "https://api.example.test/test_framework/v1/results/7/")


def body(status: str, runs: int = 3) -> dict[str, Any]:
    return {
        "id": 7,
        "name": "nightly",
        "status": status,
        "total_runs_count": str(runs),
        "completed_runs_count": "1",
        "success_runs_count": 1,
        "success_rate": 50.0,
        "runs": {
            str(100 + i): {"id": 100 + i, "status": "completed", "success": True, "transcript": "hi " * 50}
            for i in range(runs)
        },
        "metrics": [{"name": "latency", "value": 1.5}],
    }


def read(payload: object) -> Any:
    response = httpx.Response(200, content=json.dumps(payload).encode(), request=REQUEST)
    return read_result(response, 7, name="get_result", secret="key")[0]


def test_a_running_result_is_polled_without_decoding_its_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    full_decodes: list[int] = []
    real_loads = json.loads

    def counting_loads(*args: Any, **kwargs: Any) -> Any:
        full_decodes.append(1)
        return real_loads(*args, **kwargs)

    monkeypatch.setattr(json, "loads", counting_loads)
    result = read(body("running", runs=500))
    assert (result.status, result.total_runs, result.completed_runs, result.success_runs) == (
        "running",
        500,
        1,
        1,
    )
    assert result.success_rate == 50.0
    assert isinstance(result.raw, LazyPayload)
    assert result.raw["name"] == "nightly"
    assert full_decodes == []  # nothing but the progress fields was built
    assert len(result.runs) == 500  # asking for the runs decodes the body, once
    assert result.raw["metrics"] == [{"name": "latency", "value": 1.5}]
    assert full_decodes == [1]


@pytest.mark.parametrize("status", ["running", "evaluating", "completed", "failed"])
def test_every_poll_sees_exactly_what_the_body_holds(status: str) -> None:
    payload = body(status)
    result = read(payload)
    assert dict(result.raw) == payload
    assert [run.id for run in result.runs] == [100, 101, 102]
    assert result.total_runs == 3 and result.status == status


def test_a_terminal_result_is_decoded_in_full_at_the_read() -> None:
    result = read(body("completed"))
    assert not isinstance(result.raw, LazyPayload)
    assert result.raw["runs"]["101"]["success"] is True


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'{"status": "running", "runs": [1, 2,', "is not JSON"),
        (b'["status", "running"]', "is not a JSON object"),
        (b'{"status": "running", "runs": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "JSON"),
    ],
)
def test_an_unreadable_running_result_is_refused_at_the_read(content: bytes, problem: str) -> None:
    response = httpx.Response(200, content=content, request=REQUEST)
    with pytest.raises(UnreadableResponseError, match=problem):
        read_result(response, 7, name="get_result", secret="key")


def test_counts_missing_from_a_running_result_are_taken_from_its_runs() -> None:
    payload = body("running", runs=4)
    del payload["total_runs_count"]
    assert read(payload).total_runs == 4
