"""What each module of ``cekura_wrapper`` imports, read from its source (for the structure tests)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import cekura_wrapper

PACKAGE = Path(cekura_wrapper.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


@functools.cache
def modules() -> Mapping[str, frozenset[str]]:
    """Each module's path and what it imports (read once per test process, read-only)."""
    return MappingProxyType(
        {
            str(path.relative_to(PACKAGE.parent)): frozenset(imported_modules(path))
            for path in sorted(PACKAGE.rglob("*.py"))
        }
    )
