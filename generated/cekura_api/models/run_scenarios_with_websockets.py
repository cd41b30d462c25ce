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
        frequency (int): Frequency to run
        scenarios (list[ScenarioWithWebsocket]): List of scenario+websocket pairs. Each element must be an object with
            two keys: `scenario` (integer evaluator ID) and `websocket_url` (string, ws:// or wss:// URL). Example:
            [{"scenario": 101, "websocket_url": "wss://agent-a.example.com/chat"}, {"scenario": 102, "websocket_url":
            "wss://agent-b.example.com/chat"}]
        agent (int | None | Unset): Agent to use. Required if none of the scenarios have an agent.
    """

    frequency: int
    scenarios: list[ScenarioWithWebsocket]
    agent: int | None | Unset = UNSET
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

        run_scenarios_with_websockets = cls(
            frequency=frequency,
            scenarios=scenarios,
            agent=agent,
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
