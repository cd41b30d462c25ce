from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.scenario_with_websocket import ScenarioWithWebsocket


T = TypeVar("T", bound="RunScenariosWithWebsockets")


@_attrs_define
class RunScenariosWithWebsockets:
    """
    Attributes:
        frequency (int): How many conversations to run per listed scenario.
        scenarios (list[ScenarioWithWebsocket]): The scenarios to run, each an object with the evaluator id and,
            optionally, the websocket URL to dial for it.
        agent (int | None | Unset): Agent whose configuration the runs use. Needed whenever a scenario gives no
            websocket URL of its own (the agent's URL is then dialled).
        mock_tool_names (list[str] | None | Unset): Which of the agent's tools answer with mocks during these runs.
            Absent or null: all of them; an empty list: none (every tool calls its real endpoint); names: only those. An MCP
            server is chosen by its name or key and is mocked as a whole.
    """

    frequency: int
    scenarios: list[ScenarioWithWebsocket]
    agent: int | None | Unset = UNSET
    mock_tool_names: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        frequency = self.frequency

        scenarios = []
        for scenarios_item_data in self.scenarios:
            scenarios_item = scenarios_item_data.to_dict()
            scenarios.append(scenarios_item)

        agent: int | None | Unset
        if isinstance(self.agent, Unset):
            agent = UNSET
        else:
            agent = self.agent

        mock_tool_names: list[str] | None | Unset
        if isinstance(self.mock_tool_names, Unset):
            mock_tool_names = UNSET
        elif isinstance(self.mock_tool_names, list):
            mock_tool_names = self.mock_tool_names

        else:
            mock_tool_names = self.mock_tool_names

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "frequency": frequency,
                "scenarios": scenarios,
            }
        )
        if agent is not UNSET:
            field_dict["agent"] = agent
        if mock_tool_names is not UNSET:
            field_dict["mock_tool_names"] = mock_tool_names

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.scenario_with_websocket import ScenarioWithWebsocket  # noqa: PLC0415

        d = dict(src_dict)
        frequency = d.pop("frequency")

        scenarios = []
        _scenarios = d.pop("scenarios")
        for scenarios_item_data in _scenarios:
            scenarios_item = ScenarioWithWebsocket.from_dict(scenarios_item_data)

            scenarios.append(scenarios_item)

        def _parse_agent(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        agent = _parse_agent(d.pop("agent", UNSET))

        def _parse_mock_tool_names(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                mock_tool_names_type_0 = cast(list[str], data)

                return mock_tool_names_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        mock_tool_names = _parse_mock_tool_names(d.pop("mock_tool_names", UNSET))

        run_scenarios_with_websockets = cls(
            frequency=frequency,
            scenarios=scenarios,
            agent=agent,
            mock_tool_names=mock_tool_names,
        )

        run_scenarios_with_websockets.additional_properties = d
        return run_scenarios_with_websockets

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
