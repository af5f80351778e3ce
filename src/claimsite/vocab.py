"""The vocabularies of the schema (enums) with every label and definition shown to readers, once.

Every output takes its words from here: the site, the PDF, the data exports.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The evidentiary state of a claim; definitions are on the methodology page."""

    ALLEGED = "alleged"
    CORROBORATED = "corroborated"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    MISLEADING = "misleading"
    FALSE = "false"


STATUS_LABELS: dict[Status, str] = {
    Status.ALLEGED: "Alleged",
    Status.CORROBORATED: "Corroborated",
    Status.CONFIRMED: "Confirmed",
    Status.DISPUTED: "Disputed",
    Status.MISLEADING: "Misleading",
    Status.FALSE: "False",
}

STATUS_DEFINITIONS: dict[Status, str] = {
    Status.ALLEGED: "Asserted by a named source; not independently corroborated. The default for new claims.",
    Status.CORROBORATED: "Supported by two or more sources of independent origin, or partly by "
    "primary material; not conclusive.",
    Status.CONFIRMED: "Established by primary evidence, official acknowledgement, a court or "
    "official finding, or several independent sources with no credible contradiction.",
    Status.DISPUTED: "Credible, independently sourced accounts materially conflict. A denial by "
    "the accused party alone is a response, not a dispute.",
    Status.MISLEADING: "The facts are real but the framing or numbers mislead.",
    Status.FALSE: "Shown to be false; the disproof and its sources are given.",
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
    MediaType.INDEPENDENT_MEDIA: "independent media",
    MediaType.STATE_MEDIA: "state media",
    MediaType.PUBLIC_MEDIA: "publicly funded media",
    MediaType.AGGREGATOR: "aggregator",
    MediaType.NGO: "NGO",
    MediaType.GOVERNMENT_BODY: "government body",
    MediaType.INTERNATIONAL_ORGANISATION: "international organisation",
    MediaType.POLITICAL_ORGANISATION: "political organisation",
    MediaType.COMPANY: "company",
    MediaType.OTHER: "other",
}

FLAG_LABELS: dict[Flag, str] = {
    Flag.UNDER_REVIEW: "Under review",
    Flag.SUPERSEDED: "Superseded",
    Flag.RETRACTED: "Retracted",
}

RELATION_LABELS: dict[ClaimRelation, str] = {
    ClaimRelation.DEPENDS_ON: "Depends on",
    ClaimRelation.SUPPORTS: "Supports",
    ClaimRelation.CONTRADICTS: "Contradicts",
    ClaimRelation.CONTEXT: "Context for",
    ClaimRelation.SAME_EVENT: "Same event as",
    ClaimRelation.PART_OF: "Part of",
}
"""How a `related` link reads on the page of the claim that lists it."""

INVERSE_LABELS: dict[ClaimRelation, str] = {
    ClaimRelation.DEPENDS_ON: "Is a premise of",
    ClaimRelation.SUPPORTS: "Supported by",
    ClaimRelation.CONTRADICTS: "Contradicted by",
    ClaimRelation.CONTEXT: "Has context in",
    ClaimRelation.SAME_EVENT: "Same event as",
    ClaimRelation.PART_OF: "Includes",
}
"""How a `related` link reads on the page of the claim it points to."""

SOURCE_RELATION_LABELS: dict[SourceRelation, str] = {
    SourceRelation.SUPPORTS: "supports",
    SourceRelation.CONTRADICTS: "contradicts",
    SourceRelation.CONTEXT: "context",
    SourceRelation.RESPONSE: "response",
}

KIND_LABELS: dict[SourceKind, str] = {
    SourceKind.NEWS: "news",
    SourceKind.NGO_REPORT: "NGO report",
    SourceKind.OFFICIAL_STATEMENT: "official statement",
    SourceKind.COURT_RECORD: "court record",
    SourceKind.LEAKED_MEDIA: "leaked media",
    SourceKind.SOCIAL_MEDIA: "social media",
    SourceKind.DATASET: "dataset",
    SourceKind.ANALYSIS: "analysis",
    SourceKind.INTERVIEW: "interview",
}

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "be": "Belarusian", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish",
    "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "de": "German", "fr": "French",
    "cs": "Czech", "sk": "Slovak", "it": "Italian", "es": "Spanish", "sv": "Swedish",
    "nl": "Dutch", "ka": "Georgian",
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

UNKNOWN_PUBLISHER = "Publisher not stated"

UNDATED = "undated"
"""Written in `published` when the document itself carries no date."""

DATE_UNKNOWN = "unknown"
"""Written in `published` when the document's date has not been established yet."""

PUBLISHED_LABELS: dict[str, str] = {UNDATED: "undated", DATE_UNKNOWN: "date not established"}
"""How the two kinds of missing date read on pages."""


def translation_note(code: str) -> str:
    """What a page says after a quote that is the outlet's translation from the language `code`."""
    return f"the outlet's translation from {language_name(code)}"


def language_name(code: str) -> str:
    """The English name of a language code, or the code."""
    return LANGUAGE_NAMES.get(code, code)
