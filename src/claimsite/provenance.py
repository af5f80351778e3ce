"""What a reader can check about each source: the evidence line of the site and the PDF.

One value per source (`Provenance`), gathered from the claim file (`url_status`, `last_verified`,
`archive_url`, `archive_date`, `capture`, `capture_date`), from the link state `claimsite sources
check` writes, when there is one, and from the capture store of `claimsite sources archive`, when
the build can see it. The renderers turn it into words (`claimsite.render`, `claimsite.pdf`) with
the same `phrases`, so the site and the PDF say the same thing.

Everything here comes from files, never from the clock, so pages stay the same from build to build
of the same files. Reading the store hashes each `record.json` (a few KB) but none of the captured
files: re-hashing those is what `claimsite sources verify` does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from claimsite.i18n import N_
from claimsite.linkstate import Entry, LinkState
from claimsite.model import PartialDate, Reference, Source
from claimsite.vocab import LINK_GONE, LinkStatus

RECORD = "record.json"
ENTITIES = "_entities"
"""Where the captures of entities' sources go in the store (`_entities/<entity>/<source>/<capture>`):
a name no claim id can take (ids are kebab-case)."""
"""The file of a capture folder whose SHA-256 a claim file's `capture` names (`claimsite.archive`)."""
SHORT_HASH = 12
"""Hex digits of a capture hash shown on pages; the full hash is in the claim file and the title."""
VERIFY_SECTION = "verify-a-capture"
"""The id of the methodology page's section on verifying a capture (docs/methodology.md)."""


# --------------------------------------------------------------------------- the capture store


@dataclass(frozen=True)
class StoredRecord:
    """One capture record the store holds."""

    claim: str
    source: str
    captured_at: dt.datetime | None
    """When the capture started (UTC), as its record says."""


@dataclass(frozen=True)
class CaptureIndex:
    """The records of a capture store, by the SHA-256 of their bytes (hex)."""

    records: Mapping[str, StoredRecord] = field(default_factory=dict)

    @classmethod
    def read(cls, store: Path) -> CaptureIndex | None:
        """The records under the folder `store` (`<claim>/<source>/<capture>/record.json`, and
        `_entities/<entity>/<source>/<capture>/record.json`); None when there is no such folder (the
        build cannot say whether a capture is held)."""
        if not store.is_dir():
            return None
        files: dict[str, bytes] = {}
        for path in sorted([*store.glob(f"*/*/*/{RECORD}"), *store.glob(f"{ENTITIES}/*/*/*/{RECORD}")]):
            try:
                files[path.relative_to(store).as_posix()] = path.read_bytes()
            except OSError:
                continue  # unreadable: not held, as far as the pages can tell; `verify` names it
        return cls.of_files(files)

    @classmethod
    def of_store(cls, spec: str, base: Path) -> CaptureIndex | None:
        """The records of the store the plugin option `captures` names (relative to `base`, the folder
        of mkdocs.yml): a folder, or the tip of a `branch:` store, read with git. A `release:` store's
        assets are not fetched at build time (a build reaches no network): None, as for a store that
        does not exist, so the pages say the capture was not checked. Raises ClaimsiteError for a
        store that cannot be named."""
        from claimsite.archive.store import BranchStore, FolderStore, parse_store

        if spec.startswith("release:"):
            return None
        store = parse_store(spec, base)
        if isinstance(store, BranchStore):
            files = store.files(_is_record)
            return None if files is None else cls.of_files(files)
        return cls.read(store.folder) if isinstance(store, FolderStore) else None

    @classmethod
    def of_files(cls, files: Mapping[str, bytes]) -> CaptureIndex:
        """The index of record files, by their path in the store."""
        records: dict[str, StoredRecord] = {}
        for path, data in sorted(files.items()):
            owner, source = path.split("/")[-4:-2]
            records[hashlib.sha256(data).hexdigest()] = StoredRecord(owner, source, _record_time(data))
        return cls(records)

    def holds(self, capture: str) -> StoredRecord | None:
        """The record a claim file's `capture` (`sha256:<hex>`) names, when the store holds it."""
        return self.records.get(capture.removeprefix("sha256:"))


def _is_record(path: str) -> bool:
    """Whether a store's file is a capture record (a claim's, or an entity's under `_entities/`)."""
    parts = path.split("/")
    return parts[-1] == RECORD and (len(parts) == 4 or (len(parts) == 5 and parts[0] == ENTITIES))


