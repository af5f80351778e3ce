"""No third-party request, ever: every page type, on the site and in the offline copy, in a real browser.

Readers of this site may be at risk for reading it, so a page must not tell any other host that it
is being read: no repository widget asking api.github.com, no web fonts, no CDN. Chromium loads each
page type from http://127.0.0.1 and from the unzipped offline copy (file://); every request it makes
is recorded and any other host fails the test (and is aborted: tests never reach the internet).
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from conftest import make_project
from test_browser import CHROMIUM, CHROMIUM_ARGS, browser, search, site_url  # noqa: F401  (fixtures)

from claimsite.cli import main
from claimsite.offline import ZIP_FOLDER, ZIP_PATH

REPO_URL = "https://github.com/example/claims"
"""The fixture site's repo_url (tests/conftest.py), so that Material's repository widget is in play."""

PAGES = {
    "home": "",
    "claim page": "claims/leaked-order/",
    "claim page with hostile text": "claims/hostile-text/",
    "claim index": "claims/",
    "status index": "status/",
    "status page": "status/alleged/",
    "entity index": "entities/",
    "entity page": "entities/karpyankou/",
    "tag index": "tags/",
    "tag page": "tags/leak/",
    "timeline": "timeline/",
    "sources index": "sources/",
    "publisher page": "sources/belsat/",
    "methodology": "methodology/",
}
"""Every page type of the fixture site, by its address under the site's root."""

LOCAL_SCHEMES = {"file", "data", "blob", "about"}


def offline_path(path: str) -> str:
    """The same page in the offline copy, which has .html addresses: claims/ -> claims/index.html."""
    if path == "" or path in {"claims/", "status/", "entities/", "tags/", "sources/"}:
        return path + "index.html"
    return path.rstrip("/") + ".html"


