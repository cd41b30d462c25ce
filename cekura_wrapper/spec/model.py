"""What the drift check works with and answers: a change, its severity, the check's exit codes,
and the limits on what it reads (pure data, shared by every step of the check)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, Final

HTTP_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Severity(StrEnum):
    BREAKING = "breaking"
    WARNING = "warning"
    INFO = "info"


SEVERITY_RANK: Final = {Severity.BREAKING: 0, Severity.WARNING: 1, Severity.INFO: 2}


class DriftExitCode(IntEnum):
    """The drift check's exit codes (its own: 2 means breaking drift here, not a usage error)."""

    NO_DRIFT = 0
    COMPATIBLE = 1
    BREAKING = 2
    BAD_INPUT = 3
    INTERNAL_ERROR = 4


#: What each exit code means, as both ``--help`` texts show it (the script's and ``cekura-ws drift``'s).
EXIT_CODE_MEANINGS: Final[Mapping[int, str]] = {
    DriftExitCode.NO_DRIFT: "no change",
    DriftExitCode.COMPATIBLE: "only info/warning changes",
    DriftExitCode.BREAKING: "something breaking",
    DriftExitCode.BAD_INPUT: "a spec unreadable, too big, too deep or too slow, or a bad argument",
    DriftExitCode.INTERNAL_ERROR: "a bug in the check (traceback on stderr)",
}


class DriftInputError(Exception):
    """An input that cannot be read or used; reported as one line, exit code 3."""


@dataclass(frozen=True)
class Change:
    """One difference in one operation. ``before``/``after`` are None when absent."""

    operation: str
    severity: Severity
    location: str
    before: Any
    after: Any
    message: str


@dataclass(frozen=True)
class SpecLimits:
    """Bounds on a spec read from a file or a URL, so a hostile or broken source fails fast.

    Cekura's published spec is about 3 MB and nests about 20 levels deep.
    """

    #: Bytes read at most (after any content-encoding is undone).
    max_bytes: int = 32 * 1024 * 1024
    #: Levels of nested mappings and lists at most; also bounds schemas nested through ``$ref``s.
    max_depth: int = 100
    #: Seconds for a whole fetch, from connecting to the last byte, whatever the server trickles.
    fetch_seconds: float = 60.0


DEFAULT_LIMITS: Final = SpecLimits()
