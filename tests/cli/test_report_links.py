"""Reports a reviewer acts on: suites named by group everywhere, each result linked to its
dashboard page (``--project-id``), opt-in shareable links, and Cekura's own analysis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import FAST_POLLS, invoke
from fault_server import FaultServer, Reply, result, result_path
from markdown_it import MarkdownIt
from openapi_check import assert_matches_spec

from cekura_wrapper import (
    AsyncCekuraClient,
    CekuraClient,
    Result,
    ShareLink,
    UnreadableResponseError,
    ValidationError,
    dashboard_url,
)
from cekura_wrapper._links import expire_at, safe_link
from cekura_wrapper.cli.links import HOW_TO_LINK, ReportLinks
from cekura_wrapper.cli.summary import markdown_summary
from cekura_wrapper.cli.verdict import judge
from cekura_wrapper.testing import AgentThread, CekuraEmulator

SHARE = "/test_framework/v1/results/{}/create_shareable_link_token/"


def suite_file(tmp_path: Path, good: str, bad: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(
        f"""groups:
  - {{name: smoke, frequency: 1, scenarios: [{{scenario: 101, websocket_url: "{good}"}}]}}
  - {{name: regression, frequency: 2, scenarios: [{{scenario: 102, websocket_url: "{bad}"}}]}}
