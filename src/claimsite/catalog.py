"""The read model every output uses: the checked project turned into claims in order, entities,
documents, origins, counts and lookups, computed once.

The site pages, the PDF edition and every later output (search index, data exports, feeds) read a
`Catalog`; none reads another output's internals. Labels come from `claimsite.vocab`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

from claimsite.evidence import Evidence, PublisherLinks, document_key, evidence_of
from claimsite.model import Claim, Entity, Loaded, Source
from claimsite.project import Project
from claimsite.rules.project import EntityFacts, publisher_links
from claimsite.vocab import (
    INVERSE_LABELS,
    MEDIA_TYPE_LABELS,
    RELATION_LABELS,
    UNKNOWN_PUBLISHER,
    ClaimRelation,
    EntityKind,
    Status,
)


@dataclass(frozen=True)
class Citation:
    """One source entry of one claim."""

    claim_id: str
    source: Source


@dataclass(frozen=True)
class Document:
    """A document cited by one or more claims (URLs compared by `evidence.document_key`)."""

    key: str
    citations: tuple[Citation, ...]

    @property
    def first(self) -> Source:
        """The first citation's source entry: its URL, title and date are the ones shown."""
        return self.citations[0].source

    @property
    def claim_ids(self) -> list[str]:
        """The claims citing it, each once, in claim order."""
        return list(dict.fromkeys(c.claim_id for c in self.citations))


@dataclass(frozen=True)
class Publisher:
    """Who published documents: an organisation entity, or a name written in words."""

    key: str
    name: str
    entity_id: str | None
    documents: tuple[Document, ...]

    @property
    def citations(self) -> int:
        return sum(len(d.citations) for d in self.documents)


@dataclass(frozen=True)
class RelatedLink:
    """A link between two claims as the page of one of them shows it."""

    claim_id: str
    label: str
    note: str | None


@dataclass(frozen=True)
class Counts:
    claims: int
    entities: int
    documents: int
    citations: int
    by_status: dict[Status, int]

    def sources_line(self) -> str:
        """'69 documents, cited 132 times'."""
        documents = "document" if self.documents == 1 else "documents"
        times = "once" if self.citations == 1 else f"{self.citations} times"
        return f"{self.documents} {documents}, cited {times}"


def _date_key(claim: Claim) -> tuple[bool, tuple[int, int, int]]:
    return claim.date is None, claim.date.sort_key() if claim.date else (0, 0, 0)


