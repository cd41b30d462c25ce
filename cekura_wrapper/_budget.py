"""The request-rate budget every wait of one client shares (a pure decision object; the clock is injected).

Time is cut into slots of ``1 / rate`` seconds and each poll takes one: the slot holding the
moment its schedule asked for, at that moment, when it is free; else the start of the next free
one. While the waits ask for fewer than ``rate`` polls per second every poll goes out when asked
(a schedule's promise holds); when hundreds of waits share a client, each takes the next free
slot in the order it asked, so every wait's intervals stretch alike and any window of ``L``
seconds holds at most ``L * rate + 2`` polls.
A server's ``Retry-After`` (or a 429) ``hold``s every wait of the client, not only the one told.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable
from typing import Final

from ._errors import ValidationError
from ._validation import describe

#: Polls per second all waits of one client may make together, unless the client says otherwise.
DEFAULT_REQUEST_BUDGET: Final = 10.0
_EPSILON: Final = 1e-9


def check_budget(rate: object) -> float | None:
    """``rate`` as a float (positive and finite) or ``None``, else ``ValidationError``."""
    if rate is None:
        return None
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate) or rate <= 0:
        raise ValidationError(
            f"request_budget must be a positive number of requests per second or None, got {describe(rate)}"
        )
    return float(rate)


class RequestBudget:
    """Grants each poll of any wait of one client a moment within the client's rate (thread-safe)."""

    def __init__(self, rate: float | None, *, clock: Callable[[], float]) -> None:
        self.rate = check_budget(rate)
        self._clock = clock
        self._taken: list[int] = []  # slot numbers granted and not yet past, sorted
        self._held_until = -math.inf
        self._lock = threading.Lock()

    def reserve(self, wanted: float) -> float:
        """Seconds from now until a poll its schedule wants ``wanted`` seconds from now may go.

        The slot is taken: call once per poll that will be made.
        """
        with self._lock:
            now = self._clock()
            at = max(now + max(wanted, 0.0), self._held_until)
            if self.rate is None:
                return at - now
            slot = math.floor(at * self.rate + _EPSILON)
            past = bisect.bisect_left(self._taken, math.floor(now * self.rate) - 1)
            del self._taken[:past]
            index = bisect.bisect_left(self._taken, slot)
            while index < len(self._taken) and self._taken[index] == slot:
                slot, index = slot + 1, index + 1
            self._taken.insert(index, slot)
            return max(at, slot / self.rate) - now

    def held_for(self) -> float:
        """Seconds left of the latest hold (0 when none): a poll due now waits them out."""
        with self._lock:
            left = self._held_until - self._clock()
            return left if left > _EPSILON else 0.0

    def hold(self, seconds: float) -> None:
        """No poll of any wait goes out in the next ``seconds`` (a server asked the client to wait)."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)
