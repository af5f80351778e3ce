"""The typesetting engine behind the PDF edition: typst in child processes, qpdf to join.

It knows nothing about claims. `settle` typesets parts of a document until the page numbers they
print agree with where their headings landed; `join` makes one PDF of the parts, with one outline,
a named destination per heading, and links between parts. Why parts at all: see `claimsite.pdf`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pikepdf

from claimsite.errors import PdfError as PdfError  # re-exported: claimsite.pdf imports it from here

_PAGES_RE = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


@dataclass(frozen=True)
class Pdf:
    """A compiled PDF in memory."""

    data: bytes
    warnings: tuple[str, ...] = ()
    page_count: int | None = None

    @property
    def pages(self) -> int | None:
        """The page count: as counted when the PDF was joined, else from the page tree's root (typst
        writes it uncompressed); None if not found."""
        if self.page_count is not None:
            return self.page_count
        match = _PAGES_RE.search(self.data)
        return int(match.group(1)) if match else None


# The compiler keeps what it laid out in a process-wide cache that nothing in the `typst` package
# clears, so every part is typeset in a fresh process: its memory goes back when it exits.
_WORKER = """
import json, sys, typst
source = sys.stdin.buffer.read()
try:
    data, warnings = typst.compile_with_warnings(source, format="pdf", ignore_system_fonts=True,
                                                 timestamp=int(sys.argv[1]), pdf_tags=False)
except typst.TypstError as error:
    sys.stderr.write(json.dumps({"error": error.message}))
    sys.exit(1)
sys.stderr.write(json.dumps({"warnings": [w.message for w in warnings]}))
sys.stdout.buffer.write(data)
"""


def compile_pdf(source: str, timestamp: int) -> Pdf:
    """Typeset typst source into a PDF with the compiler's own fonts only, in a child process."""
    # A lone surrogate (a YAML escape can make one) cannot be encoded: it becomes '?'.
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, str(timestamp)],
        input=source.encode("utf-8", "replace"),
        capture_output=True,
        check=False,
    )
    try:
        report = json.loads(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1])
    except (ValueError, IndexError):
        report = {"error": done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"}
    if done.returncode != 0 or "error" in report:
        raise PdfError(f"typst could not typeset the PDF: {report.get('error', 'no output')}")
    return Pdf(done.stdout, tuple(report["warnings"]))


@dataclass(frozen=True)
class _Placed:
    """A heading as the typeset part bookmarks it."""

    level: int
    """The heading's level (1 or 2)."""
    title: str
    page: int
    """Page index within the part, from 0."""
    left: float
    top: float


def _bookmarks(document: pikepdf.Pdf) -> list[_Placed]:
    """Every bookmark of a typeset part, in document order, with the place it points at."""
    page_index = {page.obj.objgen: n for n, page in enumerate(document.pages)}
    placed: list[_Placed] = []

    def walk(items: list[pikepdf.OutlineItem], level: int) -> None:
        for item in items:
            target = item.destination
            if not isinstance(target, pikepdf.Array) or len(target) < 4:
                raise PdfError("a typeset part has a bookmark without a page position")
            placed.append(
                _Placed(
                    level, str(item.title), page_index[target[0].objgen], float(target[2] or 0), float(target[3] or 0)
                )
            )
            walk(list(item.children), level + 1)

    with document.open_outline() as outline:
        walk(list(outline.root), 1)
    return placed


@dataclass
class Typeset:
    """One typeset part: its PDF, page count, and where each of its headings landed."""

    source_hash: str
    pdf: Pdf
    pages: int
    headings: dict[str, _Placed]


def _typeset(keys: list[tuple[int, str]], source: str, timestamp: int) -> Typeset:
    pdf = compile_pdf(source, timestamp)
    with pikepdf.Pdf.open(io.BytesIO(pdf.data)) as document:
        placed = _bookmarks(document)
        page_count = len(document.pages)
    if len(placed) != len(keys):
        raise PdfError("a typeset part's bookmarks do not match its headings (did the template change?)")
    # A part that starts inside a group has claim headings without a group heading before them, which
    # typst bookmarks at the top level: the level is the heading's, as `keys` gives it.
    headings = {
        key: _Placed(level, p.title, p.page, p.left, p.top) for (level, key), p in zip(keys, placed, strict=True)
    }
    return Typeset(_hash(source), pdf, page_count, headings)


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "replace")).hexdigest()


SourceFor = Callable[[int, Mapping[str, int], int], str]
"""(part number, page of every heading key, pages before the part) -> that part's typst source."""


