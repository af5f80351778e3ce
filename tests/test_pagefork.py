"""The template speed-ups: the pages a forked child builds (claimsite.pagefork) — the same site as a
serial build, the child's warnings counted by `strict`, a failure in the child failing the build, no
sharing where a plugin gathers something from every page — and the navigation and header rendered once
for the pages that share them (claimsite.navcache): the same bytes as Material's own templates."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT
from mkdocs.config import load_config
from mkdocs.structure.files import File

from claimsite.pagefork import _build_pages, shareable
from claimsite.plugin import ClaimsitePlugin

pytestmark = pytest.mark.slow

# Builds in a process of its own: a pytest process may run other tests' threads, and a build forks only
# from a process with one thread (claimsite.forked.can_fork).
BUILD = textwrap.dedent(
    """\
    import sys
    import mkdocs.commands.build as mkdocs_build
    import claimsite.pagefork as pagefork
    import claimsite.plugin as plugin

    config_file, site_dir, mode = sys.argv[1:4]
    if mode in ("serial", "uncached"):
        plugin.shareable = lambda *args, **kwargs: False
    if mode == "uncached":  # Material's navigation and header rendered for every page
        import claimsite.navcache as navcache
        navcache.NavCache.part = lambda self, name, key: None
        navcache.NavCache.shares_header = lambda self, key: False
    if mode == "serial":
        import claimsite.navcache as navcache
        own_nav, own_header = navcache.NavCache.part, navcache.NavCache.header
        used = {"nav": 0, "header": 0}
        def nav(self, name, key):
            found = own_nav(self, name, key)
            used["nav"] += found is not None
            return found
        def header(self, key, page):
            found = own_header(self, key, page)
            used["header"] += found is not None
            return found
        navcache.NavCache.part, navcache.NavCache.header = nav, header
        import atexit
        atexit.register(lambda: print(f"kept navigation used {used['nav']}, kept header used {used['header']}"))
    if mode == "fail":  # the page step fails for one page, wherever it is built
        own = mkdocs_build._build_page
        def failing(page, *args, **kwargs):
            if page.file.src_uri == sys.argv[4]:
                raise RuntimeError("this page cannot be built")
            own(page, *args, **kwargs)
        mkdocs_build._build_page = failing
    if mode == "warn":  # the page step warns for one page
        import logging
        own_step = mkdocs_build._build_page
        def warning(page, *args, **kwargs):
            if page.file.src_uri == sys.argv[4]:
                logging.getLogger("mkdocs.commands.build").warning("a warning while building %s", sys.argv[4])
            own_step(page, *args, **kwargs)
        mkdocs_build._build_page = warning
    import claimsite.search as search
    own_init = search.StreamingIndex.__init__
    def init(self, *args, **kwargs):
        own_init(self, *args, **kwargs)
        print(f"search index started early: {self._child is not None}", flush=True)
    search.StreamingIndex.__init__ = init
    finish = pagefork.PageShare.finish
    def counted(self):
        count = finish(self)
        print(f"pages built by the child: {count}", flush=True)
        print("child pages: " + " ".join(sorted(self.child_pages)), flush=True)
        return count
    pagefork.PageShare.finish = counted
    from mkdocs.__main__ import cli  # MkDocs' own command line: its log format, its exit status
    cli.main(args=["build", "-f", config_file, "-d", site_dir], prog_name="mkdocs")
    """
)


def build(project: Path, site: Path, mode: str, *extra: str) -> subprocess.CompletedProcess[str]:
    script = project.parent / "build.py"
    script.write_text(BUILD, encoding="utf-8")
    environment = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, str(script), str(project / "mkdocs.yml"), str(site), mode, *extra],
        capture_output=True,
        text=True,
        env=environment,
        cwd=project,
    )


def pages(site: Path) -> dict[str, bytes]:
    """Every file of a built site but Pagefind's bundle (whose file names differ from run to run)."""
    return {
        str(path.relative_to(site)): path.read_bytes()
        for path in site.rglob("*")
        if path.is_file() and "pagefind" not in path.relative_to(site).parts
    }


def test_a_shared_build_writes_the_same_site_as_a_serial_one(project_dir: Path, tmp_path: Path) -> None:
    shared = build(project_dir, tmp_path / "shared", "shared")
    assert shared.returncode == 0, shared.stderr
    count = int(re.search(r"pages built by the child: (\d+)", shared.stdout)[1])  # type: ignore[index]
    serial = build(project_dir, tmp_path / "serial", "serial")
    assert serial.returncode == 0, serial.stderr
    assert "pages built by the child" not in serial.stdout
    shared_files, serial_files = pages(tmp_path / "shared"), pages(tmp_path / "serial")
    html = [path for path in serial_files if path.endswith(".html")]
    assert count >= len(html) // 3  # the child built a share of the pages, not one or two
    assert shared_files.keys() == serial_files.keys()
    assert [path for path in serial_files if shared_files[path] != serial_files[path]] == []


