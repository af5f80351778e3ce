"""The vocabularies of the schema (enums) with every label and definition shown to readers, once.

Every output takes its words from here: the site, the PDF, the data exports.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from claimsite.i18n import N_


class Status(StrEnum):
    """The evidentiary state of a claim; definitions are on the methodology page."""

    ALLEGED = "alleged"
    CORROBORATED = "corroborated"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    MISLEADING = "misleading"
    FALSE = "false"


STATUS_LABELS: dict[Status, str] = {
    Status.ALLEGED: N_("Alleged"),
    Status.CORROBORATED: N_("Corroborated"),
    Status.CONFIRMED: N_("Confirmed"),
    Status.DISPUTED: N_("Disputed"),
    Status.MISLEADING: N_("Misleading"),
    Status.FALSE: N_("False"),
}

STATUS_DEFINITIONS: dict[Status, str] = {
    Status.ALLEGED: N_("Asserted by a named source; not independently corroborated. The default for new claims."),
    Status.CORROBORATED: N_(
        "Supported by two or more sources of independent origin, or partly by primary material; not conclusive."
    ),
    Status.CONFIRMED: N_(
        "Established by primary evidence, official acknowledgement, a court or "
        "official finding, or several independent sources with no credible contradiction."
    ),
    Status.DISPUTED: N_(
        "Credible, independently sourced accounts materially conflict. A denial by "
        "the accused party alone is a response, not a dispute."
    ),
    Status.MISLEADING: N_("The facts are real but the framing or numbers mislead."),
    Status.FALSE: N_("Shown to be false; the disproof and its sources are given."),
}


class Flag(StrEnum):
    """Overlays that keep a claim visible while marking its lifecycle."""

    UNDER_REVIEW = "under_review"
    SUPERSEDED = "superseded"
    RETRACTED = "retracted"


class Confidence(StrEnum):
    """Editorial confidence in the status (not in the claim itself)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Basis(StrEnum):
    """What a `confirmed` status rests on."""

    PRIMARY_DOCUMENT = "primary-document"
    AUTHENTICATED_MEDIA = "authenticated-media"
    INDEPENDENT_SOURCES = "independent-sources"
    OFFICIAL_ACKNOWLEDGEMENT = "official-acknowledgement"
    COURT_OR_OFFICIAL_FINDING = "court-or-official-finding"
    FORENSIC_ANALYSIS = "forensic-analysis"


class SourceKind(StrEnum):
    """What kind of document a source is."""

    NEWS = "news"
    NGO_REPORT = "ngo-report"
    OFFICIAL_STATEMENT = "official-statement"
    COURT_RECORD = "court-record"
    LEAKED_MEDIA = "leaked-media"
    SOCIAL_MEDIA = "social-media"
    DATASET = "dataset"
    ANALYSIS = "analysis"
    INTERVIEW = "interview"


class LinkStatus(StrEnum):
    """What `claimsite sources check` found at an address: exactly one of these per address and run."""

    OK = "ok"
    REDIRECT_PERMANENT = "redirect-permanent"
    MOVED_DOMAIN = "moved-domain"
    DEAD = "dead"
    SOFT_404 = "soft-404"
    BLOCKED = "blocked"
    PAYWALL = "paywall"
    DRIFTED = "drifted"


LINK_GONE = frozenset({LinkStatus.DEAD, LinkStatus.SOFT_404})
"""The statuses that mean the page is no longer there: only these count towards a dead address."""

LINK_STATUS_LABELS: dict[LinkStatus, str] = {
    LinkStatus.OK: N_("Working"),
    LinkStatus.REDIRECT_PERMANENT: N_("Moved permanently"),
    LinkStatus.MOVED_DOMAIN: N_("Moved to another site"),
    LinkStatus.DEAD: N_("Dead"),
    LinkStatus.SOFT_404: N_("Soft 404"),
    LinkStatus.BLOCKED: N_("Blocked"),
    LinkStatus.PAYWALL: N_("Paywall"),
    LinkStatus.DRIFTED: N_("Drifted"),
}

