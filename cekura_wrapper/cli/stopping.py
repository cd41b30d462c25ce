"""Stopping early: SIGTERM read like Ctrl-C, and ending the calls of the results we started.

A cancelled GitHub Actions step gets SIGINT, then SIGTERM 7.5 s later, then is killed 2.5 s after
that. Ending calls is the client's ``end_calls_many``: one request per result, all in parallel,
each bounded by ``STOP_REQUEST_TIMEOUT`` (3 s) and never retried, so clean-up and the reports fit
in that window.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator, Mapping
from types import FrameType

from cekura_wrapper import EndCallsOutcome


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (a CI runner cancelling the step): handled like Ctrl-C, exit 143."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises ``Terminated`` (on the main thread only, where Python
    delivers signals; elsewhere the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def ended_lines(outcome: Mapping[int, EndCallsOutcome]) -> list[str]:
    """What ``end_calls_many`` ended, one line per result, for stderr."""
    return [
        f"Ended the calls of result {result_id}."
        if ended.error is None
        else f"Could not end the calls of result {result_id}: {ended.error}"
        for result_id, ended in sorted(outcome.items())
    ]
