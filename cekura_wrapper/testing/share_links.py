"""The emulator's shareable links: ``POST /test_framework/v1/results/{id}/create_shareable_link_token/``
takes ``{"expire_at": ISO 8601 or null}`` (JSON or a form) and answers ``{"token", "shareable_link"}``
with a new token on every call, as Cekura does (it is not idempotent). The link has the emulator's
own form, ``https://dashboard.cekura.ai/shared/<token>``; nothing serves it."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any, Final

SHARE_PATH: Final = re.compile(
    r"^/test_framework/v1/results/(?P<id>[0-9]{1,18})/create_shareable_link_token/$"
)


def share_answer(body: Any) -> tuple[int, dict[str, Any]]:
    """The status and body Cekura answers to ``body``: 400 ``{"expire_at": [...]}`` for an
    ``expire_at`` that is not a date-time, else 200 with a new token and its link."""
    expiry = body.get("expire_at") if isinstance(body, dict) else None
    if not isinstance(body, dict) or (expiry is not None and not _is_datetime(expiry)):
        return 400, {"expire_at": ["Datetime has wrong format. Use one of these formats instead: ISO 8601."]}
    token = secrets.token_urlsafe(24)
    return 200, {"token": token, "shareable_link": f"https://dashboard.cekura.ai/shared/{token}"}


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 64:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
