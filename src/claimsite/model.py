"""The schema: claims and entities as typed classes, one docstring per field.

The JSON Schema that editors and contributors see (`schema/*.schema.json`) is generated from
these classes by `claimsite schema`; a test fails when the committed files are stale.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from claimsite.vocab import DATE_UNKNOWN as DATE_UNKNOWN
from claimsite.vocab import PRIMARY_KINDS as PRIMARY_KINDS
from claimsite.vocab import STATUS_DEFINITIONS as STATUS_DEFINITIONS
from claimsite.vocab import STATUS_LABELS as STATUS_LABELS
from claimsite.vocab import UNDATED as UNDATED
from claimsite.vocab import Basis as Basis
from claimsite.vocab import ClaimRelation as ClaimRelation
from claimsite.vocab import Confidence as Confidence
from claimsite.vocab import EntityKind as EntityKind
from claimsite.vocab import Flag as Flag
from claimsite.vocab import LinkStatus as LinkStatus
from claimsite.vocab import MediaType as MediaType
from claimsite.vocab import SourceKind as SourceKind
from claimsite.vocab import SourceRelation as SourceRelation
from claimsite.vocab import Status as Status

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
"""Claim, entity, source and origin ids: lowercase kebab-case (also the file name)."""

ID_RE = re.compile(ID_PATTERN)
ENTITY_FOLDER = "entities"
"""Subfolder of the claims folder that holds people and organisations."""
MAX_ID_LENGTH = 100
"""Ids name files and addresses (`claims/<id>/index.html`, a redirect folder per former id): this
length keeps every path within what filesystems (255 bytes a name) and Windows paths accept."""
RESERVED_IDS = frozenset({"index"})
"""Names of pages the site generates in every folder of ids (`claims/index.md` lists the claims)."""


def id_name_problem(value: str) -> str | None:
    """Why an id that has the form of one still cannot name a page, if it cannot (the caller says
    what to change: the value, or the file's name)."""
    if value in RESERVED_IDS:
        return f"'{value}' is the name of a page the site generates"
    if len(value) > MAX_ID_LENGTH:
        return (
            f"'{value[:40]}…' is {len(value)} characters long; "
            f"an id has at most {MAX_ID_LENGTH} (it names files and addresses)"
        )
    return None


RESERVED_NAME_ERROR = "reserved_name"
"""The pydantic error type of an id that cannot name a page (see `claimsite.validate`)."""
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_URL_BAD_RE = re.compile(r'[\s<>"\\^`{|}\x00-\x1f\x7f]')
"""Characters a URL must not contain unencoded (they break links and markup)."""
CAPTURE_PATTERN = r"^sha256:[0-9a-f]{64}$"
"""A capture reference in a claim file: the SHA-256 of the capture's record."""
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, the month or only the year; the precision is kept."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; raise ValueError with a hint otherwise."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValueError("must be a date written as YYYY-MM-DD, YYYY-MM or YYYY")
        text = str(value).strip()
        match = _DATE_RE.match(text)
        if not match:
            raise ValueError(f"'{text}' is not a date; write YYYY-MM-DD, YYYY-MM or YYYY")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"'{text}' has no month {month}; months run 01 to 12")
        if year < 1:
            raise ValueError(f"'{text}' has the year 0, which no calendar has; the first year is 0001")
        if day is not None:
            try:
                dt.date(year, month or 1, day)
            except ValueError:
                raise ValueError(f"'{text}' is not a real day") from None
        return cls(year, month, day)

    @property
    def precision(self) -> Literal["year", "month", "day"]:
        """How much of the date is known."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def earliest(self) -> dt.date:
        """The first day the date can mean (for ordering and comparisons)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def sort_key(self) -> tuple[int, int, int]:
        """Sort by calendar position; a less precise date sorts before the precise ones it contains."""
        return (self.year, self.month or 0, self.day or 0)

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


