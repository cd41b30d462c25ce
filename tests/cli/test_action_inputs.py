"""The Action's inputs as cekura-ws arguments (``cekura_wrapper.cli.action``), and errors that end a
command before any verdict as GitHub sees them (``cekura_wrapper.cli.github_errors``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_helpers import invoke

from cekura_wrapper.cli import action
from cekura_wrapper.cli.action import env_name, invocation
from cekura_wrapper.cli.github_errors import MAX_PROBLEMS, error_summary, report_error
from cekura_wrapper.cli.inputs import InputError


def given(**inputs: str) -> dict[str, str]:
    return {env_name(name.replace("_", "-")): value for name, value in inputs.items()}


def test_each_input_becomes_its_flag_and_empty_ones_add_nothing() -> None:
    call = invocation(
        given(
            batch_file="suite.yaml",
            frequency=" 2 ",
            agent="",
            fail_under="90%",
            timeout="600",
            junit="reports/cekura.xml",
            concurrency="4",
            max_runs="50",
            preflight="true",
            keep_running="true",
            allow_private_urls="true",
            summary="false",
            project_id="42",
            share_links="7",
        )
    )

    assert call.args == (
        "run", "--wait", "--batch", "suite.yaml", "--frequency", "2", "--fail-under", "90%", "--timeout", "600",
        "--junit", "reports/cekura.xml", "--concurrency", "4", "--max-runs", "50", "--project-id", "42",
        "--share-links", "7", "--preflight",
        "--keep-running", "--allow-private-urls", "--no-summary",
    )  # fmt: skip
    assert call.environ == {}


def test_false_and_empty_switches_add_nothing_but_summary_false() -> None:
    switches = ("preflight", "keep_running", "allow_private_urls", "summary")
    assert invocation(given(**dict.fromkeys(switches, "false"))).args == ("run", "--wait", "--no-summary")
    assert invocation(given(**dict.fromkeys(switches, ""))).args == ("run", "--wait")
    assert invocation({}).args == ("run", "--wait")


def test_scenarios_are_lines_and_args_are_split_without_a_shell() -> None:
    call = invocation(
        given(
            scenarios="\n 101=wss://a.example.com/x  \n# 102=wss://skipped/\n\n103=wss://b.example.com/$(id)\n",
            args="--lookup-window '30' --preflight-timeout \"$(id)\" ; `id`",
        )
    )

    assert call.args == (
        "run", "--wait", "--scenario", "101=wss://a.example.com/x", "--scenario", "103=wss://b.example.com/$(id)",
        "--lookup-window", "30", "--preflight-timeout", "$(id)", ";", "`id`",
    )  # fmt: skip


def test_only_given_credentials_are_set_for_cekura_ws() -> None:
    assert invocation(given(api_key="k", base_url="", websocket_secret="s")).environ == {
        "CEKURA_API_KEY": "k",
        "CEKURA_WEBSOCKET_SECRET": "s",
    }
    assert invocation(given(api_key="", base_url="", websocket_secret="")).environ == {}


def test_every_bad_input_is_named_at_once() -> None:
    with pytest.raises(InputError) as caught:
        invocation(
            given(
                preflight="yes", summary="True", keep_running="1", args="'open", allow_private_urls="x" * 99
            )
        )

    assert [str(problem) for problem in caught.value.problems] == [
        "input preflight: must be true or false, got 'yes'",
        "input keep-running: must be true or false, got '1'",
        f"input allow-private-urls: must be true or false, got '{'x' * 37}...'",
        "input summary: must be true or false, got 'True'",
        "input args: cannot be split into arguments: No closing quotation",
    ]


def test_main_reports_bad_inputs_to_github_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    for name, value in github.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(SystemExit) as stopped:
        action.main(given(preflight="maybe\n::warning::injected"))
    with pytest.raises(SystemExit):
        action.main(given(preflight="no", summary="false"))

    assert stopped.value.code == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("::error title=cekura-ws%3A invalid input; nothing was sent (exit 2)::")
    assert all(line.startswith("::error ") for line in out), out  # the line break stayed escaped
    assert summary.read_text(encoding="utf-8").count("## Cekura websocket runs: ❌ FAILED") == 1
    assert outputs.read_text(encoding="utf-8") == "passed=false\npassed=false\n"


def test_main_runs_cekura_ws_with_the_credentials_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CEKURA_API_KEY", "the-jobs-key")  # restored after the test
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "false")

    with pytest.raises(SystemExit) as stopped:
        action.main(given(api_key="from-the-input", frequency="0", scenarios="101=wss://a.example.com/"))

    assert stopped.value.code == 2  # cekura-ws itself refused frequency 0
    assert os.environ["CEKURA_API_KEY"] == "from-the-input"
    assert "from-the-input" not in capsys.readouterr().err


def test_the_error_summary_is_bounded_and_escaped() -> None:
    problems = [f"scenarios[{n}]: <b>bad</b> | wss://u:p@h/?t=1" for n in range(MAX_PROBLEMS + 5)]

    text = error_summary(2, "2 problems <script>", problems, advice="fix | it")

    assert text.startswith("## Cekura websocket runs: ❌ FAILED\n\ncekura-ws exited 2: invalid input")
    assert "<script>" not in text and "<b>" not in text and "u:p@" not in text and "t=1" not in text
    assert text.count("\n- ") == MAX_PROBLEMS + 1 and "*5 more problems*" in text
    assert "fix \\| it" in text


def test_report_error_writes_only_where_github_says(tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"

    outside = report_error(3, "boom", environ={})
    quiet = report_error(
        3,
        "boom",
        step_summary=False,
        environ={
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(outputs),
        },
    )
    unwritable = report_error(
        3, "boom", environ={"GITHUB_STEP_SUMMARY": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path)}
    )

    assert outside == [] and unwritable == []
    assert quiet == ["::error title=cekura-ws%3A API%2C auth or connection error (exit 3)::boom"]
    assert not summary.exists() and outputs.read_text(encoding="utf-8") == "passed=false\n"


def test_cli_errors_without_a_verdict_reach_github(tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    github = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}

    bad_url = invoke(["run", "--wait", "--scenario", "101=http://x/", "--frequency", "1"], env=github)
    usage = invoke(["run", "--wait", "--frequency", "zero", "--no-summary"], env=github)
    no_key = invoke(
        ["run", "--wait", "--scenario", "101=wss://a.example.com/", "--frequency", "1", "--json"],
        env={**github, "CEKURA_API_KEY": None},
    )

    assert (bad_url.exit_code, usage.exit_code, no_key.exit_code) == (2, 2, 2)
    assert "--scenario #1" in bad_url.stdout and bad_url.stdout.startswith("::error title=cekura-ws")
    assert usage.stdout.startswith("::error ") and "'zero' is not a valid integer" in usage.stdout
    assert "no Cekura API key" in no_key.stderr and no_key.stderr.count("::error ") == 1
    assert (
        summary.read_text(encoding="utf-8").count("❌ FAILED") == 2
    )  # --no-summary kept the usage error out
    assert outputs.read_text(encoding="utf-8") == "passed=false\n" * 3