def test_the_index_started_early_holds_what_an_index_of_the_written_site_holds(
    project_dir: Path, tmp_path: Path
) -> None:
    """The claim pages' search documents are made and indexed by a child before MkDocs converts the
    pages (claimsite.search.StreamingIndex): Pagefind indexing the finished site gives the same
    fragments (the redirect stubs of renamed claims aside, which are no pages to find)."""
    from conftest import pagefind_pages

    from claimsite.search import write_index

    built = build(project_dir, tmp_path / "site", "shared")
    assert built.returncode == 0, built.stderr
    assert "search index started early: True" in built.stdout
    copy = tmp_path / "copy"
    shutil.copytree(tmp_path / "site", copy, ignore=shutil.ignore_patterns("pagefind"))
    write_index(copy)
    early, whole = pagefind_pages(tmp_path / "site"), pagefind_pages(copy)
    claims = {f"/claims/{path.stem}/" for path in (project_dir / "claims").glob("*.yaml")}
    assert claims and claims <= set(early)  # every claim page was indexed (from the early documents)
    assert set(early) <= set(whole)
    for url in set(whole) - set(early):
        assert 'http-equiv="refresh"' in (copy / url.strip("/") / "index.html").read_text(encoding="utf-8"), url
    for url, fragment in early.items():
        assert fragment == whole[url], url


def test_the_kept_navigation_and_header_are_materials_own(project_dir: Path, tmp_path: Path) -> None:
    cached = build(project_dir, tmp_path / "cached", "serial")
    assert cached.returncode == 0, cached.stderr
    used = re.search(r"kept navigation used (\d+), kept header used (\d+)", cached.stdout)
    assert used is not None, cached.stdout
    claims = len(list((tmp_path / "cached" / "claims").glob("*/index.html")))
    assert int(used[1]) >= claims - 1 and int(used[2]) >= claims - 1  # every claim page but the first
    rendered = build(project_dir, tmp_path / "rendered", "uncached")
    assert rendered.returncode == 0, rendered.stderr
    cached_files, rendered_files = pages(tmp_path / "cached"), pages(tmp_path / "rendered")
    assert cached_files.keys() == rendered_files.keys()
    assert [path for path in rendered_files if cached_files[path] != rendered_files[path]] == []
    hostile = (tmp_path / "cached" / "claims" / "hostile-text" / "index.html").read_text(encoding="utf-8")
    assert hostile.count('data-md-component="header-topic"') == 1  # its own title, in its own header


def test_a_page_that_fails_in_the_child_fails_the_build(project_dir: Path, tmp_path: Path) -> None:
    shared = build(project_dir, tmp_path / "probe", "shared")
    child_pages = re.search(r"child pages: (.+)", shared.stdout)[1].split()  # type: ignore[index]
    failing = build(project_dir, tmp_path / "site", "fail", child_pages[0])
    assert failing.returncode != 0
    assert "a page could not be built: RuntimeError: this page cannot be built" in failing.stderr
    assert "Traceback" not in failing.stderr.split("a page could not be built")[0]


def test_what_the_child_logs_is_kept_for_the_parent(caplog: pytest.LogCaptureFixture) -> None:
    config = load_config(str(ROOT / "mkdocs.yml"))
    built: list[str] = []

    def build_page(page: object, *args: object, **kwargs: object) -> None:
        built.append(page.file.src_uri)  # type: ignore[attr-defined]
        logging.getLogger("mkdocs.structure.pages").warning("a warning while building %s", built[-1])

    class Page:
        def __init__(self, file: File) -> None:
            self.file = file

    files = [File(f"{name}.md", "docs", "site", use_directory_urls=True) for name in ("a", "b")]
    for file in files:
        file.page = Page(file)  # type: ignore[assignment]
    mkdocs_logger = logging.getLogger("mkdocs")
    handlers = list(mkdocs_logger.handlers)
    try:
        logged = _build_pages(build_page, files, config, files, None, None)  # type: ignore[arg-type]
    finally:
        mkdocs_logger.handlers = handlers
    assert built == ["a.md", "b.md"]
    assert logged == [
        ("mkdocs.structure.pages", logging.WARNING, "a warning while building a.md"),
        ("mkdocs.structure.pages", logging.WARNING, "a warning while building b.md"),
    ]


def test_warnings_of_the_child_fail_a_strict_build(project_dir: Path, tmp_path: Path) -> None:
    shared = build(project_dir, tmp_path / "probe", "shared")
    child_pages = re.search(r"child pages: (.+)", shared.stdout)[1].split()  # type: ignore[index]
    warned = build(project_dir, tmp_path / "site", "warn", child_pages[0])
    assert warned.returncode != 0
    assert f"WARNING -  a warning while building {child_pages[0]}" in warned.stderr
    assert warned.stderr.count("a warning while building") == 1  # logged by the parent only
    assert "Aborted with 1 warnings in strict mode!" in warned.stdout + warned.stderr


def test_no_sharing_when_a_plugin_gathers_every_page(project_dir: Path) -> None:
    config_file = project_dir / "mkdocs.yml"
    config = load_config(str(config_file))
    config = config.plugins.on_config(config)  # Pagefind: Material's lunr search is turned off
    assert shareable(config, ClaimsitePlugin._stateless) == (sys.platform != "darwin")
    config_file.write_text(
        re.sub(r"\n( +)edit_url:", r"\n\1search: lunr\g<0>", config_file.read_text(encoding="utf-8"), count=1),
        encoding="utf-8",
    )
    lunr = load_config(str(config_file))
    lunr = lunr.plugins.on_config(lunr)
    assert not shareable(lunr, ClaimsitePlugin._stateless)  # Material's search gathers every page
