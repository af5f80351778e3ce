"""Rendered Markdown: golden pages, inert escaping, determinism.

Regenerate the golden pages after an intended change with:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser

import markdown
import pytest
from conftest import ROOT, TODAY, VALID
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsite.catalog import Catalog
from claimsite.project import load_project
from claimsite.render import RenderOptions, Site, render_site
from claimsite.text import md, md_paragraphs

GOLDEN = ROOT / "tests" / "golden"
OPTIONS = RenderOptions(
    edit_url="https://github.com/example/claims/edit/main/claims/", site_url="https://claims.example.org/"
)
EXTENSIONS = [
    "pymdownx.escapeall",
    "attr_list",
    "tables",
    "admonition",
    "toc",
    "def_list",
    "footnotes",
    "abbr",
    "md_in_html",
    "pymdownx.tilde",
    "pymdownx.caret",
    "pymdownx.mark",
]


def render_fixture_pages() -> dict[str, str]:
    project = load_project([VALID], base=VALID.parent.parent.parent, today=TODAY)
    return render_site(Site(Catalog(project), OPTIONS))


def test_pages_match_golden_files() -> None:
    pages = render_fixture_pages()
    if os.environ.get("UPDATE_GOLDEN"):
        for old in GOLDEN.rglob("*.md"):
            old.unlink()
        for path, text in pages.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text, encoding="utf-8")
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(pages) == sorted(golden), "pages added or removed: regenerate with UPDATE_GOLDEN=1"
    for path, text in pages.items():
        assert text == golden[path], f"{path} differs from tests/golden/{path}; regenerate with UPDATE_GOLDEN=1"


def test_rendering_is_deterministic() -> None:
    assert render_fixture_pages() == render_fixture_pages()


def test_claim_page_has_every_part() -> None:
    page = render_fixture_pages()["claims/leaked-order.md"]
    for expected in [
        '<span class="claim-badge claim-badge--alleged">Alleged</span>',
        "**Why this status:** One recording whose attribution is disputed",
        "## Statement",
        "## Sources",
        "## Responses",
        "## Related claims",
        "## Status history",
        "Permalink: <https://claims.example.org/claims/leaked-order/>",
        "[Edit this claim](https://github.com/example/claims/edit/main/claims/leaked-order.yaml)",
        "[Archived copy](https://web.archive.example/web/2021/https://belsat.example/en/news/leak)",
        "“As the president said, if one rushes at you, use weapons”",
        "Russian, official statement",
        '<script type="application/ld+json">',
        "[Mikalai Karpyankou](../entities/karpyankou.md) (Мікалай Карпянкоў / Николай Карпенков)",
    ]:
        assert expected in page, expected


def test_backlinks_show_on_the_other_claim() -> None:
    page = render_fixture_pages()["claims/voice-attribution.md"]
    assert "- *Is a premise of*: " in page
    assert "(../claims/leaked-order.md)" in page


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _text_of(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=200))
def test_escaped_text_renders_as_exactly_that_text(text: str) -> None:
    rendered = markdown.markdown(md(text), extensions=EXTENSIONS)
    collector = TagCollector()
    collector.feed(rendered)
    collapsed = " ".join(text.split())
    if not collapsed:
        return
    assert [t for t, _ in collector.tags] == ["p"], rendered
    assert _text_of(rendered).strip() == collapsed


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "line\n\n# heading\n\n- item\n\n| a | b |\n|---|---|",
        "{: onclick=alert(1) }",
        "&lt;b&gt; &amp;",
    ],
)
def test_paragraphs_never_produce_markup(text: str) -> None:
    rendered = markdown.markdown(md_paragraphs(text), extensions=EXTENSIONS)
    collector = TagCollector()
    collector.feed(rendered)
    assert {t for t, _ in collector.tags} <= {"p"}
    assert all(not attrs for _, attrs in collector.tags)
