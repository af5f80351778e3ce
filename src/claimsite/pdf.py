"""Checked model -> one PDF edition, typeset by typst (the compiler ships inside the `typst` wheel).

`render_typst` is pure: it turns the site model into typst source, the layout in
`templates/claims.typ` preceded by one line that defines `data`. All claim text travels inside that
line as JSON in a typst string literal; the template only ever shows those strings as text, so
nothing in a claim file can run typst code. `compile_pdf` turns the source into bytes in memory and
`edition_info` gathers what the cover needs (title, date, source revision) from the environment.

The output is deterministic: fonts come only from the compiler (system fonts are ignored, so another
machine's fonts cannot change the layout) and every date comes from the edition, which comes from
`SOURCE_DATE_EPOCH` when it is set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any, TextIO

import typst
import yaml

from claimsite.checks import Project
from claimsite.model import STATUS_DEFINITIONS, STATUS_LABELS, Claim, EntityKind, Source, Status
from claimsite.render import (
    FLAG_LABELS,
    INVERSE_LABELS,
    LANGUAGE_NAMES,
    RELATION_LABELS,
    UNKNOWN_PUBLISHER,
    Site,
    format_date,
)
from claimsite.text import one_line
from claimsite.write import write_tree

DEFAULT_TITLE = "Claims"
"""Cover title when mkdocs.yml is missing or has no plain `site_name`."""

UNKNOWN_REVISION = "unknown"

LONG_WORD = 30
"""Words this long get break opportunities: typst never breaks a word it cannot hyphenate, so a
single long word would run off the page. URLs are exempt: typst already breaks them."""

_LONG_WORD_RE = re.compile(rf"\S{{{LONG_WORD},}}")
_ZERO_WIDTH_SPACE = "\u200b"
_PAGES_RE = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


class PdfError(Exception):
    """The PDF could not be made; the message says why."""


# --------------------------------------------------------------------------- the edition


@dataclass(frozen=True)
class EditionInfo:
    """What identifies one edition: printed on the cover and used as the PDF's date."""

    title: str
    date: dt.date
    """The edition date: from SOURCE_DATE_EPOCH when set, else the day of the build."""
    revision: str = UNKNOWN_REVISION
    """Short git commit of the claims, with `-dirty` when they have uncommitted changes."""

    @property
    def timestamp(self) -> int:
        """Midnight UTC of the edition date, in seconds: the compiler's idea of 'now'."""
        return int(dt.datetime(self.date.year, self.date.month, self.date.day, tzinfo=dt.UTC).timestamp())


def edition_date(environ: Mapping[str, str] = os.environ) -> dt.date:
    """The UTC date of SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return dt.date.today()
    problem = f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, not '{raw}'"
    if not raw.isdigit():
        raise PdfError(problem)
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC).date()
    except (OverflowError, OSError, ValueError):  # beyond the years a date can hold
        raise PdfError(problem) from None


def source_revision(folder: Path) -> str:
    """`git rev-parse --short HEAD` of the repository holding `folder`, or 'unknown' outside git."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                                  timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return UNKNOWN_REVISION
    # A PDF built from edited files must not pass for the commit it started from.
    return commit + ("-dirty" if git("status", "--porcelain", "--", ".") else "")


class _TagBlindLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without MkDocs: values behind tags (!ENV, !!python/...) become None."""


_TagBlindLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def site_name(config_file: Path | None) -> str | None:
    """`site_name` from mkdocs.yml, when the file exists and the name is plain text."""
    if config_file is None or not config_file.is_file():
        return None
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TagBlindLoader)
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    name = config.get("site_name") if isinstance(config, dict) else None
    return one_line(name) if isinstance(name, str) and name.strip() else None


def edition_info(config_file: Path | None, claims_dir: Path,
                 environ: Mapping[str, str] = os.environ) -> EditionInfo:
    """The edition of the claims in `claims_dir`: title, date and revision."""
    return EditionInfo(title=site_name(config_file) or DEFAULT_TITLE, date=edition_date(environ),
                       revision=source_revision(claims_dir))


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
    return _ZERO_WIDTH_SPACE.join(word[i:i + LONG_WORD // 2] for i in range(0, len(word), LONG_WORD // 2))


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


def claims_in_order(site: Site) -> dict[Status, list[str]]:
    """Claim ids grouped by status (Status order), each group by date, oldest first, undated last."""
    groups: dict[Status, list[str]] = {status: [] for status in Status}
    for cid, claim in site.claims.items():
        groups[claim.status].append(cid)

    def key(cid: str) -> tuple[bool, tuple[int, int, int], str]:
        date = site.claims[cid].date
        return date is None, date.sort_key() if date else (0, 0, 0), cid

    return {status: sorted(ids, key=key) for status, ids in groups.items()}


def _entity_name(site: Site, ref: str) -> str:
    """An entity's English name with its native-script names, or the free text as written."""
    entity = site.entities.get(ref)
    if entity is None:
        return plain(ref)
    native = [name for _, name in sorted(entity.names.items()) if name != entity.name]
    return plain(entity.name + (f" ({' / '.join(native)})" if native else ""))


