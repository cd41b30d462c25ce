"""Progress while a result runs, on stderr: on an interactive terminal a live rich bar; anywhere
else (CI logs, pipes) a plain line whenever something changes, and at least every ``heartbeat``
seconds."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cekura_wrapper import Result

from .outside import outside
from .render import Output


class ProgressView(Protocol):
    """Shows a wait's progress; ``update`` is the client's ``on_progress``."""

    def update(self, result: Result) -> None: ...

    def close(self) -> None: ...


def _progress_text(result: Result) -> str:
    return (
        f"{outside(result.status, limit=64)}, {result.completed_runs}/{result.total_runs} runs done, "
        f"{result.success_runs} passed, {result.failed_runs} failed"
    )


class LiveProgress:
    """A rich progress bar on a terminal: runs done/total, passed, failed, status, elapsed."""

    def __init__(self, console: Console, result_id: int) -> None:
        self._progress = Progress(
            TextColumn(f"result {result_id}", markup=False),
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[green]{task.fields[passed]} passed[/] [red]{task.fields[failed]} failed[/]"),
            TimeElapsedColumn(),
            console=console,
        )
        self._task = self._progress.add_task("pending", total=None, passed=0, failed=0)
        self._progress.start()
        self._running = True

    def update(self, result: Result) -> None:
        self._progress.update(
            self._task,
            description=f"{outside(result.status, limit=64):<10}",
            completed=result.completed_runs,
            total=result.total_runs or None,
            passed=result.success_runs,
            failed=result.failed_runs,
        )

    def close(self) -> None:
        if self._running:
            self._running = False
            self._progress.stop()


class PlainProgress:
    """One line per change (and a heartbeat), for logs that are not a terminal."""

    def __init__(
        self,
        write: Callable[[str], None],
        result_id: int,
        *,
        heartbeat: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._result_id = result_id
        self._heartbeat = heartbeat
        self._clock = clock
        self._start = clock()
        self._last: tuple[str, float] | None = None

    def update(self, result: Result) -> None:
        now = self._clock()
        text = _progress_text(result)
        if self._last is None or text != self._last[0] or now - self._last[1] >= self._heartbeat:
            self._write(f"result {self._result_id}: {text}, {now - self._start:.1f}s elapsed")
            self._last = (text, now)

    def close(self) -> None:
        pass


def progress_view(output: Output, result_id: int) -> ProgressView:
    """A live bar on an interactive terminal; plain lines otherwise, and whenever ``$CI`` is set
    (CI logs may claim a terminal, e.g. with ``FORCE_COLOR``, but cannot redraw a bar)."""
    if output.err.is_interactive and not os.environ.get("CI"):
        return LiveProgress(output.err, result_id)
    return PlainProgress(output.note, result_id)
