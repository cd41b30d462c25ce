"""Showing text that came from outside (a server, an agent, a file) as data: bounded, on one line,
secrets removed in every encoding we can decode, URL credentials and query values masked, and
escaped for where it goes (a terminal, Markdown, a CI log). The command line shows everything
through these; tools built on cekura-ws can too."""

from ._display import MAX_SHOWN, guarded_line, guarded_lines, markdown_text, shown, visible, without_secrets
from ._validation import display_url, mask_urls, quote

__all__ = [
    "MAX_SHOWN",
    "display_url",
    "guarded_line",
    "guarded_lines",
    "markdown_text",
    "mask_urls",
    "quote",
    "shown",
    "visible",
    "without_secrets",
]
