"""How a command reaches Cekura: the connection options, declared once, and the client built once
from them (``ClientOptions``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import attrs
import click

from cekura_wrapper import is_loopback_host, resolve_base_url

from .common import reported_errors
from .render import Output

if TYPE_CHECKING:
    from cekura_wrapper import CekuraClient

F = TypeVar("F", bound=Callable[..., Any])


@attrs.frozen
class ClientOptions:
    """``--api-key``, ``--base-url``, ``--max-retries`` and, for commands that follow a result,
    ``--poll-interval`` and ``--max-poll-interval``: what building the client needs."""

    api_key: str | None
    base_url: str | None
    max_retries: int
    poll_interval: float | None = None
    max_poll_interval: float | None = None

    def polling(self) -> tuple[float, float]:
        """The shortest and longest wait between polls (``poll_timing``); may raise ``ValidationError``."""
        return poll_timing(self.base_url, self.poll_interval, self.max_poll_interval)

    def client(self, output: Output, *, polls: bool = False, **settings: Any) -> CekuraClient:
        """The client, or exit 2 (no key, a bad base URL). ``polls``: with the poll timing of
        ``polling``; ``settings``: further ``CekuraClient`` arguments."""
        from cekura_wrapper import CekuraClient  # httpx: only once a command talks to Cekura

        with reported_errors(output):
            if polls:
                settings["poll_interval"], settings["max_poll_interval"] = self.polling()
            return CekuraClient(
                self.api_key, base_url=self.base_url, max_retries=self.max_retries, **settings
            )


def client_options(function: F) -> F:
    """Declare ``--api-key``, ``--base-url`` and ``--max-retries``; the command receives them, with
    ``--poll-interval`` and ``--max-poll-interval`` when it has those, as ``connection``."""

    @functools.wraps(function)
    def command(**params: Any) -> Any:
        params["connection"] = ClientOptions(
            params.pop("api_key"),
            params.pop("base_url"),
            params.pop("max_retries"),
            params.pop("poll_interval", None),
            params.pop("max_poll_interval", None),
        )
        return function(**params)

    declared: Callable[..., Any] = command
    declared = click.option(
        "--max-retries",
        type=click.IntRange(min=0),
        metavar="N",
        default=2,
        show_default=True,
        help="Retries of requests that are safe to repeat (a run request that may have landed is never resent).",
    )(declared)
    declared = base_url_option("Cekura API root [default: https://api.cekura.ai].")(declared)
    declared = click.option(
        "--api-key",
        envvar="CEKURA_API_KEY",
        show_envvar=True,
        metavar="KEY",
        help="Cekura API key; prefer the environment variable (a flag shows up in process lists).",
    )(declared)
    return cast(F, declared)


def base_url_option(help: str) -> Callable[[F], F]:
    """``--base-url`` (``CEKURA_BASE_URL``); ``help`` says what the command does with it."""
    return click.option("--base-url", envvar="CEKURA_BASE_URL", show_envvar=True, metavar="URL", help=help)


def poll_timing(
    base_url: str | None, poll_interval: float | None, max_poll_interval: float | None
) -> tuple[float, float]:
    """``--poll-interval`` and ``--max-poll-interval``: 1 s and 5 s by default, 0.05 s and 0.5 s
    against a loopback API (the emulator ends a batch in well under a second; real Cekura is
    never on loopback). May raise ``ValidationError`` for a bad base URL."""

    fast = is_loopback_host(urlsplit(resolve_base_url(base_url)).hostname)
    shortest = poll_interval if poll_interval is not None else (0.05 if fast else 1.0)
    longest = max_poll_interval if max_poll_interval is not None else (0.5 if fast else 5.0)
    return shortest, max(shortest, longest)
