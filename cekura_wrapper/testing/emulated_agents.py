"""The emulator's agents: the websocket URL configured on each and the project it belongs to.

Cekura keeps a websocket URL on the agent, and a run request's scenarios may leave theirs out
to use it. The emulator knows an agent's URL only when told (``CekuraEmulator(agents=...)``,
``emulator.agents[7] = EmulatedAgent("ws://...")`` or ``cekura-ws emulator --agent-url
7=ws://...``); an agent it was not told about has no URL and sits in ``DEFAULT_PROJECT_ID``.
"""

from __future__ import annotations

import attrs

#: The project every agent belongs to unless configured otherwise.
DEFAULT_PROJECT_ID = 1


@attrs.frozen
class EmulatedAgent:
    """One agent's settings as the emulator keeps them."""

    websocket_url: str | None = None
    project: int = DEFAULT_PROJECT_ID


#: What an agent the emulator was not told about looks like.
UNCONFIGURED = EmulatedAgent()
