"""The README's examples run: every fenced block right after a ``<!-- test: run -->`` line, in
README.md or in docs/*.md, is executed offline (python blocks with warnings as errors, sh blocks
with bash), so the documentation cannot drift from the code. Every relative link in those files
points to a file of the repository (and, for a link into a Markdown file with a ``#fragment``, to
one of its headings)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"<!-- test: run -->\n```(?P<lang>python|sh)\n(?P<code>.*?)\n```", re.DOTALL)

FENCED = re.compile(r"^```.*?^```[^\n]*$", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+[\"'(][^)\n]*)?\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?(?P<target>[^\s>]+)>?", re.MULTILINE)
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
HEADING = re.compile(r"^#{1,6}[ \t]+(?P<title>.+?)[ \t#]*$", re.MULTILINE)


def blocks() -> list[tuple[Path, str, str]]:
    return [
        (document, match["lang"], match["code"])
        for document in DOCUMENTS
        for match in BLOCK.finditer(document.read_text(encoding="utf-8"))
    ]


def example_params() -> list[object]:
    return [
        pytest.param(lang, code, id=f"{document.relative_to(ROOT)}:{index}:{lang}")
        for index, (document, lang, code) in enumerate(blocks(), start=1)
    ]


def prose(markdown: str) -> str:
    """The text with fenced blocks and code spans removed: what they hold is not a link."""
    return INLINE_CODE.sub("", FENCED.sub("", markdown))


def relative_links(markdown: str) -> list[str]:
    """Inline and reference link targets, except URLs with a scheme (https:, mailto:, ...) and
    links to an anchor of the same page."""
    text = prose(markdown)
    targets = [
        match["target"] for pattern in (INLINE_LINK, REFERENCE_LINK) for match in pattern.finditer(text)
    ]
    return [target for target in targets if not SCHEME.match(target) and not target.startswith("#")]


def anchors(markdown: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens, repeats numbered."""
    seen: dict[str, int] = {}
    for match in HEADING.finditer(FENCED.sub("", markdown)):
        slug = re.sub(r"[^\w\- ]", "", match["title"].lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        if count:
            seen[f"{slug}-{count}"] = 1
    return set(seen)


def broken_link(document: Path, target: str) -> str | None:
    """Why a relative link from `document` is broken, or None when it is fine."""
    path, _, fragment = target.partition("#")
    path = unquote(path.split("?", 1)[0])
    resolved = (ROOT / path.lstrip("/") if path.startswith("/") else document.parent / path).resolve()
    if not resolved.is_relative_to(ROOT):
        return "points outside the repository"
    if not resolved.exists():
        return "no such file"
    if (
        fragment
        and resolved.suffix == ".md"
        and resolved.is_file()
        and fragment.lower() not in anchors(resolved.read_text(encoding="utf-8"))
    ):
        return f"{resolved.relative_to(ROOT)} has no heading #{fragment}"
    return None


def test_the_readme_marks_its_offline_examples() -> None:
    kinds = [lang for document, lang, _ in blocks() if document == README]
    assert kinds.count("python") >= 1 and kinds.count("sh") >= 2


@pytest.mark.parametrize(("lang", "code"), example_params())
def test_a_readme_example_runs(lang: str, code: str, tmp_path: Path) -> None:
    command = (
        [sys.executable, "-W", "error", "-c", code]
        if lang == "python"
        else ["bash", "-euo", "pipefail", "-c", code]
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CEKURA_", "GITHUB_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"


def test_link_extraction_skips_urls_anchors_and_code() -> None:
    markdown = (
        '[a](docs/a.md) ![b](img/b.png "title") [c](https://example.com/c.md) [d](#d)\n'
        "`[e](e.md)` [f](../f.yaml#part)\n"
        "[g]: <g.md>\n"
        "[h]: mailto:someone@example.com\n"
        "```md\n[i](i.md)\n```\n"
    )
    assert relative_links(markdown) == ["docs/a.md", "img/b.png", "../f.yaml#part", "g.md"]


def test_heading_anchors_follow_github() -> None:
    markdown = "# cekura-ws\n## Exactly once: an uncertain `x`\n## CI\n## CI\n```\n# not a heading\n```\n"
    assert anchors(markdown) == {"cekura-ws", "exactly-once-an-uncertain-x", "ci", "ci-1"}


def test_the_readme_links_the_maintainer_docs() -> None:
    targets = {target.partition("#")[0] for target in relative_links(README.read_text(encoding="utf-8"))}
    assert {"docs/maintainers.md", "docs/benchmarks.md"} <= targets


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: str(document.relative_to(ROOT)))
def test_relative_links_point_to_files_in_the_repository(document: Path) -> None:
    broken = [
        f"({target}): {reason}"
        for target in relative_links(document.read_text(encoding="utf-8"))
        if (reason := broken_link(document, target)) is not None
    ]
    assert not broken, f"{document.relative_to(ROOT)}: " + "; ".join(broken)
