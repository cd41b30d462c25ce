"""Wall-clock timing of a call, repeated, for the parts that measure one call at a time."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable


def times_of(call: Callable[[], object], repeats: int) -> list[float]:
    """Seconds each of ``repeats`` calls took, after a collection so no cycle GC lands inside."""
    times = []
    for _ in range(repeats):
        gc.collect()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times
