#!/usr/bin/env python3
"""Regenerate ``generated/cekura_api`` from ``openapi.yaml``, or check that it is current.

The committed spec stays faithful to Cekura; where openapi-python-client is known to
misbehave on it, a temporary copy is transformed first (see ``prepare_spec``). Each
transform is documented on its function and covered by ``tests/spec/test_regenerate.py``.

Usage:
    python scripts/regenerate.py            # rewrite generated/cekura_api
    python scripts/regenerate.py --check    # exit 1 with a diff when it is stale

Exit codes: 0 generated (or, with --check, current); 1 only with --check: generated/ is stale
(the diff is on stdout); 2 an input or tool error, with a one-line reason on stderr (spec missing,
unreadable or not OpenAPI 3.x, wrong generator or ruff version, the generator failing: its own
output comes first, output folder not writable).
"""

from __future__ import annotations

import argparse
import copy
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cekura_wrapper.spec.load import parse_document
from cekura_wrapper.spec.model import DriftInputError
from cekura_wrapper.spec.naming import OPERATION_NAMES, tolerate_unknown_enum_values

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "openapi.yaml"
CONFIG_PATH = ROOT / "scripts" / "generator-config.yaml"
GENERATED_DIR = ROOT / "generated"
PACKAGE_NAME = "cekura_api"

#: The exact generator version the committed code was produced with.
GENERATOR_VERSION = "0.29.1"
#: ruff formats the output; its version changes the bytes, so it is pinned too.
RUFF_VERSION = "0.17.5"

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class RegenerateError(Exception):
    """An input or tool error: one line on stderr, exit code 2 (1 means only "stale")."""


def load_spec(path: Path) -> dict[str, Any]:
    """Load YAML the way the generator does (ruamel, YAML 1.2), as plain dicts and lists.

    The document must be OpenAPI 3.x: the checks are check_drift.py's, so both agree.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegenerateError(f"cannot read {path}: {exc}") from exc
    try:
        return parse_document(text, str(path))
    except DriftInputError as exc:
        raise RegenerateError(str(exc)) from exc


def iter_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict):
                yield method, path, operation


def keep_json_request_bodies(spec: dict[str, Any]) -> None:
    """Keep only ``application/json`` where a request body offers it.

    With json, form and multipart sharing one schema, 0.29.1 emits an endpoint that fails
    to import (``Unset`` undefined, upstream #1451) and that sets json, data and files on
    one request (#1276). The client only ever sends JSON.
    """
    for _method, _path, operation in iter_operations(spec):
        content = (operation.get("requestBody") or {}).get("content")
        if isinstance(content, dict) and "application/json" in content:
            for media_type in list(content):
                if media_type != "application/json":
                    del content[media_type]


def rename_operations(spec: dict[str, Any]) -> None:
    """Give operations a fixed package (first tag) and readable id (module, function, models)."""
    for method, path, operation in iter_operations(spec):
        pinned = OPERATION_NAMES.get((method, path))
        if pinned is not None:
            tag, name = pinned
            operation["tags"] = [tag, *(t for t in operation.get("tags") or [] if t != tag)]
            operation["operationId"] = name


def prepare_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the transformed copy the generator reads; the input is left untouched."""
    prepared = copy.deepcopy(spec)
    keep_json_request_bodies(prepared)
    rename_operations(prepared)
    return tolerate_unknown_enum_values(prepared)  # type: ignore[no-any-return]


def check_tool_versions() -> None:
    from importlib.metadata import PackageNotFoundError, version

    wanted = {"openapi-python-client": GENERATOR_VERSION, "ruff": RUFF_VERSION}
    found: dict[str, str | None] = {}
    for name in wanted:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    wrong = [
        f"{name} {found[name] or 'not installed'} (need {wanted[name]})"
        for name in wanted
        if found[name] != wanted[name]
    ]
    if wrong:
        raise RegenerateError("wrong tool versions: " + ", ".join(wrong) + "; run `make install`")


def generate_into(spec_path: Path, output_dir: Path) -> None:
    """Run the pinned generator on the prepared spec, writing the package to ``output_dir``."""
    check_tool_versions()
    prepared = prepare_spec(load_spec(spec_path))
    with tempfile.TemporaryDirectory(prefix="cekura-gen-") as scratch:
        prepared_path = Path(scratch) / "openapi.prepared.json"
        prepared_path.write_text(json.dumps(prepared, indent=2, sort_keys=True), encoding="utf-8")
        env = dict(os.environ)
        # The post hooks call `ruff`: make it the pinned one from this interpreter's env.
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        env["PYTHONHASHSEED"] = "0"
        target = Path(scratch) / PACKAGE_NAME
        command = [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--path", str(prepared_path),
            "--config", str(CONFIG_PATH),
            "--meta", "none",
            "--output-path", str(target),
            "--fail-on-warning",
        ]  # fmt: skip
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if completed.returncode != 0 or not (target / "__init__.py").exists():
            sys.stderr.write(completed.stdout + completed.stderr)
            raise RegenerateError(f"openapi-python-client failed on {spec_path} (its output is above)")
        # PEP 561 marker: with --meta none the generator writes none, and users run mypy on it.
        (target / "py.typed").write_text("", encoding="utf-8")
        # The contract it was generated from ships with it (`cekura-ws drift` compares against
        # it), so --check covers it like the code and it cannot drift from openapi.yaml.
        shutil.copyfile(spec_path, target / "openapi.yaml")
        try:
            if output_dir.exists():
                shutil.rmtree(output_dir)
            shutil.copytree(target, output_dir)
        except OSError as exc:
            raise RegenerateError(f"cannot write {output_dir}: {exc}") from exc


def tree_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """A readable unified diff of two package trees ('expected' is what the spec produces)."""
    want, have = tree_files(expected), tree_files(actual)
    lines: list[str] = []
    for name in sorted(want.keys() | have.keys()):
        if want.get(name) == have.get(name):
            continue
        old = have.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = want.get(name, b"").decode("utf-8", "replace").splitlines(keepends=True)
        lines.extend(difflib.unified_diff(old, new, f"committed/{name}", f"regenerated/{name}"))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare instead of writing; exit 1 if stale (2 is an error, never staleness)",
    )
    parser.add_argument("--spec", type=Path, default=SPEC_PATH, help="the contract (default: openapi.yaml)")
    parser.add_argument(
        "--generated-dir",
        type=Path,
        default=GENERATED_DIR,
        help="where the package lives (default: generated/)",
    )
    args = parser.parse_args(argv)
    try:
        return run(args.spec, args.generated_dir / PACKAGE_NAME, check=args.check)
    except RegenerateError as exc:
        print(f"regenerate: error: {exc}", file=sys.stderr)
        return 2


def run(spec_path: Path, committed: Path, *, check: bool) -> int:
    if not spec_path.is_file():
        raise RegenerateError(f"spec file not found: {spec_path}")
    if not check:
        generate_into(spec_path, committed)
        print(f"regenerated {committed} from {spec_path}")
        return 0
    with tempfile.TemporaryDirectory(prefix="cekura-check-") as scratch:
        fresh = Path(scratch) / PACKAGE_NAME
        generate_into(spec_path, fresh)
        differences = diff_trees(fresh, committed)
    if differences:
        sys.stdout.writelines(differences)
        print(
            f"\n{committed} is stale against {spec_path}: run `make generate` and commit both",
            file=sys.stderr,
        )
        return 1
    print(f"{committed} matches {spec_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
