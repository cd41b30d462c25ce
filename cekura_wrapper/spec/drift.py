"""Report how a newer Cekura spec differs from ours, for the operations this client uses.

Cekura republishes its spec often. This compares chosen operations (matched by method and
path, never by operationId) with every ``$ref`` resolved on both sides, and classifies each
change from this client's point of view:

- ``breaking``: our requests or our generated code would fail (operation removed, new required
  request field, request type narrowed or bound tightened, response field removed or retyped,
  a response enum value the generated code would reject, a renamed generated module or model);
- ``warning``: still works, but needs a look (deprecation, a response enum value that
  ``scripts/regenerate.py`` makes the generated code tolerate);
- ``info``: additive (optional request field, new response field, new security scheme).

Descriptions, summaries and examples are compared only with ``--verbose``. Everything in the
upstream file that the chosen operations do not reach is ignored.

Usage:
    python scripts/check_drift.py --upstream SPEC [--base SPEC] [--operation METHOD:PATH ...]
                                  [--format text|json] [--verbose]

SPEC is a file path or an https:// URL, JSON or YAML; a ``user:password@`` in the URL is sent
as HTTP basic auth, and messages print URLs with it and the query string as ``***``. Exit codes: 0 no change, 1 only
info/warning, 2 something breaking, 3 an input could not be read (one-line reason on stderr),
4 an internal error of this tool (traceback on stderr).
"""

from __future__ import annotations

import argparse
import base64
import ipaddress
import json
import re
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any, NoReturn

from .naming import OPERATION_NAMES, tolerate_unknown_enum_values


def default_base() -> Path:
    """The spec the installed client was generated from (``scripts/regenerate.py`` ships it in
    the generated package, and its ``--check`` keeps it identical to ``openapi.yaml``)."""
    from importlib.resources import files

    return Path(str(files("cekura_api") / "openapi.yaml"))


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"
FETCH_TIMEOUT_SECONDS = 60.0

#: Keywords that only document; reported with --verbose only.
PROSE_KEYWORDS = ("summary", "description", "title", "example", "examples")
#: Bounds whose value going up restricts what is valid, and those whose value going down does.
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
COMPOSITIONS = ("allOf", "oneOf", "anyOf")
#: Fields of a security scheme that decide what a request must carry.
SCHEME_FIELDS = ("type", "in", "name", "scheme", "bearerFormat")


class Severity(StrEnum):
    BREAKING = "breaking"
    WARNING = "warning"
    INFO = "info"


SEVERITY_RANK = {Severity.BREAKING: 0, Severity.WARNING: 1, Severity.INFO: 2}


class ExitCode(IntEnum):
    NO_DRIFT = 0
    COMPATIBLE = 1
    BREAKING = 2
    BAD_INPUT = 3
    INTERNAL_ERROR = 4


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


# --------------------------------------------------------------------------- reading input


def read_source(source: str) -> str:
    """The text of a file path or URL (https, or plain http to a loopback host only)."""
    if "://" in source:
        return _fetch(source)
    path = Path(source)
    if not path.is_file():
        raise DriftInputError(f"no such file: {source}")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DriftInputError(f"cannot read {source}: {exc}") from exc


def redact_url(url: str) -> str:
    """``url`` fit to print: a user:password and the query string (and fragment) become ``***``."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: show the scheme only
        return url.partition("://")[0] + "://***"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(
        (parts.scheme, netloc, parts.path, "***" if parts.query else "", "***" if parts.fragment else "")
    )


def display_source(source: str) -> str:
    """How a ``--upstream``/``--from`` value is named in messages: URLs redacted, paths as given."""
    return redact_url(source) if "://" in source else source


def _scrub(message: str, url: str) -> str:
    """``message`` with every secret part of ``url`` (userinfo, query, fragment) replaced."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "(details withheld: the URL cannot be parsed)"
    secrets = [parts.netloc.rpartition("@")[0] if "@" in parts.netloc else "", parts.query, parts.fragment]
    secrets += [parts.password or "", urllib.parse.unquote(parts.password or "")]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        message = message.replace(secret, "***")
    return message


