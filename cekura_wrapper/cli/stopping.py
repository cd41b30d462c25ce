"""Stopping early: SIGTERM read like Ctrl-C, and ending the calls of the results we started.

A cancelled GitHub Actions step gets SIGINT, then SIGTERM 7.5 s later, then is killed 2.5 s after
that. Ending calls is one request per result, all in parallel, each bounded by
``STOP_REQUEST_TIMEOUT`` (3 s) and never retried, so clean-up and the reports fit in that window.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

from cekura_wrapper import CekuraClient
from cekura_wrapper._errors import CekuraError
from cekura_wrapper._suite import STOP_REQUEST_TIMEOUT


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


def end_calls(client: CekuraClient, result_ids: Sequence[int]) -> dict[int, str | None]:
    """End every result's calls in parallel; per result, ``None`` or why it failed."""
    outcome: dict[int, str | None] = {}
    if not result_ids:
        return outcome
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(result_ids), 32)) as pool:
        futures = {
            pool.submit(client.end_calls, result_id, timeout=STOP_REQUEST_TIMEOUT, max_retries=0): result_id
            for result_id in result_ids
        }
        for future in concurrent.futures.as_completed(futures):
            error = future.exception()
            if error is not None and not isinstance(error, CekuraError):
                raise error
            outcome[futures[future]] = None if error is None else str(error)
    return outcome


def ended_lines(outcome: dict[int, str | None]) -> list[str]:
    """What was ended, one line per result, for stderr."""
    return [
        f"Ended the calls of result {result_id}."
        if error is None
        else f"Could not end the calls of result {result_id}: {error}"
        for result_id, error in sorted(outcome.items())
    ]
