"""Checked model -> one PDF edition, typeset by typst (the compiler ships inside the `typst` wheel).

`part_source` is pure: it turns one part of the edition into typst source, the layout in
`templates/claims.typ` preceded by one line that defines `data`. All claim text travels inside that
line as JSON in a typst string literal; the template only ever shows those strings as text, so
nothing in a claim file can run typst code. `edition_info` gathers what the cover needs (title,
date, source revision) from the environment.

Why the edition is typeset in parts. Typst keeps every page it lays out in memory, and its
memoisation cache lives as long as the process (the `typst` package never clears it): one run over
1,000 synthetic claims (1,424 pages) peaked at 1.85 GB, 5,000 claims at about 10 GB. Nothing in the
template was to blame: without any `context`, outline or index the run still peaked at 1.6 GB, and
1,400 pages of plain paragraphs take 1.4 GB. So `make_pdf` cuts the edition into parts of at most
`CHUNK_CLAIMS` claims (the front matter joins the first, the index the last; a group cut in two
starts a new page at the cut) and typesets each in a child process of its own, `WORKERS` at a time,
so the peak is that of two small runs rather than one large one. qpdf (pikepdf) then joins the parts.

Page numbers cross parts, so they are settled as typst settles its own: every part is laid out with
guessed numbers (a typst query that makes no PDF, when no earlier build's numbers are at hand), the
layout says on which page every heading lands, and parts are typeset with those numbers and typeset
again while their source would change (each part once or twice in practice, at most `MAX_ROUNDS`
rounds, after which a warning says so). The template prints every page number it is
given (footer from `data.offset`, contents, related claims, index) and writes every link to a
heading as `claimsite-internal:<key>`; the join gives each heading a named destination (`claim-<id>`
for claims), points those links at them, and builds one outline from the parts' bookmarks.

Measured on 2 cores (`claimsite pdf` on scripts/synth.py corpora; "tree" is the largest sum of
resident memory over the whole process tree, sampled every 50 ms):

| claims | one typst run: time, peak, size | parts, joined by pypdf        | parts, joined by qpdf (now)  |
|--------|---------------------------------|-------------------------------|------------------------------|
|    100 | 1.4 s, 254 MB, 2.1 MB           | 2.0 s, 214 MB tree, 1.2 MB    | 1.7 s, 221 MB tree, 1.1 MB   |
|  1,000 | 9-13 s, 1,839 MB, 20.5 MB       | 16.3 s, 566 MB tree, 11.2 MB  | 10.7 s, 444 MB tree, 10.9 MB |
|  5,000 | -, about 10 GB                  | 103 s, 1,339 MB tree, 55 MB   | 57 s, 1,114 MB tree, 54 MB   |

The typesetting was paid twice (the second round). pypdf, pure Python, spent 5 of those 16 s parsing
the parts' objects; qpdf joins them in well under a second. At 5,000 claims the joined document in
qpdf is the peak. Those figures are from before issue 15, when the parts were untagged.

Since issue 15 the parts are tagged (PDF/UA-1, checked by typst as it compiles) and their structure
trees merged by `claimsite.pdf_tags`; the joined file is written with object streams, which makes the
tagged edition about as small as the untagged one was. With a cache folder, parts typeset before with
the same inputs are reused (`claimsite.pdf_engine.Compiler`). The README's "The PDF edition" has the
numbers (`scripts/bench_pdf.py`). The PDF carries `claims.json` and a manifest (`claimsite.pdf_verify`).

The output is deterministic: fonts come only from the compiler (system fonts are ignored, so another
machine's fonts cannot change the layout), every date comes from the edition, which comes from
`SOURCE_DATE_EPOCH` when it is set, and the parts, rounds and join do not depend on timing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from claimsite.catalog import Catalog
from claimsite.env import UNKNOWN_REVISION, build_date
from claimsite.env import source_revision as source_revision  # re-exported: callers import it from here
from claimsite.model import Claim, Source
from claimsite.pdf_engine import Compiler, Pdf, heading_pages, join, settle
from claimsite.pdf_verify import attach, edition_files
from claimsite.progress import Progress
from claimsite.project import Project
from claimsite.provenance import (
    ARCHIVED_COPY,
    NOTHING_OBSERVED,
    Day,
    Hash,
    LinkLabel,
    Moment,
    Observations,
    Provenance,
    Value,
    phrases,
    utc_minute,
)
from claimsite.text import one_line
from claimsite.vocab import (
    FLAG_LABELS,
    KIND_LABELS,
    LINK_STATUS_LABELS,
    PUBLISHED_LABELS,
    SOURCE_RELATION_LABELS,
    STATUS_DEFINITIONS,
    STATUS_LABELS,
    EntityKind,
    Status,
    language_name,
    translation_note,
)
from claimsite.write import replace_file

DEFAULT_TITLE = "Claims"
"""Cover title when mkdocs.yml is missing or has no plain `site_name`."""

LONG_WORD = 30
"""Words this long get break opportunities: typst never breaks a word it cannot hyphenate, so a
single long word would run off the page. URLs are exempt: typst already breaks them."""

_LONG_WORD_RE = re.compile(rf"\S{{{LONG_WORD},}}")
_ZERO_WIDTH_SPACE = "\u200b"


# --------------------------------------------------------------------------- the edition


@dataclass(frozen=True)
class EditionInfo:
    """What identifies one edition: printed on the cover and used as the PDF's date."""

    title: str
    date: dt.date
    """The edition date: from SOURCE_DATE_EPOCH when set, else the day of the build."""
    revision: str = UNKNOWN_REVISION
    """Short git commit of the claims, with `-dirty` when they have uncommitted changes."""
    site_url: str | None = None
    """The site's address (`site_url` of mkdocs.yml, ending in '/'), for the cover and permalinks."""
    directory_urls: bool = True
    """`use_directory_urls` of mkdocs.yml: claim pages at claims/<id>/, else claims/<id>.html."""

    def permalink(self, cid: str) -> str | None:
        """The address of a claim's page on the site; None without a site address."""
        if self.site_url is None:
            return None
        return self.site_url + (f"claims/{cid}/" if self.directory_urls else f"claims/{cid}.html")

    @property
    def timestamp(self) -> int:
        """Midnight UTC of the edition date, in seconds: the compiler's idea of 'now'."""
        return int(dt.datetime(self.date.year, self.date.month, self.date.day, tzinfo=dt.UTC).timestamp())


