from __future__ import annotations

import datetime
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
        id (int | Unset): Numeric id of the run.
        inbound_number (None | str | Unset): Phone runs where the agent receives the call: the number the call comes
            from. Not used by websocket runs. Example: +11234567890.
        number (str | Unset): Phone runs where the agent places the call: the number to dial. Not used by websocket
            runs. Example: +11234567890.
        outbound_dial_window_closes_at (datetime.datetime | None | Unset): Outbound phone runs: the last moment the
            agent may dial; a later call is ignored and the run times out.
        outbound_dial_window_opens_at (datetime.datetime | None | Unset): Outbound phone runs: when the agent may start
            dialling; null until the run is dispatched.
        outbound_dial_window_seconds (int | None | Unset): Outbound phone runs: how long the dial window stays open, in
            seconds.
        scenario (int | Unset): Id of the scenario (evaluator) the run plays.
        scenario_name (str | Unset): Display name of the scenario.
        status (str | SubmittedRunStatus | Unset): Lifecycle state of the run.
        test_profile_data (None | SubmittedRunTestProfileData | Unset): The test profile the run uses, if any.
    """

    id: int | Unset = UNSET
    inbound_number: None | str | Unset = UNSET
    number: str | Unset = UNSET
    outbound_dial_window_closes_at: datetime.datetime | None | Unset = UNSET
    outbound_dial_window_opens_at: datetime.datetime | None | Unset = UNSET
    outbound_dial_window_seconds: int | None | Unset = UNSET
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

        outbound_dial_window_closes_at: None | str | Unset
        if isinstance(self.outbound_dial_window_closes_at, Unset):
            outbound_dial_window_closes_at = UNSET
        elif isinstance(self.outbound_dial_window_closes_at, datetime.datetime):
            outbound_dial_window_closes_at = (
                self.outbound_dial_window_closes_at.isoformat()
            )
        else:
            outbound_dial_window_closes_at = self.outbound_dial_window_closes_at

        outbound_dial_window_opens_at: None | str | Unset
        if isinstance(self.outbound_dial_window_opens_at, Unset):
            outbound_dial_window_opens_at = UNSET
        elif isinstance(self.outbound_dial_window_opens_at, datetime.datetime):
            outbound_dial_window_opens_at = (
                self.outbound_dial_window_opens_at.isoformat()
            )
        else:
            outbound_dial_window_opens_at = self.outbound_dial_window_opens_at

        outbound_dial_window_seconds: int | None | Unset
        if isinstance(self.outbound_dial_window_seconds, Unset):
            outbound_dial_window_seconds = UNSET
        else:
            outbound_dial_window_seconds = self.outbound_dial_window_seconds

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
        if outbound_dial_window_closes_at is not UNSET:
            field_dict["outbound_dial_window_closes_at"] = (
                outbound_dial_window_closes_at
            )
        if outbound_dial_window_opens_at is not UNSET:
            field_dict["outbound_dial_window_opens_at"] = outbound_dial_window_opens_at
        if outbound_dial_window_seconds is not UNSET:
            field_dict["outbound_dial_window_seconds"] = outbound_dial_window_seconds
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

        def _parse_outbound_dial_window_closes_at(
            data: object,
        ) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outbound_dial_window_closes_at_type_0 = datetime.datetime.fromisoformat(
                    data
                )

                return outbound_dial_window_closes_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        outbound_dial_window_closes_at = _parse_outbound_dial_window_closes_at(
            d.pop("outbound_dial_window_closes_at", UNSET)
        )

        def _parse_outbound_dial_window_opens_at(
            data: object,
        ) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                outbound_dial_window_opens_at_type_0 = datetime.datetime.fromisoformat(
                    data
                )

                return outbound_dial_window_opens_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        outbound_dial_window_opens_at = _parse_outbound_dial_window_opens_at(
            d.pop("outbound_dial_window_opens_at", UNSET)
        )

        def _parse_outbound_dial_window_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        outbound_dial_window_seconds = _parse_outbound_dial_window_seconds(
            d.pop("outbound_dial_window_seconds", UNSET)
        )

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
            outbound_dial_window_closes_at=outbound_dial_window_closes_at,
            outbound_dial_window_opens_at=outbound_dial_window_opens_at,
            outbound_dial_window_seconds=outbound_dial_window_seconds,
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