""",
        encoding="utf-8",
    )
    return path


def github_files(tmp_path: Path) -> dict[str, str]:
    return {
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
        "GITHUB_ACTIONS": "true",
    }


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


def test_a_suite_names_its_groups_and_links_each_result_in_every_report(
    tmp_path: Path, emulator: CekuraEmulator, helpful: AgentThread
) -> None:
    with AgentThread("closes-mid-conversation") as bad:
        good = helpful
        path = suite_file(tmp_path, good.url, bad.url)
        junit = tmp_path / "junit.xml"
        run = invoke(
            ["run", "--batch", str(path), "--wait", *FAST_POLLS, "--junit", str(junit), "--json"],
            emulator=emulator,
            env={**github_files(tmp_path), "CEKURA_PROJECT_ID": "42"},
        )
    assert run.exit_code == 1, run.output
    document = json.loads(run.stdout)
    ids = {group["name"]: group["result_id"] for group in document["groups"]}
    # The same top-level keys as a single result, the same count names in the groups.
    assert document["result_ids"] == [ids["smoke"], ids["regression"]]
    assert (document["total_runs"], document["passed_runs"], document["pass_rate"]) == (3, 1, 1 / 3)
    assert document["passed"] is False
    regression = document["groups"][1]
    assert "success_runs" not in regression
    assert (regression["passed_runs"], regression["total_runs"], regression["pass_rate"]) == (0, 2, 0.0)
    assert regression["dashboard_url"] == f"https://dashboard.cekura.ai/42/results/{ids['regression']}"

    assert json.loads(outputs(tmp_path / "output")["groups"]) == {
        "smoke": {"passed": True, "result_id": ids["smoke"]},
        "regression": {"passed": False, "result_id": ids["regression"]},
    }
    summary = (tmp_path / "step_summary.md").read_text(encoding="utf-8")
    assert f"| smoke | {ids['smoke']} | passed | 1 / 1 |" in summary
    assert f"| regression | {ids['regression']} | failed | 0 / 2 |" in summary
    assert f"[dashboard](https://dashboard.cekura.ai/42/results/{ids['smoke']})" in summary
    assert f"| regression ({ids['regression']}) | " in summary  # the failed runs' rows
    assert "### Cekura's analysis" in summary and f"#### regression (result {ids['regression']})" in summary
    assert HOW_TO_LINK not in summary
    annotations = [line for line in run.stderr.splitlines() if line.startswith("::error ")]
    assert annotations and all(
        f"group regression (result {ids['regression']})" in line for line in annotations
    )
    assert (
        f"result {ids['regression']} (regression) on Cekura: https://dashboard.cekura.ai/42/results/"
        in run.stderr
    )

    suites = {suite.get("name"): suite for suite in ET.parse(junit).getroot()}
    properties = {
        prop.get("name"): prop.get("value")
        for prop in suites[f"regression (result {ids['regression']})"].iter("property")
    }
    assert properties["group"] == "regression"
    assert properties["dashboard_url"] == f"https://dashboard.cekura.ai/42/results/{ids['regression']}"


def test_without_a_project_id_the_summary_says_how_to_get_links(
    tmp_path: Path, emulator: CekuraEmulator, helpful: AgentThread
) -> None:
    agent = helpful
    summary = tmp_path / "summary.md"
    run = invoke(
        [
            "run",
            "--scenario",
            f"101={agent.url}",
            "--frequency",
            "1",
            "--wait",
            *FAST_POLLS,
            "--summary",
            str(summary),
            "--json",
        ],
        emulator=emulator,
        env={"CEKURA_PROJECT_ID": None},
    )
    assert run.exit_code == 0, run.output
    document = json.loads(run.stdout)
    assert document["dashboard_url"] is None and "share_link" not in document
    assert document["result_ids"] == [document["result_id"]]
    assert document["passed_runs"] == 1 and "success_runs" not in document
    text = summary.read_text(encoding="utf-8")
    assert text.count(HOW_TO_LINK) == 1
    assert "<a " not in MarkdownIt("commonmark").enable("table").render(text)
    assert "dashboard.cekura.ai/" not in run.stderr


def test_a_bad_project_id_is_refused_before_any_request(tmp_path: Path, emulator: CekuraEmulator) -> None:
    env = {
        **os.environ,
        "CEKURA_API_KEY": emulator.api_key,
        "CEKURA_BASE_URL": emulator.base_url,
        "CEKURA_PROJECT_ID": "my-project",
    }
    process = subprocess.run(
        [sys.executable, "-m", "cekura_wrapper", "status", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    flag = invoke(["watch", "1", "--project-id", "0", "--json"], emulator=emulator)
    assert emulator.requests == []
    assert process.returncode == 2
    assert "CEKURA_PROJECT_ID" in process.stderr and "'my-project'" in process.stderr
    assert flag.exit_code == 2
    assert "--project-id" in json.loads(flag.stdout)["message"]


def test_status_and_compare_link_their_results(
    tmp_path: Path, emulator: CekuraEmulator, helpful: AgentThread
) -> None:
    agent = helpful
    first = invoke(
        ["run", "--scenario", f"101={agent.url}", "--frequency", "1", "--wait", *FAST_POLLS, "--json"],
        emulator=emulator,
    )
    second = invoke(
        ["run", "--scenario", f"101={agent.url}", "--frequency", "1", "--wait", *FAST_POLLS, "--json"],
        emulator=emulator,
    )
    new, old = json.loads(second.stdout)["result_id"], json.loads(first.stdout)["result_id"]
    status = invoke(["status", str(new), "--project-id", "7", "--json"], emulator=emulator)
    compared = invoke(
        [
            "compare",
            str(new),
            str(old),
            "--project-id",
            "7",
            "--summary",
            str(tmp_path / "c.md"),
            "--json",
        ],
        emulator=emulator,
    )
    assert json.loads(status.stdout)["dashboard_url"] == dashboard_url(new, 7)
    assert f"on Cekura: {dashboard_url(new, 7)}" in status.stderr
    document = json.loads(compared.stdout)
    assert (document["dashboard_url"], document["baseline_dashboard_url"]) == (
        dashboard_url(new, 7),
        dashboard_url(old, 7),
    )
    assert f"[dashboard]({dashboard_url(old, 7)})" in (tmp_path / "c.md").read_text(encoding="utf-8")


def test_share_links_from_the_emulator_reach_the_reports(
    tmp_path: Path, emulator: CekuraEmulator, helpful: AgentThread
) -> None:
    agent = helpful
    summary = tmp_path / "summary.md"
    run = invoke(
        [
            "run",
            "--scenario",
            f"101={agent.url}",
            "--frequency",
            "1",
            "--wait",
            *FAST_POLLS,
            "--share-links",
            "7",
            "--summary",
            str(summary),
            "--json",
        ],
        emulator=emulator,
    )
    document = json.loads(run.stdout)
    shares = [r for r in emulator.requests if r.path == SHARE.format(document["result_id"])]
    assert run.exit_code == 0, run.output
    assert [(r.method, r.status) for r in shares] == [("POST", 200)]
    link = document["share_link"]
    assert link.startswith("https://dashboard.cekura.ai/shared/")
    text = summary.read_text(encoding="utf-8")
    assert f"[share link]({link})" in text
    assert "Anyone with a share link can open that result's transcripts until" in text
    assert f"{link}" in run.stderr


def test_share_links_are_off_by_default(
    tmp_path: Path, emulator: CekuraEmulator, helpful: AgentThread
) -> None:
    agent = helpful
    run = invoke(
        ["run", "--scenario", f"101={agent.url}", "--frequency", "1", "--wait", *FAST_POLLS],
        emulator=emulator,
    )
    assert run.exit_code == 0, run.output
    assert not [r for r in emulator.requests if "shareable" in r.path]


def test_a_failed_share_request_is_not_resent_and_the_verdict_stands(
    tmp_path: Path, server: FaultServer
) -> None:
    done = result(status="completed", total="1", done="1", success="1")
    server.default("GET", result_path(4242), Reply(200, done))
    server.default("POST", SHARE.format(4242), Reply(500, {"detail": "boom"}))
    run = invoke(
        [
            "watch",
            "4242",
            *FAST_POLLS,
            "--share-links",
            "3",
            "--summary",
            str(tmp_path / "s.md"),
            "--json",
        ],
        api_key="k" * 20,
        base_url=server.url,
    )
    sent = server.received("POST", SHARE.format(4242))
    assert run.exit_code == 0, run.output
    assert len(sent) == 1
    assert json.loads(run.stdout)["share_link"] is None
    assert "No share link for result 4242" in run.stderr
    assert "No share link for result 4242" in (tmp_path / "s.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ({"token": "t", "shareable_link": "https://dashboard.cekura.ai/shared/abc?t=1"}, True),
        ({"token": "t", "shareable_link": "http://dashboard.cekura.ai/shared/abc"}, False),
        ({"token": "t", "shareable_link": "https://evil.example/shared/abc"}, False),
        ({"token": "t", "shareable_link": "https://cekura.ai.evil.example/x"}, False),
        ({"token": "t", "shareable_link": "https://user:pw@dashboard.cekura.ai/x"}, False),
        ({"token": "t", "shareable_link": "https://dashboard.cekura.ai/x)[y](z"}, False),
        ({"token": "t", "shareable_link": "https://dashboard.cekura.ai/" + "a" * 600}, False),
        ({"token": "t"}, False),
    ],
)
def test_the_client_keeps_only_a_safe_share_link(answer: Any, kept: bool, server: FaultServer) -> None:
    wall = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    server.queue("POST", SHARE.format(5), Reply(200, answer))
    with CekuraClient("k" * 20, base_url=server.url)._set_time(wall=lambda: wall) as client:
        share = client.create_share_link(5, 7)
    (sent,) = server.received("POST", SHARE.format(5))
    assert sent.json() == {"expire_at": "2026-12-08T12:00:00+00:00"}
    if kept:
        assert share == ShareLink(5, answer["shareable_link"], "2026-12-08T12:00:00+00:00")
    else:
        assert share is None


def test_a_share_answer_that_is_not_an_object_is_an_unreadable_response(server: FaultServer) -> None:
    server.queue("POST", SHARE.format(5), Reply(200, ["not", "an", "object"]))
    with CekuraClient("k" * 20, base_url=server.url) as client, pytest.raises(UnreadableResponseError):
        client.create_share_link(5, 7)
    assert len(server.received("POST", SHARE.format(5))) == 1


async def test_the_async_client_makes_share_links_and_checks_its_arguments_first(server: FaultServer) -> None:
    server.queue(
        "POST", SHARE.format(9), Reply(200, {"token": "t", "shareable_link": "https://x.cekura.ai/s/t"})
    )
    async with AsyncCekuraClient("k" * 20, base_url=server.url) as client:
        share = await client.create_share_link(9, 1)
        for bad in (0, 366, True):
            with pytest.raises(ValidationError, match="expires_in_days"):
                await client.create_share_link(9, bad)
        with pytest.raises(ValidationError, match="result_id"):
            await client.create_share_link(0, 1)
    assert len(server.received("POST", SHARE.format(9))) == 1
    assert share is not None and share.url == "https://x.cekura.ai/s/t"


def test_dashboard_urls_are_built_from_positive_integers_only() -> None:
    assert dashboard_url(12, 3) == "https://dashboard.cekura.ai/3/results/12"
    for project in (0, -1, "3", True, 1.5):
        with pytest.raises(ValueError, match="project_id"):
            dashboard_url(12, project)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="result_id"):
        dashboard_url(0, 3)
    assert safe_link("javascript:alert(1)") is None
    assert expire_at(1, datetime(2026, 1, 31, 23, 30, tzinfo=UTC)) == "2026-02-01T23:30:00+00:00"


HOSTILE = "[click](https://evil.example/?k=SECRET) **bold** <img src=x> `code` | cell\n## heading "


def test_cekuras_analysis_is_bounded_and_escaped_in_the_summary() -> None:
    payload = {
        "id": 77,
        "status": "completed",
        "total_runs_count": "2",
        "completed_runs_count": "2",
        "success_runs_count": "0",
        "failed_runs_count": "2",
        "runs": {},
        "ai_summary": {"what_happened": HOSTILE * 200, "why_it_happened": HOSTILE, "how_to_fix": None},
        "failed_reasons": {
            "issues": [
                {"rank": n, "description": f"reason {n} {HOSTILE}", "affected_count": 30 - n}
                for n in range(1, 16)
            ],
            "total_failed_runs": 2,
        },
    }
    result = Result.from_payload(payload)
    markdown = markdown_summary(judge([result], None), [result], links=ReportLinks(project_id=5))
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    assert html.count("<a ") == 1 and 'href="https://dashboard.cekura.ai/5/results/77"' in html
    for tag in ("<img", "<strong>", "<code>", "<h2>heading"):
        assert tag not in html
    assert "evil.example/?k=\\*\\*\\*" in markdown  # URLs masked (and escaped) like all outside text
    summary_line = next(line for line in markdown.splitlines() if line.startswith("- Summary: "))
    assert len(summary_line) < 1000
    reasons = [line for line in markdown.splitlines() if line.startswith("| reason ")]
    assert [line.split()[2] for line in reasons] == [str(n) for n in range(1, 11)]  # ranked, at most 10
    assert "| 5 more reasons | |" in markdown


def test_the_emulators_share_answers_match_the_spec(
    tmp_path: Path, emulator: CekuraEmulator, helpful: AgentThread
) -> None:
    import httpx

    agent = helpful
    ran = invoke(["run", "--scenario", f"101={agent.url}", "--frequency", "1", "--json"], emulator=emulator)
    path = SHARE.format(json.loads(ran.stdout)["result_id"])
    headers = {"X-CEKURA-API-KEY": emulator.api_key}
    answers = []
    with httpx.Client(base_url=emulator.base_url, headers=headers, timeout=10) as http:
        for body in (
            {"expire_at": "2026-12-08T12:00:00+00:00"},
            {"expire_at": None},
            {"expire_at": "soon"},
        ):
            response = http.post(path, json=body)
            assert_matches_spec("POST", path, response, body)
            answers.append(response)
        missing = http.post(SHARE.format(999), json={})
    assert [answer.status_code for answer in answers] == [200, 200, 400]
    assert answers[0].json()["token"] != answers[1].json()["token"]  # a new link on every call
    assert "expire_at" in answers[2].json()
    assert missing.status_code == 404


def test_a_skipped_group_has_its_row_and_its_planned_runs() -> None:
    from cekura_wrapper import GroupOutcome, Submission, SuiteResult
    from cekura_wrapper.cli.github import step_outputs
    from cekura_wrapper.cli.groups import group_rows
    from cekura_wrapper.cli.suite import suite_verdict

    done = Result.from_payload(
        {"id": 5, "status": "completed", "total_runs_count": "1", "success_runs_count": "1", "runs": {}}
    )
    submission = Submission.from_payload({"id": 5, "status": "running", "runs": []}, planned_runs=1)
    suite = SuiteResult(
        (
            GroupOutcome("smoke", "passed", submission=submission, result=done, runs=1),
            GroupOutcome("nightly | soak", "skipped", runs=4),
        ),
        stopped="timeout",
    )
    verdict = suite_verdict(suite, None)
    rows = group_rows(suite, None)
    markdown = markdown_summary(verdict, suite.results, groups=rows)
    assert "| smoke | 5 | passed | 1 / 1 |" in markdown
    assert "| nightly \\| soak | - | skipped | 0 / 4 | - | - | - |" in markdown
    assert json.loads(step_outputs(verdict, rows)["groups"]) == {
        "smoke": {"passed": True, "result_id": 5},
        "nightly | soak": {"passed": False, "result_id": None},
    }
    assert step_outputs(verdict)["total_runs"] == "5"
    assert "groups" not in step_outputs(verdict)


def test_share_links_need_wait_and_nothing_is_sent_without_it(emulator: CekuraEmulator) -> None:
    run = invoke(
        ["run", "--scenario", "101=wss://a.example.com/x", "--frequency", "1", "--share-links", "3"],
        emulator=emulator,
    )
    assert emulator.requests == []
    assert run.exit_code == 2
    assert "--share-links needs --wait" in run.stderr
