"""Check that the emulator answers as a spec says Cekura answers: schemathesis against it.

For each of the four operations the client calls, schemathesis generates requests from the spec
(positive data, a fixed seed, at most ``--max-examples`` per operation), sends them to a running
emulator with its key, and runs its checks on every answer. Counted per check:

- ``not_a_server_error``: no 5xx;
- ``response_schema_conformance``: the body fits the declared schema;
- ``status_code_conformance``: the status is declared, except for two spec quirks: Cekura's
  spec declares no 401 anywhere and no 404 for the list (an ``Invalid page.``) or the run
  request, though its servers answer them (``DOCUMENTED_EXCLUSIONS``);
- ``content_type_conformance``: the media type is declared.

The generated conversations are not dialled (the emulator is started with an executor that
ends each run at once), so nothing leaves 127.0.0.1. Usage::

    python scripts/conformance.py [--spec openapi.yaml] [--max-examples 25] [--seed 20260821]

prints ``cases N`` and one line per check with its failures; exit 0 when the three asserted
checks (server errors, schema, status codes outside the exclusions) found nothing, else 1.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

#: The operations the client calls (method, path), the only ones checked.
OPERATIONS: Final = (
    ("POST", "/test_framework/v1/scenarios/run_scenarios_with_websockets/"),
    ("GET", "/test_framework/v1/results/{id}/"),
    ("POST", "/test_framework/v1/results/{id}/end_calls/"),
    ("GET", "/test_framework/v1/results/"),
)
#: Statuses the servers send that the spec does not declare: not counted as a status failure.
DOCUMENTED_EXCLUSIONS: Final = frozenset({401, 404})
CHECKS: Final = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
)
#: The checks a run must pass (content types are reported, not asserted).
ASSERTED: Final = CHECKS[:3]
DEFAULT_SEED: Final = 20260821


@attrs.define
class Report:
    """How many cases were sent, and failures per check (with the first message of each)."""

    cases: int = 0
    failures: Counter[str] = attrs.field(factory=Counter)
    examples: dict[str, str] = attrs.field(factory=dict)
    #: Undeclared statuses let through as documented quirks, by status code.
    excused: Counter[int] = attrs.field(factory=Counter)

    @property
    def ok(self) -> bool:
        return not any(self.failures[name] for name in ASSERTED)

    def lines(self) -> list[str]:
        excused = ", ".join(f"{status} x{count}" for status, count in sorted(self.excused.items())) or "none"
        return [
            f"cases {self.cases}",
            *(f"{name}: {self.failures[name]} failures" for name in CHECKS),
            f"undeclared statuses excused as spec quirks: {excused}",
        ]


def _checks() -> dict[str, Callable[..., Any]]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    found = {
        "not_a_server_error": not_a_server_error,
        "response_schema_conformance": response_schema_conformance,
        "status_code_conformance": status_code_conformance,
        "content_type_conformance": content_type_conformance,
    }
    assert tuple(found) == CHECKS
    return found


def _declared(operation: Any, status: int) -> bool:
    responses = operation.definition.raw.get("responses", {})
    return str(status) in responses or f"{str(status)[0]}XX" in responses or "default" in responses


def run(
    spec: Path,
    base_url: str,
    api_key: str,
    *,
    max_examples: int = 25,
    seed: int = DEFAULT_SEED,
    timeout: float = 5.0,
) -> Report:
    """Send every generated case of ``OPERATIONS`` in ``spec`` to ``base_url`` and count failures."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed
    from schemathesis.core.failures import FailureGroup
    from schemathesis.core.result import Ok

    schema = schemathesis.openapi.from_path(spec)
    checks = _checks()
    report = Report()
    wanted = {(method.upper(), path) for method, path in OPERATIONS}
    operations = [
        operation
        for result in schema.get_all_operations()
        if isinstance(result, Ok) and ((operation := result.ok()).method.upper(), operation.path) in wanted
    ]
    missing = wanted - {(operation.method.upper(), operation.path) for operation in operations}
    if missing:
        raise SystemExit(f"conformance: {spec} lacks {sorted(missing)}")
    headers = {"X-CEKURA-API-KEY": api_key}

    for operation in operations:

        @fixed_seed(seed)
        @settings(
            max_examples=max_examples,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            report.cases += 1
            response = case.call(base_url=base_url, headers=headers, timeout=timeout)
            for name, function in checks.items():
                if (
                    name == "status_code_conformance"
                    and response.status_code in DOCUMENTED_EXCLUSIONS
                    and not _declared(case.operation, response.status_code)
                ):
                    report.excused[response.status_code] += 1
                    continue
                try:
                    case.validate_response(response, checks=[function], headers=headers)
                except FailureGroup as exc:
                    report.failures[name] += 1
                    report.examples.setdefault(
                        name, f"{case.operation.label} -> {response.status_code}: {str(exc)[:400]}"
                    )

        check()
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spec", type=Path, default=Path(__file__).resolve().parents[1] / "openapi.yaml")
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    options = parser.parse_args(argv)
    from cekura_wrapper.testing import CekuraEmulator

    with CekuraEmulator(executor=EndAtOnce()) as emulator:
        report = run(
            options.spec,
            emulator.base_url,
            emulator.api_key,
            max_examples=options.max_examples,
            seed=options.seed,
        )
    print("\n".join(report.lines()))
    for name, example in report.examples.items():
        print(f"first {name} failure: {example}", file=sys.stderr)
    return 0 if report.ok else 1


class EndAtOnce:
    """A run executor that dials nothing: every generated run ends at once, unconnected."""

    async def call(self, url: str, scenario: Any, *, result_id: int, run_id: int) -> Any:
        from cekura_wrapper.testing import CallOutcome

        return CallOutcome(False, False, "not dialled: conformance run")


if __name__ == "__main__":
    sys.exit(main())
