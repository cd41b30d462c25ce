"""The batch-wide settings (frequency, agent, mock tools): the flag's or the file's, checked where set."""

from __future__ import annotations

from collections.abc import Callable

from cekura_wrapper import MAX_ID, check_mock_tool_names

from .variables import UNRESOLVED, Collector


def checked_setting(
    name: str,
    flag: int | None,
    from_file: tuple[object, str] | None,
    check: Callable[[object], str | None],
    collector: Collector,
    origins: dict[str, str],
) -> int | None:
    if flag is not None:
        value: object = flag
        where = f"--{name}"
    elif from_file is not None:
        value, where = from_file
        value = as_int(collector.expand(value, where))
        if value is UNRESOLVED:
            return None
    else:
        return None
    problem = check(value)
    if problem:
        collector.add(where, problem)
        return None
    assert isinstance(value, int)
    origins[name] = where
    return value


def as_int(value: object) -> object:
    """Digits in a string (CSV cells, expanded variables) become an int; anything else is kept.
    More digits than any id has stand for "too large" (never parsed: Python refuses over 4,300)."""
    if isinstance(value, str) and value.strip().isdigit():
        digits = value.strip()
        return int(digits) if len(digits) <= 19 else MAX_ID + 1
    return value


def file_mock_tools(
    flag: object, from_file: tuple[object, str] | None, collector: Collector, origins: dict[str, str]
) -> tuple[str, ...] | None:
    """The flags' choice, else the file's ``mock_tool_names`` (checked at its line), else None."""
    if isinstance(flag, tuple):
        origins["mock_tool_names"] = "--mock-tools"
        return flag
    if from_file is None or from_file[0] is None:
        return None
    value, where = from_file
    origins["mock_tool_names"] = where
    if isinstance(value, list):
        value = [collector.expand(name, where) for name in value]
        if UNRESOLVED in value:
            return None
    problems = check_mock_tool_names(value)
    for problem in problems:
        collector.add(where, problem.message)
    if problems or not isinstance(value, list):
        return None
    return tuple(dict.fromkeys(str(name).strip() for name in value))
