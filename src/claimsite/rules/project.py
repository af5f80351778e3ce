"""Rules across files: references between claims and entities, and the independence of evidence
(which needs every organisation's links to judge whether two publishers are one).

They run on compact facts (`ClaimFacts`, `EntityFacts`) that the checker's worker processes send
back instead of whole records. Each rule yields `(file key, location, message)`: the key is the
claim id, or `entity:<id>` for an entity file.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from claimsite.evidence import Evidence, PublisherLinks, evidence_of
from claimsite.load import Loc
from claimsite.model import ENTITY_FOLDER, ID_RE, Claim, Entity
from claimsite.problems import Severity
from claimsite.provenance import has_capture
from claimsite.rules import Rule, Scope, rule_of
from claimsite.text import slug
from claimsite.validate import MAX_SUGGESTIONS
from claimsite.vocab import EntityKind, SourceKind, SourceRelation, Status

Finding = tuple[str, Loc, str]


@dataclass(frozen=True)
class SourceFacts:
    """The fields of a source that independence depends on."""

    id: str
    relation: SourceRelation
    kind: SourceKind
    origin: str | None
    publisher: str | None
    captured: bool = False
    """It has a capture a reader can be sent to (`claimsite.provenance.has_capture`)."""


@dataclass(frozen=True)
class ClaimFacts:
    """The ids and evidence one claim mentions: all the cross-file rules need, cheap to send between processes."""

    status: Status
    people: tuple[str, ...]
    organisations: tuple[str, ...]
    claimant: str | None
    responders: tuple[str, ...]
    related: tuple[str, ...]
    superseded_by: str | None
    renamed_from: tuple[str, ...]
    sources: tuple[SourceFacts, ...]

    @classmethod
    def of(cls, claim: Claim) -> ClaimFacts:
        return cls(
            claim.status,
            tuple(claim.people),
            tuple(claim.organisations),
            claim.claimant,
            tuple(r.by for r in claim.responses),
            tuple(r.claim for r in claim.related),
            claim.superseded_by,
            tuple(claim.renamed_from),
            tuple(SourceFacts(s.id, s.relation, s.kind, s.origin, s.publisher, has_capture(s)) for s in claim.sources),
        )

    @staticmethod
    def locations(claim: Claim) -> list[Loc]:
        """Every location the cross-file rules may report on."""
        locs: list[Loc] = [("status",), ("claimant",), ("superseded_by",)]
        locs += [("people", i) for i in range(len(claim.people))]
        locs += [("organisations", i) for i in range(len(claim.organisations))]
        locs += [("responses", i, "by") for i in range(len(claim.responses))]
        locs += [("related", i, "claim") for i in range(len(claim.related))]
        locs += [("renamed_from", i) for i in range(len(claim.renamed_from))]
        locs += [("sources", i, "publisher") for i in range(len(claim.sources))]
        return locs


@dataclass(frozen=True)
class EntityFacts:
    """What other files may refer to in an entity."""

    kind: EntityKind
    spellings: tuple[str, ...]
    """Its name, names in other scripts and aliases."""
    successor_of: tuple[str, ...] = ()
    same_owner_as: tuple[str, ...] = ()

    @classmethod
    def of(cls, entity: Entity) -> EntityFacts:
        spellings = (entity.name, *entity.names.values(), *entity.aliases)
        return cls(entity.kind, spellings, tuple(entity.successor_of), tuple(entity.same_owner_as))

    @staticmethod
    def locations(entity: Entity) -> list[Loc]:
        locs: list[Loc] = [("successor_of", i) for i in range(len(entity.successor_of))]
        return locs + [("same_owner_as", i) for i in range(len(entity.same_owner_as))]


def entity_key(entity_id: str) -> str:
    """The file key of an entity in findings."""
    return "entity:" + entity_id


@dataclass
class ProjectFacts:
    """Everything the cross-file rules see."""

    claims: dict[str, ClaimFacts] = field(default_factory=dict)
    entities: dict[str, EntityFacts] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    """Ids of files that exist but failed to load; references to them are not reported again."""

    @cached_property
    def links(self) -> PublisherLinks:
        return publisher_links(self.entities)

    @cached_property
    def alias_owners(self) -> dict[str, str]:
        """An id-like spelling of every name and alias -> the entity it belongs to (first wins)."""
        owners: dict[str, str] = {}
        for eid, entity in sorted(self.entities.items()):
            for spelling in entity.spellings:
                key = slug(spelling)
                if key and key != eid:
                    owners.setdefault(key, eid)
        return owners

    def evidence(self, claim_id: str) -> Evidence:
        return evidence_of(self.claims[claim_id].sources, self.links)


def publisher_links(entities: dict[str, EntityFacts]) -> PublisherLinks:
    """Which organisations are one publisher (links), and the spellings that name each."""
    organisations = {eid: e for eid, e in entities.items() if e.kind is EntityKind.ORGANISATION}
    links = {eid: (*e.successor_of, *e.same_owner_as) for eid, e in organisations.items()}
    return PublisherLinks(links, {eid: e.spellings for eid, e in organisations.items()})


ProjectRule = Callable[[ProjectFacts], Iterator[Finding]]
PROJECT_RULES: list[tuple[Rule, ProjectRule]] = []


def project_rule(rule_id: str, *, severity: Severity = Severity.ERROR) -> Callable[[ProjectRule], ProjectRule]:
    """Register a cross-file rule."""

    def register(function: ProjectRule) -> ProjectRule:
        PROJECT_RULES.append((rule_of(function, rule_id, Scope.PROJECT, severity), function))
        return function

    return register


# --------------------------------------------------------------------------- references


def _article(kind: EntityKind) -> str:
    return f"an {kind}" if str(kind)[0] in "aeiou" else f"a {kind}"


_LISTS = {EntityKind.PERSON: "people", EntityKind.ORGANISATION: "organisations"}
_WORDS = " (or write the name in words, with capitals or spaces)"


def _entity_refs(facts: ProjectFacts) -> Iterator[tuple[str, Loc, str, EntityKind | None, str]]:
    """Every entity reference: (file key, location, id, kind wanted, how to write it correctly)."""
    for cid, claim in facts.claims.items():
        for i, ref in enumerate(claim.people):
            yield cid, ("people", i), ref, EntityKind.PERSON, "people: [{}]"
        for i, ref in enumerate(claim.organisations):
            yield cid, ("organisations", i), ref, EntityKind.ORGANISATION, "organisations: [{}]"
        if claim.claimant and ID_RE.match(claim.claimant):
            yield cid, ("claimant",), claim.claimant, None, "claimant: {}"
        for i, by in enumerate(claim.responders):
            if ID_RE.match(by):
                yield cid, ("responses", i, "by"), by, None, "by: {}"
        for i, source in enumerate(claim.sources):
            if source.publisher and ID_RE.match(source.publisher):
                yield cid, ("sources", i, "publisher"), source.publisher, EntityKind.ORGANISATION, "publisher: {}"
    for eid, entity in facts.entities.items():
        for name in ("successor_of", "same_owner_as"):
            for i, ref in enumerate(getattr(entity, name)):
                yield entity_key(eid), (name, i), ref, EntityKind.ORGANISATION, name + ": [{}]"


@project_rule("unknown-entity")
def unknown_entity(facts: ProjectFacts) -> Iterator[Finding]:
    """Every entity id a file mentions (people, organisations, claimant, responses, publishers,
    organisation links) has a file in the entities folder."""
    suggested: Counter[str] = Counter()
    names = list(facts.entities)
    for key, loc, ref, _, usage in _entity_refs(facts):
        if ref in facts.entities or ref in facts.broken:
            continue
        owner = facts.alias_owners.get(ref)
        suggested[key] += 1
        # A near spelling is looked for in the first files' worth of unknown ids only: comparing is the
        # costly part, and thousands of unknown ids in one file are no misspelling (see validate.py).
        close = difflib.get_close_matches(ref, names, n=1, cutoff=0.8) if suggested[key] <= MAX_SUGGESTIONS else []
        if owner is not None:
            message = f"'{ref}' is an alias of '{owner}'; use {usage.format(owner)}"
        elif close:
            message = f"unknown entity '{ref}'; did you mean '{close[0]}'? ({usage.format(close[0])})"
        else:
            words = _WORDS if loc[0] in ("claimant", "responses", "sources") else ""
            message = f"unknown entity '{ref}'; add claims/{ENTITY_FOLDER}/{ref}.yaml{words}"
        yield key, loc, message


@project_rule("entity-kind")
def entity_kind(facts: ProjectFacts) -> Iterator[Finding]:
    """People are listed under `people`, organisations under `organisations`; publishers and
    organisation links name organisations."""
    for key, loc, ref, want, _ in _entity_refs(facts):
        entity = facts.entities.get(ref)
        if entity is None or want is None or entity.kind is want:
            continue
        if loc[0] in ("people", "organisations"):
            yield (
                key,
                loc,
                f"'{ref}' is {_article(entity.kind)}, not {_article(want)}; list it under '{_LISTS[entity.kind]}'",
            )
        else:
            name = loc[-1] if isinstance(loc[-1], str) else loc[0]
            yield key, loc, f"'{ref}' is {_article(entity.kind)}; {name} names an organisation"


def _retired(facts: ProjectFacts) -> dict[str, str]:
    return {old: cid for cid, claim in facts.claims.items() for old in claim.renamed_from}


def _claim_links(facts: ProjectFacts) -> Iterator[tuple[str, Loc, str]]:
    for cid, claim in facts.claims.items():
        for i, other in enumerate(claim.related):
            yield cid, ("related", i, "claim"), other
        if claim.superseded_by:
            yield cid, ("superseded_by",), claim.superseded_by


@project_rule("unknown-claim")
def unknown_claim(facts: ProjectFacts) -> Iterator[Finding]:
    """Every claim a claim links to (`related`, `superseded_by`) exists."""
    retired = _retired(facts)
    for cid, loc, other in _claim_links(facts):
        if other in facts.claims or other in facts.broken or other in retired:
            continue
        close = difflib.get_close_matches(other, list(facts.claims), n=1)
        yield cid, loc, f"unknown claim '{other}'" + (f"; did you mean '{close[0]}'?" if close else "")


@project_rule("link-to-renamed-claim")
def link_to_renamed_claim(facts: ProjectFacts) -> Iterator[Finding]:
    """Links name a claim by its current id, not by one it was renamed from."""
    retired = _retired(facts)
    for cid, loc, other in _claim_links(facts):
        if other not in facts.claims and other in retired:
            yield cid, loc, f"claim '{other}' was renamed to '{retired[other]}'; link to the new id"


@project_rule("retired-id-not-reused")
def retired_id_not_reused(facts: ProjectFacts) -> Iterator[Finding]:
    """An id a claim was renamed from is never used again (its address redirects to the claim)."""
    for cid, claim in facts.claims.items():
        for i, old in enumerate(claim.renamed_from):
            if old in facts.claims:
                yield (
                    cid,
                    ("renamed_from", i),
                    f"'{old}' is still the id of claims/{old}.yaml; a retired id cannot be reused",
                )


@project_rule("former-id-listed-once")
def former_id_listed_once(facts: ProjectFacts) -> Iterator[Finding]:
    """A former id belongs to one claim only (its address can redirect to one page)."""
    counts = Counter(old for claim in facts.claims.values() for old in claim.renamed_from)
    for cid, claim in facts.claims.items():
        for i, old in enumerate(claim.renamed_from):
            if counts[old] > 1 and old not in facts.claims:
                yield cid, ("renamed_from", i), f"former id '{old}' is listed by more than one claim"


# --------------------------------------------------------------------------- evidence


def _one_origin(evidence: Evidence) -> str:
    """Why the supporting sources are one piece of evidence, in words."""
    count = evidence.supporting_sources
    if count == 0:
        return "the claim has no supporting source"
    group = evidence.supporting[0]
    if count == 1:
        named = f"has origin '{group.origins[0]}'" if group.origins else "names no origin"
        return f"its one supporting source ({group.source_ids[0]}) {named}"
    if len(group.origins) == 1:
        return f"all {count} supporting sources have origin '{group.origins[0]}'"
    return f"all {count} supporting sources are one origin ({group.label}: shared origins or linked publishers)"


@project_rule("corroborated-needs-two-origins")
def corroborated_needs_two_origins(facts: ProjectFacts) -> Iterator[Finding]:
    """A corroborated claim has supporting sources of at least two independent origins, or a
    supporting primary source (official statement, court record, leaked media, dataset)."""
    for cid, claim in facts.claims.items():
        if claim.status is not Status.CORROBORATED:
            continue
        evidence = facts.evidence(cid)
        if len(evidence.supporting) < 2 and not evidence.primary_support:
            yield (
                cid,
                ("status",),
                (
                    f"corroborated needs two independent origins; {_one_origin(evidence)}: "
                    "add a source of another origin or set status: alleged"
                ),
            )


@project_rule("confirmed-needs-independent-evidence")
def confirmed_needs_independent_evidence(facts: ProjectFacts) -> Iterator[Finding]:
    """A confirmed claim has a supporting primary source or supporting sources of at least two
    independent origins (and names its basis)."""
    for cid, claim in facts.claims.items():
        if claim.status is not Status.CONFIRMED:
            continue
        evidence = facts.evidence(cid)
        if len(evidence.supporting) < 2 and not evidence.primary_support:
            yield (
                cid,
                ("status",),
                (
                    "confirmed needs a supporting primary source or two independent origins; "
                    f"{_one_origin(evidence)}: add a source or set status: alleged"
                ),
            )


@project_rule("disputed-needs-independent-contradiction")
def disputed_needs_independent_contradiction(facts: ProjectFacts) -> Iterator[Finding]:
    """A disputed claim has a contradicting source of an origin different from every supporting
    origin; a denial by the accused is a response, not a dispute."""
    for cid, claim in facts.claims.items():
        if claim.status is not Status.DISPUTED:
            continue
        if not facts.evidence(cid).contradicting:
            has_contradiction = any(s.relation is SourceRelation.CONTRADICTS for s in claim.sources)
            why = (
                "every contradicting source shares an origin or publisher with a supporting one"
                if has_contradiction
                else "no source contradicts it"
            )
            yield (
                cid,
                ("status",),
                (
                    f"disputed needs a contradicting source independent of the supporting ones; {why}: add one "
                    "(relation: contradicts) or choose another status (a denial is relation: response)"
                ),
            )


@project_rule("verdict-needs-capture", severity=Severity.WARNING)
def verdict_needs_capture(facts: ProjectFacts) -> Iterator[Finding]:
    """A confirmed claim has a verified capture (a `capture` hash, or an `archive_url` with its
    `archive_date`) of at least one supporting source of each independent origin; a false claim, of
    each supporting and each contradicting origin (the claim as made, and its disproof), so that the
    verdict outlives the pages it rests on."""
    for cid, claim in facts.claims.items():
        if claim.status not in (Status.CONFIRMED, Status.FALSE):
            continue
        evidence = facts.evidence(cid)
        groups = evidence.supporting + (evidence.contradicting if claim.status is Status.FALSE else ())
        captured = {s.id for s in claim.sources if s.captured}
        for group in groups:
            if captured.intersection(group.source_ids):
                continue
            sources = ", ".join(group.source_ids)
            yield (
                cid,
                ("status",),
                (
                    f"a {claim.status} claim needs a verified capture of a source of each independent origin; "
                    f"{group.label} (sources {sources}) has none: capture one (claimsite sources archive --claim "
                    f"{cid}, then apply its patch) or add its archive_url and archive_date"
                ),
            )
