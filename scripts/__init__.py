"""Maintainer scripts; tests import them as ``scripts.NAME`` (pytest puts the repository root on the path)."""
