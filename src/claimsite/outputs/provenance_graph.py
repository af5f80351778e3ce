"""`claims.prov.jsonld`: which documents derive from which origins, in W3C PROV-O terms, as JSON-LD.

The mapping (also on the site's Data page):

- each `origin` id of the claim files is a `prov:Entity` (`#origin-<id>`): the piece of primary
  material that sources sharing it rest on;
- each cited document (`#document-<id>`, the ids of documents.csv) is a `prov:Entity` and a
  `schema:CreativeWork` with its URL, title, publisher, date and archived copies; a document cited
  as a primary kind (official statement, court record, leaked media, dataset) is the record of its
  origins (`prov:specializationOf` each), any other `prov:hadPrimarySource` each origin its
  citations name: a report derives from a record through the origin they share (linking each
  report to each record directly grows with the square of the documents of one origin);
- each quote of a source entry is a `prov:Entity` (`#quote-<claim>-<source>`) whose `prov:value` is
  the verbatim text, `prov:wasQuotedFrom` the document;
- each claim (`#claim-<id>`) is a `schema:Claim` that `schema:citation`s every document it cites and
  `prov:wasDerivedFrom` those that support it.

Node ids are fragments of the file itself, so the graph needs no site address; with one, claims
also carry `schema:url`, their page. Values are written by the JSON serializer, raw.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from claimsite.catalog import Catalog
from claimsite.model import PRIMARY_KINDS, SourceRelation

PROV_GRAPH = "claims.prov.jsonld"

CONTEXT: dict[str, Any] = {
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "label": "rdfs:label",
    "name": "schema:name",
    "publisher": "schema:publisher",
    "datePublished": "schema:datePublished",
    "inLanguage": "schema:inLanguage",
    "value": "prov:value",
    "url": {"@id": "schema:url", "@type": "@id"},
    "archivedAt": {"@id": "schema:archivedAt", "@type": "@id"},
    "citation": {"@id": "schema:citation", "@type": "@id"},
    "hadPrimarySource": {"@id": "prov:hadPrimarySource", "@type": "@id"},
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "wasQuotedFrom": {"@id": "prov:wasQuotedFrom", "@type": "@id"},
    "specializationOf": {"@id": "prov:specializationOf", "@type": "@id"},
}


def _document_ref(url: str) -> str:
    from claimsite.outputs.datapackage import url_document_id

    return "#document-" + url_document_id(url)


def provenance_graph(catalog: Catalog, page_url: dict[str, str] | None = None) -> dict[str, Any]:
    """The graph as a JSON-LD document; `page_url`: claim id -> absolute URL of its page, when known."""
    origins_of: dict[str, set[str]] = defaultdict(set)
    archives_of: dict[str, set[str]] = defaultdict(set)
    records_of: dict[str, set[str]] = defaultdict(set)
    nodes: dict[str, dict[str, Any]] = {}
    for cid, claim in catalog.claims.items():
        cited = list(dict.fromkeys(_document_ref(s.url) for s in claim.sources))
        supporting = [_document_ref(s.url) for s in claim.sources if s.relation is SourceRelation.SUPPORTS]
        node: dict[str, Any] = {
            "@id": f"#claim-{cid}",
            "@type": "schema:Claim",
            "name": claim.title,
            "citation": cited,
            "wasDerivedFrom": list(dict.fromkeys(supporting)),
        }
        if page_url and cid in page_url:
            node["url"] = page_url[cid]
        nodes[node["@id"]] = node
        for source in claim.sources:
            ref = _document_ref(source.url)
            if source.origin:
                (records_of if source.kind in PRIMARY_KINDS else origins_of)[ref].add(source.origin)
            if source.archive_url:
                archives_of[ref].add(source.archive_url)
            if source.quote:
                quote = {
                    "@id": f"#quote-{cid}-{source.id}",
                    "@type": "prov:Entity",
                    "value": source.quote,
                    "inLanguage": source.language,
                    "wasQuotedFrom": ref,
                }
                nodes[quote["@id"]] = quote
    from claimsite.outputs.datapackage import document_id

    for key, document in catalog.documents.items():
        first = document.first
        ref = "#document-" + document_id(key)
        node = {
            "@id": ref,
            "@type": ["prov:Entity", "schema:CreativeWork"],
            "name": first.title,
            "url": first.url,
            "specializationOf": [f"#origin-{o}" for o in sorted(records_of.get(ref, ()))],
            "hadPrimarySource": [f"#origin-{o}" for o in sorted(origins_of.get(ref, ()))],
            "archivedAt": sorted(archives_of.get(ref, ())),
        }
        publisher = catalog.publisher_name(first) if first.publisher else None
        if publisher:
            node["publisher"] = publisher
        if first.published is not None:
            node["datePublished"] = str(first.published)
        nodes[ref] = node
    named = {o for found in (*origins_of.values(), *records_of.values()) for o in found}
    for origin in sorted(named):
        nodes[f"#origin-{origin}"] = {"@id": f"#origin-{origin}", "@type": "prov:Entity", "label": origin}
    graph = [{k: v for k, v in nodes[key].items() if v != []} for key in sorted(nodes)]  # no empty relations
    return {"@context": CONTEXT, "@graph": graph}
