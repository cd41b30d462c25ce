"""A JUnit XML report of one result: one testcase per run, so CI systems show the runs natively.

A run that succeeded passes; one that failed carries Cekura's ``error_message`` in a
``<failure>``; one without an outcome is an ``<error>`` when the result is final and
``<skipped>`` when cekura-ws stopped waiting before it finished.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import attrs

from cekura_wrapper import Result, Run, mask_urls

from .agent_urls import NO_PLAN, AgentUrls
from .outside import outside
from .target_report import junit_properties
from .verdict import pass_rate

NO_OUTCOME_MESSAGE = "the run did not meet its expected outcome"
#: ``<rerunFailure>`` elements per testcase at most.
MAX_RERUN_ELEMENTS = 10


@attrs.frozen
class Rerun:
    """How a failed run's target did on its retries (``--retry-failed``), for Maven Surefire's marks:
    a flaky target's failed run gets ``<flakyFailure>`` and passes (with ``--allow-flaky``); a failing
    target's keeps its ``<failure>`` followed by a ``<rerunFailure>`` per failed retry run."""

    #: Failed, then passed on a retry.
    flaky: bool
    #: ``--allow-flaky``: a flaky run counts as passed.
    counted_passed: bool = False
    #: (message, details) of each retry run of the target that failed.
    failures: tuple[tuple[str, str], ...] = ()


def testcase_name(run: Run, urls: AgentUrls = NO_PLAN) -> str:
    """``Ask for opening hours [scenario 101, run 10001] @ wss://agent/chat`` (``@ one of 3 URLs``
    when the plan ran the scenario against several; no ``@`` when the URL is unknown). Query values
    show as ``***``: CI systems publish these names."""
    label = run.scenario_name or f"scenario {run.scenario}"
    name = f"{label} [scenario {run.scenario}, run {run.id}]"
    url = urls.label(run)
    return f"{name} @ {url}" if url else name


def _seconds(run: Run) -> float:
    started, ended = run.raw.get("started_at"), run.raw.get("ended_at")
    if not isinstance(started, str) or not isinstance(ended, str):
        return 0.0
    try:
        span = datetime.fromisoformat(ended) - datetime.fromisoformat(started)
    except ValueError:
        return 0.0
    return max(span.total_seconds(), 0.0)


def build_report(
    result: Result,
    urls: AgentUrls = NO_PLAN,
    extra_properties: Sequence[tuple[str, str]] = (),
    reruns: Mapping[int, Rerun] | None = None,
) -> ET.ElementTree[ET.Element]:
    """The report as an element tree (``<testsuites>`` with one ``<testsuite>``)."""
    suite = ET.Element("testsuite", name=f"Cekura result {result.id}")
    properties = ET.SubElement(suite, "properties")
    rate = pass_rate(result)
    for name, value in (
        ("result_id", str(result.id)),
        ("status", result.status),
        *([("pass_rate", f"{rate:.4f}")] if rate is not None else []),
        *junit_properties(result, urls),
        *extra_properties,
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for run in sorted(result.runs, key=lambda run: run.id or 0):
        seconds = _seconds(run)
        total_time += seconds
        case = ET.SubElement(
            suite,
            "testcase",
            name=testcase_name(run, urls),
            classname=f"cekura.result_{result.id}.scenario_{run.scenario}",
            time=f"{seconds:.3f}",
        )
        counts["tests"] += 1
        if run.success is True:
            continue
        if run.success is False:
            message = mask_urls(run.error_message or NO_OUTCOME_MESSAGE)
            details = f"run {run.id} ({run.status or 'unknown status'}): {message}"
            rerun = (reruns or {}).get(run.id) if run.id is not None else None
            if rerun is not None and rerun.flaky and rerun.counted_passed:
                flaky = ET.SubElement(case, "flakyFailure", message=message, type="run_failed")
                ET.SubElement(flaky, "stackTrace").text = details
                continue
            if rerun is not None and rerun.flaky:
                message += " (flaky: passed on a retry; counted as failed without --allow-flaky)"
            failure = ET.SubElement(case, "failure", message=message, type="run_failed")
            failure.text = details
            counts["failures"] += 1
            for again, again_details in rerun.failures[:MAX_RERUN_ELEMENTS] if rerun is not None else ():
                element = ET.SubElement(case, "rerunFailure", message=mask_urls(again), type="run_failed")
                ET.SubElement(element, "stackTrace").text = mask_urls(again_details)
        elif result.is_terminal:
            message = f"the run has no outcome (run status {run.status or 'unknown'}, result {result.status})"
            ET.SubElement(case, "error", message=message, type="no_outcome")
            counts["errors"] += 1
        else:
            message = (
                f"still {run.status or 'pending'} when cekura-ws stopped waiting (result {result.status})"
            )
            ET.SubElement(case, "skipped", message=message)
            counts["skipped"] += 1
    attributes = {key: str(value) for key, value in counts.items()} | {"time": f"{total_time:.3f}"}
    suite.attrib.update(attributes)
    # The JUnit schema has no ``skipped`` on <testsuites> (only on <testsuite>): strict readers reject it.
    totals = {key: value for key, value in attributes.items() if key != "skipped"}
    root = ET.Element("testsuites", {"name": "cekura-ws", **totals})
    root.append(suite)
    shown_tree(root)
    return ET.ElementTree(root)


def shown_tree(root: ET.Element) -> None:
    """Every attribute and text in ``root`` through ``outside``: the key removed, URLs masked and
    control characters (which XML 1.0 cannot even hold) made visible. Ours are left as they were."""
    for element in root.iter():
        for name, value in element.attrib.items():
            element.set(name, outside(value))
        if element.text:
            element.text = outside(element.text)


def junit_path_problem(path: Path) -> str | None:
    """Why the report could not be written to ``path``, checked before anything is submitted.

    The nearest existing folder on the way to ``path`` must be a writable directory (the missing
    ones are created when the report is written), and ``path`` must not be a directory.
    """
    if path.is_dir():
        return f"{path} is a directory; give a file name such as {path / 'cekura.xml'}"
    if path.exists():
        return None if os.access(path, os.W_OK) else f"{path} exists and is not writable"
    folder = path.parent.absolute()
    while not folder.exists() and not folder.is_symlink() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot create {path}: {folder} is not a directory"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot create {path}: the directory {folder} is not writable"
    return None


def write_report(
    result: Result,
    path: Path,
    urls: AgentUrls = NO_PLAN,
    extra_properties: Sequence[tuple[str, str]] = (),
    reruns: Mapping[int, Rerun] | None = None,
) -> None:
    """Write the report to ``path`` (parent folders are created)."""
    tree = build_report(result, urls, extra_properties, reruns)
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
