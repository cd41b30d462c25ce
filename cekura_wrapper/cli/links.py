"""Links from every report to Cekura: each result's dashboard page (``--project-id`` or
``CEKURA_PROJECT_ID``) and, opt-in, an expiring shareable link (``--share-links DAYS``).

The options keep their values on the click context, so ``Reports`` picks them up wherever a
command builds one. Dashboard URLs are built here from integers: they are the only links the
Markdown reports make. A shareable link is Cekura's text, kept only when ``safe_link`` accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from cekura_wrapper import CekuraError, ShareLink, dashboard_url
from cekura_wrapper.display import markdown_text

from .outside import outside

if TYPE_CHECKING:
    from .render import Output

F = TypeVar("F", bound=Callable[..., Any])

_META = "cekura_ws.links"
#: Told in the Markdown summary when there is no project id.
HOW_TO_LINK = (
    "Links to Cekura: set CEKURA_PROJECT_ID (or --project-id) to the number after "
    "dashboard.cekura.ai/ in your dashboard's address."
)


@attrs.frozen
class ReportLinks:
    """What the reports link to: the dashboard (with a project id) and the shareable links made."""

    project_id: int | None = None
    #: ``--share-links DAYS``: ask Cekura for a link per result valid this many days.
    share_days: int | None = None
    #: Result id to the shareable link Cekura made for it.
    shared: Mapping[int, ShareLink] = attrs.field(factory=dict)
    #: Result id to why no shareable link could be made.
    share_errors: Mapping[int, str] = attrs.field(factory=dict)

    def dashboard(self, result_id: int | None) -> str | None:
        if self.project_id is None or result_id is None:
            return None
        return dashboard_url(result_id, self.project_id)

    def fields(self, result_id: int | None) -> dict[str, Any]:
        """``--json`` fields of one result: ``dashboard_url`` (null without a project id) and,
        when asked for, ``share_link``."""
        fields: dict[str, Any] = {"dashboard_url": self.dashboard(result_id)}
        if self.share_days is not None:
            share = self.shared.get(result_id) if result_id is not None else None
            fields["share_link"] = share.url if share else None
        return fields

    def junit_properties(self, result_id: int) -> list[tuple[str, str]]:
        """``dashboard_url`` (and ``share_link``) properties of a result's JUnit test suite."""
        fields = self.fields(result_id)
        return [(name, value) for name, value in fields.items() if isinstance(value, str)]

    def markdown_cell(self, result_id: int | None) -> str:
        """A results-table cell: ``[dashboard](...)`` and ``[share](...)`` where known, else ``-``."""
        parts = []
        dashboard = self.dashboard(result_id)
        if dashboard is not None:
            parts.append(f"[dashboard]({dashboard})")
        share = self.shared.get(result_id) if result_id is not None else None
        if share is not None:
            parts.append(f"[share link]({share.url})")
        return " · ".join(parts) or "-"

    def markdown_pair(self, result_id: int, baseline_id: int) -> str:
        """The comparison report's closing line: both results' dashboard pages (or how to get them)."""
        if self.project_id is None:
            return "\n" + HOW_TO_LINK + "\n"
        return (
            f"\nOn Cekura: result {result_id} ({self.markdown_cell(result_id)}), "
            f"baseline {baseline_id} ({self.markdown_cell(baseline_id)}).\n"
        )

    def markdown_notes(self) -> list[str]:
        """Lines under the results table: how to get links, or when shareable links expire."""
        lines = []
        if self.project_id is None:
            lines.append(HOW_TO_LINK)
        if self.shared:
            expiry = min(share.expire_at for share in self.shared.values())
            lines.append(
                f"Anyone with a share link can open that result's transcripts until {markdown_safe(expiry)} (UTC)."
            )
        for result_id, error in sorted(self.share_errors.items()):
            lines.append(f"No share link for result {result_id}: {markdown_safe(error)}")
        return lines

    def terminal_lines(self, result_ids: Sequence[int], names: Mapping[int, str] | None = None) -> list[str]:
        """One line per result with a link: ``result 1234 (smoke): https://dashboard...``."""
        lines = []
        for result_id in result_ids:
            label = f"result {result_id}" + (
                f" ({outside(names[result_id], limit=100)})" if names and result_id in names else ""
            )
            dashboard = self.dashboard(result_id)
            if dashboard is not None:
                lines.append(f"{label} on Cekura: {dashboard}")
            share = self.shared.get(result_id)
            if share is not None:
                lines.append(f"{label} share link (until {outside(share.expire_at, limit=40)}): {share.url}")
            if result_id in self.share_errors:
                lines.append(f"{label}: no share link: {outside(self.share_errors[result_id])}")
        return lines


def markdown_safe(text: str) -> str:
    """Outside text in a Markdown line: bounded, secrets removed, URLs masked, escaped."""
    return markdown_text(outside(text, limit=200))


NO_LINKS = ReportLinks()


def current_links() -> ReportLinks:
    """The links the running command was given (none outside a command)."""
    context = click.get_current_context(silent=True)
    return NO_LINKS if context is None else current_links_of(context)


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(context: click.Context, param: click.Parameter, value: Any) -> None:
        if value is not None:
            context.meta[_META] = attrs.evolve(current_links_of(context), **{name: value})

    return callback


def current_links_of(context: click.Context) -> ReportLinks:
    found = context.meta.get(_META)
    return found if isinstance(found, ReportLinks) else NO_LINKS


def project_id_option(function: F) -> F:
    return click.option(
        "--project-id",
        envvar="CEKURA_PROJECT_ID",
        show_envvar=True,
        type=click.IntRange(min=1),
        metavar="ID",
        expose_value=False,
        is_eager=True,
        callback=_remember("project_id"),
        help="Your Cekura project (the number after dashboard.cekura.ai/): every report links each "
        "result to its dashboard page.",
    )(function)


def share_links_option(function: F) -> F:
    return click.option(
        "--share-links",
        type=click.IntRange(min=1, max=365),
        metavar="DAYS",
        expose_value=False,
        is_eager=True,
        callback=_remember("share_days"),
        help="Ask Cekura for a shareable link per result, valid DAYS days, and put it in the reports. "
        "Anyone with the link sees the transcripts: not for public repositories.",
    )(function)


def with_shares(output: Output, client: Any, links: ReportLinks, result_ids: Sequence[int]) -> ReportLinks:
    """``links`` with a shareable link per result when ``--share-links`` asked for them. A failure
    is noted and kept (the link is left out); it never changes the verdict or the exit code."""
    if links.share_days is None:
        return links
    shared, errors = dict(links.shared), dict(links.share_errors)
    for result_id in result_ids:
        if result_id in shared:
            continue
        try:
            share = client.create_share_link(result_id, links.share_days)
        except CekuraError as exc:
            errors[result_id] = outside(str(exc), limit=300)
            output.note(f"No share link for result {result_id}: {errors[result_id]}", style="yellow")
            continue
        if share is None:
            errors[result_id] = "Cekura's answer held no https link on cekura.ai"
            output.note(f"No share link for result {result_id}: {errors[result_id]}", style="yellow")
            continue
        shared[result_id] = share
    return attrs.evolve(links, shared=shared, share_errors=errors)
