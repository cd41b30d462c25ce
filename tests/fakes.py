"""The tests' one fake clock: time that moves only when the code under test sleeps."""

from __future__ import annotations


class FakeTime:
    """A virtual clock and sleep: waits are recorded and advance ``now``, never slept.

    Pass the object itself (or ``clock``) where code reads the time, ``sleep`` where synchronous
    code waits and ``async_sleep`` where asynchronous code waits; then assert on ``sleeps`` and
    ``now`` instead of on the wall clock.
    """

    def __init__(self, now: float = 0.0) -> None:
        self.now = now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"slept a negative time: {seconds}"
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
