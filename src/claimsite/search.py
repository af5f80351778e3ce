"""The published site's search: a Pagefind index of the built pages, and the markup pages carry for it.

Pagefind (https://pagefind.app) splits its index into chunks that a browser fetches as a reader types,
so the first results of a 10,000-claim site cost a few hundred kilobytes where Material's lunr index
is one file of tens of megabytes. It reads the built HTML: only Material's article (`ROOT_SELECTOR`),
so navigation, header and footer are not indexed; elements marked `data-pagefind-ignore` (generic
labels, lists of other claims) stay out; hidden, empty elements give it each page's metadata, filter
values and sort keys (`fields`), and a hidden block the spellings of every name the page refers to
(`names_block`), weighted like a title.

A build (`claimsite build`, `mkdocs build`) indexes while MkDocs writes: `StreamingIndex` gives a
Pagefind process what it reads of each page as soon as MkDocs has converted them all, so Pagefind
indexes and writes its bundle on another core while MkDocs renders the templates. Under both servers the index is
rewritten by `write_index` after each rebuild, in the background (`BackgroundIndex`). The offline copy
keeps Material's lunr search (Pagefind needs a web server; see claimsite.offline).
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Coroutine, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

from claimsite.forked import ChildFailed, ForkedCall, can_fork
from claimsite.markup import tag
from claimsite.staging import replace_folder
from claimsite.text import attr as esc

log = logging.getLogger("mkdocs.plugins.claimsite")

BUNDLE_DIR = "pagefind"
"""Where the index and Pagefind's scripts land in the site."""
ROOT_SELECTOR = "article.md-content__inner"
"""Material's page content: what is indexed of each page."""
EXCLUDE_SELECTORS = (".headerlink", ".md-content__button", ".md-source-file")
"""Inside it, what is no text of the page: heading permalinks (¶), the edit button, the file's dates."""
NAME_WEIGHT = 10.0
"""Names and spellings on a claim page weigh most (Pagefind's largest weight; an h1 title is 7), so a
claim about a person ranks above the person's own page for that person's name."""
SECONDARY_WEIGHT = 0.5
"""Source notes and the text of entity pages weigh half of body text: a match there ranks below one in a
title or a name, and a person's page below the claims about them."""
PAGE_TITLE_WEIGHT = 1.0
"""The title of an entity or index page weighs as body text, a claim's as an h1 (7): a reader searching
a name wants the claims about that person first, then the person's page (tests/test_search.py)."""
ALIAS_LIST_WEIGHT = 0.2
"""An entity page's list of aliases names one spelling several times over (Tarajkouski, Tarajkoŭski):
weighed low, so that the claims about the person, which carry each spelling once, still rank first."""
RANKING = {"ranking": {"metaWeights": {"title": 1.0}, "pageLength": 0.0}}
"""Pagefind's options (`pagefind.options(...)`), set by the search script: a page title weighs as much as body text
(Pagefind's default, 5, put every entity page above the claims naming that person), and a long page
is not ranked down for its length (claim pages are long, entity pages short)."""


def fields(
    meta: Mapping[str, str] = {}, filters: Mapping[str, Iterable[str]] = {}, sort: Mapping[str, str] = {}
) -> str:
    """Empty elements that hand Pagefind a page's metadata, filter values and sort keys.

    Each value sits in its own `data-value` attribute (escaped by `tag`), so commas and colons in a
    value need no quoting; the elements have no text, so nothing of them is indexed as content."""
    spans = [tag("span", data_pagefind_meta=f"{key}[data-value]", data_value=v) for key, v in meta.items() if v]
    spans += [
        tag("span", data_pagefind_filter=f"{key}[data-value]", data_value=v)
        for key, values in filters.items()
        for v in dict.fromkeys(values)
        if v
    ]
    spans += [tag("span", data_pagefind_sort=f"{key}[data-value]", data_value=v) for key, v in sort.items() if v]
    return tag("div", "".join(spans), hidden=True, class_="claim-search-fields")


def names_block(spellings: Iterable[str]) -> str:
    """Every word of every spelling of the names a page refers to, hidden from readers, weighted like
    a title. Pagefind matches words, not phrases, so each word is written once: a word equal to one
    already written once Pagefind has folded both (lower case, combining marks removed) is left out,
    which halves the block and every fragment a result costs to load."""
    seen: set[str] = set()
    words = []
    for spelling in spellings:
        for word in spelling.split():
            key = _pagefind_fold(word)
            if key and key not in seen:
                seen.add(key)
                words.append(word)
    if not words:
        return ""
    return tag("p", esc(" ".join(words)), hidden=True, data_pagefind_weight=str(NAME_WEIGHT))


