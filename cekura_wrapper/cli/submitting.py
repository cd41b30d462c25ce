"""Submitting a planned batch from the command line, the one way every path does it (a first
submission and each retry round): errors mapped to exit codes, an interrupt while the request may
have reached Cekura said so, a looked-up submission noted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cekura_wrapper import RunPlan, Submission

from .common import fail, reconciled_note, reported_errors
from .exit_codes import ExitCode
from .render import Output
from .stopping import Terminated

if TYPE_CHECKING:
    from cekura_wrapper import CekuraClient

    from .inputs import Batch


def submit_plan(
    output: Output, client: CekuraClient, plan: RunPlan, *, doing: str, batch: Batch | None = None
) -> Submission:
    """Send ``plan`` once; ``doing`` names the step in the interrupt message ("submitting")."""
    try:
        with reported_errors(output, batch=batch):
            submission = client.run_scenarios(
                plan.scenarios,
                frequency=plan.frequency,
                agent=plan.agent,
                mock_tool_names=plan.mock_tool_names,
            )
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated)
        fail(
            output,
            ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED,
            "terminated" if terminated else "interrupted",
            f"interrupted while {doing}: the run request may have reached Cekura.",
            advice="Check the results list in the Cekura dashboard before submitting again.",
        )
    if submission.reconciled:
        output.note(reconciled_note(submission), style="yellow")
    return submission
