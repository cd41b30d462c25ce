"""``action.yml`` run step by step as a GitHub runner would (``action_runner``), against the emulator
and real agents on 127.0.0.1: the Pythons it finds or sets up, the cached install, the inputs and
what every way of failing leaves in the outputs, the job summary and the annotations."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from action_runner import Runner, copy_action, evaluate, listing, load_action

from cekura_wrapper.cli.action import env_name
from cekura_wrapper.testing import AgentThread, CekuraEmulator, EmulatorSettings
from cekura_wrapper.testing.caller import CallSettings
from cekura_wrapper.testing.demo import closed_loopback_url

StartAgent = Callable[..., AgentThread]


@pytest.fixture(scope="module")
def action_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_action(tmp_path_factory.mktemp("action") / "cekura-ws")


@pytest.fixture
def runner(tmp_path: Path, action_path: Path) -> Runner:
    return Runner(tmp_path / "machine", action_path, tmp_path / "cache")


def connection(emulator: CekuraEmulator) -> dict[str, str]:
    return {"api-key": emulator.api_key, "base-url": emulator.base_url}


def test_the_action_declares_its_inputs_and_outputs_and_passes_each_input_to_a_step() -> None:
    action = load_action()
    inputs = set(action["inputs"])
    assert action["runs"]["using"] == "composite"
    assert inputs == {
        "api-key", "batch-file", "scenarios", "frequency", "agent", "fail-under", "timeout", "keep-running",
        "preflight", "concurrency", "max-runs", "allow-private-urls", "summary", "junit", "base-url",
        "websocket-secret", "args", "python-version", "allow-env", "project-id", "share-links",
    }  # fmt: skip
    assert set(action["outputs"]) == {
        "passed",
        "result_ids",
        "total_runs",
        "passed_runs",
        "pass_rate",
        "groups",
    }
    steps = {step.get("id"): step for step in action["runs"]["steps"]}
    run_env = steps["run"]["env"]
    assert set(run_env) == {env_name(name) for name in inputs - {"python-version"}} | {"CEKURA_WS_VENV"}
    assert all(run_env[env_name(name)] == f"${{{{ inputs.{name} }}}}" for name in inputs - {"python-version"})
    assert steps["python"]["env"]["CEKURA_WS_PYTHON_VERSION"] == "${{ inputs.python-version }}"
    booleans = {"keep-running", "preflight", "allow-private-urls", "summary"}
    assert {name: action["inputs"][name]["default"] for name in booleans} == {
        "keep-running": "false", "preflight": "false", "allow-private-urls": "false", "summary": "true"
    }  # fmt: skip
    assert all("true or false" in action["inputs"][name]["description"] for name in booleans)


def test_the_passed_output_is_false_unless_the_run_step_said_true() -> None:
    value = load_action()["outputs"]["passed"]["value"]
    assert evaluate(value, {"steps.run.outputs.passed": "true"}) == "true"
    assert evaluate(value, {"steps.run.outputs.passed": "false"}) == "false"
    assert evaluate(value, {}) == "false"  # the step failed before any verdict


def test_a_passing_batch_passes_the_step(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, runner: Runner, tmp_path: Path
) -> None:
    helpful = cekura_agent("helpful").url
    inputs = {
        **connection(cekura_emulator),
        "scenarios": f"101={helpful}\n\n  # a comment\n  102={helpful}  \n",
        "frequency": "2",
        "junit": str(tmp_path / "cekura.xml"),
        "preflight": "true",
    }

    run = runner.run(inputs)

    assert run.code == 0, run.stdout + run.stderr
    assert run.outputs["passed"] == "true"
    assert (run.outputs["total_runs"], run.outputs["passed_runs"], run.outputs["pass_rate"]) == (
        "4",
        "4",
        "1.0000",
    )
    assert re.fullmatch(r"\[\d+\]", run.outputs["result_ids"])
    assert run.summary.startswith("## Cekura websocket runs: ✅ PASSED")
    assert not run.errors
    assert (tmp_path / "cekura.xml").exists()
    assert cekura_emulator.api_key not in run.stdout + run.stderr + run.summary


def test_empty_inputs_leave_the_jobs_own_variables_alone(
    cekura_agent: StartAgent, tmp_path: Path, action_path: Path
) -> None:
    guarded = cekura_agent("helpful", secret="agent-secret").url
    settings = EmulatorSettings(call=CallSettings(secret="agent-secret"))
    with CekuraEmulator(settings=settings) as emulator:
        job_env = {
            "CEKURA_API_KEY": emulator.api_key,
            "CEKURA_BASE_URL": emulator.base_url,
            "CEKURA_WEBSOCKET_SECRET": "agent-secret",  # the pre-flight check needs it
        }
        runner = Runner(tmp_path / "machine", action_path, tmp_path / "cache", job_env=job_env)

        run = runner.run({"scenarios": f"101={guarded}", "frequency": "1", "preflight": "true"})

        assert run.code == 0, run.stdout + run.stderr
        assert run.outputs["passed"] == "true"
        assert [request.method for request in emulator.requests].count("POST") == 1
    assert "agent-secret" not in run.stdout + run.stderr + run.summary


def test_a_failing_batch_fails_the_step_with_annotations_and_a_summary(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, runner: Runner
) -> None:
    dead = closed_loopback_url() + "?token=s3cr3t"
    inputs = {
        **connection(cekura_emulator),
        "scenarios": f"101={cekura_agent('helpful').url}\n102={dead}",
        "frequency": "1",
    }

    run = runner.run(inputs)
    relaxed = runner.run({**inputs, "args": "--fail-under '50%'"})

    assert run.code == 1, run.stdout
    assert (run.outputs["passed"], run.outputs["total_runs"], run.outputs["passed_runs"]) == (
        "false",
        "2",
        "1",
    )
    assert "## Cekura websocket runs: ❌ FAILED" in run.summary and "102" in run.summary
    assert run.errors
    assert "s3cr3t" not in run.stdout + run.summary and "token=\\*\\*\\*" in run.summary  # Markdown-escaped
    assert (relaxed.code, relaxed.outputs["passed"]) == (0, "true")  # args reached cekura-ws, quotes and all


@pytest.mark.parametrize(
    ("inputs", "code", "said"),
    [
        ({"frequency": "abc"}, 2, "'abc' is not a valid integer"),  # cekura-ws's own usage error
        (
            {"args": "--timeout 'unclosed"},
            2,
            "input args: cannot be split into arguments: No closing quotation",
        ),
        ({"api-key": "wrong-key"}, 3, "401 Unauthorized"),
    ],
)
def test_input_and_api_errors_say_passed_false_in_the_summary_and_an_annotation(
    cekura_emulator: CekuraEmulator, runner: Runner, inputs: dict[str, str], code: int, said: str
) -> None:
    given = {**connection(cekura_emulator), "scenarios": "101=wss://agent.example.com/chat", "frequency": "1"}

    run = runner.run(given | inputs)

    assert run.code == code, run.stdout + run.stderr
    assert run.outputs["passed"] == "false"
    assert run.summary.startswith("## Cekura websocket runs: ❌ FAILED")
    assert f"cekura-ws exited {code}" in run.summary
    assert run.errors and f"(exit {code})" in run.errors[0]
    assert said in run.stdout + run.stderr
    assert cekura_emulator.api_key not in run.stdout + run.stderr + run.summary


def test_summary_false_keeps_errors_out_of_the_job_summary_too(
    cekura_emulator: CekuraEmulator, runner: Runner
) -> None:
    inputs = {**connection(cekura_emulator), "scenarios": "101=wss://a.example.com/", "frequency": "2"}

    run = runner.run({**inputs, "max-runs": "1", "summary": "false"})

    assert (run.code, run.outputs["passed"], run.summary) == (2, "false", "")
    assert any("at most 1" in line or "max" in line for line in run.errors), run.errors


HOSTILE = [
    "$(touch {canary})",
    "`touch {canary}`",
    "x; touch {canary}",
    "x' ; touch {canary} ; '",
    '" && touch {canary} && "',
    "x\ntouch {canary}\n",
    "${{IFS}}touch${{IFS}}{canary}",
]


def test_hostile_inputs_run_nothing(cekura_emulator: CekuraEmulator, runner: Runner, tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    hostile = [template.format(canary=canary) for template in HOSTILE]
    texts = ["frequency", "agent", "junit", "fail-under", "timeout", "concurrency", "max-runs", "batch-file"]
    inputs = {name: hostile[number % len(hostile)] for number, name in enumerate(texts)}
    inputs |= {
        **connection(cekura_emulator),
        "scenarios": "\n".join(f"101=wss://a.example.com/{text}" for text in hostile),
        "args": " ".join(hostile[:-2]),  # the last ones: quotes to split, not to run
    }
    switches = ["preflight", "keep-running", "allow-private-urls", "summary"]

    run = runner.run(inputs)
    bad_switches = runner.run({**inputs, **{name: hostile[i] for i, name in enumerate(switches)}})
    sneaky_version = runner.run({**inputs, "python-version": f"3.12{hostile[0]}"})

    assert not canary.exists()
    for each in (run, bad_switches, sneaky_version):
        assert (each.code, each.outputs["passed"]) == (2, "false"), each.stdout + each.stderr
        assert each.errors
    assert len(bad_switches.errors) == 5  # the error, then one per input
    assert not [request for request in cekura_emulator.requests if request.method == "POST"]


def test_a_warm_job_restores_the_install_from_the_cache_and_writes_nothing_into_the_action(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, runner: Runner, action_path: Path
) -> None:
    before = listing(action_path)
    inputs = {
        **connection(cekura_emulator),
        "scenarios": f"101={cekura_agent('helpful').url}",
        "frequency": "1",
    }

    first = runner.run(inputs)
    cold_calls = runner.pip_calls
    second = runner.run(inputs)  # the next job: RUNNER_TEMP emptied, the same path, the cache kept

    assert (first.code, second.code) == (0, 0), first.stdout + first.stderr + second.stdout + second.stderr
    install, *built = cold_calls
    assert install.startswith("-m pip install ")
    assert f"-c {action_path}/constraints.txt" in install
    assert install.split()[-1].startswith(str(first.runner_temp))  # a copy of the sources, not the action
    assert built == ["built from a copy of the sources"]
    assert runner.pip_calls == cold_calls  # no second install
    assert "installed already (restored from the cache)" in second.stdout
    assert second.outputs["passed"] == "true"
    assert listing(action_path) == before
    assert [path.name for path in second.runner_temp.iterdir()] == ["cekura-ws-venv"]  # no copy left


def test_a_new_constraints_file_misses_the_cache(tmp_path: Path, action_path: Path) -> None:
    changed = copy_action(tmp_path / "v2" / "cekura-ws")
    (changed / "constraints.txt").write_text((changed / "constraints.txt").read_text() + "# changed\n")
    inputs = {"scenarios": "101=wss://a.example.com/"}
    old = Runner(tmp_path / "old", action_path, tmp_path / "cache")
    new = Runner(tmp_path / "new", changed, tmp_path / "cache")

    old.run(inputs, tmp_path / "temp", until="save")
    new.run(inputs, tmp_path / "temp", until="save")

    assert (len(old.pip_calls), len(new.pip_calls)) == (2, 2)
    assert len(list((tmp_path / "cache").iterdir())) == 2


def test_a_python_311_or_newer_on_path_is_used_as_it_is(tmp_path: Path, action_path: Path) -> None:
    pythons = {"python3": "3.10.12", "python3.11": "3.11.9"}
    runner = Runner(tmp_path / "machine", action_path, tmp_path / "cache", pythons=pythons)

    run = runner.run({"scenarios": "101=wss://a.example.com/"}, until="install")

    assert run.code == 0
    assert "python3.11 (Python 3.11.9)" in run.stdout
    assert runner.setup_calls == []
    assert (run.runner_temp / "cekura-ws-venv" / "made-by").read_text() == "made by Python 3.11.9\n"


def test_without_python_311_setup_python_sets_one_up_for_cekura_ws_alone(
    tmp_path: Path, action_path: Path
) -> None:
    runner = Runner(tmp_path / "machine", action_path, tmp_path / "cache", pythons={"python3": "3.10.12"})
    inputs = {"scenarios": "101=wss://a.example.com/"}

    run = runner.run(inputs, until="install")
    made_by = (run.runner_temp / "cekura-ws-venv" / "made-by").read_text()
    pinned = runner.run({**inputs, "python-version": "3.13"}, until="install")

    assert (run.code, pinned.code) == (0, 0), run.stdout + run.stderr
    assert "No Python 3.11+ on PATH" in run.stdout
    assert made_by == "made by Python 3.12.0\n"
    assert [call["python-version"] for call in runner.setup_calls] == ["3.12", "3.13"]
    assert (pinned.runner_temp / "cekura-ws-venv" / "made-by").read_text() == "made by Python 3.13.0\n"


@pytest.mark.parametrize("version", ["3.10", "2.7", "latest", "3.9.18"])
def test_a_python_version_older_than_311_is_refused(runner: Runner, version: str) -> None:
    run = runner.run({"scenarios": "101=wss://a.example.com/", "frequency": "1", "python-version": version})

    assert (run.code, run.outputs["passed"]) == (2, "false")
    assert "input python-version: cekura-ws needs Python 3.11 or newer" in run.errors[0]
    assert "❌ FAILED" in run.summary
    assert runner.setup_calls == [] and runner.pip_calls == []


@pytest.mark.parametrize("runner_os", ["Windows", ""])
def test_runners_other_than_linux_and_macos_are_refused(
    tmp_path: Path, action_path: Path, runner_os: str
) -> None:
    runner = Runner(tmp_path / "machine", action_path, tmp_path / "cache", runner_os=runner_os)

    run = runner.run({"scenarios": "101=wss://a.example.com/", "frequency": "1"})

    assert (run.code, run.outputs["passed"]) == (2, "false")
    assert "supports Linux and macOS runners" in run.errors[0]
    assert "runs-on: ubuntu-latest" in run.summary
    assert runner.pip_calls == []


def test_macos_runners_are_supported(tmp_path: Path, action_path: Path) -> None:
    runner = Runner(tmp_path / "machine", action_path, tmp_path / "cache", runner_os="macOS")

    run = runner.run({"scenarios": "101=wss://a.example.com/"}, until="install")

    assert (run.code, run.errors) == (0, [])
    assert (run.runner_temp / "cekura-ws-venv" / "bin" / "cekura-ws").exists()


def test_allow_env_lets_the_batch_file_read_only_the_variables_listed(
    cekura_emulator: CekuraEmulator, cekura_agent: StartAgent, tmp_path: Path, action_path: Path
) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text("frequency: 1\nscenarios:\n  - {scenario: 101, websocket_url: '${AGENT_URL}'}\n")
    job_env = {"AGENT_URL": cekura_agent("helpful").url}
    runner = Runner(tmp_path / "machine", action_path, tmp_path / "cache", job_env=job_env)
    inputs = {**connection(cekura_emulator), "batch-file": str(batch)}

    refused = runner.run(inputs)
    allowed = runner.run({**inputs, "allow-env": "OTHER, AGENT_URL\n"})

    assert (refused.code, refused.outputs["passed"]) == (2, "false")
    assert "--allow-env" in refused.stdout + refused.stderr
    assert (allowed.code, allowed.outputs["passed"]) == (0, "true"), allowed.stdout + allowed.stderr
    assert [request.method for request in cekura_emulator.requests].count("POST") == 1
