"""The batch a command works on: a YAML, JSON or CSV file plus ``--scenario``/``--frequency``/``--agent``.

Every problem is collected with where it is (``batch.yaml:7``, ``--scenario #2``) and reported
at once, before any request. ``${VAR}`` and ``${VAR:-default}`` in any string value are replaced
from the environment, so one file serves every environment; a default may itself hold references
(``${A:-${B:-x}}``), and is expanded only when it is used. A variable's value is taken as written
(a ``${...}`` inside it is not expanded again). Only variables the workflow allows are read: names
given with ``--allow-env NAME`` or starting with ``CEKURA_VAR_``; the API key, the websocket secret
and names that look like secrets never are, so a file changed in a pull request cannot send them to
a host of its choosing. Batch file shapes::

    # YAML or JSON: a mapping (frequency and agent optional) or just the list of scenarios
    frequency: 2
    agent: 7
    scenarios:
      - {scenario: 101, websocket_url: "wss://${AGENT_HOST}/chat"}

    # CSV: a header row; frequency and agent columns are optional and must agree between rows
    scenario,websocket_url
    101,wss://${AGENT_HOST}/chat
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs
import yaml

from cekura_wrapper._errors import Loc, ValidationError
from cekura_wrapper._mock_tools import check_mock_tool_names
from cekura_wrapper._plan import MAX_RUNS, RunPlan, ScenarioTarget, plan_run
from cekura_wrapper._validation import MAX_ID, check_frequency, check_positive_id, check_websocket_url, quote

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ITEM_KEYS: Final = ("scenario", "websocket_url")
_TOP_KEYS: Final = frozenset({"scenarios", "frequency", "agent", "mock_tool_names"})
_SUITE_KEYS: Final = frozenset({"groups", "concurrency"})
_GROUP_KEYS: Final = frozenset({"name", "scenarios", "frequency", "agent", "mock_tool_names"})
_CSV_COLUMNS: Final = frozenset({"scenario", "websocket_url", "frequency", "agent"})
_SYNTAX: Final = "write ${VAR} or ${VAR:-default}"
#: Variables with this prefix may be read by ``${VAR}`` without ``--allow-env``.
ALLOWED_PREFIX: Final = "CEKURA_VAR_"
#: Never read by ``${VAR}``, even when allowed: the secrets cekura-ws itself holds...
NEVER_EXPANDED: Final = frozenset({"CEKURA_API_KEY", "CEKURA_WEBSOCKET_SECRET"})
#: ...and any name that looks like a secret.
_SECRET_WORDS: Final = ("KEY", "TOKEN", "SECRET", "PASSWORD")
_MALFORMED: Final = -1
FORMATS: Final = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
#: Limits on a batch file, so any file is read in bounded time and memory.
MAX_FILE_BYTES: Final = 10 << 20
MAX_NODES: Final = 200_000
MAX_DEPTH: Final = 32
#: PyYAML's scanner costs time quadratic in the nesting of flow collections (``[[[...``: 1,000
#: levels took 3 s): text nested deeper than this is refused before PyYAML sees it.
_MAX_FLOW_NESTING: Final = 200
_BRACKETS: Final = re.compile(r"[\[\]{}]")
_INT_TAG: Final = "tag:yaml.org,2002:int"
_PLAIN_TAGS: Final = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("null", "bool", "int", "float", "str", "timestamp", "map", "seq", "merge")
)


class _Unresolved:
    def __repr__(self) -> str:
        return "UNRESOLVED"


#: What ``_Collector.expand`` returns for a value whose expansion was reported as a problem.
UNRESOLVED: Final = _Unresolved()


@attrs.frozen
class InputProblem:
    """One thing wrong with the input, and where it is."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InputError(Exception):
    """The input has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        count = len(problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input")
        self.problems = list(problems)


@attrs.frozen
class Located:
    """A scenario target and where it came from."""

    target: ScenarioTarget
    where: str


@attrs.frozen
class Batch:
    """The checked input: targets in order, and the frequency and agent (flags win over the file)."""

    targets: tuple[Located, ...]
    frequency: int | None
    agent: int | None
    #: The library's plan of the targets, when the frequency is known.
    run_plan: RunPlan | None = None
    #: Where the frequency and the agent came from (``--frequency``, ``batch.yaml:2``), when given.
    origins: Mapping[str, str] = attrs.field(factory=dict)

    def where(self, loc: Loc) -> str | None:
        """Where in the user's input a problem located at ``loc`` is, if this batch knows.

        ``("scenarios", 3, ...)`` is the fourth scenario's file line or ``--scenario #N``;
        ``("frequency",)`` and ``("agent",)`` the flag or line that set them.
        """
        return _place(loc, self.targets, self.origins)

    @property
    def urls(self) -> list[str]:
        """The distinct websocket URLs, in first-seen order (targets on the agent's URL have none)."""
        return list(dict.fromkeys(url for located in self.targets if (url := located.target.websocket_url)))

    @property
    def on_agent_url(self) -> int:
        """Targets that give no URL: Cekura dials the agent's own, which pre-flight cannot know."""
        return sum(located.target.websocket_url is None for located in self.targets)

    def plan(self) -> RunPlan:
        """The run plan, built by the library's ``plan_run`` so the body is exactly what it sends.

        ``frequency`` must be known (``load_batch(..., need_frequency=True)``).
        """
        assert self.run_plan is not None
        return self.run_plan


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
class _Collector:
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


@attrs.frozen
class _Item:
    """One scenario entry as read from a file: its values, and the line of each (when known)."""

    values: Mapping[str, object]
    where: str
    field_lines: Mapping[str, str] = attrs.field(factory=dict)

    def where_of(self, key: str) -> str:
        return self.field_lines.get(key, self.where)


@attrs.define
class _FileContent:
    items: list[_Item] = attrs.field(factory=list)
    frequency: tuple[object, str] | None = None
    agent: tuple[object, str] | None = None
    mock_tool_names: tuple[object, str] | None = None
    #: The file could not be read or parsed, so a missing frequency is not worth reporting too.
    unreadable: bool = False


def load_batch(
    batch: Path | None,
    scenarios: Sequence[str] = (),
    *,
    frequency: int | None = None,
    agent: int | None = None,
    need_frequency: bool = True,
    max_runs: int = MAX_RUNS,
    environ: Mapping[str, str] | None = None,
    allow_env: Collection[str] = (),
    mock_tool_names: object = None,
) -> Batch:
    """Read and check everything, or raise ``InputError`` listing every problem. ``${VAR}`` reads
    only ``allow_env`` and ``CEKURA_VAR_*`` names (see ``variable_refusal``).

    ``mock_tool_names``: what the flags chose (a tuple), or anything else (``NOT_GIVEN``) to let
    the file decide."""
    collector = _Collector(os.environ if environ is None else environ, allowed=frozenset(allow_env))
    content, targets = _collect(batch, scenarios, collector)
    if not targets and not collector.problems:
        collector.add(str(batch or "input"), "no scenarios: pass --batch FILE or --scenario ID=URL")
    origins: dict[str, str] = {}
    final_frequency = _setting("frequency", frequency, content.frequency, check_frequency, collector, origins)
    final_agent = _setting(
        "agent", agent, content.agent, lambda value: check_positive_id(value, "agent"), collector, origins
    )
    if need_frequency and frequency is None and content.frequency is None and not content.unreadable:
        collector.add(
            "--frequency", "frequency is required: pass --frequency N or set frequency in the batch file"
        )
    tools = _mock_tools(mock_tool_names, content.mock_tool_names, collector, origins)
    run_plan = None
    if not collector.problems and final_frequency is not None:
        run_plan = _plan(targets, final_frequency, final_agent, collector, origins, max_runs, tools)
    if collector.problems:
        raise InputError(sorted(collector.problems, key=_file_order))
    return Batch(
        targets=tuple(targets),
        frequency=final_frequency,
        agent=final_agent,
        run_plan=run_plan,
        origins=origins,
    )


def _mock_tools(
    flag: object, from_file: tuple[object, str] | None, collector: _Collector, origins: dict[str, str]
) -> tuple[str, ...] | None:
    """The flags' choice, else the file's ``mock_tool_names`` (checked at its line), else None."""
    if isinstance(flag, tuple):
        origins["mock_tool_names"] = "--mock-tools"
        return flag
    if from_file is None or from_file[0] is None:
        return None
    value, where = from_file
    origins["mock_tool_names"] = where
    if isinstance(value, list):
        value = [collector.expand(name, where) for name in value]
        if UNRESOLVED in value:
            return None
    problems = check_mock_tool_names(value)
    for problem in problems:
        collector.add(where, problem.message)
    if problems or not isinstance(value, list):
        return None
    return tuple(dict.fromkeys(str(name).strip() for name in value))


def _place(loc: Loc, targets: Sequence[Located], origins: Mapping[str, str]) -> str | None:
    if len(loc) >= 2 and loc[0] == "scenarios" and isinstance(loc[1], int) and 0 <= loc[1] < len(targets):
        return targets[loc[1]].where
    if len(loc) == 1 and isinstance(loc[0], str):
        return origins.get(loc[0])
    return None


def _plan(
    targets: Sequence[Located],
    frequency: int,
    agent: int | None,
    collector: _Collector,
    origins: Mapping[str, str],
    max_runs: int,
    mock_tool_names: tuple[str, ...] | None = None,
) -> RunPlan | None:
    """The library's plan; anything it still rejects becomes a problem at the scenario's file and line."""
    try:
        return plan_run(
            [located.target for located in targets],
            frequency=frequency,
            agent=agent,
            max_runs=max_runs,
            mock_tool_names=mock_tool_names,
        )
    except ValidationError as exc:
        for problem in exc.problems:
            where = _place(problem.loc, targets, origins)
            if where is None:
                collector.add("run request", str(problem))
            else:
                collector.add(where, problem.message)
        return None


def load_urls(
    urls: Sequence[str],
    batch: Path | None = None,
    scenarios: Sequence[str] = (),
    *,
    environ: Mapping[str, str] | None = None,
    allow_env: Collection[str] = (),
    skipped: list[str] | None = None,
) -> list[str]:
    """The distinct agent URLs of positional ``urls`` plus a batch, or ``InputError``. Targets
    that give no URL (the agent's own) are left out; where each was is added to ``skipped``.
    ``${VAR}`` reads only ``allow_env`` and ``CEKURA_VAR_*`` names."""
    collector = _Collector(os.environ if environ is None else environ, allowed=frozenset(allow_env))
    _content, targets = _collect(batch, scenarios, collector)
    found = [url for located in targets if (url := located.target.websocket_url)]
    if skipped is not None:
        skipped.extend(located.where for located in targets if located.target.websocket_url is None)
    for number, url in enumerate(urls, start=1):
        problem = check_websocket_url(url)
        if problem:
            collector.add(f"URL #{number}", problem)
        else:
            found.append(url.strip())
    if not found and not collector.problems and not targets:
        collector.add("input", "no agent URLs: pass URLs, --batch FILE or --scenario ID=URL")
    if collector.problems:
        raise InputError(sorted(collector.problems, key=_file_order))
    return list(dict.fromkeys(found))


def _collect(
    batch: Path | None, scenarios: Sequence[str], collector: _Collector
) -> tuple[_FileContent, list[Located]]:
    content = _read_file(batch, collector) if batch is not None else _FileContent()
    targets = [located for item in content.items if (located := _target(item, collector)) is not None]
    for number, raw in enumerate(scenarios, start=1):
        located = _scenario_flag(raw, f"--scenario #{number}", collector)
        if located is not None:
            targets.append(located)
    return content, targets


def _file_order(problem: InputProblem) -> tuple[int, int]:
    """File problems first, by line; then the flags, in the order given (the sort is stable)."""
    _name, separator, line = problem.where.rpartition(":")
    if separator and line.isdigit():
        return (0, int(line))
    return (1, 0) if problem.where.startswith("-") else (0, 0)


def _setting(
    name: str,
    flag: int | None,
    from_file: tuple[object, str] | None,
    check: Callable[[object], str | None],
    collector: _Collector,
    origins: dict[str, str],
) -> int | None:
    if flag is not None:
        value: object = flag
        where = f"--{name}"
    elif from_file is not None:
        value, where = from_file
        value = _as_int(collector.expand(value, where))
        if value is UNRESOLVED:
            return None
    else:
        return None
    problem = check(value)
    if problem:
        collector.add(where, problem)
        return None
    assert isinstance(value, int)
    origins[name] = where
    return value


def _as_int(value: object) -> object:
    """Digits in a string (CSV cells, expanded variables) become an int; anything else is kept.
    More digits than any id has stand for "too large" (never parsed: Python refuses over 4,300)."""
    if isinstance(value, str) and value.strip().isdigit():
        digits = value.strip()
        return int(digits) if len(digits) <= 19 else MAX_ID + 1
    return value


def _target(item: _Item, collector: _Collector) -> Located | None:
    unknown = sorted(str(key) for key in item.values if key not in _ITEM_KEYS)
    missing = "scenario" not in item.values
    if unknown:
        collector.add(
            item.where_of(unknown[0]),
            f"unknown key {', '.join(map(quote, unknown))} (expected keys: scenario, websocket_url)",
        )
    if missing:
        collector.add(item.where, "missing scenario")
    if unknown or missing:
        return None
    scenario = _as_int(collector.expand(item.values["scenario"], item.where_of("scenario")))
    # No websocket_url (or an empty one: a blank CSV cell, `websocket_url:` in YAML): the agent's URL.
    raw_url = item.values.get("websocket_url")
    url = (
        None
        if raw_url is None or raw_url == ""
        else collector.expand(raw_url, item.where_of("websocket_url"))
    )
    return _checked(
        scenario, url, item.where_of("scenario"), item.where_of("websocket_url"), item.where, collector
    )


def _checked(
    scenario: object, url: object, scenario_where: str, url_where: str, where: str, collector: _Collector
) -> Located | None:
    """``UNRESOLVED`` values were already reported by ``expand``; everything else is checked here."""
    before = len(collector.problems)
    if scenario is not UNRESOLVED:
        problem = check_positive_id(scenario, "scenario id")
        if problem:
            collector.add(scenario_where, problem)
    if url is not UNRESOLVED and url is not None:
        problem = check_websocket_url(url)
        if problem:
            collector.add(url_where, problem)
    if scenario is UNRESOLVED or url is UNRESOLVED or len(collector.problems) > before:
        return None
    assert isinstance(scenario, int) and (url is None or isinstance(url, str))
    return Located(
        ScenarioTarget(scenario=scenario, websocket_url=None if url is None else url.strip()), where
    )


def _scenario_flag(raw: str, where: str, collector: _Collector) -> Located | None:
    scenario, separator, url = raw.partition("=")
    if not separator and scenario.strip().isdigit():
        # A bare id: the scenario runs against the agent's websocket URL (needs --agent).
        return _checked(_as_int(scenario.strip()), None, where, where, where, collector)
    # "://" before the first '=': the ID is missing and '=' split the URL's query (whose value must
    # not be echoed on its own as a "URL").
    if not separator or not scenario.strip() or not url.strip() or "://" in scenario:
        collector.add(
            where,
            f"expected ID=URL (e.g. 101=wss://agent.example.com/chat) or a bare ID (the agent's "
            f"websocket URL), got {quote(raw)}",
        )
        return None
    expanded = collector.expand(url.strip(), where)
    return _checked(_as_int(scenario.strip()), expanded, where, where, where, collector)


def _read_file(path: Path, collector: _Collector) -> _FileContent:
    name = str(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        collector.add(
            name, f"unknown batch file type {path.suffix or '(none)'!r}; use .yaml, .yml, .json or .csv"
        )
        return _FileContent(unreadable=True)
    try:
        text = _bounded_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        collector.add(name, f"cannot read the batch file: {getattr(exc, 'strerror', None) or exc}")
        return _FileContent(unreadable=True)
    except ValueError as exc:
        collector.add(name, str(exc))
        return _FileContent(unreadable=True)
    if kind == "csv":
        return _read_csv(text, name, collector)
    return _read_tree(text, name, kind, collector)


def _bounded_text(path: Path) -> str:
    """The file's text; ``ValueError`` for anything but a regular file of at most ``MAX_FILE_BYTES``
    (a link to ``/dev/zero`` or a FIFO would be read forever)."""
    with path.open("rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise ValueError("the batch file is not a regular file (a device, FIFO or folder?)")
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the batch file is larger than {MAX_FILE_BYTES // (1 << 20)} MiB, the limit")
    return data.decode("utf-8-sig")


def _read_csv(text: str, name: str, collector: _Collector) -> _FileContent:
    try:
        return _read_csv_rows(text, name, collector)
    except csv.Error as exc:  # a field over the csv module's limit (131,072 characters), say
        collector.add(name, f"not valid CSV: {exc}")
        return _FileContent(unreadable=True)


def _read_csv_rows(text: str, name: str, collector: _Collector) -> _FileContent:
    content = _FileContent()
    # csv.reader, not DictReader: it yields blank lines too, so line numbers stay exact.
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    header = [column.strip() for column in next(reader, [])]
    unknown = [column for column in header if column not in _CSV_COLUMNS]
    missing = [column for column in ("scenario",) if column not in header]
    if unknown:
        collector.add(f"{name}:1", f"unknown column {', '.join(map(quote, unknown))}")
    if missing:
        collector.add(
            f"{name}:1", f"missing column {' and '.join(missing)} (header row: scenario,websocket_url)"
        )
    if unknown or missing:
        content.unreadable = True
        return content
    line_start = reader.line_num + 1
    for row in reader:
        where = f"{name}:{line_start}"
        line_start = reader.line_num + 1
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue  # blank lines and comments
        if len(cells) != len(header):
            collector.add(where, f"{len(cells)} cells where the header has {len(header)} columns")
            continue
        values: dict[str, object] = dict(zip(header, cells, strict=True))
        for setting in ("frequency", "agent"):
            value = values.pop(setting, "")
            if value:
                _file_setting(content, setting, value, where, collector)
        content.items.append(_Item(values=values, where=where))
    return content


def _file_setting(
    content: _FileContent, setting: str, value: object, where: str, collector: _Collector
) -> None:
    current = getattr(content, setting)
    if current is None:
        setattr(content, setting, (value, where))
    elif current[0] != value:
        collector.add(
            where,
            f"{setting} {quote(value)} differs from {quote(current[0])} at {current[1]}; a batch has one {setting}",
        )


def _compose(text: str) -> yaml.Node | None:
    """PyYAML's node tree of ``text``; ``RecursionError`` (as PyYAML would raise, but at once) for
    flow collections nested deeper than ``_MAX_FLOW_NESTING``."""
    if _flow_nesting_exceeds(text, _MAX_FLOW_NESTING):
        raise RecursionError(f"flow collections nested deeper than {_MAX_FLOW_NESTING}")
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _flow_nesting_exceeds(text: str, limit: int) -> bool:
    """Whether brackets and braces (quoted ones too: an upper bound) nest deeper than ``limit``,
    in one pass over the text."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(text):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _read_tree(text: str, name: str, kind: str, collector: _Collector) -> _FileContent:
    if kind == "json":
        try:
            json.loads(text)
        except RecursionError:
            collector.add(name, f"not valid JSON: nested deeper than {MAX_DEPTH} levels")
            return _FileContent(unreadable=True)
        except ValueError as exc:
            where = f"{name}:{exc.lineno}" if isinstance(exc, json.JSONDecodeError) else name
            collector.add(where, f"not valid JSON: {getattr(exc, 'msg', exc)}")
            return _FileContent(unreadable=True)
    try:
        node = _compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        collector.add(where, f"not valid {kind.upper()}: {problem}")
        return _FileContent(unreadable=True)
    except RecursionError:
        collector.add(name, f"not valid {kind.upper()}: nested deeper than {MAX_DEPTH} levels")
        return _FileContent(unreadable=True)
    problem = _tree_problem(node, name) if node is not None else None
    if problem is not None:
        collector.add(*problem)
        return _FileContent(unreadable=True)
    content = _FileContent()
    if node is None:
        collector.add(name, "the batch file is empty")
        return content
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = _construct(key_node)
            where = _where(name, value_node)
            if key == "scenarios":
                _read_items(value_node, name, collector, content)
            elif key in ("frequency", "agent", "mock_tool_names"):
                _file_setting(content, str(key), _construct(value_node), where, collector)
            else:
                collector.add(
                    _where(name, key_node),
                    f"unknown key {quote(key)} (expected: {', '.join(sorted(_TOP_KEYS))})",
                )
        if not any(_construct(key_node) == "scenarios" for key_node, _ in node.value):
            collector.add(
                _where(name, node), "missing 'scenarios' (a list of {scenario, websocket_url} entries)"
            )
    elif isinstance(node, yaml.SequenceNode):
        _read_items(node, name, collector, content)
    else:
        collector.add(_where(name, node), "expected a mapping with 'scenarios' or a list of scenarios")
    return content


def _tree_problem(root: yaml.Node, name: str) -> tuple[str, str] | None:
    """Where and why a YAML/JSON tree is refused before any value is built: a tag other than plain
    YAML's (``!!python/object``, ``!foo``), nesting deeper than ``MAX_DEPTH``, more than
    ``MAX_NODES`` values once aliases are expanded (a "billion laughs" file), or a number longer
    than any id. Iterative and bounded by ``MAX_NODES``, whatever the file holds."""
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    visited = 0
    while stack:
        node, depth = stack.pop()
        visited += 1
        if visited > MAX_NODES:
            return name, f"more than {MAX_NODES:,} values once aliases are expanded; refused"
        if depth > MAX_DEPTH:
            return _where(name, node), f"nested deeper than {MAX_DEPTH} levels"
        if node.tag not in _PLAIN_TAGS:
            return _where(name, node), f"the YAML tag {quote(node.tag)} is not allowed in a batch file"
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _INT_TAG and len(str(node.value)) > 30:
                return _where(name, node), "a number longer than any id (30 digits at most)"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend(((key, depth + 1), (value, depth + 1)))
    return None


def _read_items(node: yaml.Node, name: str, collector: _Collector, content: _FileContent) -> None:
    if not isinstance(node, yaml.SequenceNode):
        collector.add(_where(name, node), "'scenarios' must be a list of {scenario, websocket_url} entries")
        return
    for item_node in node.value:
        where = _where(name, item_node)
        if not isinstance(item_node, yaml.MappingNode):
            collector.add(
                where, f"expected a {{scenario, websocket_url}} entry, got {quote(_construct(item_node))}"
            )
            continue
        values: dict[str, object] = {}
        lines: dict[str, str] = {}
        for key_node, value_node in item_node.value:
            key = str(_construct(key_node))
            values[key] = _construct(value_node)
            lines[key] = _where(name, value_node)
        content.items.append(_Item(values=values, where=where, field_lines=lines))


def _construct(node: yaml.Node) -> object:
    """The Python value of one node, with the safe loader's types."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _where(name: str, node: yaml.Node) -> str:
    return f"{name}:{node.start_mark.line + 1}"


@attrs.frozen
class SuiteInput:
    """A checked batch file with ``groups:``: each group a ``Batch`` with its plan, and the budget."""

    groups: tuple[tuple[str, Batch], ...]
    concurrency: int | None
    path: str


def has_groups(path: Path | None) -> bool:
    """True when ``path`` is a YAML/JSON batch file whose top level holds ``groups``."""
    if path is None or FORMATS.get(path.suffix.lower()) not in ("yaml", "json"):
        return False
    try:
        node = _compose(_bounded_text(path))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError):
        return False  # load_batch reports it
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(key, yaml.ScalarNode) and key.value == "groups" for key, _ in node.value
    )


def load_suite(
    path: Path,
    *,
    concurrency: int | None = None,
    max_runs: int = MAX_RUNS,
    environ: Mapping[str, str] | None = None,
    allow_env: Collection[str] = (),
) -> SuiteInput:
    """Read a suite file and check every group, or raise ``InputError`` listing every problem of
    every group (each at its file and line)."""
    collector = _Collector(os.environ if environ is None else environ, allowed=frozenset(allow_env))
    name = str(path)
    node = None
    try:
        node = _compose(_bounded_text(path))
    except (OSError, UnicodeDecodeError) as exc:
        collector.add(name, f"cannot read the batch file: {getattr(exc, 'strerror', None) or exc}")
    except ValueError as exc:
        collector.add(name, str(exc))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        collector.add(f"{name}:{mark.line + 1}" if mark is not None else name, f"not valid YAML: {exc}")
    except RecursionError:
        collector.add(name, f"nested deeper than {MAX_DEPTH} levels")
    problem = _tree_problem(node, name) if node is not None else None
    if problem is not None:
        collector.add(*problem)
        node = None
    groups: list[tuple[str, Batch]] = []
    origins: dict[str, str] = {}
    file_concurrency: tuple[object, str] | None = None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = _construct(key_node)
            if key == "groups":
                groups = _read_groups(value_node, name, collector, max_runs)
            elif key == "concurrency":
                file_concurrency = (_construct(value_node), _where(name, value_node))
            else:
                collector.add(
                    _where(name, key_node),
                    f"unknown key {quote(key)} in a file with groups (expected: {', '.join(sorted(_SUITE_KEYS))})",
                )
    final_concurrency = _setting(
        "concurrency",
        concurrency,
        file_concurrency,
        lambda value: check_positive_id(value, "concurrency"),
        collector,
        origins,
    )
    if collector.problems:
        raise InputError(sorted(collector.problems, key=_file_order))
    return SuiteInput(tuple(groups), final_concurrency, name)


def _read_groups(node: yaml.Node, name: str, collector: _Collector, max_runs: int) -> list[tuple[str, Batch]]:
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        collector.add(_where(name, node), "'groups' must be a non-empty list of groups")
        return []
    groups: list[tuple[str, Batch]] = []
    names: dict[str, str] = {}
    for group_node in node.value:
        where = _where(name, group_node)
        if not isinstance(group_node, yaml.MappingNode):
            collector.add(where, "each group must be a mapping with name, scenarios, frequency (and agent)")
            continue
        content = _FileContent()
        group_name: object = None
        for key_node, value_node in group_node.value:
            key = _construct(key_node)
            value_where = _where(name, value_node)
            if key == "scenarios":
                _read_items(value_node, name, collector, content)
            elif key in ("frequency", "agent", "mock_tool_names"):
                _file_setting(content, str(key), _construct(value_node), value_where, collector)
            elif key == "name":
                group_name = collector.expand(_construct(value_node), value_where)
            else:
                collector.add(
                    _where(name, key_node),
                    f"unknown key {quote(key)} in a group (expected: {', '.join(sorted(_GROUP_KEYS))})",
                )
        if not isinstance(group_name, str) or not group_name.strip() or len(group_name) > 100:
            if group_name is not UNRESOLVED:
                collector.add(where, "each group needs a name of 1 to 100 characters")
            continue
        if group_name in names:
            collector.add(where, f"group name {quote(group_name)} is also used at {names[group_name]}")
            continue
        names[group_name] = where
        targets = [located for item in content.items if (located := _target(item, collector)) is not None]
        if not content.items:
            collector.add(where, f"group {quote(group_name)} has no scenarios")
        origins: dict[str, str] = {}
        frequency = _setting("frequency", None, content.frequency, check_frequency, collector, origins)
        agent = _setting(
            "agent", None, content.agent, lambda value: check_positive_id(value, "agent"), collector, origins
        )
        if content.frequency is None:
            collector.add(where, f"group {quote(group_name)} needs a frequency")
        tools = _mock_tools(None, content.mock_tool_names, collector, origins)
        run_plan = None
        if targets and frequency is not None and len(targets) == len(content.items):
            run_plan = _plan(targets, frequency, agent, collector, origins, max_runs, tools)
        groups.append(
            (group_name, Batch(tuple(targets), frequency, agent, run_plan=run_plan, origins=origins))
        )
    return groups