Date = Annotated[
    PartialDate,
    PlainValidator(PartialDate.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
            "description": "A day (2021-01-15), a month (2021-01) or a year (2021).",
        }
    ),
]


def _parse_published(value: object) -> PartialDate | str:
    if value in (UNDATED, DATE_UNKNOWN):
        assert isinstance(value, str)
        return value
    try:
        return PartialDate.parse(value)
    except ValueError as error:
        raise ValueError(
            f"{error}, or '{UNDATED}' (the document carries no date), or '{DATE_UNKNOWN}' "
            "(its date is not established yet)"
        ) from None


PublishedDate = Annotated[
    PartialDate | str,
    PlainValidator(_parse_published),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|undated|unknown)$",
            "description": "A day, a month or a year; 'undated' when the document carries no date; "
            "'unknown' when its date has not been established yet.",
        }
    ),
]


def _check_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError(f"'{value}' is not an id; use lowercase letters, digits and hyphens")
    problem = id_name_problem(value)
    if problem:
        raise PydanticCustomError(RESERVED_NAME_ERROR, f"{problem}; choose another id")
    return value


def _check_url(value: str) -> str:
    lowered = value.strip().lower()
    if not lowered.startswith(("https://", "http://")) or len(lowered) <= len("https://"):
        raise ValueError(f"'{value}' must start with https:// or http://")
    if _URL_BAD_RE.search(value.strip()):
        bad = sorted(set(_URL_BAD_RE.findall(value.strip())))
        shown = " ".join(repr(ch) for ch in bad)
        raise ValueError(f"'{value.strip()}' contains {shown}; percent-encode them (a space is %20)")
    return value.strip()


def _check_language(value: str) -> str:
    if not _LANG_RE.match(value):
        raise ValueError(f"'{value}' is not a language code; use ISO 639-1 such as en, be, ru, uk")
    return value


def _check_country(value: str) -> str:
    if not _COUNTRY_RE.match(value):
        raise ValueError(f"'{value}' is not a country code; use ISO 3166-1 alpha-2 in capitals, such as BY, PL, US")
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


Id = Annotated[
    str,
    AfterValidator(_check_id),
    Field(
        pattern=ID_PATTERN,
        json_schema_extra={"maxLength": MAX_ID_LENGTH, "not": {"enum": sorted(RESERVED_IDS)}},
    ),
]
Url = Annotated[str, AfterValidator(_check_url), Field(pattern=r"^https?://\S+$")]
Language = Annotated[str, AfterValidator(_check_language)]
Country = Annotated[str, AfterValidator(_check_country), Field(pattern=r"^[A-Z]{2}$")]
Text = Annotated[str, AfterValidator(_check_text), Field(min_length=1)]


# --------------------------------------------------------------------------- records


class Record(BaseModel):
    """Base for every schema class: unknown fields are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Reference(Record):
    """A document cited for an entity's names or role."""

    url: Url
    """Address of the document; must start with https:// or http://."""
    title: Text
    """Title in the original language."""
    publisher: Text | None = None
    """Outlet or organisation that published it."""
    published: Date | None = None
    """Publication date (day, month or year)."""
    accessed: Date | None = None
    """When the address was last checked to support this entry."""
    language: Language | None = None
    """ISO 639-1 code of the document's language (en, be, ru, ...)."""
    archive_url: Url | None = None
    """Address of an archived copy (Wayback Machine, archive.today)."""
    archive_date: Date | None = None
    """When the archived copy was made."""
    archive_publicly: bool = True
    """`false` keeps this document out of public web archives (`claimsite sources archive --public`
    never submits it); a local capture stays possible."""
    url_status: LinkStatus | None = None
    """What `claimsite sources check` last found at `url` (ok, redirect-permanent, moved-domain, dead,
    soft-404, blocked, paywall, drifted); written by applying the patch it suggests."""
    last_verified: Date | None = None
    """When `claimsite sources check` last found `url` working; written by applying its patch."""
    capture: Annotated[str, Field(pattern=CAPTURE_PATTERN)] | None = None
    """The SHA-256 of the `record.json` of this document's capture in the capture store (`sha256:`
    and 64 hex digits); written by applying the patch `claimsite sources archive` suggests."""
    capture_date: Date | None = None
    """The day (UTC) that capture was made."""


