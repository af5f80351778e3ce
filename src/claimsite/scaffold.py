# ruff: noqa: RUF003  (Cyrillic letters and typographic quotes are the point here)
"""`claimsite new`: commented starting files for a claim or an entity.

The templates are pure functions (values in, YAML text out). Every required value a contributor
must supply is left empty with a `# TODO` comment beside it: the schema refuses an empty required
field, so `claimsite check` fails until each one is filled, and its message names the field.
One helper writes the file, and it never replaces an existing one. `create_new` is the command
itself: it checks the options, asks on a terminal for what is missing, plans and writes the file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import click
import yaml
from pydantic import TypeAdapter, ValidationError

from claimsite.env import build_date
from claimsite.errors import ScaffoldError
from claimsite.model import ENTITY_FOLDER, EntityKind, SourceKind, SourceRelation, Status, Url

MAX_ID_LENGTH = 60
"""Longer slugs are cut at a hyphen: the id is a file name and part of every link to the claim."""

SCHEMA_URL = "https://raw.githubusercontent.com/claimsite/claimsite/main/schema/{name}"
"""Used in the editor hint when no `schema/` folder is found above the claims folder."""

_URL: TypeAdapter[str] = TypeAdapter(Url)

# Belarusian and Russian romanisation as this project writes names (Karpyankou, Taraikouski,
# Tsikhanouskaya). Letters shared by the languages differ only in `г` (h in Belarusian and
# Ukrainian, g in Russian) and `и` (y in Ukrainian), chosen by the letters only those languages use.
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ґ": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "є": "ye",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "і": "i",
    "ї": "yi",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ў": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "'": "",
    "’": "",
    "ʼ": "",
    # Latin letters that Unicode does not decompose into a base letter and an accent
    "ł": "l",
    "đ": "d",
    "ø": "o",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ı": "i",
}
_BELARUSIAN_OR_UKRAINIAN = set("іўїєґ")
_UKRAINIAN = set("їєґ")


def transliterate(text: str) -> str:
    """Lowercase text with Cyrillic letters (Belarusian, Russian, Ukrainian) and ł, ø, ß... as Latin ones."""
    lowered = text.lower()
    letters = set(lowered)
    table = dict(_CYRILLIC)
    if letters & _BELARUSIAN_OR_UKRAINIAN:
        table["г"] = "h"
    if letters & _UKRAINIAN:
        table["и"] = "y"
    return "".join(table.get(ch, ch) for ch in lowered)


def slugify(text: str, max_length: int = MAX_ID_LENGTH) -> str:
    """A lowercase ASCII kebab-case id from a title; empty when nothing usable is left.

    Cyrillic is transliterated, accents are dropped (Łukašenka -> lukasenka), and a slug longer
    than `max_length` is cut at the last hyphen that fits.
    """
    latin = unicodedata.normalize("NFKD", transliterate(text)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else cut[:max_length]
    return slug.strip("-")


def today_from_environment(override: str | dt.date | None = None) -> dt.date:
    """The date for the first history entry: the override, SOURCE_DATE_EPOCH, or the clock.

    A SOURCE_DATE_EPOCH that is not a number of seconds is an error (ConfigError), not a reason
    to fall back on the clock.
    """
    if isinstance(override, dt.date):
        return override
    if override is not None:
        try:
            return dt.date.fromisoformat(override.strip())
        except ValueError:
            raise ScaffoldError(f"'{override}' is not a date; write YYYY-MM-DD") from None
    return build_date()


def url_problem(url: str) -> str | None:
    """What is wrong with a source address, by the schema's rule; None when it is fine."""
    try:
        _URL.validate_python(url)
    except ValidationError as error:
        return str(error.errors()[0]["msg"]).removeprefix("Value error, ")
    return None


def yaml_scalar(value: str) -> str:
    """A string as one YAML scalar: plain when that is safe, quoted otherwise."""
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1_000_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def schema_ref(target: Path, schema_name: str) -> str:
    """The `$schema` value for a file about to be written at `target`.

    A path relative to the file when a `schema/<schema_name>` exists in a folder above it (editors
    resolve it offline); the published copy otherwise.
    """
    folder = target.resolve().parent
    for parent in [folder, *folder.parents]:
        candidate = parent / "schema" / schema_name
        if candidate.is_file():
            return Path(os.path.relpath(candidate, folder)).as_posix()
    return SCHEMA_URL.format(name=schema_name)


def _choices(values: Sequence[object]) -> str:
    return " | ".join(str(v) for v in values)


