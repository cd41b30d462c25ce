from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SchemaCreateShareableLinkTokenResponse")


@_attrs_define
class SchemaCreateShareableLinkTokenResponse:
    """A shareable link just made.

    Attributes:
        shareable_link (str): The whole link, ready to open in a browser.
        token (str): The token the link carries; it grants access to the result.
    """

    shareable_link: str
    token: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shareable_link = self.shareable_link

        token = self.token

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "shareable_link": shareable_link,
                "token": token,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        shareable_link = d.pop("shareable_link")

        token = d.pop("token")

        schema_create_shareable_link_token_response = cls(
            shareable_link=shareable_link,
            token=token,
        )

        schema_create_shareable_link_token_response.additional_properties = d
        return schema_create_shareable_link_token_response

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