class Source(Record):
    """A document that bears on a claim."""

    id: Id
    """Short id, unique within the claim (s1, s2, ...), used by responses and in the text."""
    url: Url
    """Address of the document; must start with https:// or http://."""
    title: Text
    """Title in the original language; if the document has none, describe it in brackets."""
    publisher: Text | None = None
    """Who published it: an organisation's entity id (kebab-case, e.g. `belsat`), or a name in words
    (required by policy; a warning when missing)."""
    author: Text | None = None
    """Author or authors, as the document names them."""
    published: PublishedDate | None = None
    """Publication date (day, month or year); `undated` when the document carries none; `unknown`
    when its date has not been established yet."""
    accessed: Date | None = None
    """When the address was last checked to support this claim."""
    language: Language
    """ISO 639-1 code of the document's language (en, be, ru, ...)."""
    kind: SourceKind
    """What kind of document it is."""
    relation: SourceRelation
    """Whether it supports or contradicts the claim, gives context, or is a response to it."""
    origin: Id | None = None
    """Where its information comes from; sources sharing an origin are not independent."""
    archive_url: Url | None = None
    """Address of an archived copy (Wayback Machine, archive.today)."""
    archive_date: Date | None = None
    """When the archived copy was made."""
    archive_publicly: bool = True
    """`false` keeps this source out of public web archives: `claimsite sources archive --public` never
    submits it to the Wayback Machine (a page naming people at risk, whom a public copy would expose
    further). A local capture stays possible; it goes only to the capture store."""
    url_status: LinkStatus | None = None
    """What `claimsite sources check` last found at `url` (ok, redirect-permanent, moved-domain, dead,
    soft-404, blocked, paywall, drifted); written by applying the patch it suggests."""
    last_verified: Date | None = None
    """When `claimsite sources check` last found `url` working and, with a `quote`, the quote on the
    page; written by applying the patch it suggests."""
    capture: Annotated[str, Field(pattern=CAPTURE_PATTERN)] | None = None
    """The SHA-256 of the `record.json` of this source's capture (`sha256:` and 64 hex digits): the
    capture itself (WARC, WACZ, PNG, text) stays in the capture store; `claimsite sources verify`
    checks that the store holds this record and that its files still match. Written by applying the
    patch `claimsite sources archive` suggests."""
    capture_date: Date | None = None
    """The day (UTC) that capture was made."""
    quote: Text | None = None
    """A short verbatim passage in the original language (at most one per source)."""
    quote_translated_from: Language | None = None
    """When the quote is the outlet's own translation of speech or text in another language, that
    language's ISO 639-1 code (ru, be, ...); pages then say the wording is the outlet's translation."""
    quote_en: Text | None = None
    """English translation of the quote."""
    note: Text | None = None
    """What this source shows, paraphrased in one or two sentences."""


class Response(Record):
    """An official reply, comment or denial about the claim."""

    by: Text
    """Who responded: an entity id, or a name in words."""
    date: Date | None = None
    """When the response was made."""
    summary: Text
    """What the response said, paraphrased."""
    sources: list[Id] = []
    """Ids of this claim's sources that report the response."""


class Related(Record):
    """A link to another claim."""

    claim: Id
    """Id of the other claim (its file name without .yaml)."""
    relation: ClaimRelation
    """How the other claim relates to this one."""
    note: Text | None = None
    """Why the link matters, in one sentence."""


class HistoryEntry(Record):
    """One status decision, oldest first; the last entry must match the current status."""

    date: Date
    """When the status was set."""
    status: Status
    """The status set on that date."""
    note: Text | None = None
    """Why the status was set or changed."""
    correction: bool = False
    """True when this entry corrects an error of fact or quotation in the published text (listed in
    the public corrections log), whether or not the status changed."""


