"""Accessible to WCAG 2.2 AA, checked in a real browser on every page type of the fixture site.

axe-core (npm, installed by `make axe` into .venv/npm) runs inside Chromium on each page, in the light
and the dark palette; then what axe cannot judge: the keyboard alone reaches the content with the
focus visible, nothing scrolls sideways at 320 px or at 200% zoom, and reduced motion stops motion.
"""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from test_browser import browser, site_url  # noqa: F401  (fixtures)
from test_privacy import PAGES

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"
AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
"""Every A and AA success criterion axe tests, WCAG 2.0 to 2.2, and its best practices."""
PALETTES = {"light": ("light", "default"), "dark": ("dark", "slate")}
"""Palette: (the reader's colour-scheme preference, the Material scheme the fixture site then shows)."""

FOCUS_VISIBLE = """() => {
    const focused = document.activeElement
    // Material's palette switch is a visually hidden radio button whose label shows its focus.
    const shown = focused.matches('input.md-option') ? focused.nextElementSibling : focused
    const style = getComputedStyle(shown)
    const box = shown.getBoundingClientRect()
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
    return {
        element: focused.outerHTML.slice(0, 120),
        inContent: !!focused.closest('.md-content') && focused.matches('a[href]'),
        indicated: outline || style.boxShadow !== 'none',
        onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
            && box.left < innerWidth && box.top < innerHeight,
    }
}"""


@pytest.fixture(scope="module")
def axe_script() -> str:
    assert AXE.is_file(), "axe-core is not installed: run `make axe` (npm install into .venv/npm)"
    return str(AXE)


