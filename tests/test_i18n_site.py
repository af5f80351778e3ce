"""The fixture site built in Belarusian and Russian: no English string of the generator on any page."""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner
from conftest import make_project

from claimsite.cli import main

POT = Path(__file__).resolve().parents[1] / "src" / "claimsite" / "locale" / "claimsite.pot"


def english_fragments() -> set[str]:
    """Every generated English string, cut at its placeholders, in pieces of two words or more."""
    with POT.open("rb") as handle:
        catalog = read_po(handle)
    fragments: set[str] = set()
    for message in catalog:
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            for piece in re.split(r"\{[^}]*\}|[()“”:;.,—]", msgid or ""):
                words = piece.split()
                if len(words) >= 2:
                    fragments.add(" ".join(words))
    return fragments


def visible_generated_text(page: str) -> str:
    """The article's text without the content (marked lang="en"), tags and the JSON-LD."""
    article = page.split("<article", 1)[1].split("</article>", 1)[0]
    article = re.sub(r"<script.*?</script>", " ", article, flags=re.S)
    article = re.sub(r"<code>.*?</code>", " ", article, flags=re.S)  # commands and field names stay as typed
    article = re.sub(r'<(span|a|q)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", article, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


@pytest.mark.parametrize("language", ["be", "ru"])
def test_no_english_generated_string_in_a_translated_build(tmp_path: Path, language: str) -> None:
    root = make_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "theme: {name: material,", f"theme: {{name: material, language: {language},"
        ),
        encoding="utf-8",
    )
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["build"])
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    fragments = english_fragments()
    assert len(fragments) > 50
    site = root / "site"
    generated = [
        p
        for d in ("claims", "entities", "status", "tags", "sources", "timeline")
        for p in (site / d).rglob("index.html")
    ]
    found = {}
    for page in [*generated, site / "index.html"]:
        text = visible_generated_text(page.read_text(encoding="utf-8"))
        hits = sorted(f for f in fragments if f in text)
        if hits:
            found[str(page.relative_to(site))] = hits
    assert found == {}
    home = (site / "index.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}"' in home
    claim = (site / "claims" / "leaked-order" / "index.html").read_text(encoding="utf-8")
    assert '<h1 id="page-title" lang="en">Leaked audio attributes an order' in claim  # content keeps its language
    assert '<span lang="en">One recording whose attribution is disputed' in claim
