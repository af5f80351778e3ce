"""The data package: the whole dataset as files, from the catalog (`claimsite export`, and `data/` in the site).

`claims_document` is the full model as one JSON value: every claim with its sources (each naming its
document), responses, related claims both ways, history and computed evidence (independent origins,
as the pages count them), the entities with the claims they appear in, and the documents. JSON keeps
every value raw, exactly as the claim files hold it (after the check's trimming): escaping is the
business of whoever puts a value into HTML, a spreadsheet or a typesetting language.

Bytes are deterministic: keys sorted, `ensure_ascii=False` (UTF-8), no spaces or indentation (with
`indent` the json module falls back to its pure-Python encoder, and at 10,000 claims `claims.json`
was 95 MB instead of 58 MB; `python -m json.tool` shows it indented), a final newline; U+2028,
U+2029 and U+0085 written as escapes (line ends to some readers). Nothing comes from the clock:
the edition date is SOURCE_DATE_EPOCH's when set, else the latest status decision in the data.

`package_files` adds the CSV tables (claimsite.outputs.tables), the provenance graph
(claimsite.outputs.provenance_graph), the JSON Schema of `claims.json`, a README and
`datapackage.json` (Data Package v2) with the size and SHA-256 of every other file.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claimsite.catalog import Catalog
from claimsite.env import UNKNOWN_REVISION, source_datetime
from claimsite.evidence import OriginGroup
from claimsite.model import Claim, Entity

SCHEMA_VERSION = "1"
"""Version of the layout of `claims.json`; raised when a field changes meaning or disappears."""
CLAIMS_JSON = "claims.json"
CLAIMS_JSONL = "claims.jsonl"
CLAIMS_SCHEMA = "claims.jsonschema.json"
DATAPACKAGE = "datapackage.json"
README = "README.md"
DATAPACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DOCUMENT_ID_LENGTH = 16
"""Hex digits of the SHA-256 of a document's key (`evidence.document_key`) that name it."""


# --------------------------------------------------------------------------- the edition


@dataclass(frozen=True)
class Edition:
    """Which state of the claims a package holds: their git revision and a date."""

    revision: str = UNKNOWN_REVISION
    """`git rev-parse --short HEAD` of the claims, `-dirty` when they have uncommitted changes."""
    created: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    """SOURCE_DATE_EPOCH when set, else midnight UTC of the latest status decision in the data."""

    @classmethod
    def of(cls, catalog: Catalog, revision: str = UNKNOWN_REVISION, environ: Mapping[str, str] = os.environ) -> Edition:
        """The edition of `catalog` (the revision is the caller's: `claimsite.env.source_revision`)."""
        created = source_datetime(environ)
        if created is None:
            dates = [entry.date.earliest() for claim in catalog.claims.values() for entry in claim.history]
            day = max(dates, default=dt.date(1970, 1, 1))
            created = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        return cls(revision, created)

    @property
    def date(self) -> dt.date:
        return self.created.date()

    @property
    def version(self) -> str:
        """The package version: the date as `YYYY.M.D` and the revision as SemVer build metadata."""
        build = "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "-" for ch in self.revision)
        return f"{self.date.year}.{self.date.month}.{self.date.day}+{build or UNKNOWN_REVISION}"

    def as_json(self) -> dict[str, Any]:
        return {
            "created": self.created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "date": self.date.isoformat(),
            "revision": self.revision,
            "schema_version": SCHEMA_VERSION,
            "version": self.version,
        }


# --------------------------------------------------------------------------- claims.json


def document_id(key: str) -> str:
    """A document's id in the package: stable across releases, as it depends on its URL only."""
    return "d-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:DOCUMENT_ID_LENGTH]


@functools.lru_cache(maxsize=1 << 16)
def url_document_id(url: str) -> str:
    """`document_id` of the document a URL is (the same URL is cited many times)."""
    from claimsite.evidence import document_key

    return document_id(document_key(url))


def _group(group: OriginGroup) -> dict[str, Any]:
    return {
        "label": group.label,
        "origins": list(group.origins),
        "publishers": list(group.publishers),
        "sources": list(group.source_ids),
    }


