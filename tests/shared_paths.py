"""Paths into ``../shared``, which exists on the maintainers' machines only."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


def shared_file(*parts: str) -> Path:
    """A file under ../shared, or a clean skip where that folder is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"{path} is not available (../shared is only on maintainers' machines)")
    return path
