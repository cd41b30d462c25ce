"""Which module may import which: the dependency rules of the package, checked on its source."""

from __future__ import annotations

import ast
from pathlib import Path

from source_imports import PACKAGE, imported_modules, modules

import cekura_wrapper


def test_only_api_imports_the_generated_client() -> None:
    importers = {
        name for name, imports in modules().items() if any(m.startswith("cekura_api") for m in imports)
    }
    assert importers == {"cekura_wrapper/_api.py"}


def test_the_transport_depends_on_httpx_the_factory_errors_retry_and_settings_only() -> None:
    imports = modules()["cekura_wrapper/_transport.py"]
    ours = {name.split(".")[1] for name in imports if name.startswith("cekura_wrapper.")}
    assert ours <= {"_api", "_errors", "_exchange", "_retry", "_settings"}
    assert "cekura_wrapper._api.AuthenticatedClient" not in imports


def test_the_error_hierarchy_stays_small_and_never_imports_the_mapping_of_responses() -> None:
    path = PACKAGE / "_errors.py"
    ours = {name.split(".")[1] for name in imported_modules(path) if name.startswith("cekura_wrapper.")}
    assert ours <= {"_display", "_results"}
    assert len(path.read_text(encoding="utf-8").splitlines()) < 250


def test_cli_and_testing_never_import_the_client_module_by_path() -> None:
    offenders = {
        name
        for name, imports in modules().items()
        if name.startswith(("cekura_wrapper/cli/", "cekura_wrapper/testing/"))
        and "cekura_wrapper.client" in imports
    }
    assert offenders == set()


def test_the_testing_kit_imports_nothing_from_the_client_but_its_demo() -> None:
    # The pytest plugin's ``cekura_client`` fixture builds a client, through the public package
    # only (``from cekura_wrapper import CekuraClient``), as a user's test would.
    public = {"cekura_wrapper", *(f"cekura_wrapper.{name}" for name in cekura_wrapper.__all__)}
    offenders = {
        name
        for name, imports in modules().items()
        if name.startswith("cekura_wrapper/testing/")
        and name != "cekura_wrapper/testing/demo.py"
        and any(
            m.split(".")[:2] != ["cekura_wrapper", "testing"]
            and m.startswith("cekura_wrapper")
            and not (name == "cekura_wrapper/testing/pytest_plugin.py" and m in public)
            for m in imports
        )
    }
    assert offenders == set()


def test_the_private_core_never_imports_the_cli_or_the_testing_kit() -> None:
    offenders = {
        name
        for name, imports in modules().items()
        if name.count("/") == 1
        and name != "cekura_wrapper/__main__.py"  # python -m cekura_wrapper runs the CLI
        and any(
            m.split(".")[:2] in (["cekura_wrapper", "cli"], ["cekura_wrapper", "testing"]) for m in imports
        )
    }
    assert offenders == set()


def test_calls_are_ended_in_one_place() -> None:
    """``end_calls_many`` is the one clean-up (one error rule, one bound): nothing else in the
    package uses ``end_calls`` (suites, ``stop`` and the CLI's waits go through it)."""
    users: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        members = [node for cls in module.body if isinstance(cls, ast.ClassDef) for node in cls.body]
        for function in [*module.body, *members]:
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(function):  # nested helpers count as their outer function
                    if isinstance(node, ast.Attribute) and node.attr == "end_calls":
                        users.add((str(path.relative_to(PACKAGE.parent)), function.name))
    assert users == {
        ("cekura_wrapper/client.py", "end_calls_many"),
        ("cekura_wrapper/_async_client.py", "end_calls_many"),
    }


def test_no_library_module_is_over_500_lines() -> None:
    """Small modules with one job each; the CLI (``cli/``) holds its own, tighter rule."""
    sizes = {
        str(path.relative_to(PACKAGE.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(PACKAGE.rglob("*.py"))
        if "cli" not in path.relative_to(PACKAGE).parts[:-1]
    }
    assert "cekura_wrapper/client.py" in sizes
    assert {name: lines for name, lines in sizes.items() if lines > 500} == {}


def test_the_clients_depend_one_way_on_their_shared_base() -> None:
    """``client`` (sync, re-exporting the async client) -> ``_async_client`` -> ``_client_base``,
    never back: the base holds what both share and knows neither."""
    imports = modules()

    def ours(name: str) -> set[str]:
        return {
            m.split(".")[1] for m in imports[f"cekura_wrapper/{name}.py"] if m.startswith("cekura_wrapper.")
        }

    assert ours("_client_base").isdisjoint({"client", "_async_client"})
    assert "client" not in ours("_async_client")
    assert "_client_base" in ours("_async_client")
    assert {"_client_base", "_async_client"} <= ours("client")


def test_the_cli_uses_the_public_api_only() -> None:
    """The CLI is a user of the library: it imports ``cekura_wrapper``'s public names (and its public
    subpackages ``spec`` and ``testing``), never a private module and never the generated client."""
    offenders = {
        (name, module)
        for name, imports in modules().items()
        if name.startswith("cekura_wrapper/cli/")
        for module in imports
        if module.startswith("cekura_api")
        or (
            module.startswith("cekura_wrapper.")
            and not module.startswith("cekura_wrapper.cli.")
            and any(part.startswith("_") for part in module.split(".")[1:])
        )
    }
    assert offenders == set()


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_cli_modules_stay_small() -> None:
    """The CLI's rule: no module over 250 lines (``suite.py``, which issue 26's report work is
    extending at the time of the split, over 500 at most, until it is split by job)."""
    sizes = {str(path.relative_to(PACKAGE)): lines_of(path) for path in (PACKAGE / "cli").rglob("*.py")}
    assert sizes.pop("cli/suite.py") <= 500
    assert {name: lines for name, lines in sizes.items() if lines > 250} == {}
