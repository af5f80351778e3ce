"""`claimsite sources verify`: every stored capture re-hashed, the custody chain walked, and each
claim's and entity's recorded capture hash matched against the store. Read-only, except for the one line
the run appends to the custody log.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsite.archive import ENTITIES, RECORD, Cited, cited_sources
from claimsite.archive.package import sha256_file
from claimsite.archive.timestamps import Authority, verify_runs
from claimsite.custody import LOG_NAME, Break, append, read_lines, walk
from claimsite.project import load_project
from claimsite.text import visible


@dataclass
class Stored:
    """One capture folder of the store, and what does not hold in it."""

    folder: Path
    owner: str
    """`<claim>`, or `_entities/<entity>`: as `Cited.owner`."""
    source: str
    record: dict[str, Any]
    record_sha256: str
    problems: list[str] = field(default_factory=list)
    custody_line: int | None = None

    @property
    def short(self) -> str:
        return f"capture {self.folder.name} (sha256:{self.record_sha256[:12]}…)"


def stored_captures(store: Path) -> list[Stored]:
    """Every `<claim>/<source>/<capture>/record.json` and `_entities/<entity>/<source>/<capture>/record.json`
    of the store, each file it lists re-hashed."""
    found = []
    paths = [p for p in store.glob(f"*/*/*/{RECORD}") if p.parents[2].name != ENTITIES]
    for path in sorted([*paths, *store.glob(f"{ENTITIES}/*/*/*/{RECORD}")]):
        folder = path.parent
        owner = folder.parent.parent.relative_to(store).as_posix()
        item = Stored(folder, owner, folder.parent.name, {}, sha256_file(path))
        try:
            item.record = json.loads(path.read_text(encoding="utf-8"))
            files = item.record["files"]
            assert isinstance(files, dict)
        except (ValueError, KeyError, AssertionError, UnicodeDecodeError):
            item.problems.append(f"{RECORD} is not a capture record")
            found.append(item)
            continue
        for name, expected in sorted(files.items()):
            file = folder / name
            if not file.is_file():
                item.problems.append(f"{name} is missing")
            elif sha256_file(file) != expected.get("sha256"):
                item.problems.append(f"{name} does not match its SHA-256 in {RECORD}")
        found.append(item)
    return found


@dataclass
class VerifyReport:
    lines: list[str] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)
    held: int = 0
    failed: int = 0
    uncaptured: int = 0
    log_lines: int = 0
    stamps_held: int = 0
    stamps_failed: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.breaks and not self.stamps_failed


def _judge(cited: Cited | None, captures: list[Stored], recorded: str | None) -> tuple[bool, str]:
    """Whether a source's captures hold, and the line that says so."""
    bad = [c for c in captures if c.problems]
    if recorded is not None:
        named = next((c for c in captures if c.record_sha256 == recorded.removeprefix("sha256:")), None)
        if named is None:
            return False, (
                f"does not hold: the claim file names capture {recorded[:19]}…, which the store does not hold "
                f"({len(captures)} other capture{'s' if len(captures) != 1 else ''} of this source)"
            )
    else:
        named = captures[-1]
    parts = []
    if named.problems:
        parts.append(f"{named.short}: " + "; ".join(named.problems))
    for other in bad:
        if other is not named:
            parts.append(f"earlier {other.short}: " + "; ".join(other.problems))
    if parts:
        return False, "does not hold: " + "; ".join(parts)
    files = len(named.record.get("files", {}))
    note = (
        ""
        if recorded is not None or cited is None
        else " (not in the claim file yet: apply the patch sources archive wrote)"
    )
    more = (
        f", {len(captures) - 1} earlier capture{'s' if len(captures) > 2 else ''} hold too" if len(captures) > 1 else ""
    )
    return True, f"holds: {named.short}, {files} files match, custody line {named.custody_line}{more}{note}"


def verify_store(
    paths: Sequence[Path],
    store: Path,
    *,
    log: bool = True,
    authorities: Sequence[Authority] = (),
    shown: str | None = None,
) -> VerifyReport:
    """Check every capture in `store`, every claim source's recorded capture and every run's
    timestamps (against the chains of `authorities`); then append a `verify` entry with the outcome
    to the custody log (unless `log` is False). Lines name the store as `shown` (default: its path)."""
    report = VerifyReport()
    named = visible(shown if shown is not None else str(store))
    captures = stored_captures(store)
    log_path = store / LOG_NAME
    lines = read_lines(log_path)
    report.log_lines = len(lines)
    report.breaks = walk(lines)
    logged: dict[str, int] = {}
    for line in lines:
        if line.entry and line.entry.get("event") == "capture":
            logged[str(line.entry.get("record_sha256"))] = line.number
    for item in captures:
        item.custody_line = logged.get(item.record_sha256)
        if item.custody_line is None and item.record:
            item.problems.append(f"{RECORD} is not the one the custody log entered (changed, or never logged)")
    by_source: dict[tuple[str, str], list[Stored]] = defaultdict(list)
    for item in captures:
        by_source[(item.owner, item.source)].append(item)
    project = load_project(list(paths))
    cited, _refused = cited_sources(project)
    seen = set()
    for source in cited:
        key = (source.owner, source.source_id)
        seen.add(key)
        found = by_source.get(key, [])
        if not found and source.source.capture is None:
            report.uncaptured += 1
            report.lines.append(f"{source.where()}: no capture")
            continue
        held, message = _judge(source, found, source.source.capture)
        report.held += held
        report.failed += not held
        report.lines.append(f"{source.where()}: {message}")
    for key in sorted(set(by_source) - seen):
        held, message = _judge(None, by_source[key], None)
        report.held += held
        report.failed += not held
        report.lines.append(f"{named}/{key[0]}/{key[1]}: not a source of the claims; {message}")
    for chain_break in report.breaks:
        report.lines.append(f"{named}/{LOG_NAME}:{chain_break.line}: {chain_break.message}")
    for held, message in verify_runs(store, authorities):
        report.stamps_held += held
        report.stamps_failed += not held
        report.lines.append(f"{named}/{visible(message)}")
    if log:
        append(
            log_path,
            "verify",
            captures=len(captures),
            held=report.held,
            failed=report.failed,
            chain="holds" if not report.breaks else f"breaks at line {report.breaks[0].line}",
            timestamps_held=report.stamps_held,
            timestamps_failed=report.stamps_failed,
        )
    return report


def summary(report: VerifyReport, log_path: Path) -> str:
    chain = (
        f"the custody chain holds ({report.log_lines} lines)"
        if not report.breaks
        else f"the custody chain breaks at {len(report.breaks)} line{'s' if len(report.breaks) != 1 else ''}"
    )
    stamps = f"; timestamps of {report.stamps_held} runs hold" if report.stamps_held else ""
    if report.stamps_failed:
        stamps += f"; timestamps of {report.stamps_failed} runs do not hold"
    return f"{report.held} held, {report.failed} did not hold, {report.uncaptured} not captured; {chain}{stamps}"
