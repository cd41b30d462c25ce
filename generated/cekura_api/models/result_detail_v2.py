from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.result_status import ResultStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.result_detail_v2_runs import ResultDetailV2Runs


T = TypeVar("T", bound="ResultDetailV2")


@_attrs_define
class ResultDetailV2:
    """One result: a batch of runs with its lifecycle status, aggregate counts and the runs themselves. Several counts are
    typed as strings by Cekura even though they hold whole numbers.

        Attributes:
            agent (int): Id of the agent the runs belong to.
            agent_name (str | Unset): Display name of that agent.
            agent_version (str | Unset): Version label of that agent.
            ai_summary (Any | None | Unset): Generated summary of the result, when available.
            ai_summary_status (str | Unset): Progress of that summary.
            completed_runs_count (str | Unset): Runs that have finished (a number sent as a string).
            connected_runs (str | Unset): Runs that reached the agent.
            created_at (datetime.datetime | Unset): When the result was created.
            critical_categories (str | Unset): Summary of critical failure categories.
            failed_infrastructure_runs (str | Unset): Runs that failed for infrastructure reasons.
            failed_reasons (Any | None | Unset): Reasons runs failed, when available.
            failed_runs_count (str | Unset): Finished runs that did not succeed (a number sent as a string).
            failed_workflow_runs (str | Unset): Runs that failed a workflow check.
            id (int | Unset): Numeric id of the result.
            is_cronjob (str | Unset): Whether a schedule created the result.
            latency_data (str | Unset): Latency figures across runs.
            met_expected_outcome_count (str | Unset): Runs whose expected outcome was met (a number sent as a string).
            metrics (str | Unset): Summary of the metrics evaluated.
            name (str | Unset): Display name of the result.
            next_steps (Any | None | Unset): Suggested follow-ups, when available.
            not_connected_runs (str | Unset): Runs that could not reach the agent.
            overall_evaluation (Any | None | Unset): Aggregated evaluation across runs, when available.
            path_coverage (Any | None | Unset): Coverage of conversation paths, when available.
            performance_metrics (str | Unset): Performance figures across runs.
            run_as_text (bool | Unset): True when the runs were text conversations.
            run_settings (Any | None | Unset): Settings the runs were started with.
            run_type (None | str | Unset): Kind of run (display only; websocket runs may read Text).
            runs (ResultDetailV2Runs | Unset): The runs, keyed by run id as a string (an object, not a list). Each run
                carries among others its status, success, error_message and scenario.
            runs_by_tags (str | Unset): Runs grouped by scenario tag.
            scenarios (str | Unset): Summary of the scenarios involved.
            status (ResultStatus | str | Unset): Lifecycle state. completed, failed, timeout and cancelled are final; every
                other value means the result is still moving.
            success_rate (float | Unset): Share of successful runs, as a percentage.
            success_runs_count (str | Unset): Finished runs that succeeded (a number sent as a string).
            successful_calls (str | Unset): Conversations that completed successfully.
            total_duration (str | Unset): Summed duration of the runs.
            total_expected_outcome_count (str | Unset): Runs that had an expected outcome to check (a number sent as a
                string).
            total_runs_count (str | Unset): Number of runs in the result (a number sent as a string).
            updated_at (datetime.datetime | Unset): When the result last changed.
    """

    agent: int
    agent_name: str | Unset = UNSET
    agent_version: str | Unset = UNSET
    ai_summary: Any | None | Unset = UNSET
    ai_summary_status: str | Unset = UNSET
    completed_runs_count: str | Unset = UNSET
    connected_runs: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    critical_categories: str | Unset = UNSET
    failed_infrastructure_runs: str | Unset = UNSET
    failed_reasons: Any | None | Unset = UNSET
    failed_runs_count: str | Unset = UNSET
    failed_workflow_runs: str | Unset = UNSET
    id: int | Unset = UNSET
    is_cronjob: str | Unset = UNSET
    latency_data: str | Unset = UNSET
    met_expected_outcome_count: str | Unset = UNSET
    metrics: str | Unset = UNSET
    name: str | Unset = UNSET
    next_steps: Any | None | Unset = UNSET
    not_connected_runs: str | Unset = UNSET
    overall_evaluation: Any | None | Unset = UNSET
    path_coverage: Any | None | Unset = UNSET
    performance_metrics: str | Unset = UNSET
    run_as_text: bool | Unset = UNSET
    run_settings: Any | None | Unset = UNSET
    run_type: None | str | Unset = UNSET
    runs: ResultDetailV2Runs | Unset = UNSET
    runs_by_tags: str | Unset = UNSET
    scenarios: str | Unset = UNSET
    status: ResultStatus | str | Unset = UNSET
    success_rate: float | Unset = UNSET
    success_runs_count: str | Unset = UNSET
    successful_calls: str | Unset = UNSET
    total_duration: str | Unset = UNSET
    total_expected_outcome_count: str | Unset = UNSET
    total_runs_count: str | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        agent = self.agent

        agent_name = self.agent_name

        agent_version = self.agent_version

        ai_summary: Any | None | Unset
        if isinstance(self.ai_summary, Unset):
            ai_summary = UNSET
        else:
            ai_summary = self.ai_summary

        ai_summary_status = self.ai_summary_status

        completed_runs_count = self.completed_runs_count

        connected_runs = self.connected_runs

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        critical_categories = self.critical_categories

        failed_infrastructure_runs = self.failed_infrastructure_runs

        failed_reasons: Any | None | Unset
        if isinstance(self.failed_reasons, Unset):
            failed_reasons = UNSET
        else:
            failed_reasons = self.failed_reasons

        failed_runs_count = self.failed_runs_count

        failed_workflow_runs = self.failed_workflow_runs

        id = self.id

        is_cronjob = self.is_cronjob

        latency_data = self.latency_data

        met_expected_outcome_count = self.met_expected_outcome_count

        metrics = self.metrics

        name = self.name

        next_steps: Any | None | Unset
        if isinstance(self.next_steps, Unset):
            next_steps = UNSET
        else:
            next_steps = self.next_steps

        not_connected_runs = self.not_connected_runs

        overall_evaluation: Any | None | Unset
        if isinstance(self.overall_evaluation, Unset):
            overall_evaluation = UNSET
        else:
            overall_evaluation = self.overall_evaluation

        path_coverage: Any | None | Unset
        if isinstance(self.path_coverage, Unset):
            path_coverage = UNSET
        else:
            path_coverage = self.path_coverage

        performance_metrics = self.performance_metrics

        run_as_text = self.run_as_text

        run_settings: Any | None | Unset
        if isinstance(self.run_settings, Unset):
            run_settings = UNSET
        else:
            run_settings = self.run_settings

        run_type: None | str | Unset
        if isinstance(self.run_type, Unset):
            run_type = UNSET
        else:
            run_type = self.run_type

        runs: dict[str, Any] | Unset = UNSET
        if not isinstance(self.runs, Unset):
            runs = self.runs.to_dict()

        runs_by_tags = self.runs_by_tags

        scenarios = self.scenarios

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, ResultStatus):
            status = self.status.value
        else:
            status = self.status

        success_rate = self.success_rate

        success_runs_count = self.success_runs_count

        successful_calls = self.successful_calls

        total_duration = self.total_duration

        total_expected_outcome_count = self.total_expected_outcome_count

        total_runs_count = self.total_runs_count

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "agent": agent,
            }
        )
        if agent_name is not UNSET:
            field_dict["agent_name"] = agent_name
        if agent_version is not UNSET:
            field_dict["agent_version"] = agent_version
        if ai_summary is not UNSET:
            field_dict["ai_summary"] = ai_summary
        if ai_summary_status is not UNSET:
            field_dict["ai_summary_status"] = ai_summary_status
        if completed_runs_count is not UNSET:
            field_dict["completed_runs_count"] = completed_runs_count
        if connected_runs is not UNSET:
            field_dict["connected_runs"] = connected_runs
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if critical_categories is not UNSET:
            field_dict["critical_categories"] = critical_categories
        if failed_infrastructure_runs is not UNSET:
            field_dict["failed_infrastructure_runs"] = failed_infrastructure_runs
        if failed_reasons is not UNSET:
            field_dict["failed_reasons"] = failed_reasons
        if failed_runs_count is not UNSET:
            field_dict["failed_runs_count"] = failed_runs_count
        if failed_workflow_runs is not UNSET:
            field_dict["failed_workflow_runs"] = failed_workflow_runs
        if id is not UNSET:
            field_dict["id"] = id
        if is_cronjob is not UNSET:
            field_dict["is_cronjob"] = is_cronjob
        if latency_data is not UNSET:
            field_dict["latency_data"] = latency_data
        if met_expected_outcome_count is not UNSET:
            field_dict["met_expected_outcome_count"] = met_expected_outcome_count
        if metrics is not UNSET:
            field_dict["metrics"] = metrics
        if name is not UNSET:
            field_dict["name"] = name
        if next_steps is not UNSET:
            field_dict["next_steps"] = next_steps
        if not_connected_runs is not UNSET:
            field_dict["not_connected_runs"] = not_connected_runs
        if overall_evaluation is not UNSET:
            field_dict["overall_evaluation"] = overall_evaluation
        if path_coverage is not UNSET:
            field_dict["path_coverage"] = path_coverage
        if performance_metrics is not UNSET:
            field_dict["performance_metrics"] = performance_metrics
        if run_as_text is not UNSET:
            field_dict["run_as_text"] = run_as_text
        if run_settings is not UNSET:
            field_dict["run_settings"] = run_settings
        if run_type is not UNSET:
            field_dict["run_type"] = run_type
        if runs is not UNSET:
            field_dict["runs"] = runs
        if runs_by_tags is not UNSET:
            field_dict["runs_by_tags"] = runs_by_tags
        if scenarios is not UNSET:
            field_dict["scenarios"] = scenarios
        if status is not UNSET:
            field_dict["status"] = status
        if success_rate is not UNSET:
            field_dict["success_rate"] = success_rate
        if success_runs_count is not UNSET:
            field_dict["success_runs_count"] = success_runs_count
        if successful_calls is not UNSET:
            field_dict["successful_calls"] = successful_calls
        if total_duration is not UNSET:
            field_dict["total_duration"] = total_duration
        if total_expected_outcome_count is not UNSET:
            field_dict["total_expected_outcome_count"] = total_expected_outcome_count
        if total_runs_count is not UNSET:
            field_dict["total_runs_count"] = total_runs_count
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.result_detail_v2_runs import ResultDetailV2Runs  # noqa: PLC0415

        d = dict(src_dict)
        agent = d.pop("agent")

        agent_name = d.pop("agent_name", UNSET)

        agent_version = d.pop("agent_version", UNSET)

        def _parse_ai_summary(data: object) -> Any | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(Any | None | Unset, data)

        ai_summary = _parse_ai_summary(d.pop("ai_summary", UNSET))

        ai_summary_status = d.pop("ai_summary_status", UNSET)

        completed_runs_count = d.pop("completed_runs_count", UNSET)

        connected_runs = d.pop("connected_runs", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        critical_categories = d.pop("critical_categories", UNSET)

        failed_infrastructure_runs = d.pop("failed_infrastructure_runs", UNSET)

        def _parse_failed_reasons(data: object) -> Any | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(Any | None | Unset, data)

        failed_reasons = _parse_failed_reasons(d.pop("failed_reasons", UNSET))

        failed_runs_count = d.pop("failed_runs_count", UNSET)

        failed_workflow_runs = d.pop("failed_workflow_runs", UNSET)

        id = d.pop("id", UNSET)

        is_cronjob = d.pop("is_cronjob", UNSET)

        latency_data = d.pop("latency_data", UNSET)

        met_expected_outcome_count = d.pop("met_expected_outcome_count", UNSET)

        metrics = d.pop("metrics", UNSET)

        name = d.pop("name", UNSET)

        def _parse_next_steps(data: object) -> Any | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(Any | None | Unset, data)

        next_steps = _parse_next_steps(d.pop("next_steps", UNSET))

        not_connected_runs = d.pop("not_connected_runs", UNSET)

        def _parse_overall_evaluation(data: object) -> Any | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(Any | None | Unset, data)

        overall_evaluation = _parse_overall_evaluation(
            d.pop("overall_evaluation", UNSET)
        )

        def _parse_path_coverage(data: object) -> Any | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(Any | None | Unset, data)

        path_coverage = _parse_path_coverage(d.pop("path_coverage", UNSET))

        performance_metrics = d.pop("performance_metrics", UNSET)

        run_as_text = d.pop("run_as_text", UNSET)

        def _parse_run_settings(data: object) -> Any | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(Any | None | Unset, data)

        run_settings = _parse_run_settings(d.pop("run_settings", UNSET))

        def _parse_run_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        run_type = _parse_run_type(d.pop("run_type", UNSET))

        _runs = d.pop("runs", UNSET)
        runs: ResultDetailV2Runs | Unset
        if isinstance(_runs, Unset):
            runs = UNSET
        else:
            runs = ResultDetailV2Runs.from_dict(_runs)

        runs_by_tags = d.pop("runs_by_tags", UNSET)

        scenarios = d.pop("scenarios", UNSET)

        def _parse_status(data: object) -> ResultStatus | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = ResultStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ResultStatus | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        success_rate = d.pop("success_rate", UNSET)

        success_runs_count = d.pop("success_runs_count", UNSET)

        successful_calls = d.pop("successful_calls", UNSET)

        total_duration = d.pop("total_duration", UNSET)

        total_expected_outcome_count = d.pop("total_expected_outcome_count", UNSET)

        total_runs_count = d.pop("total_runs_count", UNSET)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        result_detail_v2 = cls(
            agent=agent,
            agent_name=agent_name,
            agent_version=agent_version,
            ai_summary=ai_summary,
            ai_summary_status=ai_summary_status,
            completed_runs_count=completed_runs_count,
            connected_runs=connected_runs,
            created_at=created_at,
            critical_categories=critical_categories,
            failed_infrastructure_runs=failed_infrastructure_runs,
            failed_reasons=failed_reasons,
            failed_runs_count=failed_runs_count,
            failed_workflow_runs=failed_workflow_runs,
            id=id,
            is_cronjob=is_cronjob,
            latency_data=latency_data,
            met_expected_outcome_count=met_expected_outcome_count,
            metrics=metrics,
            name=name,
            next_steps=next_steps,
            not_connected_runs=not_connected_runs,
            overall_evaluation=overall_evaluation,
            path_coverage=path_coverage,
            performance_metrics=performance_metrics,
            run_as_text=run_as_text,
            run_settings=run_settings,
            run_type=run_type,
            runs=runs,
            runs_by_tags=runs_by_tags,
            scenarios=scenarios,
            status=status,
            success_rate=success_rate,
            success_runs_count=success_runs_count,
            successful_calls=successful_calls,
            total_duration=total_duration,
            total_expected_outcome_count=total_expected_outcome_count,
            total_runs_count=total_runs_count,
            updated_at=updated_at,
        )

        result_detail_v2.additional_properties = d
        return result_detail_v2

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
