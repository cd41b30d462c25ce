"""cekura-ws: run Cekura evaluators against fleets of websocket agents.

The clients load lazily, so ``import cekura_wrapper`` stays cheap (no httpx until needed).
"""

from typing import TYPE_CHECKING, Any

from ._compare import Comparison, ComparisonRow, compare
from ._ending import STOP_REQUEST_TIMEOUT, EndCallsOutcome
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CekuraError,
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
)
from ._insights import AiSummary, FailedReasons, FailureIssue, NextStep
from ._links import ShareLink, dashboard_url
from ._listing import ListingError
from ._plan import AGENT_URL, MAX_RUNS, RunPlan, ScenarioTarget, compute_run_count, plan_run
from ._results import LIVE_STATUSES, TERMINAL_STATUSES, Result, Run, Submission
from ._retries import DEFAULT_MAX_EXTRA_RUNS, RetriedResult, TargetOutcome
from ._stats import DEFAULT_ALPHA, Change
from ._suite import GroupOutcome, SuiteGroup, SuiteResult, SuiteSchedule
from ._targets import TargetStats
from ._validation import display_url, mask_urls, validate_websocket_url

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
    "MAX_RUNS",
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
    "TargetStats",
    "UnreadableResponseError",
    "ValidationError",
    "compare",
    "compute_run_count",
    "dashboard_url",
    "display_url",
    "mask_urls",
    "plan_run",
    "preflight",
    "preflight_async",
    "validate_websocket_url",
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
