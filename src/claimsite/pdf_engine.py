"""The typesetting engine behind the PDF edition: typst in child processes, qpdf to join.

It knows nothing about claims. `settle` typesets parts of a document until the page numbers they
print agree with where their headings landed; `join` makes one PDF of the parts, with one outline,
a named destination per heading, and links between parts. Why parts at all: see `claimsite.pdf`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pikepdf

from claimsite import pdf_tags as _tags_module
from claimsite.errors import PdfError as PdfError  # re-exported: claimsite.pdf imports it from here
from claimsite.pdf_tags import merge_structure
from claimsite.write import replace_file

_PAGES_RE = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


@dataclass(frozen=True)
class Pdf:
    """A compiled PDF in memory."""

    data: bytes
    warnings: tuple[str, ...] = ()
    page_count: int | None = None
    parts_typeset: int | None = None
    """How many parts the compiler typeset for it (the others came from the cache)."""

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
mode = sys.argv[2]
options = {"pdf_standards": ["ua-1"]} if mode == "tagged" else {"pdf_tags": False}
try:
    if mode == "layout":
        data = typst.query(source, "<claimsite-layout>", field="value", one=True, ignore_system_fonts=True).encode()
        warnings = []
    else:
        data, warnings = typst.compile_with_warnings(source, format="pdf", ignore_system_fonts=True,
                                                     timestamp=int(sys.argv[1]), **options)
except typst.TypstError as error:
    sys.stderr.write(json.dumps({"error": error.message}))
    sys.exit(1)
sys.stderr.write(json.dumps({"warnings": [w.message for w in warnings]}))
sys.stdout.buffer.write(data)
"""


def _run_worker(source: str, timestamp: int, mode: str) -> tuple[bytes, tuple[str, ...]]:
    # A lone surrogate (a YAML escape can make one) cannot be encoded: it becomes '?'.
    done = subprocess.run(
        [sys.executable, "-c", _WORKER, str(timestamp), mode],
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
    return done.stdout, tuple(report["warnings"])


def compile_pdf(source: str, timestamp: int, tagged: bool = True) -> Pdf:
    """Typeset typst source into a PDF with the compiler's own fonts only, in a child process:
    tagged and checked against PDF/UA-1 by the compiler (it refuses a document without title,
    language or alternative texts), or untagged."""
    data, warnings = _run_worker(source, timestamp, "tagged" if tagged else "untagged")
    return Pdf(data, warnings)


@dataclass(frozen=True)
class Layout:
    """Where a part's pages fall, without its PDF: what settling page numbers needs."""

    pages: int
    heading_pages: tuple[int, ...]
    """The page (within the part, from 0) of every bookmarked heading, in bookmark order."""


def lay_out(source: str) -> Layout:
    """Lay the source out without making a PDF (a typst query, about four fifths of a compile's time
    and memory): its page count and the page of every bookmarked heading, from the metadata the
    template ends with (`<claimsite-layout>`)."""
    data, _ = _run_worker(source, 0, "layout")
    try:
        found = json.loads(data)
        return Layout(int(found["pages"]), tuple(int(page) - 1 for page in found["headings"]))
    except (ValueError, KeyError, TypeError) as error:
        raise PdfError("the template's layout metadata is missing or malformed") from error


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

    @property
    def layout(self) -> Layout:
        return Layout(self.pages, tuple(placed.page for placed in self.headings.values()))


def _typeset(keys: list[tuple[int, str]], pdf: Pdf, source_hash: str) -> Typeset:
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
    return Typeset(source_hash, pdf, page_count, headings)


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "replace")).hexdigest()


