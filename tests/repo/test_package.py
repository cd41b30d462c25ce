"""The installed distribution ships both packages, typed, and a pytest plugin that costs nothing."""

import os
import subprocess
import sys
import textwrap
from importlib import metadata, resources
from pathlib import Path

import cekura_api
import cekura_wrapper


def test_both_packages_ship_a_py_typed_marker() -> None:
    assert resources.files(cekura_api).joinpath("py.typed").is_file()
    assert resources.files(cekura_wrapper).joinpath("py.typed").is_file()


def test_every_public_name_resolves_and_display_url_is_public() -> None:
    missing = [name for name in cekura_wrapper.__all__ if not hasattr(cekura_wrapper, name)]
    assert missing == []
    shown = cekura_wrapper.display_url("wss://agent.example.com/ws?token=s3cret")
    assert shown == "wss://agent.example.com/ws?token=***"


def test_the_version_comes_from_the_distribution_metadata_only() -> None:
    assert cekura_wrapper.__version__ == metadata.version("cekura-ws")
    package = Path(cekura_wrapper.__file__).parent
    literal = f'"{metadata.version("cekura-ws")}"'
    assert [path.name for path in package.rglob("*.py") if literal in path.read_text(encoding="utf-8")] == []


def test_the_auto_registered_pytest_plugin_imports_nothing_heavy_until_a_fixture_is_used(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_light.py").write_text(
        textwrap.dedent(
            """
            import sys

            HEAVY = ("uvicorn", "websockets", "cekura_wrapper.testing.emulator", "cekura_wrapper.testing.agents")

            def test_plugin_loaded_but_nothing_heavy():
                assert "cekura_wrapper.testing.pytest_plugin" in sys.modules
                assert [name for name in HEAVY if name in sys.modules] == []

            def test_a_fixture_brings_the_emulator(cekura_emulator_settings):
                assert "uvicorn" in sys.modules
            """
        )
    )
    # A fresh pytest run in a project of its own, with every installed plugin auto-loaded, as a
    # user of cekura-ws gets it.
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        str(tmp_path / "test_light.py"),
    ]
    # Outside make test's coverage: the plugin's code is covered in-process (pytester); this run
    # is about what a user's session imports, and coverage would only slow its start.
    env = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_")}
    finished = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "2 passed" in finished.stdout


def test_async_requests_do_not_retry_a_failed_import_on_every_lock() -> None:
    """httpcore imports sniffio lazily and does not cache its absence (encode/httpcore#1103):
    without it each async request pays about twelve failed imports. Installed, it is found once."""
    requirements = metadata.requires("cekura-ws") or []
    assert any(req.split(">")[0].split("=")[0].strip() == "sniffio" for req in requirements)
    code = textwrap.dedent(
        """
        import asyncio, sys
        from httpcore._synchronization import current_async_library
        async def main():
            for _ in range(100):
                assert current_async_library() == "asyncio"
            return "sniffio" in sys.modules
        print(asyncio.run(main()))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"
