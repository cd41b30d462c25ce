"""Running ``cekura-ws`` in-process (click's runner on the real ``main`` group) against the emulator."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from click.testing import CliRunner, Result

from cekura_wrapper.cli import main
from cekura_wrapper.testing import CekuraEmulator

#: Poll fast: the emulator finishes a small batch in a fraction of a second.
FAST_POLLS = ("--poll-interval", "0.02", "--max-poll-interval", "0.05")


def invoke(
    args: Sequence[str],
    *,
    emulator: CekuraEmulator | None = None,
    api_key: str | None = None,
    base_url: str | None = None,
    env: Mapping[str, str | None] | None = None,
) -> Result:
    """Run ``cekura-ws ARGS``; the key comes from ``CEKURA_API_KEY`` like in CI.

    Asserts that neither the emulator's key nor ``api_key`` appears anywhere in the output.
    """
    environment: dict[str, str | None] = {
        "CEKURA_API_KEY": api_key if api_key is not None else (emulator.api_key if emulator else None),
        "CEKURA_BASE_URL": base_url if base_url is not None else (emulator.base_url if emulator else None),
        "CEKURA_WEBSOCKET_SECRET": None,
        "COLUMNS": "200",
        # A test run on a CI runner must not write to the runner's own summary and outputs.
        "GITHUB_ACTIONS": None,
        "GITHUB_STEP_SUMMARY": None,
        "GITHUB_OUTPUT": None,
        **(env or {}),
    }
    result = CliRunner().invoke(main, list(args), env=environment, catch_exceptions=False)
    for secret in (api_key, emulator.api_key if emulator else None):
        if secret:
            assert secret not in result.output, "the API key was printed"
    return result


def posts(emulator: CekuraEmulator) -> int:
    return sum(1 for request in emulator.requests if request.method == "POST")


def gets(emulator: CekuraEmulator) -> int:
    return sum(1 for request in emulator.requests if request.method == "GET")


def submitted_id(result: Result) -> int:
    """The result id ``cekura-ws run`` reported on stderr."""
    match = re.search(r"Submitted result (\d+)", result.stderr)
    assert match is not None, result.output
    return int(match[1])
