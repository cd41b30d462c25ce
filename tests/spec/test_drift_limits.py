"""The drift check's bounds on what it reads: one deadline for a whole fetch, a size limit for a
URL or a file, a nesting limit; each failure is exit 3 with one line saying which, never a
traceback. Servers here are real ones on 127.0.0.1; limits are made small so the inputs are."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cekura_wrapper.spec import drift as check_drift
from cekura_wrapper.spec.compare import diff_specs
from cekura_wrapper.spec.load import nesting_exceeds, read_source
from cekura_wrapper.spec.model import DriftInputError, SpecLimits

#: Generous bound on anything that could hang: it catches a hang, it measures nothing.
HANG = 60.0


def small_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things/": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }


@pytest.fixture
def base_file(tmp_path: Path) -> Path:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(small_spec()), encoding="utf-8")
    return path


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``/trickle`` (one byte at a time, without end), ``/endless`` (64 KiB chunks without
    end), ``/gzip`` (a small gzip body that inflates past the test's limit) and ``/spec``."""

    stop: ClassVar[threading.Event]

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path == "/gzip":
            body = gzip.compress(b" " * 200_000)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/latin-1":
            body = "openapi: 3.1.0 # caf\xe9".encode("latin-1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/spec":
            body = json.dumps(small_spec()).encode()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_header("Content-Length", str(1 << 30))
        self.end_headers()
        chunk = b" " if self.path == "/trickle" else b" " * 65536
        try:
            while not self.stop.wait(0.01 if self.path == "/trickle" else 0):
                self.wfile.write(chunk)
                self.wfile.flush()
        except OSError:  # the client hung up: what the limits are for
            pass

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def spec_host() -> Iterator[str]:
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(HANG)


def within_hang_bound(work: Callable[[], int]) -> int:
    """``work()``'s answer; fails the test if it has none within ``HANG`` seconds."""
    answer: list[int] = []
    worker = threading.Thread(target=lambda: answer.append(work()), daemon=True)
    worker.start()
    worker.join(HANG)
    assert answer, f"still running after {HANG} s"
    return answer[0]


def one_error_line(err: str) -> str:
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    return line


# --------------------------------------------------------------------------- fetching


def test_a_trickling_server_is_cut_off_at_the_total_deadline(
    base_file: Path, spec_host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A byte every 10 ms never trips a per-read timeout; only the whole-fetch deadline ends it
    (the body would take 124 days at that pace)."""
    url = spec_host
    limits = SpecLimits(fetch_seconds=0.5)
    code = within_hang_bound(lambda: check_drift.check(f"{url}/trickle", base=str(base_file), limits=limits))
    assert code == 3
    line = one_error_line(capsys.readouterr().err)
    assert line == (
        f"check_drift: error: cannot fetch {url}/trickle: too slow: no complete response within 0.5 s"
    )


def test_an_endless_body_is_refused_at_the_size_limit_while_reading(
    base_file: Path, spec_host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = spec_host
    limits = SpecLimits(max_bytes=1 << 20)
    code = within_hang_bound(lambda: check_drift.check(f"{url}/endless", base=str(base_file), limits=limits))
    assert code == 3
    line = one_error_line(capsys.readouterr().err)
    assert line == (
        f"check_drift: error: cannot fetch {url}/endless: too big: the response is larger than 1048576 bytes"
    )


def test_a_compressed_body_counts_at_its_inflated_size(
    base_file: Path, spec_host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = spec_host
    limits = SpecLimits(max_bytes=100_000)  # the body is 200,000 bytes once inflated
    code = within_hang_bound(lambda: check_drift.check(f"{url}/gzip", base=str(base_file), limits=limits))
    assert code == 3
    assert "too big: the response is larger than 100000 bytes" in one_error_line(capsys.readouterr().err)


def test_a_spec_within_the_limits_is_fetched_and_compared(
    base_file: Path, spec_host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = spec_host
    limits = SpecLimits(max_bytes=10_000, fetch_seconds=HANG)
    assert (
        within_hang_bound(lambda: check_drift.check(f"{url}/spec", base=str(base_file), limits=limits)) == 0
    )
    assert "no drift in 1 operation(s)" in capsys.readouterr().err


def test_a_body_that_is_not_utf_8_is_unreadable(
    base_file: Path, spec_host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert within_hang_bound(lambda: check_drift.check(f"{spec_host}/latin-1", base=str(base_file))) == 3
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(
        f"check_drift: error: cannot fetch {spec_host}/latin-1: 'utf-8' codec can't decode"
    )


def test_a_closed_port_is_unreadable_and_its_secrets_stay_hidden(
    base_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on once released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://ci-bot:s3cret-pw@127.0.0.1:{port}/openapi.json?token=t0ken-abc"
    assert within_hang_bound(lambda: check_drift.check(url, base=str(base_file))) == 3
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(
        f"check_drift: error: cannot fetch http://***@127.0.0.1:{port}/openapi.json?token=***: "
    )
    assert not [secret for secret in ("ci-bot", "s3cret-pw", "t0ken-abc") if secret in line]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://ci-bot:s3cret-pw@h.example:port/x?token=t0ken-abc", "Port could not be cast"),
        ("https://ci-bot:s3cret-pw@[::1/x?token=t0ken-abc", "details withheld: the URL cannot be parsed"),
    ],
)
def test_a_malformed_url_is_unreadable_and_its_secrets_stay_hidden(
    url: str, reason: str, base_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check_drift.check(url, base=str(base_file)) == 3
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith("check_drift: error: invalid URL https://***") and reason in line, line
    assert not [secret for secret in ("ci-bot", "s3cret-pw", "t0ken-abc") if secret in line]


# --------------------------------------------------------------------------- files


def test_a_file_over_the_size_limit_is_refused(
    base_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.json"
    big.write_text(json.dumps({**small_spec(), "x-padding": " " * 2000}), encoding="utf-8")
    code = check_drift.check(str(big), base=str(base_file), limits=SpecLimits(max_bytes=1000))
    assert code == 3
    line = one_error_line(capsys.readouterr().err)
    assert line == f"check_drift: error: {big} is too big: larger than 1000 bytes"


def test_a_file_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    """A sparse 64 GiB file: reading it whole would exhaust memory; the limit stops at 1001 bytes."""
    huge = tmp_path / "huge.json"
    with huge.open("wb") as file:
        try:
            file.truncate(64 << 30)
        except OSError as exc:  # pragma: no cover - a file system without sparse files
            pytest.skip(f"cannot make a sparse file here: {exc}")
    assert os.path.getsize(huge) == 64 << 30
    with pytest.raises(DriftInputError, match="too big: larger than 1000 bytes"):
        read_source(str(huge), SpecLimits(max_bytes=1000))


def test_a_file_at_the_limit_is_read(base_file: Path) -> None:
    size = base_file.stat().st_size
    assert read_source(str(base_file), SpecLimits(max_bytes=size)) == base_file.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- nesting


def nested_json(levels: int) -> str:
    spec = json.dumps(small_spec())
    return spec[:-1] + ', "x-deep": ' + "[" * levels + "]" * levels + "}"


def nested_block_yaml(levels: int) -> str:
    lines = ["openapi: 3.1.0", "paths: {}"] + [f"{'  ' * level}k{level}:" for level in range(levels)]
    return "\n".join([*lines, "  " * levels + "v: 1", ""])


DEEP_INPUTS = {
    # json.loads itself gives up (RecursionError) on this one: it used to be a traceback, exit 4.
    "JSON past the parser's recursion limit": ("deep.json", nested_json(100_000)),
    "JSON past the nesting limit": ("deep.json", nested_json(150)),
    "YAML flow style": ("deep.yaml", "openapi: 3.1.0\npaths: {}\nx: " + "[" * 5000 + "]" * 5000 + "\n"),
    "YAML block style": ("deep.yaml", nested_block_yaml(150)),
    "a YAML alias inside itself": ("deep.yaml", "openapi: 3.1.0\npaths: {}\nx: &a [*a]\n"),
    # Each level holds the one below twice: 150 levels deep, ~150 lines, walked in linear time.
    "YAML aliases sharing a deep node": (
        "deep.yaml",
        "openapi: 3.1.0\npaths: {}\nx0: &x0 []\n"
        + "".join(f"x{i}: &x{i} [*x{i - 1}, *x{i - 1}]\n" for i in range(1, 150)),
    ),
}


@pytest.mark.parametrize("name", list(DEEP_INPUTS))
def test_deeply_nested_input_exits_3_with_one_line(
    name: str, base_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filename, text = DEEP_INPUTS[name]
    deep = tmp_path / filename
    deep.write_text(text, encoding="utf-8")
    assert check_drift.main(["--base", str(base_file), "--upstream", str(deep)]) == 3
    line = one_error_line(capsys.readouterr().err)
    assert line == f"check_drift: error: {deep} is too deeply nested: more than 100 levels"


def test_nesting_at_the_limit_is_accepted_and_one_past_it_is_not() -> None:
    def levels(count: int) -> Any:
        node: Any = {}
        for _ in range(count - 1):
            node = {"a": node}
        return node

    assert not nesting_exceeds(levels(100), 100)
    assert nesting_exceeds(levels(101), 100)
    assert not nesting_exceeds("not a container", 0)


def ref_chain(length: int) -> dict[str, Any]:
    """A spec whose response schema nests ``length`` levels through distinct ``$ref``s."""
    spec = small_spec()
    schemas = {
        f"S{i}": {"type": "object", "properties": {"next": {"$ref": f"#/components/schemas/S{i + 1}"}}}
        for i in range(length)
    }
    schemas[f"S{length}"] = {"type": "string"}
    spec["components"] = {"schemas": schemas}
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}
    spec["paths"]["/things/"]["get"]["responses"]["200"]["content"] = content
    return spec


def test_schemas_nested_through_refs_past_the_limit_are_refused_not_a_crash() -> None:
    """The document itself is shallow; following its $refs is what nests (here past Python's own
    recursion limit without the bound)."""
    spec = ref_chain(2000)
    assert not nesting_exceeds(spec, 100)
    with pytest.raises(DriftInputError, match=r"GET /things/: schemas nest more than 100 levels deep at "):
        diff_specs(spec, spec)
    assert diff_specs(ref_chain(50), ref_chain(50)) == []


# --------------------------------------------------------------------------- the command


def test_cekura_ws_drift_says_too_deep_in_one_line_from_a_real_process(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(nested_json(100_000), encoding="utf-8")
    command = [sys.executable, "-m", "cekura_wrapper", "drift", "--upstream", str(deep)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=HANG)
    assert completed.returncode == 3, completed.stderr
    assert completed.stdout == ""
    line = one_error_line(completed.stderr)
    assert line == f"cekura-ws drift: error: {deep} is too deeply nested: more than 100 levels"