def _pagefind_fold(word: str) -> str:
    """A word as Pagefind compares it: lower case, without combining marks, without the punctuation
    it splits or drops at the ends."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(".,;:()«»\"'’“”")


def origins_bucket(count: int) -> str:
    """The facet value for a number of independent origins: 1, 2 or 3+ (0 when there is no source)."""
    return str(count) if count < 3 else "3+"


@dataclass(frozen=True)
class IndexStats:
    pages: int
    """Pages indexed."""
    files: int
    """Files in the bundle (index chunks, fragments, scripts)."""
    bytes: int
    """Size of the bundle on disk."""


WRITE_FAULTS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})
"""Errors of writing the index that the site's build reports as its own (a full disk, say)."""


class SearchIndexError(Exception):
    """Pagefind could not be started or failed; the message says what to do."""


def write_index(site_dir: Path, *, directory_urls: bool = True, language: str = "en") -> IndexStats:
    """Index the built pages in `site_dir` into `site_dir/pagefind`, replacing an earlier index only
    once the new one is complete (a reader searching meanwhile uses the old one, never half of one)."""
    out = site_dir / BUNDLE_DIR
    fresh = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site_dir))
    # With directory URLs every page is an index.html; that leaves out 404.html, which is no page to find.
    glob = "{index.html,**/index.html}" if directory_urls else "**/*.html"
    try:
        pages = _run(_index(site_dir, fresh, glob, language))
        check_bundle(fresh)
        files = [p for p in fresh.rglob("*") if p.is_file()]
        stats = IndexStats(pages, len(files), sum(p.stat().st_size for p in files))
        replace_folder(fresh, out)
        return stats
    except SearchIndexError:
        raise
    except OSError as error:
        if error.errno in WRITE_FAULTS:  # our own writes failed: the disk, not Pagefind; said as such
            raise
        raise SearchIndexError(f"Pagefind failed while indexing {site_dir}: {error}") from None
    except Exception as error:  # the binary missing, killed, or a broken pipe: say what it was
        raise SearchIndexError(f"Pagefind failed while indexing {site_dir}: {error}") from None
    finally:
        shutil.rmtree(fresh, ignore_errors=True)


ROOM_NEEDED = 1 << 20
"""Free bytes under which an incomplete index is put down to a full disk."""


def check_bundle(bundle: Path) -> None:
    """Refuse an index Pagefind did not finish writing. On a full disk Pagefind 1.5 leaves empty files
    and still reports success (measured on a nearly full tmpfs); the site would ship a search that fails.
    Raises OSError(ENOSPC) when the disk is nearly full, SearchIndexError otherwise."""
    fault = _bundle_fault(bundle)
    if fault is None:
        return
    path, what = fault
    disk = os.statvfs(bundle)
    if disk.f_bavail * disk.f_frsize < ROOM_NEEDED:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    raise SearchIndexError(f"Pagefind wrote an incomplete index: {path} {what}; build again")