def claim_entry(catalog: Catalog, cid: str) -> dict[str, Any]:
    """One claim as `claims.json` holds it: the claim file's fields and what the catalog computes."""
    claim = catalog.claims[cid]
    entry: dict[str, Any] = claim.model_dump(mode="json")
    for source, dumped in zip(claim.sources, entry["sources"], strict=True):
        dumped["document"] = url_document_id(source.url)
        dumped["publisher_entity"] = catalog.publisher_entity(source)
    evidence = catalog.evidence[cid]
    entry["id"] = cid
    entry["file"] = catalog.loaded[cid].source_path or None
    entry["related_from"] = [
        {"claim": other, "relation": str(relation)}
        for other, relation in catalog.backlinks.get(cid, [])
        if other in catalog.claims
    ]
    entry["evidence"] = {
        "independent_origins": len(evidence.supporting),
        "supporting": [_group(g) for g in evidence.supporting],
        "contradicting": [_group(g) for g in evidence.contradicting],
        "primary_support": list(evidence.primary_support),
        "without_origin": list(evidence.without_origin),
    }
    return entry


def entity_entry(catalog: Catalog, eid: str) -> dict[str, Any]:
    """One entity: its file's fields and the claims it appears in, by role."""
    entry: dict[str, Any] = catalog.entities[eid].model_dump(mode="json")
    roles = catalog.entity_roles.get(eid, {})
    entry["id"] = eid
    entry["file"] = catalog.project.entities[eid].source_path or None
    entry["claims"] = {role: list(roles.get(role, [])) for role in ("about", "claimed", "responded")}
    return entry


def document_entries(catalog: Catalog) -> list[dict[str, Any]]:
    """Every cited document (URLs compared by `evidence.document_key`), by id."""
    entries = []
    for key, document in catalog.documents.items():
        first = document.first
        entries.append(
            {
                "id": document_id(key),
                "key": key,
                "url": first.url,
                "title": first.title,
                "publisher": first.publisher,
                "publisher_entity": catalog.publisher_entity(first),
                "published": None if first.published is None else str(first.published),
                "citations": [{"claim": c.claim_id, "source": c.source.id} for c in document.citations],
            }
        )
    return sorted(entries, key=lambda e: e["id"])


def claims_document(catalog: Catalog, edition: Edition | None = None) -> dict[str, Any]:
    """The whole dataset as one JSON value (what `claims.json` holds). Without `edition`, the
    revision is unknown and the date is SOURCE_DATE_EPOCH's or the data's (`Edition.of`)."""
    edition = edition or Edition.of(catalog)
    counts = catalog.counts
    return {
        "$schema": CLAIMS_SCHEMA,
        "edition": edition.as_json(),
        "counts": {
            "claims": counts.claims,
            "entities": counts.entities,
            "documents": counts.documents,
            "citations": counts.citations,
            "by_status": {str(status): n for status, n in counts.by_status.items()},
        },
        "claims": [claim_entry(catalog, cid) for cid in catalog.claims],
        "entities": [entity_entry(catalog, eid) for eid in catalog.entities],
        "documents": document_entries(catalog),
    }


LINE_BREAKS_OUTSIDE_ASCII = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
"""Characters that `str.splitlines`, JavaScript and some JSON Lines readers take for line ends; JSON
only allows them inside strings, so they are written as escapes and a line is always one value."""


def _dumps(value: Any, *, indent: int | None = None) -> bytes:
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=indent, separators=separators)
    for character, escape in LINE_BREAKS_OUTSIDE_ASCII.items():
        text = text.replace(character, escape)
    return (text + "\n").encode("utf-8")


def claims_json(catalog: Catalog, edition: Edition | None = None) -> bytes:
    """`claims.json`: `claims_document` as compact UTF-8 JSON, keys sorted, final newline."""
    return _document_bytes(claims_document(catalog, edition))[0]


def claims_jsonl(catalog: Catalog, document: dict[str, Any] | None = None) -> bytes:
    """`claims.jsonl`: one claim per line (the entries of `claims.json`, taken from `document` when
    given), by id."""
    entries = document["claims"] if document is not None else [claim_entry(catalog, cid) for cid in catalog.claims]
    return b"".join(_dumps(entry) for entry in entries)


_CLAIMS_SLOT = "\x00claims\x00"
"""Stands in for the claims while the rest of the document is encoded: a NUL, which no value can hold
(the loader refuses control characters), so its encoding `"\\u0000claims\\u0000"` occurs once."""


