"""The JSON-LD of built claim pages, expanded by a JSON-LD processor (PyLD) without network: the
schema.org context is served by a local loader, and any other fetch fails the test. Also: a publishing
build needs `site_url`, and the methodology page publishes the rating mapping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT
from pyld import jsonld

from claimsite.cli import main
from claimsite.model import Claim
from claimsite.outputs.jsonld import review_date
from claimsite.render import RATINGS_MARKER, RenderOptions, fill_markers
from claimsite.rules import DEFAULT_RULES
from claimsite.vocab import RATING

SCHEMA = "http://schema.org/"
LOCAL_CONTEXT = {
    "@context": {
        "@vocab": SCHEMA,
        "schema": SCHEMA,
        # As schema.org's own context declares them: these take IRIs, not strings.
        "url": {"@id": "schema:url", "@type": "@id"},
        "archivedAt": {"@id": "schema:archivedAt", "@type": "@id"},
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
    }
}
"""A local stand-in for https://schema.org/'s context (what these pages use of it)."""

SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contextUrl": None, "documentUrl": url, "document": LOCAL_CONTEXT}
    raise AssertionError(f"the JSON-LD processor tried to fetch {url}")


def page_jsonld(site: Path, cid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The claim page's one JSON-LD block: as written, and expanded (a node with full IRIs)."""
    html = (site / "claims" / cid / "index.html").read_text(encoding="utf-8")
    blocks = SCRIPT.findall(html)
    assert len(blocks) == 1, f"{cid}: one JSON-LD block per page"
    data = json.loads(blocks[0])
    expanded = jsonld.expand(data, {"documentLoader": _loader})
    assert len(expanded) == 1
    return data, expanded[0]


def value(node: dict[str, Any], name: str) -> Any:
    """The one value of a schema.org property of an expanded node (@value or @id)."""
    values = node[SCHEMA + name]
    assert len(values) == 1, (name, values)
    found = values[0]
    return found.get("@value", found.get("@id", found))


def test_a_verdict_is_a_claim_review_with_its_own_date_rating_and_author(built_site: Path) -> None:
    _, review = page_jsonld(built_site, "voice-attribution")
    assert review["@type"] == [SCHEMA + "ClaimReview"]
    assert value(review, "url") == "https://claims.example.org/claims/voice-attribution/"
    assert value(review, "datePublished") == "2021-02-24"  # the history entry that made it disputed, not 2021-01
    author = value(review, "author")
    assert author["@type"] == [SCHEMA + "Organization"]
    assert value(author, "name") == "Fixture Fact Checks" and value(author, "url") == "https://factcheck.example.org/"
    rating = value(review, "reviewRating")
    assert (value(rating, "ratingValue"), value(rating, "bestRating"), value(rating, "worstRating")) == (3, 5, 1)
    assert value(rating, "alternateName") == "Disputed"
    claim = value(review, "itemReviewed")
    assert claim["@type"] == [SCHEMA + "Claim"]
    assert value(claim, "datePublished") == "2021-01"
    works = claim[SCHEMA + "appearance"]
    assert [value(w, "url") for w in works] == ["https://udf.example/karpenkau-voice"]  # supporting sources only
    assert value(works[0], "datePublished") == "2021-02-24"
    assert value(value(works[0], "publisher"), "name") == "UDF.by"
    assert value(claim, "firstAppearance") == "https://udf.example/karpenkau-voice"  # the node above, by @id


def test_an_alleged_claim_is_a_claim_with_its_claimant_and_archived_appearance(built_site: Path) -> None:
    _, claim = page_jsonld(built_site, "leaked-order")
    assert claim["@type"] == [SCHEMA + "Claim"]  # no verdict, no rating
    assert SCHEMA + "reviewRating" not in claim
    assert value(claim, "url") == "https://claims.example.org/claims/leaked-order/"
    assert value(claim, "datePublished") == "2020-10-30"
    author = value(claim, "author")  # the claimant `bypol` is an entity: its page and other names
    assert author["@type"] == [SCHEMA + "Organization"]
    assert value(author, "url") == "https://claims.example.org/entities/bypol/"
    assert {a["@value"] for a in author[SCHEMA + "alternateName"]} == {"БАЙПОЛ", "By_Pol"}
    (work,) = claim[SCHEMA + "appearance"]  # s2 is a response, not an appearance
    assert value(work, "archivedAt") == "https://web.archive.example/web/2021/https://belsat.example/en/news/leak"
    assert value(work, "datePublished") == "2021-01-15"
    assert value(value(work, "publisher"), "name") == "Belsat"
    assert value(value(work, "author"), "name") == "Belsat staff"


def test_hostile_text_stays_data_inside_the_script(built_site: Path) -> None:
    html = (built_site / "claims" / "hostile-text" / "index.html").read_text(encoding="utf-8")
    (block,) = SCRIPT.findall(html)
    assert "<" not in block and ">" not in block and "&" not in block  # nothing can close the element
    data, review = page_jsonld(built_site, "hostile-text")
    assert data["claimReviewed"] == "<script>alert('title')</script> & <img src=x onerror=alert(1)> *not bold*"
    claim = value(review, "itemReviewed")
    assert value(claim, "author") == {SCHEMA + "name": [{"@value": "Someone <b>bold</b>"}]}  # free text: a name
    (work,) = claim[SCHEMA + "appearance"]
    assert value(work, "name") == "]]></title><script>x</script>"
    assert value(work, "url") == "https://example.org/a_(b)?q=1&r='x'"


def test_the_review_date_is_when_the_current_status_was_set() -> None:
    def claim(*history: tuple[str, str]) -> Claim:
        entries = [{"date": d, "status": s} for d, s in history]
        return Claim.model_validate(
            {"title": "t", "statement": "s", "status": history[-1][1], "status_reason": "r", "history": entries,
             "sources": [{"id": "s1", "url": "https://a.example/", "title": "a", "language": "en",
                          "kind": "news", "relation": "supports"}]}
        )  # fmt: skip

    assert str(review_date(claim(("2020-01-01", "alleged"), ("2020-02-01", "false")))) == "2020-02-01"
    kept = claim(("2020-01-01", "alleged"), ("2020-02-01", "false"), ("2020-03-01", "false"))
    assert str(review_date(kept)) == "2020-02-01"  # a later entry keeping the status is not a new review
    back = claim(("2020-01-01", "false"), ("2020-02-01", "disputed"), ("2020-03-01", "false"))
    assert str(review_date(back)) == "2020-03-01"


def test_the_methodology_page_publishes_the_rating_of_each_verdict() -> None:
    page = (ROOT / "docs" / "methodology.md").read_text(encoding="utf-8")
    assert RATINGS_MARKER in page
    filled = fill_markers(page, "methodology.md", None, DEFAULT_RULES, RenderOptions())
    for status, rating in RATING.items():
        assert f"| `{status}` | {rating} |" in filled, status
    assert "| `alleged` | no rating |" in filled


def test_a_build_without_site_url_fails_unless_it_is_a_preview(project_dir: Path, monkeypatch: Any) -> None:
    config = project_dir / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("site_url: https://claims.example.org/\n", ""))
    monkeypatch.chdir(project_dir)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    error = result.output.strip().splitlines()[-1]
    assert error.startswith("Error: mkdocs.yml has no site_url: a published site needs its public address")
    assert error.endswith("build a preview with --no-site-url")
    assert not (project_dir / "site").exists()
    result = CliRunner().invoke(main, ["build", "--no-site-url"])
    assert result.exit_code == 0, result.output
    html = (project_dir / "site" / "claims" / "leaked-order" / "index.html").read_text(encoding="utf-8")
    data = json.loads(SCRIPT.findall(html)[0])
    assert data["url"] == "claims/leaked-order/"  # a preview: site-relative
    assert data["author"]["name"] == "BYPOL"


@pytest.mark.parametrize("publisher", ["{url: 'https://x.example/'}", "{name: X, phone: 1}", "Somebody"])
def test_a_malformed_publisher_option_is_one_error(
    project_dir: Path, monkeypatch: Any, caplog: pytest.LogCaptureFixture, publisher: str
) -> None:
    config = project_dir / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"publisher: .*\n", f"publisher: {publisher}\n", text)
    config.write_text(text, encoding="utf-8")
    monkeypatch.chdir(project_dir)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "'publisher'" in caplog.text or "claimsite: publisher must be" in caplog.text
    assert "Traceback" not in result.output
    assert not (project_dir / "site").exists()