def _source_block(index: int, url: str | None) -> str:
    url_line = f"url: {yaml_scalar(url)}" if url else "url:            # TODO: the address, https://..."
    kinds, relations = _choices(list(SourceKind)), _choices(list(SourceRelation))
    return f"""\
  - id: s{index}
    {url_line}
    title:          # TODO: the title in the original language; if it has none, [describe it in brackets]
    publisher:      # TODO: the outlet's name, or its id if claims/entities/ has it (belsat)
    published:      # TODO: YYYY-MM-DD, YYYY-MM or YYYY; `undated` if it has none, `unknown` if not seen
    language:       # TODO: ISO 639-1 code: en, be, ru, uk, ...
    kind:           # TODO: {kinds}
    relation:       # TODO: {relations}
    origin:         # where its information comes from (an id: bypol-recording); same origin = not independent
    note:           # what this source shows, paraphrased in one or two sentences
    # archive_url: https://web.archive.org/web/...
    # quote: "a short verbatim passage in the original language, at most 25 words"
"""


def claim_template(
    title: str,
    *,
    status: Status = Status.ALLEGED,
    sources: Sequence[str] = (),
    today: dt.date,
    schema: str,
    claim_id: str,
) -> str:
    """The YAML text of a new claim: title, status and history filled in, TODOs for the rest."""
    statuses = _choices(list(Status))
    source_blocks = "".join(_source_block(i, url) for i, url in enumerate(sources or [None], start=1))
    return f"""\
# yaml-language-server: $schema={schema}
#
# New claim '{claim_id}' (the file name is its id and permanent address).
# Fill in every TODO, delete the hints you do not need, then run:  claimsite check
# How to choose a status: docs/methodology.md. Field by field: CONTRIBUTING.md.

title: {yaml_scalar(title)}
statement:          # TODO: the claim in full, neutral and attributed ("according to ...", "X said ...")
status: {status}    # {statuses}
status_reason:      # TODO: one sentence saying why the claim has this status
confidence: medium  # high | medium | low: editorial confidence in the status
# basis: [independent-sources]  # required when status is confirmed; see docs/methodology.md
date:               # when it happened: YYYY-MM-DD, YYYY-MM or YYYY (leave empty if unknown)
claimant:           # who makes the claim: an entity id (bypol) or a name in words
people: []          # entity ids of the people it is about: [karpyankou]
organisations: []   # entity ids of the organisations it is about: [mvd-belarus]
places: []          # in English: [Minsk]
tags: []            # lowercase-kebab-case topics: [leak, use-of-force]
sources:            # every document that bears on the claim, contradicting ones too
{source_blocks}\
# responses:        # official replies and denials (a denial alone does not make a claim disputed)
#   - by: mvd-belarus
#     date: 2021-01-15
#     summary: Called the recording fake; gave no details.
#     sources: [s1]
# related:
#   - {{claim: recording-voice-attribution, relation: depends-on}}
history:            # every status decision, oldest first; the last one matches `status`
  - date: {today.isoformat()}
    status: {status}
    note:           # why this status was set (optional)
"""


def entity_template(name: str, *, kind: EntityKind, sources: Sequence[str] = (), schema: str, entity_id: str) -> str:
    """The YAML text of a new person or organisation."""
    urls: Sequence[str | None] = list(sources) or [None]
    blocks = ""
    for url in urls:
        url_line = f"url: {yaml_scalar(url)}" if url else "url:          # TODO: the address, https://..."
        blocks += f"""\
  - {url_line}
    title:        # TODO: the title in the original language
    publisher:    # the outlet or organisation that published it
    published:    # YYYY-MM-DD, YYYY-MM or YYYY
    language:     # ISO 639-1 code: en, be, ru, uk, ...
"""
    return f"""\
# yaml-language-server: $schema={schema}
#
# New {kind} '{entity_id}': claims refer to it by this id (the file name).
# Fill in every TODO, delete the hints you do not need, then run:  claimsite check

kind: {kind}
name: {yaml_scalar(name)}   # in English, as used on the site
# names:            # the name in other languages and scripts, keyed by language code
#   be: Мікалай Карпянкоў
#   ru: Николай Карпенков
aliases: []         # every other spelling and transliteration; search finds the {kind} by any of them
role:               # TODO: one line saying who this is (office, function, dates)
sources:            # documents that support the role line
{blocks}"""


@dataclass(frozen=True)
class NewFile:
    """A file `claimsite new` is about to write."""

    path: Path
    text: str
    id: str
    shortened: bool = False
    """True when the id was cut to MAX_ID_LENGTH."""


def _target(title: str, given_id: str | None) -> tuple[str, bool]:
    if given_id is not None:
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", given_id):
            raise ScaffoldError(f"'{given_id}' is not an id; use lowercase letters, digits and hyphens")
        return given_id, False
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"cannot make an id from '{title}'; choose one with --id (lowercase, digits, hyphens)")
    return slug, len(slugify(title, max_length=10_000)) > len(slug)


