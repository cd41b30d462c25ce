from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.submitted_run_status import SubmittedRunStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.submitted_run_test_profile_data import SubmittedRunTestProfileData


T = TypeVar("T", bound="RunScenariosWithWebsocketsRun")


@_attrs_define
class RunScenariosWithWebsocketsRun:
    """
    Attributes:
        id (int | Unset): ID of the run
        inbound_number (None | str | Unset): For inbound runs (agent.inbound=True). The agent's configured phone number
            will receive calls from this number. Example: +11234567890.
        number (str | Unset): For outbound runs (agent.inbound=False). The given number that must be called from the
            phone number configured in the cekura agent. Example: +11234567890.
        scenario (int | Unset): ID of the scenario
        scenario_name (str | Unset): Name of the scenario
        status (str | SubmittedRunStatus | Unset): Status of the run
        test_profile_data (None | SubmittedRunTestProfileData | Unset): Details of the test profile associated with this
            run scenario
    """

    id: int | Unset = UNSET
    inbound_number: None | str | Unset = UNSET
    number: str | Unset = UNSET
    scenario: int | Unset = UNSET
    scenario_name: str | Unset = UNSET
    status: str | SubmittedRunStatus | Unset = UNSET
    test_profile_data: None | SubmittedRunTestProfileData | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.submitted_run_test_profile_data import SubmittedRunTestProfileData  # noqa: PLC0415

        id = self.id

        inbound_number: None | str | Unset
        if isinstance(self.inbound_number, Unset):
            inbound_number = UNSET
        else:
            inbound_number = self.inbound_number

        number = self.number

        scenario = self.scenario

        scenario_name = self.scenario_name

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, SubmittedRunStatus):
            status = self.status.value
        else:
            status = self.status

        test_profile_data: dict[str, Any] | None | Unset
        if isinstance(self.test_profile_data, Unset):
            test_profile_data = UNSET
        elif isinstance(self.test_profile_data, SubmittedRunTestProfileData):
            test_profile_data = self.test_profile_data.to_dict()
        else:
            test_profile_data = self.test_profile_data

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if id is not UNSET:
            field_dict["id"] = id
        if inbound_number is not UNSET:
            field_dict["inbound_number"] = inbound_number
        if number is not UNSET:
            field_dict["number"] = number
        if scenario is not UNSET:
            field_dict["scenario"] = scenario
        if scenario_name is not UNSET:
            field_dict["scenario_name"] = scenario_name
        if status is not UNSET:
            field_dict["status"] = status
        if test_profile_data is not UNSET:
            field_dict["test_profile_data"] = test_profile_data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.submitted_run_test_profile_data import SubmittedRunTestProfileData  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id", UNSET)

        def _parse_inbound_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        inbound_number = _parse_inbound_number(d.pop("inbound_number", UNSET))

        number = d.pop("number", UNSET)

        scenario = d.pop("scenario", UNSET)

        scenario_name = d.pop("scenario_name", UNSET)

        def _parse_status(data: object) -> str | SubmittedRunStatus | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = SubmittedRunStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | SubmittedRunStatus | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_test_profile_data(
            data: object,
        ) -> None | SubmittedRunTestProfileData | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                test_profile_data_type_0 = SubmittedRunTestProfileData.from_dict(data)

                return test_profile_data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SubmittedRunTestProfileData | Unset, data)

        test_profile_data = _parse_test_profile_data(d.pop("test_profile_data", UNSET))

        run_scenarios_with_websockets_run = cls(
            id=id,
            inbound_number=inbound_number,
            number=number,
            scenario=scenario,
            scenario_name=scenario_name,
            status=status,
            test_profile_data=test_profile_data,
        )

        run_scenarios_with_websockets_run.additional_properties = d
        return run_scenarios_with_websockets_run

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
