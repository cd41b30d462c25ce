"""The suite path of ``cekura-ws run``: a batch file with groups, run group by group under the
concurrency and judged as one."""

from __future__ import annotations

from ..client_options import ClientOptions
from ..common import reported_errors
from ..inputs import SuiteInput
from ..render import Output
from ..stopping import sigterm_as_interrupt
from .loading import refuse_unreachable
from .preflight import note_skipped, preflight_or_stop
from .run_batch import RunSettings


def run_suite_file(
    output: Output, suite: SuiteInput, connection: ClientOptions, settings: RunSettings
) -> None:
    """Pre-flight (when asked), then every group of ``suite``; exits with the suite's verdict."""
    from ..suite import run_suite

    client = connection.client(output, polls=True, allow_private_agent_urls=settings.allow_private_urls)
    with client, sigterm_as_interrupt():
        for _name, batch in suite.groups:
            refuse_unreachable(output, batch, client.base_url, allowed=settings.allow_private_urls)
        if settings.preflight is not None:
            urls = list(dict.fromkeys(url for _name, batch in suite.groups for url in batch.urls))
            note_skipped(output, sum(batch.on_agent_url for _name, batch in suite.groups))
            timeout, secret = settings.preflight
            preflight_or_stop(output, urls, timeout=timeout, secret=secret)
        total = sum(batch.plan().run_count for _, batch in suite.groups)
        output.note(f"Running {len(suite.groups)} groups ({total} runs) on {client.base_url}")
        with reported_errors(output):
            run_suite(
                output,
                client,
                suite,
                timeout=settings.timeout,
                keep_running=settings.keep_running,
                reports=settings.reports,
                fail_under=settings.fail_under,
            )
