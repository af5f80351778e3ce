"""`claimsite build --offline`: a zipped copy of the site that works from file:// with no network."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_project
from test_browser import CHROMIUM, CHROMIUM_ARGS, search

from claimsite.cli import main
from claimsite.offline import SHIM_PATH, ZIP_FOLDER, ZIP_PATH, offline_config
from claimsite.site import load_site_config

EPOCH = "1700000000"  # 2023-11-14 22:13:20 UTC
CDN_HOSTS = (
    "unpkg.com",
    "cdn.jsdelivr.net",
    "cdnjs.cloudflare.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "ajax.googleapis.com",
    "polyfill.io",
    "esm.sh",
    "code.jquery.com",
)
CDN_URL = re.compile(r"(?:https?:)?//(?:" + "|".join(re.escape(h) for h in CDN_HOSTS) + r")[^\s\"'`)]*")
MATERIAL_DEAD_CODE = {
    # Material's bundle loads these only for browsers without ResizeObserver (all current ones have
    # it) and for pages with Mermaid diagrams (claimsite emits none). Listed exactly, so that a
    # Material upgrade that adds another CDN load fails here.
    "https://unpkg.com/resize-observer-polyfill",
    "https://unpkg.com/mermaid@11/dist/mermaid.min.js",
}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
RESOURCE_RELS = {
    "stylesheet",
    "icon",
    "preload",
    "prefetch",
    "preconnect",
    "modulepreload",
    "dns-prefetch",
    "manifest",
    "apple-touch-icon",
}


def build(root: Path, *args: str) -> str:
    old = Path.cwd()
    os.chdir(root)
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("SOURCE_DATE_EPOCH", EPOCH)
            result = CliRunner().invoke(main, ["build", *args], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return result.output


def build_fails(root: Path) -> str:
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["build", "--offline"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 1, result.output
    return result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture claims built once with `claimsite build --offline`."""
    root = make_project(tmp_path_factory.mktemp("offline") / "project")
    output = build(root, "--offline")
    assert "claims-offline.zip (" in output
    return root


