"""Feeds of what changed: Atom (RFC 4287, written by feedgen) and JSON Feed 1.1, for the whole site and
for each person and organisation. Pure: catalog in, `{site-relative path: bytes}` out.

- `feeds/changes.*`: one entry per `history` entry of every claim (a new claim's first entry, every
  status change, every review that kept the status), newest first;
- `feeds/claims.*`: one entry per claim, dated by its first history entry;
- `entities/<id>/feed.*`: the history entries of the claims that name the entity.

Each entry's id is a tag URI (RFC 4151) made of the site's address and the claim's id and the entry's
position (`tag:example.org,2026:claims/x/history/2`), never of its text or date, so a corrected note is
an updated entry, never a new one. Dates come from the data (history dates, at midnight UTC); a feed's
`updated` is its newest entry's. The Changes page (claimsite.render) lists the same entries.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]  # feedgen ships no type hints

from claimsite.catalog import Catalog
from claimsite.i18n import N_, Messages
from claimsite.model import PartialDate
from claimsite.outputs.jsonld import Organisation
from claimsite.text import description
from claimsite.vocab import STATUS_LABELS, Status

FEED_LIMIT = 200
"""Entries per feed, newest first: a reader polls the feed, and the Changes page and the data export
hold every entry."""

CHANGES, CLAIMS = "feeds/changes", "feeds/claims"
ATOM, JSON_FEED = ".xml", ".json"
ATOM_TYPE, JSON_FEED_TYPE = "application/atom+xml", "application/feed+json"

CHANGES_TITLE = N_("Status changes")
CLAIMS_TITLE = N_("New claims")
ENTITY_TITLE = N_("Changes: {name}")

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot hold (a checked claim has none; a feed must never fail on one)."""


@dataclass(frozen=True)
class FeedSite:
    """What the feeds need to know about the site."""

    site_url: str
    """The public address, ending in '/' (a feed's links and ids are absolute)."""
    name: str
    language: str
    publisher: Organisation
    page_url: Callable[[str], str]
    """A page's docs path (`claims/x.md`) -> its absolute URL."""
    tag_date: str = "2026"
    """The date of the tag URIs' authority (RFC 4151: a day on which the site's address was its own)."""

    def tag(self, specific: str) -> str:
        parts = urlsplit(self.site_url)
        return f"tag:{parts.hostname or 'localhost'},{self.tag_date}:{parts.path.lstrip('/')}{specific}"


@dataclass(frozen=True)
class Entry:
    """One entry of a feed and one line of the Changes page."""

    id: str
    claim_id: str
    date: PartialDate
    before: Status | None
    """The status before this entry; None for a claim's first entry."""
    status: Status
    note: str | None
    position: int
    """Index of the history entry (0: the first), or -1 for a `feeds/claims` entry."""

    def title(self, t: Messages, claim_title: str) -> str:
        status = t(STATUS_LABELS[self.status])
        if self.position == -1:
            return claim_title
        if self.before is None:
            return t("New claim, {status}: {title}", status=status, title=claim_title)
        if self.before is self.status:
            return t("Reviewed, still {status}: {title}", status=status, title=claim_title)
        before = t(STATUS_LABELS[self.before])
        return t("{before} → {after}: {title}", before=before, after=status, title=claim_title)


def history_entries(catalog: Catalog, site: FeedSite | None, ids: Iterable[str] | None = None) -> list[Entry]:
    """Every history entry of the claims (default: all), newest first (ties: claim id, position); their
    ids need the `site` (the Changes page, which has none, shows no ids)."""
    entries = []
    for cid in catalog.claims if ids is None else ids:
        before: Status | None = None
        for n, item in enumerate(catalog.claims[cid].history):
            tag = site.tag(f"claims/{cid}/history/{n}") if site is not None else ""
            entries.append(Entry(tag, cid, item.date, before, item.status, item.note, n))
            before = item.status
    return sorted(entries, key=lambda e: (e.date.sort_key(), e.claim_id, e.position), reverse=True)


def claim_entries(catalog: Catalog, site: FeedSite) -> list[Entry]:
    """One entry per claim, dated by its first history entry, newest first."""
    entries = [
        Entry(site.tag(f"claims/{cid}"), cid, claim.history[0].date, None, claim.status, None, -1)
        for cid, claim in catalog.claims.items()
    ]
    return sorted(entries, key=lambda e: (e.date.sort_key(), e.claim_id), reverse=True)


def moment(date: PartialDate) -> dt.datetime:
    """A history date as a feed's timestamp: its first day, at midnight UTC."""
    return dt.datetime.combine(date.earliest(), dt.time(), tzinfo=dt.UTC)


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


@dataclass(frozen=True)
class Feed:
    """One feed, written twice: as Atom and as JSON Feed."""

    path: str
    """Site-relative path without its extension (`feeds/changes`)."""
    title: str
    home_url: str
    entries: list[Entry]