def run_axe(page, script: str) -> list[str]:
    """axe's violations on the page as it is now, one line per element: rule id, impact, element, why."""
    page.add_script_tag(path=script)
    assert page.evaluate("axe.version") == AXE_VERSION
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", {"runOnly": WCAG_AA})
    return [
        f"{v['id']} ({v['impact']}) {' '.join(node['target'])}: {node['failureSummary']}"
        for v in violations
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violation(browser, site_url: str, axe_script: str, name: str, palette: str) -> None:  # noqa: F811
    preference, scheme = PALETTES[palette]
    context = browser.new_context(color_scheme=preference)
    try:
        page = context.new_page()
        page.goto(site_url + PAGES[name])  # after the load event: Material's scripts have run
        # What axe sees is this palette: Material set the scheme, and the page really is light or dark.
        assert page.evaluate("document.body.dataset.mdColorScheme") == scheme
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        red, green, blue = (int(n) for n in re.findall(r"\d+", background)[:3])
        assert (red + green + blue > 3 * 128) == (palette == "light"), background
        assert run_axe(page, axe_script) == []
    finally:
        context.close()


@pytest.mark.parametrize("palette", PALETTES)
def test_axe_finds_no_violation_in_search_results(browser, site_url: str, axe_script: str, palette: str) -> None:  # noqa: F811
    from test_browser import search

    context = browser.new_context(color_scheme=PALETTES[palette][0])
    try:
        page = context.new_page()
        page.goto(site_url)
        search(page, "weapons")
        page.locator(".md-search-result__item").first.wait_for(timeout=15_000)
        assert run_axe(page, axe_script) == []
    finally:
        context.close()


def test_the_keyboard_reaches_the_content_with_the_focus_visible(browser, site_url: str) -> None:  # noqa: F811
    """From the top of each page, Tab reaches a link in the content; every stop on the way shows its focus."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems: list[str] = []
    try:
        for name, path in PAGES.items():
            page.goto(site_url + path)
            for _ in range(60):
                page.keyboard.press("Tab")
                focus = page.evaluate(FOCUS_VISIBLE)
                if not (focus["indicated"] and focus["onScreen"]):
                    problems.append(f"{name}: focus not visible on {focus['element']}")
                if focus["inContent"]:
                    break
            else:
                problems.append(f"{name}: 60 presses of Tab never reached a link in the content")
    finally:
        page.close()
    assert problems == []


def test_on_a_narrow_screen_the_keyboard_opens_the_navigation(browser, site_url: str) -> None:  # noqa: F811
    """At 320 px the navigation is a drawer: its button takes the focus and Enter opens it; while it
    is closed its links take no focus (they would be focused off-screen)."""
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        page.goto(site_url + PAGES["claim page"])
        for _ in range(40):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_VISIBLE)
            assert focus["indicated"] and focus["onScreen"], focus["element"]
            if focus["inContent"]:
                break
        page.goto(site_url + PAGES["claim page"])
        button = page.locator('label[for="__drawer"][role="button"]')
        for _ in range(5):
            page.keyboard.press("Tab")
            if button.evaluate("b => b === document.activeElement"):
                break
        assert button.get_attribute("aria-label") == "Navigation"
        assert button.get_attribute("aria-expanded") == "false"
        page.keyboard.press("Enter")
        assert page.evaluate("document.getElementById('__drawer').checked")
        assert button.get_attribute("aria-expanded") == "true"
        page.keyboard.press(" ")
        assert button.get_attribute("aria-expanded") == "false"
        page.keyboard.press(" ")
        assert button.get_attribute("aria-expanded") == "true"
        page.wait_for_timeout(400)  # the drawer slides in
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("!!document.activeElement.closest('.md-sidebar--primary')"):
                break
        focus = page.evaluate(FOCUS_VISIBLE)
        assert focus["indicated"] and focus["onScreen"], focus["element"]
    finally:
        page.close()


@pytest.mark.parametrize(
    ("width", "scale"),
    [(320, 1), (640, 2)],
    ids=["320px", "200% zoom"],  # a 1280 px window at 200% lays pages out in 640 CSS px
)
def test_no_page_scrolls_sideways(browser, site_url: str, width: int, scale: int) -> None:  # noqa: F811
    """Reflow (WCAG 1.4.10): long ids, URLs, words and code wrap; nothing is wider than the screen."""
    context = browser.new_context(viewport={"width": width, "height": 640}, device_scale_factor=scale)
    too_wide: dict[str, int] = {}
    try:
        page = context.new_page()
        for name, path in PAGES.items():
            page.goto(site_url + path)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[name] = scroll_width
    finally:
        context.close()
    assert too_wide == {}


def test_reduced_motion_stops_transitions_and_animations(browser, site_url: str) -> None:  # noqa: F811
    durations = """() => [...document.querySelectorAll('*')].flatMap(e => {
        const style = getComputedStyle(e)
        return [style.transitionDuration, style.animationDuration].flatMap(d => d.split(','))
            .map(d => parseFloat(d)).filter(d => d > 0.001)
    })"""
    moving = browser.new_context()
    still = browser.new_context(reduced_motion="reduce")
    try:
        page = moving.new_page()
        page.goto(site_url + PAGES["claim page"])
        assert page.evaluate(durations), "nothing on the page moves: the test checks nothing"
        assert (
            page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-nav__link')).transitionDuration)")
            > 0
        )
        page = still.new_page()
        page.goto(site_url + PAGES["claim page"])
        assert page.evaluate(durations) == []
    finally:
        moving.close()
        still.close()


CYRILLIC_WITHOUT_ITS_LANGUAGE = """() => {
    const found = []
    const walker = document.createTreeWalker(document.querySelector('article'), NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement
        if (!/[\\u0400-\\u04FF]/.test(node.textContent) || parent.closest('script, style, [hidden]')) continue
        const marked = parent.closest('[lang]')
        const lang = marked ? marked.getAttribute('lang') : ''
        if (!/^(be|ru|uk)\\b/.test(lang)) found.push(`${parent.tagName} lang=${lang}: ${node.textContent.trim()}`)
    }
    return found
}"""


def test_text_in_cyrillic_carries_its_language(browser, site_url: str) -> None:  # noqa: F811
    """Language of parts (WCAG 3.1.2): a screen reader reads Belarusian or Russian text with the right voice
    only when an element around it says which language it is; axe cannot tell. Hidden text (the
    spellings kept for the search index) is not presented, so not checked."""
    page = browser.new_page()
    unmarked: dict[str, list[str]] = {}
    try:
        for name, path in PAGES.items():
            page.goto(site_url + path)
            found = page.evaluate(CYRILLIC_WITHOUT_ITS_LANGUAGE)
            if found:
                unmarked[name] = found
    finally:
        page.close()
    assert unmarked == {}
