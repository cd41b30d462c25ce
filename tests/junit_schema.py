"""Checks a JUnit XML report against tests/junit.xsd, the JUnit schema shape CI systems consume."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path
from typing import TypeAlias

import xmlschema

SCHEMA_PATH = Path(__file__).with_name("junit.xsd")

Report: TypeAlias = "Path | str | ET.ElementTree[ET.Element] | ET.Element"


@cache
def junit_schema() -> xmlschema.XMLSchema10:
    """The schema, parsed once per test session (parsing it also checks that it is a valid XSD)."""
    return xmlschema.XMLSchema10(str(SCHEMA_PATH))


def junit_problems(report: Report) -> list[str]:
    """Every reason ``report`` (a file path, a tree or its root element) breaks the schema."""
    source = str(report) if isinstance(report, Path) else report
    return [f"{error.path}: {error.reason}" for error in junit_schema().iter_errors(source)]


def assert_valid_junit(report: Report) -> None:
    problems = junit_problems(report)
    assert not problems, "the JUnit report does not validate against tests/junit.xsd:\n" + "\n".join(problems)
