"""Stopping a test agent ends its pending replies: no teardown waits out a ``slow`` agent's delay."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from cekura_wrapper.testing import AgentServer, AgentThread

HOUR = 3600.0  # a delay no test could wait out: only cancelling the reply lets stop() return


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0)


async def test_stopping_a_slow_agent_ends_its_pending_reply_unsent() -> None:
    agent = AgentServer("slow", reply_delay=HOUR)
    await agent.start()
    received: list[str | bytes] = []
    async with connect(agent.url) as caller:
        waiting = asyncio.create_task(caller.recv())  # the greeting, an hour away
        await asyncio.wait_for(_until(lambda: agent.open_connections == 1), timeout=30)
        await asyncio.wait_for(agent.stop(), timeout=30)  # an outer bound that only catches a hang
        with contextlib.suppress(ConnectionClosed):
            received.append(await asyncio.wait_for(waiting, timeout=30))
    assert received == []  # the pending greeting was never sent
    assert agent.open_connections == 0


def test_stopping_a_slow_agent_thread_does_not_wait_for_its_replies() -> None:
    async def hold_a_call(url: str, connected: asyncio.Event) -> None:
        async with connect(url) as caller:
            connected.set()
            try:
                await caller.recv()
            except ConnectionClosed:
                return

    agent = AgentThread("slow", reply_delay=HOUR).start()

    async def scenario() -> None:
        connected = asyncio.Event()
        call = asyncio.create_task(hold_a_call(agent.url, connected))
        await asyncio.wait_for(connected.wait(), timeout=30)
        await asyncio.wait_for(asyncio.to_thread(agent.stop), timeout=30)  # only catches a hang
        await asyncio.wait_for(call, timeout=30)

    asyncio.run(scenario())
    assert agent.peak_open_connections == 1


async def test_a_caller_hanging_up_ends_a_slow_agents_pending_reply() -> None:
    async with AgentServer("slow", reply_delay=HOUR) as agent:
        async with connect(agent.url):
            await asyncio.wait_for(_until(lambda: agent.open_connections == 1), timeout=30)
        # Only a hang fails here: the conversation ends with the caller, not an hour later.
        await asyncio.wait_for(_until(lambda: agent.open_connections == 0), timeout=30)