@dataclass
class Compiler:
    """How parts are typeset: the compiler's clock, tags on or off, and where typeset parts are kept.

    With a `cache` folder, a part is typeset only when nothing typeset before had the same inputs:
    its key is the SHA-256 of the typst version, the options and the part's whole source (the
    template and every page number the part prints, its page offset included, are in the source;
    the fonts are the compiler's own, so its version covers them). `compiled` counts the parts
    actually typeset."""

    timestamp: int
    tagged: bool = True
    cache: Path | None = None
    compiled: int = 0
    laid_out: int = 0
    """How many parts were only laid out (`lay_out`), to learn where their pages fall."""
    keys: dict[str, str] = field(default_factory=dict)
    """The cache key of every source typeset or read, by the source's own hash."""

    def key(self, source: str) -> str:
        options = json.dumps({"typst": typst_version(), "tagged": self.tagged, "timestamp": self.timestamp})
        return hashlib.sha256(options.encode() + b"\0" + source.encode("utf-8", "replace")).hexdigest()

    def typeset(self, keys: list[tuple[int, str]], source: str) -> Typeset:
        key = self.key(source)
        self.keys[_hash(source)] = key
        cached = self._read(key)
        if cached is None:
            cached = compile_pdf(source, self.timestamp, self.tagged)
            self.compiled += 1
            self._write(key, cached)
        return _typeset(keys, cached, _hash(source))

    def layout(self, keys: list[tuple[int, str]], source: str) -> Typeset | Layout:
        """The part as the cache holds it, else only its layout (no PDF is made)."""
        key = self.key(source)
        cached = self._read(key)
        if cached is not None:
            self.keys[_hash(source)] = key
            return _typeset(keys, cached, _hash(source))
        found = lay_out(source)
        self.laid_out += 1
        if len(found.heading_pages) != len(keys):
            raise PdfError("a laid-out part's headings do not match its keys (did the template change?)")
        return found

    def _read(self, key: str) -> Pdf | None:
        if self.cache is None:
            return None
        try:
            data = (self.cache / f"{key}.pdf").read_bytes()
            record = json.loads((self.cache / f"{key}.json").read_text(encoding="utf-8"))
            if record["sha256"] != hashlib.sha256(data).hexdigest():
                return None  # a truncated or foreign file is a miss
            pages = record.get("pages")
            return Pdf(data, tuple(str(w) for w in record["warnings"]), int(pages) if pages is not None else None)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write(self, key: str, pdf: Pdf) -> None:
        if self.cache is None:
            return
        record: dict[str, object] = {"sha256": hashlib.sha256(pdf.data).hexdigest(), "warnings": list(pdf.warnings)}
        if pdf.page_count is not None:
            record["pages"] = pdf.page_count
        try:
            replace_file(self.cache / f"{key}.pdf", pdf.data)
            replace_file(self.cache / f"{key}.json", json.dumps(record).encode())
        except OSError:
            pass  # a cache that cannot be written only costs time

    def joined_key(self, typeset: list[Typeset], finishing: bytes) -> str:
        """The cache key of the joined document: every part's key and headings, what `finishing`
        says about the rest of the join's inputs (the link prefix, the attachments), and the code
        that joins (this module and the structure-tree merger)."""
        code = b"".join(Path(module).read_bytes() for module in (__file__, _tags_module.__file__))
        libraries = f"pikepdf {pikepdf.__version__}, qpdf {pikepdf.__libqpdf_version__}".encode()
        digest = hashlib.sha256(self.key("joined").encode() + hashlib.sha256(code).digest() + libraries + finishing)
        for part in typeset:
            digest.update(self.keys.get(part.source_hash, part.source_hash).encode())
            digest.update(json.dumps(list(part.headings)).encode())
        return "joined-" + digest.hexdigest()

    def read_joined(self, key: str) -> Pdf | None:
        return self._read(key)

    def write_joined(self, key: str, pdf: Pdf) -> None:
        self._write(key, pdf)

    def prune(self, kept: list[Typeset], also: tuple[str, ...] = ()) -> None:
        """Remove every cached part but those of `kept` (the edition just built) and the entries
        `also` names, so that the cache holds one edition: the parts a rebuild starts from."""
        if self.cache is None or not self.cache.is_dir():
            return
        used = {self.keys[part.source_hash] for part in kept if part.source_hash in self.keys} | set(also)
        for path in self.cache.glob("*.pdf"):
            if path.stem not in used:
                path.unlink(missing_ok=True)
                path.with_suffix(".json").unlink(missing_ok=True)


@cache
def typst_version() -> str:
    """The version of the compiler in the `typst` wheel."""
    return importlib.metadata.version("typst")


SourceFor = Callable[[int, Mapping[str, int], int], str]
"""(part number, page of every heading key, pages before the part) -> that part's typst source."""


def settle(
    keys: list[list[tuple[int, str]]],
    source_for: SourceFor,
    guess: Mapping[str, int],
    compiler: Compiler,
    progress: Callable[[str], None] = lambda _: None,
    *,
    workers: int = 2,
    max_rounds: int = 5,
    offsets: list[int] | None = None,
) -> list[Typeset]:
    """Typeset every part until the page numbers they print are the pages their headings are on.

    `keys[n]` lists part n's headings as (level, key) in the order its bookmarks come; the first
    round uses the page numbers `guess` and the part offsets `offsets`. Each round typesets again
    only the parts whose source changed. When `offsets` is not given (no earlier build to start
    from), the first round only lays the parts out (`lay_out`, no PDF), so that the next round
    typesets them with their real numbers: usually each part is typeset once. With the last build's
    numbers, the first round typesets the changed parts directly; usually that settles.
    """
    pages: Mapping[str, int] = guess
    guessed = offsets is not None and len(offsets) == len(keys)
    offsets = list(offsets) if offsets is not None and guessed else [0] * len(keys)
    done: list[Typeset | None] = [None] * len(keys)
    layouts: list[Layout | None] = [None] * len(keys)
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
            if round_number == 1 and not guessed:
                progress(f"laying out {len(stale)} of {len(keys)} parts…")
                found = pool.map(compiler.layout, [keys[n] for n in stale], [sources[n] for n in stale])
                for n, result in zip(stale, found, strict=True):
                    done[n] = result if isinstance(result, Typeset) else None
                    layouts[n] = result.layout if isinstance(result, Typeset) else result
            else:
                progress(f"typesetting {len(stale)} of {len(keys)} parts (round {round_number})…")
                results = pool.map(compiler.typeset, [keys[n] for n in stale], [sources[n] for n in stale])
                for n, typeset in zip(stale, results, strict=True):
                    done[n] = typeset
                    layouts[n] = typeset.layout
            offsets, pages = _numbers(keys, layouts)
    finished = [result for result in done if result is not None]
    if unsettled:
        first = finished[0]
        warning = f"page numbers did not settle in {max_rounds} rounds; some printed page numbers may be wrong"
        finished[0] = Typeset(
            first.source_hash, Pdf(first.pdf.data, (*first.pdf.warnings, warning)), first.pages, first.headings
        )
    return finished


