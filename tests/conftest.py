"""Shared test paths. ``../shared`` exists on the maintainers' machines only."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fakes import FakeTime

pytest_plugins = ["pytester"]  # for testing the cekura_ws pytest plugin itself

REPO_ROOT = Path(__file__).resolve().parents[1]

# scripts/ is not a package; tests import its modules by name.
sys.path.insert(0, str(REPO_ROOT / "scripts"))


@pytest.fixture
def fake_time() -> FakeTime:
    """A fresh virtual clock for the test (see tests/fakes.py)."""
    return FakeTime()