def _lang(code: str) -> str:
    """The primary language subtag, which is all typst's `lang` accepts (pt-BR -> pt)."""
    return code.split("-")[0].lower()


def _source(source: Source) -> dict[str, Any]:
    return {
        "publisher": plain(source.publisher or UNKNOWN_PUBLISHER),
        "author": optional(source.author),
        "title": plain(source.title),
        "lang": _lang(source.language),
        "language": LANGUAGE_NAMES.get(source.language, source.language),
        "published": format_date(source.published),
        "kind": str(source.kind),
        "relation": str(source.relation),
        "url": source.url,
        "archive_url": source.archive_url,
        "archive_date": optional(source.archive_date),
        "accessed": optional(source.accessed),
        "origin": source.origin,
        "quote": optional(source.quote),
        "quote_en": optional(source.quote_en),
        "note": optional(source.note),
    }


def _facts(site: Site, claim: Claim) -> list[tuple[str, str]]:
    facts = [
        ("Date", str(claim.date) if claim.date else None),
        ("Claimed by", _entity_name(site, claim.claimant) if claim.claimant else None),
        ("People", "; ".join(_entity_name(site, ref) for ref in claim.people)),
        ("Organisations", "; ".join(_entity_name(site, ref) for ref in claim.organisations)),
        ("Places", plain(", ".join(claim.places))),
        ("Tags", ", ".join(claim.tags)),
    ]
    return [(name, value) for name, value in facts if value]


def _related(site: Site, cid: str) -> list[dict[str, Any]]:
    """Links from this claim and to it (backlinks), as the web page shows them."""
    links = [(r.claim, RELATION_LABELS[r.relation], r.note) for r in site.claims[cid].related]
    links += [(other, INVERSE_LABELS[relation], None) for other, relation in site.backlinks.get(cid, [])]
    related = []
    for other, relation, note in links:
        target = site.claims.get(other)
        if target is None:  # a claim that failed to load: a link to it would be a dangling label
            continue
        related.append({"id": other, "title": plain(target.title), "status": STATUS_LABELS[target.status],
                        "relation": relation, "note": optional(note)})
    return related


def claim_data(site: Site, cid: str) -> dict[str, Any]:
    """Everything the layout shows for one claim, as JSON-ready values (text already made plain)."""
    claim = site.claims[cid]
    numbers = {source.id: n for n, source in enumerate(claim.sources, start=1)}
    successor = claim.superseded_by
    return {
        "id": cid,
        "title": plain(claim.title),
        "status": STATUS_LABELS[claim.status],
        "flags": [FLAG_LABELS[str(flag)] for flag in claim.flags],
        "confidence": str(claim.confidence),
        "reason": plain(claim.status_reason),
        "basis": [str(basis) for basis in claim.basis],
        "superseded_by": {"id": successor, "title": plain(site.claims[successor].title)}
        if successor in site.claims else None,
        "statement": paragraphs(claim.statement),
        "facts": _facts(site, claim),
        "sources": [_source(source) for source in claim.sources],
        "responses": [
            {"by": _entity_name(site, r.by), "date": optional(r.date), "summary": plain(r.summary),
             "sources": [numbers[ref] for ref in r.sources if ref in numbers]}
            for r in claim.responses
        ],
        "related": _related(site, cid),
        "history": [{"date": str(h.date), "status": STATUS_LABELS[h.status], "note": plain(h.note or "")}
                    for h in claim.history],
    }


