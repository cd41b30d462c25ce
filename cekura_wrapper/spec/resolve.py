"""Following a document's own ``$ref``s (local JSON pointers only), with cycles refused."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from .model import DriftInputError


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
