"""scripts/sync_spec.py on small specs written here and on Cekura's published specs."""

from __future__ import annotations

import base64
import contextlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
import upstream_fixture
from ruamel.yaml import YAML

from cekura_wrapper.spec.compare import diff_specs
from cekura_wrapper.spec.load import load_spec
from scripts import sync_spec

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "sync_spec.py"
RESULTS = "/test_framework/v1/results/{id}/"


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def upstream_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Upstream", "version": "2"},
        "paths": {
            "/things/{id}/": {
                "parameters": [{"$ref": "#/components/parameters/Id"}],
                "get": {
                    "operationId": "things-get",
                    "security": [{"api_key": []}, {"oauth2": []}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                            }
                        }
                    },
                },
                "delete": {"operationId": "things-delete", "responses": {"204": {"description": "gone"}}},
            },
            "/unrelated/": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Other"}}
                            }
                        }
                    }
                }
            },
        },
        "components": {
            "parameters": {
                "Id": {"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}
            },
            "schemas": {
                "Thing": {"type": "object", "properties": {"part": {"$ref": "#/components/schemas/Part"}}},
                "Part": {"type": "object", "properties": {"kind": {"$ref": "#/components/schemas/Kind"}}},
                "Kind": {"type": "string", "enum": ["a", "b", "c"]},
                "Other": {"type": "object"},
            },
            "securitySchemes": {"api_key": {"type": "apiKey", "in": "header", "name": "X-KEY"}},
        },
    }


TARGET_YAML = """\
# Our contract: this comment must survive a sync.
openapi: 3.1.0
info:
  title: Ours
  version: v1
paths:
  /things/{id}/:
    get:
      operationId: things-get
      description: >-
        Old text that the
        sync replaces.
      responses:
        '200':
          description: old
  /ours/:
    post:
      operationId: ours
      responses:
        '201':
          description: ''
          content:
            application/json:
              example:
                value: null
components:
  schemas:
    Kind:
      type: string
      enum:
        - a
        - b
    Mine:
      type: object
"""


def run(*args: str) -> int:
    return sync_spec.main(list(args))


