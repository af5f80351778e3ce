"""Evidence that survives (`claimsite sources archive` and `claimsite sources verify`).

Each source of each claim, and of each entity (people's and organisations' files: their
`Reference`s, which have no id, get one from the address), is rendered in headless Chromium
(`browser`) and kept in the capture store as files (`package`): the HTTP exchange as WARC, the page
as WACZ, a dated full-page PNG, the rendered DOM, its text, and `record.json` with the SHA-256 of
each and the tool versions. Every capture is entered in the store's custody log
(`claimsite.custody`). The claim files are never changed: the command suggests
`capture: sha256:<record hash>` and `capture_date` as a patch. `verify` re-hashes.

The store keeps captures out of the main git history (`store`): a folder (`.claimsite/captures/` by
default, git-ignored), an orphan branch of the repository (`branch:NAME`) or a GitHub release's assets
(`release:TAG`), named by `--store` or the plugin option `captures`. Only this package imports
Playwright, warcio and py-wacz.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from claimsite.archive.browser import Browser, BrowserError, Capture, captured_page
from claimsite.archive.package import dated_png, sha256_bytes, sha256_file, write_wacz, write_warc
from claimsite.custody import LOG_NAME, append
from claimsite.errors import ClaimsiteError
from claimsite.linkcheck.check import Citation, citations_of
from claimsite.linkcheck.classify import missing_quotes
from claimsite.linkcheck.patch import Edit
from claimsite.model import Reference, Source
from claimsite.project import Project, load_project
from claimsite.provenance import ENTITIES as ENTITIES
from claimsite.provenance import RECORD as RECORD

DEFAULT_STORE = Path(".claimsite") / "captures"
RECORD_FORMAT = "claimsite-capture/1"
FILES = ("page.warc.gz", "page.wacz", "screenshot.png", "dom.html", "text.txt")
"""What every capture folder holds besides `record.json`, each hashed in it."""
CAPTURE_AFTER = ("capture", "last_verified", "url_status", "archive_date", "archive_url", "accessed", "url")
"""Where the suggested `capture` and `capture_date` go in a source: after the first of these it has."""


@dataclass(frozen=True)
class Cited:
    """A source to capture (a claim's `Source` or an entity's `Reference`): where it stands, and the
    claim or entity it belongs to."""

    claim: str
    """The id of the claim, or of the entity when `entity` is set."""
    citation: Citation
    entity: bool = False

    @property
    def source(self) -> Source | Reference:
        return self.citation.source

    @property
    def source_id(self) -> str:
        """The source's id in its claim; an entity's references have none, so theirs comes from the
        address (`url-` and 12 hex digits of its SHA-256): stable when references are reordered."""
        if isinstance(self.citation.source, Source):
            return self.citation.source.id
        return "url-" + sha256_bytes(self.citation.source.url.encode("utf-8"))[:12]

    @property
    def quote(self) -> str | None:
        return self.citation.quote

    @property
    def owner(self) -> str:
        """Where its captures go in the store: `<claim>`, or `_entities/<entity>`."""
        return f"{ENTITIES}/{self.claim}" if self.entity else self.claim

    def ids(self) -> dict[str, str]:
        """The fields naming it in records and custody lines: `claim` or `entity`, and `source`."""
        return {"entity" if self.entity else "claim": self.claim, "source": self.source_id}

    def where(self) -> str:
        line, col = self.citation.marks[""]
        return f"{self.citation.path}:{line}:{col}: {self.citation.label} {self.source_id}"


@dataclass
class Captured:
    """One source's capture on this run: the folder and record, or why there is none."""

    cited: Cited
    folder: Path | None = None
    record: dict[str, Any] = field(default_factory=dict)
    record_sha256: str = ""
    error: str = ""


@dataclass
class ArchiveReport:
    captured: list[Captured] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Captured]:
        return [c for c in self.captured if c.error]

    def edits(self) -> list[Edit]:
        """`capture` and `capture_date` of every source captured on this run."""
        out = []
        for item in self.captured:
            if item.error:
                continue
            citation = item.cited.citation
            day = str(item.record["captured_at"])[:10]
            out.append(Edit(citation.path, citation.item, "capture", f"sha256:{item.record_sha256}", CAPTURE_AFTER))
            out.append(Edit(citation.path, citation.item, "capture_date", day, CAPTURE_AFTER))
        return out


def cited_sources(
    project: Project, claim: str | None = None, *, entity: str | None = None
) -> tuple[list[Cited], list[str]]:
    """Every source of every claim and entity that loaded (or of one claim, or of one entity), in file
    order; and the refused files."""
    if claim is not None and claim not in project.claims:
        raise ClaimsiteError(f"no claim '{claim}' among the claims that load (is its file refused by claimsite check?)")
    if entity is not None and entity not in project.entities:
        raise ClaimsiteError(
            f"no entity '{entity}' among the entities that load (is its file refused by claimsite check?)"
        )
    claim_of = {item.path: claim_id for claim_id, item in project.claims.items()}
    entity_of = {item.path: entity_id for entity_id, item in project.entities.items()}
    citations, refused = citations_of(project)
    every = claim is None and entity is None
    cited = []
    for c in citations:
        if c.path in claim_of and isinstance(c.source, Source) and (every or claim_of[c.path] == claim):
            cited.append(Cited(claim_of[c.path], c))
        elif c.path in entity_of and isinstance(c.source, Reference) and (every or entity_of[c.path] == entity):
            cited.append(Cited(entity_of[c.path], c, entity=True))
    return cited, refused