class Catalog:
    """Checked claims and entities with every lookup the outputs need."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.loaded: dict[str, Loaded[Claim]] = {cid: project.claims[cid] for cid in sorted(project.claims)}
        self.claims: dict[str, Claim] = {cid: loaded.data for cid, loaded in self.loaded.items()}
        self.entities: dict[str, Entity] = {eid: project.entities[eid].data for eid in sorted(project.entities)}

    def warm(self) -> None:
        """Compute every lookup now (before forking workers that would otherwise each compute them)."""
        for name in ("by_status", "by_title", "by_year", "by_entity", "entity_roles", "by_tag", "backlinks"):
            getattr(self, name)
        for name in ("links", "evidence", "documents", "publishers", "counts", "recently_changed"):
            getattr(self, name)

    # ----------------------------------------------------------------------- claims

    @cached_property
    def by_status(self) -> dict[Status, list[str]]:
        """Claim ids by status (every status present, in Status order), each group by id."""
        groups: dict[Status, list[str]] = {status: [] for status in Status}
        for cid, claim in self.claims.items():
            groups[claim.status].append(cid)
        return groups

    @cached_property
    def in_print_order(self) -> dict[Status, list[str]]:
        """Claims grouped by status, each group by event date, oldest first, undated last, then id."""
        return {
            status: sorted(ids, key=lambda cid: (*_date_key(self.claims[cid]), cid))
            for status, ids in self.by_status.items()
        }

    def newest_first(self, ids: Iterable[str]) -> list[str]:
        """Claims by event date, newest first (undated at the end), ties by id descending."""
        return sorted(ids, key=lambda c: (_date_key(self.claims[c])[1], c), reverse=True)

    @cached_property
    def by_title(self) -> list[str]:
        return sorted(self.claims, key=lambda c: (self.claims[c].title.casefold(), c))

    @cached_property
    def by_year(self) -> dict[int | None, list[str]]:
        """Claims by the year of the event, oldest first; None for undated claims (last)."""
        dated = sorted((c for c in self.claims if self.claims[c].date), key=lambda c: (*_date_key(self.claims[c]), c))
        years: dict[int | None, list[str]] = defaultdict(list)
        for cid in dated:
            date = self.claims[cid].date
            assert date is not None
            years[date.year].append(cid)
        undated = [c for c in self.claims if not self.claims[c].date]
        if undated:
            years[None] = undated
        return dict(years)

    @cached_property
    def recently_changed(self) -> list[str]:
        """Claims by the date of their last status decision, newest first."""
        return sorted(self.claims, key=lambda c: (self.claims[c].history[-1].date.sort_key(), c), reverse=True)

    @cached_property
    def by_entity(self) -> dict[str, list[str]]:
        """Entity id -> claims naming it (people, organisations, claimant, responses)."""
        found: dict[str, list[str]] = defaultdict(list)
        for cid, claim in self.claims.items():
            refs = [*claim.people, *claim.organisations, claim.claimant or "", *(r.by for r in claim.responses)]
            for ref in dict.fromkeys(refs):
                if ref in self.entities:
                    found[ref].append(cid)
        return found

    @cached_property
    def entity_roles(self) -> dict[str, dict[str, list[str]]]:
        """Entity id -> role -> claims: `about` (named among people or organisations), `claimed` (the
        claimant), `responded` (gave a response); a claim can appear under several roles."""
        found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for cid, claim in self.claims.items():
            roles = [
                ("about", [*claim.people, *claim.organisations]),
                ("claimed", [claim.claimant or ""]),
                ("responded", [r.by for r in claim.responses]),
            ]
            for role, refs in roles:
                for ref in dict.fromkeys(refs):
                    if ref in self.entities:
                        found[ref][role].append(cid)
        return found

    @cached_property
    def by_tag(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for cid, claim in self.claims.items():
            for tag in dict.fromkeys(claim.tags):
                found[tag].append(cid)
        return dict(sorted(found.items()))

    @cached_property
    def backlinks(self) -> dict[str, list[tuple[str, ClaimRelation]]]:
        """Claim id -> (other claim, relation) for every `related` entry pointing at it."""
        found: dict[str, list[tuple[str, ClaimRelation]]] = defaultdict(list)
        for cid, claim in self.claims.items():
            for related in claim.related:
                found[related.claim].append((cid, related.relation))
        return found

    def neighbours(self, cid: str) -> set[str]:
        """Claims whose pages show this claim's title or status (related, backlinks, supersession)."""
        claim = self.claims.get(cid)
        found = {other for other, _ in self.backlinks.get(cid, [])}
        found.update(c for c, other in self.claims.items() if other.superseded_by == cid)
        if claim is not None:
            found.update(r.claim for r in claim.related)
            found.update([claim.superseded_by] if claim.superseded_by else [])
        return found

    def related(self, cid: str) -> list[RelatedLink]:
        """Links from this claim and to it, as its page shows them; claims that did not load are left out."""
        links = [RelatedLink(r.claim, RELATION_LABELS[r.relation], r.note) for r in self.claims[cid].related]
        links += [RelatedLink(other, INVERSE_LABELS[relation], None) for other, relation in self.backlinks.get(cid, [])]
        return [link for link in links if link.claim_id in self.claims]

    # ----------------------------------------------------------------------- entities

    def ids_of_kind(self, kind: EntityKind) -> list[str]:
        """Entities of one kind by name."""
        return sorted((e for e in self.entities if self.entities[e].kind is kind),
                      key=lambda e: (self.entities[e].name.casefold(), e))  # fmt: skip

    def native_names(self, eid: str) -> list[str]:
        """An entity's names in other scripts that differ from its English name, by language."""
        entity = self.entities[eid]
        return [name for _, name in sorted(entity.names.items()) if name != entity.name]

    def display_name(self, ref: str) -> str:
        """An entity's name with its native-script names, or free text as written."""
        if ref not in self.entities:
            return ref
        native = self.native_names(ref)
        return self.entities[ref].name + (f" ({' / '.join(native)})" if native else "")

    # ----------------------------------------------------------------------- evidence

    @cached_property
    def links(self) -> PublisherLinks:
        return publisher_links({eid: EntityFacts.of(e) for eid, e in self.entities.items()})

    @cached_property
    def evidence(self) -> dict[str, Evidence]:
        """Claim id -> its supporting and contradicting origins."""
        return {cid: evidence_of(claim.sources, self.links) for cid, claim in self.claims.items()}

    def publisher_entity(self, source: Source) -> str | None:
        """The organisation entity that published a source, when it is one."""
        if source.publisher is None:
            return None
        entity = self.links.entity(source.publisher)
        return entity if entity in self.entities else None

    def publisher_name(self, source: Source) -> str:
        """The publisher as readers see it: the organisation's name, or the text as written."""
        entity = self.publisher_entity(source)
        if entity is not None:
            return self.entities[entity].name
        return source.publisher or UNKNOWN_PUBLISHER

    def publisher_facts(self, source: Source, translate: Callable[[str], str] = str) -> str | None:
        """'state media, BY': what the publisher is, when its entity says so (labels through `translate`)."""
        entity = self.publisher_entity(source)
        if entity is None:
            return None
        org = self.entities[entity]
        facts = [translate(MEDIA_TYPE_LABELS[org.media_type]) if org.media_type else None, org.country]
        shown = [fact for fact in facts if fact]
        return ", ".join(shown) if shown else None

    # ----------------------------------------------------------------------- documents

    @cached_property
    def documents(self) -> dict[str, Document]:
        """Every cited document by its key, in order of first citation (claims by id)."""
        found: dict[str, list[Citation]] = {}
        for cid, claim in self.claims.items():
            for source in claim.sources:
                found.setdefault(document_key(source.url), []).append(Citation(cid, source))
        return {key: Document(key, tuple(citations)) for key, citations in found.items()}

    @cached_property
    def publishers(self) -> dict[str, Publisher]:
        """Publishers by name (case-insensitive order), each with its documents by date, then key."""
        grouped: dict[str, list[Document]] = defaultdict(list)
        names: dict[str, tuple[str, str | None]] = {}
        for document in self.documents.values():
            source = document.first
            entity = self.publisher_entity(source)
            key = "org:" + entity if entity else "name:" + self.publisher_name(source)
            names.setdefault(key, (self.publisher_name(source), entity))
            grouped[key].append(document)
        ordered = sorted(grouped, key=lambda k: (names[k][0].casefold(), k))
        return {
            key: Publisher(
                key,
                names[key][0],
                names[key][1],
                tuple(sorted(grouped[key], key=lambda d: (str(d.first.published or ""), d.key))),
            )
            for key in ordered
        }

    @cached_property
    def counts(self) -> Counts:
        return Counts(
            claims=len(self.claims),
            entities=len(self.entities),
            documents=len(self.documents),
            citations=sum(len(d.citations) for d in self.documents.values()),
            by_status={status: len(ids) for status, ids in self.by_status.items()},
        )
