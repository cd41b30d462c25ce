"""The wrapper knows every result status openapi.yaml lists, as terminal or live.

When a spec sync adds a status (Cekura added ``cancelled`` and ``scaling_up`` over time), this
fails until someone decides whether polling stops on it: a status the wrapper does not know is
polled as live, so a new terminal one would be polled until the deadline.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import pytest

import cekura_wrapper
from scripts import regenerate

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"


def spec_result_statuses() -> list[str]:
    spec = regenerate.load_spec(SPEC_PATH)  # read as the generator reads it (YAML 1.2)
    return list(spec["components"]["schemas"]["ResultDetailV2"]["properties"]["status"]["enum"])


def unclassified(statuses: Iterable[str], terminal: Collection[str], live: Collection[str]) -> str | None:
    """A failure message naming each status that is neither terminal nor live, or None."""
    unknown = [status for status in statuses if status not in terminal and status not in live]
    if not unknown:
        return None
    names = ", ".join(repr(status) for status in unknown)
    return (
        f"openapi.yaml lists result status {names}, unknown to cekura_wrapper: add each to "
        "TERMINAL_STATUSES (polling stops) or LIVE_STATUSES (polling continues)"
    )


def wrapper_sets() -> tuple[frozenset[str], frozenset[str]]:
    missing = [name for name in ("TERMINAL_STATUSES", "LIVE_STATUSES") if not hasattr(cekura_wrapper, name)]
    if missing:
        pytest.fail(f"cekura_wrapper does not export {' and '.join(missing)}")
    return cekura_wrapper.TERMINAL_STATUSES, cekura_wrapper.LIVE_STATUSES


def test_every_result_status_in_the_spec_is_terminal_or_live() -> None:
    terminal, live = wrapper_sets()
    statuses = spec_result_statuses()
    assert "completed" in statuses  # the path into the spec still finds the enum
    message = unclassified(statuses, terminal, live)
    assert message is None, message


def test_no_status_is_both_terminal_and_live() -> None:
    terminal, live = wrapper_sets()
    assert not terminal & live, f"both terminal and live: {sorted(terminal & live)}"


def test_the_failure_message_names_each_unknown_status() -> None:
    message = unclassified(["running", "completed", "paused"], {"completed"}, {"running"})
    assert message is not None
    assert "'paused'" in message and "'running'" not in message and "TERMINAL_STATUSES" in message
    assert unclassified(["running"], {"completed"}, {"running"}) is None