def test_copies_the_operation_and_everything_it_references_transitively(tmp_path: Path) -> None:
    upstream = write_json(tmp_path / "upstream.json", upstream_spec())
    target = tmp_path / "openapi.yaml"
    target.write_text(TARGET_YAML, encoding="utf-8")

    assert run("--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(target)) == 0

    text = target.read_text(encoding="utf-8")
    merged = YAML(typ="safe", pure=True).load(text)
    assert text.startswith("# Our contract: this comment must survive a sync.\n")
    assert merged["paths"]["/things/{id}/"]["get"] == upstream_spec()["paths"]["/things/{id}/"]["get"]
    assert merged["paths"]["/things/{id}/"]["parameters"] == [{"$ref": "#/components/parameters/Id"}]
    assert "delete" not in merged["paths"]["/things/{id}/"], "only the chosen method is copied"
    assert "/unrelated/" not in merged["paths"]
    assert merged["paths"]["/ours/"]["post"]["operationId"] == "ours"
    schemas = merged["components"]["schemas"]
    assert schemas["Kind"]["enum"] == ["a", "b", "c"], "an existing component is replaced by upstream's"
    assert set(schemas) == {"Kind", "Mine", "Part", "Thing"}, "Other is unrelated; Mine is ours"
    assert merged["components"]["parameters"]["Id"]["name"] == "id"
    # Only schemes the upstream spec defines are copied (oauth2 is not defined there).
    assert merged["components"]["securitySchemes"] == {
        "api_key": upstream_spec()["components"]["securitySchemes"]["api_key"]
    }
    # Lines we did not touch keep their exact spelling, nulls included.
    assert "                value: null\n" in text


def test_output_is_deterministic_and_a_second_sync_changes_nothing(tmp_path: Path) -> None:
    """Same inputs, same bytes: across processes with different hash seeds, and when re-run."""
    upstream = write_json(tmp_path / "upstream.json", upstream_spec())
    outputs = []
    for seed in ("1", "2"):
        target = tmp_path / f"seed-{seed}.yaml"
        target.write_text(TARGET_YAML, encoding="utf-8")
        arguments = ["--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(target)]
        completed = subprocess.run(
            [sys.executable, str(SCRIPT), *arguments],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] != TARGET_YAML.encode("utf-8"), "the sync must have changed something"
    assert outputs[0] == outputs[1]
    again = tmp_path / "seed-1.yaml"
    assert run("--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(again)) == 0
    assert again.read_bytes() == outputs[0]


@pytest.mark.parametrize("ending", ["\n", "\n\n", "\n\n\n"])
def test_a_sync_that_changes_nothing_leaves_the_file_byte_for_byte(tmp_path: Path, ending: str) -> None:
    """Its final blank lines included: a no-op run used to drop them."""
    upstream = write_json(tmp_path / "upstream.json", upstream_spec())
    target = tmp_path / "ours.yaml"
    target.write_text(TARGET_YAML, encoding="utf-8")
    assert run("--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(target)) == 0
    synced = target.read_text(encoding="utf-8").rstrip("\n") + ending
    target.write_text(synced, encoding="utf-8")
    assert run("--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(target)) == 0
    assert target.read_text(encoding="utf-8") == synced


def test_a_new_target_file_is_created_from_the_operations_alone(tmp_path: Path) -> None:
    upstream = write_json(tmp_path / "upstream.json", upstream_spec())
    target = tmp_path / "fresh.json"
    assert run("--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(target)) == 0
    created = json.loads(target.read_text(encoding="utf-8"))
    assert created["openapi"] == "3.1.0"
    assert list(created["paths"]) == ["/things/{id}/"]
    assert sorted(created["components"]["schemas"]) == ["Kind", "Part", "Thing"]


def test_yaml_upstream_is_read_as_yaml_1_2(tmp_path: Path) -> None:
    upstream = tmp_path / "upstream.yaml"
    upstream.write_text(
        "openapi: 3.1.0\npaths:\n  /x/:\n    get:\n      responses:\n        '200':\n"
        "          description: 'on'\n      x-flag: on\n",
        encoding="utf-8",
    )
    target = tmp_path / "out.json"
    assert run("--from", str(upstream), "--operation", "get:/x/", "--into", str(target)) == 0
    # YAML 1.2: a bare `on` is the string "on", not True.
    assert json.loads(target.read_text(encoding="utf-8"))["paths"]["/x/"]["get"]["x-flag"] == "on"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--from", "{dir}/missing.json", "--operation", "GET:/things/{{id}}/"], "no such file"),
        (
            ["--from", "{dir}/upstream.json", "--operation", "POST:/things/{{id}}/"],
            "POST /things/{id}/ is not in",
        ),
        (["--from", "{dir}/upstream.json", "--operation", "/things/"], "METHOD:/path"),
        (
            ["--from", "{dir}/dangling.json", "--operation", "GET:/d/"],
            "dangling $ref '#/components/schemas/Gone'",
        ),
        (["--from", "{dir}/page.html", "--operation", "GET:/d/"], "not an OpenAPI document"),
        (["--from", "ftp://example.com/spec.json", "--operation", "GET:/d/"], "https:// URLs"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], expected: str
) -> None:
    write_json(tmp_path / "upstream.json", upstream_spec())
    dangling = {
        "openapi": "3.1.0",
        "paths": {"/d/": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Gone"}}}}},
    }
    write_json(tmp_path / "dangling.json", dangling)
    (tmp_path / "page.html").write_text("<html><body>Not found</body></html>", encoding="utf-8")
    target = tmp_path / "openapi.yaml"
    target.write_text(TARGET_YAML, encoding="utf-8")

    code = run(*[arg.format(dir=tmp_path) for arg in arguments], "--into", str(target))

    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1 and err.startswith("sync_spec: error: ")
    assert target.read_text(encoding="utf-8") == TARGET_YAML, "nothing is written on error"


SWAGGER_2 = {
    "swagger": "2.0",
    "info": {"title": "Old", "version": "1"},
    "paths": {"/d/": {"get": {"responses": {"200": {"schema": {"$ref": "#/definitions/Thing"}}}}}},
    "definitions": {"Thing": {"type": "object"}},
}
NOT_OPENAPI_3 = {
    "empty": (b"", "is empty"),
    "blank": (b"  \n\n", "is empty"),
    "html": (b"<!DOCTYPE html><html><body>Sign in</body></html>", "HTML"),
    "swagger 2.0": (json.dumps(SWAGGER_2).encode(), "Swagger 2.0 document; only OpenAPI 3.x"),
    "openapi 2": (b"openapi: '2.0'\npaths: {}\n", "not an OpenAPI 3.x document"),
    "no version": (json.dumps({"paths": {}}).encode(), "not an OpenAPI 3.x document"),
    "a list": (b"- openapi: 3.1.0\n", "top level is not a mapping"),
    "a string": (b"just words\n", "not an OpenAPI document"),
    "bad yaml": (b"openapi: 3.1.0\npaths: [unclosed\n", "not valid JSON or YAML"),
    "latin-1": ("openapi: 3.1.0\ninfo: {title: caf\u00e9}\n".encode("latin-1"), "cannot read"),
}


@pytest.mark.parametrize("name", list(NOT_OPENAPI_3))
def test_upstream_that_is_not_openapi_3_is_one_line_and_exit_code_2(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, expected = NOT_OPENAPI_3[name]
    upstream = tmp_path / "upstream.json"
    upstream.write_bytes(content)
    target = tmp_path / "openapi.yaml"
    target.write_text(TARGET_YAML, encoding="utf-8")

    code = run("--from", str(upstream), "--operation", "GET:/d/", "--into", str(target))

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sync_spec: error: ") and err.count("\n") == 1, err
    assert expected in err and str(upstream) in err
    assert target.read_text(encoding="utf-8") == TARGET_YAML


@pytest.mark.parametrize("name", ["empty", "html", "swagger 2.0", "latin-1", "a list"])
def test_a_target_that_is_not_an_openapi_3_spec_is_refused_too(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content, expected = NOT_OPENAPI_3[name]
    upstream = write_json(tmp_path / "upstream.json", upstream_spec())
    target = tmp_path / "openapi.yaml"
    target.write_bytes(content)

    code = run("--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(target))

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("sync_spec: error: ") and err.count("\n") == 1, err
    assert expected in err and str(target) in err
    assert target.read_bytes() == content


@pytest.mark.parametrize(
    ("into", "expected"),
    [("missing-dir/openapi.yaml", "cannot write"), ("a-directory", "cannot read")],
)
def test_an_into_path_that_cannot_be_written_is_one_line_and_exit_code_2(
    into: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream = write_json(tmp_path / "upstream.json", upstream_spec())
    (tmp_path / "a-directory").mkdir()

    code = run("--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(tmp_path / into))

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"sync_spec: error: {expected} {tmp_path / into}: ") and err.count("\n") == 1, err


SECRET_URL = "https://ci-bot:s3cret-pw@cekura-spec.invalid/openapi.json?token=t0ken-abc#frag-xyz"
SECRETS = ("ci-bot", "s3cret-pw", "t0ken-abc", "frag-xyz")


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Host names under .invalid never resolve (RFC 6761); answer so at once, without a resolver."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("no_dns")
def test_an_unreachable_url_is_reported_without_its_credentials_or_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "openapi.yaml"
    target.write_text(TARGET_YAML, encoding="utf-8")

    code = run("--from", SECRET_URL, "--operation", "GET:/d/", "--into", str(target))

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(
        "sync_spec: error: cannot fetch https://***@cekura-spec.invalid/openapi.json?token=***#***: "
    ), err
    assert err.count("\n") == 1
    assert not [secret for secret in SECRETS if secret in err]


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Serves ``body`` at every path except /redirect, and records what each request carried."""

    body: ClassVar[bytes] = b""
    seen: ClassVar[list[tuple[str, str | None]]] = []
    redirect_to: ClassVar[str] = ""

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization")))
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", self.redirect_to)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_args: Any) -> None:
        pass


@contextlib.contextmanager
def recording_server(body: bytes) -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Handler", (_Recorder,), {"body": body, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_credentials_in_the_url_are_sent_as_basic_auth_and_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "openapi.yaml"
    target.write_text(TARGET_YAML, encoding="utf-8")
    with recording_server(json.dumps(upstream_spec()).encode()) as (host, handler):
        url = f"http://ci-bot:s3cret%2Dpw@{host}/openapi.json?token=t0ken-abc"

        code = run("--from", url, "--operation", "GET:/things/{id}/", "--into", str(target))

    out, err = capsys.readouterr()
    assert code == 0, err
    expected_auth = "Basic " + base64.b64encode(b"ci-bot:s3cret-pw").decode()
    assert handler.seen == [("/openapi.json?token=t0ken-abc", expected_auth)]
    assert out == f"synced 1 operation(s) from http://***@{host}/openapi.json?token=*** into {target}\n"
    assert not [secret for secret in (*SECRETS, "s3cret%2Dpw") if secret in out + err]


def test_credentials_do_not_follow_a_redirect(tmp_path: Path) -> None:
    target = tmp_path / "openapi.yaml"
    target.write_text(TARGET_YAML, encoding="utf-8")
    with (
        recording_server(json.dumps(upstream_spec()).encode()) as (other_host, other),
        recording_server(b"") as (host, first),
    ):
        first.redirect_to = f"http://{other_host}/openapi.json"
        url = f"http://ci-bot:s3cret-pw@{host}/redirect"
        assert run("--from", url, "--operation", "GET:/things/{id}/", "--into", str(target)) == 0
    assert first.seen[0][1] is not None
    assert other.seen == [("/openapi.json", None)]


KEEP_TARGET_YAML = """\
openapi: 3.1.0
info:
  title: Ours
  version: v1
paths:
  /things/{id}/:
    parameters:
      - in: query
        name: verbose
        description: Our words on verbose.
        schema:
          type: boolean
      - in: path
        name: id
        schema:
          type: integer
    get:
      operationId: things-get
      summary: Our summary
      description: >-
        Our own description,
        folded over two lines.
      responses:
        '200':
          description: Our words on 200.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Thing'
components:
  schemas:
    Thing:
      type: object
      description: Our thing.
      properties:
        status:
          type: string
          enum:
            - a
            - b
          example: a
        description:
          type: string
"""


def keep_upstream() -> dict[str, Any]:
    """The target's operation as upstream now publishes it: new structure, upstream's prose."""
    return {
        "openapi": "3.1.0",
        "paths": {
            "/things/{id}/": {
                "parameters": [  # reordered: matched by (in, name), not by position
                    {"in": "path", "name": "id", "description": "Their id.", "schema": {"type": "integer"}},
                    {
                        "in": "query",
                        "name": "verbose",
                        "description": "Their verbose.",
                        "schema": {"type": "string"},
                    },
                ],
                "get": {
                    "summary": "Their summary",
                    "description": "Their description.",
                    "operationId": "things-get",
                    "deprecated": True,
                    "responses": {
                        "200": {
                            "description": "Their 200.",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"},
                                    "examples": {"Success": {"value": {"status": "a"}}},
                                }
                            },
                        },
                        "404": {"description": "Their 404."},
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "title": "Their title",
                    "type": "object",
                    "description": "Their thing.",
                    "properties": {
                        "status": {
                            "type": "string",
                            "enum": ["a", "b", "c"],
                            "description": "Their status.",
                            "example": "c",
                        },
                        "description": {"type": ["string", "null"], "description": "Their field."},
                        "added": {"$ref": "#/components/schemas/Added"},
                    },
                },
                "Added": {"type": "integer", "description": "Their added."},
            }
        },
    }


def test_keep_descriptions_keeps_our_prose_and_takes_upstreams_structure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upstream = write_json(tmp_path / "upstream.json", keep_upstream())
    target = tmp_path / "openapi.yaml"
    target.write_text(KEEP_TARGET_YAML, encoding="utf-8")
    arguments = ["--from", str(upstream), "--operation", "GET:/things/{id}/", "--into", str(target)]

    assert run(*arguments, "--keep-descriptions") == 0

    text = target.read_text(encoding="utf-8")
    merged = YAML(typ="safe", pure=True).load(text)
    item = merged["paths"]["/things/{id}/"]
    operation = item["get"]
    # Our prose, where we had it, in our spelling (the folded block is untouched).
    assert "      description: >-\n        Our own description,\n        folded over two lines.\n" in text
    assert operation["summary"] == "Our summary"
    assert operation["responses"]["200"]["description"] == "Our words on 200."
    assert item["parameters"][1]["description"] == "Our words on verbose."
    thing = merged["components"]["schemas"]["Thing"]
    assert thing["description"] == "Our thing."
    assert thing["properties"]["status"]["example"] == "a"
    # Nodes we had without prose get none of upstream's.
    assert "description" not in item["parameters"][0]
    assert "title" not in thing
    assert "description" not in thing["properties"]["status"]
    assert "examples" not in operation["responses"]["200"]["content"]["application/json"]
    # A property named "description" is a node like any other: its type is upstream's.
    assert thing["properties"]["description"] == {"type": ["string", "null"]}
    # Everything that is not prose is upstream's.
    assert [(p["in"], p["name"]) for p in item["parameters"]] == [("path", "id"), ("query", "verbose")]
    assert item["parameters"][1]["schema"] == {"type": "string"}
    assert operation["deprecated"] is True
    assert thing["properties"]["status"]["enum"] == ["a", "b", "c"]
    # New nodes come from upstream whole, and are named so their prose can be rewritten.
    assert operation["responses"]["404"] == {"description": "Their 404."}
    assert thing["properties"]["added"] == {"$ref": "#/components/schemas/Added"}
    assert merged["components"]["schemas"]["Added"] == {"type": "integer", "description": "Their added."}
    assert "Their" not in text.replace("Their 404.", "").replace("Their added.", "")
    out, err = capsys.readouterr()
    assert out.startswith("synced 1 operation(s)")
    assert err.splitlines()[1:] == ["  GET /things/{id}/ responses.404", "  components.schemas.Added"]

    # Without the flag the same sync takes upstream's prose, as before.
    target.write_text(KEEP_TARGET_YAML, encoding="utf-8")
    assert run(*arguments) == 0
    plain = YAML(typ="safe", pure=True).load(target.read_text(encoding="utf-8"))
    assert plain["paths"]["/things/{id}/"]["get"]["description"] == "Their description."
    assert plain["components"]["schemas"]["Thing"]["title"] == "Their title"


def test_keep_descriptions_keeps_our_key_order_and_an_identical_upstream_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = REPO_ROOT / "openapi.yaml"
    target = tmp_path / "openapi.yaml"
    target.write_text(ours.read_text(encoding="utf-8"), encoding="utf-8")
    run_path = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"

    code = run(
        *("--from", str(ours), "--operation", f"POST:{run_path}", "--operation", f"GET:{RESULTS}"),
        *("--into", str(target), "--keep-descriptions"),
    )

    assert code == 0
    # Byte for byte, but for the blank line the file ends with (ruamel drops it with its node).
    assert target.read_text(encoding="utf-8").rstrip("\n") == ours.read_text(encoding="utf-8").rstrip("\n")
    assert capsys.readouterr().err == ""


def _shape(schema: dict[str, Any]) -> dict[str, Any]:
    """Field name -> what a client depends on: types, enum, format, nullability."""
    shape = {}
    for name, prop in schema["properties"].items():
        shape[name] = {
            key: prop.get(key) for key in ("type", "enum", "format", "oneOf", "additionalProperties")
        }
    return {"properties": shape, "required": sorted(schema.get("required", []))}


def test_results_operation_from_the_newest_upstream_matches_ours(tmp_path: Path) -> None:
    _, newest = upstream_fixture.write(tmp_path)
    target = tmp_path / "extracted.json"

    assert run("--from", str(newest), "--operation", f"GET:{RESULTS}", "--into", str(target)) == 0

    extracted = json.loads(target.read_text(encoding="utf-8"))
    ours = YAML(typ="safe", pure=True).load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    theirs_op, ours_op = extracted["paths"][RESULTS]["get"], ours["paths"][RESULTS]["get"]
    assert [(p["in"], p["name"], p["schema"], p["required"]) for p in theirs_op["parameters"]] == [
        (p["in"], p["name"], p["schema"], p["required"]) for p in ours_op["parameters"]
    ]
    assert theirs_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ResultDetailV2"
    }
    assert _shape(extracted["components"]["schemas"]["ResultDetailV2"]) == _shape(
        ours["components"]["schemas"]["ResultDetailV2"]
    )
    assert theirs_op.get("deprecated") == ours_op.get("deprecated")


def test_run_operation_from_the_newest_upstream_adds_only_what_the_notes_say(tmp_path: Path) -> None:
    """The older upstream lacks mock_tool_names (ours has it since the 2026-08-21 sync)."""
    oldest, newest = upstream_fixture.write(tmp_path)
    target, older_target = tmp_path / "extracted.json", tmp_path / "extracted-older.json"
    path = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
    assert run("--from", str(newest), "--operation", f"POST:{path}", "--into", str(target)) == 0
    assert run("--from", str(oldest), "--operation", f"POST:{path}", "--into", str(older_target)) == 0
    extracted = json.loads(target.read_text(encoding="utf-8"))["components"]["schemas"]
    older = json.loads(older_target.read_text(encoding="utf-8"))["components"]["schemas"]
    ours = YAML(typ="safe", pure=True).load((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    ours_fields = set(ours["components"]["schemas"]["RunScenariosWithWebsockets"]["properties"])
    assert set(extracted["RunScenariosWithWebsockets"]["properties"]) == ours_fields
    assert ours_fields - set(older["RunScenariosWithWebsockets"]["properties"]) == {"mock_tool_names"}
    assert extracted["ScenarioWithWebsocket"] == ours["components"]["schemas"]["ScenarioWithWebsocket"]


def test_keep_descriptions_adopts_the_newest_results_operation_in_our_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """docs/maintainers.md's adopt-a-change step: upstream's structure, none of its prose on our nodes."""
    _, newest = upstream_fixture.write(tmp_path)
    ours_text = (REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8")
    target = tmp_path / "openapi.yaml"
    target.write_text(ours_text, encoding="utf-8")

    code = run(
        "--from", str(newest), "--operation", f"GET:{RESULTS}", "--into", str(target), "--keep-descriptions"
    )

    assert code == 0
    text = target.read_text(encoding="utf-8")
    synced, ours = (YAML(typ="safe", pure=True).load(t) for t in (text, ours_text))
    upstream = load_spec(str(newest))
    # Structurally it is upstream's operation: check_drift sees no difference left.
    assert diff_specs(synced, upstream, [("get", RESULTS)]) == []
    # In our words: the operation's, its parameter's and every field's prose is ours.
    synced_op, ours_op = synced["paths"][RESULTS]["get"], ours["paths"][RESULTS]["get"]
    for key in ("summary", "description"):
        assert synced_op[key] == ours_op[key]
    assert synced_op["parameters"][0]["description"] == ours_op["parameters"][0]["description"]
    assert synced_op["responses"] == ours_op["responses"]
    synced_fields = synced["components"]["schemas"]["ResultDetailV2"]["properties"]
    for name, field in ours["components"]["schemas"]["ResultDetailV2"]["properties"].items():
        assert synced_fields[name].get("description") == field.get("description"), name
    upstream_op = upstream["paths"][RESULTS]["get"]
    assert upstream_op["description"] not in text and upstream_op["summary"] not in text
    assert "Success" not in text, "upstream's example payload stays out"
    # What did come in new is named on stderr.
    assert f"components.securitySchemes.{upstream_fixture.NEW_SCHEME}" in capsys.readouterr().err


def test_both_operations_from_the_older_upstream_round_trip_through_our_spec(tmp_path: Path) -> None:
    """2025-12-02 predates the seed's changes: syncing it in must reproduce it exactly, and the
    drift from there to the newest file must be the real history check_drift knows."""
    older, newest = upstream_fixture.write(tmp_path)
    run_path = "/test_framework/v1/scenarios/run_scenarios_with_websockets/"
    operations = [("post", run_path), ("get", RESULTS)]
    target = tmp_path / "openapi.yaml"
    target.write_text((REPO_ROOT / "openapi.yaml").read_text(encoding="utf-8"), encoding="utf-8")

    code = run(
        *("--from", str(older), "--operation", f"POST:{run_path}", "--operation", f"GET:{RESULTS}"),
        *("--into", str(target)),
    )

    assert code == 0
    synced = load_spec(str(target))
    old, new = load_spec(str(older)), load_spec(str(newest))
    assert diff_specs(old, synced, operations, verbose=True) == []
    assert diff_specs(synced, new, operations, verbose=True) == diff_specs(old, new, operations, verbose=True)
    result = synced["paths"][RESULTS]["get"]
    assert result["operationId"] == "results-retrieve" and "deprecated" not in result
    status = synced["components"]["schemas"]["ResultDetailV2"]["properties"]["status"]
    assert "scaling_up" not in status["enum"], "added upstream after 2025-12-02"