def _numbers(keys: list[list[tuple[int, str]]], layouts: list[Layout | None]) -> tuple[list[int], dict[str, int]]:
    """Every part's offset and every heading's page (from 1), from the parts' layouts."""
    offsets: list[int] = []
    pages: dict[str, int] = {}
    offset = 0
    for part_keys, layout in zip(keys, layouts, strict=True):
        assert layout is not None  # every part is laid out or typeset in the first round
        offsets.append(offset)
        pages.update({key: offset + page + 1 for (_, key), page in zip(part_keys, layout.heading_pages, strict=True)})
        offset += layout.pages
    return offsets, pages


def heading_pages(typeset: list[Typeset]) -> dict[str, int]:
    """The page (from 1) of every heading key of the typeset parts, joined in order."""
    offsets = [sum(t.pages for t in typeset[:n]) for n in range(len(typeset))]
    return {
        key: offset + placed.page + 1
        for offset, t in zip(offsets, typeset, strict=True)
        for key, placed in t.headings.items()
    }


def join(typeset: list[Typeset], link_prefix: str, finish: Callable[[pikepdf.Pdf], None] | None = None) -> Pdf:
    """One PDF of the typeset parts: their pages, one outline of all their bookmarks, a named
    destination per heading, and every link to `link_prefix` + a heading key made a link to it;
    tagged parts give one structure tree (`claimsite.pdf_tags`). `finish` may add to the document
    before it is written (attachments: qpdf keeps none of the parts').

    qpdf (through pikepdf) does the joining: pypdf, pure Python, took 5 s of the 16 s that
    1,000 claims needed, most of it parsing objects; qpdf takes a fraction of a second.
    """
    parts = [pikepdf.Pdf.open(io.BytesIO(part.pdf.data)) for part in typeset]
    try:
        joined = pikepdf.Pdf.new()
        for part in parts:
            joined.pages.extend(part.pages)
        if all("/StructTreeRoot" in part.Root for part in parts):
            merge_structure(joined, parts, [part.pages for part in typeset])
        return _finish(joined, parts[0], typeset, link_prefix, finish)
    finally:
        for part in parts:
            part.close()


def _finish(
    joined: pikepdf.Pdf,
    first: pikepdf.Pdf,
    typeset: list[Typeset],
    link_prefix: str,
    finish: Callable[[pikepdf.Pdf], None] | None,
) -> Pdf:
    destinations: dict[str, pikepdf.Array] = {}
    titles: dict[str, str] = {}
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
                titles[key] = placed.title.replace("\u200b", "")  # break marks are not for speaking
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
                # The compiler describes a link by its target; for a heading, its title says where it goes.
                annotation.Contents = pikepdf.String(titles[key])

    for key, value in first.docinfo.items():
        joined.docinfo[key] = value
    if "/Lang" in first.Root:
        joined.Root.Lang = pikepdf.String(str(first.Root.Lang))
    if "/ViewerPreferences" in first.Root:  # a direct dictionary of plain values (DisplayDocTitle, ...)
        joined.Root.ViewerPreferences = pikepdf.Dictionary(dict(first.Root.ViewerPreferences.items()))
    joined.Root.PageMode = pikepdf.Name.UseOutlines
    if finish is not None:
        finish(joined)
    out = io.BytesIO()
    # Object streams: the structure tree is tens of thousands of small dictionaries, which compress well.
    joined.save(
        out,
        deterministic_id=True,
        fix_metadata_version=False,
        min_version=first.pdf_version,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    warnings = tuple(dict.fromkeys(w for part in typeset for w in part.pdf.warnings))
    return Pdf(out.getvalue(), warnings, len(joined.pages))