def _document_bytes(document: dict[str, Any]) -> tuple[bytes, bytes]:
    """`claims.json` and `claims.jsonl` of a document, each claim encoded once for both (the same bytes
    as `_dumps` of the whole document: compact separators, keys sorted at every level)."""
    lines = [_dumps(entry) for entry in document["claims"]]
    rest = _dumps({**document, "claims": _CLAIMS_SLOT})
    slot = _dumps(_CLAIMS_SLOT)[:-1]
    head, tail = rest.split(slot)
    return head + b"[" + b",".join(line[:-1] for line in lines) + b"]" + tail, b"".join(lines)


# --------------------------------------------------------------------------- its JSON Schema


def _schema_of(model: type[Claim] | type[Entity], defs: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    defs.update(schema.pop("$defs", {}))
    schema.pop("$schema", None)
    return schema


def _add(schema: dict[str, Any], properties: dict[str, Any]) -> None:
    """Add properties that every entry has (the records forbid unknown ones)."""
    schema["properties"].update(properties)
    schema["required"] = sorted({*schema.get("required", []), *properties})


_IDS = {"type": "array", "items": {"type": "string"}}
_NULLABLE_ID = {"type": ["string", "null"]}
_GROUP = {
    "type": "object",
    "additionalProperties": False,
    "required": ["label", "origins", "publishers", "sources"],
    "properties": {
        "label": {"type": "string", "description": "How the pages name the group."},
        "origins": {**_IDS, "description": "The `origin` ids its sources name."},
        "publishers": {**_IDS, "description": "Publishers of its sources that name no origin."},
        "sources": {**_IDS, "description": "Ids of the claim's sources in the group."},
    },
}


def claims_schema() -> dict[str, Any]:
    """The JSON Schema of `claims.json` (draft 2020-12): the claim and entity schemas of the claim
    files (`claimsite.model`), extended with what the export adds to them."""
    defs: dict[str, Any] = {}
    claim = _schema_of(Claim, defs)
    entity = _schema_of(Entity, defs)
    source = copy.deepcopy(defs["Source"])
    _add(
        source,
        {
            "document": {"type": "string", "description": "Id of the document (documents[].id) this source is."},
            "publisher_entity": {**_NULLABLE_ID, "description": "The organisation entity that published it."},
        },
    )
    defs["Source"] = source
    _add(
        claim,
        {
            "id": {"type": "string", "description": "The claim id (its file name without .yaml)."},
            "file": {**_NULLABLE_ID, "description": "Its file inside the claims folder."},
            "related_from": {
                "type": "array",
                "description": "Claims whose `related` entries point at this one.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["claim", "relation"],
                    "properties": {"claim": {"type": "string"}, "relation": {"type": "string"}},
                },
            },
            "evidence": {
                "type": "object",
                "description": "Independence as the pages compute it (claimsite.evidence).",
                "additionalProperties": False,
                "required": ["independent_origins", "supporting", "contradicting", "primary_support", "without_origin"],
                "properties": {
                    "independent_origins": {"type": "integer", "minimum": 0},
                    "supporting": {"type": "array", "items": _GROUP},
                    "contradicting": {"type": "array", "items": _GROUP},
                    "primary_support": {**_IDS, "description": "Supporting sources of a primary kind."},
                    "without_origin": {**_IDS, "description": "Weighed sources that name no origin."},
                },
            },
        },
    )
    _add(
        entity,
        {
            "id": {"type": "string"},
            "file": _NULLABLE_ID,
            "claims": {
                "type": "object",
                "additionalProperties": False,
                "required": ["about", "claimed", "responded"],
                "properties": {"about": _IDS, "claimed": _IDS, "responded": _IDS},
            },
        },
    )
    defs["Claim"], defs["Entity"] = claim, entity
    document = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "key", "url", "title", "publisher", "publisher_entity", "published", "citations"],
        "properties": {
            "id": {"type": "string", "pattern": f"^d-[0-9a-f]{{{DOCUMENT_ID_LENGTH}}}$"},
            "key": {"type": "string", "description": "The URL in the normal form URLs are compared in."},
            "url": {"type": "string", "description": "The URL as its first citation gives it."},
            "title": {"type": "string"},
            "publisher": _NULLABLE_ID,
            "publisher_entity": _NULLABLE_ID,
            "published": _NULLABLE_ID,
            "citations": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["claim", "source"],
                    "properties": {"claim": {"type": "string"}, "source": {"type": "string"}},
                },
            },
        },
    }
    defs["Document"] = document
    count = {"type": "integer", "minimum": 0}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": CLAIMS_SCHEMA,
        "title": "claims.json",
        "description": "Every claim, entity and cited document of one edition (claimsite export).",
        "type": "object",
        "additionalProperties": False,
        "required": ["$schema", "edition", "counts", "claims", "entities", "documents"],
        "properties": {
            "$schema": {"const": CLAIMS_SCHEMA},
            "edition": {
                "type": "object",
                "additionalProperties": False,
                "required": ["created", "date", "revision", "schema_version", "version"],
                "properties": {
                    "created": {"type": "string", "format": "date-time"},
                    "date": {"type": "string", "format": "date"},
                    "revision": {"type": "string"},
                    "schema_version": {"const": SCHEMA_VERSION},
                    "version": {"type": "string"},
                },
            },
            "counts": {
                "type": "object",
                "additionalProperties": False,
                "required": ["claims", "entities", "documents", "citations", "by_status"],
                "properties": {
                    "claims": count,
                    "entities": count,
                    "documents": count,
                    "citations": count,
                    "by_status": {"type": "object", "additionalProperties": count},
                },
            },
            "claims": {"type": "array", "items": {"$ref": "#/$defs/Claim"}},
            "entities": {"type": "array", "items": {"$ref": "#/$defs/Entity"}},
            "documents": {"type": "array", "items": {"$ref": "#/$defs/Document"}},
        },
        "$defs": dict(sorted(defs.items())),
    }


