"""Which of the agent's tools Cekura mocks during a run: the ``mock_tool_names`` rule (pure).

Cekura reads the field three ways: absent or null mocks every tool configured on the agent, an
empty list mocks none (every tool calls its real endpoint), names mock only those (an MCP server
is named as a whole). ``None`` here means "leave the field out", so the first reading is the
default and the request body stays as it was before the field existed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ._errors import Loc, Problem
from ._validation import describe, quote

#: Tool names one request may list (an agent has a handful; thousands is a generated-file typo).
MAX_MOCK_TOOLS: Final = 200
#: Characters one tool name may have.
MAX_TOOL_NAME: Final = 256


def check_mock_tool_names(value: object, loc: Loc = ("mock_tool_names",)) -> list[Problem]:
    """Every problem with ``value`` as ``mock_tool_names`` (None, or a list of tool names)."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return [Problem(loc, f"mock_tool_names must be a list of tool names, got {describe(value)}")]
    if len(value) > MAX_MOCK_TOOLS:
        return [
            Problem(loc, f"mock_tool_names lists {len(value):,} names; at most {MAX_MOCK_TOOLS} are accepted")
        ]
    problems = []
    for index, name in enumerate(value):
        if not isinstance(name, str):
            problems.append(Problem((*loc, index), f"a tool name must be text, got {describe(name)}"))
        elif not name.strip():
            problems.append(Problem((*loc, index), "a tool name must not be empty"))
        elif len(name) > MAX_TOOL_NAME:
            problems.append(
                Problem((*loc, index), f"tool name {quote(name)} is over {MAX_TOOL_NAME} characters")
            )
    return problems


def normalized(value: Sequence[str] | None) -> tuple[str, ...] | None:
    """A checked ``mock_tool_names`` as the plan keeps it: names stripped, first occurrence kept."""
    if value is None:
        return None
    return tuple(dict.fromkeys(name.strip() for name in value))