def settle(
    keys: list[list[tuple[int, str]]],
    source_for: SourceFor,
    guess: Mapping[str, int],
    timestamp: int,
    progress: Callable[[str], None] = lambda _: None,
    *,
    workers: int = 2,
    max_rounds: int = 5,
) -> list[Typeset]:
    """Typeset every part until the page numbers they print are the pages their headings are on.

    `keys[n]` lists part n's headings as (level, key) in the order its bookmarks come. Each round
    typesets again only the parts whose source changed; usually two rounds suffice.
    """
    pages: Mapping[str, int] = guess
    offsets = [0] * len(keys)
    done: list[Typeset | None] = [None] * len(keys)
    unsettled = False
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for round_number in range(1, max_rounds + 2):
            sources = [source_for(n, pages, offset) for n, offset in enumerate(offsets)]
            stale = [
                n for n, source in enumerate(sources) if (part := done[n]) is None or part.source_hash != _hash(source)
            ]
            if not stale:
                break
            if round_number > max_rounds:
                unsettled = True
                break
            progress(f"typesetting {len(stale)} of {len(keys)} parts (round {round_number})…")
            results = pool.map(
                _typeset, [keys[n] for n in stale], [sources[n] for n in stale], [timestamp] * len(stale)
            )
            for n, result in zip(stale, results, strict=True):
                done[n] = result
            typeset = [result for result in done if result is not None]
            offsets = [sum(t.pages for t in typeset[:n]) for n in range(len(typeset))]
            pages = {
                key: offset + placed.page + 1
                for offset, t in zip(offsets, typeset, strict=True)
                for key, placed in t.headings.items()
            }
    finished = [result for result in done if result is not None]
    if unsettled:
        first = finished[0]
        warning = f"page numbers did not settle in {max_rounds} rounds; some printed page numbers may be wrong"
        finished[0] = Typeset(
            first.source_hash, Pdf(first.pdf.data, (*first.pdf.warnings, warning)), first.pages, first.headings
        )
    return finished


def join(typeset: list[Typeset], link_prefix: str) -> Pdf:
    """One PDF of the typeset parts: their pages, one outline of all their bookmarks, a named
    destination per heading, and every link to `link_prefix` + a heading key made a link to it.

    qpdf (through pikepdf) does the joining: pypdf, pure Python, took 5 s of the 16 s that
    1,000 claims needed, most of it parsing objects; qpdf takes a fraction of a second.
    """
    parts = [pikepdf.Pdf.open(io.BytesIO(part.pdf.data)) for part in typeset]
    try:
        joined = pikepdf.Pdf.new()
        for part in parts:
            joined.pages.extend(part.pages)
        return _finish(joined, parts[0], typeset, link_prefix)
    finally:
        for part in parts:
            part.close()


def _finish(joined: pikepdf.Pdf, first: pikepdf.Pdf, typeset: list[Typeset], link_prefix: str) -> Pdf:
    destinations: dict[str, pikepdf.Array] = {}
    offset = 0
    with joined.open_outline() as outline:
        parent: pikepdf.OutlineItem | None = None
        for part in typeset:
            for key, placed in part.headings.items():
                page_object = joined.pages[offset + placed.page].obj
                target = pikepdf.Array([page_object, pikepdf.Name.XYZ, placed.left, placed.top, None])
                item = pikepdf.OutlineItem(placed.title, target)
                if placed.level == 1 or parent is None:
                    outline.root.append(item)
                    parent = item
                else:
                    parent.children.append(item)
                destinations[key] = target
            offset += part.pages
    names = pikepdf.NameTree.new(joined)
    for key in sorted(destinations):
        names[key] = destinations[key]
    joined.Root.Names = pikepdf.Dictionary(Dests=names.obj)

    for page in joined.pages:
        for annotation in page.obj.get("/Annots") or []:
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            key = uri[len(link_prefix) :]
            if uri.startswith(link_prefix) and key in destinations:
                del annotation.A
                annotation.Dest = pikepdf.String(key)

    for key, value in first.docinfo.items():
        joined.docinfo[key] = value
    if "/Lang" in first.Root:
        joined.Root.Lang = pikepdf.String(str(first.Root.Lang))
    if "/ViewerPreferences" in first.Root:  # a direct dictionary of plain values (DisplayDocTitle, ...)
        joined.Root.ViewerPreferences = pikepdf.Dictionary(dict(first.Root.ViewerPreferences.items()))
    joined.Root.PageMode = pikepdf.Name.UseOutlines
    out = io.BytesIO()
    joined.save(out, deterministic_id=True, fix_metadata_version=False)
    warnings = tuple(dict.fromkeys(w for part in typeset for w in part.pdf.warnings))
    return Pdf(out.getvalue(), warnings, len(joined.pages))
