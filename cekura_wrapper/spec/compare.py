"""The comparison of two specs: each chosen operation, matched by method and path (never by
operationId) and compared with every ``$ref`` resolved; breaking changes first."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .compare_operation import OperationComparison
from .model import DEFAULT_LIMITS, HTTP_METHODS, SEVERITY_RANK, Change, DriftInputError, Severity
from .resolve import Spec


def base_operations(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, item in document["paths"].items()
        if isinstance(item, dict)
        for method in HTTP_METHODS
        if isinstance(item.get(method), dict)
    ]


def _operation(spec: Spec, method: str, path: str) -> Mapping[str, Any] | None:
    item = spec.document["paths"].get(path)
    if item is None:
        return None
    resolved = spec.resolve(item)[0]
    operation = resolved.get(method) if isinstance(resolved, dict) else None
    return operation if isinstance(operation, dict) else None


def _same_path(paths: Mapping[str, Any], path: str) -> str | None:
    """``path`` itself, or the one upstream path that differs only in parameter names."""
    if path in paths:
        return path
    shape = _path_shape(path)
    candidates = [candidate for candidate in paths if _path_shape(candidate) == shape]
    return candidates[0] if len(candidates) == 1 else None


def _path_shape(path: str) -> str:
    return re.sub(r"\{[^}/]*\}", "{}", path)


def diff_specs(
    base_document: Mapping[str, Any],
    upstream_document: Mapping[str, Any],
    operations: Iterable[tuple[str, str]] | None = None,
    *,
    verbose: bool = False,
    max_depth: int = DEFAULT_LIMITS.max_depth,
) -> list[Change]:
    """Every change of the chosen operations (default: all of the base's), breaking first.

    Schemas nested (through ``$ref``s too) deeper than ``max_depth`` are a ``DriftInputError``.
    """
    base = Spec(base_document, "base")
    upstream = Spec(upstream_document, "upstream")
    chosen = list(operations) if operations is not None else base_operations(base_document)
    changes: list[Change] = []
    for method, path in chosen:
        label = f"{method.upper()} {path}"
        base_op = _operation(base, method, path)
        if base_op is None:
            raise DriftInputError(f"{label} is not an operation of the base spec")
        comparison = OperationComparison(base, upstream, label, verbose=verbose, max_depth=max_depth)
        up_path = _same_path(upstream_document["paths"], path)
        up_op = _operation(upstream, method, up_path) if up_path is not None else None
        if up_path is None:
            comparison.add(Severity.BREAKING, "path", path, None, "path removed upstream")
        elif up_op is None:
            comparison.add(Severity.BREAKING, "operation", label, None, "operation removed upstream")
        else:
            if up_path != path:
                comparison.add(
                    Severity.BREAKING,
                    "path",
                    path,
                    up_path,
                    "path parameter renamed; the generated function's argument is named after it",
                )
            comparison.compare(method, path, base_op, up_path, up_op)
        changes.extend(_without_duplicate_content_types(comparison.changes))
    return sorted(changes, key=lambda change: SEVERITY_RANK[change.severity])


def _without_duplicate_content_types(changes: list[Change]) -> list[Change]:
    """Drop a form/multipart change that repeats the same change already reported for JSON."""

    def signature(change: Change, location: str) -> str:
        return json.dumps([change.severity, location, change.before, change.after], default=str)

    reported = {signature(change, change.location) for change in changes}
    kept = []
    for change in changes:
        head, bracket, rest = change.location.partition("[")
        media_type, closing, tail = rest.partition("]")
        if bracket and closing and "/" in media_type and signature(change, head + tail) in reported:
            continue
        kept.append(change)
    return kept
