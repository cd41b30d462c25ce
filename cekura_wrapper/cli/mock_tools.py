"""``--mock-tools NAME[,NAME...]``, ``--no-mock-tools`` and the batch key ``mock_tool_names``.

Three states reach Cekura: not chosen (the field is left out: every tool configured on the agent
is mocked), none (``[]``: every tool calls its real endpoint) and a list of names. The flags
override the batch file; ``NOT_GIVEN`` means neither flag was used.
"""

from __future__ import annotations

import enum
from typing import Final

from cekura_wrapper import check_mock_tool_names

from .inputs import InputError, InputProblem


class _NotGiven(enum.Enum):
    NOT_GIVEN = enum.auto()


#: Neither ``--mock-tools`` nor ``--no-mock-tools`` was passed: the batch file decides.
NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
MockTools = tuple[str, ...] | None | _NotGiven


def from_flags(mock_tools: str | None, no_mock_tools: bool) -> MockTools:
    """What the flags ask for, or ``InputError`` naming the flag."""
    if mock_tools is not None and no_mock_tools:
        raise InputError(
            [InputProblem("--mock-tools", "--mock-tools and --no-mock-tools contradict each other")]
        )
    if no_mock_tools:
        return ()
    if mock_tools is None:
        return NOT_GIVEN
    names = [name.strip() for name in mock_tools.split(",")]
    problems = [
        InputProblem("--mock-tools", problem.message.replace("a tool name", f"tool name #{number}"))
        for number, name in enumerate(names, start=1)
        for problem in check_mock_tool_names([name])
    ] or [InputProblem("--mock-tools", problem.message) for problem in check_mock_tool_names(names)]
    if problems:
        raise InputError(problems)
    return tuple(names)


def describe(names: tuple[str, ...] | None) -> str:
    """How ``plan`` says which tools are mocked."""
    if names is None:
        return "mock tools: every tool configured on the agent (Cekura's default)"
    if not names:
        return "mock tools: none (every tool calls its real endpoint)"
    return f"mock tools: only {', '.join(names)}"
