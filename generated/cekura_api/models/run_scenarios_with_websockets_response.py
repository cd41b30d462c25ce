from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.submission_status import SubmissionStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_scenarios_with_websockets_run import RunScenariosWithWebsocketsRun


T = TypeVar("T", bound="RunScenariosWithWebsocketsResponse")


@_attrs_define
class RunScenariosWithWebsocketsResponse:
    """
    Attributes:
        agent (int | Unset): Id of the agent the runs belong to.
        created_at (datetime.datetime | Unset):  Example: 2025-02-25T21:00:01.990052Z.
        id (int | Unset): Numeric id of the new result.
        run_as_text (bool | Unset): True when the runs are text conversations. Example: False.
        runs (list[RunScenariosWithWebsocketsRun] | Unset):
        status (str | SubmissionStatus | Unset): Lifecycle state of the new result.
    """

    agent: int | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    id: int | Unset = UNSET
    run_as_text: bool | Unset = UNSET
    runs: list[RunScenariosWithWebsocketsRun] | Unset = UNSET
    status: str | SubmissionStatus | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent = self.agent

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        id = self.id

        run_as_text = self.run_as_text

        runs: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.runs, Unset):
            runs = []
            for runs_item_data in self.runs:
                runs_item = runs_item_data.to_dict()
                runs.append(runs_item)

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, SubmissionStatus):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if agent is not UNSET:
            field_dict["agent"] = agent
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if id is not UNSET:
            field_dict["id"] = id
        if run_as_text is not UNSET:
            field_dict["run_as_text"] = run_as_text
        if runs is not UNSET:
            field_dict["runs"] = runs
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_scenarios_with_websockets_run import (
            RunScenariosWithWebsocketsRun,  # noqa: PLC0415
        )

        d = dict(src_dict)
        agent = d.pop("agent", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        id = d.pop("id", UNSET)

        run_as_text = d.pop("run_as_text", UNSET)

        _runs = d.pop("runs", UNSET)
        runs: list[RunScenariosWithWebsocketsRun] | Unset = UNSET
        if _runs is not UNSET:
            runs = []
            for runs_item_data in _runs:
                runs_item = RunScenariosWithWebsocketsRun.from_dict(runs_item_data)

                runs.append(runs_item)

        def _parse_status(data: object) -> str | SubmissionStatus | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = SubmissionStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | SubmissionStatus | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        run_scenarios_with_websockets_response = cls(
            agent=agent,
            created_at=created_at,
            id=id,
            run_as_text=run_as_text,
            runs=runs,
            status=status,
        )

        run_scenarios_with_websockets_response.additional_properties = d
        return run_scenarios_with_websockets_response

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
