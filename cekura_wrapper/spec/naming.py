"""What regenerating the client fixes about the spec, shared by ``scripts/regenerate.py`` (which
applies it) and the drift check (which judges upstream changes by it)."""

from __future__ import annotations

from typing import Any

#: operationId names the generated module and function and the first tag names the package
#: they live in (``cekura_api.api.<tag>.<operationId>``); nothing in the generator's config can
#: rename either. The temporary copy gets readable, fixed ones, keyed by method and path, so an
#: upstream rename of an operationId or a re-tagging does not move or rename our code.
OPERATION_NAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("post", "/test_framework/v1/scenarios/run_scenarios_with_websockets/"): (
        "evaluators",
        "run_scenarios_with_websockets",
    ),
    ("get", "/test_framework/v1/results/{id}/"): ("results", "get_result"),
    ("post", "/test_framework/v1/results/{id}/end_calls/"): ("results", "end_calls"),
    ("get", "/test_framework/v1/results/"): ("results", "list_results"),
    ("post", "/test_framework/v1/results/{id}/create_shareable_link_token/"): (
        "results",
        "create_share_link",
    ),
}


def tolerate_unknown_enum_values(node: Any) -> Any:
    """Rewrite every string enum to ``anyOf: [<the enum>, {type: string}]``.

    Cekura widens its status enums over time (``cancelled``, ``scaling_up``); a generated
    enum raises ``ValueError`` on a value it does not know, failing the whole call. With
    this rewrite known values still parse to enum members and unknown ones stay ``str``.
    The only enums in the contract are response statuses; requests are validated by the
    wrapper before they are sent, so no request-side check is lost.
    """
    if isinstance(node, list):
        return [tolerate_unknown_enum_values(item) for item in node]
    if not isinstance(node, dict):
        return node
    rewritten = {key: tolerate_unknown_enum_values(value) for key, value in node.items()}
    if rewritten.get("type") == "string" and isinstance(rewritten.get("enum"), list):
        keep_outside = {"description", "readOnly", "example", "default"}
        outer = {key: value for key, value in rewritten.items() if key in keep_outside}
        inner = {key: value for key, value in rewritten.items() if key not in keep_outside}
        outer["anyOf"] = [inner, {"type": "string"}]
        return outer
    return rewritten
