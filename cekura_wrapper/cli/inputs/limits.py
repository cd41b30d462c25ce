"""Reading a batch file in bounded time and memory: its size, its kind of file, and a YAML/JSON
tree checked (tags, depth, aliases, long numbers) before any value is built."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Final

import yaml

from cekura_wrapper import quote

FORMATS: Final = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
#: Limits on a batch file, so any file is read in bounded time and memory.
MAX_FILE_BYTES: Final = 10 << 20
MAX_NODES: Final = 200_000
MAX_DEPTH: Final = 32
#: PyYAML's scanner costs time quadratic in the nesting of flow collections (``[[[...``: 1,000
#: levels took 3 s): text nested deeper than this is refused before PyYAML sees it.
_MAX_FLOW_NESTING: Final = 200
_BRACKETS: Final = re.compile(r"[\[\]{}]")
_INT_TAG: Final = "tag:yaml.org,2002:int"
_PLAIN_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "str", "timestamp", "map", "seq", "merge")
)


def bounded_text(path: Path) -> str:
    """The file's text; ``ValueError`` for anything but a regular file of at most ``MAX_FILE_BYTES``
    (a link to ``/dev/zero`` or a FIFO would be read forever)."""
    with path.open("rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise ValueError("the batch file is not a regular file (a device, FIFO or folder?)")
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the batch file is larger than {MAX_FILE_BYTES // (1 << 20)} MiB, the limit")
    return data.decode("utf-8-sig")


def compose(text: str) -> yaml.Node | None:
    """PyYAML's node tree of ``text``; ``RecursionError`` (as PyYAML would raise, but at once) for
    flow collections nested deeper than ``_MAX_FLOW_NESTING``."""
    if _flow_nesting_exceeds(text, _MAX_FLOW_NESTING):
        raise RecursionError(f"flow collections nested deeper than {_MAX_FLOW_NESTING}")
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _flow_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether brackets and braces (quoted ones too: an upper bound) nest deeper than ``limit``,
    in one pass over the text."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(text):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def tree_problem(root: yaml.Node, name: str) -> tuple[str, str] | None:
    """Where and why a YAML/JSON tree is refused before any value is built: a tag other than plain
    YAML's (``!!python/object``, ``!foo``), nesting deeper than ``MAX_DEPTH``, more than
    ``MAX_NODES`` values once aliases are expanded (a "billion laughs" file), or a number longer
    than any id. Iterative and bounded by ``MAX_NODES``, whatever the file holds."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    visited = 0
    while stack:
        node, depth = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            return name, f"more than {MAX_NODES:,} values once aliases are expanded; refused"
        if depth > MAX_DEPTH:
            return node_line(name, node), f"nested deeper than {MAX_DEPTH} levels"
        if node.tag not in _PLAIN_TAGS:
            return node_line(name, node), f"the YAML tag {quote(node.tag)} is not allowed in a batch file"
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _INT_TAG and len(str(node.value)) > 30:
                return node_line(name, node), "a number longer than any id (30 digits at most)"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))
    return None


def construct(node: yaml.Node) -> object:
    """The Python value of one node, with the safe loader's types."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def node_line(name: str, node: yaml.Node) -> str:
    return f"{name}:{node.start_mark.line + 1}"
