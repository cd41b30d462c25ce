"""Which agent URL each run talked to.

Cekura's result runs do not carry a ``websocket_url`` field (nor do the emulator's), so the URL
comes from the run when it carries one, else from the plan ``run`` submitted: a scenario id that
appears with exactly one URL in the plan ran against that URL. A scenario run against several URLs
(one evaluator against a fleet) cannot be told apart, so it is shown as ambiguous, never guessed.
Without a plan (``status``, ``watch``) only the run's own field is used. Every URL comes out as
``display_url`` shows it (query values and credentials as ``***``): these are for people and reports.
A target that gave no URL ran against the agent's own, shown as ``AGENT_URL`` ("the agent's
websocket URL"): this client never learns which URL that is.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from cekura_wrapper import AGENT_URL, Run, RunPlan, display_url


@attrs.frozen
class AgentUrls:
    """The plan's URLs per scenario id (empty without a plan)."""

    by_scenario: Mapping[int, tuple[str, ...]] = attrs.field(factory=dict)

    @classmethod
    def from_plan(cls, plan: RunPlan | None) -> AgentUrls:
        found: dict[int, dict[str, None]] = {}
        for target in plan.scenarios if plan is not None else ():
            found.setdefault(target.scenario, {})[target.websocket_url or AGENT_URL] = None
        return cls({scenario: tuple(urls) for scenario, urls in found.items()})

    def url(self, run: Run) -> str | None:
        """The URL the run talked to (as shown), when it is known for certain."""
        own = run.raw.get("websocket_url")
        if isinstance(own, str) and own:
            return display_url(own)
        candidates = self.candidates(run)
        return candidates[0] if len(candidates) == 1 else None

    def candidates(self, run: Run) -> tuple[str, ...]:
        """The plan's URLs (as shown) for the run's scenario (one when it is known, none without a plan)."""
        urls = self.by_scenario.get(run.scenario, ()) if run.scenario is not None else ()
        return tuple(url if url == AGENT_URL else display_url(url) for url in urls)

    def label(self, run: Run) -> str | None:
        """The URL, ``one of 3 URLs`` when the plan ran the scenario against several, else ``None``."""
        url = self.url(run)
        if url is not None:
            return url
        candidates = self.candidates(run)
        return f"one of {len(candidates)} URLs" if candidates else None


#: No plan: only what the runs themselves say.
NO_PLAN = AgentUrls()