def _entry_fields(catalog: Catalog, site: FeedSite, t: Messages, entry: Entry) -> tuple[str, str, str]:
    """An entry's title, text and link. The text is the history entry's own note (never the claim's
    current reason, which may be about a later status); a first entry without one gives the statement."""
    claim = catalog.claims[entry.claim_id]
    url = site.page_url(f"claims/{entry.claim_id}.md")
    if entry.position == -1:
        return claim.title, description(claim.statement), url
    title = entry.title(t, claim.title)
    text = entry.note or (description(claim.statement) if entry.before is None else title)
    return title, text, f"{url}#history"


def atom(catalog: Catalog, site: FeedSite, t: Messages, feed: Feed) -> bytes:
    """The feed as Atom."""
    entries = tuple(
        (entry.id, *_entry_fields(catalog, site, t, entry), moment(entry.date), *_status(t, entry))
        for entry in feed.entries
    )
    publisher = (site.publisher.name, site.publisher.url)
    return _atom(site.site_url, site.language, publisher, (feed.path, feed.title, feed.home_url), entries)


def _status(t: Messages, entry: Entry) -> tuple[str, str]:
    return str(entry.status), t(STATUS_LABELS[entry.status])


@functools.lru_cache(maxsize=4096)
def _atom(
    site_url: str,
    language: str,
    publisher: tuple[str, str | None],
    feed: tuple[str, str, str],
    entries: tuple[tuple[str, str, str, str, dt.datetime, str, str], ...],
) -> bytes:
    """The Atom document of these values; kept, since feedgen takes a while and a `serve` rebuild
    writes again every feed, of which an edit changes a few."""
    path, feed_title, home_url = feed
    out = FeedGenerator()
    self_url = site_url + path + ATOM
    out.id(self_url)
    out.title(_xml_text(feed_title))
    out.link(href=home_url, rel="alternate", type="text/html")
    out.link(href=self_url, rel="self", type=ATOM_TYPE)
    out.language(language)
    author = {"name": _xml_text(publisher[0])}
    if publisher[1]:
        author["uri"] = publisher[1]
    out.author(author)
    out.generator("claimsite")
    out.updated(entries[0][4] if entries else moment(PartialDate(1970, 1, 1)))
    for entry_id, title, text, url, when, status, label in entries:
        item = out.add_entry(order="append")
        item.id(entry_id)
        item.title(_xml_text(title))
        item.link(href=url, rel="alternate", type="text/html")
        item.updated(when)
        item.published(when)
        item.summary(_xml_text(text))
        item.category(term=status, label=_xml_text(label))
    data: bytes = out.atom_str(pretty=True, encoding="UTF-8")
    return data


def json_feed(catalog: Catalog, site: FeedSite, t: Messages, feed: Feed) -> bytes:
    """The feed as JSON Feed 1.1."""
    author: dict[str, str] = {"name": site.publisher.name}
    if site.publisher.url:
        author["url"] = site.publisher.url
    items = []
    for entry in feed.entries:
        title, text, url = _entry_fields(catalog, site, t, entry)
        when = moment(entry.date).isoformat()
        items.append(
            {
                "id": entry.id,
                "url": url,
                "title": title,
                "content_text": text,
                "date_published": when,
                "date_modified": when,
                "tags": [str(entry.status)],
            }
        )
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": site.site_url + feed.path + JSON_FEED,
        "language": site.language,
        "authors": [author],
        "items": items,
    }
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def site_feeds(catalog: Catalog, site: FeedSite, t: Messages) -> list[Feed]:
    """The feeds of the site: status changes, new claims, and one per person and organisation."""
    home = site.site_url
    feeds = [
        Feed(CHANGES, f"{site.name}: {t(CHANGES_TITLE)}", site.page_url("changes.md"), history_entries(catalog, site)),
        Feed(CLAIMS, f"{site.name}: {t(CLAIMS_TITLE)}", home, claim_entries(catalog, site)),
    ]
    for eid, ids in catalog.by_entity.items():
        title = f"{site.name}: {t(ENTITY_TITLE, name=catalog.entities[eid].name)}"
        feeds.append(
            Feed(entity_feed(eid), title, site.page_url(f"entities/{eid}.md"), history_entries(catalog, site, ids))
        )
    return [Feed(f.path, f.title, f.home_url, f.entries[:FEED_LIMIT]) for f in feeds]


def entity_feed(eid: str) -> str:
    """Where an entity's feed is, without its extension."""
    return f"entities/{eid}/feed"


def feed_files(catalog: Catalog, site: FeedSite, t: Messages) -> dict[str, bytes]:
    """Every feed file, by site-relative path."""
    files: dict[str, bytes] = {}
    for feed in site_feeds(catalog, site, t):
        files[feed.path + ATOM] = atom(catalog, site, t, feed)
        files[feed.path + JSON_FEED] = json_feed(catalog, site, t, feed)
    return files