def claims_lines_schema() -> dict[str, Any]:
    """The Table Schema of `claims.jsonl` read as a table (as Frictionless does): one row per claim,
    a column per key; the values are JSON (objects, lists, partial dates), so typed `any`, and
    claims.jsonschema.json describes them."""
    keys = sorted({*Claim.model_fields, "id", "file", "related_from", "evidence"})
    fields = [
        {"name": key, "type": "string", "constraints": {"required": True}}
        if key == "id"
        else {"name": key, "type": "any"}
        for key in keys
    ]
    return {"$schema": TABLE_SCHEMA_PROFILE, "fields": fields, "primaryKey": ["id"]}


def claims_schema_json() -> bytes:
    return _dumps(claims_schema(), indent=2)


# --------------------------------------------------------------------------- the package


@dataclass(frozen=True)
class PackageInfo:
    """What the package says about itself besides its data (from mkdocs.yml when there is one)."""

    title: str = "Claims"
    """The site's name."""
    homepage: str | None = None
    """The site's public address (`site_url`), when configured."""

    @property
    def name(self) -> str:
        """A lowercase name for the package, from its title (Data Package `name`)."""
        from claimsite.text import slug

        return slug(self.title) or "claims"


LICENCE_NOT_STATED = (
    "No licence for the data is stated: the project publishes its software under the MIT licence and "
    "has not said under which terms its content may be reused, so this package has no `licenses` "
    "property (the Data Package specification makes it optional). Ask the publisher before reuse."
)


