"""The emulator's HTTP plumbing on raw ASGI: reading a bounded JSON body, sending JSON answers."""

from __future__ import annotations

import email.parser
import email.policy
import json
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

MAX_BODY_BYTES = 1_000_000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class BadRequest(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


#: The request media types the spec offers for the run request, as DRF's parsers read them.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


async def read_json(scope: Scope, receive: Receive) -> Any:
    """The request body: JSON, or a form (urlencoded or multipart) read as DRF reads one, a flat
    mapping of text fields (nested ``scenarios`` cannot be written that way, so validation then
    answers 400, as Cekura does). Any other media type is a 415."""
    content_type = full_type = ""
    for name, value in scope["headers"]:
        if name.lower() == b"content-type":
            full_type = value.decode("latin-1")
            content_type = full_type.split(";")[0].strip().lower()
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BadRequest(400, {"detail": "Client disconnected."})
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BadRequest(413, {"detail": f"Request body is larger than {MAX_BODY_BYTES} bytes."})
        chunks.append(chunk)
        more = message.get("more_body", False)
    raw = b"".join(chunks)
    if content_type in FORM_TYPES:
        return _form_fields(raw, full_type)
    if content_type and content_type != "application/json":
        raise BadRequest(415, {"detail": f'Unsupported media type "{content_type}" in request.'})
    if not raw.strip():
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(400, {"detail": f"JSON parse error - {exc}"}) from None
    except RecursionError:
        raise BadRequest(400, {"detail": "JSON parse error - nested too deeply."}) from None


def start(
    status: int, length: int, headers: dict[str, str], *, content_type: str | None = "application/json"
) -> Message:
    raw_headers = [(b"content-length", str(length).encode())]
    if content_type is not None:
        raw_headers.insert(0, (b"content-type", content_type.encode()))
    raw_headers += [(name.encode(), value.encode()) for name, value in headers.items()]
    return {"type": "http.response.start", "status": status, "headers": raw_headers}


async def send_json(send: Send, status: int, body: Any, **headers: str) -> int:
    payload = json.dumps(body).encode()
    await send(start(status, len(payload), headers))
    await send({"type": "http.response.body", "body": payload})
    return status


def _form_fields(raw: bytes, content_type: str) -> dict[str, str]:
    """A form body's fields, the last value of each (like a Django ``QueryDict`` read by key)."""
    if content_type.lower().startswith("multipart/"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + raw
        )
        fields: dict[str, str] = {}
        for part in message.iter_parts() if message.is_multipart() else ():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                fields[name] = payload.decode("utf-8", "replace")
        return fields
    parsed = urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[-1] for key, values in parsed.items()}