@pytest.fixture(scope="module")
def copy(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline zip unpacked, as a reader would."""
    out = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(project / "site" / ZIP_PATH) as archive:
        archive.extractall(out)
    return out / ZIP_FOLDER


def test_the_zip_is_in_the_site_with_one_top_folder(project: Path) -> None:
    with zipfile.ZipFile(project / "site" / ZIP_PATH) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert names[0] == f"{ZIP_FOLDER}/"
    assert all(name.startswith(f"{ZIP_FOLDER}/") for name in names)
    assert f"{ZIP_FOLDER}/index.html" in names
    assert {info.date_time for info in infos} == {(2023, 11, 14, 22, 13, 20)}
    modes = {info.filename: info.external_attr >> 16 for info in infos}
    assert {mode for name, mode in modes.items() if name.endswith("/")} == {0o40755}
    assert {mode for name, mode in modes.items() if not name.endswith("/")} == {0o100644}
    assert not [name for name in names if name.endswith(".map")]


def test_the_copy_has_html_links_the_inlined_index_and_the_vendored_shim(copy: Path) -> None:
    assert (copy / "claims" / "leaked-order.html").is_file()
    assert (copy / "search" / "search_index.js").read_text(encoding="utf-8").startswith("var __index = {")
    shim = (copy / SHIM_PATH).read_text(encoding="utf-8")
    assert "iframe-worker 1.0.4" in shim and "License: MIT" in shim and "squidfunk" in shim
    for page in ["index.html", "claims/leaked-order.html"]:
        scripts = [a.get("src") for tag, a in parse(copy / page) if tag == "script"]
        assert any(src and src.endswith(SHIM_PATH) for src in scripts), page
    assert ZIP_PATH not in (copy / "index.html").read_text(encoding="utf-8")  # it does not contain itself
    assert not (copy / "pagefind").exists()  # Pagefind needs a server: the copy searches with lunr
    assert "Material&#x27;s lunr search" in (copy / "index.html").read_text(encoding="utf-8")  # and says so
    assert "this copy has none" in (copy / "browse.html").read_text(encoding="utf-8")


def test_the_copy_loads_nothing_from_the_internet(copy: Path) -> None:
    cdn: set[tuple[str, str]] = set()
    loads: list[tuple[str, str, str]] = []
    for path in sorted(p for p in copy.rglob("*") if p.is_file()):
        name = path.relative_to(copy).as_posix()
        text = path.read_bytes().decode("utf-8", errors="replace")
        cdn |= {(name, url) for url in CDN_URL.findall(text)}
        if path.suffix == ".html":
            for tag, attrs in parse(path):
                rels = set((attrs.get("rel") or "").lower().split())
                targets = [attrs.get("src"), attrs.get("data"), attrs.get("poster")]
                if tag == "link" and rels & RESOURCE_RELS:
                    targets.append(attrs.get("href"))
                loads += [(name, tag, t) for t in targets if t and EXTERNAL.match(t)]
        if path.suffix == ".css":
            loads += [
                (name, "css", u)
                for u in re.findall(r"(?:url\(|@import)\s*['\"]?([^'\")\s]+)", text)
                if EXTERNAL.match(u) and not u.startswith("data:")
            ]
    assert loads == []
    bundle = {(name, url) for name, url in cdn if re.fullmatch(r"assets/javascripts/bundle\.\w+\.min\.js", name)}
    assert {url for _, url in bundle} == MATERIAL_DEAD_CODE
    assert sorted(cdn - bundle) == []


def test_two_builds_of_the_same_claims_give_the_same_zip(project: Path, tmp_path: Path) -> None:
    other = make_project(tmp_path / "elsewhere")  # another path: no absolute path may leak in
    build(other, "--offline")
    assert (other / "site" / ZIP_PATH).read_bytes() == (project / "site" / ZIP_PATH).read_bytes()


def test_the_site_links_the_zip(project: Path) -> None:
    assert f'href="{ZIP_PATH}"' in (project / "site" / "index.html").read_text(encoding="utf-8")


def test_the_copy_cites_the_public_addresses(copy: Path) -> None:
    page = next(copy.rglob("claims/leaked-order.html")).read_text(encoding="utf-8")
    assert "https://claims.example.org/claims/leaked-order/" in page
    assert "https://claims.example.org/claims/leaked-order.html" not in page


@pytest.fixture
def tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private temporary folder, to see that a failed build leaves nothing behind in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


def test_a_failed_offline_build_keeps_the_previous_site(
    project_dir: Path, tmp_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (project_dir / "site").mkdir()
    (project_dir / "site" / "previous.txt").write_text("old site", encoding="utf-8")
    clash = project_dir / "docs" / SHIM_PATH  # only the offline build adds the shim: it fails, alone
    clash.parent.mkdir(parents=True)
    clash.write_text("// not the shim\n", encoding="utf-8")
    assert "MkDocs build failed" in build_fails(project_dir)
    assert f"docs/{SHIM_PATH} clashes with the offline copy" in caplog.text
    assert [p.name for p in (project_dir / "site").iterdir()] == ["previous.txt"]
    assert sorted(p.name for p in project_dir.iterdir()) == ["claims", "docs", "mkdocs.yml", "site"]
    assert list(tmp_dir.iterdir()) == []


def test_a_failed_site_build_after_the_offline_one_writes_no_zip(
    project_dir: Path, tmp_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (project_dir / "site").mkdir()
    (project_dir / "site" / "previous.txt").write_text("old site", encoding="utf-8")
    (project_dir / "docs" / ZIP_PATH).write_bytes(b"")  # only the site build adds the zip: it fails second
    assert "MkDocs build failed" in build_fails(project_dir)
    assert f"docs/{ZIP_PATH} clashes with the offline copy" in caplog.text
    assert [p.name for p in (project_dir / "site").iterdir()] == ["previous.txt"]
    assert sorted(p.name for p in project_dir.iterdir()) == ["claims", "docs", "mkdocs.yml", "site"]
    assert list(tmp_dir.iterdir()) == []


def test_offline_config_turns_off_instant_navigation_and_replaces_cdn_shims(project_dir: Path) -> None:
    config_file = project_dir / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    text = text.replace(
        "features: [navigation.prune]", "features: [navigation.prune, navigation.instant, navigation.instant.progress]"
    )
    text += "extra:\n  polyfills: [https://unpkg.com/iframe-worker/shim]\n"
    config_file.write_text(text, encoding="utf-8")
    config = load_site_config(config_file)
    offline_config(config)
    assert config.theme["features"] == ["navigation.prune"]
    assert config.extra["polyfills"] == [SHIM_PATH]
    assert config.use_directory_urls is False
    assert "material/offline" in config.plugins


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def parse(path: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


@pytest.mark.browser
def test_search_works_from_file_urls_without_network(copy: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Debian's chromium is not installed: run `make browser` (apt-get install chromium)"
    # No --allow-file-access-from-files: the offline copy loads the search index and the worker
    # through <script> tags (search_index.js, the iframe-worker shim), which file:// pages may do
    # by default; passing the flag would hide a regression to fetch(), which they may not.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True)  # no network at all, as on a train
            page = context.new_page()
            errors: list[str] = []
            requests: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda request: requests.append(request.url))
            page.goto((copy / "index.html").as_uri())
            search(page, "weapons")
            results = page.locator(".md-search-result__item a")
            result = results.filter(has_text="Leaked audio attributes an order")
            result.first.wait_for(timeout=15_000)
            result.first.click()
            page.wait_for_url("**/claims/leaked-order.html")
            assert page.locator("h1").inner_text().startswith("Leaked audio attributes an order")
            assert errors == []
            assert [url for url in requests if not url.startswith("file://")] == []
        finally:
            browser.close()


def test_the_copy_holds_the_pdf_when_the_publication_makes_one(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project")
    build(root, "--pdf", "--offline")
    with zipfile.ZipFile(root / "site" / ZIP_PATH) as archive:
        inside = archive.read(f"{ZIP_FOLDER}/claims.pdf")
        home = archive.read(f"{ZIP_FOLDER}/index.html").decode("utf-8")
    assert inside == (root / "site" / "claims.pdf").read_bytes()
    assert 'href="claims.pdf"' in home  # the copy links its own PDF, as the site does