def _bundle_fault(bundle: Path) -> tuple[Path, str] | None:
    """The first file of the bundle that is empty or missing, and which of the two."""
    empty = next((p for p in sorted(bundle.rglob("*")) if p.is_file() and p.stat().st_size == 0), None)
    if empty is not None:
        return empty, "is empty"
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        needed = [
            bundle / name
            for language in entry["languages"].values()
            for name in (f"pagefind.{language['hash']}.pf_meta", f"wasm.{language['wasm']}.pagefind")
            if language.get("wasm") is not None or name.endswith(".pf_meta")  # no stemmer, no wasm (be)
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return entry_path, "is missing or unreadable"
    missing = next((path for path in needed if not path.is_file()), None)
    return (missing, "is missing") if missing is not None else None


class BackgroundIndex:
    """Indexing after each rebuild of a development server, off the rebuild's path: the edited page
    reloads at once and its search catches up a few seconds later. One run at a time; builds that
    finish during a run are folded into one more run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: tuple[Path, bool, str] | None = None
        self._worker: threading.Thread | None = None
        self.done = threading.Event()
        """Set whenever no indexing is running or waiting (tests and benchmarks wait on it)."""
        self.done.set()

    def request(self, site_dir: Path, *, directory_urls: bool, language: str) -> None:
        with self._lock:
            self._pending = (site_dir, directory_urls, language)
            self.done.clear()
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="claimsite-search-index", daemon=True)
                self._worker.start()

    def _work(self) -> None:
        while True:
            with self._lock:
                job, self._pending = self._pending, None
                if job is None:
                    self._worker = None
                    self.done.set()
                    return
            site_dir, directory_urls, language = job
            try:
                stats = write_index(site_dir, directory_urls=directory_urls, language=language)
                log.info("claimsite: search index updated (%d pages)", stats.pages)
            except (SearchIndexError, OSError) as error:  # the server keeps serving; the next build retries
                print(f"WARNING -  claimsite: search index not updated: {error}", file=sys.stderr, flush=True)


class StreamingIndex:
    """The search index of one build, made while MkDocs writes the pages.

    MkDocs converts every page first and renders the templates after (the larger part of a build).
    `add` is given each page's content as soon as it is converted (`on_page_content`): the part
    Pagefind reads of a built page (`ROOT_SELECTOR`, Material's article: its `h1` when the content has
    none, then the content; the edit button and file dates, which Material adds there too, are
    excluded from the index anyway) is written as a small document of its own into a work folder.
    `start`, once every page is converted (`on_env`), has Pagefind index that folder and write the
    bundle, on the other core, while MkDocs renders the templates; `finish` waits for it and puts the
    bundle in place of the site's index as `write_index` does; `abort` stops Pagefind and removes the
    work folder. The fragments are the same as those of the built pages indexed afterwards
    (tests/test_search.py).

    Pagefind takes longer than the rest of a large build after the pages are converted, so it starts
    as early as it can: `early` makes the documents of the pages that are known before MkDocs
    converts anything (the claim pages, rendered by the plugin: `{path: (content, title)}`, called
    once), and when a child can be forked (claimsite.forked) a child makes and indexes them at once,
    while MkDocs is still reading and converting; it indexes the pages `add` is given after `start`,
    then writes the bundle. Without a child, everything waits for `start`, in a thread.
    """

    def __init__(
        self,
        site_dir: Path,
        *,
        language: str,
        early: Callable[[], Mapping[str, tuple[str, str]]] | None = None,
        early_paths: Iterable[str] = (),
    ) -> None:
        self.site_dir = site_dir
        self.language = language
        self.work = Path(tempfile.mkdtemp(prefix="claimsite-pagefind-"))
        self.pages = self.work / "pages"
        self.early = self.work / "early"
        self.bundle = self.work / "bundle"
        self.early_paths = frozenset(early_paths)
        """Pages of `early`: `add` leaves them out (they are indexed from there)."""
        self._count = 0
        self._stop = False
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._pages = 0
        self._early = early
        self._go: int | None = None
        self._child: ForkedCall | None = None
        if early is not None and can_fork():
            wait, self._go = os.pipe()
            self._child = ForkedCall(lambda: {"pages": asyncio.run(self._work(wait))})
            os.close(wait)

    def add(self, path: str, content: str, title: str) -> None:
        """The page at `path` (relative to the site) has this converted content and title."""
        if path in self.early_paths:
            return
        self._write(self.pages, path, content, title)
        self._count += 1

    def _write(self, folder: Path, path: str, content: str, title: str) -> None:
        heading = "" if "<h1" in content else f"<h1>{esc(title)}</h1>"
        document = (
            f'<!DOCTYPE html><html lang="{esc(self.language)}"><head><meta charset="utf-8">'
            f'<title>{esc(title)}</title></head><body><article class="md-content__inner md-typeset">'
            f"{heading}{content}</article></body></html>"
        )
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(document, encoding="utf-8")

    def start(self) -> None:
        """Every page is added: index them and write the bundle, in the background."""
        if self._go is not None:
            os.write(self._go, b"g")
            os.close(self._go)
            self._go = None
        elif self._child is None and self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="claimsite-pagefind", daemon=True)
            self._thread.start()

    def finish(self) -> IndexStats:
        """Wait for the index and put it in place of the site's."""
        self.start()
        try:
            self._wait()
            check_bundle(self.bundle)
            files = [p for p in self.bundle.rglob("*") if p.is_file()]
            stats = IndexStats(self._pages, len(files), sum(p.stat().st_size for p in files))
            fresh = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=self.site_dir))
            try:
                try:  # on the same file system, the bundle moves in one rename (11,000 files at 10,000 claims)
                    os.replace(self.bundle, fresh)
                except OSError:
                    shutil.copytree(self.bundle, fresh, dirs_exist_ok=True)
                replace_folder(fresh, self.site_dir / BUNDLE_DIR)
            finally:
                shutil.rmtree(fresh, ignore_errors=True)
            return stats
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def _wait(self) -> None:
        if self._child is not None:
            try:
                self._pages = int(self._child.result()["pages"])
            except ChildFailed as error:
                raise SearchIndexError(f"Pagefind failed while indexing {self.site_dir}: {error}") from None
            return
        assert self._thread is not None
        self._thread.join()
        if isinstance(self._error, SearchIndexError | OSError):
            raise self._error
        if self._error is not None:
            raise SearchIndexError(f"Pagefind failed while indexing {self.site_dir}: {self._error}")

    def abort(self) -> None:
        """The build failed: stop Pagefind without writing anything, remove the work folder."""
        self._stop = True
        if self._child is not None:
            self._child.stop()
        if self._go is not None:
            os.close(self._go)
            self._go = None
        if self._thread is not None:
            self._thread.join()
        shutil.rmtree(self.work, ignore_errors=True)

    def _serve(self) -> None:
        try:
            self._pages = asyncio.run(self._work())
        except BaseException as error:  # reported by finish, in the build's own thread
            self._error = error

    async def _work(self, wait: int | None = None) -> int:
        """Index the early pages (made here), then, once `start` says so (a byte on `wait`, in a
        child), the pages `add` wrote, and write the bundle; the number of pages indexed."""
        early = self._early() if self._early is not None else {}
        for path, (content, title) in early.items():
            self._write(self.early, path, content, title)
        pages = 0
        async with _service() as service:
            index = await service.create_index(_index_config(self.bundle, self.language))
            if early:
                pages += int((await index.add_directory(path=str(self.early), glob="**/*.html"))["page_count"])
            if wait is not None and await asyncio.get_running_loop().run_in_executor(None, os.read, wait, 1) != b"g":
                return 0  # the build ended without starting the index
            if self.pages.is_dir():
                pages += int((await index.add_directory(path=str(self.pages), glob="**/*.html"))["page_count"])
            if self._stop:
                return 0
            self.bundle.mkdir(parents=True, exist_ok=True)  # a site of no pages still gets an (empty) bundle
            await index.write_files()
            await _written(self.bundle)  # see _index
        return pages


