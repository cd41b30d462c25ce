"""One scenario entry (a file's ``{scenario, websocket_url}`` or a ``--scenario ID=URL``), checked."""

from __future__ import annotations

from typing import Final

from cekura_wrapper import ScenarioTarget, check_positive_id, check_websocket_url, quote

from .batch import Located
from .files import Item
from .keys import meant_keys, unknown_message
from .settings import as_int
from .variables import UNRESOLVED, Collector

_ITEM_KEYS: Final = ("scenario", "websocket_url")


def entry_target(item: Item, collector: Collector) -> Located | None:
    unknown = sorted(str(key) for key in item.values if key not in _ITEM_KEYS)
    missing = "scenario" not in item.values
    # One problem for the keys (a typo is not also a missing key); the values are still checked.
    if unknown:
        message = unknown_message(unknown, _ITEM_KEYS, expected="expected keys: scenario, websocket_url")
        if missing and "scenario" not in meant_keys(unknown, _ITEM_KEYS):
            message += "; missing scenario"
        collector.add(item.where_of(unknown[0]), message)
    elif missing:
        collector.add(item.where, "missing scenario")
    scenario = (
        UNRESOLVED
        if missing
        else as_int(collector.expand(item.values["scenario"], item.where_of("scenario")))
    )
    # No websocket_url (or an empty one: a blank CSV cell, `websocket_url:` in YAML): the agent's URL.
    raw_url = item.values.get("websocket_url")
    url = (
        None
        if raw_url is None or raw_url == ""
        else collector.expand(raw_url, item.where_of("websocket_url"))
    )
    located = _checked(
        scenario, url, item.where_of("scenario"), item.where_of("websocket_url"), item.where, collector
    )
    return None if unknown else located


def _checked(
    scenario: object, url: object, scenario_where: str, url_where: str, where: str, collector: Collector
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


def scenario_flag(raw: str, where: str, collector: Collector) -> Located | None:
    scenario, separator, url = raw.partition("=")
    if not separator and scenario.strip().isdigit():
        # A bare id: the scenario runs against the agent's websocket URL (needs --agent).
        return _checked(as_int(scenario.strip()), None, where, where, where, collector)
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
    return _checked(as_int(scenario.strip()), expanded, where, where, where, collector)
