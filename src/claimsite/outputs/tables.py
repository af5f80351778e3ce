"""The data package's CSV tables, each with its Table Schema, from the catalog.

Every text cell is neutralised by OWASP's CSV-injection rule: a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading `'`, so a spreadsheet shows it as text instead of
running it as a formula. The prefix changes the value, which is why JSON (claims.json) keeps the raw
ones; a reader who needs the raw value from a CSV cell removes one leading `'` from a cell whose
second character is one of those six. Numbers and booleans are written as such and never need it.

`defusedcsv` (PyPI) was not used: it escapes `|` and `%` as well and rewrites `|` as `\\|`
(changing values the rule leaves alone), does not treat tab and CR as triggers, and lets a cell
such as `-1+2` through because it looks like a number. The rule is the one function `neutralise`.

Rows are in a fixed order (claims by id, then as the file lists them), written by the csv module
(RFC 4180 quoting, CRLF line ends, UTF-8 without BOM).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from claimsite.catalog import Catalog
from claimsite.model import ID_PATTERN, PartialDate

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
PUBLISHED_PATTERN = r"^(\d{4}(-\d{2}(-\d{2})?)?|undated|unknown)$"

Cell = str | int | bool | None


def neutralise(cell: str) -> str:
    """OWASP's rule: a cell starting with = + - @ tab or CR gets a leading ' (shown as text)."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def _cell(value: Cell) -> str | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    return neutralise(value)


@dataclass(frozen=True)
class Column:
    """One field of a table: its name, Table Schema type, description and constraints."""

    name: str
    type: str = "string"
    description: str = ""
    constraints: dict[str, Any] = field(default_factory=dict)
    list_of_ids: bool = False
    """A `list` field of ids joined by commas (ids hold no comma, and never need the prefix)."""

    def schema(self) -> dict[str, Any]:
        described: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.list_of_ids:
            described.update(type="list", delimiter=",", itemType="string")
        if self.constraints:
            described["constraints"] = self.constraints
        return described


@dataclass(frozen=True)
class Table:
    """A CSV file of the package and how its rows come from the catalog."""

    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[Catalog], Iterable[tuple[Cell | list[str], ...]]]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    """(field, resource, field of that resource)."""

    @property
    def path(self) -> str:
        return f"{self.name}.csv"

    def schema(self, profile: str) -> dict[str, Any]:
        return {
            "$schema": profile,
            "fields": [column.schema() for column in self.columns],
            "primaryKey": list(self.primary_key),
            "foreignKeys": [
                {"fields": [own], "reference": {"resource": resource, "fields": [other]}}
                for own, resource, other in self.foreign_keys
            ],
        }

    def csv(self, catalog: Catalog) -> bytes:
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([column.name for column in self.columns])
        for row in self.rows(catalog):
            writer.writerow([",".join(v) if isinstance(v, list) else _cell(v) for v in row])
        return out.getvalue().encode("utf-8")


def _date(value: PartialDate | str | None) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------------- rows


def _claims(catalog: Catalog) -> Iterator[tuple[Cell | list[str], ...]]:
    for cid, c in catalog.claims.items():
        evidence = catalog.evidence[cid]
        claimant_entity = c.claimant if c.claimant in catalog.entities else None
        yield (
            cid, c.title, c.statement, str(c.status), c.status_reason, str(c.confidence),
            [str(b) for b in c.basis], [str(f) for f in c.flags], c.superseded_by, _date(c.date),
            c.claimant, claimant_entity, list(c.people), list(c.organisations), list(c.tags),
            len(c.sources), len(evidence.supporting), len(evidence.contradicting),
            str(c.history[-1].date), list(c.renamed_from),
        )  # fmt: skip


def _places(catalog: Catalog) -> Iterator[tuple[Cell, ...]]:
    for cid, c in catalog.claims.items():
        for n, place in enumerate(c.places, 1):
            yield cid, n, place


def _sources(catalog: Catalog) -> Iterator[tuple[Cell, ...]]:
    from claimsite.outputs.datapackage import url_document_id

    for cid, c in catalog.claims.items():
        for n, s in enumerate(c.sources, 1):
            yield (
                cid, s.id, n, url_document_id(s.url), s.url, s.title, s.publisher,
                catalog.publisher_entity(s), s.author, _date(s.published), _date(s.accessed), s.language,
                str(s.kind), str(s.relation), s.origin, s.archive_url, _date(s.archive_date),
                s.archive_publicly, None if s.url_status is None else str(s.url_status), _date(s.last_verified),
                s.capture, _date(s.capture_date), s.quote, s.quote_translated_from, s.quote_en, s.note,
            )  # fmt: skip


