"""Links to a result on Cekura (pure): its dashboard page, built from a project id, and the
expiring shareable link Cekura makes on request.

The dashboard URL is built here from two integers, so it is safe to print and to make a Markdown
link of. A shareable link comes from Cekura: it is kept only when it is a plain ``https`` URL on
``cekura.ai`` made of unreserved URL characters, so it cannot carry markup or a command either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Final
from urllib.parse import urlsplit

import attrs

DASHBOARD: Final = "https://dashboard.cekura.ai"
#: Longest shareable link kept; a longer one is refused.
MAX_LINK: Final = 512
#: The most days a shareable link may stay valid when we ask for one.
MAX_SHARE_DAYS: Final = 365
_LINK_CHARACTERS: Final = re.compile(r"[A-Za-z0-9\-._~/?=&%]*")


def check_project_id(project_id: object) -> int:
    """``project_id`` as a positive int; ``ValueError`` naming the value otherwise."""
    if isinstance(project_id, bool) or not isinstance(project_id, int) or project_id < 1:
        shown = repr(project_id)[:40]
        raise ValueError(
            f"project_id must be a positive integer (the number in the dashboard's URL), not {shown}"
        )
    return project_id


def dashboard_url(result_id: int, project_id: int) -> str:
    """``https://dashboard.cekura.ai/<project_id>/results/<result_id>``: the result's page."""
    if isinstance(result_id, bool) or not isinstance(result_id, int) or result_id < 1:
        raise ValueError(f"result_id must be a positive integer, not {repr(result_id)[:40]}")
    return f"{DASHBOARD}/{check_project_id(project_id)}/results/{result_id}"


def check_share_days(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_SHARE_DAYS:
        raise ValueError(
            f"expires_in_days must be a whole number of days from 1 to {MAX_SHARE_DAYS}, not {repr(days)[:40]}"
        )
    return days


def expire_at(days: int, now: datetime | None = None) -> str:
    """The ``expire_at`` Cekura takes: ISO 8601 in UTC, ``days`` from ``now``."""
    start = now if now is not None else datetime.now(UTC)
    return (start + timedelta(days=check_share_days(days))).astimezone(UTC).isoformat(timespec="seconds")


def safe_link(value: object) -> str | None:
    """``value`` when it is an ``https`` URL on ``cekura.ai`` (or a subdomain) with no credentials,
    no port and only unreserved characters, at most ``MAX_LINK`` long; otherwise ``None``."""
    if not isinstance(value, str) or len(value) > MAX_LINK or not value.startswith("https://"):
        return None
    rest = value[len("https://") :]
    host, _, path = rest.partition("/")
    if not re.fullmatch(r"(?:[a-z0-9-]+\.)*cekura\.ai", host) or not _LINK_CHARACTERS.fullmatch(path):
        return None
    parts = urlsplit(value)
    if parts.username or parts.password or parts.port or parts.fragment:
        return None
    return value


@attrs.frozen
class ShareLink:
    """An expiring link to a result anyone holding it can open (transcripts and recordings)."""

    result_id: int
    url: str
    expire_at: str

    @classmethod
    def from_payload(cls, result_id: int, payload: object, expire_at: str) -> ShareLink | None:
        """``None`` when Cekura's answer holds no safe ``shareable_link`` (see ``safe_link``)."""
        if not isinstance(payload, Mapping):
            return None
        url = safe_link(payload.get("shareable_link"))
        return None if url is None else cls(result_id=result_id, url=url, expire_at=expire_at)