def _record_time(data: bytes) -> dt.datetime | None:
    try:
        value = json.loads(data)["captured_at"]
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


# --------------------------------------------------------------------------- one source


@dataclass(frozen=True)
class Provenance:
    """What can be checked about one source, and how far it has been."""

    link_status: LinkStatus | None
    """The last status seen at `url`: from the link state when it has the address, else `url_status`."""
    link_failing: bool
    """Dead or a soft 404 on the last run only: not counted as dead yet."""
    link_checked: dt.date | None
    """The day of the last run that checked `url` (link state)."""
    last_verified: PartialDate | None
    """When `url` was last found working (the claim file's `last_verified`)."""
    archive_url: str | None
    archive_date: PartialDate | None
    archive_status: LinkStatus | None
    """What the last run found at `archive_url` (link state); None when it has not checked it."""
    archive_checked: dt.date | None
    capture: str | None
    """The claim file's `capture` (`sha256:<hex>`)."""
    capture_date: PartialDate | None
    stored: StoredRecord | None
    """The record the store holds under that hash, when it holds it."""
    store_seen: bool
    """Whether the build could see a capture store at all (else `stored` says nothing)."""
    archive_unreadable: bool = False
    """The archived copy is a PDF whose text could not be read on the last run (its quote unchecked)."""

    @property
    def archive_verified(self) -> bool:
        """The archived copy opened, was no error page and held the quote on the last run."""
        return self.archive_status is LinkStatus.OK and not self.archive_unreadable

    @property
    def capture_verified(self) -> bool:
        """The capture store holds the record the claim file names."""
        return self.stored is not None

    @property
    def short_capture(self) -> str:
        return f"sha256:{self.capture.removeprefix('sha256:')[:SHORT_HASH]}…" if self.capture else ""


def provenance(
    source: Source | Reference, links: LinkState | None = None, captures: CaptureIndex | None = None
) -> Provenance:
    """The evidence line's facts of `source` (a claim's, or a document an entity's file cites)."""
    entry = links.entries.get(source.url) if links is not None else None
    copy: Entry | None = None
    if links is not None and source.archive_url:
        copy = links.entries.get(source.archive_url)
    return Provenance(
        link_status=entry.status if entry is not None else source.url_status,
        link_failing=entry is not None and entry.status in LINK_GONE and not entry.confirmed,
        link_checked=entry.checked.date() if entry is not None else None,
        last_verified=source.last_verified,
        archive_url=source.archive_url,
        archive_date=source.archive_date,
        archive_status=copy.status if copy is not None else None,
        archive_checked=copy.checked.date() if copy is not None else None,
        archive_unreadable=copy is not None and bool(copy.unreadable),
        capture=source.capture,
        capture_date=source.capture_date,
        stored=captures.holds(source.capture) if captures is not None and source.capture else None,
        store_seen=captures is not None,
    )


DEFAULT_LINK_STATE = ".claimsite/link-state.json"
DEFAULT_CAPTURES = ".claimsite/captures"
"""The plugin options' defaults (`link_state`, `captures`), relative to mkdocs.yml."""


@dataclass(frozen=True)
class Observations:
    """What the build found besides the claim files: the link state and the capture store."""

    links: LinkState | None = None
    captures: CaptureIndex | None = None

    def of(self, source: Source) -> Provenance:
        return provenance(source, self.links, self.captures)

    @classmethod
    def read(cls, base: Path, link_state: str = DEFAULT_LINK_STATE, captures: str = DEFAULT_CAPTURES) -> Observations:
        """The link state file and capture store under `base` (the folder of mkdocs.yml), each when it
        exists; a link state that cannot be read raises `LinkStateError`."""
        state = base / link_state
        return cls(LinkState.read(state) if state.is_file() else None, CaptureIndex.of_store(captures, base))

    @classmethod
    def from_config_file(cls, config_file: Path | None) -> Observations:
        """`read`, with the plugin options of this mkdocs.yml (none when there is no such file)."""
        if config_file is None or not config_file.is_file():
            return cls()
        from claimsite.rules import plugin_settings
        from claimsite.site import read_config_file

        settings = plugin_settings(read_config_file(config_file))
        state, store = settings.get("link_state"), settings.get("captures")
        return cls.read(
            config_file.parent,
            state if isinstance(state, str) and state else DEFAULT_LINK_STATE,
            store if isinstance(store, str) and store else DEFAULT_CAPTURES,
        )


NOTHING_OBSERVED = Observations()


