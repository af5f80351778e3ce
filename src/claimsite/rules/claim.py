"""Rules for one claim or one entity on its own; every problem is collected, none stops the others.

Each rule is one small generator registered with `implements`: its docstring is the sentence of the
methodology it enforces, and it yields `(location, message)` findings. `check_claim` and
`check_entity` run them all and turn the locations into file positions.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from claimsite.evidence import document_key
from claimsite.load import Document, Loc
from claimsite.model import Claim, Entity, PartialDate
from claimsite.problems import Problem, Severity
from claimsite.rules import Rule, Scope, rule_of
from claimsite.validate import field_name
from claimsite.vocab import DATE_UNKNOWN, UNDATED, EntityKind, Flag, SourceRelation, Status

MAX_QUOTE_WORDS = 25
"""Quotes longer than this are refused: short quotations only (copyright)."""

Finding = tuple[Loc, str]


@dataclass(frozen=True)
class ClaimContext:
    """What a claim rule may look at."""

    claim: Claim
    claim_id: str
    today: dt.date
    tags: Mapping[str, str] = field(default_factory=dict)
    """The project's tag vocabulary (tag -> definition); empty when the folder has none."""


@dataclass(frozen=True)
class EntityContext:
    """What an entity rule may look at."""

    entity: Entity
    entity_id: str


ClaimRule = Callable[[ClaimContext], Iterator[Finding]]
EntityRule = Callable[[EntityContext], Iterator[Finding]]
CLAIM_RULES: list[tuple[Rule, ClaimRule]] = []
ENTITY_RULES: list[tuple[Rule, EntityRule]] = []


def claim_rule(rule_id: str, *, severity: Severity = Severity.ERROR) -> Callable[[ClaimRule], ClaimRule]:
    """Register a one-claim rule."""

    def register(function: ClaimRule) -> ClaimRule:
        CLAIM_RULES.append((rule_of(function, rule_id, Scope.CLAIM, severity), function))
        return function

    return register


def entity_rule(rule_id: str, *, severity: Severity = Severity.ERROR) -> Callable[[EntityRule], EntityRule]:
    """Register a one-entity rule."""

    def register(function: EntityRule) -> EntityRule:
        ENTITY_RULES.append((rule_of(function, rule_id, Scope.ENTITY, severity), function))
        return function

    return register


@claim_rule("confirmed-needs-basis")
def confirmed_needs_basis(ctx: ClaimContext) -> Iterator[Finding]:
    """A confirmed claim names what the confirmation rests on (`basis`)."""
    if ctx.claim.status is Status.CONFIRMED and not ctx.claim.basis:
        yield ("status",), "a confirmed claim needs 'basis' (for example: basis: [independent-sources])"


@claim_rule("false-needs-disproof")
def false_needs_disproof(ctx: ClaimContext) -> Iterator[Finding]:
    """A false claim cites at least one source that gives the disproof (relation: contradicts)."""
    if ctx.claim.status is Status.FALSE and not any(
        s.relation is SourceRelation.CONTRADICTS for s in ctx.claim.sources
    ):
        yield (
            ("status",),
            (
                "a false claim needs a source that gives the disproof; add one with relation: contradicts, "
                "or choose another status"
            ),
        )


@claim_rule("misleading-needs-context")
def misleading_needs_context(ctx: ClaimContext) -> Iterator[Finding]:
    """A misleading claim cites at least one source that gives the context or the correction
    (relation: context or contradicts)."""
    relations = (SourceRelation.CONTEXT, SourceRelation.CONTRADICTS)
    if ctx.claim.status is Status.MISLEADING and not any(s.relation in relations for s in ctx.claim.sources):
        yield (
            ("status",),
            (
                "a misleading claim needs a source that gives the context; add one with relation: context "
                "or contradicts, or choose another status"
            ),
        )


@claim_rule("superseded-needs-successor")
def superseded_needs_successor(ctx: ClaimContext) -> Iterator[Finding]:
    """The `superseded` flag and `superseded_by` go together."""
    claim = ctx.claim
    if Flag.SUPERSEDED in claim.flags and claim.superseded_by is None:
        yield ("flags",), "the superseded flag needs 'superseded_by: <claim-id>'"
    if claim.superseded_by is not None and Flag.SUPERSEDED not in claim.flags:
        yield ("superseded_by",), "superseded_by is set; add 'superseded' to flags as well"


@claim_rule("history-matches-status")
def history_matches_status(ctx: ClaimContext) -> Iterator[Finding]:
    """The last history entry records the current status."""
    claim = ctx.claim
    last = claim.history[-1]
    if last.status is not claim.status:
        yield (
            ("history", len(claim.history) - 1, "status"),
            f"the last history entry says '{last.status}' but status is '{claim.status}'; "
            "add a history entry for the change",
        )


@claim_rule("history-in-order")
def history_in_order(ctx: ClaimContext) -> Iterator[Finding]:
    """History entries are oldest first: dates never go backwards."""
    history = ctx.claim.history
    for index in range(1, len(history)):
        before, after = history[index - 1].date, history[index].date
        if after.sort_key() < before.sort_key():
            yield (
                ("history", index, "date"),
                f"history dates go backwards ({before} then {after}); list entries oldest first",
            )


