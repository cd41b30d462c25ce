from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ScenarioWithWebsocket")


@_attrs_define
class ScenarioWithWebsocket:
    """
    Attributes:
        scenario (int): Numeric id of the evaluator (scenario).
        websocket_url (str | Unset): ws:// or wss:// URL the conversations of this scenario dial. When absent, the
            agent's own websocket URL is used.
    """

    scenario: int
    websocket_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scenario = self.scenario

        websocket_url = self.websocket_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scenario": scenario,
            }
        )
        if websocket_url is not UNSET:
            field_dict["websocket_url"] = websocket_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        scenario = d.pop("scenario")

        websocket_url = d.pop("websocket_url", UNSET)

        scenario_with_websocket = cls(
            scenario=scenario,
            websocket_url=websocket_url,
        )

        scenario_with_websocket.additional_properties = d
        return scenario_with_websocket

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
