"""Rows of the benchmark table, their spread, and the table itself."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Row:
    """One line of the table. ``met`` is ``None`` for a figure without a target."""

    part: str
    case: str
    ours: str
    baseline: str
    ratio: str
    target: str = ""
    met: bool | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, line: str) -> Row:
        return cls(**json.loads(line))


def ratio_text(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}" if baseline else "-"


def seconds_text(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.0f} µs"


def spread(values: Sequence[float], show: type[str] | None = None, fmt: str = "{:.2f}") -> str:
    """``median [min-max]`` of ``values``, as seconds (``seconds_text``) or with ``fmt``."""
    text = seconds_text if show is None else fmt.format
    med = statistics.median(values)
    if len(values) == 1 or min(values) == max(values):
        return text(med)
    return f"{text(med)} [{text(min(values))}-{text(max(values))}]"


def number_spread(values: Sequence[float], fmt: str = "{:.2f}") -> str:
    return spread(values, str, fmt)


def print_table(rows: Sequence[Row]) -> None:
    print("\n| part | case | ours, median [min-max] | baseline | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        print(
            f"| {row.part} | {row.case} | {row.ours} | {row.baseline} | {row.ratio} | {row.target} | {met} |"
        )
    judged = [row for row in rows if row.met is not None]
    missed = [row for row in judged if not row.met]
    print(f"\ntargets met: {len(judged) - len(missed)} of {len(judged)}")
    for row in missed:
        print(f"  not met: {row.part}: {row.case} ({row.target})")


def emit(rows: Sequence[Row]) -> None:
    """How a part hands its rows to the runner: one JSON object per line, after a marker."""
    print("--- rows ---")
    for row in rows:
        print(row.to_json())