LINK_STATUS_DEFINITIONS: dict[LinkStatus, str] = {
    LinkStatus.OK: N_("The page opens and, where the source quotes it, still holds the quote."),
    LinkStatus.REDIRECT_PERMANENT: N_("The address redirects permanently to another address on the same site."),
    LinkStatus.MOVED_DOMAIN: N_(
        "The address now lands on another site: the publisher moved, or someone else took the domain over."
    ),
    LinkStatus.DEAD: N_("The page is gone: not found, removed, or the server does not answer."),
    LinkStatus.SOFT_404: N_(
        "The server answers, but with a page saying it was not found, or with the page any made-up address gets."
    ),
    LinkStatus.BLOCKED: N_(
        "The server refused the checker (access denied, unavailable for legal reasons, or a bot challenge)."
    ),
    LinkStatus.PAYWALL: N_("The page is behind a paywall, so its text could not be checked."),
    LinkStatus.DRIFTED: N_("The page opens, but the quote the source gives is no longer on it."),
}
"""What each link status means, on the link-health page."""


PRIMARY_KINDS = frozenset(
    {SourceKind.OFFICIAL_STATEMENT, SourceKind.COURT_RECORD, SourceKind.LEAKED_MEDIA, SourceKind.DATASET}
)
"""Kinds that count as primary material (the record itself rather than a report about it)."""