def _documents(catalog: Catalog) -> Iterator[tuple[Cell, ...]]:
    from claimsite.outputs.datapackage import document_id

    rows: list[tuple[Cell, ...]] = []
    for key, d in catalog.documents.items():
        first = d.first
        row = (
            document_id(key), key, first.url, first.title, first.publisher, catalog.publisher_entity(first),
            _date(first.published), len(d.citations), len(d.claim_ids),
        )  # fmt: skip
        rows.append(row)
    yield from sorted(rows, key=lambda row: str(row[0]))


def _entities(catalog: Catalog) -> Iterator[tuple[Cell | list[str], ...]]:
    for eid, e in catalog.entities.items():
        yield (
            eid, str(e.kind), e.name, e.role, None if e.media_type is None else str(e.media_type), e.country,
            list(e.successor_of), list(e.same_owner_as), len(catalog.by_entity.get(eid, [])),
        )  # fmt: skip


def _aliases(catalog: Catalog) -> Iterator[tuple[Cell, ...]]:
    for eid, e in catalog.entities.items():
        n = 0
        for language, name in sorted(e.names.items()):
            n += 1
            yield eid, n, name, "name", language
        for alias in e.aliases:
            n += 1
            yield eid, n, alias, "alias", None


def _history(catalog: Catalog) -> Iterator[tuple[Cell, ...]]:
    for cid, c in catalog.claims.items():
        before = None
        for n, entry in enumerate(c.history, 1):
            yield cid, n, str(entry.date), str(entry.status), before, entry.note, entry.correction
            before = str(entry.status)


def _relations(catalog: Catalog) -> Iterator[tuple[Cell, ...]]:
    for cid, c in catalog.claims.items():
        for n, related in enumerate(c.related, 1):
            yield cid, n, related.claim, str(related.relation), related.note


def _responses(catalog: Catalog) -> Iterator[tuple[Cell | list[str], ...]]:
    for cid, c in catalog.claims.items():
        for n, r in enumerate(c.responses, 1):
            by_entity = r.by if r.by in catalog.entities else None
            yield cid, n, r.by, by_entity, _date(r.date), r.summary, list(r.sources)


# --------------------------------------------------------------------------- the tables

_ID = {"pattern": ID_PATTERN}
_DATE = {"pattern": DATE_PATTERN}
CLAIM_ID = Column("claim_id", description="The claim (claims.id).", constraints={"required": True, **_ID})
N = Column("n", "integer", "Position in the claim file's list, from 1.", {"required": True, "minimum": 1})