def _readme(info: PackageInfo, edition: Edition) -> bytes:
    from claimsite.outputs.provenance_graph import PROV_GRAPH
    from claimsite.outputs.tables import FORMULA_TRIGGERS, TABLES

    shown = ", ".join(repr(ch)[1:-1] if ch.isprintable() else repr(ch) for ch in FORMULA_TRIGGERS)
    lines = [
        f"# {info.title}: data package",
        "",
        f"Edition {edition.version} (revision {edition.revision}, created {edition.as_json()['created']}).",
        "Made by `claimsite export`; `datapackage.json` (Data Package v2) lists every file with its size",
        "in bytes and its SHA-256.",
        "",
        "## Files",
        "",
        f"- `{CLAIMS_JSON}`: every claim with its sources, responses, related claims, status history and",
        "  computed evidence (independent origins), every entity and every cited document; values raw,",
        f"  as in the claim files. Its JSON Schema is `{CLAIMS_SCHEMA}` (draft 2020-12).",
        f"- `{CLAIMS_JSONL}`: the same claims, one JSON object per line.",
        f"- `{PROV_GRAPH}`: which documents derive from which origins, in W3C PROV-O terms (JSON-LD).",
        "- the CSV tables below, each with its Table Schema in `datapackage.json`.",
        "",
        "## Licence",
        "",
        LICENCE_NOT_STATED,
        "",
        "## CSV cells are escaped; JSON values are not",
        "",
        f"Every text cell of the CSV files that starts with one of {shown} gets a leading `'`",
        "(OWASP's rule against CSV injection), so that a spreadsheet shows it as text and never runs it",
        "as a formula. To get the raw value back, remove the leading `'` of a cell whose second",
        "character is one of those. JSON files hold the raw values. Lists of ids are joined by commas.",
        "Dates are YYYY, YYYY-MM or YYYY-MM-DD as precise as known; an empty cell is a missing value.",
        "",
        "## Tables",
    ]
    for table in TABLES:
        lines += ["", f"### `{table.path}`: {table.title}", "", table.description, ""]
        lines += ["| column | type | description |", "|---|---|---|"]
        for column in table.columns:
            kind = "list of ids" if column.list_of_ids else column.type
            lines.append(f"| `{column.name}` | {kind} | {column.description} |")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _resource(name: str, path: str, content: bytes, mediatype: str, fmt: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "format": fmt,
        "mediatype": mediatype,
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": "sha256:" + hashlib.sha256(content).hexdigest(),
    }


def package_paths() -> list[str]:
    """The paths of every file `package_files` writes (they do not depend on the claims)."""
    from claimsite.outputs.provenance_graph import PROV_GRAPH
    from claimsite.outputs.tables import TABLES

    return [CLAIMS_JSON, CLAIMS_JSONL, CLAIMS_SCHEMA, PROV_GRAPH, *(t.path for t in TABLES), README, DATAPACKAGE]


def package_files(
    catalog: Catalog,
    edition: Edition | None = None,
    info: PackageInfo | None = None,
    page_urls: dict[str, str] | None = None,
) -> dict[str, bytes]:
    """Every file of the package, `{path inside the package: content}`, `datapackage.json` last."""
    from claimsite.outputs.provenance_graph import PROV_GRAPH, provenance_graph
    from claimsite.outputs.tables import TABLES

    edition = edition or Edition.of(catalog)
    info = info or PackageInfo()
    files: dict[str, bytes] = {}
    resources: list[dict[str, Any]] = []

    def add(name: str, path: str, content: bytes, mediatype: str, fmt: str, **extra: Any) -> None:
        files[path] = content
        resources.append({**_resource(name, path, content, mediatype, fmt), **extra})

    document = claims_document(catalog, edition)
    whole, lines = _document_bytes(document)
    add("claims-json", CLAIMS_JSON, whole, "application/json", "json", jsonschema=CLAIMS_SCHEMA)
    add(
        "claims-jsonl",
        CLAIMS_JSONL,
        lines,
        "application/jsonl",
        "jsonl",
        type="table",
        schema=claims_lines_schema(),
    )
    add("claims-schema", CLAIMS_SCHEMA, claims_schema_json(), "application/schema+json", "json")
    add(
        "provenance-graph",
        PROV_GRAPH,
        _dumps(provenance_graph(catalog, page_urls), indent=None),
        "application/ld+json",
        "jsonld",
    )
    for table in TABLES:
        add(
            table.name.replace("_", "-"),
            table.path,
            table.csv(catalog),
            "text/csv",
            "csv",
            type="table",
            title=table.title,
            description=table.description,
            schema=table.schema(TABLE_SCHEMA_PROFILE),
        )
    add("readme", README, _readme(info, edition), "text/markdown", "md")
    descriptor: dict[str, Any] = {
        "$schema": DATAPACKAGE_PROFILE,
        "name": info.name,
        "title": info.title,
        "description": f"Every claim of {info.title}, with its sources and evidentiary status. {LICENCE_NOT_STATED}",
        "version": edition.version,
        "created": edition.as_json()["created"],
        "resources": resources,
    }
    if info.homepage:
        descriptor["homepage"] = info.homepage
    files[DATAPACKAGE] = _dumps(descriptor, indent=2)
    return files