class Claim(Record):
    """One claim: a statement, its evidentiary status and the sources it rests on."""

    title: Text
    """Short headline of the claim (what readers see in lists)."""
    statement: Text
    """The claim in full, neutral and attributed ("according to ...", "X said ...")."""
    status: Status
    """Evidentiary status: alleged, corroborated, confirmed, disputed, misleading or false."""
    status_reason: Text
    """One sentence saying why the claim has this status."""
    confidence: Confidence = Confidence.MEDIUM
    """Editorial confidence in the status: high, medium or low."""
    basis: list[Basis] = []
    """What a confirmed status rests on (required when status is confirmed)."""
    flags: list[Flag] = []
    """Lifecycle overlays: under_review, superseded, retracted."""
    superseded_by: Id | None = None
    """Id of the claim that replaces this one (required with the superseded flag)."""
    date: Date | None = None
    """When the claimed event happened (day, month or year)."""
    claimant: Text | None = None
    """Who makes the claim: an entity id, or a name in words."""
    people: list[Id] = []
    """Entity ids of the people the claim is about."""
    organisations: list[Id] = []
    """Entity ids of the organisations the claim is about."""
    places: list[Text] = []
    """Places where the event happened, in English."""
    tags: list[Id] = []
    """Topics, as lowercase kebab-case words."""
    sources: list[Source] = Field(min_length=1)
    """The documents that bear on the claim; at least one."""
    responses: list[Response] = []
    """Official replies and denials."""
    related: list[Related] = []
    """Links to other claims."""
    history: list[HistoryEntry] = Field(min_length=1)
    """Every status decision, oldest first; the last must equal `status`."""
    renamed_from: list[Id] = []
    """Former ids of this claim; the site keeps their addresses working as redirects."""


class Entity(Record):
    """A person or organisation that claims refer to."""

    kind: EntityKind
    """person or organisation."""
    name: Text
    """The name in English, as used on the site."""
    names: dict[Language, Text] = {}
    """The name in other languages and scripts, keyed by language code (be, ru, ...)."""
    aliases: list[Text] = []
    """Every other spelling and transliteration in use; search finds the entity by any of them."""
    role: Text
    """One line saying who this is (office, function, dates)."""
    sources: list[Reference] = []
    """Documents that support the role line."""
    media_type: MediaType | None = None
    """Organisations that publish: what kind of publisher this is (independent-media, state-media, ...)."""
    country: Country | None = None
    """Organisations: the country it is based in or belongs to, as an ISO 3166-1 code (BY, PL, US)."""
    successor_of: list[Id] = []
    """Organisations: ids of organisations this one continues (Zerkalo continues TUT.BY's newsroom);
    their sources are not independent of each other."""
    same_owner_as: list[Id] = []
    """Organisations: ids of organisations with the same owner or parent (Current Time and RFE/RL);
    their sources are not independent of each other."""


# --------------------------------------------------------------------------- loaded objects


RecordT = TypeVar("RecordT", bound=Record)


@dataclass(frozen=True)
class Loaded(Generic[RecordT]):
    """A checked record with the id taken from its file name and the path it came from."""

    id: str
    path: str
    """Where the file is, as shown in messages (relative to the working folder when inside it)."""
    data: RecordT
    source_path: str = ""
    """The file's path inside the claims folder (`x.yaml`, `entities/y.yaml`), for edit links."""


def json_schema(model: type[Record]) -> dict[str, Any]:
    """The JSON Schema for one record class, as committed under `schema/`."""
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def schema_files() -> dict[str, str]:
    """File name -> JSON text of every committed schema (`claimsite schema` writes them)."""
    import json

    return {
        f"{name}.schema.json": json.dumps(json_schema(model), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for name, model in (("claim", Claim), ("entity", Entity))
    }