def tool_versions(browser: Browser) -> dict[str, str]:
    return {
        "claimsite": version("claimsite"),
        "chromium": browser.version,
        "playwright": browser.playwright_version,
        "warcio": version("warcio"),
        "wacz": version("wacz"),
        "python": platform.python_version(),
    }


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%fZ")


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_capture(folder: Path, cited: Cited, capture: Capture, tools: dict[str, str], operator: str) -> dict[str, Any]:
    """Write one capture's files and its record into `folder` (which must not exist yet)."""
    folder.mkdir(parents=True)
    page, noted = captured_page(capture)  # a PDF's text comes from the PDF, not the viewer's DOM
    text = " ".join(page.text.split())
    software = f"claimsite {tools['claimsite']} (Chromium {tools['chromium']}, Playwright {tools['playwright']})"
    alterations = noted + write_warc(
        folder / "page.warc.gz",
        capture,
        software,
        {"format": "WARC File Format 1.1", "isPartOf": f"{cited.owner}/{cited.source_id}", "operator": operator},
    )
    write_wacz(folder / "page.wacz", folder / "page.warc.gz", capture, text)
    (folder / "screenshot.png").write_bytes(
        dated_png(
            capture.screenshot,
            [("Creation Time", _iso(capture.started)), ("Source", capture.url), ("Software", software)],
        )
    )
    (folder / "dom.html").write_text(capture.dom, encoding="utf-8")
    (folder / "text.txt").write_text(text + "\n", encoding="utf-8")
    main = next((e for e in capture.exchanges if e.url == capture.final_url and e.method == "GET"), None)
    quote = cited.quote
    record: dict[str, Any] = {
        "format": RECORD_FORMAT,
        "capture_id": folder.name,
        **cited.ids(),
        "claim_file": cited.citation.path,
        "url": capture.url,
        "final_url": capture.final_url,
        "http_status": capture.status,
        "redirects": capture.redirects,
        "title": capture.title,
        "captured_at": _iso(capture.started),
        "finished_at": _iso(capture.finished),
        "operator": operator,
        "quote": quote,
        "quote_found": (not missing_quotes(page, [quote])) if quote and not page.unreadable else None,
        "pdf": {"pages": page.pages, "unreadable": page.unreadable or None} if page.pdf else None,
        "page_body_sha256": sha256_bytes(main.body) if main is not None else None,
        "requests": len(capture.exchanges),
        "screenshot": {"width": 0, "height": 0, "page_height": capture.height},
        "tools": tools,
        "alterations": alterations,
        "files": {
            name: {"sha256": sha256_file(folder / name), "bytes": (folder / name).stat().st_size} for name in FILES
        },
    }
    from claimsite.archive.package import png_size

    width, height = png_size(capture.screenshot)
    record["screenshot"].update(width=width, height=height)
    (folder / RECORD).write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return record


def archive_sources(
    paths: Sequence[Path],
    store: Path = DEFAULT_STORE,
    *,
    claim: str | None = None,
    entity: str | None = None,
    operator: str | None = None,
    timeout: float = 30.0,
) -> ArchiveReport:
    """Capture every source of the claims and entities under `paths` (or of `claim`, or of `entity`)
    into `store`, one new folder per source, and enter each capture in the custody log."""
    project = load_project(list(paths))
    cited, refused = cited_sources(project, claim, entity=entity)
    report = ArchiveReport(skipped_files=refused)
    operator = operator if operator is not None else getpass.getuser()
    log = store / LOG_NAME
    try:
        browser = Browser(timeout=timeout)
    except BrowserError as error:
        raise ClaimsiteError(str(error)) from None
    with browser:
        tools = tool_versions(browser)
        for item in cited:
            result = Captured(item)
            report.captured.append(result)
            try:
                capture = browser.capture(item.source.url)
            except BrowserError as error:
                result.error = str(error)
                continue
            folder = store / item.owner / item.source_id / _stamp(capture.started)
            result.folder = folder
            result.record = write_capture(folder, item, capture, tools, operator)
            result.record_sha256 = sha256_file(folder / RECORD)
            append(
                log,
                "capture",
                **item.ids(),
                capture_id=folder.name,
                record=(folder / RECORD).relative_to(store).as_posix(),
                record_sha256=result.record_sha256,
                url=item.source.url,
                operator=operator,
                time=result.record["finished_at"],
            )
    return report
