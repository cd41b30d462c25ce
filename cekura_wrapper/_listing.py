"""Walking the paginated results list (pure): which page to ask for next, and what a page holds.

``ResultPages`` decides; the clients only send the requests it names. It follows ``next`` only
when it points under the client's own API root (a hostile or misconfigured server cannot send the
API key elsewhere), stops after ``max_pages`` pages, and yields each result once even when new
results shift the pages between two requests (the list is newest first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ._errors import CekuraError, UnreadableResponseError
from ._results import Result

#: Pages read at most by one ``list_results`` walk unless the caller asks for more.
DEFAULT_MAX_PAGES: Final = 1000
#: Cekura, like Django REST framework, caps a page; asking for more than this is refused up front.
MAX_PAGE_SIZE: Final = 1000
#: Characters of a ``next`` link kept: a longer one is not a link we follow.
MAX_LINK_LENGTH: Final = 4096


class ListingError(CekuraError):
    """The results list cannot be walked further (a ``next`` link elsewhere, too many pages)."""


class ResultPages:
    """The state of one walk through ``GET /test_framework/v1/results/``.

    ``first`` is the request for page one (relative to the API root); ``read(payload)`` takes a
    page's JSON object and returns its new results and the next request, or ``None`` at the end.
    """

    def __init__(self, first: dict[str, Any], *, base_url: str, max_pages: int = DEFAULT_MAX_PAGES) -> None:
        self.first = first
        self._base_url = base_url.rstrip("/")
        self._max_pages = max_pages
        self._pages = 0
        self._seen: set[int] = set()

    def read(self, payload: Mapping[str, Any], *, name: str) -> tuple[list[Result], dict[str, Any] | None]:
        """The results on this page not yielded before, and the request for the next page."""
        self._pages += 1
        entries = payload.get("results")
        if not isinstance(entries, list):
            raise UnreadableResponseError(
                f"{name} answered without a 'results' list", status_code=200, body=""
            )
        fresh: list[Result] = []
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            result = Result.from_payload(entry, success_rate_is_fraction=True)
            if result.id and result.id not in self._seen:
                self._seen.add(result.id)
                fresh.append(result)
        return fresh, self._next_request(payload.get("next"))

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
        return {"method": "get", "url": "/" + link[len(root) :]}
