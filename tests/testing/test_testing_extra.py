"""The testing kit is an extra: without it (simulated in real subprocesses by an import hook that
refuses its modules), the client and the CLI work, and every use of the kit says how to install it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cekura_wrapper.testing.extra import EXTRA_MODULES, INSTALL_COMMAND

CLI = Path(sys.executable).parent / "cekura-ws"

#: Loaded at interpreter start (PYTHONPATH): refuses the extra's modules as a core install would
#: (ModuleNotFoundError) and reports every attempt on stderr, caught ones included.
BLOCKER = textwrap.dedent(
    """
    import sys

    BLOCKED = {blocked!r}

    class RefuseExtra:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                sys.stderr.write(f"blocked import: {{name}}\\n")
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, RefuseExtra())
    """
)


@pytest.fixture
def core_only(tmp_path: Path) -> dict[str, str]:
    """The environment of a subprocess that runs as if only ``pip install cekura-ws`` was done."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BLOCKER.format(blocked=set(EXTRA_MODULES)), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(hook), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # The generous timeout only catches a command that started serving instead of refusing.
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)


def test_the_hook_really_refuses_the_extra(core_only: dict[str, str], tmp_path: Path) -> None:
    done = run([sys.executable, "-c", "import uvicorn"], core_only, tmp_path)
    assert done.returncode == 1
    assert "blocked import: uvicorn" in done.stderr and "ModuleNotFoundError" in done.stderr


@pytest.mark.parametrize(
    "args", [["emulator", "--port", "0"], ["agent", "--port", "0"], ["demo"]], ids=lambda a: a[0]
)
def test_a_testing_command_without_the_extra_exits_2_with_the_install_command(
    args: list[str], core_only: dict[str, str], tmp_path: Path
) -> None:
    done = run([str(CLI), *args], core_only, tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""  # nothing listening, nothing printed as if it were
    assert f"cekura-ws {args[0]}: " in done.stderr
    assert "'testing' extra" in done.stderr and INSTALL_COMMAND in done.stderr
    assert "Traceback" not in done.stderr


def test_importing_the_kit_without_the_extra_raises_an_import_error_naming_it(
    core_only: dict[str, str], tmp_path: Path
) -> None:
    code = textwrap.dedent(
        """
        import cekura_wrapper.testing  # the package itself loads: the pytest plugin imports it
        for statement in (
            "from cekura_wrapper.testing import CekuraEmulator",
            "from cekura_wrapper.testing import AgentThread",
            "from cekura_wrapper.testing.emulator import CekuraEmulator",
        ):
            try:
                exec(statement)
            except ImportError as exc:
                print(type(exc).__name__, exc.name, "|", exc)
            else:
                print("imported:", statement)
        """
    )
    done = run([sys.executable, "-c", code], core_only, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    for line in lines:
        assert line.startswith("MissingExtraError uvicorn | "), line
        assert "'testing' extra" in line and INSTALL_COMMAND in line


def test_the_core_install_never_imports_the_extra(core_only: dict[str, str], tmp_path: Path) -> None:
    """``import cekura_wrapper``, its public names, ``cekura-ws --help`` and the testing commands'
    ``--help`` work without the extra, and none of them even tries to import it (one process)."""
    code = textwrap.dedent(
        """
        import contextlib, io
        import cekura_wrapper
        [getattr(cekura_wrapper, name) for name in cekura_wrapper.__all__]
        from cekura_wrapper.cli import main
        for args in (["--help"], ["emulator", "--help"], ["agent", "--help"], ["demo", "--help"]):
            shown = io.StringIO()
            with contextlib.redirect_stdout(shown):
                try:
                    main.main(args, prog_name="cekura-ws")
                except SystemExit as exc:
                    code = exc.code
            print(args[0], code, "Usage: cekura-ws" in shown.getvalue())
        """
    )
    done = run([sys.executable, "-c", code], core_only, tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.splitlines() == [
        "--help 0 True",
        "emulator 0 True",
        "agent 0 True",
        "demo 0 True",
    ]


def test_the_pytest_plugin_loads_without_the_extra_and_its_fixtures_say_what_to_install(
    core_only: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "test_user.py").write_text(
        textwrap.dedent(
            """
            import sys

            def test_without_fixtures():
                assert "cekura_wrapper.testing.pytest_plugin" in sys.modules

            def test_emulator(cekura_emulator):
                pass

            def test_client(cekura_client):
                pass

            def test_agent(cekura_agent):
                pass
            """
        ),
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"]
    done = run(command, core_only, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 passed, 3 errors" in done.stdout
    assert done.stdout.count(INSTALL_COMMAND) >= 3  # each failed setup names the command
