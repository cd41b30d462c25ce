"""The checked batch: its targets, each with where it came from, and its run plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from cekura_wrapper import Loc, RunPlan, ScenarioTarget


@attrs.frozen
class Located:
    """A scenario target and where it came from."""

    target: ScenarioTarget
    where: str


@attrs.frozen
class Batch:
    """The checked input: targets in order, and the frequency and agent (flags win over the file)."""

    targets: tuple[Located, ...]
    frequency: int | None
    agent: int | None
    #: The library's plan of the targets, when the frequency is known.
    run_plan: RunPlan | None = None
    #: Where the frequency and the agent came from (``--frequency``, ``batch.yaml:2``), when given.
    origins: Mapping[str, str] = attrs.field(factory=dict)

    def where(self, loc: Loc) -> str | None:
        """Where in the user's input a problem located at ``loc`` is, if this batch knows.

        ``("scenarios", 3, ...)`` is the fourth scenario's file line or ``--scenario #N``;
        ``("frequency",)`` and ``("agent",)`` the flag or line that set them.
        """
        return place(loc, self.targets, self.origins)

    @property
    def urls(self) -> list[str]:
        """The distinct websocket URLs, in first-seen order (targets on the agent's URL have none)."""
        return list(dict.fromkeys(url for located in self.targets if (url := located.target.websocket_url)))

    @property
    def on_agent_url(self) -> int:
        """Targets that give no URL: Cekura dials the agent's own, which pre-flight cannot know."""
        return sum(located.target.websocket_url is None for located in self.targets)

    def plan(self) -> RunPlan:
        """The run plan, built by the library's ``plan_run`` so the body is exactly what it sends.

        ``frequency`` must be known (``load_batch(..., need_frequency=True)``).
        """
        assert self.run_plan is not None
        return self.run_plan


def place(loc: Loc, targets: Sequence[Located], origins: Mapping[str, str]) -> str | None:
    if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int) and 0 <= loc[1] < len(targets):
        return targets[loc[1]].where
    if len(loc) == 1 and isinstance(loc[0], str):
        return origins.get(loc[0])
    return None
