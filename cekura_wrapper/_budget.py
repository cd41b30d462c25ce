"""The request-rate budget every wait of one client shares (a pure decision object; the clock is injected).

Time is cut into slots of about a second holding ``rate`` polls each (one poll per ``1 / rate``
seconds below one a second), and each poll takes a place in one: in the slot holding the moment its
schedule asked for, at that moment, when the slot has room; else at the start of the next slot
with room. While the waits ask for no more than ``rate`` polls in a slot every poll goes out when
asked (a schedule's promise holds, also for waits started together whose polls coincide); when
hundreds of waits share a client, each takes the next place in the order it asked, so every
wait's intervals stretch alike and any window of ``L`` seconds holds at most
``L * rate + 2 * capacity`` polls (a token bucket of ``capacity``, ``rate`` polls a second, holds at
most ``L * rate + capacity``).
A server's ``Retry-After`` (or a 429) ``hold``s every wait of the client, not only the one told.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Final

from ._errors import ValidationError
from ._validation import describe

#: Polls per second all waits of one client may make together, unless the client says otherwise.
DEFAULT_REQUEST_BUDGET: Final = 10.0
_EPSILON: Final = 1e-9
#: Past slots are forgotten once this many are recorded (or twice as many as were left last time).
_PRUNE_AT: Final = 1024


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
        #: Polls one slot holds, and its length in seconds.
        self.capacity = 0 if self.rate is None else max(1, math.floor(self.rate))
        self._slot_length = 0.0 if self.rate is None else self.capacity / self.rate
        self._taken: dict[int, int] = {}  # slot number: polls granted in it
        self._prune_at = _PRUNE_AT
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
            slot = math.floor(at / self._slot_length + _EPSILON)
            if len(self._taken) > self._prune_at:  # forget the slots that are past
                current = math.floor(now / self._slot_length) - 1
                self._taken = {number: count for number, count in self._taken.items() if number >= current}
                self._prune_at = max(_PRUNE_AT, 2 * len(self._taken))
            while self._taken.get(slot, 0) >= self.capacity:
                slot += 1
            self._taken[slot] = self._taken.get(slot, 0) + 1
            return max(at, slot * self._slot_length) - now

    def held_for(self) -> float:
        """Seconds left of the latest hold (0 when none): a poll due now waits them out."""
        with self._lock:
            left = self._held_until - self._clock()
            return left if left > _EPSILON else 0.0

    def hold(self, seconds: float) -> None:
        """No poll of any wait goes out in the next ``seconds`` (a server asked the client to wait)."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)
