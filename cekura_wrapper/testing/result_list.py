"""The emulator's results list, paginated and filtered the way Django REST framework does it.

Pure: it takes the query string and the records and returns the status and body. What a client
can notice, as DRF behaves: a ``page_size`` that is not a positive integer (``0``, ``-1``,
``abc``) is ignored and the default used, a larger one is capped; a ``page`` that is not a page
number or lies past the last page answers 404 ``Invalid page.``; an empty list still has page 1;
an ``agent_id`` or ``project_id`` that is not a number answers 400 naming the parameter
(django-filter's message); a ``scenarios`` entry that is no id matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode

from cekura_wrapper.testing.results import ResultRecord

#: Django REST framework's usual page sizes: 10 unless asked, at most 100.
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
#: Digits a number filter may have (Cekura's ids are 64-bit).
_MAX_DIGITS = 19
#: What a filter on an id no record can have compares against.
_NO_ID = -1


def page_size(raw: str | None) -> int:
    """DRF's ``get_page_size``: a positive integer (capped), else the default."""
    if raw is None:
        return DEFAULT_PAGE_SIZE
    text = raw.strip()
    if not text.isdigit() or len(text) > _MAX_DIGITS or int(text) < 1:
        return DEFAULT_PAGE_SIZE
    return min(int(text), MAX_PAGE_SIZE)


def _number(query: Mapping[str, list[str]], name: str, errors: dict[str, list[str]]) -> int | None:
    if name not in query or query[name][-1] == "":
        return None
    text = query[name][-1].strip()
    body = text[1:] if text[:1] in "+-" else text
    if not body.isdigit():
        errors[name] = ["Enter a number."]
        return None
    # Out of any id's range: Django answers an empty page (its lookups treat it as matching nothing).
    return int(text) if len(body) <= _MAX_DIGITS else _NO_ID


def list_results(
    records: Iterable[ResultRecord],
    query_string: str,
    host: str,
    path: str,
    project_of: Callable[[int], int],
) -> tuple[int, dict[str, Any]]:
    """``(status, body)`` of ``GET path?query_string`` over ``records`` (newest first)."""
    query = parse_qs(query_string, keep_blank_values=True)
    errors: dict[str, list[str]] = {}
    agent = _number(query, "agent_id", errors)
    project = _number(query, "project_id", errors)
    scenarios: set[int] | None = None
    if query.get("scenarios", [""])[-1]:
        # The spec types the filter as free text: an entry that is no id matches no scenario.
        parts = [part.strip() for part in query["scenarios"][-1].split(",")]
        scenarios = {int(part) for part in parts if part.isdigit() and len(part) <= _MAX_DIGITS}
    if errors:
        return 400, errors
    search = query.get("search", [""])[-1]
    chosen = [
        record
        for record in sorted(records, key=lambda record: record.id, reverse=True)
        if (agent is None or record.agent == agent)
        and (project is None or project_of(record.agent) == project)
        and (scenarios is None or any(run.scenario.id in scenarios for run in record.runs))
        and (not search or search.lower() in record.name.lower())
    ]
    size = page_size(query.get("page_size", [None])[-1])
    pages = max(1, -(-len(chosen) // size))
    raw_page = query.get("page", ["1"])[-1].strip()
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) <= _MAX_DIGITS else 0
    if raw_page == "last":
        page = pages
    if not 1 <= page <= pages:
        return 404, {"detail": "Invalid page."}

    def link(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        params = {key: values[-1] for key, values in query.items()}
        params["page"] = str(number)
        return f"http://{host}{path}?{urlencode(params)}"

    return 200, {
        "count": len(chosen),
        "next": link(page + 1),
        "previous": link(page - 1),
        "results": [record.summary() for record in chosen[(page - 1) * size : page * size]],
    }