def _run(job: Coroutine[Any, Any, int]) -> int:
    """Run a coroutine to its end, also when the caller already runs an event loop (a notebook, a
    test driving a browser): then in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(job)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, job).result()


def _service() -> PagefindService:
    """A Pagefind service (its binary in a child process), to be entered with `async with`."""
    try:
        from pagefind.service import PagefindService
    except ImportError:  # pragma: no cover - a dependency of the package
        raise SearchIndexError("the Pagefind package is not installed: pip install 'pagefind[bin]'") from None
    return PagefindService()


def _index_config(out: Path, language: str) -> IndexConfig:
    from pagefind.index import IndexConfig

    return IndexConfig(
        root_selector=ROOT_SELECTOR,
        exclude_selectors=list(EXCLUDE_SELECTORS),
        output_path=str(out),
        force_language=language,
    )


async def _index(site_dir: Path, out: Path, glob: str, language: str) -> int:
    async with _service() as service:
        index = await service.create_index(_index_config(out, language))
        result = await index.add_directory(path=str(site_dir), glob=glob)
        await index.write_files()
        # Pagefind 1.5 answers `write_files` before every file is written; stopping the service then
        # (as leaving a PagefindIndex context does) cut files short under load: an empty
        # pagefind-component-ui.css was seen. The service is stopped once the bundle is complete.
        await _written(out)
    return int(result["page_count"])


WRITE_WAIT = 10.0
"""Seconds to wait for Pagefind to finish the files it said it wrote; past it, `check_bundle` reports."""


async def _written(bundle: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WRITE_WAIT
    while _bundle_fault(bundle) is not None and loop.time() < deadline:
        await asyncio.sleep(0.05)
