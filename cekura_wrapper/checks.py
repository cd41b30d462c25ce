"""The checks the client applies to its input before any request, for tools that read input of
their own (the command line's batch files): each returns a problem sentence, or ``None``."""

from ._errors import Loc, render_loc
from ._mock_tools import check_mock_tool_names
from ._reach import unreachable_agent_urls
from ._settings import resolve_base_url
from ._validation import MAX_ID, check_frequency, check_positive_id, check_websocket_url, is_loopback_host

__all__ = [
    "MAX_ID",
    "Loc",
    "check_frequency",
    "check_mock_tool_names",
    "check_positive_id",
    "check_websocket_url",
    "is_loopback_host",
    "render_loc",
    "resolve_base_url",
    "unreachable_agent_urls",
]
