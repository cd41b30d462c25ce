"""Outside text (a server's, an agent's, a file's) turned into text that is safe to show (pure).

Outside text is data. Before it is printed, logged or written anywhere it goes through ``shown``:
secrets are removed in every encoding this module can decode (plain, JSON ``\\/`` and ``\\uXXXX``
escapes, percent-encoding, numeric HTML entities, nested up to three times), URL credentials and
query values are masked, control characters and line breaks become visible (``\\n``), and the
result is bounded. ``markdown_text`` escapes it for Markdown; ``guarded_lines`` keeps any line
from starting a CI workflow command. Every function is linear in the length of its input.
"""

from __future__ import annotations

import codecs
import re
from array import array
from collections.abc import Iterable
from typing import Final

from ._validation import mask_urls

#: Characters of shown text at most, unless a caller asks for fewer.
MAX_SHOWN: Final = 2000
REDACTED: Final = "[redacted]"
#: Decoding layers tried (a key JSON-escaped inside a percent-encoded URL inside JSON...).
_LAYERS: Final = 3
_HEX: Final = frozenset("0123456789abcdefABCDEF")
_JSON_ESCAPES: Final = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPE_START: Final = re.compile(r"[\\\\%&]")
_ENTITY: Final = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));")
_NAMED_CONTROLS: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: ANSI colour codes a console may put before a line (a runner may read past them).
_ANSI: Final = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_LINE_BREAK: Final = re.compile(r"\r\n|\r|\n")
#: How a line that would start a workflow command (``::cmd::``) is shown instead.
COMMAND_GUARD: Final = "> "


class _Layer:
    """Decoded text built character by character, with the span of the source each character came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts = array("q")
        self.ends = array("q")

    def add(self, text: str, start: int, end: int) -> None:
        self.parts.append(text)
        self.starts.append(start)
        self.ends.append(end)

    def copy(self, source: str, start: int, end: int) -> None:
        """``source[start:end]`` as it is, one character per source character."""
        self.parts.append(source[start:end])
        self.starts.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))


def _is_percent(text: str, position: int) -> bool:
    return (
        position + 2 < len(text)
        and text[position] == "%"
        and text[position + 1] in _HEX
        and text[position + 2] in _HEX
    )


def _decode_percent_run(text: str, start: int, layer: _Layer) -> int:
    """Decode the ``%XX%XX...`` run at ``start`` as UTF-8 into ``layer``; where the run ends."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    position, char_start = start, start
    while _is_percent(text, position):
        byte = bytes([int(text[position + 1 : position + 3], 16)])
        position += 3
        try:
            out = decoder.decode(byte)
        except UnicodeDecodeError:  # not UTF-8: this character's escapes stay as they were written
            layer.copy(text, char_start, position)
            decoder.reset()
            char_start = position
            continue
        if out:
            layer.add(out, char_start, position)
            char_start = position
    layer.copy(text, char_start, position)  # an unfinished multi-byte sequence stays as written
    return position


def _decode_escape(text: str, position: int, layer: _Layer) -> int:
    """Decode the backslash escape or entity at ``position`` into ``layer``; where it ends
    (``position`` itself when nothing there decodes)."""
    character, length = text[position], len(text)
    if character == "\\" and position + 1 < length:
        following = text[position + 1]
        digits = text[position + 2 : position + 6]
        if following == "u" and len(digits) == 4 and all(c in _HEX for c in digits):
            code, end = int(digits, 16), position + 6
            low = text[end + 2 : end + 6] if text.startswith("\\u", end) else ""
            if 0xD800 <= code < 0xDC00 and len(low) == 4 and all(c in _HEX for c in low):
                low_code = int(low, 16)
                if 0xDC00 <= low_code < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low_code - 0xDC00)
                    end += 6
            layer.add(chr(code), position, end)
            return end
        if following in _JSON_ESCAPES:
            layer.add(_JSON_ESCAPES[following], position, position + 2)
            return position + 2
    elif character == "%" and _is_percent(text, position):
        return _decode_percent_run(text, position, layer)
    elif character == "&" and (entity := _ENTITY.match(text, position)) is not None:
        code = int(entity[1], 16) if entity[1] else int(entity[2])
        if code <= 0x10FFFF:
            layer.add(chr(code), position, entity.end())
            return entity.end()
    return position


def _decode_layer(text: str) -> _Layer:
    """``text`` with one layer of escapes decoded (JSON ``\\/``, ``\\uXXXX`` and the rest,
    percent-encoding, numeric entities); plain stretches are copied whole."""
    layer = _Layer()
    position = 0
    while (found := _ESCAPE_START.search(text, position)) is not None:
        layer.copy(text, position, found.start())
        end = _decode_escape(text, found.start(), layer)
        if end == found.start():
            layer.copy(text, end, end + 1)
            end += 1
        position = end
    layer.copy(text, position, len(text))
    return layer


