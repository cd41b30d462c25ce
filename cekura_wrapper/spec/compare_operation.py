"""Comparing one operation: its names, deprecation, security, parameters, request body and
responses (the schemas inside them are ``SchemaComparison``'s)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from .compare_schema import SchemaComparison
from .model import Severity
from .naming import OPERATION_NAMES
from .resolve import Spec

JSON: Final = "application/json"
#: Fields of a security scheme that decide what a request must carry.
SCHEME_FIELDS: Final = ("type", "in", "name", "scheme", "bearerFormat")


def _pinned_operation_ids() -> set[tuple[str, str]]:
    """Operations whose generated names ``scripts/regenerate.py`` fixes by method and path."""
    return set(OPERATION_NAMES)


def _module_name(tag: Any) -> str:
    """The ``cekura_api.api`` module the generator puts an operation with this first tag in."""
    if tag is None:
        tag = "default"
    try:  # the generator's own naming, imported only when a tag changed (it is slow to import)
        from openapi_python_client.strings import PythonIdentifier
    except ImportError:  # pragma: no cover - the generator is a dev dependency
        text = "".join(char if char.isalnum() else "_" for char in str(tag).lower())
        return "_".join(part for part in text.split("_") if part)
    return str(PythonIdentifier(value=str(tag), prefix="tag"))


def _is_success(code: str) -> bool:
    return code.startswith("2") or code.upper() == "2XX"


class OperationComparison(SchemaComparison):
    """The changes of one operation between the base and the upstream spec."""

    # ---- operation level

    def compare(
        self, method: str, path: str, base_op: Mapping[str, Any], up_path: str, up_op: Mapping[str, Any]
    ) -> None:
        self._operation_id(method, path, base_op.get("operationId"), up_op.get("operationId"))
        if bool(base_op.get("deprecated")) != bool(up_op.get("deprecated")):
            if up_op.get("deprecated"):
                self.add(
                    Severity.WARNING,
                    "deprecated",
                    False,
                    True,
                    "operation is deprecated upstream; it may be removed, look for its replacement",
                )
            else:
                self.add(Severity.INFO, "deprecated", True, False, "operation is no longer deprecated")
        self._tags(method, path, base_op.get("tags") or [], up_op.get("tags") or [])
        self._security(base_op, up_op)
        base_item = self.base.resolve(self.base.document["paths"][path])[0]
        up_item = self.upstream.resolve(self.upstream.document["paths"][up_path])[0]
        self._parameters(base_item, base_op, up_item, up_op)
        self._request_body(base_op.get("requestBody"), up_op.get("requestBody"))
        self._responses(base_op.get("responses") or {}, up_op.get("responses") or {})
        self.prose(base_op, up_op, "operation")

    def _operation_id(self, method: str, path: str, before: Any, after: Any) -> None:
        if before == after:
            return
        if (method, path) in _pinned_operation_ids():
            self.add(
                Severity.INFO,
                "operationId",
                before,
                after,
                "renamed upstream; generated names are pinned by method and path in scripts/regenerate.py",
            )
        else:
            self.add(
                Severity.BREAKING,
                "operationId",
                before,
                after,
                "renamed upstream; generated module, function and model names follow it",
            )

    def _tags(self, method: str, path: str, before: Sequence[Any], after: Sequence[Any]) -> None:
        first_before = before[0] if before else None
        first_after = after[0] if after else None
        if first_before != first_after and (method, path) in _pinned_operation_ids():
            self.add(
                Severity.INFO,
                "tags[0]",
                first_before,
                first_after,
                "re-tagged upstream; the generated package is pinned by method and path in scripts/regenerate.py",
            )
        elif first_before != first_after:
            self.add(
                Severity.BREAKING,
                "tags[0]",
                first_before,
                first_after,
                f"the generated module moves from cekura_api.api.{_module_name(first_before)} "
                f"to cekura_api.api.{_module_name(first_after)}",
            )
        elif list(before) != list(after):
            self.add(Severity.INFO, "tags", list(before), list(after), "secondary tags changed")

    # ---- security

    def _security(self, base_op: Mapping[str, Any], up_op: Mapping[str, Any]) -> None:
        before = _requirements(base_op.get("security", self.base.document.get("security")))
        after = _requirements(up_op.get("security", self.upstream.document.get("security")))
        for requirement in sorted(before - after):
            self.add(
                Severity.BREAKING,
                "security",
                _render_requirement(requirement),
                None,
                "this way of authenticating is no longer accepted",
            )
        for requirement in sorted(after - before):
            if not before or before == {()}:
                severity, message = Severity.BREAKING, "authentication is now required"
            else:
                severity, message = Severity.INFO, "new security scheme accepted as an alternative"
            self.add(severity, "security", None, _render_requirement(requirement), message)
        for name in sorted({name for requirement in before & after for name in requirement}):
            old = _scheme(self.base, name)
            new = _scheme(self.upstream, name)
            for field in SCHEME_FIELDS:
                if old.get(field) != new.get(field):
                    self.add(
                        Severity.BREAKING,
                        f"security.{name}.{field}",
                        old.get(field),
                        new.get(field),
                        "requests must now authenticate differently",
                    )

    # ---- parameters

    def _parameters(
        self,
        base_item: Mapping[str, Any],
        base_op: Mapping[str, Any],
        up_item: Mapping[str, Any],
        up_op: Mapping[str, Any],
    ) -> None:
        before = self._parameter_map(self.base, base_item, base_op)
        after = self._parameter_map(self.upstream, up_item, up_op)
        for key in sorted(before.keys() | after.keys()):
            where, name = key
            location = f"parameters.{where}.{name}"
            old, new = before.get(key), after.get(key)
            if new is None:
                self.add(Severity.BREAKING, location, "present", None, "parameter removed upstream")
            elif old is None:
                if new.get("required"):
                    self.add(Severity.BREAKING, location, None, "required", "new required parameter")
                else:
                    self.add(Severity.INFO, location, None, "optional", "new optional parameter")
            else:
                self._required_flag(old, new, f"{location}.required", "parameter")
                if not old.get("deprecated") and new.get("deprecated"):
                    self.add(Severity.WARNING, f"{location}.deprecated", False, True, "parameter deprecated")
                self.schema(old.get("schema") or {}, new.get("schema") or {}, location, request=True)
                self.prose(old, new, location)

    @staticmethod
    def _parameter_map(
        spec: Spec, item: Mapping[str, Any], operation: Mapping[str, Any]
    ) -> dict[tuple[str, str], Mapping[str, Any]]:
        found: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = spec.resolve(raw)[0]
            if isinstance(parameter, dict):
                found[(str(parameter.get("in")), str(parameter.get("name")))] = parameter
        return found

    def _required_flag(
        self, old: Mapping[str, Any], new: Mapping[str, Any], location: str, what: str
    ) -> None:
        was, now = bool(old.get("required")), bool(new.get("required"))
        if not was and now:
            self.add(Severity.BREAKING, location, False, True, f"{what} is now required")
        elif was and not now:
            self.add(Severity.INFO, location, True, False, f"{what} is now optional")

    # ---- request body

    def _request_body(self, raw_before: Any, raw_after: Any) -> None:
        before = self.base.resolve(raw_before)[0] if raw_before is not None else None
        after = self.upstream.resolve(raw_after)[0] if raw_after is not None else None
        if before is None and after is None:
            return
        if after is None:
            self.add(Severity.BREAKING, "requestBody", "present", None, "request body removed upstream")
            return
        if before is None:
            severity = Severity.BREAKING if after.get("required") else Severity.INFO
            self.add(severity, "requestBody", None, "present", "operation now takes a request body")
            return
        self._required_flag(before, after, "requestBody.required", "request body")
        self._content(before.get("content") or {}, after.get("content") or {}, "requestBody", request=True)

    # ---- responses

    def _responses(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        for code in sorted(before.keys() | after.keys(), key=str):
            location = f"responses.{code}"
            if code not in after:
                if _is_success(str(code)):
                    self.add(
                        Severity.BREAKING,
                        location,
                        "documented",
                        None,
                        "success response removed; generated code no longer parses it",
                    )
                else:
                    self.add(Severity.INFO, location, "documented", None, "response no longer documented")
                continue
            if code not in before:
                if _is_success(str(code)):
                    self.add(
                        Severity.WARNING,
                        location,
                        None,
                        "documented",
                        "new success response; generated code does not parse it until synced",
                    )
                else:
                    self.add(Severity.INFO, location, None, "documented", "new response documented")
                continue
            old = self.base.resolve(before[code])[0]
            new = self.upstream.resolve(after[code])[0]
            self._content(old.get("content") or {}, new.get("content") or {}, location, request=False)
            self.prose(old, new, f"{location}.response")  # the schema's own prose sits at `location`

    # ---- media types

    def _content(
        self, before: Mapping[str, Any], after: Mapping[str, Any], location: str, *, request: bool
    ) -> None:
        for media_type in sorted(before.keys() | after.keys(), key=lambda name: (name != JSON, name)):
            where = location if media_type == JSON else f"{location}[{media_type}]"
            if media_type not in after:
                severity = Severity.BREAKING if media_type == JSON else Severity.INFO
                self.add(severity, where, media_type, None, "content type no longer offered")
                continue
            if media_type not in before:
                self.add(Severity.INFO, where, None, media_type, "new content type offered")
                continue
            old, new = before[media_type] or {}, after[media_type] or {}
            self.schema(old.get("schema") or {}, new.get("schema") or {}, where, request=request)
            if self.verbose:
                for key in ("example", "examples"):
                    if old.get(key) != new.get(key):
                        self.add(
                            Severity.INFO, f"{where}.{key}", old.get(key), new.get(key), f"{key} changed"
                        )

    # ---- schemas


def _requirements(raw: Any) -> set[tuple[str, ...]]:
    """Security requirements as sets of scheme names (scopes are not compared)."""
    if raw is None:
        return set()
    return {tuple(sorted(requirement)) for requirement in raw if isinstance(requirement, dict)}


def _render_requirement(requirement: tuple[str, ...]) -> str:
    return "+".join(requirement) if requirement else "anonymous"


def _scheme(spec: Spec, name: str) -> Mapping[str, Any]:
    schemes = (spec.document.get("components") or {}).get("securitySchemes") or {}
    resolved = spec.resolve(schemes.get(name) or {})[0]
    return resolved if isinstance(resolved, dict) else {}
