"""Unknown keys and columns of a batch file, each told with the closest known one ("did you mean
'scenario'?"), so a typo is one clear problem instead of an unknown key plus a missing one."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Sequence

from cekura_wrapper import quote

#: How alike a key must be to a known one to be suggested (difflib's ratio: 'scenaro' and
#: 'scenario' score 0.93, 'colour' and 'agent' 0.36).
_CUTOFF = 0.6


def closest(key: object, known: Collection[str]) -> str | None:
    """The known key ``key`` was most likely meant to be, when one is close enough."""
    matches = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=_CUTOFF)
    return matches[0] if matches else None


def suggestions(unknown: Sequence[object], known: Collection[str]) -> dict[str, str]:
    """Each unknown key (as text) with its closest known key, for those that have one."""
    return {str(key): hint for key in unknown if (hint := closest(key, known)) is not None}


def unknown_message(
    unknown: Sequence[object],
    known: Collection[str],
    *,
    noun: str = "key",
    place: str = "",
    expected: str = "",
) -> str:
    """``unknown key 'scenaro' (did you mean 'scenario'?)``; without a close known key, the keys
    and ``expected`` (the known keys, as the message of that place lists them)."""
    names = ", ".join(map(quote, unknown))
    hints = suggestions(unknown, known)
    head = f"unknown {noun} {names}{place}"
    if len(hints) == len(unknown):
        return f"{head} (did you mean {', '.join(map(quote, hints.values()))}?)"
    meant = "; ".join(f"did you mean {quote(hint)} for {quote(key)}?" for key, hint in hints.items())
    details = "; ".join(part for part in (expected, meant) if part)
    return f"{head} ({details})" if details else head


def meant_keys(unknown: Sequence[object], known: Collection[str]) -> set[str]:
    """The known keys the unknown ones most likely stand for: reported once, as the typo, and not
    again as missing."""
    return set(suggestions(unknown, known).values())
