"""Offline tools: the local Cekura emulator, a websocket test agent, and the demo.

They print the address they listen on (useful with ``--port 0``) and run until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path
from typing import cast

import click

from ..exit_codes import ExitCode
from ..options import websocket_secret_option

#: ``cekura_wrapper.testing.AGENT_KINDS``, spelled out so ``--help`` does not import the testing kit.
AGENT_KIND_NAMES = ("helpful", "slow", "closes-mid-conversation", "invalid-json", "flaky")


def _require_testing_extra(command: str) -> None:
    """Exit 2 with the install command when the testing extra is missing (the kit is an extra)."""
    from cekura_wrapper.testing.extra import MissingExtraError, require_testing_extra

    try:
        require_testing_extra()
    except MissingExtraError as exc:
        click.echo(f"cekura-ws {command}: {exc}", err=True)
        raise click.exceptions.Exit(int(ExitCode.INVALID_INPUT)) from None


def _listening(text: str) -> None:
    click.echo(text)
    # Flushed at once, so a script reading our stdout learns the port before we block.
    sys.stdout.flush()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0 picks a free port."
)
@click.option(
    "--scenarios",
    "scenarios_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="YAML or JSON scenarios to add to the built-in ones (101-104).",
)
@click.option(
    "--api-key",
    metavar="KEY",
    help="The key the emulator accepts [default: a fresh random key, printed at start].",
)
@websocket_secret_option(
    "Sent as X-VOCERA-SECRET by the simulated caller, like the secret configured on a Cekura agent."
)
@click.option(
    "--env-file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    metavar="PATH",
    help="Also write the export lines to PATH once listening, for scripts: "
    "cekura-ws emulator --env-file e.env & ... then: . ./e.env",
)
@click.option(
    "--max-concurrent-calls",
    type=click.IntRange(1, 10_000),
    default=10,
    show_default=True,
    metavar="N",
    help="Conversations held at once across all results (Cekura's organisation limit); more wait, pending.",
)
@click.option(
    "--agent-url",
    "agent_urls",
    multiple=True,
    metavar="ID=URL",
    help="The websocket URL configured on agent ID (repeatable): scenarios sent without a URL dial it.",
)
def emulator(
    host: str,
    port: int,
    scenarios_file: Path | None,
    api_key: str | None,
    websocket_secret: str | None,
    env_file: Path | None,
    max_concurrent_calls: int,
    agent_urls: tuple[str, ...],
) -> None:
    """Serve a local Cekura emulator (bulk websocket run and results) until Ctrl-C.

    It prints the export lines for CEKURA_BASE_URL and CEKURA_API_KEY, then keeps serving, so
    eval "$(cekura-ws emulator)" cannot work: run it in one terminal and paste the lines into
    another, or start it in the background with --env-file and source that file.
    """
    _require_testing_extra("emulator")
    from cekura_wrapper.testing.caller import CallSettings
    from cekura_wrapper.testing.emulated_agents import EmulatedAgent
    from cekura_wrapper.testing.emulator import CekuraEmulator, EmulatorSettings

    settings = EmulatorSettings(
        call=CallSettings(secret=websocket_secret), max_concurrent_runs=max_concurrent_calls
    )
    agents = {agent: EmulatedAgent(websocket_url=url) for agent, url in _agent_urls(agent_urls).items()}
    try:
        server = CekuraEmulator(
            api_key=api_key, host=host, port=port, scenarios=scenarios_file, settings=settings, agents=agents
        )
    except (OSError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--scenarios") from exc
    try:
        server.start()
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    lines = [
        f"Cekura emulator listening on {server.base_url} (Ctrl-C to stop)",
        f"export CEKURA_BASE_URL={server.base_url}",
    ]
    if api_key is None:
        # The emulator's own throwaway key, not a Cekura key: printing it is the point.
        lines.append(f"export CEKURA_API_KEY={server.api_key}")
    else:
        lines.append("(it accepts the key given with --api-key)")
    if websocket_secret is not None:  # never echoed: it is the agents' real secret
        lines.append("(its simulated caller sends the websocket secret given, as X-VOCERA-SECRET)")
    if env_file is not None:  # before the lines are printed: whoever reads them finds the file
        exports = [line for line in lines if line.startswith("export ")]
        try:
            env_file.write_text("\n".join(exports) + "\n", encoding="utf-8")
        except OSError as exc:
            server.stop()
            raise click.ClickException(f"cannot write {env_file}: {exc.strerror or exc}") from exc
    _listening("\n".join(lines))
    server.serve_forever()


@click.command()
@click.option(
    "--kind",
    type=click.Choice(AGENT_KIND_NAMES),
    default="helpful",
    show_default=True,
    help="How the agent behaves (see cekura_wrapper.testing.agents).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="0 picks a free port."
)
@websocket_secret_option(
    "Close with 1008 unless X-VOCERA-SECRET matches (the same name as run, preflight and emulator use).",
    dest="secret",
)
@click.option("--secret", "old_secret", metavar="SECRET", hidden=True)  # the name before 0.2
@click.option("--no-greeting", is_flag=True, help="Wait for the caller to speak first.")
@click.option(
    "--reply-delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Delay of the slow agent, s.",
)
def agent(
    kind: str,
    host: str,
    port: int,
    secret: str | None,
    old_secret: str | None,
    no_greeting: bool,
    reply_delay: float,
) -> None:
    """Serve a websocket test agent that speaks Cekura's protocol, until Ctrl-C."""
    _require_testing_extra("agent")
    secret = secret if secret is not None else old_secret
    from cekura_wrapper.testing.agents import AgentKind, AgentServer

    server = AgentServer(
        cast(AgentKind, kind),  # click.Choice checked it
        host=host,
        port=port,
        secret=secret,
        greet=not no_greeting,
        reply_delay=reply_delay,
    )

    async def serve() -> None:
        try:
            await server.start()
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
        _listening(f"{kind} agent listening on {server.url} (Ctrl-C to stop)")
        await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


@click.command()
@click.pass_context
def demo(context: click.Context) -> None:
    """The whole job offline: emulator, helpful/flaky/unreachable agents, one bulk run, live progress."""
    _require_testing_extra("demo")
    from cekura_wrapper.testing import demo as demo_module

    code = demo_module.main()
    context.exit(code if code == 0 else int(ExitCode.EVALUATION_FAILED))


def _agent_urls(values: tuple[str, ...]) -> dict[int, str]:
    """``--agent-url ID=URL`` values as a mapping, or a usage error naming the bad one."""
    from cekura_wrapper import check_websocket_url, quote

    found: dict[int, str] = {}
    for number, value in enumerate(values, start=1):
        agent, _, url = value.partition("=")
        agent = agent.strip()
        valid_id = agent.isdigit() and len(agent) <= 18 and int(agent) >= 1
        problem = check_websocket_url(url) if valid_id else "the agent id must be a positive number"
        if problem is not None:
            raise click.BadParameter(
                f"#{number}: expected ID=URL (e.g. 7=ws://127.0.0.1:9001/), got {quote(value)}: {problem}",
                param_hint="--agent-url",
            )
        found[int(agent)] = url.strip()
    return found
