"""Outside text (Cekura's statuses and error messages, an agent's, a batch file's) as the CLI shows
it: through ``cekura_wrapper._display`` with the secrets this command knows, as Rich ``Text`` (never
markup) in tables, and behind a stream guard so no line printed starts a CI workflow command."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, TextIO

import click
from rich.text import Text

from cekura_wrapper import MAX_SHOWN, guarded_lines, shown

_LINE_BREAK = re.compile(r"[\r\n]")

#: Environment variables and command parameters that hold secrets, removed from everything shown.
SECRET_VARIABLES = ("CEKURA_API_KEY", "CEKURA_WEBSOCKET_SECRET")
_SECRET_PARAMETERS = ("api_key", "websocket_secret")


def secrets_in_use() -> tuple[str, ...]:
    """The API key and websocket secret of this command (flags or environment), when set."""
    found = [os.environ.get(name, "") for name in SECRET_VARIABLES]
    context = click.get_current_context(silent=True)
    if context is not None:
        found += [str(context.params.get(name) or "") for name in _SECRET_PARAMETERS]
    return tuple(dict.fromkeys(secret for secret in found if secret))


def outside(text: object, *, limit: int = MAX_SHOWN) -> str:
    """Outside text as one safe line (see ``_display.shown``), without this command's secrets."""
    return shown(text, secrets_in_use(), limit=limit)


def cell(text: object, *, limit: int = MAX_SHOWN) -> Text:
    """A table cell holding outside text: shown as written, never read as Rich markup."""
    return Text(outside(text, limit=limit))


class GuardedStream:
    """A text stream (resolved at each write, so test runners can swap ``sys.stdout``) whose lines
    never start a workflow command: each line goes through ``guarded_lines`` once complete."""

    def __init__(self, stream: Callable[[], TextIO]) -> None:
        self._stream = stream
        self._pending = ""
        self._mid_line = False

    def write(self, text: str) -> int:
        pending = self._pending + text
        cut = max(pending.rfind("\n"), pending.rfind("\r"))
        if cut >= 0:
            complete, self._pending = pending[: cut + 1], pending[cut + 1 :]
            self._emit(complete)
            self._mid_line = False
        else:
            self._pending = pending
        return len(text)

    def _emit(self, text: str) -> None:
        if self._mid_line:  # the start of this line was written (and checked) already
            found = _LINE_BREAK.search(text)
            head = text if found is None else text[: found.start()]
            self._stream().write(head.replace("##[", "# #["))
            text = text[len(head) :]
        self._stream().write(guarded_lines(text))

    def flush(self) -> None:
        if self._pending.strip():
            self._emit(self._pending)
            self._pending = ""
            self._mid_line = True
        self._stream().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream(), name)
