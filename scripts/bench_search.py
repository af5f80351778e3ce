#!/usr/bin/env python3
"""Benchmark the published site's search (Pagefind) against Material's lunr search on the same site.

For each corpus size it generates synthetic claims (claimsite.synth), builds the site twice with
`claimsite build` — once as published (`search: pagefind`), once with the plugin option
`search: lunr` (Material's own search, as the offline copy has it) — and measures:

  index      time and peak memory of writing the Pagefind index alone (claimsite.search.write_index,
             in a child process), and the size of each index on disk
  transfer   bytes a reader's browser fetches, counted by a local server on 127.0.0.1, from the
             first keystroke until the first results show, and for each further query
  latency    time from the last keystroke (the query set in the box and its input event, in the page)
             to the first result in the list, measured in the page with performance.now()

in Debian's headless Chromium, on a warm page (loaded, the search dialog opened and idle, as it is
by the time a reader has typed a word), each run in a fresh browser context so nothing is cached; the
first query's bytes count from the page's loading (Material's lunr fetches its whole index then).
Transfers are reported as sent (the test server compresses nothing) and as a gzip-compressing
server would send them (Pagefind's files are compressed already; lunr's JSON index compresses well),
so neither side is flattered.

Example:

    python scripts/bench_search.py --sizes 1000,10000 --json search-bench.json
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from claimsite import synth

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
COMPRESSIBLE = (".json", ".js", ".html", ".css", ".svg")
SEARCH_PATHS = ("/pagefind/", "/search/", "/assets/search.", "/assets/javascripts/workers/")
"""What a reader's browser fetches for search: Pagefind's bundle and claimsite's search script, or
Material's lunr index and its worker."""

ENGINES = {
    # engine: (selector of the query box, selector of a result)
    "pagefind": ("[data-claimsite-search-query]", ".claimsite-search .md-search-result__item"),
    "lunr": ("input[data-md-component='search-query']", ".md-search-result__item"),
}


@dataclass
class EngineResult:
    engine: str
    build_s: float
    index_s: float | None = None
    index_peak_mb: float | None = None
    index_mb: float = 0.0
    index_files: int = 0
    first_ms: list[float] = field(default_factory=list)
    first_bytes: list[int] = field(default_factory=list)
    first_bytes_gzip: list[int] = field(default_factory=list)
    next_ms: list[float] = field(default_factory=list)
    next_bytes: list[int] = field(default_factory=list)
    next_bytes_gzip: list[int] = field(default_factory=list)


@dataclass
class SizeResult:
    claims: int
    queries: list[str]
    engines: dict[str, EngineResult] = field(default_factory=dict)


# --------------------------------------------------------------------------- serving with a byte count


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder and adds every body it sends to the server's `sent` log."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source: Any, outputfile: Any) -> None:  # type: ignore[override]
        data = source.read()
        outputfile.write(data)
        server = self.server
        assert isinstance(server, CountingServer)
        with server.lock:
            server.sent.append((self.path, len(data), _gzip_size(self.path, data)))


def _gzip_size(path: str, data: bytes) -> int:
    if path.split("?")[0].endswith(COMPRESSIBLE) or path.endswith("/"):
        return len(gzip.compress(data, compresslevel=6))
    return len(data)


class CountingServer(http.server.ThreadingHTTPServer):
    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), functools.partial(CountingHandler, directory=str(folder)))
        self.lock = threading.Lock()
        self.sent: list[tuple[str, int, int]] = []

    def take(self) -> tuple[int, int]:
        """Bytes of search files sent (raw, gzip) since the last call: the index, the search scripts
        and worker (the page itself, its theme and its other scripts are the same with either search)."""
        with self.lock:
            sent, self.sent = self.sent, []
        searching = [s for s in sent if s[0].split("?")[0].startswith(SEARCH_PATHS)]
        return sum(s[1] for s in searching), sum(s[2] for s in searching)


