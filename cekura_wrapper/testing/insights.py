"""The emulator's stand-ins for Cekura's generated result insights, in Cekura's shapes.

Cekura fills ``failed_reasons`` (failures grouped into ranked issues), ``ai_summary`` (what
happened, why, how to fix), ``ai_summary_status`` and ``next_steps`` with a model's words. The
emulator groups failed runs by their ``error_message`` instead, deterministically, so a client
reading these fields meets the same structure. A field that is not available is left out of the
detail rather than sent as null: ``openapi.yaml`` types them ``oneOf: [{}, null]``, which a null
matches twice and so fails (a quirk of Cekura's published schema).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cekura_wrapper.testing.caller import CallOutcome

#: Issues listed at most (Cekura ranks a handful).
MAX_ISSUES = 10


def failed_reasons(runs: Sequence[tuple[int, CallOutcome | None]]) -> dict[str, Any]:
    """``{"issues": [{rank, run_ids, description, affected_count}], "total_failed_runs": n}``."""
    by_reason: dict[str, list[int]] = {}
    failed = 0
    for run_id, outcome in runs:
        if outcome is None or outcome.success:
            continue
        failed += 1
        by_reason.setdefault(outcome.error_message or "the conversation did not pass", []).append(run_id)
    ranked = sorted(by_reason.items(), key=lambda item: (-len(item[1]), item[0]))[:MAX_ISSUES]
    issues = [
        {"rank": rank, "run_ids": run_ids, "description": reason, "affected_count": len(run_ids)}
        for rank, (reason, run_ids) in enumerate(ranked, start=1)
    ]
    return {"issues": issues, "total_failed_runs": failed}


def summary_fields(
    runs: Sequence[tuple[int, CallOutcome | None]], *, final: bool, generated_at: str
) -> dict[str, Any]:
    """``ai_summary_status`` and, once the result is final with failures, ``ai_summary`` and
    ``next_steps``."""
    reasons = failed_reasons(runs)
    failed = reasons["total_failed_runs"]
    if failed == 0:
        return {"ai_summary_status": "skipped_no_failures" if final else "pending"}
    if not final:
        return {"ai_summary_status": "pending"}
    top = reasons["issues"][0]
    causes = len(reasons["issues"])
    return {
        "ai_summary_status": "completed",
        "ai_summary": {
            "what_happened": f"{failed} of {len(runs)} runs failed, {len(runs) - failed} passed; "
            f"the failures share {causes} distinct cause{'s' if causes != 1 else ''}.",
            "why_it_happened": f"Most often ({top['affected_count']} runs): {top['description']}",
            "how_to_fix": "Make the agent answer every scripted turn with the words the scenario expects.",
            "generated_from_runs_count": len(runs),
            "generated_at": generated_at,
        },
        "next_steps": [
            {
                "title": f"Fix: {issue['description'][:80]}",
                "description": f"Affects {issue['affected_count']} runs.",
            }
            for issue in reasons["issues"][:3]
        ],
    }