def _secret_spans(text: str, secrets: Iterable[str]) -> list[tuple[int, int]]:
    """Where in ``text`` each secret is written, in any encoding (plain or decoded up to ``_LAYERS`` times)."""
    wanted = [secret for secret in dict.fromkeys(secrets) if secret]
    if not wanted:
        return []
    found: list[tuple[int, int]] = []
    layer = text
    # One entry per decoded layer: the span of the layer below that each character came from.
    # A match is traced back through them (secrets are rare; mapping every character is not).
    origins: list[_Layer] = []
    for depth in range(_LAYERS + 1):
        for secret in wanted:
            start = layer.find(secret)
            while start >= 0:
                end = start + len(secret)
                found.append(_span_in_text(origins, start, end))
                start = layer.find(secret, end)
        if depth == _LAYERS or _ESCAPE_START.search(layer) is None:
            break
        decoded = _decode_layer(layer)
        origins.append(decoded)
        layer = "".join(decoded.parts)
    return found


def _span_in_text(origins: list[_Layer], start: int, end: int) -> tuple[int, int]:
    """The span of the original text that ``[start, end)`` of the innermost decoded layer came from."""
    last = end - 1
    for decoded in reversed(origins):
        start, last = decoded.starts[start], decoded.ends[last] - 1
    return start, last + 1


def without_secrets(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``[redacted]``, however it was encoded."""
    spans = sorted(_secret_spans(text, secrets))
    if not spans:
        return text
    parts: list[str] = []
    done = 0
    for begin, end in spans:
        if end <= done:
            continue
        parts.append(text[done : max(begin, done)])
        if begin >= done:
            parts.append(REDACTED)
        done = end
    parts.append(text[done:])
    return "".join(parts)


def visible(text: str) -> str:
    """Control characters, line breaks and invisible format characters written out (``\\n``,
    ``\\x1b``, ``\\u202e``); ordinary spaces stay."""
    if text.isprintable():
        return text
    parts: list[str] = []
    for character in text:
        if character.isprintable() or character == " ":
            parts.append(character)
        elif character in _NAMED_CONTROLS:
            parts.append(_NAMED_CONTROLS[character])
        elif ord(character) < 0x100:
            parts.append(f"\\x{ord(character):02x}")
        elif ord(character) < 0x10000:
            parts.append(f"\\u{ord(character):04x}")
        else:
            parts.append(f"\\U{ord(character):08x}")
    return "".join(parts)


def bounded(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters (the cut marked ``...``)."""
    return text if len(text) <= limit else text[: max(limit - 3, 0)] + "..."


def scrubbed(text: str, secrets: Iterable[str] = (), *, limit: int = MAX_SHOWN) -> str:
    """``text`` bounded, without secrets, keeping its line breaks: for data a caller may parse
    (an exception's ``body``)."""
    return bounded(without_secrets(text[: _scanned(limit, secrets)], secrets), limit)


def shown(text: object, secrets: Iterable[str] = (), *, limit: int = MAX_SHOWN) -> str:
    """Outside text as one safe line: secrets removed, URLs masked, controls visible, bounded."""
    raw = text if isinstance(text, str) else str(text)
    masked = mask_urls(without_secrets(raw[: _scanned(limit, secrets)], secrets))
    return bounded(visible(masked[: limit + 1]), limit)


def _scanned(limit: int, secrets: Iterable[str]) -> int:
    """Characters of outside text worth reading to show ``limit`` of them: any secret starting
    within the limit ends within this, however encoded (at most 6 characters a character, twice)."""
    return limit + 1 + 64 * max((len(secret) for secret in secrets), default=0)


#: Characters that start Markdown structure inline (emphasis, code, links, images, HTML, entities,
#: tables, strikethrough) or a GitHub autolink (``https:``, ``a@b``, ``www.``).
_MARKDOWN_SPECIAL: Final = re.compile(r"[\\`*_\[\]<>!|~&#:@]|(?<=www)\.")
#: What a line may start with that makes it a block (list, heading, quote, rule).
_BLOCK_START: Final = re.compile(r"^(\s*(?:[0-9]+)?)([-+=.)])")


def markdown_text(text: str) -> str:
    """``text`` (already ``shown``) for Markdown: what could form a link, an image, emphasis, code,
    HTML, a table break or an autolink is backslash-escaped (CommonMark lets a backslash escape any
    ASCII punctuation), and so is a block marker it starts with."""
    escaped = _MARKDOWN_SPECIAL.sub(lambda match: "\\" + match[0], text)
    return _BLOCK_START.sub(lambda match: match[1] + "\\" + match[2], escaped, count=1)


def guarded_line(line: str) -> str:
    """``line`` such that a CI runner reads no workflow command in it: a line that would start with
    ``::`` (after spaces or colour codes) is prefixed with ``> ``, and ``##[`` becomes ``# #[``."""
    if "##[" in line:
        line = line.replace("##[", "# #[")
    if ":" in line and _ANSI.sub("", line).lstrip().startswith("::"):
        line = COMMAND_GUARD + line
    return line


def guarded_lines(text: str) -> str:
    """Every line of ``text`` (split where a runner splits: ``\\n``, ``\\r``) through ``guarded_line``."""
    if "::" not in text and "##[" not in text:
        return text
    parts: list[str] = []
    done = 0
    for match in _LINE_BREAK.finditer(text):
        parts.append(guarded_line(text[done : match.start()]))
        parts.append(match[0])
        done = match.end()
    parts.append(guarded_line(text[done:]))
    return "".join(parts)
