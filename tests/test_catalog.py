"""The catalog: documents not citations, publishers as organisations, independence computed once
for the rules, the pages and the PDF."""

from __future__ import annotations

import pytest
from conftest import INVALID, TODAY, VALID

from claimsite.catalog import Catalog
from claimsite.evidence import PublisherLinks, document_key, evidence_of
from claimsite.model import Source
from claimsite.project import load_project
from claimsite.vocab import SourceKind, SourceRelation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://Example.ORG/a/b/", "https://example.org/a/b"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org/a#section-2", "https://example.org/a"),
        ("https://example.org/a?utm_source=tw&utm_medium=social&id=7", "https://example.org/a?id=7"),
        ("https://example.org/a?fbclid=XYZ&gclid=1", "https://example.org/a"),
        ("HTTPS://example.org/", "https://example.org"),
    ],
)
def test_urls_naming_one_document_have_one_key(a: str, b: str) -> None:
    assert document_key(a) == document_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.org/a", "https://example.org/b"),
        ("https://example.org/a?id=1", "https://example.org/a?id=2"),
        ("https://example.org:8443/a", "https://example.org/a"),
        ("https://example.org/A", "https://example.org/a"),  # paths are case-sensitive
        ("https://example.org/a?page=2&id=1", "https://example.org/a?id=1"),
    ],
)
def test_urls_of_different_documents_keep_different_keys(a: str, b: str) -> None:
    assert document_key(a) != document_key(b)


def _source(sid: str, origin: str | None, publisher: str | None, relation: str = "supports") -> Source:
    return Source.model_validate(
        {
            "id": sid,
            "url": f"https://x.example/{sid}",
            "title": sid,
            "language": "en",
            "kind": "news",
            "relation": relation,
            "origin": origin,
            "publisher": publisher,
        }
    )


def test_shared_origins_and_linked_publishers_are_one_origin() -> None:
    links = PublisherLinks({"zerkalo": ["tut-by"], "current-time": ["rferl"]}, {"tut-by": ["TUT.BY"]})
    sources = [
        _source("s1", "exam", "zerkalo"),
        _source("s2", "report-a", "TUT.BY"),  # the successor's predecessor, by name: one origin with s1
        _source("s3", "exam", "Outlet C"),  # shares s1's origin
        _source("s4", "report-b", "rferl"),
        _source("s5", "report-c", "current-time"),  # same owner as s4
        _source("s6", None, "Lone outlet"),  # no origin: its own
        _source("s7", "denial", "Other", relation="response"),  # responses do not count
    ]
    evidence = evidence_of(sources, links)
    assert [g.source_ids for g in evidence.supporting] == [("s1", "s2", "s3"), ("s4", "s5"), ("s6",)]
    assert evidence.without_origin == ("s6",)
    assert evidence.line() == (
        "6 supporting sources from 3 independent origins: "
        "exam + report-a (3), report-b + report-c (2), Lone outlet (1)."
    )


def test_a_contradiction_from_a_supporting_origin_is_not_independent() -> None:
    sources = [
        _source("s1", "leak", "A"),
        _source("s2", "leak", "B", "contradicts"),
        _source("s3", "x", "A", "contradicts"),
    ]
    assert evidence_of(sources).contradicting == ()
    assert [g.source_ids for g in evidence_of([*sources, _source("s4", "y", "C", "contradicts")]).contradicting] == [
        ("s4",)
    ]


def test_primary_support_is_counted() -> None:
    record = _source("s1", "decree", "Gov").model_copy(update={"kind": SourceKind.COURT_RECORD})
    assert evidence_of([record]).primary_support == ("s1",)
    assert evidence_of([record.model_copy(update={"relation": SourceRelation.CONTEXT})]).primary_support == ()


def test_documents_are_counted_once_with_every_citation() -> None:
    catalog = Catalog(load_project([VALID], base=VALID, today=TODAY))
    counts = catalog.counts
    assert (counts.documents, counts.citations) == (5, 5)
    assert counts.sources_line() == "5 documents, cited 5 times"
    assert sum(len(p.documents) for p in catalog.publishers.values()) == counts.documents


def test_a_document_cited_twice_is_listed_once_on_its_publisher_page() -> None:
    folder = INVALID / "evidence"
    catalog = Catalog(load_project([folder], base=folder, today=TODAY))
    # linked-publishers.yaml cites https://rferl.example/x twice (s1, and s3 with tracking and fragment)
    document = catalog.documents[document_key("https://rferl.example/x")]
    assert [(c.claim_id, c.source.id) for c in document.citations] == [
        ("linked-publishers", "s1"),
        ("linked-publishers", "s3"),
    ]
    rferl = catalog.publishers["org:rferl"]
    assert rferl.name == "Radio Free Europe/Radio Liberty"  # the free-text alias "RFE/RL" is the same organisation
    assert [d.key for d in rferl.documents] == [document.key]
    assert rferl.citations == 2
    assert catalog.publisher_facts(document.first) == "publicly funded media, US"


def test_the_site_shows_documents_and_independence(built_site) -> None:  # type: ignore[no-untyped-def]
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert "5 documents, cited 5 times" in home
    page = (built_site / "claims" / "voice-attribution" / "index.html").read_text(encoding="utf-8")
    assert "1 supporting source from 1 origin: tutby-examination (1)." in page
