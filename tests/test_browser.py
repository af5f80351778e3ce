"""Smoke test in a real browser: Debian's headless Chromium opens the built site and searches."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimsite.archive.browser import CHROMIUM_ARGS  # the flags the captures use: no background traffic

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """`folder` served on 127.0.0.1 by the standard library's server: its address, ending in '/'."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    """The built fixture site served on 127.0.0.1."""
    with serving(built_site) as url:
        yield url


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Debian's chromium is not installed: run `make browser` (apt-get install chromium)"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


PAGEFIND_BOX = "input[data-claimsite-search-query]"
LUNR_BOX = "input[data-md-component='search-query']"


def search(page, query: str) -> None:
    """Type into the site's search box as a reader would: the Pagefind dialog of the published site,
    or Material's lunr box in the offline copy. Results are `.md-search-result__item` in both."""
    page.set_default_timeout(15_000)
    page.wait_for_load_state("load")
    box = page.locator(PAGEFIND_BOX if page.locator(PAGEFIND_BOX).count() else LUNR_BOX)
    box.click()
    box.fill(query)  # typing key by key cannot produce Cyrillic on a US keyboard layout
    box.press("End")  # Material updates results on key events


def test_search_finds_a_claim_and_opens_it(browser, site_url: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url)
    search(page, "weapons")
    result = page.locator(".md-search-result__item a").filter(has_text="Leaked audio attributes an order")
    result.first.wait_for(timeout=15_000)
    result.first.click()
    page.wait_for_url("**/claims/leaked-order/**")
    assert page.locator("h1").inner_text().startswith("Leaked audio attributes an order")
    badge = page.locator(".claim-verdict .claim-badge").first
    assert badge.inner_text().split() == ["?", "Alleged"]  # an icon and the label, never colour alone
    assert badge.locator(".claim-badge__icon").get_attribute("aria-hidden") == "true"
    assert errors == []


def test_search_finds_a_person_by_another_spelling(browser, site_url: str) -> None:
    page = browser.new_page()
    page.goto(site_url)
    search(page, "Карпенков")
    page.locator(".md-search-result__item a").filter(has_text="Mikalai Karpyankou").first.wait_for(timeout=15_000)


def test_hostile_claim_runs_no_script(browser, site_url: str) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + "claims/hostile-text/")
    page.wait_for_load_state("networkidle")
    assert "<script>alert('title')</script>" in page.locator("h1").inner_text()
    assert dialogs == []
