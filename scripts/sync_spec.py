#!/usr/bin/env python3
"""Copy chosen operations, and everything they reference, from an upstream spec into ours.

This is how a user adopts an upstream change on purpose: the operations named with
``--operation METHOD:PATH`` replace ours, and every component they reference, directly or
through other components, is copied along. Nothing else in the target changes, and the output
is deterministic: the same inputs always give the same bytes.

Usage:
    python scripts/sync_spec.py --from UPSTREAM --operation POST:/path/ [--operation ...]
                                [--into openapi.yaml] [--keep-descriptions]

--keep-descriptions: where the target already has a node, its summary, description, title,
example(s) and key order stay ours and only upstream's structure is taken; nodes new to the
target come with upstream's prose and are listed on stderr, to be rewritten in our words.

UPSTREAM is a file path or an https URL, JSON or YAML, an OpenAPI 3.x document. A
``user:password@`` in the URL is sent as HTTP basic auth; messages never show it, nor the
query string. Exit code 2 with a one-line reason on bad input (missing or unreadable file,
not OpenAPI 3.x, unknown operation, dangling ``$ref``, an --into file that cannot be written).
"""

from __future__ import annotations

import argparse
import copy
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from cekura_wrapper.spec.compare_schema import PROSE_KEYWORDS
from cekura_wrapper.spec.load import display_source, parse_document, read_source
from cekura_wrapper.spec.model import DriftInputError

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Maps whose keys are names (of properties, status codes, media types...), not keywords: a
#: property called ``description`` is a node, not prose.
NAME_MAPS = frozenset(
    (
        *("properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "responses"),
        *("content", "headers", "encoding", "links", "callbacks", "variables", "mapping", "scopes"),
    )
)
#: Keywords whose values are data: never searched for prose.
DATA_KEYWORDS = frozenset(("default", "const", "enum"))
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


class ProseKeeper:
    """``--keep-descriptions``: upstream's structure with the target's prose.

    Wherever the target already has a node, that node's ``summary``, ``description``, ``title``,
    ``example`` and ``examples`` are the target's (kept when present, left out when absent), so a
    sync never brings upstream prose into a node we wrote, and its keys keep the target's order.
    Nodes new to the target come from upstream whole; where they carry prose, their locations
    are listed in ``arrived``.
    """

    def __init__(self) -> None:
        self.arrived: list[str] = []

    def keep(self, new: Any, old: Any, location: tuple[str, ...], *, names: bool = False) -> Any:
        if old is None:
            if self._has_prose(new, names=names):
                self.arrived.append(self._render(location))
        elif isinstance(new, dict) and isinstance(old, dict):
            for key in new:
                if names or (key not in PROSE_KEYWORDS and key not in DATA_KEYWORDS):
                    child_names = not names and key in NAME_MAPS
                    new[key] = self.keep(new[key], old.get(key), (*location, str(key)), names=child_names)
            if not names:
                for key in PROSE_KEYWORDS:
                    if key in old:
                        new[key] = copy.deepcopy(old[key])
                    else:
                        new.pop(key, None)
            # Our key order where we have the keys (a diff shows changes, not moves); new keys last.
            ordered = {key: new[key] for key in old if key in new}
            ordered.update((key, value) for key, value in new.items() if key not in ordered)
            new.clear()
            new.update(ordered)
        elif isinstance(new, list) and isinstance(old, list):
            by_key = {self._item_key(index, item): item for index, item in enumerate(old)}
            for index, item in enumerate(new):
                old_item = by_key.get(self._item_key(index, item))
                new[index] = self.keep(item, old_item, (*location, str(index)))
        return new

    @staticmethod
    def _item_key(index: int, item: Any) -> tuple[Any, ...]:
        """Parameters pair up by (in, name), $refs by target, anything else by position."""
        if isinstance(item, dict) and "in" in item and "name" in item:
            return ("parameter", str(item["in"]), str(item["name"]))
        if isinstance(item, dict) and isinstance(item.get("$ref"), str) and len(item) == 1:
            return ("ref", item["$ref"])
        return ("index", index)

    @staticmethod
    def _render(location: tuple[str, ...]) -> str:
        """``GET /things/{id}/ responses.200.description`` or ``components.schemas.Thing``."""
        if location[0] == "paths" and len(location) > 2 and location[2] in HTTP_METHODS:
            return " ".join((location[2].upper(), location[1], ".".join(location[3:]))).strip()
        if location[0] == "paths":
            return " ".join((location[1], ".".join(location[2:]))).strip()
        return ".".join(location)

    def _has_prose(self, node: Any, *, names: bool) -> bool:
        if isinstance(node, dict):
            if not names and any(key in node for key in PROSE_KEYWORDS):
                return True
            return any(
                self._has_prose(value, names=not names and key in NAME_MAPS)
                for key, value in node.items()
                if names or key not in DATA_KEYWORDS
            )
        if isinstance(node, list):
            return any(self._has_prose(item, names=False) for item in node)
        return False


def merge(
    target: Any, upstream: Any, operations: list[tuple[str, str]], keeper: ProseKeeper | None = None
) -> None:
    chosen: list[Any] = []
    for method, path in operations:
        item = upstream["paths"].get(path)
        if not isinstance(item, dict) or method not in item:
            raise SyncError(f"operation {method.upper()} {path} is not in the upstream spec")
        chosen.append(item[method])
    shared_parameters = [upstream["paths"][path].get("parameters") for _method, path in operations]
    components = collect_components(upstream, [*chosen, *shared_parameters])
    components.update(security_schemes(upstream, chosen))

    def adopt(new: Any, parent: Any, key: str, location: tuple[str, ...]) -> Any:
        new = to_plain(new)
        return new if keeper is None else keeper.keep(new, parent.get(key), location)

    paths = target.setdefault("paths", CommentedMap())
    for (method, path), operation in zip(operations, chosen, strict=True):
        item = paths.setdefault(path, CommentedMap())
        item[method] = adopt(operation, item, method, ("paths", path, method))
        shared_parameters = upstream["paths"][path].get("parameters")
        if shared_parameters is not None:
            item["parameters"] = adopt(shared_parameters, item, "parameters", ("paths", path, "parameters"))
    target_components = target.setdefault("components", CommentedMap())
    # Existing keys keep their place; new ones are appended in sorted order (deterministic).
    for section, name in sorted(components):
        existing = target_components.setdefault(section, CommentedMap())
        existing[name] = adopt(components[section, name], existing, name, ("components", section, name))


def dump(document: Any, destination: Path, line_ends: str = "\n") -> None:
    """Write ``document``; the file ends in ``line_ends`` (the target's own final newlines)."""
    if destination.suffix == ".json":
        text = json.dumps(to_plain(document), indent=2)
    else:
        buffer = io.StringIO()
        _yaml().dump(document, buffer)
        text = buffer.getvalue()
    text = text.rstrip("\n") + line_ends
    try:
        destination.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SyncError(f"cannot write {destination}: {exc}") from exc


def sync(source: str, operations: list[str], into: Path, keeper: ProseKeeper | None = None) -> None:
    parsed_operations = [parse_operation(text) for text in operations]
    upstream = read_upstream(source)
    line_ends = "\n"
    if into.exists():
        target = read_target(into)
        kept = into.read_bytes().decode("utf-8", errors="replace")
        line_ends = kept[len(kept.rstrip("\n")) :] or "\n"
    else:
        target = CommentedMap(
            [("openapi", upstream.get("openapi", "3.1.0")), ("info", to_plain(upstream.get("info") or {}))]
        )
    merge(target, upstream, parsed_operations, keeper)
    dump(target, into, line_ends)


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
    parser.add_argument(
        "--keep-descriptions",
        action="store_true",
        help="where --into already has a node, keep its summary/description/title/example(s) "
        "(and key order) instead of upstream's; new nodes still come from upstream, and those "
        "that bring prose are listed on stderr",
    )
    args = parser.parse_args(argv)
    keeper = ProseKeeper() if args.keep_descriptions else None
    try:
        sync(args.source, args.operation, args.into, keeper)
    except SyncError as exc:
        print(f"sync_spec: error: {exc}", file=sys.stderr)
        return 2
    print(f"synced {len(args.operation)} operation(s) from {display_source(args.source)} into {args.into}")
    if keeper is not None and keeper.arrived:
        print(
            f"sync_spec: note: {len(keeper.arrived)} new node(s) brought upstream's descriptions or"
            " examples; rewrite them in our own words:",
            *(f"  {location}" for location in keeper.arrived),
            sep="\n",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