@contextmanager
def serving(folder: Path) -> Iterator[CountingServer]:
    server = CountingServer(folder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- the browser side

WATCH = """([box, result]) => {
    window.__first = null
    const list = () => document.querySelector(result)
    new MutationObserver(() => {
        if (window.__first === null && list()) window.__first = performance.now()
    }).observe(document.body, {childList: true, subtree: true})
}"""

TYPE = """([box, query]) => {
    const input = document.querySelector(box)
    window.__first = null
    input.value = query
    window.__typed = performance.now()
    input.dispatchEvent(new Event("input", {bubbles: true}))
    input.dispatchEvent(new KeyboardEvent("keyup", {bubbles: true, key: "End"}))  // Material listens to keys
}"""


def measure_queries(browser: Any, url: str, server: CountingServer, engine: str, queries: Sequence[str]) -> Any:
    """(ms, bytes, gzip bytes) of the first query, then of each further one, in one fresh context."""
    box, result = ENGINES[engine]
    context = browser.new_context()
    page = context.new_page()
    server.take()
    page.goto(url, wait_until="networkidle")  # lunr fetches its whole index now, on every page
    page.evaluate(WATCH, [box, result])
    page.keyboard.press("/")  # opens the search dialog, which starts loading Pagefind
    page.wait_for_selector(box, state="visible")
    page.wait_for_load_state("networkidle")  # a warm page: what loads before the first word is typed
    timings = []
    for query in queries:
        page.evaluate(TYPE, [box, query])
        page.wait_for_function("() => window.__first !== null", timeout=120_000)
        elapsed = page.evaluate("() => window.__first - window.__typed")
        page.wait_for_load_state("networkidle")
        raw, packed = server.take()
        timings.append((elapsed, raw, packed))
        _clear(page, box, result)
    context.close()
    return timings


def _clear(page: Any, box: str, result: str) -> None:
    """Empty the box and wait until the old results are gone, so the next query's first result is new."""
    page.evaluate(
        "([box]) => { const i = document.querySelector(box); i.value = ''; "
        "i.dispatchEvent(new Event('input', {bubbles: true})); "
        "i.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true, key: 'Backspace'})) }",
        [box],
    )
    page.wait_for_function("(result) => !document.querySelector(result)", arg=result, timeout=30_000)


# --------------------------------------------------------------------------- building


def build(claims: Path, site: Path, engine: str, work: Path) -> float:
    """Seconds of `claimsite build` of the repository's site from `claims`, with the given search."""
    path = REPO / "mkdocs.yml"
    if engine != "pagefind":  # the same config with another search option (edited as text: it has tags)
        text = path.read_text(encoding="utf-8").replace("docs_dir: docs", f"docs_dir: {REPO / 'docs'}")
        text = text.replace("  - claimsite:\n", f"  - claimsite:\n      search: {engine}\n", 1)
        path = work / f"mkdocs-{engine}.yml"
        path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "claimsite"), "build", "-f", str(path), "--claims", str(claims), "--site-dir", str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def index_alone(site: Path) -> tuple[float, float]:
    """Seconds and peak MB of writing the Pagefind index of a built site, in a child process."""
    code = (
        "import sys; from pathlib import Path; from claimsite.search import write_index; write_index(Path(sys.argv[1]))"
    )
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(site)])
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"indexing {site} failed")
    return elapsed, usage.ru_maxrss / 1024


def folder_size(path: Path) -> tuple[float, int]:
    files = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
    return sum(p.stat().st_size for p in files) / 1e6, len(files)


def queries_for(claims: Path, count: int, seed: int) -> list[str]:
    """Surnames of people in the corpus, in Latin and Cyrillic, for queries that find claims."""
    people = []
    for path in sorted((claims / "entities").glob("*.yaml")):
        entity = yaml.safe_load(path.read_text(encoding="utf-8"))
        if entity.get("kind") == "person":
            people.append(entity["name"].split()[-1])
            people.extend(name.split()[-1] for name in (entity.get("names") or {}).values())
    rng = random.Random(seed)
    return rng.sample(sorted(set(people)), count)