@pytest.fixture(scope="module")
def offline_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site's offline copy (`claimsite build --offline`), unzipped as a reader would."""
    root = make_project(tmp_path_factory.mktemp("privacy") / "project")
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["build", "--offline"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    out = tmp_path_factory.mktemp("privacy-unzipped")
    with zipfile.ZipFile(root / "site" / ZIP_PATH) as archive:
        archive.extractall(out)
    return out / ZIP_FOLDER


class Recorder:
    """Every request a browser context makes; anything not local is aborted before it leaves."""

    def __init__(self, local_origin: str | None) -> None:
        self.local_origin = local_origin
        self.routed: list[str] = []
        """Requests that reached the network layer (the route)."""
        self.seen: list[str] = []
        """Every request the pages started, including those the browser refused to send."""

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES:
            return True
        return self.local_origin is not None and f"{parts.scheme}://{parts.netloc}" == self.local_origin

    def route(self, route) -> None:
        self.routed.append(route.request.url)
        if self.is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    def third_party(self, urls: list[str]) -> list[str]:
        return sorted({url for url in urls if not self.is_local(url)})


@pytest.fixture(params=["site", "offline copy"])
def pages(request: pytest.FixtureRequest) -> tuple[str | None, dict[str, str]]:
    """(local origin, {page type: URL}) for the served site or the offline copy."""
    if request.param == "site":
        base = request.getfixturevalue("site_url")
        return base.rstrip("/"), {name: base + path for name, path in PAGES.items()}
    copy = request.getfixturevalue("offline_copy")
    return None, {name: (copy / offline_path(path)).as_uri() for name, path in PAGES.items()}


def visit_every_page(context, urls: dict[str, str], recorder: Recorder) -> list[str]:
    """Open every page (in tabs side by side, so that their quiet periods overlap), let their scripts
    settle, search from the home page; the script errors seen."""
    context.route("**/*", recorder.route)
    errors: list[str] = []
    context.on("page", lambda page: page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}")))
    context.on("request", lambda request: recorder.seen.append(request.url))
    tabs = {}
    for name, url in urls.items():
        tabs[name] = context.new_page()
        tabs[name].goto(url, wait_until="commit")
    for name, page in tabs.items():
        page.wait_for_load_state("load")
        assert page.locator("article h1").count() == 1, f"{name}: {page.url} did not load"
        policy = page.locator('meta[http-equiv="Content-Security-Policy"]')
        assert "default-src 'self'" in (policy.get_attribute("content") or ""), f"{name}: no policy"
    quiet(tabs["home"], recorder)
    search(tabs["home"], "weapons")  # the search worker and its index load when a reader searches
    tabs["home"].locator(".md-search-result__item").first.wait_for(timeout=15_000)
    quiet(tabs["home"], recorder)
    return errors


def quiet(page, recorder: Recorder, seconds: float = 1.5, timeout: float = 60) -> None:
    """Wait until the pages have asked for nothing new for `seconds`: what scripts load after the load
    event (the search index, the worker) is then recorded. Not Playwright's "networkidle", which under
    file:// sometimes never comes (a request of the offline copy's iframe worker that never reports
    finishing), although nothing is asked for any more. Waiting through the page lets Playwright deliver
    the request events meanwhile (a plain sleep would hold them back)."""
    deadline = time.monotonic() + timeout
    seen, since = len(recorder.seen), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        if len(recorder.seen) != seen:
            seen, since = len(recorder.seen), time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
    raise AssertionError(f"the pages kept making requests for {timeout} s: {recorder.seen[-5:]}")


@pytest.mark.browser
def test_no_page_contacts_another_host(browser, pages: tuple[str | None, dict[str, str]]) -> None:  # noqa: F811
    """With the page's Content Security Policy bypassed, so that what the pages themselves ask for is seen."""
    origin, urls = pages
    recorder = Recorder(origin)
    context = browser.new_context(bypass_csp=True)
    try:
        errors = visit_every_page(context, urls, recorder)
    finally:
        context.close()
    assert recorder.third_party(recorder.seen + recorder.routed) == []
    assert errors == []
    searched = ("search_index.json", "search_index.js", ".pf_fragment")  # lunr offline, Pagefind online
    assert any(url.endswith(searched) for url in recorder.seen), (
        "the search index was never loaded: the test did not exercise search"
    )


@pytest.mark.browser
def test_the_content_security_policy_refuses_other_hosts_and_nothing_the_site_needs(
    browser,  # noqa: F811
    pages: tuple[str | None, dict[str, str]],
) -> None:
    """Every page carries a policy; it blocks a request to another host and none of the site's own."""
    origin, urls = pages
    recorder = Recorder(origin)
    context = browser.new_context()
    violations: list[str] = []
    context.on(
        "console", lambda message: violations.append(message.text) if "Content Security" in message.text else None
    )
    try:
        errors = visit_every_page(context, urls, recorder)
        assert violations == [], "the policy blocked something the site needs"
        blocked = context.pages[0].evaluate(
            """() => new Promise(resolve => {
                document.addEventListener('securitypolicyviolation', e => resolve(e.blockedURI), {once: true})
                const image = new Image()
                image.src = 'https://tracker.example/pixel.png'
            })"""
        )
    finally:
        context.close()
    assert blocked == "https://tracker.example/pixel.png"
    assert recorder.third_party(recorder.routed) == []  # refused by the browser: it never reached the network
    assert errors == []


@pytest.mark.browser
def test_the_repository_is_a_plain_link(browser, site_url: str) -> None:  # noqa: F811
    """Material's repository widget would fetch stars and forks from api.github.com on every visit."""
    page = browser.new_page()
    try:
        page.goto(site_url)
        links = page.locator("a.md-source")
        assert links.count() >= 1
        assert {links.nth(i).get_attribute("href") for i in range(links.count())} == {REPO_URL}
        assert page.locator('[data-md-component="source"]').count() == 0
        assert page.locator(".md-source__facts").count() == 0
    finally:
        page.close()


def test_web_fonts_and_analytics_stay_out_whatever_mkdocs_yml_says(project_dir: Path) -> None:
    """Material would link Google Fonts for `theme.font` and load Google Analytics for `extra.analytics`."""
    config = project_dir / "mkdocs.yml"
    text = config.read_text(encoding="utf-8").replace("font: false", "font: {text: Inter, code: Fira Code}")
    config.write_text(text + "extra: {analytics: {provider: google, property: G-XXXXXXXXXX}}\n", encoding="utf-8")
    os.chdir(project_dir)
    result = CliRunner().invoke(main, ["build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for page in sorted((project_dir / "site").rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html, page
        assert "googletagmanager" not in html and "G-XXXXXXXXXX" not in html, page
