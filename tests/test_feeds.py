"""The feeds of the built fixture site, read by a real feed parser (feedparser), and the Changes page:
ids, dates, links and titles; stable ids; autodiscovery; hostile text that stays text."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import feedparser
from click.testing import CliRunner
from conftest import make_project

from claimsite.catalog import Catalog
from claimsite.cli import main
from claimsite.i18n import messages
from claimsite.outputs.feeds import FeedSite, feed_files, history_entries
from claimsite.outputs.jsonld import Organisation
from claimsite.project import load_project

SITE = "https://claims.example.org/"
HOSTILE_TITLE = "<script>alert('title')</script> & <img src=x onerror=alert(1)> *not bold*"
ATOM_NS = "{http://www.w3.org/2005/Atom}"


def atom(site: Path, path: str) -> Any:
    parsed = feedparser.parse((site / path).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def json_feed(site: Path, path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / path).read_text(encoding="utf-8"))
    return data


def test_the_status_changes_feed_has_one_entry_per_history_entry(built_site: Path) -> None:
    feed = atom(built_site, "feeds/changes.xml")
    ids = [entry.id for entry in feed.entries]
    tag = "tag:claims.example.org,2026:claims/"
    assert ids == [
        tag + "voice-attribution/history/1",
        tag + "voice-attribution/history/0",
        tag + "leaked-order/history/0",
        tag + "hostile-text/history/0",
    ]  # newest first; on the same day, by claim id descending
    dates = [entry.updated[:10] for entry in feed.entries]
    assert dates == ["2021-02-24", "2021-01-15", "2021-01-15", "2020-06-01"]  # the history dates
    assert [entry.published for entry in feed.entries] == [entry.updated for entry in feed.entries]
    assert feed.feed.updated == "2021-02-24T00:00:00+00:00"  # the newest entry, not the clock
    assert feed.feed.id == SITE + "feeds/changes.xml"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"alternate": SITE + "changes/", "self": SITE + "feeds/changes.xml"}
    assert feed.feed.language == "en" and feed.feed.author == "Fixture Fact Checks"
    first = feed.entries[0]
    assert first.title == "Alleged → Disputed: The voice on the recording is Karpyankou's"
    assert first.link == SITE + "claims/voice-attribution/#history"
    assert first.summary == "Examination published."
    assert first.tags[0].term == "disputed"


def test_the_json_feed_holds_the_same_entries(built_site: Path) -> None:
    data = json_feed(built_site, "feeds/changes.json")
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == SITE + "feeds/changes.json" and data["home_page_url"] == SITE + "changes/"
    assert data["language"] == "en"
    assert data["authors"] == [{"name": "Fixture Fact Checks", "url": "https://factcheck.example.org/"}]
    assert "author" not in data  # deprecated in 1.1
    atom_ids = [entry.id for entry in atom(built_site, "feeds/changes.xml").entries]
    assert [item["id"] for item in data["items"]] == atom_ids
    for item in data["items"]:
        assert isinstance(item["id"], str) and item["url"].startswith(SITE)
        assert item["date_modified"] == item["date_published"]
        assert item["content_text"] and item["title"]
    # feedparser 6 reads no JSON Feed: the fields above are the ones JSON Feed 1.1 requires or names.
    assert set(data) == {"version", "title", "home_page_url", "feed_url", "language", "authors", "items"}


def test_the_new_claims_feed_and_entity_feeds(built_site: Path) -> None:
    claims = atom(built_site, "feeds/claims.xml")
    assert [e.id for e in claims.entries] == [
        "tag:claims.example.org,2026:claims/voice-attribution",
        "tag:claims.example.org,2026:claims/leaked-order",
        "tag:claims.example.org,2026:claims/hostile-text",
    ]  # by first history entry: 2021-01-15 (twice, then by id, descending), 2020-06-01
    assert claims.entries[1].link == SITE + "claims/leaked-order/"
    bypol = atom(built_site, "entities/bypol/feed.xml")
    assert [e.id for e in bypol.entries] == ["tag:claims.example.org,2026:claims/leaked-order/history/0"]
    assert bypol.feed.title == "Fixture claims: Changes: BYPOL"
    assert {link.rel: link.href for link in bypol.feed.links}["alternate"] == SITE + "entities/bypol/"
    karpyankou = json_feed(built_site, "entities/karpyankou/feed.json")
    assert {item["id"].rsplit(":", 1)[1] for item in karpyankou["items"]} == {
        "claims/leaked-order/history/0",
        "claims/voice-attribution/history/0",
        "claims/voice-attribution/history/1",
    }


def test_hostile_text_never_breaks_the_feeds(built_site: Path) -> None:
    for path in ("feeds/changes.xml", "feeds/claims.xml"):
        root = ET.fromstring((built_site / path).read_bytes())  # well-formed
        elements = {element.tag for element in root.iter()}
        assert elements <= {ATOM_NS + name for name in (
            "feed", "id", "title", "updated", "author", "name", "uri", "link", "generator", "entry", "summary",
            "category", "published")}, elements  # fmt: skip
        titles = [e.text for e in root.iter(ATOM_NS + "title")]
        assert any(HOSTILE_TITLE in (title or "") for title in titles)
    feed = atom(built_site, "feeds/claims.xml")
    (entry,) = [e for e in feed.entries if e.id.endswith("claims/hostile-text")]
    assert entry.title == HOSTILE_TITLE  # the text, exactly; no markup made of it
    assert entry.title_detail.type == "text/plain"
    data = json_feed(built_site, "feeds/claims.json")
    assert any(item["title"] == HOSTILE_TITLE for item in data["items"])


def test_every_page_links_the_feeds_and_an_entity_page_its_own(built_site: Path) -> None:
    alternate = re.compile(r'<link rel="alternate" type="([^"]+)" title="([^"]*)" href="([^"]+)">')
    home = alternate.findall((built_site / "index.html").read_text(encoding="utf-8"))
    assert ("application/atom+xml", "Fixture claims: Status changes", "feeds/changes.xml") in home
    assert len(home) == 1  # the other feeds are linked from the Changes page: every byte counts on every page
    entity = alternate.findall((built_site / "entities" / "bypol" / "index.html").read_text(encoding="utf-8"))
    assert ("application/atom+xml", "Changes: BYPOL", "feed.xml") in entity
    assert ("application/atom+xml", "Fixture claims: Status changes", "../../feeds/changes.xml") in entity
    assert ("application/feed+json", "Changes: BYPOL", "feed.json") in entity
    page = (built_site / "entities" / "bypol" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../entities/bypol/feed.xml" type="application/atom+xml">Atom</a>' in page


def test_the_changes_page_lists_the_same_entries_and_is_linked_from_home(built_site: Path) -> None:
    page = (built_site / "changes" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><time datetime="([^"]+)">.*?href="\.\./claims/([^/]+)/#history"', page)
    entries = atom(built_site, "feeds/changes.xml").entries
    assert listed == [(e.updated[:10], e.id.split("claims/")[1].split("/")[0]) for e in entries]
    assert "../feeds/changes.xml" in page and "../feeds/claims.json" in page
    assert 'href="changes/"' in (built_site / "index.html").read_text(encoding="utf-8")


def _site(site_url: str = SITE) -> FeedSite:
    return FeedSite(
        site_url=site_url,
        name="S",
        language="en",
        publisher=Organisation("P"),
        page_url=lambda path: site_url + path.removesuffix(".md") + "/",
    )


def test_ids_stay_when_a_note_changes_and_a_new_entry_is_one_new_id(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    before = {e.id for e in history_entries(Catalog(load_project([root / "claims"])), _site())}
    path = root / "claims" / "voice-attribution.yaml"
    text = path.read_text(encoding="utf-8").replace("note: Examination published.", "note: Examination out.")
    path.write_text(text + "  - {date: 2021-04-01, status: disputed, note: Reviewed again.}\n", encoding="utf-8")
    catalog = Catalog(load_project([root / "claims"]))
    after = {e.id for e in history_entries(catalog, _site())}
    assert after - before == {"tag:claims.example.org,2026:claims/voice-attribution/history/2"}
    assert before <= after
    files = feed_files(catalog, _site(), messages("en"))
    assert files == feed_files(catalog, _site(), messages("en"))  # deterministic
    newest = feedparser.parse(files["feeds/changes.xml"]).entries[0]
    assert newest.title == "Reviewed, still Disputed: The voice on the recording is Karpyankou's"
    assert feedparser.parse(files["feeds/changes.xml"]).feed.updated == "2021-04-01T00:00:00+00:00"
    sub = feed_files(catalog, _site("https://example.org/claims/"), messages("en"))
    assert b"tag:example.org,2026:claims/claims/voice-attribution/history/2" in sub["feeds/changes.xml"]


def test_two_builds_write_the_same_feeds(built_site: Path, tmp_path: Path, monkeypatch: Any) -> None:
    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    for path in ("feeds/changes.xml", "feeds/changes.json", "feeds/claims.xml", "entities/bypol/feed.json"):
        assert (root / "site" / path).read_bytes() == (built_site / path).read_bytes(), path


def test_a_preview_build_publishes_no_feeds(tmp_path: Path, monkeypatch: Any) -> None:
    root = make_project(tmp_path / "project")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(f"site_url: {SITE}\n", ""), encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["build", "--no-site-url"])
    assert result.exit_code == 0, result.output
    assert not (root / "site" / "feeds").exists()
    assert 'rel="alternate" type="application/atom+xml"' not in (root / "site" / "index.html").read_text("utf-8")
    assert (root / "site" / "changes" / "index.html").is_file()  # the page is there, without feed links
    shutil.rmtree(root / "site")