def index_data(site: Site, document_order: Iterable[str]) -> list[dict[str, Any]]:
    """People, then organisations, by name; each with its claims in the order the PDF prints them."""
    position = {cid: n for n, cid in enumerate(document_order)}
    parts = []
    for kind, heading in ((EntityKind.PERSON, "People"), (EntityKind.ORGANISATION, "Organisations")):
        ids = sorted((eid for eid, e in site.entities.items() if e.kind is kind),
                     key=lambda eid: (site.entities[eid].name.casefold(), eid))
        entries = []
        for eid in ids:
            entity = site.entities[eid]
            claims = sorted(site.claims_by_entity.get(eid, []), key=position.__getitem__)
            entries.append({
                "name": plain(entity.name),
                "native": [plain(name) for _, name in sorted(entity.names.items()) if name != entity.name],
                "aliases": [plain(alias) for alias in entity.aliases],
                "role": plain(entity.role),
                "claims": claims,
            })
        parts.append({"heading": heading, "entries": entries})
    return parts


def edition_data(site: Site, edition: EditionInfo) -> dict[str, Any]:
    """The whole edition as one JSON-ready value: the only input of the typst template."""
    groups = claims_in_order(site)
    return {
        "edition": {
            "title": plain(edition.title),
            "date": {"year": edition.date.year, "month": edition.date.month, "day": edition.date.day,
                     "text": edition.date.isoformat()},
            "revision": plain(edition.revision),
        },
        "totals": {"claims": len(site.claims), "sources": sum(len(c.sources) for c in site.claims.values()),
                   "entities": len(site.entities)},
        "statuses": [{"label": STATUS_LABELS[s], "definition": STATUS_DEFINITIONS[s], "count": len(groups[s])}
                     for s in Status],
        "order": ORDER_NOTE,
        "groups": [{"heading": f"{STATUS_LABELS[s]} claims", "definition": STATUS_DEFINITIONS[s],
                    "claims": [claim_data(site, cid) for cid in ids]} for s, ids in groups.items()],
        "index": index_data(site, (cid for ids in groups.values() for cid in ids)),
    }


# --------------------------------------------------------------------------- source and PDF


@cache
def template() -> str:
    """The layout, shipped with the package."""
    return files("claimsite").joinpath("templates/claims.typ").read_text(encoding="utf-8")


def render_typst(site: Site | Project, edition: EditionInfo) -> str:
    """The typst source of the edition: `data` as a JSON string literal, then the layout. Pure."""
    if isinstance(site, Project):
        site = Site(site)
    payload = json.dumps(edition_data(site, edition), ensure_ascii=False, separators=(",", ":"))
    return f"#let data = json(bytes({typst_string(payload)}))\n" + template()


@dataclass(frozen=True)
class Pdf:
    """A compiled PDF in memory."""

    data: bytes
    warnings: tuple[str, ...] = ()

    @property
    def pages(self) -> int | None:
        """The page count from the page tree's root (typst writes it uncompressed); None if not found."""
        match = _PAGES_RE.search(self.data)
        return int(match.group(1)) if match else None


def compile_pdf(source: str, edition: EditionInfo) -> Pdf:
    """Typeset typst source into a PDF, in memory, with the compiler's own fonts only."""
    try:
        data, warnings = typst.compile_with_warnings(
            # A lone surrogate (a YAML escape can make one) cannot be encoded: it becomes '?'.
            source.encode("utf-8", "replace"),
            format="pdf",
            ignore_system_fonts=True,
            timestamp=edition.timestamp,
        )
    except typst.TypstError as error:
        raise PdfError(f"typst could not typeset the PDF: {error.message}") from None
    assert isinstance(data, bytes)
    return Pdf(data, tuple(warning.message for warning in warnings))


class Progress:
    """Progress lines on stderr for people watching a terminal; silent in CI and in pipes."""

    def __init__(self, stream: TextIO | None = None, environ: Mapping[str, str] = os.environ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not environ.get("CI")

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(message, file=self.stream, flush=True)


def make_pdf(site: Site | Project, edition: EditionInfo, progress: Progress | None = None) -> Pdf:
    """Render and compile the edition, reporting each step to `progress`."""
    progress = progress or Progress()
    site = site if isinstance(site, Site) else Site(site)
    source = render_typst(site, edition)
    progress(f"rendered {len(site.claims)} claims ({len(source.encode()) // 1024} KB of typst source)")
    progress("compiling PDF…")
    return compile_pdf(source, edition)


def write_pdf(path: Path, pdf: Pdf) -> Path:
    """Write the PDF, creating its folder."""
    [written] = write_tree(path.parent, {path.name: pdf.data})
    return written
