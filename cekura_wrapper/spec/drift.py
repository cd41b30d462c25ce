"""Report how a newer Cekura spec differs from ours, for the operations this client uses.

Cekura republishes its spec often. This compares chosen operations (matched by method and
path, never by operationId) with every ``$ref`` resolved on both sides, and classifies each
change from this client's point of view:

- ``breaking``: our requests or our generated code would fail (operation removed, new required
  request field, request type narrowed or bound tightened, response field removed or retyped,
  a response enum value the generated code would reject, a renamed generated module or model);
- ``warning``: still works, but needs a look (deprecation, a response enum value that
  ``scripts/regenerate.py`` makes the generated code tolerate);
- ``info``: additive (optional request field, new response field, new security scheme).

Descriptions, summaries and examples are compared only with ``--verbose``. Everything in the
upstream file that the chosen operations do not reach is ignored.

Usage:
    python scripts/check_drift.py --upstream SPEC [--base SPEC] [--operation METHOD:PATH ...]
                                  [--format text|json] [--verbose]

SPEC is a file path or an https:// URL, JSON or YAML, of at most 32 MiB and 100 levels of
nesting; a URL must deliver it within 60 s. A ``user:password@`` in the URL is sent as HTTP
basic auth, and messages print URLs with it and the query values as ``***``.

The steps live in their own modules: ``load`` and ``fetch`` read a spec, ``resolve`` follows its
``$ref``s, ``compare`` (with ``compare_operation`` and ``compare_schema``) finds the changes,
``report`` prints them. This module is the command, shared by ``scripts/check_drift.py`` and
``cekura-ws drift``.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from .compare import base_operations, diff_specs
from .load import default_base, load_spec
from .model import (
    DEFAULT_LIMITS,
    EXIT_CODE_MEANINGS,
    HTTP_METHODS,
    DriftExitCode,
    DriftInputError,
    SpecLimits,
)
from .report import exit_code, format_json, format_text, summary

#: How the script names itself in messages; ``cekura-ws drift`` passes its own name.
SCRIPT_PROG = "check_drift"


def parse_operation(text: str) -> tuple[str, str]:
    """``POST:/path/`` -> ``("post", "/path/")``."""
    method, sep, path = text.partition(":")
    if not sep or method.lower() not in HTTP_METHODS or not path.startswith("/"):
        raise DriftInputError(f"--operation must look like METHOD:/path/, got {text!r}")
    return method.lower(), path


def check(
    upstream: str,
    *,
    base: str | None = None,
    operations: Sequence[str] = (),
    output_format: str = "text",
    verbose: bool = False,
    prog: str = SCRIPT_PROG,
    limits: SpecLimits = DEFAULT_LIMITS,
) -> DriftExitCode:
    """Compare ``upstream`` with ``base`` (default: the installed client's spec), print the changes
    on stdout and a summary on stderr, and return the exit code.

    An input that cannot be used is one line on stderr starting with ``prog`` (exit 3); a crash of
    the check itself prints its traceback (exit 4), so CI can tell a bug here from a reported drift.
    """
    try:
        return _check(upstream, base, operations, output_format, verbose=verbose, prog=prog, limits=limits)
    except DriftInputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return DriftExitCode.BAD_INPUT
    except Exception:
        traceback.print_exc()
        print(f"{prog}: internal error (traceback above)", file=sys.stderr)
        return DriftExitCode.INTERNAL_ERROR


def _check(
    upstream: str,
    base: str | None,
    operations: Sequence[str],
    output_format: str,
    *,
    verbose: bool,
    prog: str,
    limits: SpecLimits,
) -> DriftExitCode:
    chosen = [parse_operation(text) for text in operations] or None
    base_document = load_spec(base if base is not None else str(default_base()), limits)
    upstream_document = load_spec(upstream, limits)
    changes = diff_specs(
        base_document, upstream_document, chosen, verbose=verbose, max_depth=limits.max_depth
    )
    sys.stdout.write(format_json(changes) if output_format == "json" else format_text(changes))
    print(summary(changes, len(chosen or base_operations(base_document)), prog), file=sys.stderr)
    return exit_code(changes)


def exit_codes_help() -> str:
    """The exit codes, one a line, as ``--help`` shows them."""
    return "Exit codes:\n" + "".join(
        f"  {int(code):<4} {meaning}\n" for code, meaning in EXIT_CODE_MEANINGS.items()
    )


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 3 (bad input), never 2, which means "breaking drift"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(DriftExitCode.BAD_INPUT, f"{SCRIPT_PROG}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        description=(__doc__ or "").split("\n\nThe steps live")[0],
        epilog=exit_codes_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--upstream", required=True, help="the newer spec: file path or https:// URL")
    parser.add_argument(
        "--base", default=None, help="our spec (default: the one the installed client was generated from)"
    )
    parser.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="METHOD:PATH",
        help="an operation to compare (repeatable; default: every operation in the base)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--verbose", action="store_true", help="also report descriptions and examples")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``scripts/check_drift.py``: parse the arguments, then ``check``."""
    args = build_parser().parse_args(argv)
    return check(
        args.upstream,
        base=args.base,
        operations=args.operation,
        output_format=args.format,
        verbose=args.verbose,
    )


if __name__ == "__main__":
    sys.exit(main())
