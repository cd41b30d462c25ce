"""Comparing two schemas from this client's side: a request schema may not reject what we send,
a response schema may not send what the generated code cannot parse.

``SchemaComparison`` collects the changes of one operation; ``OperationComparison`` (in
``compare_operation``) builds on it for parameters, bodies, responses and security.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .model import DEFAULT_LIMITS, Change, DriftInputError, Severity
from .naming import tolerate_unknown_enum_values
from .resolve import Spec

#: Keywords that only document; reported with --verbose only.
PROSE_KEYWORDS: Final = ("summary", "description", "title", "example", "examples")
#: Bounds whose value going up restricts what is valid, and those whose value going down does.
LOWER_BOUNDS: Final = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS: Final = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
COMPOSITIONS: Final = ("allOf", "oneOf", "anyOf")


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows; None means any. 3.0 ``nullable`` counts as ``null``."""
    declared = schema.get("type")
    if declared is None:
        return None
    types = {declared} if isinstance(declared, str) else {str(item) for item in declared}
    if schema.get("nullable") is True:
        types.add("null")
    return frozenset(types)


def _render_types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return "|".join(sorted(types, key=lambda name: (name == "null", name)))


def _enum_tolerated(schema: Mapping[str, Any]) -> bool:
    """Whether the generated code keeps an unknown value of this enum instead of raising.

    Asks the transform ``scripts/regenerate.py`` really applies, so this answer follows it.
    """
    probe = {"type": schema.get("type"), "enum": list(schema.get("enum") or [])}
    prepared = tolerate_unknown_enum_values(probe)
    return isinstance(prepared, dict) and "anyOf" in prepared and "enum" not in prepared


def _tightened(keyword: str, before: Any, after: Any) -> bool:
    """Whether moving a bound from ``before`` to ``after`` (None = absent) makes fewer values valid."""
    if after is None:
        return False
    if before is None:
        return after is not False
    if isinstance(before, bool) or isinstance(after, bool):  # 3.0 exclusiveMinimum: true
        return after is True and before is not True
    if not all(isinstance(value, int | float) for value in (before, after)):
        return True  # not comparable (a malformed bound): assume the worst
    if keyword in LOWER_BOUNDS:
        return bool(after > before)
    return bool(after < before)