TABLES: tuple[Table, ...] = (
    Table(
        "claims",
        "Claims",
        "One row per claim.",
        (
            Column("id", description="The claim id (its file name).", constraints={"required": True, **_ID}),
            Column("title", description="Short headline."),
            Column("statement", description="The claim in full."),
            Column("status", description="Evidentiary status."),
            Column("status_reason", description="Why it has this status."),
            Column("confidence", description="Editorial confidence: high, medium or low."),
            Column("basis", description="What a confirmed status rests on.", list_of_ids=True),
            Column("flags", description="under_review, superseded, retracted.", list_of_ids=True),
            Column("superseded_by", description="The claim that replaces it.", constraints=_ID),
            Column("date", description="When the event happened: YYYY, YYYY-MM or YYYY-MM-DD.", constraints=_DATE),
            Column("claimant", description="Who makes the claim: an entity id or a name."),
            Column("claimant_entity", description="The claimant's entity id, when it is one.", constraints=_ID),
            Column("people", description="Entity ids of the people it is about.", list_of_ids=True),
            Column("organisations", description="Entity ids of the organisations it is about.", list_of_ids=True),
            Column("tags", description="Topics.", list_of_ids=True),
            Column("sources", "integer", "How many sources it cites."),
            Column("supporting_origins", "integer", "Independent origins among its supporting sources."),
            Column("contradicting_origins", "integer", "Contradicting origins independent of every supporting one."),
            Column("status_date", description="Date of the last status decision.", constraints=_DATE),
            Column("renamed_from", description="Former ids.", list_of_ids=True),
        ),
        _claims,
        ("id",),
    ),
    Table(
        "places",
        "Places",
        "One row per place a claim names.",
        (CLAIM_ID, N, Column("place", description="The place, in English.")),
        _places,
        ("claim_id", "n"),
        (("claim_id", "claims", "id"),),
    ),
    Table(
        "sources",
        "Sources",
        "One row per citation: a source entry of a claim, with the document it is.",
        (
            CLAIM_ID,
            Column("source_id", description="The source's id within the claim (s1, s2, ...).", constraints=_ID),
            N,
            Column("document_id", description="The document (documents.id).", constraints={"required": True}),
            Column("url"),
            Column("title"),
            Column("publisher", description="An organisation's entity id, or a name."),
            Column("publisher_entity", description="The publisher's entity id, when it is one."),
            Column("author"),
            Column(
                "published",
                description="YYYY[-MM[-DD]], undated or unknown.",
                constraints={"pattern": PUBLISHED_PATTERN},
            ),
            Column("accessed", constraints=_DATE),
            Column("language", description="ISO 639-1 code."),
            Column("kind", description="news, ngo-report, official-statement, court-record, ..."),
            Column("relation", description="supports, contradicts, context or response."),
            Column("origin", description="Where its information comes from; shared origin = not independent."),
            Column("archive_url"),
            Column("archive_date", constraints=_DATE),
            Column("archive_publicly", "boolean", "false: kept out of public web archives."),
            Column("url_status", description="What `claimsite sources check` last found at the URL."),
            Column("last_verified", constraints=_DATE),
            Column("capture", description="sha256: of the capture record."),
            Column("capture_date", constraints=_DATE),
            Column("quote", description="A short verbatim passage."),
            Column("quote_translated_from", description="Language of the original of a translated quote."),
            Column("quote_en", description="English translation of the quote."),
            Column("note", description="What the source shows."),
        ),
        _sources,
        ("claim_id", "source_id"),
        (("claim_id", "claims", "id"), ("document_id", "documents", "id")),
    ),
    Table(
        "documents",
        "Documents",
        "One row per cited document (URLs compared in a normal form); its first citation's details.",
        (
            Column("id", description="d- and 16 hex digits of the SHA-256 of key.", constraints={"required": True}),
            Column("key", description="The URL in the normal form URLs are compared in."),
            Column("url"),
            Column("title"),
            Column("publisher"),
            Column("publisher_entity"),
            Column("published", constraints={"pattern": PUBLISHED_PATTERN}),
            Column("citations", "integer", "How many source entries cite it."),
            Column("claims", "integer", "How many claims cite it."),
        ),
        _documents,
        ("id",),
    ),
    Table(
        "entities",
        "People and organisations",
        "One row per entity.",
        (
            Column("id", constraints={"required": True, **_ID}),
            Column("kind", description="person or organisation."),
            Column("name", description="The name in English."),
            Column("role", description="Who this is."),
            Column("media_type", description="For publishers: independent-media, state-media, ..."),
            Column("country", description="ISO 3166-1 alpha-2."),
            Column("successor_of", description="Organisations it continues.", list_of_ids=True),
            Column("same_owner_as", description="Organisations with the same owner.", list_of_ids=True),
            Column("claims", "integer", "How many claims name it."),
        ),
        _entities,
        ("id",),
    ),
    Table(
        "aliases",
        "Names and aliases",
        "Every other name of an entity: native-script names (with their language), then aliases.",
        (
            Column("entity_id", constraints={"required": True, **_ID}),
            Column("n", "integer", constraints={"required": True, "minimum": 1}),
            Column("alias"),
            Column("type", description="name (in a language) or alias.", constraints={"enum": ["name", "alias"]}),
            Column("language", description="The language of a name."),
        ),
        _aliases,
        ("entity_id", "n"),
        (("entity_id", "entities", "id"),),
    ),
    Table(
        "status_history",
        "Status history",
        "Every status decision of every claim, oldest first.",
        (
            CLAIM_ID,
            N,
            Column("date", constraints={"required": True, **_DATE}),
            Column("status", constraints={"required": True}),
            Column("previous_status", description="The status before this entry (empty for the first)."),
            Column("note"),
            Column("correction", "boolean", "true: corrects an error of fact or quotation."),
        ),
        _history,
        ("claim_id", "n"),
        (("claim_id", "claims", "id"),),
    ),
    Table(
        "relations",
        "Relations between claims",
        "One row per `related` entry.",
        (
            CLAIM_ID,
            N,
            Column("related_claim_id", description="The other claim.", constraints=_ID),
            Column("relation", description="How the other claim relates to this one."),
            Column("note"),
        ),
        _relations,
        ("claim_id", "n"),
        (("claim_id", "claims", "id"),),
    ),
    Table(
        "responses",
        "Responses",
        "Official replies and denials.",
        (
            CLAIM_ID,
            N,
            Column("by", description="An entity id or a name."),
            Column("by_entity", description="The entity id, when it is one."),
            Column("date", constraints=_DATE),
            Column("summary"),
            Column("sources", description="Ids of the claim's sources that report it.", list_of_ids=True),
        ),
        _responses,
        ("claim_id", "n"),
        (("claim_id", "claims", "id"),),
    ),
)
"""Every table of the package, in the order `datapackage.json` lists them."""