def run_size(claims_count: int, seed: int, queries: int, browser: Any, keep: bool) -> SizeResult:
    work = Path(tempfile.mkdtemp(prefix=f"claimsite-search-bench-{claims_count}-"))
    try:
        claims = work / "claims"
        print(f"[{claims_count}] generating corpus in {claims}", flush=True)
        synth.write(claims_count, claims, seed)
        result = SizeResult(claims_count, queries_for(claims, queries, seed))
        for engine in ENGINES:
            site = work / f"site-{engine}"
            print(f"[{claims_count}] {engine}: building", flush=True)
            outcome = EngineResult(engine, build(claims, site, engine, work))
            if engine == "pagefind":
                outcome.index_s, outcome.index_peak_mb = index_alone(site)
                outcome.index_mb, outcome.index_files = folder_size(site / "pagefind")
            else:
                outcome.index_mb, outcome.index_files = folder_size(site / "search")
            print(f"[{claims_count}] {engine}: searching {result.queries}", flush=True)
            with serving(site) as server:
                url = f"http://127.0.0.1:{server.server_address[1]}/"
                for _ in range(3):  # three fresh contexts: the medians are reported
                    timings = measure_queries(browser, url, server, engine, result.queries)
                    (ms, raw, packed), rest = timings[0], timings[1:]
                    outcome.first_ms.append(ms)
                    outcome.first_bytes.append(raw)
                    outcome.first_bytes_gzip.append(packed)
                    outcome.next_ms += [t[0] for t in rest]
                    outcome.next_bytes += [t[1] for t in rest]
                    outcome.next_bytes_gzip += [t[2] for t in rest]
            result.engines[engine] = outcome
            print(f"[{claims_count}] {engine}: {summary(outcome)}", flush=True)
        return result
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def summary(r: EngineResult) -> str:
    med = statistics.median
    index = f"index {r.index_s:.1f} s, {r.index_peak_mb:.0f} MB peak; " if r.index_s is not None else ""
    return (
        f"build {r.build_s:.1f} s; {index}index on disk {r.index_mb:.2f} MB in {r.index_files} files; "
        f"first results {med(r.first_ms):.0f} ms after {med(r.first_bytes) / 1024:.0f} KB "
        f"({med(r.first_bytes_gzip) / 1024:.0f} KB gzip); further queries {med(r.next_ms):.0f} ms, "
        f"{med(r.next_bytes) / 1024:.1f} KB ({med(r.next_bytes_gzip) / 1024:.1f} KB gzip)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000", help="claim counts, comma-separated (default 1000)")
    parser.add_argument("--queries", type=int, default=4, help="queries per run: one first, the rest further")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpora and sites")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        for size in sorted(int(s) for s in args.sizes.split(",")):
            results.append(run_size(size, args.seed, args.queries, browser, args.keep))
        browser.close()
    print()
    print(
        "| claims | search | build s | index s | index MB (files) | first results ms | KB to first (gzip) "
        "| further query ms | KB per further query (gzip) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    med = statistics.median
    for result in results:
        for r in result.engines.values():
            index = f"{r.index_s:.1f}" if r.index_s is not None else "—"
            print(
                f"| {result.claims} | {r.engine} | {r.build_s:.1f} | {index} | {r.index_mb:.2f} ({r.index_files}) "
                f"| {med(r.first_ms):.0f} | {med(r.first_bytes) / 1024:.0f} ({med(r.first_bytes_gzip) / 1024:.0f}) "
                f"| {med(r.next_ms):.0f} | {med(r.next_bytes) / 1024:.1f} ({med(r.next_bytes_gzip) / 1024:.1f}) |"
            )
        pf, lunr = result.engines.get("pagefind"), result.engines.get("lunr")
        if pf and lunr:
            print(
                f"  {result.claims}: Pagefind/lunr — first results {med(pf.first_ms) / med(lunr.first_ms):.2f}×, "
                f"bytes to first results {med(pf.first_bytes_gzip) / med(lunr.first_bytes_gzip):.3f}× (gzip), "
                f"build {pf.build_s / lunr.build_s:.2f}×"
            )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