@claim_rule("source-ids-unique")
def source_ids_unique(ctx: ClaimContext) -> Iterator[Finding]:
    """Source ids are unique within a claim."""
    seen: set[str] = set()
    for index, source in enumerate(ctx.claim.sources):
        if source.id in seen:
            yield ("sources", index, "id"), f"source id '{source.id}' is used twice; give each source its own id"
        seen.add(source.id)


def _rough_key(url: str) -> str:
    """A key at least as coarse as `document_key` (URLs with one document key share it), cheap to make."""
    return url.split("#", 1)[0].split("?", 1)[0].lower().replace(":443", "").replace(":80", "").rstrip("/")


@claim_rule("document-cited-once", severity=Severity.WARNING)
def document_cited_once(ctx: ClaimContext) -> Iterator[Finding]:
    """A claim cites each document once: two sources with the same address (compared without
    tracking parameters, fragment or trailing slash) would count one document twice."""
    sources = ctx.claim.sources
    if len(sources) < 2 or len({_rough_key(s.url) for s in sources}) == len(sources):
        return  # the usual case, decided without parsing a URL
    first: dict[str, str] = {}
    for index, source in enumerate(sources):
        key = document_key(source.url)
        if key in first:
            yield (
                ("sources", index, "url"),
                f"sources[{index}] cites the same document as source '{first[key]}'; merge the two entries",
            )
        else:
            first[key] = source.id


@claim_rule("response-cites-own-sources")
def response_cites_own_sources(ctx: ClaimContext) -> Iterator[Finding]:
    """Responses cite sources of the same claim by id."""
    ids = {s.id for s in ctx.claim.sources}
    for index, response in enumerate(ctx.claim.responses):
        for position, ref in enumerate(response.sources):
            if ref not in ids:
                yield (
                    ("responses", index, "sources", position),
                    f"responses[{index}] cites source '{ref}', which this claim does not have; "
                    f"known: {', '.join(sorted(ids))}",
                )


@claim_rule("quote-short")
def quote_short(ctx: ClaimContext) -> Iterator[Finding]:
    """Quotes are short: at most 25 words (copyright); the rest is paraphrased in the note."""
    for index, source in enumerate(ctx.claim.sources):
        for name in ("quote", "quote_en"):
            text = getattr(source, name)
            if text and len(text.split()) > MAX_QUOTE_WORDS:
                yield (
                    ("sources", index, name),
                    f"sources[{index}].{name} has {len(text.split())} words; "
                    f"quote at most {MAX_QUOTE_WORDS} and paraphrase the rest in 'note'",
                )


ATTRIBUTION_OPENINGS = ("according to ", "in the recording ", "in a recording ", "in the audio ", "in an interview ")
"""How an attributed statement may begin (compared in lower case)."""
_ATTRIBUTION_VERB = re.compile(
    r"\b(say|says|said|report|reports|reported|allege|alleges|alleged|claim|claims|claimed|write|writes|wrote|"
    r"told|state|states|stated|describe|describes|described|accuse|accuses|accused|testified)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:.!?](?=\s|$)|\s[—–]\s")
OPENING_WORDS = 20
"""How far into the statement the attribution may come at the latest, in words."""


def opens_with_attribution(statement: str) -> bool:
    """True when the statement begins with who says it: an opening such as "According to …", or a
    verb of saying (says, reported, alleges, …) in its first clause."""
    lowered = " ".join(statement.split()).lower()
    if lowered.startswith(ATTRIBUTION_OPENINGS):
        return True
    clause = " ".join(_CLAUSE_BREAK.split(lowered, maxsplit=1)[0].split()[:OPENING_WORDS])
    return _ATTRIBUTION_VERB.search(clause) is not None


@claim_rule("alleged-statement-attributed")
def alleged_statement_attributed(ctx: ClaimContext) -> Iterator[Finding]:
    """The statement of an alleged claim about people opens with its attribution ("According to …",
    "In the recording published by …", "BYPOL says …"), so that no link preview, search snippet
    or printed line shows an accusation against a named person as fact."""
    claim = ctx.claim
    if claim.status is not Status.ALLEGED or not claim.people or opens_with_attribution(claim.statement):
        return
    opening = " ".join(claim.statement.split()[:8])
    yield (
        ("statement",),
        f"the statement of an alleged claim about people must open with its attribution; it begins "
        f"'{opening} …': start it with 'According to …' or 'In the recording published by …', or with who "
        "says it ('BYPOL says …')",
    )


@claim_rule("tag-in-vocabulary", severity=Severity.WARNING)
def tag_in_vocabulary(ctx: ClaimContext) -> Iterator[Finding]:
    """Tags come from the project's tag vocabulary (topics, defined in `tags.yaml` in the claims
    folder, when it has one); people and organisations have their own fields."""
    if not ctx.tags:
        return
    for index, tag in enumerate(ctx.claim.tags):
        if tag in ctx.tags:
            continue
        close = difflib.get_close_matches(tag, list(ctx.tags), n=1)
        hint = f"use '{close[0]}'" if close else "use one of the tags listed on the methodology page"
        yield (
            ("tags", index),
            f"tag '{tag}' is not in the tag vocabulary; {hint}, or add it with its definition to tags.yaml "
            "in the claims folder",
        )


