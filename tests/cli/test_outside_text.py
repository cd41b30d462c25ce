"""Issue 23, findings 1-4: text from a server or a file is data, never a workflow command, markup,
a live link or the key. Each test plays the hostile server (``FaultServer`` on 127.0.0.1) or file
and runs the real ``cekura-ws`` in a subprocess, as a CI job would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke
from fault_server import RUN_PATH, FaultServer, Reply, created, result, result_path
from markdown_it import MarkdownIt

from cekura_wrapper import CekuraClient, ServerError

KEY = "sk-live/abc123-OUTSIDE"
SECRET = "ws-secret-OUTSIDE-42"
FORGED = (
    "x\n::error title=FORGED::forged\n::stop-commands::tok\n::add-mask::hide\r::warning::w ##[error]legacy"
)
END_PATH = "/test_framework/v1/results/4242/end_calls/"
#: The key in every encoding a server might echo it in.
ENCODED_KEYS = (
    KEY,
    KEY.replace("/", "\\/"),
    "".join(f"\\u{ord(character):04x}" for character in KEY),
    urllib.parse.quote(KEY, safe=""),
)


def cli(
    server: FaultServer, *args: str, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``cekura-ws ARGS`` in a subprocess on a GitHub Actions runner, against ``server``."""
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "CEKURA_"))
    }
    environment |= {
        "CEKURA_API_KEY": KEY,
        "CEKURA_WEBSOCKET_SECRET": SECRET,
        "CEKURA_BASE_URL": server.url,
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "COLUMNS": "200",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "cekura_wrapper", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def in_process(server: FaultServer, *args: str, env: Mapping[str, str] | None = None) -> Any:
    """Like ``cli``, in this process (faster; the same code path)."""
    environment = {"CEKURA_WEBSOCKET_SECRET": SECRET, "GITHUB_ACTIONS": "true", "CI": "true", **(env or {})}
    return invoke(list(args), api_key=KEY, base_url=server.url, env=environment)


def exit_code(done: Any) -> int:
    return int(done.returncode if isinstance(done, subprocess.CompletedProcess) else done.exit_code)


def command_lines(text: str) -> list[str]:
    """Every line a GitHub runner reads as a workflow command (it splits at \\r and \\n and trims)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line.strip() for line in lines if line.strip().startswith("::") or "##[" in line]


def hostile_result(status: str, text: str) -> dict[str, Any]:
    body = result(4242, status, total="1", done="1", success="0")
    body["runs"] = {
        "9000": {
            "id": 9000,
            "scenario": 101,
            "scenario_name": text,
            "status": "completed",
            "success": False,
            "error_message": text,
        }
    }
    return body


def test_finding_1_no_outside_line_starts_a_workflow_command(server: FaultServer) -> None:
    server.default("GET", result_path(4242), Reply(200, hostile_result("completed", FORGED)))
    server.default("GET", result_path(4243), Reply(200, result(4243, FORGED)))
    server.default("POST", END_PATH, Reply(500, {"detail": FORGED}))
    outputs = [
        in_process(server, "status", "4242"),
        in_process(server, "status", "4243"),
        in_process(server, "status", "4243", "--json"),
        cli(server, "watch", "4242", "--poll-interval", "0.01"),
        in_process(server, "stop", "4242"),
        in_process(server, "stop", "4242", "--json"),
    ]

    assert [exit_code(done) for done in outputs] == [1, 0, 0, 1, 3, 3], [done.stderr for done in outputs]
    for done in outputs:
        commands = command_lines(done.stdout) + command_lines(done.stderr)
        # watch prints its own annotation for the failed run (escaped); nothing else is a command.
        assert all(line.startswith("::error title=Cekura run 9000 did not pass::") for line in commands), (
            commands
        )
        assert all("##[" not in line for line in commands)
    printed = "".join(done.stdout + done.stderr for done in outputs)
    assert "::stop-commands::" in printed  # shown, as text, never at the start of a line
    assert (
        "is still x\\n::error title=forged::forged\\n::stop-commands" in outputs[1].stderr
    )  # statuses are lower-cased


def test_finding_2_rich_markup_in_statuses_and_group_names_is_text(
    server: FaultServer, tmp_path: Path
) -> None:
    suite = tmp_path / "suite.yaml"
    suite.write_text(
        "groups:\n"
        "  - name: 'a[/]'\n    frequency: 1\n    scenarios: [{scenario: 101, websocket_url: 'ws://127.0.0.1:9/a'}]\n"
        "  - name: 'smoke [bold]'\n    frequency: 1\n    scenarios: [{scenario: 101, websocket_url: 'ws://127.0.0.1:9/b'}]\n"
    )
    planned = in_process(server, "plan", "--batch", str(suite))
    assert planned.exit_code == 0, planned.stderr
    assert "a[/]" in planned.stdout and "smoke [bold]" in planned.stdout

    server.default("POST", RUN_PATH, Reply(201, created(4242, runs=1)))
    server.default("GET", result_path(4242), Reply(200, result(4242, "cancelled[/x]", total="1")))
    outputs = tmp_path / "outputs"
    ran = cli(
        server,
        *("run", "--batch", str(suite), "--wait", "--timeout", "1"),
        *("--poll-interval", "0.05", "--max-poll-interval", "0.1"),
        env={"GITHUB_OUTPUT": str(outputs)},
    )
    assert ran.returncode == 4, ran.stderr  # the wait timed out: exit 4, no traceback
    assert "Traceback" not in ran.stderr and "cancelled[/x]" in ran.stdout + ran.stderr
    assert "passed=false" in outputs.read_text()


def test_finding_3_the_job_summary_cannot_form_links_images_or_emphasis(
    server: FaultServer, tmp_path: Path
) -> None:
    message = "[Re-run](https://evil.example/login) ![x](https://evil.example/x.png) **URGENT** <b>hi</b> | a@evil.example www.evil.example"
    server.default("GET", result_path(4242), Reply(200, hostile_result("completed", message)))
    summary = tmp_path / "summary.md"
    done = cli(server, "watch", "4242", "--summary", str(summary), "--poll-interval", "0.01")

    assert done.returncode == 1, done.stderr
    html = MarkdownIt("commonmark").enable("table").enable("strikethrough").render(summary.read_text())
    for tag in ("<a ", "<img", "<strong>", "<em>", "<b>", "<code>"):
        assert tag not in html, tag
    text = summary.read_text()
    assert "https://" not in text and "www.evil" not in text and "a@evil" not in text  # no GitHub autolink
    rows = [line for line in text.splitlines() if "URGENT" in line]
    assert rows and all(row.count(" | ") + row.count("| ") >= 4 for row in rows)
    assert "Re-run" in html and "URGENT" in html  # shown, as text


@pytest.mark.parametrize("encoded", ENCODED_KEYS, ids=["plain", "json-slash", "json-unicode", "percent"])
def test_finding_4_the_key_in_an_error_body_is_removed_in_every_encoding(
    server: FaultServer, encoded: str
) -> None:
    body = ('{"error": "bad key ' + encoded + '"}').encode()
    server.default("GET", result_path(4242), Reply(500, body=body))

    with (
        CekuraClient(KEY, base_url=server.url, max_retries=0) as client,
        pytest.raises(ServerError) as caught,
    ):
        client.get_result(4242)
    for shown in (str(caught.value), caught.value.body):
        assert all(form not in shown for form in ENCODED_KEYS) and "[redacted]" in shown
    done = in_process(server, "status", "4242", "--json", "--max-retries", "0")
    assert done.exit_code == 3
    assert all(form not in done.stdout + done.stderr for form in ENCODED_KEYS)
    assert "[redacted]" in json.loads(done.stdout)["message"] and "[redacted]" in done.stderr


def test_finding_4_the_cli_prints_no_form_of_the_key_from_an_error_body(server: FaultServer) -> None:
    body = ('{"error": "bad key ' + " ".join(ENCODED_KEYS) + '"}').encode()
    server.default("GET", result_path(4242), Reply(500, body=body))
    done = cli(server, "status", "4242", "--max-retries", "0")
    assert done.returncode == 3
    assert all(form not in done.stdout + done.stderr for form in ENCODED_KEYS), done.stderr
    assert done.stderr.count("[redacted]") == len(ENCODED_KEYS)


def test_finding_4_the_key_in_a_run_is_kept_out_of_every_report(server: FaultServer, tmp_path: Path) -> None:
    text = f"agent said {KEY} and {urllib.parse.quote(KEY, safe='')} and {SECRET}"
    server.default("GET", result_path(4242), Reply(200, hostile_result("completed", text)))
    junit, summary, step = tmp_path / "j.xml", tmp_path / "s.md", tmp_path / "step.md"
    done = cli(
        server,
        *("watch", "4242", "--junit", str(junit), "--summary", str(summary), "--poll-interval", "0.01"),
        env={"GITHUB_STEP_SUMMARY": str(step)},
    )
    also = in_process(server, "watch", "4242", "--json", "--poll-interval", "0.01")

    assert done.returncode == 1 and also.exit_code == 1
    everything = done.stdout + done.stderr + also.stdout + also.stderr
    everything += junit.read_text() + summary.read_text() + step.read_text()
    for secret in (KEY, urllib.parse.quote(KEY, safe=""), SECRET):
        assert secret not in everything
    assert everything.count("[redacted]") >= 10