class SourceRelation(StrEnum):
    """How a source bears on the claim."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    CONTEXT = "context"
    RESPONSE = "response"


class ClaimRelation(StrEnum):
    """How another claim relates to this one."""

    DEPENDS_ON = "depends-on"
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    CONTEXT = "context"
    SAME_EVENT = "same-event"
    PART_OF = "part-of"


class EntityKind(StrEnum):
    """Whether an entity is a person or an organisation."""

    PERSON = "person"
    ORGANISATION = "organisation"


class MediaType(StrEnum):
    """What kind of organisation a publisher is, for readers weighing a source."""

    INDEPENDENT_MEDIA = "independent-media"
    STATE_MEDIA = "state-media"
    PUBLIC_MEDIA = "public-media"
    AGGREGATOR = "aggregator"
    NGO = "ngo"
    GOVERNMENT_BODY = "government-body"
    INTERNATIONAL_ORGANISATION = "international-organisation"
    POLITICAL_ORGANISATION = "political-organisation"
    COMPANY = "company"
    OTHER = "other"


MEDIA_TYPE_LABELS: dict[MediaType, str] = {
    MediaType.INDEPENDENT_MEDIA: N_("independent media"),
    MediaType.STATE_MEDIA: N_("state media"),
    MediaType.PUBLIC_MEDIA: N_("publicly funded media"),
    MediaType.AGGREGATOR: N_("aggregator"),
    MediaType.NGO: N_("NGO"),
    MediaType.GOVERNMENT_BODY: N_("government body"),
    MediaType.INTERNATIONAL_ORGANISATION: N_("international organisation"),
    MediaType.POLITICAL_ORGANISATION: N_("political organisation"),
    MediaType.COMPANY: N_("company"),
    MediaType.OTHER: N_("other"),
}

BASIS_LABELS: dict[Basis, str] = {
    Basis.PRIMARY_DOCUMENT: N_("primary document"),
    Basis.AUTHENTICATED_MEDIA: N_("authenticated media"),
    Basis.INDEPENDENT_SOURCES: N_("independent sources"),
    Basis.OFFICIAL_ACKNOWLEDGEMENT: N_("official acknowledgement"),
    Basis.COURT_OR_OFFICIAL_FINDING: N_("court or official finding"),
    Basis.FORENSIC_ANALYSIS: N_("forensic analysis"),
}
"""How the `basis` of a confirmed claim reads on its page."""

FLAG_LABELS: dict[Flag, str] = {
    Flag.UNDER_REVIEW: N_("Under review"),
    Flag.SUPERSEDED: N_("Superseded"),
    Flag.RETRACTED: N_("Retracted"),
}

RELATION_LABELS: dict[ClaimRelation, str] = {
    ClaimRelation.DEPENDS_ON: N_("Depends on"),
    ClaimRelation.SUPPORTS: N_("Supports"),
    ClaimRelation.CONTRADICTS: N_("Contradicts"),
    ClaimRelation.CONTEXT: N_("Context for"),
    ClaimRelation.SAME_EVENT: N_("Same event as"),
    ClaimRelation.PART_OF: N_("Part of"),
}
"""How a `related` link reads on the page of the claim that lists it."""

INVERSE_LABELS: dict[ClaimRelation, str] = {
    ClaimRelation.DEPENDS_ON: N_("Is a premise of"),
    ClaimRelation.SUPPORTS: N_("Supported by"),
    ClaimRelation.CONTRADICTS: N_("Contradicted by"),
    ClaimRelation.CONTEXT: N_("Has context in"),
    ClaimRelation.SAME_EVENT: N_("Same event as"),
    ClaimRelation.PART_OF: N_("Includes"),
}
"""How a `related` link reads on the page of the claim it points to."""

SOURCE_RELATION_LABELS: dict[SourceRelation, str] = {
    SourceRelation.SUPPORTS: N_("supports"),
    SourceRelation.CONTRADICTS: N_("contradicts"),
    SourceRelation.CONTEXT: N_("context"),
    SourceRelation.RESPONSE: N_("response"),
}

KIND_LABELS: dict[SourceKind, str] = {
    SourceKind.NEWS: N_("news"),
    SourceKind.NGO_REPORT: N_("NGO report"),
    SourceKind.OFFICIAL_STATEMENT: N_("official statement"),
    SourceKind.COURT_RECORD: N_("court record"),
    SourceKind.LEAKED_MEDIA: N_("leaked media"),
    SourceKind.SOCIAL_MEDIA: N_("social media"),
    SourceKind.DATASET: N_("dataset"),
    SourceKind.ANALYSIS: N_("analysis"),
    SourceKind.INTERVIEW: N_("interview"),
}

LANGUAGE_NAMES: dict[str, str] = {
    "en": N_("English"), "be": N_("Belarusian"), "ru": N_("Russian"), "uk": N_("Ukrainian"),
    "pl": N_("Polish"), "lt": N_("Lithuanian"), "lv": N_("Latvian"), "et": N_("Estonian"), "de": N_("German"),
    "fr": N_("French"), "cs": N_("Czech"), "sk": N_("Slovak"), "it": N_("Italian"), "es": N_("Spanish"),
    "sv": N_("Swedish"), "nl": N_("Dutch"), "ka": N_("Georgian"),
}  # fmt: skip
"""Display names of language codes; any other code is shown as written."""

RATING: dict[Status, int] = {
    Status.CONFIRMED: 5,
    Status.CORROBORATED: 4,
    Status.DISPUTED: 3,
    Status.MISLEADING: 2,
    Status.FALSE: 1,
}
"""ClaimReview ratings; `alleged` gets no rating (a rating would misstate 'not yet verified')."""

UNKNOWN_PUBLISHER = N_("Publisher not stated")

UNDATED = "undated"
"""Written in `published` when the document itself carries no date."""

DATE_UNKNOWN = "unknown"
"""Written in `published` when the document's date has not been established yet."""

PUBLISHED_LABELS: dict[str, str] = {UNDATED: N_("undated"), DATE_UNKNOWN: N_("date not established")}
"""How the two kinds of missing date read on pages."""


TRANSLATION_NOTE = N_("the outlet's translation from {language}")
"""Said after a quote that is the outlet's translation; `{language}` is a name from LANGUAGE_NAMES."""


def translation_note(code: str, t: Callable[..., str] | None = None) -> str:
    """What a page says after a quote that is the outlet's translation from the language `code`;
    in English, or through the catalog `t` (a `claimsite.i18n.Messages`) when given."""
    if t is None:
        return TRANSLATION_NOTE.format(language=language_name(code))
    return t(TRANSLATION_NOTE, language=t(language_name(code)))


def language_name(code: str) -> str:
    """The English name of a language code, or the code."""
    return LANGUAGE_NAMES.get(code, code)