def _fetch(url: str) -> str:
    """GET ``url``; a ``user:password@`` in it is sent as HTTP basic auth, never printed."""
    shown = redact_url(url)
    try:
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname
        _port = parsed.port  # raises ValueError on a port that is not a number
    except ValueError as exc:
        raise DriftInputError(f"invalid URL {shown}: {_scrub(str(exc), url)}") from exc
    if parsed.scheme != "https" and not (parsed.scheme == "http" and _is_loopback(host)):
        raise DriftInputError(f"only file paths and https:// URLs are supported, not {shown!r}")
    request_url, authorization = url, None
    if "@" in parsed.netloc:  # urllib would take user:password@host for the host name
        user = urllib.parse.unquote(parsed.username or "")
        password = urllib.parse.unquote(parsed.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        authorization = f"Basic {token}"
        request_url = urllib.parse.urlunsplit(parsed._replace(netloc=parsed.netloc.rpartition("@")[2]))
    request = urllib.request.Request(request_url, headers={"Accept": "application/json, application/yaml"})
    if authorization is not None:
        # Unredirected: a redirect to another host must not carry the credentials along.
        request.add_unredirected_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return str(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise DriftInputError(
            f"cannot fetch {shown}: HTTP {exc.code} {_scrub(str(exc.reason), url)}"
        ) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DriftInputError(f"cannot fetch {shown}: {_scrub(str(exc), url)}") from exc


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_document(
    text: str, source: str, *, yaml_loader: Callable[[str], Any] | None = None
) -> dict[str, Any]:
    """Parse JSON (fast path: upstream files are megabytes) or YAML 1.2, then check it is OpenAPI 3.

    ``source`` names the document in messages (redact URLs first: see ``display_source``).
    ``yaml_loader`` replaces the plain YAML 1.2 loader, e.g. with a round-trip one.
    """
    stripped = text.lstrip()
    if not stripped:
        raise DriftInputError(f"{source} is empty")
    if stripped.startswith("<"):
        raise DriftInputError(f"{source} looks like an HTML or XML page, not an OpenAPI document")
    document: Any
    try:
        document = json.loads(text)
    except ValueError as json_error:
        try:
            document = _parse_yaml(text, source, yaml_loader)
        except DriftInputError:
            if stripped.startswith(("{", "[")):  # meant as JSON: the JSON error says more
                raise DriftInputError(f"{source} is not valid JSON: {json_error}") from json_error
            raise
    if not isinstance(document, dict):
        raise DriftInputError(f"{source} is not an OpenAPI document (top level is not a mapping)")
    if "swagger" in document:
        raise DriftInputError(
            f"{source} is a Swagger {document['swagger']} document; only OpenAPI 3.x is supported"
        )
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3."):
        raise DriftInputError(f"{source} is not an OpenAPI 3.x document (openapi: {version!r})")
    if not isinstance(document.get("paths"), dict):
        raise DriftInputError(f"{source} is not an OpenAPI document (no 'paths' object)")
    return document


def _parse_yaml(text: str, source: str, yaml_loader: Callable[[str], Any] | None = None) -> Any:
    """YAML 1.2 the way the generator reads it, so ``yes``/``on`` stay strings (ruamel.yaml, a
    maintainer tool); an installed client without it reads YAML with PyYAML (1.1), which is the
    same for OpenAPI documents in practice."""
    if yaml_loader is None:
        try:
            from ruamel.yaml import YAML

            yaml_loader = YAML(typ="safe", pure=True).load
        except ImportError:
            import yaml

            yaml_loader = yaml.safe_load
    try:
        return yaml_loader(text)
    except Exception as exc:  # ruamel raises many types; all mean "not readable"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DriftInputError(f"{source} is not valid JSON or YAML: {first_line}") from exc


def load_spec(source: str) -> dict[str, Any]:
    return parse_document(read_source(source), display_source(source))


def parse_operation(text: str) -> tuple[str, str]:
    """``POST:/path/`` -> ``("post", "/path/")``."""
    method, sep, path = text.partition(":")
    if not sep or method.lower() not in HTTP_METHODS or not path.startswith("/"):
        raise DriftInputError(f"--operation must look like METHOD:/path/, got {text!r}")
    return method.lower(), path


# --------------------------------------------------------------------------- $ref resolution


class Spec:
    """A parsed document that can follow its own local ``$ref``s."""

    def __init__(self, document: Mapping[str, Any], name: str) -> None:
        self.document = document
        self.name = name

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """Follow a ``$ref`` chain; return the target (sibling keys win) and the last ref followed."""
        last_ref: str | None = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise DriftInputError(f"{self.name}: $ref cycle through {ref}")
            seen.add(ref)
            target = self._pointer(ref)
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            node = {**target, **siblings} if siblings and isinstance(target, dict) else target
            last_ref = ref
        return node, last_ref

    def _pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise DriftInputError(f"{self.name}: only local $refs are supported, not {ref!r}")
        node: Any = self.document
        for raw in ref[2:].split("/"):
            part = urllib.parse.unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise DriftInputError(f"{self.name}: dangling $ref {ref}")
        return node


# --------------------------------------------------------------------------- comparison


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


class OperationComparison:
    """Collects the changes of one operation between the base and the upstream spec."""

    def __init__(self, base: Spec, upstream: Spec, label: str, *, verbose: bool) -> None:
        self.base = base
        self.upstream = upstream
        self.label = label
        self.verbose = verbose
        self.changes: list[Change] = []
        self._in_progress: set[tuple[int, int]] = set()

    def add(self, severity: Severity, location: str, before: Any, after: Any, message: str) -> None:
        self.changes.append(Change(self.label, severity, location, before, after, message))

    def prose(self, old: Mapping[str, Any], new: Mapping[str, Any], location: str) -> None:
        if not self.verbose:
            return
        for key in PROSE_KEYWORDS:
            if old.get(key) != new.get(key):
                self.add(Severity.INFO, f"{location}.{key}", old.get(key), new.get(key), f"{key} changed")

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


# --------------------------------------------------------------------------- driver


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
) -> list[Change]:
    """Every change of the chosen operations (default: all of the base's), breaking first."""
    base = Spec(base_document, "base")
    upstream = Spec(upstream_document, "upstream")
    chosen = list(operations) if operations is not None else base_operations(base_document)
    changes: list[Change] = []
    for method, path in chosen:
        label = f"{method.upper()} {path}"
        base_op = _operation(base, method, path)
        if base_op is None:
            raise DriftInputError(f"{label} is not an operation of the base spec")
        comparison = OperationComparison(base, upstream, label, verbose=verbose)
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


def exit_code(changes: Sequence[Change]) -> ExitCode:
    if not changes:
        return ExitCode.NO_DRIFT
    if any(change.severity is Severity.BREAKING for change in changes):
        return ExitCode.BREAKING
    return ExitCode.COMPATIBLE


def _render_value(value: Any, limit: int = 80) -> str:
    if value is None:
        return "absent"
    if value == "":
        return '""'
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def format_text(changes: Sequence[Change]) -> str:
    return "".join(
        f"{change.severity.value:<9} {change.operation}  {change.location} "
        f"{_render_value(change.before)} -> {_render_value(change.after)}  ({change.message})\n"
        for change in changes
    )


def format_json(changes: Sequence[Change]) -> str:
    return json.dumps({"changes": [asdict(change) for change in changes]}, indent=2, default=str) + "\n"


def summary(changes: Sequence[Change], operation_count: int) -> str:
    if not changes:
        return f"check_drift: no drift in {operation_count} operation(s)"
    counts = {severity: 0 for severity in Severity}
    for change in changes:
        counts[change.severity] += 1
    parts = ", ".join(f"{counts[severity]} {severity.value}" for severity in Severity)
    return f"check_drift: {parts} in {operation_count} operation(s)"


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 3 (bad input), never 2, which means "breaking drift"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.BAD_INPUT, f"check_drift: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream", required=True, help="the newer spec: file path or https:// URL")
    parser.add_argument(
        "--base", default=None, help="our spec (default: the one the installed client was generated from)"
    )
    parser.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="METHOD:PATH",
        help="an operation to compare (repeatable; default: every operation in the base)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--verbose", action="store_true", help="also report descriptions and examples")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        operations = [parse_operation(text) for text in args.operation] or None
        base = load_spec(args.base if args.base is not None else str(default_base()))
        upstream = load_spec(args.upstream)
        changes = diff_specs(base, upstream, operations, verbose=args.verbose)
    except DriftInputError as exc:
        print(f"check_drift: error: {exc}", file=sys.stderr)
        return ExitCode.BAD_INPUT
    sys.stdout.write(format_json(changes) if args.format == "json" else format_text(changes))
    print(summary(changes, len(operations or base_operations(base))), file=sys.stderr)
    return exit_code(changes)


def run(argv: Sequence[str] | None = None) -> int:
    """``main`` with crashes mapped to exit 4, so CI can tell a bug here from a reported drift."""
    try:
        return main(argv)
    except Exception:
        traceback.print_exc()
        print("check_drift: internal error (traceback above)", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(run())
