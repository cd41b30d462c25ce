"""Walking the paginated results list (pure): which page to ask for next, and what a page holds.

``ResultPages`` decides; the clients only send the requests it names. It follows ``next`` only
when it points under the client's own API root (a hostile or misconfigured server cannot send the
API key elsewhere) and moves forward: a ``next`` that repeats a page already read or goes back to
an earlier page number, an empty page that links to another, pages that bring nothing new several
times in a row, a page longer than any page size Cekura serves and more than ``max_pages`` pages
all end the walk with ``ListingError`` (a server fault, not the caller's). It yields each result
once even when new results shift the pages between two requests (the list is newest first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import parse_qsl, urlsplit

from ._errors import APIError, UnreadableResponseError
from ._results import Result, to_int

#: Pages read at most by one ``list_results`` walk unless the caller asks for more.
DEFAULT_MAX_PAGES: Final = 1000
#: Cekura, like Django REST framework, caps a page; asking for more than this is refused up front,
#: and a page holding more entries is not a page Cekura serves.
MAX_PAGE_SIZE: Final = 1000
#: Characters of a ``next`` link kept: a longer one is not a link we follow.
MAX_LINK_LENGTH: Final = 4096
#: Pages in a row that bring no result not seen before, after which the walk stops.
MAX_STALE_PAGES: Final = 3


class ListingError(APIError):
    """The results list cannot be walked further: a ``next`` link elsewhere, back or in a loop,
    pages that bring nothing, too many pages. Cekura answered 2xx, but not a list that ends."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=200, body="")


def _page_key(url: str, params: Mapping[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A request as a path and its sorted query, to tell whether a page was read already."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(str(k), str(v)) for k, v in params.items()]
    return parts.path, tuple(sorted(query))


def _page_number(key: tuple[str, tuple[tuple[str, str], ...]]) -> int | None:
    """The ``page`` a request asks for (1 when it names none), ``None`` when it is not a number."""
    numbers = [value for name, value in key[1] if name == "page"]
    return to_int(numbers[-1]) if numbers else 1


class ResultPages:
    """The state of one walk through ``GET /test_framework/v1/results/``.

    ``first`` is the request for page one (relative to the API root); ``read(payload)`` takes a
    page's JSON object and returns its new results and the next request, or ``None`` at the end.
    ``unreadable`` counts the entries of the last page that were not results (no object, no id).
    """

    def __init__(self, first: dict[str, Any], *, base_url: str, max_pages: int = DEFAULT_MAX_PAGES) -> None:
        self.first = first
        self._base_url = base_url.rstrip("/")
        self._max_pages = max_pages
        self._pages = 0
        self._stale = 0
        self._seen: set[int] = set()
        self.unreadable = 0
        key = _page_key(str(first["url"]), first.get("params") or {})
        self._read_keys = {key}
        self._page_number = _page_number(key)

    def read(self, payload: Mapping[str, Any], *, name: str) -> tuple[list[Result], dict[str, Any] | None]:
        """The results on this page not yielded before, and the request for the next page."""
        self._pages += 1
        entries = payload.get("results")
        if not isinstance(entries, list):
            raise UnreadableResponseError(
                f"{name} answered without a 'results' list", status_code=200, body=""
            )
        if len(entries) > MAX_PAGE_SIZE:
            raise ListingError(
                f"a page of the results list holds {len(entries)} entries, more than any page "
                f"Cekura serves ({MAX_PAGE_SIZE}); stopped listing"
            )
        fresh: list[Result] = []
        self.unreadable = 0
        for entry in entries:
            result_id = to_int(entry.get("id")) if isinstance(entry, Mapping) else None
            if not isinstance(entry, Mapping) or result_id is None or result_id < 1:
                self.unreadable += 1
            elif result_id not in self._seen:
                self._seen.add(result_id)
                fresh.append(Result.from_payload(entry, success_rate_is_fraction=True))
        self._stale = 0 if fresh else self._stale + 1
        request = self._next_request(payload.get("next"))
        if request is not None and not entries:
            raise ListingError("the results list sent an empty page that links to another; stopped listing")
        if request is not None and self._stale >= MAX_STALE_PAGES:
            raise ListingError(
                f"{MAX_STALE_PAGES} pages of the results list in a row brought no new result; stopped listing"
            )
        return fresh, request

    def _next_request(self, link: object) -> dict[str, Any] | None:
        if link is None or link == "":
            return None
        if not isinstance(link, str) or len(link) > MAX_LINK_LENGTH:
            raise ListingError("the results list's 'next' link is not a usable URL; stopped listing")
        if self._pages >= self._max_pages:
            raise ListingError(
                f"the results list has more than {self._max_pages} pages; stopped "
                "(pass a larger max_pages or filter by agent)"
            )
        root = self._base_url + "/"
        if not link.startswith(root) or "#" in link:
            raise ListingError(
                "the results list's 'next' link leaves the API root "
                f"({self._base_url}); stopped listing rather than send the key elsewhere"
            )
        url = "/" + link[len(root) :]
        key = _page_key(url, {})
        number = _page_number(key)
        if key in self._read_keys:
            raise ListingError("the results list's 'next' link repeats a page already read; stopped listing")
        if number is not None and self._page_number is not None and number <= self._page_number:
            raise ListingError(
                f"the results list's 'next' link goes back from page {self._page_number} to page "
                f"{number}; stopped listing"
            )
        self._read_keys.add(key)
        self._page_number = number
        return {"method": "get", "url": url}