@claim_rule("source-needs-publisher", severity=Severity.WARNING)
def source_needs_publisher(ctx: ClaimContext) -> Iterator[Finding]:
    """Every source names its publisher."""
    for index, source in enumerate(ctx.claim.sources):
        if source.publisher is None:
            yield ("sources", index), f"sources[{index}] has no publisher; add 'publisher:'"


@claim_rule("source-needs-date", severity=Severity.WARNING)
def source_needs_date(ctx: ClaimContext) -> Iterator[Finding]:
    """Every source gives its date, or says `undated` (the document carries none) or `unknown`
    (its date is not established yet)."""
    for index, source in enumerate(ctx.claim.sources):
        if source.published is None:
            yield (
                ("sources", index),
                f"sources[{index}] has no date; add 'published:' with the date, "
                f"'published: {UNDATED}' (the document carries none) or 'published: {DATE_UNKNOWN}'",
            )


@claim_rule("source-needs-origin", severity=Severity.WARNING)
def source_needs_origin(ctx: ClaimContext) -> Iterator[Finding]:
    """A source that supports or contradicts a claim names its `origin`, so that independence can
    be counted; without one it counts as an origin of its own."""
    for index, source in enumerate(ctx.claim.sources):
        if source.origin is None and source.relation in (SourceRelation.SUPPORTS, SourceRelation.CONTRADICTS):
            yield (
                ("sources", index),
                f"sources[{index}] {source.relation} the claim but has no origin; add 'origin:' naming where "
                "its information comes from (sources that share one are not independent)",
            )


@claim_rule("related-not-self")
def related_not_self(ctx: ClaimContext) -> Iterator[Finding]:
    """A claim does not relate to or supersede itself."""
    for index, related in enumerate(ctx.claim.related):
        if related.claim == ctx.claim_id:
            yield ("related", index, "claim"), "a claim cannot be related to itself"
    if ctx.claim.superseded_by == ctx.claim_id:
        yield ("superseded_by",), "a claim cannot supersede itself"


def _dates(claim: Claim) -> Iterator[tuple[Loc, PartialDate]]:
    if claim.date:
        yield ("date",), claim.date
    for index, source in enumerate(claim.sources):
        for name in ("published", "accessed", "archive_date"):
            value = getattr(source, name)
            if isinstance(value, PartialDate):
                yield ("sources", index, name), value
    for index, response in enumerate(claim.responses):
        if response.date:
            yield ("responses", index, "date"), response.date
    for index, entry in enumerate(claim.history):
        yield ("history", index, "date"), entry.date


@claim_rule("no-future-dates")
def no_future_dates(ctx: ClaimContext) -> Iterator[Finding]:
    """No date lies in the future."""
    for loc, value in _dates(ctx.claim):
        if value.earliest() > ctx.today:
            yield loc, f"{field_name(loc)}: {value} is in the future (today is {ctx.today.isoformat()})"


def _problems(doc: Document, rule: Rule, findings: Iterator[Finding]) -> list[Problem]:
    return [rule.problem(doc.path, *doc.mark(loc), message) for loc, message in findings]


def check_claim(
    doc: Document, claim: Claim, claim_id: str, today: dt.date, tags: Mapping[str, str] | None = None
) -> list[Problem]:
    """Run every single-claim rule (`tags`: the project's tag vocabulary, if it has one)."""
    ctx = ClaimContext(claim, claim_id, today, tags or {})
    return [problem for rule, function in CLAIM_RULES for problem in _problems(doc, rule, function(ctx))]


# --------------------------------------------------------------------------- entities

ORGANISATION_FIELDS = ("media_type", "successor_of", "same_owner_as")


@entity_rule("organisation-fields")
def organisation_fields(ctx: EntityContext) -> Iterator[Finding]:
    """`media_type`, `successor_of` and `same_owner_as` describe organisations; a person has none."""
    if ctx.entity.kind is EntityKind.PERSON:
        for name in ORGANISATION_FIELDS:
            if getattr(ctx.entity, name):
                yield (name,), f"{name} describes organisations; remove it, or set kind: organisation"


@entity_rule("organisation-not-linked-to-itself")
def organisation_not_linked_to_itself(ctx: EntityContext) -> Iterator[Finding]:
    """An organisation is not its own successor or co-owned publisher."""
    for name in ("successor_of", "same_owner_as"):
        for index, other in enumerate(getattr(ctx.entity, name)):
            if other == ctx.entity_id:
                yield (name, index), f"{name} lists the organisation itself; remove '{other}'"


def check_entity(doc: Document, entity: Entity, entity_id: str) -> list[Problem]:
    """Run every single-entity rule."""
    ctx = EntityContext(entity, entity_id)
    return [problem for rule, function in ENTITY_RULES for problem in _problems(doc, rule, function(ctx))]
