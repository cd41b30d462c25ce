"""Reading a spec: a file path or a URL, parsed as JSON or YAML and checked to be OpenAPI 3.

Every source is bounded (``SpecLimits``): a file is read up to its size limit, a URL within its
deadline too, and a document nested deeper than the limit is refused before anything walks it.
Each failure is a ``DriftInputError`` whose one line says which: unreadable, too big, too deep
or too slow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._validation import display_url
from .fetch import fetch_text
from .model import DEFAULT_LIMITS, DriftInputError, SpecLimits

_BRACKETS = re.compile(r"[\[\]{}]")


def default_base() -> Path:
    """The spec the installed client was generated from (``scripts/regenerate.py`` ships it in
    the generated package, and its ``--check`` keeps it identical to ``openapi.yaml``)."""
    from importlib.resources import files

    return Path(str(files("cekura_api") / "openapi.yaml"))


def read_source(source: str, limits: SpecLimits = DEFAULT_LIMITS) -> str:
    """The text of a file path or URL (https, or plain http to a loopback host only)."""
    if "://" in source:
        return fetch_text(source, limits)
    path = Path(source)
    if not path.is_file():
        raise DriftInputError(f"no such file: {source}")
    try:
        with path.open("rb") as file:
            data = file.read(limits.max_bytes + 1)  # never more than the limit, however big the file
        if len(data) > limits.max_bytes:
            raise DriftInputError(f"{source} is too big: larger than {limits.max_bytes} bytes")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DriftInputError(f"cannot read {source}: {exc}") from exc


def display_source(source: str) -> str:
    """How a ``--upstream``/``--from`` value is named in messages: URLs redacted, paths as given."""
    return display_url(source) if "://" in source else source


def parse_document(
    text: str,
    source: str,
    *,
    yaml_loader: Callable[[str], Any] | None = None,
    max_depth: int = DEFAULT_LIMITS.max_depth,
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
    too_deep = DriftInputError(f"{source} is too deeply nested: more than {max_depth} levels")
    try:
        document = json.loads(text)
    except RecursionError:
        raise too_deep from None
    except ValueError as json_error:
        if _flow_nesting_exceeds(text, max_depth):  # before YAML: its scanner is slow on deep brackets
            raise too_deep from None
        try:
            document = _parse_yaml(text, source, yaml_loader)
        except RecursionError:
            raise too_deep from None
        except DriftInputError:
            if stripped.startswith(("{", "[")):  # meant as JSON: the JSON error says more
                raise DriftInputError(f"{source} is not valid JSON: {json_error}") from json_error
            raise
    if nesting_exceeds(document, max_depth):
        raise too_deep
    return _openapi_3(document, source)


def _openapi_3(document: Any, source: str) -> dict[str, Any]:
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
    same for OpenAPI documents in practice. A ``RecursionError`` (input nested too deeply for the
    parser) is left to the caller, which says so."""
    if yaml_loader is None:
        try:
            from ruamel.yaml import YAML

            yaml_loader = YAML(typ="safe", pure=True).load
        except ImportError:
            import yaml

            yaml_loader = yaml.safe_load
    try:
        return yaml_loader(text)
    except RecursionError:
        raise
    except Exception as exc:  # ruamel raises many types; all mean "not readable"
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DriftInputError(f"{source} is not valid JSON or YAML: {first_line}") from exc


def _flow_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether ``[``/``{`` brackets in ``text`` open more than ``limit`` levels deep (linear; brackets
    inside quoted strings count too, which only matters for a string with ``limit`` unclosed ones).

    YAML's scanner does work for every open bracket at every token, so deep flow nesting makes
    parsing quadratic: this refuses it before the parser sees it.
    """
    depth = 0
    for bracket in _BRACKETS.finditer(text):
        depth = depth + 1 if bracket.group() in "[{" else max(depth - 1, 0)
        if depth > limit:
            return True
    return False


def nesting_exceeds(document: Any, limit: int) -> bool:
    """Whether mappings and lists in ``document`` nest more than ``limit`` levels deep, or one
    contains itself (a YAML alias can). Iterative and linear in the number of containers: each is
    walked once even when YAML aliases share it (its height is kept), so no input exhausts the
    stack here."""
    heights: dict[int, int] = {}  # containers walked: how many levels they hold
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(document, False)] if isinstance(document, dict | list) else []
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            on_path.discard(key)
            heights[key] = 1 + max((heights[id(child)] for child in _containers(node)), default=0)
        elif key in on_path:
            return True  # contains itself
        elif key in heights:
            if len(on_path) + heights[key] > limit:
                return True
        else:
            on_path.add(key)
            if len(on_path) > limit:
                return True
            stack.append((node, True))
            stack.extend((child, False) for child in _containers(node))
    return False


def _containers(node: Any) -> list[Any]:
    children = node.values() if isinstance(node, dict) else node
    return [child for child in children if isinstance(child, dict | list)]


def load_spec(source: str, limits: SpecLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    return parse_document(read_source(source, limits), display_source(source), max_depth=limits.max_depth)
