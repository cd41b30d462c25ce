"""What is wrong with the input and where: every problem is collected, then reported at once."""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class InputProblem:
    """One thing wrong with the input, and where it is."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InputError(Exception):
    """The input has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input")
        self.problems = list(problems)


def file_order(problem: InputProblem) -> tuple[int, int]:
    """File problems first, by line; then the flags, in the order given (the sort is stable)."""
    _name, separator, line = problem.where.rpartition(":")
    if separator and line.isdigit():
        return (0, int(line))
    return (1, 0) if problem.where.startswith("-") else (0, 0)
