"""cekura-ws: run Cekura evaluators against fleets of websocket agents.

The clients load lazily, so ``import cekura_wrapper`` stays cheap (no httpx until needed).
"""

from typing import TYPE_CHECKING, Any

from ._compare import Comparison, ComparisonRow, compare
from ._display import MAX_SHOWN, guarded_line, guarded_lines, markdown_text, shown, visible, without_secrets
from ._ending import STOP_REQUEST_TIMEOUT, EndCallsOutcome
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CekuraError,
    Loc,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    PollTimeoutError,
    Problem,
    RateLimitError,
    ServerError,
    SubmissionNotCreatedError,
    SubmissionUncertainError,
    UnreadableResponseError,
    ValidationError,
    render_loc,
)
from ._insights import AiSummary, FailedReasons, FailureIssue, NextStep
from ._links import ShareLink, dashboard_url
from ._listing import ListingError
from ._mock_tools import check_mock_tool_names
from ._plan import AGENT_URL, MAX_RUNS, RunPlan, ScenarioTarget, compute_run_count, plan_run
from ._reach import unreachable_agent_urls
from ._results import LIVE_STATUSES, TERMINAL_STATUSES, Result, Run, Submission
from ._retries import (
    DEFAULT_MAX_EXTRA_RUNS,
    RetriedResult,
    RetryLedger,
    TargetOutcome,
    TargetRetries,
    run_key,
    worst_case_extra_runs,
)
from ._settings import resolve_base_url
from ._stats import DEFAULT_ALPHA, Change
from ._suite import GroupOutcome, SuiteGroup, SuiteResult, SuiteSchedule
from ._targets import TargetStats
from ._validation import (
    MAX_ID,
    check_frequency,
    check_positive_id,
    check_websocket_url,
    display_url,
    is_loopback_host,
    mask_urls,
    quote,
    validate_websocket_url,
)

if TYPE_CHECKING:
    from ._preflight import PreflightResult, preflight, preflight_async
    from .client import AsyncCekuraClient, CekuraClient

    __version__: str

#: The distribution's name on PyPI: the one source of the version (its metadata, from pyproject.toml).
DISTRIBUTION = "cekura-ws"

__all__ = [
    "AGENT_URL",
    "DEFAULT_ALPHA",
    "DEFAULT_MAX_EXTRA_RUNS",
    "LIVE_STATUSES",
    "MAX_ID",
    "MAX_RUNS",
    "MAX_SHOWN",
    "STOP_REQUEST_TIMEOUT",
    "TERMINAL_STATUSES",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AiSummary",
    "AsyncCekuraClient",
    "AuthenticationError",
    "BadRequestError",
    "CekuraClient",
    "CekuraError",
    "Change",
    "Comparison",
    "ComparisonRow",
    "EndCallsOutcome",
    "FailedReasons",
    "FailureIssue",
    "GroupOutcome",
    "ListingError",
    "Loc",
    "MissingAPIKeyError",
    "NextStep",
    "NotFoundError",
    "PermissionDeniedError",
    "PollTimeoutError",
    "PreflightResult",
    "Problem",
    "RateLimitError",
    "Result",
    "RetriedResult",
    "RetryLedger",
    "Run",
    "RunPlan",
    "ScenarioTarget",
    "ServerError",
    "ShareLink",
    "Submission",
    "SubmissionNotCreatedError",
    "SubmissionUncertainError",
    "SuiteGroup",
    "SuiteResult",
    "SuiteSchedule",
    "TargetOutcome",
    "TargetRetries",
    "TargetStats",
    "UnreadableResponseError",
    "ValidationError",
    "check_frequency",
    "check_mock_tool_names",
    "check_positive_id",
    "check_websocket_url",
    "compare",
    "compute_run_count",
    "dashboard_url",
    "display_url",
    "guarded_line",
    "guarded_lines",
    "is_loopback_host",
    "markdown_text",
    "mask_urls",
    "plan_run",
    "preflight",
    "preflight_async",
    "quote",
    "render_loc",
    "resolve_base_url",
    "run_key",
    "shown",
    "unreachable_agent_urls",
    "validate_websocket_url",
    "visible",
    "without_secrets",
    "worst_case_extra_runs",
]

_LAZY = {"CekuraClient", "AsyncCekuraClient"}
_LAZY_PREFLIGHT = {"PreflightResult", "preflight", "preflight_async"}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only when asked for

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def __dir__() -> list[str]:
    """What completion offers: every public name, the lazy ones included (they are not module
    attributes until first used), and ``__version__``; not ``typing``'s helpers."""
    return sorted([*__all__, "__version__"])


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return _version()
    if name in _LAZY:
        from . import client

        return getattr(client, name)
    if name in _LAZY_PREFLIGHT:  # imports websockets: only when asked for
        from . import _preflight as preflight_module

        return getattr(preflight_module, name)
    raise AttributeError(f"module 'cekura_wrapper' has no attribute {name!r}")