class SchemaComparison:
    """Collects the changes of one operation between the base and the upstream spec; compares
    schemas (nested at most ``max_depth`` levels, ``$ref``s followed)."""

    def __init__(
        self,
        base: Spec,
        upstream: Spec,
        label: str,
        *,
        verbose: bool,
        max_depth: int = DEFAULT_LIMITS.max_depth,
    ) -> None:
        self.base = base
        self.upstream = upstream
        self.label = label
        self.verbose = verbose
        self.changes: list[Change] = []
        self._in_progress: set[tuple[int, int]] = set()
        self._max_depth = max_depth

    def add(self, severity: Severity, location: str, before: Any, after: Any, message: str) -> None:
        self.changes.append(Change(self.label, severity, location, before, after, message))

    def prose(self, old: Mapping[str, Any], new: Mapping[str, Any], location: str) -> None:
        if not self.verbose:
            return
        for key in PROSE_KEYWORDS:
            if old.get(key) != new.get(key):
                self.add(Severity.INFO, f"{location}.{key}", old.get(key), new.get(key), f"{key} changed")

    def schema(self, raw_before: Any, raw_after: Any, location: str, *, request: bool) -> None:
        before, ref_before = self.base.resolve(raw_before)
        after, ref_after = self.upstream.resolve(raw_after)
        if ref_before != ref_after and (ref_before or ref_after):
            self.add(
                Severity.BREAKING,
                f"{location}.$ref",
                ref_before,
                ref_after,
                "schema reference changed; generated model classes are named after it",
            )
        if not isinstance(before, dict) or not isinstance(after, dict):
            if before != after:
                self.add(Severity.BREAKING, location, before, after, "schema changed shape")
            return
        key = (id(before), id(after))
        if key in self._in_progress:  # recursive schema: this pair is being compared already
            return
        if len(self._in_progress) >= self._max_depth:  # $refs can nest deeper than the document
            raise DriftInputError(
                f"{self.label}: schemas nest more than {self._max_depth} levels deep at {location}"
            )
        self._in_progress.add(key)
        try:
            self._schema_body(before, after, location, request=request)
        finally:
            self._in_progress.discard(key)

    def _schema_body(
        self, before: Mapping[str, Any], after: Mapping[str, Any], location: str, *, request: bool
    ) -> None:
        self._schema_types(before, after, location, request=request)
        self._schema_format(before.get("format"), after.get("format"), location, request=request)
        self._schema_enum(before, after, location, request=request)
        self._schema_bounds(before, after, location, request=request)
        if request and before.get("default") != after.get("default"):
            self.add(
                Severity.WARNING,
                f"{location}.default",
                before.get("default"),
                after.get("default"),
                "the value used when this field is omitted changed",
            )
        if not before.get("deprecated") and after.get("deprecated"):
            self.add(Severity.WARNING, f"{location}.deprecated", False, True, "field deprecated upstream")
        self._properties(before, after, location, request=request)
        if "items" in before or "items" in after:
            self.schema(before.get("items") or {}, after.get("items") or {}, f"{location}[]", request=request)
        extra_before, extra_after = before.get("additionalProperties"), after.get("additionalProperties")
        if isinstance(extra_before, dict) and isinstance(extra_after, dict):
            self.schema(extra_before, extra_after, f"{location}{{}}", request=request)
        for keyword in COMPOSITIONS:
            self._composition(keyword, before.get(keyword), after.get(keyword), location, request=request)
        self.prose(before, after, location)

    def _schema_types(
        self, before: Mapping[str, Any], after: Mapping[str, Any], location: str, *, request: bool
    ) -> None:
        old, new = _types(before), _types(after)
        if old == new:
            return
        removed = bool(old is None or (new is not None and old - new))
        added = bool(new is None or (old is not None and new - old))
        shown = (f"{location}.type", _render_types(old), _render_types(new))
        if request:
            if removed:
                message = "no longer nullable" if old and new and old - new == {"null"} else "type narrowed"
                self.add(Severity.BREAKING, *shown, f"request {message}; values we send may be rejected")
            else:
                self.add(Severity.INFO, *shown, "request type widened")
        elif added:
            message = "may now be null" if old and new and new - old == {"null"} else "retyped"
            self.add(Severity.BREAKING, *shown, f"response field {message}; generated code may not parse it")
        else:
            self.add(Severity.INFO, *shown, "response type narrowed")

    def _schema_format(self, before: Any, after: Any, location: str, *, request: bool) -> None:
        if before == after:
            return
        if request and after is None:
            self.add(Severity.INFO, f"{location}.format", before, after, "request format constraint removed")
        elif request:
            self.add(
                Severity.BREAKING,
                f"{location}.format",
                before,
                after,
                "request format changed; values may be rejected",
            )
        else:
            self.add(
                Severity.BREAKING,
                f"{location}.format",
                before,
                after,
                "response format changed; the generated model parses this field differently",
            )

    def _schema_enum(
        self, before: Mapping[str, Any], after: Mapping[str, Any], location: str, *, request: bool
    ) -> None:
        old, new = before.get("enum"), after.get("enum")
        if old == new:
            return
        where = f"{location}.enum"
        if old is None or new is None:
            if request:
                severity = Severity.BREAKING if old is None else Severity.INFO
                message = (
                    "request values now restricted" if old is None else "request values no longer restricted"
                )
            else:
                severity = Severity.WARNING
                message = "the generated type of this field changes"
            self.add(severity, where, old, new, message)
            return
        for value in (value for value in new if value not in old):
            if request:
                self.add(Severity.INFO, where, None, value, f"request accepts the new value {value!r}")
            elif _enum_tolerated(before):
                self.add(
                    Severity.WARNING,
                    where,
                    None,
                    value,
                    f"new value {value!r}: generated code keeps it as a plain str (regenerate.py makes "
                    "string enums open); teach the wrapper what it means",
                )
            else:
                self.add(
                    Severity.BREAKING,
                    where,
                    None,
                    value,
                    f"new value {value!r}: the generated code raises on it",
                )
        for value in (value for value in old if value not in new):
            if request:
                self.add(Severity.BREAKING, where, value, None, f"request no longer accepts {value!r}")
            else:
                self.add(Severity.INFO, where, value, None, f"the server no longer sends {value!r}")

    def _schema_bounds(
        self, before: Mapping[str, Any], after: Mapping[str, Any], location: str, *, request: bool
    ) -> None:
        for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS, "multipleOf", "pattern", "uniqueItems"):
            old, new = before.get(keyword), after.get(keyword)
            if old == new:
                continue
            if keyword in ("multipleOf", "pattern"):
                tightened = new is not None
            elif keyword == "uniqueItems":
                tightened = new is True
            else:
                tightened = _tightened(keyword, old, new)
            where = f"{location}.{keyword}"
            if not request:
                self.add(Severity.INFO, where, old, new, "response constraint changed")
            elif tightened:
                self.add(
                    Severity.BREAKING,
                    where,
                    old,
                    new,
                    "request constraint tightened; values we send may be rejected",
                )
            else:
                self.add(Severity.INFO, where, old, new, "request constraint loosened")

    def _properties(
        self, before: Mapping[str, Any], after: Mapping[str, Any], location: str, *, request: bool
    ) -> None:
        old_props: Mapping[str, Any] = before.get("properties") or {}
        new_props: Mapping[str, Any] = after.get("properties") or {}
        old_required = set(before.get("required") or [])
        new_required = set(after.get("required") or [])
        for name in [*old_props, *(name for name in new_props if name not in old_props)]:
            where = f"{location}.{name}"
            if name not in new_props:
                if request:
                    self.add(
                        Severity.BREAKING,
                        where,
                        "present",
                        None,
                        "request field removed upstream; sending it may fail",
                    )
                else:
                    self.add(
                        Severity.BREAKING,
                        where,
                        "present",
                        None,
                        "response field removed; code reading it breaks",
                    )
            elif name not in old_props:
                if request and name in new_required:
                    self.add(Severity.BREAKING, where, None, "required", "new required request field")
                elif request:
                    self.add(Severity.INFO, where, None, "optional", "new optional request field")
                else:
                    self.add(Severity.INFO, where, None, "present", "new response field")
            else:
                self.schema(old_props[name], new_props[name], where, request=request)
                self._required_property(name, old_required, new_required, where, request=request)

    def _required_property(
        self, name: str, old: set[str], new: set[str], where: str, *, request: bool
    ) -> None:
        was, now = name in old, name in new
        if was == now:
            return
        if request:
            if now:
                self.add(Severity.BREAKING, f"{where}.required", False, True, "request field is now required")
            else:
                self.add(Severity.INFO, f"{where}.required", True, False, "request field is now optional")
        elif now:
            self.add(
                Severity.WARNING,
                f"{where}.required",
                False,
                True,
                "response field now required: generated code raises KeyError if it is ever missing",
            )
        else:
            self.add(
                Severity.WARNING,
                f"{where}.required",
                True,
                False,
                "response field now optional: generated models type it as Unset-able",
            )

    def _composition(self, keyword: str, before: Any, after: Any, location: str, *, request: bool) -> None:
        if before is None and after is None:
            return
        old, new = list(before or []), list(after or [])
        if len(old) == len(new):
            for index, (old_item, new_item) in enumerate(zip(old, new, strict=True)):
                self.schema(old_item, new_item, f"{location}.{keyword}[{index}]", request=request)
            return
        widened = len(new) > len(old) if keyword != "allOf" else False
        if request:
            severity = Severity.INFO if widened else Severity.BREAKING
        else:
            severity = Severity.BREAKING if widened or keyword == "allOf" else Severity.INFO
        self.add(
            severity,
            f"{location}.{keyword}",
            f"{len(old)} schemas",
            f"{len(new)} schemas",
            "alternatives changed",
        )
