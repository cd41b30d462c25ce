"""``${VAR}`` and ``${VAR:-default}`` expansion, and which variables a batch file may read."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Final

import attrs

from .problems import InputProblem

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SYNTAX: Final = "write ${VAR} or ${VAR:-default}"
#: Variables with this prefix may be read by ``${VAR}`` without ``--allow-env``.
ALLOWED_PREFIX: Final = "CEKURA_VAR_"
#: Never read by ``${VAR}``, even when allowed: the secrets cekura-ws itself holds...
NEVER_EXPANDED: Final = frozenset({"CEKURA_API_KEY", "CEKURA_WEBSOCKET_SECRET"})
#: ...and any name that looks like a secret.
_SECRET_WORDS: Final = ("KEY", "TOKEN", "SECRET", "PASSWORD")
_MALFORMED: Final = -1


class _Unresolved:
    def __repr__(self) -> str:
        return "UNRESOLVED"


#: What ``Collector.expand`` returns for a value whose expansion was reported as a problem.
UNRESOLVED: Final = _Unresolved()


def is_valid_variable_name(name: str) -> bool:
    """``NAME`` as ``${NAME}`` may write it (letters, digits and ``_``, not starting with a digit)."""
    return _NAME.fullmatch(name) is not None


def looks_secret(name: str) -> bool:
    """The API key, the websocket secret, and ``*_KEY``, ``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``."""
    upper = name.upper()
    return upper in NEVER_EXPANDED or any(
        upper == word or upper.endswith("_" + word) for word in _SECRET_WORDS
    )


def variable_refusal(name: str, allowed: Collection[str]) -> str | None:
    """Why ``${name}`` may not be read (a sentence naming the flag), or ``None`` when it may."""
    if looks_secret(name):
        return (
            f"${{{name}}} is never expanded: {name} looks like a secret (the API key, the websocket secret, "
            "or a name ending in _KEY, _TOKEN, _SECRET or _PASSWORD), which a batch file must not send "
            "to an agent URL; put such values in the workflow instead"
        )
    if name in allowed or name.startswith(ALLOWED_PREFIX):
        return None
    return (
        f"${{{name}}} is not allowed: pass --allow-env {name} to read it from the environment, "
        f"or name the variable {ALLOWED_PREFIX}{name}"
    )


@attrs.define
class Collector:
    """Problems found so far, plus the environment for ``${VAR}`` and the names it may read."""

    environ: Mapping[str, str]
    problems: list[InputProblem] = attrs.field(factory=list)
    allowed: frozenset[str] = frozenset()

    def add(self, where: str, message: str) -> None:
        self.problems.append(InputProblem(where, message))

    def expand(self, value: object, where: str) -> object:
        """``value`` with ``${VAR}`` and ``${VAR:-default}`` replaced.

        Unset variables and malformed references are reported; the value is then ``UNRESOLVED``,
        so it is not checked again (one problem per mistake).
        """
        if not isinstance(value, str) or "${" not in value:
            return value
        before = len(self.problems)
        expanded, _end = self._expand(value, 0, where, nested=False)
        return expanded if len(self.problems) == before else UNRESOLVED

    def _expand(
        self, text: str, start: int, where: str, *, nested: bool, use: bool = True
    ) -> tuple[str, int]:
        """Expand ``text`` from ``start`` up to its end, or up to the ``}`` closing a default when
        ``nested``; returns the expansion and where it stopped (``_MALFORMED`` after a reported syntax
        error). ``use=False`` parses a default that is not taken: syntax only, no look-ups."""
        parts: list[str] = []
        position = start
        while position < len(text):
            if nested and text[position] == "}":
                return "".join(parts), position
            if not text.startswith("${", position):
                parts.append(text[position])
                position += 1
                continue
            name_match = _NAME.match(text, position + 2)
            if name_match is None:
                self.add(
                    where, f"invalid variable reference at {text[position : position + 12]!r}: {_SYNTAX}"
                )
                return "", _MALFORMED
            name, after = name_match[0], name_match.end()
            refusal = variable_refusal(name, self.allowed)
            if refusal is not None:
                self.add(where, refusal)
                return "", _MALFORMED
            if text.startswith("}", after):
                parts.append(self._lookup(name, where) if use else "")
                position = after + 1
            elif text.startswith(":-", after):
                found = self.environ.get(name) if use else None
                default, end = self._expand(text, after + 2, where, nested=True, use=use and found is None)
                if end == _MALFORMED:
                    return "", _MALFORMED
                if end >= len(text):
                    self.add(where, f"unterminated ${{{name}:-...: a '}}' is missing; {_SYNTAX}")
                    return "", _MALFORMED
                parts.append(found if found is not None else default)
                position = end + 1
            elif "}" not in text[after:]:
                self.add(where, f"unterminated ${{{name}: a '}}' is missing; {_SYNTAX}")
                return "", _MALFORMED
            else:
                self.add(where, f"unsupported variable reference ${{{name}{text[after]}...}}: {_SYNTAX}")
                return "", _MALFORMED
        return "".join(parts), position

    def _lookup(self, name: str, where: str) -> str:
        found = self.environ.get(name)
        if found is not None:
            return found
        self.add(where, f"environment variable {name} is not set (write ${{{name}:-default}} for a default)")
        return ""