def edition_date(environ: Mapping[str, str] = os.environ) -> dt.date:
    """The UTC date of SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    return build_date(environ)


def site_name(config_file: Path | None) -> str | None:
    """`site_name` from mkdocs.yml, when the file exists and the name is plain text."""
    if config_file is None or not config_file.is_file():
        return None
    from claimsite.site import read_config_file

    try:
        name = read_config_file(config_file).get("site_name")
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    return one_line(name) if isinstance(name, str) and name.strip() else None


def site_address(config_file: Path | None) -> tuple[str | None, bool]:
    """`site_url` (ending in '/', None when absent or not an http(s) address) and `use_directory_urls`
    from mkdocs.yml."""
    if config_file is None or not config_file.is_file():
        return None, True
    from claimsite.site import read_config_file

    try:
        config = read_config_file(config_file)
    except (yaml.YAMLError, UnicodeDecodeError):
        return None, True
    url, directory = config.get("site_url"), config.get("use_directory_urls", True)
    if not isinstance(url, str) or not re.fullmatch(r"https?://\S+", url.strip()):
        return None, directory is not False
    return url.strip().rstrip("/") + "/", directory is not False


def edition_info(config_file: Path | None, claims_dir: Path, environ: Mapping[str, str] = os.environ) -> EditionInfo:
    """The edition of the claims in `claims_dir`: title, date, revision and the site's address."""
    site_url, directory_urls = site_address(config_file)
    return EditionInfo(
        title=site_name(config_file) or DEFAULT_TITLE,
        date=edition_date(environ),
        revision=source_revision(claims_dir),
        site_url=site_url,
        directory_urls=directory_urls,
    )


# --------------------------------------------------------------------------- text


