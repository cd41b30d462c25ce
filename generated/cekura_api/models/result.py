from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.result_status_type_0 import ResultStatusType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="Result")


@_attrs_define
class Result:
    """One result as the list shows it: its status, counts (whole numbers sent as strings) and a short summary of its runs.

    Attributes:
        name (str): Display name of the result.
        agent (int | Unset): Id of the agent the runs belong to.
        agent_inbound (bool | Unset): True when the agent receives calls, false when it places them.
        agent_name (str | Unset): Display name of that agent.
        agent_version (str | Unset): Version label of the agent the result ran against.
        completed_runs_count (str | Unset): Runs that have finished (a number sent as a string).
        created_at (datetime.datetime | Unset): When the result was created.
        failed_runs_count (str | Unset): Finished runs that did not succeed (a number sent as a string).
        id (int | Unset): Numeric id of the result.
        is_cronjob (str | Unset): Whether a schedule created the result.
        met_expected_outcome_count (str | Unset): Runs whose expected outcome was met (a number sent as a string).
        run_as_text (bool | Unset): True when the runs were text conversations. Default: False.
        run_type (None | str | Unset): Kind of run (display only; websocket runs may read Text).
        runs (Any | Unset): Short summaries of the runs. Cekura's schema calls this an object, but the list sends an
            array; the detail holds the full runs.
        scenarios (Any | Unset): The scenarios the runs used (ids and names). Cekura's schema calls this an object, but
            its own example is an array.
        status (ResultStatusType0 | str | Unset): Lifecycle state. completed, failed, timeout and cancelled are final;
            every other value means the result is still moving. Default: ResultStatusType0.PENDING.
        success_rate (float | Unset): Share of successful runs, here as a fraction from 0 to 1. Default: 0.0.
        success_runs_count (str | Unset): Finished runs that succeeded (a number sent as a string).
        total_expected_outcome_count (str | Unset): Runs that had an expected outcome to check (a number sent as a
            string).
        total_runs_count (str | Unset): Number of runs in the result (a number sent as a string).
        updated_at (datetime.datetime | Unset): When the result last changed.
    """

    name: str
    agent: int | Unset = UNSET
    agent_inbound: bool | Unset = UNSET
    agent_name: str | Unset = UNSET
    agent_version: str | Unset = UNSET
    completed_runs_count: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    failed_runs_count: str | Unset = UNSET
    id: int | Unset = UNSET
    is_cronjob: str | Unset = UNSET
    met_expected_outcome_count: str | Unset = UNSET
    run_as_text: bool | Unset = False
    run_type: None | str | Unset = UNSET
    runs: Any | Unset = UNSET
    scenarios: Any | Unset = UNSET
    status: ResultStatusType0 | str | Unset = ResultStatusType0.PENDING
    success_rate: float | Unset = 0.0
    success_runs_count: str | Unset = UNSET
    total_expected_outcome_count: str | Unset = UNSET
    total_runs_count: str | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        agent = self.agent

        agent_inbound = self.agent_inbound

        agent_name = self.agent_name

        agent_version = self.agent_version

        completed_runs_count = self.completed_runs_count

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        failed_runs_count = self.failed_runs_count

        id = self.id

        is_cronjob = self.is_cronjob

        met_expected_outcome_count = self.met_expected_outcome_count

        run_as_text = self.run_as_text

        run_type: None | str | Unset
        if isinstance(self.run_type, Unset):
            run_type = UNSET
        else:
            run_type = self.run_type

        runs = self.runs

        scenarios = self.scenarios

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, ResultStatusType0):
            status = self.status.value
        else:
            status = self.status

        success_rate = self.success_rate

        success_runs_count = self.success_runs_count

        total_expected_outcome_count = self.total_expected_outcome_count

        total_runs_count = self.total_runs_count

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if agent is not UNSET:
            field_dict["agent"] = agent
        if agent_inbound is not UNSET:
            field_dict["agent_inbound"] = agent_inbound
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name
        if agent_version is not UNSET:
            field_dict["agent_version"] = agent_version
        if completed_runs_count is not UNSET:
            field_dict["completed_runs_count"] = completed_runs_count
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if failed_runs_count is not UNSET:
            field_dict["failed_runs_count"] = failed_runs_count
        if id is not UNSET:
            field_dict["id"] = id
        if is_cronjob is not UNSET:
            field_dict["is_cronjob"] = is_cronjob
        if met_expected_outcome_count is not UNSET:
            field_dict["met_expected_outcome_count"] = met_expected_outcome_count
        if run_as_text is not UNSET:
            field_dict["run_as_text"] = run_as_text
        if run_type is not UNSET:
            field_dict["run_type"] = run_type
        if runs is not UNSET:
            field_dict["runs"] = runs
        if scenarios is not UNSET:
            field_dict["scenarios"] = scenarios
        if status is not UNSET:
            field_dict["status"] = status
        if success_rate is not UNSET:
            field_dict["success_rate"] = success_rate
        if success_runs_count is not UNSET:
            field_dict["success_runs_count"] = success_runs_count
        if total_expected_outcome_count is not UNSET:
            field_dict["total_expected_outcome_count"] = total_expected_outcome_count
        if total_runs_count is not UNSET:
            field_dict["total_runs_count"] = total_runs_count
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        agent = d.pop("agent", UNSET)

        agent_inbound = d.pop("agent_inbound", UNSET)

        agent_name = d.pop("agent_name", UNSET)

        agent_version = d.pop("agent_version", UNSET)

        completed_runs_count = d.pop("completed_runs_count", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        failed_runs_count = d.pop("failed_runs_count", UNSET)

        id = d.pop("id", UNSET)

        is_cronjob = d.pop("is_cronjob", UNSET)

        met_expected_outcome_count = d.pop("met_expected_outcome_count", UNSET)

        run_as_text = d.pop("run_as_text", UNSET)

        def _parse_run_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_type = _parse_run_type(d.pop("run_type", UNSET))

        runs = d.pop("runs", UNSET)

        scenarios = d.pop("scenarios", UNSET)

        def _parse_status(data: object) -> ResultStatusType0 | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = ResultStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ResultStatusType0 | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        success_rate = d.pop("success_rate", UNSET)

        success_runs_count = d.pop("success_runs_count", UNSET)

        total_expected_outcome_count = d.pop("total_expected_outcome_count", UNSET)

        total_runs_count = d.pop("total_runs_count", UNSET)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        result = cls(
            name=name,
            agent=agent,
            agent_inbound=agent_inbound,
            agent_name=agent_name,
            agent_version=agent_version,
            completed_runs_count=completed_runs_count,
            created_at=created_at,
            failed_runs_count=failed_runs_count,
            id=id,
            is_cronjob=is_cronjob,
            met_expected_outcome_count=met_expected_outcome_count,
            run_as_text=run_as_text,
            run_type=run_type,
            runs=runs,
            scenarios=scenarios,
            status=status,
            success_rate=success_rate,
            success_runs_count=success_runs_count,
            total_expected_outcome_count=total_expected_outcome_count,
            total_runs_count=total_runs_count,
            updated_at=updated_at,
        )

        result.additional_properties = d
        return result

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
