"""The drift check's shape: small modules with one job each, on the library side of the line
(the CLI may import it, never the other way), fetching through httpx only."""

from __future__ import annotations

from source_imports import PACKAGE, modules

SPEC = "cekura_wrapper/spec/"


def test_no_spec_module_is_over_500_lines() -> None:
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in (PACKAGE / "spec").glob("*.py")
    }
    assert {name for name, size in sizes.items() if size > 500} == set(), sizes


def test_the_spec_toolkit_never_imports_the_cli_or_the_testing_kit() -> None:
    offenders = {
        name
        for name, imports in modules().items()
        if name.startswith(SPEC)
        and any(
            m.split(".")[:2] in (["cekura_wrapper", "cli"], ["cekura_wrapper", "testing"]) for m in imports
        )
    }
    assert offenders == set()


def test_only_fetch_goes_to_the_network_and_only_through_httpx() -> None:
    spec_modules = {name: imports for name, imports in modules().items() if name.startswith(SPEC)}
    assert {name for name, imports in spec_modules.items() if "httpx" in imports} == {f"{SPEC}fetch.py"}
    assert not [
        name for name, imports in spec_modules.items() if any(m.startswith("urllib.request") for m in imports)
    ]
