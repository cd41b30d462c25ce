"""``cekura-ws compare``: scripted results on a stand-in server, and a real regression on the
emulator through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke
from fault_server import FaultServer, Reply, result_path

from cekura_wrapper import CekuraClient, Result, compare
from cekura_wrapper.cli.comparison_report import MAX_NAME, MAX_SUMMARY_ROWS, markdown_comparison
from cekura_wrapper.testing import AgentThread, CekuraEmulator

URL = "wss://agent.example.com/chat?token=s3cret"


def batch(
    result_id: int,
    *targets: tuple[int, int, int],
    url: str | None = URL,
    status: str = "completed",
    name: str = "",
) -> dict[str, Any]:
    """A result with ``passed`` of ``total`` runs passing per (scenario, passed, total)."""
    runs: dict[str, Any] = {}
    for scenario, passed, total in targets:
        for n in range(total):
            run_id = 1000 * result_id + len(runs)
            runs[str(run_id)] = {
                "id": run_id,
                "scenario": scenario,
                "scenario_name": name or f"Scenario {scenario}",
                "status": "completed",
                "success": n < passed,
                **({"websocket_url": url} if url is not None else {}),
            }
    return {"id": result_id, "status": status, "total_runs_count": str(len(runs)), "runs": runs}


def compare_ids(server: FaultServer, new: dict[str, Any], baseline: dict[str, Any], *args: str) -> Any:
    server.default("GET", result_path(new["id"]), Reply(json=new))
    server.default("GET", result_path(baseline["id"]), Reply(json=baseline))
    return invoke(
        ["compare", str(new["id"]), str(baseline["id"]), *args], api_key="test-key", base_url=server.url
    )


def rows(output: str) -> list[dict[str, Any]]:
    document = json.loads(output)
    assert document["kind"] == "comparison"
    listed: list[dict[str, Any]] = document["rows"]
    return listed


def test_a_clear_regression_fails_naming_the_target() -> None:
    with FaultServer() as server:
        result = compare_ids(server, batch(2, (101, 2, 10)), batch(1, (101, 10, 10)), "--json")
    assert result.exit_code == 1, result.output
    [row] = rows(result.stdout)
    assert row == {
        "scenario": 101,
        "scenario_name": "Scenario 101",
        "websocket_url": "wss://agent.example.com/chat?token=***",
        "baseline_passed": 10,
        "baseline_total": 10,
        "passed": 2,
        "total": 10,
        "difference": pytest.approx(-0.8),
        "p_value": pytest.approx(66 / 184756),
        "verdict": "regressed",
        "interval": [pytest.approx(0.0567, abs=1e-4), pytest.approx(0.5098, abs=1e-4)],
        "baseline_interval": [pytest.approx(0.7225, abs=1e-4), 1.0],
    }
    document = json.loads(result.stdout)
    assert document["exit_code"] == 1 and document["counts"]["regressed"] == 1
    assert document["verdict"] == "1 target regressed: scenario 101 at wss://agent.example.com/chat?token=***"
    assert "s3cret" not in result.output


def test_noise_passes_as_unchanged() -> None:
    with FaultServer() as server:
        result = compare_ids(server, batch(2, (101, 9, 10)), batch(1, (101, 10, 10)))
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.stdout and "10/10" in result.stdout and "9/10" in result.stdout
    assert "PASSED: no target regressed significantly" in result.stderr


def test_new_and_removed_targets_are_listed_and_do_not_fail() -> None:
    with FaultServer() as server:
        result = compare_ids(
            server, batch(2, (101, 10, 10), (105, 0, 3)), batch(1, (101, 10, 10), (104, 3, 3)), "--json"
        )
    assert result.exit_code == 0, result.output
    by_scenario = {row["scenario"]: row for row in rows(result.stdout)}
    assert by_scenario[105]["verdict"] == "new" and by_scenario[105]["baseline_total"] is None
    assert by_scenario[104]["verdict"] == "removed" and by_scenario[104]["total"] is None
    assert by_scenario[101]["verdict"] == "unchanged"
    assert json.loads(result.stdout)["counts"] == {
        "regressed": 0,
        "improved": 0,
        "unchanged": 1,
        "new": 1,
        "removed": 1,
    }


def test_runs_that_name_no_url_are_one_target_and_the_report_says_so() -> None:
    with FaultServer() as server:
        result = compare_ids(server, batch(2, (101, 10, 10), url=None), batch(1, (101, 10, 10), url=None))
        as_json = compare_ids(
            server, batch(2, (101, 10, 10), url=None), batch(1, (101, 10, 10), url=None), "--json"
        )
    assert "do not say which agent URL they talked to: scenario 101 is compared as one" in " ".join(
        result.stderr.split()
    )
    assert rows(as_json.stdout)[0]["websocket_url"] is None


def test_a_new_result_that_did_not_complete_fails_and_one_still_running_is_provisional() -> None:
    with FaultServer() as server:
        cancelled = compare_ids(server, batch(2, (101, 1, 1), status="cancelled"), batch(1, (101, 1, 1)))
        running = compare_ids(server, batch(4, (101, 1, 1), status="running"), batch(3, (101, 1, 1)))
        weak = compare_ids(server, batch(6, (101, 1, 1)), batch(5, (101, 1, 1), status="failed"))
    assert cancelled.exit_code == 1 and "result 2 ended cancelled" in cancelled.stderr
    assert weak.exit_code == 0 and "Baseline 5 ended failed" in weak.stderr
    assert running.exit_code == 0 and "Provisional: result 4 is still running" in running.stderr


def test_alpha_is_a_flag() -> None:
    with FaultServer() as server:
        # 90/100 -> 80/100: p = 0.037, a regression at 0.05, noise at 0.01.
        loose = compare_ids(server, batch(2, (101, 80, 100)), batch(1, (101, 90, 100)))
        strict = compare_ids(server, batch(2, (101, 80, 100)), batch(1, (101, 90, 100)), "--alpha", "0.01")
    assert (loose.exit_code, strict.exit_code) == (1, 0)
    bad = invoke(["compare", "2", "1", "--alpha", "1"], api_key="test-key", base_url="http://127.0.0.1:9")
    assert bad.exit_code == 2 and "--alpha" in bad.stderr


def test_outside_text_is_shown_as_text_in_the_table_and_the_summary(tmp_path: Path) -> None:
    name = "[bold red]Refund[/] | <script>x</script> https://user:pw@evil.example/"
    summary = tmp_path / "reports" / "compare.md"
    with FaultServer() as server:
        result = compare_ids(
            server,
            batch(2, (101, 2, 10), name=name),
            batch(1, (101, 10, 10), name=name),
            "--summary",
            str(summary),
        )
    assert result.exit_code == 1
    assert "[bold red]Refund[/]" in result.stdout  # rich markup printed, not applied
    assert "pw@" not in result.stdout
    markdown = summary.read_text(encoding="utf-8")
    assert markdown.startswith("## Cekura comparison: ❌ FAILED")
    assert "\\| \\<script\\>x\\</script\\>" in markdown and "<script>" not in markdown
    assert "pw@" not in markdown and "s3cret" not in markdown
    assert "| 10/10 | 2/10 | -80.0 pp | 0.0004 | ❌ regressed |" in markdown
    assert f"Markdown summary written to {summary}" in result.stderr


def test_a_summary_path_that_cannot_be_written_is_refused_before_any_request(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    with FaultServer() as server:
        result = invoke(
            ["compare", "2", "1", "--summary", str(tmp_path / "a-file" / "compare.md"), "--json"],
            api_key="test-key",
            base_url=server.url,
        )
        assert server.requests == []
    assert result.exit_code == 2
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["where"] == "--summary" and "a-file is not a directory" in problem["message"]


def test_a_result_that_does_not_exist_is_an_api_error() -> None:
    with FaultServer() as server:
        server.default("GET", result_path(1), Reply(json=batch(1, (101, 1, 1))))
        result = invoke(["compare", "2", "1", "--json"], api_key="test-key", base_url=server.url)
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"] == "NotFoundError"


def test_the_console_script_flags_a_real_regression_on_the_emulator(
    emulator: CekuraEmulator, tmp_path: Path
) -> None:
    script = Path(sys.executable).parent / "cekura-ws"
    if not script.exists():
        pytest.skip("the cekura-ws console script is not installed in this environment")
    polls: dict[str, Any] = {"poll_interval": 0.02, "max_poll_interval": 0.05}
    with CekuraClient(emulator.api_key, base_url=emulator.base_url, **polls) as client:
        # The same agent URL twice: a good agent for the baseline, then a broken one in its place.
        with AgentThread("helpful") as good:
            port, url = good.agent.port, good.url
            baseline = client.run_and_wait([{"scenario": 101, "websocket_url": url}], frequency=10)
        with AgentThread("closes-mid-conversation", port=port) as broken:
            assert broken.url == url
            now = client.run_and_wait([{"scenario": 101, "websocket_url": url}], frequency=10)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
    env |= {"CEKURA_API_KEY": emulator.api_key, "CEKURA_BASE_URL": emulator.base_url}
    completed = subprocess.run(
        [str(script), "compare", str(now.id), str(baseline.id), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    [row] = rows(completed.stdout)
    # Like Cekura's, the emulator's runs do not say which URL they talked to: one target per scenario.
    assert (row["scenario"], row["websocket_url"], row["verdict"]) == (101, None, "regressed")
    assert (row["baseline_passed"], row["baseline_total"], row["passed"], row["total"]) == (10, 10, 0, 10)


def test_a_summary_that_fails_to_write_keeps_the_comparison_s_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with FaultServer() as server:
        result = compare_ids(
            server, batch(2, (101, 9, 10)), batch(1, (101, 10, 10)), "--summary", str(tmp_path / "c.md")
        )
    assert result.exit_code == 0
    assert (
        "could not write the Markdown summary" in result.stderr and "No space left on device" in result.stderr
    )


def test_the_markdown_summary_is_bounded() -> None:
    many = Result.from_payload(
        batch(2, *((scenario, 1, 1) for scenario in range(1, MAX_SUMMARY_ROWS + 6)), url=None, name="x" * 500)
    )
    markdown = markdown_comparison(compare(many, Result.from_payload(batch(1, (1, 1, 1), url=None))), True)
    assert "*5 more targets are left out.*" in markdown
    assert markdown.count("| any (not in Cekura's answer) |") == MAX_SUMMARY_ROWS
    assert "x" * (MAX_NAME - 1) + "…" in markdown and "x" * MAX_NAME not in markdown
    assert "Cekura's runs do not say which agent URL they talked to\\: scenario 1, 2, 3" in markdown