def has_capture(source: Source) -> bool:
    """A capture a reader can be sent to: a `capture` hash, or an `archive_url` with its `archive_date`
    (the rule `verdict-needs-capture`)."""
    return source.capture is not None or (source.archive_url is not None and source.archive_date is not None)


# --------------------------------------------------------------------------- in words


@dataclass(frozen=True)
class LinkLabel:
    """A link status, shown by its label."""

    value: LinkStatus


@dataclass(frozen=True)
class Day:
    """A date, shown at its own precision."""

    value: PartialDate | dt.date


@dataclass(frozen=True)
class Moment:
    """A UTC time, shown to the minute."""

    value: dt.datetime


@dataclass(frozen=True)
class Hash:
    """A capture hash, shown short; `full` is what a reader compares."""

    short: str
    full: str


@dataclass(frozen=True)
class ArchiveLink:
    """The archived copy, as a link."""

    url: str


Value = LinkLabel | Day | Moment | Hash | ArchiveLink


@dataclass(frozen=True)
class Phrase:
    """One part of the evidence line: a message of the catalog and the values of its placeholders."""

    message: str
    values: Mapping[str, Value] = field(default_factory=dict)


ARCHIVED_COPY = N_("Archived copy")
HOW_TO_VERIFY = N_("How to verify")


def phrases(p: Provenance) -> list[Phrase]:
    """The evidence line of one source: the link, the archived copy, the capture, in that order."""
    return [_link_phrase(p), _archive_phrase(p), _capture_phrase(p)]


def _link_phrase(p: Provenance) -> Phrase:
    if p.link_checked is not None and p.link_status is not None:
        if p.link_failing:
            return Phrase(
                N_("Link: failed on the last check ({date}), not counted as dead yet"), {"date": Day(p.link_checked)}
            )
        return Phrase(
            N_("Link: {status}, checked {date}"), {"status": LinkLabel(p.link_status), "date": Day(p.link_checked)}
        )
    if p.link_status is not None and p.last_verified is not None:
        return Phrase(
            N_("Link: {status}, last verified {date}"),
            {"status": LinkLabel(p.link_status), "date": Day(p.last_verified)},
        )
    if p.link_status is not None:
        return Phrase(N_("Link: {status}"), {"status": LinkLabel(p.link_status)})
    if p.last_verified is not None:
        return Phrase(N_("Link: last verified {date}"), {"date": Day(p.last_verified)})
    return Phrase(N_("Link: not checked yet"))


def _archive_phrase(p: Provenance) -> Phrase:
    if p.archive_url is None:
        return Phrase(N_("No archived copy"))
    values: dict[str, Value] = {"archive": ArchiveLink(p.archive_url)}
    if p.archive_date is not None:
        values["made"] = Day(p.archive_date)
    made = "made" in values
    if p.archive_status is not None and p.archive_checked is not None:
        values["date"] = Day(p.archive_checked)
        if p.archive_verified:
            message = N_("{archive} of {made}: verified {date}") if made else N_("{archive}: verified {date}")
        else:
            values["status"] = LinkLabel(p.archive_status)
            message = (
                N_("{archive} of {made}: not verified ({status}, {date})")
                if made
                else N_("{archive}: not verified ({status}, {date})")
            )
        return Phrase(message, values)
    return Phrase(N_("{archive} of {made}: not checked yet") if made else N_("{archive}: not checked yet"), values)


def _capture_phrase(p: Provenance) -> Phrase:
    if p.capture is None:
        return Phrase(N_("No capture"))
    values: dict[str, Value] = {"hash": Hash(p.short_capture, p.capture)}
    if p.stored is not None and p.stored.captured_at is not None:
        values["when"] = Moment(p.stored.captured_at)
    elif p.capture_date is not None:
        values["when"] = Day(p.capture_date)
    when = "when" in values
    if p.capture_verified:
        message = (
            N_("Capture {hash} of {when}: verified, the capture store holds it")
            if when
            else N_("Capture {hash}: verified, the capture store holds it")
        )
    elif p.store_seen:
        message = (
            N_("Capture {hash} of {when}: not verified, the capture store does not hold it")
            if when
            else N_("Capture {hash}: not verified, the capture store does not hold it")
        )
    else:
        message = N_("Capture {hash} of {when}") if when else N_("Capture {hash}")
    return Phrase(message, values)


def utc_minute(value: dt.datetime) -> str:
    """`2026-03-01 12:34 UTC`: the same in every language."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
