"""Shared test paths. ``../shared`` exists on the maintainers' machines only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import FakeTime

pytest_plugins = ["pytester"]  # for testing the cekura_ws pytest plugin itself

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_time() -> FakeTime:
    """A fresh virtual clock for the test (see tests/fakes.py)."""
    return FakeTime()
