#!/usr/bin/env python3
"""Copy chosen operations, and everything they reference, from an upstream spec into ours.

This is how a user adopts an upstream change on purpose: the operations named with
``--operation METHOD:PATH`` replace ours, and every component they reference, directly or
through other components, is copied along. Nothing else in the target changes, and the output
is deterministic: the same inputs always give the same bytes.

Usage:
    python scripts/sync_spec.py --from UPSTREAM --operation POST:/path/ [--operation ...]
                                [--into openapi.yaml]

UPSTREAM is a file path or an https URL, JSON or YAML, an OpenAPI 3.x document. A
``user:password@`` in the URL is sent as HTTP basic auth; messages never show it, nor the
query string. Exit code 2 with a one-line reason on bad input (missing or unreadable file,
not OpenAPI 3.x, unknown operation, dangling ``$ref``, an --into file that cannot be written).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from check_drift import DriftInputError, display_source, parse_document, read_source
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DEFAULT_TARGET = Path(__file__).resolve().parent.parent / "openapi.yaml"


class SyncError(Exception):
    """Bad input: reported as one line, exit code 2."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)  # round trip: keeps our comments, order and quoting
    yaml.width = 4096  # never re-wrap lines we did not change
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.representer.add_representer(type(None), _represent_null)
    return yaml


def _represent_null(representer: Any, _data: None) -> Any:
    """Write ``null`` explicitly, as the spec does, instead of ruamel's empty value."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def read_upstream(source: str) -> Any:
    """The upstream document as plain dicts; it must be OpenAPI 3.x (check_drift's checks)."""
    try:
        return parse_document(read_source(source), display_source(source))
    except DriftInputError as exc:
        raise SyncError(str(exc)) from exc


def read_target(into: Path) -> Any:
    """Our spec, loaded round trip (comments, order, quoting) so untouched lines stay as they are."""
    try:
        text = into.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SyncError(f"cannot read {into}: {exc}") from exc
    try:
        return parse_document(text, str(into), yaml_loader=_yaml().load)
    except DriftInputError as exc:
        raise SyncError(str(exc)) from exc


def parse_operation(text: str) -> tuple[str, str]:
    method, sep, path = text.partition(":")
    if not sep or method.lower() not in HTTP_METHODS or not path.startswith("/"):
        raise SyncError(f"operation must look like METHOD:/path, got {text!r}")
    return method.lower(), path


def iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def resolve_pointer(spec: Any, ref: str) -> tuple[str, str]:
    """Return (components section, name) for a local component ``$ref``, or raise."""
    parts = ref.split("/")
    if len(parts) != 4 or parts[:2] != ["#", "components"]:
        raise SyncError(f"unsupported $ref {ref!r} (only #/components/<section>/<name>)")
    section, name = parts[2], parts[3].replace("~1", "/").replace("~0", "~")
    if name not in (spec.get("components") or {}).get(section, {}):
        raise SyncError(f"dangling $ref {ref!r}: no such component in the upstream spec")
    return section, name


def collect_components(upstream: Any, roots: list[Any]) -> dict[tuple[str, str], Any]:
    """Every component reachable from ``roots`` through ``$ref``s, transitively."""
    found: dict[tuple[str, str], Any] = {}
    pending = [ref for root in roots for ref in iter_refs(root)]
    while pending:
        key = resolve_pointer(upstream, pending.pop())
        if key in found:
            continue
        component = upstream["components"][key[0]][key[1]]
        found[key] = component
        pending.extend(iter_refs(component))
    return found


def security_schemes(upstream: Any, operations: list[Any]) -> dict[tuple[str, str], Any]:
    """The security schemes the operations name that the upstream spec defines."""
    defined = (upstream.get("components") or {}).get("securitySchemes") or {}
    found: dict[tuple[str, str], Any] = {}
    for operation in operations:
        for requirement in operation.get("security") or []:
            for name in requirement:
                if name in defined:
                    found["securitySchemes", name] = defined[name]
    return found


def to_plain(node: Any) -> Any:
    """A deep copy as plain dicts and lists, so nothing is shared with the upstream tree."""
    return json.loads(json.dumps(node))


def merge(target: Any, upstream: Any, operations: list[tuple[str, str]]) -> None:
    chosen: list[Any] = []
    for method, path in operations:
        item = upstream["paths"].get(path)
        if not isinstance(item, dict) or method not in item:
            raise SyncError(f"operation {method.upper()} {path} is not in the upstream spec")
        chosen.append(item[method])
    shared_parameters = [upstream["paths"][path].get("parameters") for _method, path in operations]
    components = collect_components(upstream, [*chosen, *shared_parameters])
    components.update(security_schemes(upstream, chosen))

    paths = target.setdefault("paths", CommentedMap())
    for (method, path), operation in zip(operations, chosen, strict=True):
        paths.setdefault(path, CommentedMap())[method] = to_plain(operation)
        shared_parameters = upstream["paths"][path].get("parameters")
        if shared_parameters is not None:
            paths[path]["parameters"] = to_plain(shared_parameters)
    target_components = target.setdefault("components", CommentedMap())
    # Existing keys keep their place; new ones are appended in sorted order (deterministic).
    for section, name in sorted(components):
        target_components.setdefault(section, CommentedMap())[name] = to_plain(components[section, name])


def dump(document: Any, destination: Path) -> None:
    if destination.suffix == ".json":
        text = json.dumps(to_plain(document), indent=2) + "\n"
    else:
        buffer = io.StringIO()
        _yaml().dump(document, buffer)
        text = buffer.getvalue()
    try:
        destination.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SyncError(f"cannot write {destination}: {exc}") from exc


def sync(source: str, operations: list[str], into: Path) -> None:
    parsed_operations = [parse_operation(text) for text in operations]
    upstream = read_upstream(source)
    if into.exists():
        target = read_target(into)
    else:
        target = CommentedMap(
            [("openapi", upstream.get("openapi", "3.1.0")), ("info", to_plain(upstream.get("info") or {}))]
        )
    merge(target, upstream, parsed_operations)
    dump(target, into)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--from", dest="source", required=True, help="upstream spec: file path or https URL")
    parser.add_argument(
        "--operation", action="append", required=True, metavar="METHOD:PATH", help="repeatable"
    )
    parser.add_argument(
        "--into", type=Path, default=DEFAULT_TARGET, help="spec to merge into (default: openapi.yaml)"
    )
    args = parser.parse_args(argv)
    try:
        sync(args.source, args.operation, args.into)
    except SyncError as exc:
        print(f"sync_spec: error: {exc}", file=sys.stderr)
        return 2
    print(f"synced {len(args.operation)} operation(s) from {display_source(args.source)} into {args.into}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