def plan_claim(
    claims_dir: Path,
    title: str,
    *,
    status: Status = Status.ALLEGED,
    sources: Sequence[str] = (),
    today: dt.date,
    claim_id: str | None = None,
) -> NewFile:
    """Where a new claim goes and what it contains; nothing is written."""
    if not title.strip():
        raise ScaffoldError("the title must not be empty")
    new_id, shortened = _target(title, claim_id)
    path = claims_dir / f"{new_id}.yaml"
    text = claim_template(
        title.strip(),
        status=status,
        sources=sources,
        today=today,
        schema=schema_ref(path, "claim.schema.json"),
        claim_id=new_id,
    )
    return NewFile(path, text, new_id, shortened)


def plan_entity(
    claims_dir: Path, name: str, *, kind: EntityKind, sources: Sequence[str] = (), entity_id: str | None = None
) -> NewFile:
    """Where a new entity goes (`<claims>/entities/<id>.yaml`) and what it contains."""
    if not name.strip():
        raise ScaffoldError("the name must not be empty")
    new_id, shortened = _target(name, entity_id)
    path = claims_dir / ENTITY_FOLDER / f"{new_id}.yaml"
    text = entity_template(
        name.strip(), kind=kind, sources=sources, schema=schema_ref(path, "entity.schema.json"), entity_id=new_id
    )
    return NewFile(path, text, new_id, shortened)


def write_new(new: NewFile) -> Path:
    """Create the file; refuse (ScaffoldError) when it already exists, even if created a moment ago."""
    new.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Exclusive creation: the existence test and the write are one step, so nothing is overwritten.
        with new.path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(new.text)
    except FileExistsError:
        raise ScaffoldError(f"{new.path} already exists; edit it, or choose another id with --id") from None
    return new.path


# --------------------------------------------------------------------------- the `new` command

STATUS_CHOICES = tuple(status.value for status in Status)
KIND_CHOICES = tuple(kind.value for kind in EntityKind)


@dataclass(frozen=True)
class NewRequest:
    """What `claimsite new` was given; None where nothing was, to be asked for or defaulted."""

    claims: Path
    """The claims folder; it must exist."""
    title: str | None = None
    """The claim's title, or the entity's name."""
    entity: bool = False
    status: Status | None = None
    """Claims only (default: alleged)."""
    kind: EntityKind | None = None
    """Entities only, and required for them."""
    sources: tuple[str, ...] = ()
    id: str | None = None
    """The id to use instead of one made from the title."""
    today: str | None = None
    """YYYY-MM-DD of the first history entry (default: SOURCE_DATE_EPOCH's date, or today)."""


def create_new(request: NewRequest, *, interactive: bool) -> NewFile:
    """Write the file `request` asks for, asking on the terminal for what it lacks when `interactive`.

    Options that do not go together are usage errors (click.UsageError, click.BadParameter: exit
    status 2); a file that cannot be written is a ScaffoldError. Nothing is written on any error.
    """
    _check_request(request)
    if request.title is None:
        if not interactive:
            raise click.UsageError("give the title (or run on a terminal to be asked)")
        request = _ask(request)
    if not request.claims.is_dir():
        raise ScaffoldError(f"no folder {request.claims}/; run this in the repository's root folder, or pass --claims")
    planned = _plan(request)
    write_new(planned)
    return planned


def _check_request(request: NewRequest) -> None:
    for url in request.sources:
        problem = url_problem(url)
        if problem:
            raise click.BadParameter(problem, param_hint="--source")
    if request.entity and request.status:
        raise click.UsageError("--status is for claims; an entity has no status")
    if not request.entity and request.kind:
        raise click.UsageError("--kind goes with --entity")


def _ask(request: NewRequest) -> NewRequest:
    """The request with the title, kind or status, and sources asked for on the terminal."""
    title: str = click.prompt("Name" if request.entity else "Title")
    kind, status = request.kind, request.status
    if request.entity and kind is None:
        kind = EntityKind(click.prompt("Kind", type=click.Choice(KIND_CHOICES)))
    if not request.entity and status is None:
        answer = click.prompt(
            "Status (see docs/methodology.md)", default=Status.ALLEGED.value, type=click.Choice(STATUS_CHOICES)
        )
        status = Status(answer)
    sources = request.sources or tuple(_ask_urls())
    return replace(request, title=title, kind=kind, status=status, sources=sources)


def _ask_urls() -> list[str]:
    urls: list[str] = []
    while True:
        url = click.prompt(f"Source {len(urls) + 1} URL (empty to finish)", default="", show_default=False).strip()
        if not url:
            return urls
        problem = url_problem(url)
        if problem:
            click.echo(f"Error: {problem}", err=True)
        else:
            urls.append(url)


def _plan(request: NewRequest) -> NewFile:
    title = request.title or ""
    if request.entity:
        if request.kind is None:
            raise click.UsageError("--entity needs --kind person or --kind organisation")
        return plan_entity(request.claims, title, kind=request.kind, sources=request.sources, entity_id=request.id)
    return plan_claim(
        request.claims,
        title,
        status=request.status or Status.ALLEGED,
        sources=request.sources,
        today=today_from_environment(request.today),
        claim_id=request.id,
    )