def typst_string(value: str) -> str:
    """`value` as a typst string literal. Backslash and quote are the only characters that can end
    or change a literal; control characters are escaped too, so the literal stays on one line."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", lambda m: f"\\u{{{ord(m.group()):x}}}", escaped)
    return f'"{escaped}"'


def _break_long_word(match: re.Match[str]) -> str:
    word = match.group()
    if word.startswith(("http://", "https://")):
        return word
    return _ZERO_WIDTH_SPACE.join(_chunks(word))


_URL_RUN_RE = re.compile(rf"[A-Za-z0-9]{{{LONG_WORD},}}")
"""A run of letters and digits in an address too long for a line (typst breaks addresses only at
their punctuation)."""


def shown_url(url: str) -> str:
    """An address as printed: the same characters, with break opportunities inside over-long runs
    (the link keeps the address itself)."""
    return _URL_RUN_RE.sub(lambda match: _ZERO_WIDTH_SPACE.join(_chunks(match.group())), url)


_URL_BREAK_RE = re.compile(r"(?<=//)(?=[^/])|(?<![/:])(?=[/~.,\-_?#%=&])")
"""Where a printed address may break (The Chicago Manual of Style, 14.18): after `//`, and before a
slash, tilde, period, comma, hyphen, underscore, question mark, number sign, percent sign, equals
sign or ampersand, so that a line never ends in a hyphen that looks like hyphenation, and the
punctuation that starts the next line says the address goes on."""


def url_pieces(url: str) -> list[str]:
    """An address in the pieces the PDF may break it between (each piece is set unbreakable, as
    typst would otherwise break after any punctuation in a link); runs longer than a line are cut."""
    pieces: list[str] = []
    for piece in _URL_BREAK_RE.split(url):
        pieces += _chunks(piece) if len(piece) >= LONG_WORD else [piece] if piece else []
    return pieces


def _chunks(word: str) -> list[str]:
    return [word[i : i + LONG_WORD // 2] for i in range(0, len(word), LONG_WORD // 2)]


def plain(text: str) -> str:
    """One line of untrusted text, with break opportunities inside over-long words."""
    return _LONG_WORD_RE.sub(_break_long_word, one_line(text))


def optional(text: object) -> str | None:
    """`plain` for optional fields (dates included); None stays None."""
    return None if text is None else plain(str(text))


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each made one line."""
    return [plain(part) for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


# --------------------------------------------------------------------------- the data the layout shows


ORDER_NOTE = (
    "Claims are grouped by status, in the order "
    + ", ".join(STATUS_LABELS[s] for s in Status)
    + ". Within a group they follow the date of the event, oldest first; a date known only to the "
    "month or the year comes before the days within it, undated claims come last, and claims with "
    "the same date follow their ids. The index at the end lists the pages on which each person and "
    "organisation is named."
)
"""Printed in the PDF; says in words what `claims_in_order` does."""


def claims_in_order(site: Catalog) -> dict[Status, list[str]]:
    """Claim ids grouped by status (Status order), each group by date, oldest first, undated last."""
    return site.in_print_order


Segments = list[dict[str, str | None]]
"""Text in pieces, each with the language it is in (None: the edition's, English), so that a
screen reader speaks a Belarusian or Russian name as such."""


def native_names(site: Catalog, eid: str) -> Segments:
    """An entity's names in other scripts, each marked with its language: `Мікалай` / `Николай`."""
    entity = site.entities[eid]
    names = [(language, name) for language, name in sorted(entity.names.items()) if name != entity.name]
    out: Segments = []
    for n, (language, name) in enumerate(names):
        out += [{"text": " / ", "lang": None}] if n else []
        out.append({"text": plain(name), "lang": _lang(str(language))})
    return out


def name_segments(site: Catalog, ref: str) -> Segments:
    """An entity's English name, then its native names in their languages; free text as written."""
    if ref not in site.entities:
        return [{"text": plain(ref), "lang": None}]
    native = native_names(site, ref)
    head: Segments = [{"text": plain(site.entities[ref].name), "lang": None}]
    return head + ([{"text": " (", "lang": None}, *native, {"text": ")", "lang": None}] if native else [])


def _names(site: Catalog, refs: Iterable[str]) -> Segments:
    out: Segments = []
    for n, ref in enumerate(refs):
        out += ([{"text": "; ", "lang": None}] if n else []) + name_segments(site, ref)
    return out


def _published(value: object) -> str:
    if value is None:
        return "date not stated"
    return PUBLISHED_LABELS.get(str(value), str(value))


def _lang(code: str) -> str:
    """The primary language subtag, which is all typst's `lang` accepts (pt-BR -> pt)."""
    return code.split("-")[0].lower()


def evidence_segments(p: Provenance) -> list[list[dict[str, str | None]]]:
    """The evidence line of a source as the PDF prints it: one list of segments per phrase, each
    segment text, or text in a monospaced font (a hash), or a link (the archived copy); the words are
    the site's (`claimsite.provenance.phrases`), in English."""
    out = []
    for phrase in phrases(p):
        segments: list[dict[str, str | None]] = []
        for literal, name, _spec, _conversion in Formatter().parse(phrase.message):
            if literal:
                segments.append({"text": literal, "url": None, "mono": None})
            if name is not None:
                segments.append(_segment(phrase.values[name]))
        out.append(segments)
    return out


def _segment(value: Value) -> dict[str, str | None]:
    if isinstance(value, LinkLabel):
        return {"text": LINK_STATUS_LABELS[value.value], "url": None, "mono": None}
    if isinstance(value, Day):
        return {"text": str(value.value), "url": None, "mono": None}
    if isinstance(value, Moment):
        return {"text": utc_minute(value.value), "url": None, "mono": None}
    if isinstance(value, Hash):
        return {"text": None, "url": None, "mono": shown_url(value.full)}
    return {"text": ARCHIVED_COPY, "url": value.url, "mono": None}


def _source(site: Catalog, source: Source, observed: Observations = NOTHING_OBSERVED) -> dict[str, Any]:
    return {
        "publisher": plain(site.publisher_name(source)),
        "publisher_facts": optional(site.publisher_facts(source)),
        "author": optional(source.author),
        "title": plain(source.title),
        "lang": _lang(source.language),
        "language": language_name(source.language),
        "published": _published(source.published),
        "kind": KIND_LABELS[source.kind],
        "relation": SOURCE_RELATION_LABELS[source.relation],
        "url": source.url,
        "url_shown": url_pieces(source.url),
        "archive_url": source.archive_url,
        "archive_url_shown": url_pieces(source.archive_url) if source.archive_url else None,
        "archive_date": optional(source.archive_date),
        "accessed": optional(source.accessed),
        "evidence": evidence_segments(observed.of(source)),
        "origin": source.origin,
        "quote": optional(source.quote),
        "quote_en": optional(source.quote_en),
        "quote_note": translation_note(source.quote_translated_from) if source.quote_translated_from else None,
        "note": optional(source.note),
    }


def _facts(site: Catalog, claim: Claim) -> list[tuple[str, Segments]]:
    def text(value: str) -> Segments:
        return [{"text": value, "lang": None}] if value else []

    facts = [
        ("Date", text(str(claim.date) if claim.date else "")),
        ("Claimed by", name_segments(site, claim.claimant) if claim.claimant else []),
        ("People", _names(site, claim.people)),
        ("Organisations", _names(site, claim.organisations)),
        ("Places", text(plain(", ".join(claim.places)))),
        ("Tags", text(", ".join(claim.tags))),
    ]
    return [(name, value) for name, value in facts if value]


def _related(site: Catalog, cid: str, pages: Mapping[str, int]) -> list[dict[str, Any]]:
    """Links from this claim and to it (backlinks), as the web page shows them."""
    return [
        {
            "id": link.claim_id,
            "title": plain(site.claims[link.claim_id].title),
            "status": STATUS_LABELS[site.claims[link.claim_id].status],
            "relation": link.label,
            "note": optional(link.note),
            "page": pages.get(claim_key(link.claim_id), 0),
        }
        for link in site.related(cid)
    ]


def claim_key(cid: str) -> str:
    """The named destination of a claim's heading (ids are lowercase kebab-case)."""
    return "claim-" + cid


def claim_data(
    site: Catalog, cid: str, pages: Mapping[str, int] | None = None, observed: Observations = NOTHING_OBSERVED
) -> dict[str, Any]:
    """Everything the layout shows for one claim, as JSON-ready values (text already made plain).
    `pages` maps heading keys to the page numbers printed next to links (0 when not known);
    `observed`, the link state and capture store the sources' evidence lines report."""
    pages = pages or {}
    claim = site.claims[cid]
    numbers = {source.id: n for n, source in enumerate(claim.sources, start=1)}
    successor = claim.superseded_by
    return {
        "id": cid,
        "title": plain(claim.title),
        "status": STATUS_LABELS[claim.status],
        "flags": [FLAG_LABELS[flag] for flag in claim.flags],
        "confidence": str(claim.confidence),
        "reason": plain(claim.status_reason),
        "evidence": plain(site.evidence[cid].line()),
        "basis": [str(basis) for basis in claim.basis],
        "superseded_by": {
            "id": successor,
            "title": plain(site.claims[successor].title),
            "page": pages.get(claim_key(successor), 0),
        }
        if successor in site.claims
        else None,
        "statement": paragraphs(claim.statement),
        "facts": _facts(site, claim),
        "sources": [_source(site, source, observed) for source in claim.sources],
        "responses": [
            {
                "by": name_segments(site, r.by),
                "date": optional(r.date),
                "summary": plain(r.summary),
                "sources": [numbers[ref] for ref in r.sources if ref in numbers],
            }
            for r in claim.responses
        ],
        "related": _related(site, cid, pages),
        "history": [
            {"date": str(h.date), "status": STATUS_LABELS[h.status], "note": plain(h.note or "")} for h in claim.history
        ],
    }


INDEX_PARTS = ((EntityKind.PERSON, "People"), (EntityKind.ORGANISATION, "Organisations"))


def index_data(
    site: Catalog, document_order: Iterable[str], pages: Mapping[str, int] | None = None
) -> list[dict[str, Any]]:
    """People, then organisations, by name; each with the pages of its claims in the order the PDF
    prints them, one [page, key] per page (the key of the first claim on that page)."""
    pages = pages or {}
    position = {cid: n for n, cid in enumerate(document_order)}
    parts = []
    for kind, heading in INDEX_PARTS:
        ids = site.ids_of_kind(kind)
        entries = []
        for eid in ids:
            entity = site.entities[eid]
            claims = sorted(site.by_entity.get(eid, []), key=position.__getitem__)
            on_pages: dict[int, str] = {}
            for cid in claims:
                on_pages.setdefault(pages.get(claim_key(cid), 0), claim_key(cid))
            entries.append(
                {
                    "name": plain(entity.name),
                    "native": native_names(site, eid),
                    "aliases": [plain(alias) for alias in entity.aliases],
                    "role": plain(entity.role),
                    "pages": [[page, key] for page, key in on_pages.items()],
                }
            )
        parts.append({"heading": heading, "entries": entries})
    return parts


# --------------------------------------------------------------------------- parts


CHUNK_CLAIMS = 150
"""Most claims typeset in one compiler run. Memory grows with the pages of one run (about 1.7 MB per
claim), not with the edition."""

WORKERS = 2
"""Compiler runs at a time (each its own process, so each gives its memory back when it ends)."""

MAX_ROUNDS = 5
"""Times the parts may be typeset again while the page numbers they print settle."""

LINK_PREFIX = "claimsite-internal:"
"""Links to headings are written as this + a key; the joined PDF links them to named destinations."""

FRONT_KEYS = ("methodology", "ordering")
INDEX_KEY = "index"


def _group_key(status: Status) -> str:
    return f"group-{status}"


def _index_part_key(heading: str) -> str:
    return f"{INDEX_KEY}-{heading.lower()}"


@dataclass(frozen=True)
class _Piece:
    """A run of claims of one status; `heading` when the group starts here."""

    status: Status
    heading: bool
    claims: tuple[str, ...]


@dataclass(frozen=True)
class _Part:
    """What one compiler run typesets, in this order: front matter, runs of claims, index."""

    front: bool
    pieces: tuple[_Piece, ...]
    index: bool

    def headings(self) -> list[tuple[int, str]]:
        """(level, key) of every heading, in the order the layout sets them (and bookmarks them)."""
        keys = [(1, FRONT_KEYS[0]), (2, FRONT_KEYS[1])] if self.front else []
        for piece in self.pieces:
            keys += [(1, _group_key(piece.status))] if piece.heading else []
            keys += [(2, claim_key(cid)) for cid in piece.claims]
        if self.index:
            keys += [(1, INDEX_KEY)] + [(2, _index_part_key(heading)) for _, heading in INDEX_PARTS]
        return keys


def split_parts(groups: Mapping[Status, list[str]], size: int = CHUNK_CLAIMS) -> list[_Part]:
    """The edition in parts of at most `size` claims: the front matter joins the first, the index the
    last. A group too large for one part is cut into even runs, so no run is a small remainder."""
    pieces: list[_Piece] = []
    for status, ids in groups.items():
        if not ids:
            continue
        runs = -(-len(ids) // size)
        step = -(-len(ids) // runs)
        pieces += [_Piece(status, start == 0, tuple(ids[start : start + step])) for start in range(0, len(ids), step)]
    parts: list[list[_Piece]] = [[]]
    for piece in pieces:
        if parts[-1] and sum(len(p.claims) for p in parts[-1]) + len(piece.claims) > size:
            parts.append([])
        parts[-1].append(piece)
    return [_Part(front=n == 0, pieces=tuple(run), index=n == len(parts) - 1) for n, run in enumerate(parts)]


def _contents(site: Catalog, groups: Mapping[Status, list[str]], pages: Mapping[str, int]) -> list[dict[str, Any]]:
    """The table of contents: every heading to depth 2 with its page."""
    entries = [(1, "Methodology", FRONT_KEYS[0]), (2, "How this edition is ordered", FRONT_KEYS[1])]
    for status, ids in groups.items():
        if ids:
            entries.append((1, f"{STATUS_LABELS[status]} claims", _group_key(status)))
            entries += [(2, plain(site.claims[cid].title), claim_key(cid)) for cid in ids]
    entries.append((1, "Index of people and organisations", INDEX_KEY))
    entries += [(2, heading, _index_part_key(heading)) for _, heading in INDEX_PARTS]
    return [{"level": level, "title": title, "key": key, "page": pages.get(key, 0)} for level, title, key in entries]


def part_data(
    site: Catalog,
    edition: EditionInfo,
    part: _Part,
    pages: Mapping[str, int],
    offset: int,
    observed: Observations = NOTHING_OBSERVED,
    manifest: str | None = None,
) -> dict[str, Any]:
    """One part as a JSON-ready value: the only input of the typst template. `pages` maps heading
    keys to their page numbers; `offset` is the number of pages before the part; `manifest`, the
    SHA-256 of the edition's manifest (`claimsite.pdf_verify`), printed on the cover.

    What only the front matter prints (cover, contents, methodology) is in the first part's data
    only: an edit elsewhere then leaves the other parts' sources, and their cache keys, alone."""
    groups = claims_in_order(site)
    front = part.front
    return {
        "edition": {
            "title": plain(edition.title),
            "title_words": plain(edition.title).split(),
            "date": {
                "year": edition.date.year,
                "month": edition.date.month,
                "day": edition.date.day,
                "text": edition.date.isoformat(),
            },
            "revision": plain(edition.revision) if front else None,
            "manifest": shown_url(manifest) if front and manifest else None,
            "site_url": edition.site_url if front else None,
            "site_url_shown": url_pieces(edition.site_url) if front and edition.site_url else None,
        },
        "offset": offset,
        "front": front,
        "totals": {
            "claims": site.counts.claims,
            "documents": site.counts.documents,
            "citations": site.counts.citations,
            "sources": site.counts.sources_line(),
            "entities": site.counts.entities,
        }
        if front
        else None,
        "statuses": [
            {"label": STATUS_LABELS[s], "definition": STATUS_DEFINITIONS[s], "count": len(groups[s])} for s in Status
        ]
        if front
        else None,
        "order": ORDER_NOTE if front else None,
        "contents": _contents(site, groups, pages) if part.front else [],
        "groups": [
            {
                "heading": f"{STATUS_LABELS[p.status]} claims" if p.heading else None,
                # A part that starts inside a group repeats its heading: PDF/UA-1 wants every part's
                # first heading at level 1, and a reader on that page sees which group it is.
                "continued": None if p.heading else f"{STATUS_LABELS[p.status]} claims (continued)",
                "definition": STATUS_DEFINITIONS[p.status],
                "claims": [
                    claim_data(site, cid, pages, observed) | _permalink(edition.permalink(cid)) for cid in p.claims
                ],
            }
            for p in part.pieces
        ],
        "index": index_data(site, (cid for ids in groups.values() for cid in ids), pages) if part.index else None,
    }


# --------------------------------------------------------------------------- source and PDF


@cache
def template() -> str:
    """The layout, shipped with the package."""
    return files("claimsite").joinpath("templates/claims.typ").read_text(encoding="utf-8")


def part_source(data: Mapping[str, Any]) -> str:
    """The typst source of one part: `data` as a JSON string literal, then the layout. Pure."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"#let data = json(bytes({typst_string(payload)}))\n" + template()


def _permalink(url: str | None) -> dict[str, Any]:
    return {"permalink": url, "permalink_shown": url_pieces(url) if url else None}


def render_typst(
    site: Catalog | Project,
    edition: EditionInfo,
    observed: Observations = NOTHING_OBSERVED,
    manifest: str | None = None,
) -> str:
    """The whole edition as a single part, before any page number is known (they print as 0)."""
    if isinstance(site, Project):
        site = Catalog(site)
    whole = _Part(
        front=True,
        pieces=tuple(_Piece(status, True, tuple(ids)) for status, ids in claims_in_order(site).items() if ids),
        index=True,
    )
    return part_source(part_data(site, edition, whole, {}, 0, observed, manifest))


def _estimate(parts: list[_Part], site: Catalog) -> dict[str, int]:
    """First guesses at page numbers, so that they have about the right number of digits."""
    page = 3.0 + len(site.claims) // 40
    pages: dict[str, int] = {}
    for part in parts:
        for _, key in part.headings():
            pages[key] = int(page)
            page += 1.4 if key.startswith("claim-") else 1.0
    return pages


LAYOUT_FILE = "layout.json"
"""In the cache folder: the page numbers and part offsets the last build settled on, the first
guesses of the next (so that an edit that moves no page retypesets only its own part)."""


def _last_layout(cache: Path | None) -> tuple[dict[str, int], list[int]] | None:
    if cache is None:
        return None
    try:
        layout = json.loads((cache / LAYOUT_FILE).read_text(encoding="utf-8"))
        pages = {str(key): int(page) for key, page in layout["pages"].items()}
        return pages, [int(offset) for offset in layout["offsets"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def make_pdf(
    site: Catalog | Project,
    edition: EditionInfo,
    progress: Progress | None = None,
    observed: Observations = NOTHING_OBSERVED,
    *,
    tagged: bool = True,
    cache: Path | None = None,
    chunk: int = CHUNK_CLAIMS,
) -> Pdf:
    """Render and compile the edition, reporting each step to `progress`; the sources' evidence lines
    report what `observed` holds (the link state and capture store). Tagged (PDF/UA-1) unless
    `tagged` is false; with a `cache` folder, parts typeset before with the same inputs are reused;
    `chunk` is the most claims a part holds."""
    progress = progress or Progress()
    site = site if isinstance(site, Catalog) else Catalog(site)
    parts = split_parts(claims_in_order(site), chunk)
    carried = edition_files(site, edition.revision)

    made: dict[tuple[int, int, int], tuple[tuple[tuple[str, int], ...], str]] = {}

    def source_for(n: int, pages: Mapping[str, int], offset: int) -> str:
        # Each round asks for every part's source; a part whose numbers did not change since the
        # last round gets the same source without building its data again.
        numbers = tuple(sorted(pages.items()))
        memo = (n, offset, hash(numbers))
        if memo in made and made[memo][0] == numbers:
            return made[memo][1]
        source = part_source(part_data(site, edition, parts[n], pages, offset, observed, carried.manifest_hash))
        made[memo] = (numbers, source)
        return source

    compiler = Compiler(edition.timestamp, tagged=tagged, cache=cache)
    guess, offsets = _last_layout(cache) or (_estimate(parts, site), None)
    typeset = settle(
        [part.headings() for part in parts],
        source_for,
        guess,
        compiler,
        progress,
        workers=WORKERS,
        max_rounds=MAX_ROUNDS,
        offsets=offsets,
    )
    made.clear()
    # The joined file depends on the parts, the link prefix and the attachments only: with every
    # part unchanged, a rebuild reads it back instead of joining again.
    finishing = json.dumps(
        [LINK_PREFIX, sorted((name, hashlib.sha256(data).hexdigest()) for name, data in carried.files.items())]
    ).encode()
    joined_key = compiler.joined_key(typeset, finishing)
    if cache is not None:
        layout = {
            "pages": heading_pages(typeset),
            "offsets": [sum(t.pages for t in typeset[:n]) for n in range(len(typeset))],
        }
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time
            replace_file(cache / LAYOUT_FILE, json.dumps(layout, sort_keys=True).encode())
    joined = compiler.read_joined(joined_key)
    if joined is None or joined.page_count is None:
        progress(f"joining {len(parts)} parts…")
        joined = join(typeset, LINK_PREFIX, lambda document: attach(document, carried.files))
        compiler.write_joined(joined_key, joined)
    compiler.prune(typeset, also=(joined_key,))
    return Pdf(joined.data, joined.warnings, joined.page_count, parts_typeset=compiler.compiled)


def write_pdf(path: Path, pdf: Pdf) -> Path:
    """Write the PDF, creating its folder; an earlier PDF there is replaced in one step."""
    return replace_file(path, pdf.data)
