"""The published site's search interface in a real browser: the Pagefind dialog in the header and the
browse page (src/claimsite/assets/search.js), as a reader uses them with the keyboard alone.

The fixture site is served one folder down (http://127.0.0.1:PORT/site/), as a project site is, so
every address the script makes must start from the site's root, not the host's. What the index finds
for a query is tested in the search tests; here it is what the interface does with the results.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from test_a11y import PALETTES, axe_script, run_axe  # noqa: F401  (fixture)
from test_browser import browser, serving  # noqa: F401  (fixture)

from claimsite.i18n import messages
from claimsite.search_ui import FACETS, interface_strings

SUB_PATH = "site/"
"""The site is served under this path, like a project site (https://ORG.github.io/REPO/)."""


@pytest.fixture(scope="module")
def search_site(built_site: Path) -> Path:
    """The fixture claims built by `claimsite build`, with the Pagefind index the build writes."""
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    return built_site


@pytest.fixture(scope="module")
def site_root(search_site: Path) -> Iterator[str]:
    """The address of the site's root, served from the folder above it by the standard library's server."""
    assert search_site.name + "/" == SUB_PATH
    with serving(search_site.parent) as url:
        yield url + SUB_PATH


@pytest.fixture
def page(browser) -> Iterator[object]:  # noqa: F811
    """A fresh page that records script errors and every address it asks for."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    tab.errors, tab.requests = [], []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("request", lambda request: tab.requests.append(request.url))
    yield tab
    context.close()


def dialog_results(page):
    return page.locator(".claimsite-search .md-search-result__item")


def focused(page) -> str:
    return page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def search_is_open(page) -> bool:
    return page.evaluate("document.getElementById('__search').checked")


def focus_is_outlined(page) -> bool:
    return page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 })()"
    )


# --------------------------------------------------------------------------- the dialog


@pytest.mark.browser
def test_slash_opens_the_search_and_results_show_status_date_and_statement(site_root: str, page) -> None:
    page.goto(site_root + "claims/voice-attribution/")
    assert not [url for url in page.requests if "/pagefind/" in url], "Pagefind loads before the search opens"
    page.keyboard.press("/")
    assert search_is_open(page)
    assert "md-search__input" in focused(page)
    page.keyboard.type("weapons")

    result = dialog_results(page).filter(has_text="Leaked audio attributes an order")
    result.first.wait_for()
    badge = result.first.locator(".claim-badge--alleged")
    assert badge.inner_text().split() == ["?", "Alleged"]  # an icon and the label, never colour alone
    assert badge.locator(".claim-badge__icon").get_attribute("aria-hidden") == "true"
    assert result.first.locator("time").inner_text() == "30 October 2020"
    assert result.first.locator("time").get_attribute("datetime") == "2020-10-30"
    assert (
        result.first.locator(".claimsite-result__summary").inner_text().startswith("In a recording published by BYPOL")
    )
    link = result.first.locator("a").get_attribute("href")
    assert link is not None and link.endswith(f"/{SUB_PATH}claims/leaked-order/")

    status = page.locator(".claimsite-search [role=status]")
    assert re.fullmatch(r"\d+ results?", status.inner_text())

    origin = site_root.split(f"/{SUB_PATH}")[0] + "/"
    assert [url for url in page.requests if not url.startswith(origin)] == []
    assert not [url for url in page.requests if "search_index" in url], "Material's lunr index was fetched"
    assert [url for url in page.requests if url.endswith("/pagefind/pagefind.js")] == [
        f"{site_root}pagefind/pagefind.js"
    ]
    assert page.errors == []


@pytest.mark.browser
def test_the_keyboard_alone_moves_through_the_results_and_opens_one(site_root: str, page) -> None:
    page.goto(site_root)
    page.keyboard.press("s")
    page.keyboard.type("recording")
    dialog_results(page).first.wait_for()

    page.keyboard.press("ArrowDown")
    first = dialog_results(page).first.locator("a")
    assert first.evaluate("link => link === document.activeElement")
    assert focus_is_outlined(page)
    page.keyboard.press("ArrowUp")
    assert "md-search__input" in focused(page)
    page.keyboard.press("ArrowUp")  # from the field up: round to the last result (or the "more" button)
    assert re.search(r"md-search-result__link|claimsite-search__more", focused(page))
    page.keyboard.press("ArrowDown")  # and down again: back to the field
    assert "md-search__input" in focused(page)

    page.keyboard.press("ArrowDown")
    target = first.get_attribute("href")
    assert target is not None
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(target.rstrip("/")) + "/?$"))
    assert page.errors == []


@pytest.mark.browser
def test_enter_in_the_field_opens_the_first_result(site_root: str, page) -> None:
    page.goto(site_root)
    page.keyboard.press("f")
    page.keyboard.type("phonoscopic")
    page.keyboard.press("Enter")  # before the results have shown: the search runs at once
    page.wait_for_url("**/claims/voice-attribution/")


@pytest.mark.browser
def test_escape_closes_the_search_and_gives_the_focus_back(site_root: str, page) -> None:
    page.goto(site_root + "claims/leaked-order/")
    link = page.locator(".md-content a[href]").first
    link.focus()
    page.keyboard.press("f")
    assert search_is_open(page)
    page.keyboard.type("karpyankou")
    dialog_results(page).first.wait_for()
    page.keyboard.press("Escape")
    assert not search_is_open(page)
    assert page.evaluate("el => document.activeElement === el", link.element_handle())
    assert not dialog_results(page).first.is_visible()


@pytest.mark.browser
def test_tab_from_the_field_closes_the_search_and_moves_on(site_root: str, page) -> None:
    page.goto(site_root)
    page.keyboard.press("/")
    page.keyboard.type("claim")
    dialog_results(page).first.wait_for()
    page.keyboard.press("Tab")
    assert not search_is_open(page)
    assert ".md-search" not in page.evaluate("document.activeElement.closest('.md-search') ? '.md-search' : ''")


@pytest.mark.browser
def test_on_a_narrow_screen_the_header_button_opens_the_search_with_the_field_focused(site_root: str, browser) -> None:  # noqa: F811
    """At 320 px the search is a button in the header; pressing it brings up the field (and a phone's keyboard)."""
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        tab = context.new_page()
        tab.goto(site_root + "claims/leaked-order/")
        tab.locator('.md-header__button[for="__search"]').click()
        assert search_is_open(tab)
        assert "md-search__input" in focused(tab)
        tab.keyboard.type("recording")
        dialog_results(tab).first.wait_for()
        assert dialog_results(tab).first.is_visible()
        tab.locator('.md-search__form label[for="__search"]').click()  # the back arrow
        assert not search_is_open(tab)
        assert "md-search__input" not in focused(tab)  # focusing the field again opens it again
    finally:
        context.close()


@pytest.mark.browser
def test_shortcut_letters_are_text_while_typing_in_a_field(site_root: str, page) -> None:
    page.goto(site_root + "browse/")
    box = page.get_by_label("Search the claims")
    box.focus()
    page.keyboard.type("fs/")
    assert box.input_value() == "fs/"
    assert not search_is_open(page)


@pytest.mark.browser
def test_more_results_load_five_at_a_time_and_take_the_focus(site_root: str, page) -> None:
    page.goto(site_root)
    page.keyboard.press("/")
    page.keyboard.type("claim")  # every page of the fixture site says "claim": more than ten results
    more = page.locator("[data-claimsite-search-more]")
    more.wait_for()
    status = page.locator(".claimsite-search [role=status]").inner_text()
    total = int(status.split()[0])
    assert total > 10 and dialog_results(page).count() == 5
    for _ in range(6):
        page.keyboard.press("ArrowDown")  # through the five results to the button
    assert "claimsite-search__more" in focused(page)
    page.keyboard.press("Enter")
    # Waiting through locators, not wait_for_function: a string predicate is eval'd in the page, which
    # its Content Security Policy refuses.
    dialog_results(page).nth(9).wait_for()
    assert dialog_results(page).count() == 10
    assert "md-search-result__link" in focused(page)  # the first of the new results
    assert page.evaluate(
        "document.activeElement === document.querySelectorAll('.claimsite-search .md-search-result__link')[5]"
    )
    assert more.is_visible()


@pytest.mark.browser
def test_the_dialog_is_named_and_its_field_described(site_root: str, page) -> None:
    page.goto(site_root)
    dialog = page.locator(".claimsite-search")
    assert dialog.get_attribute("role") == "dialog" and dialog.get_attribute("aria-label") == "Search"
    field = page.locator("[data-claimsite-search-query]")
    hint = page.locator(f"#{field.get_attribute('aria-describedby')}")
    assert "Escape" in hint.text_content()
    assert page.locator("form[name=search], [data-md-component^=search]").count() == 0  # Material's lunr stays off


# --------------------------------------------------------------------------- the browse page


def browse_count(page) -> str:
    return page.locator(".claimsite-browse [role=status]").inner_text()


def browse_titles(page) -> list[str]:
    return page.locator(".claimsite-browse__title").all_inner_texts()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.mark.browser
def test_browse_filter_by_status_is_in_the_address_and_a_reload_restores_it(site_root: str, page) -> None:
    page.goto(site_root + "browse/")
    page.locator(".claimsite-browse [role=status]", has_text="3 results").wait_for()
    assert len(browse_titles(page)) == 3  # every claim, and only claims

    page.get_by_label("Disputed").check()
    page.locator(".claimsite-browse [role=status]", has_text="1 result").wait_for()
    assert query(page) == {"status": ["Disputed"]}
    assert browse_titles(page) == ["The voice on the recording is Karpyankou's"]
    assert page.locator(".claimsite-browse__item .claim-badge--disputed").count() == 1

    page.reload()
    page.locator(".claimsite-browse [role=status]", has_text="1 result").wait_for()
    assert page.get_by_label("Disputed").is_checked()
    assert browse_titles(page) == ["The voice on the recording is Karpyankou's"]

    page.go_back()  # to the page before the filter
    page.locator(".claimsite-browse [role=status]", has_text="3 results").wait_for()
    assert not page.get_by_label("Disputed").is_checked()
    assert page.errors == []


@pytest.mark.browser
def test_browse_counts_follow_the_other_facets(site_root: str, page) -> None:
    page.goto(site_root + "browse/")
    page.locator(".claimsite-browse [role=status]", has_text="3 results").wait_for()
    year_2020 = page.locator(".claimsite-browse__facet li", has=page.locator("input[name=year][value='2020']"))
    assert year_2020.locator(".claimsite-browse__value-count").inner_text() == "2"

    page.get_by_label("Disputed").check()
    page.locator(".claimsite-browse [role=status]", has_text="1 result").wait_for()
    # Another facet counts within the choice; the status facet still offers its other values.
    assert year_2020.is_hidden()  # no disputed claim of 2020
    alleged = page.locator(".claimsite-browse__facet li", has=page.get_by_label("Alleged"))
    assert alleged.locator(".claimsite-browse__value-count").inner_text() == "1"

    page.get_by_label("Alleged").check()  # values of one facet are alternatives
    page.locator(".claimsite-browse [role=status]", has_text="2 results").wait_for()
    assert query(page) == {"status": ["Alleged", "Disputed"]}


@pytest.mark.browser
def test_browse_term_and_sort_are_in_the_address(site_root: str, page) -> None:
    page.goto(site_root + "browse/")
    page.locator(".claimsite-browse [role=status]", has_text="3 results").wait_for()
    assert page.get_by_label("Sort by").input_value() == "date-desc"  # without a term: newest first
    assert browse_titles(page)[0] == "The voice on the recording is Karpyankou's"  # January 2021

    page.get_by_label("Sort by").select_option("date-asc")
    page.wait_for_url(re.compile(r"[?&]sort=date-asc(&|$)"))
    page.locator(".claimsite-browse__title").first.filter(has_not_text="recording is").wait_for()

    page.get_by_label("Search the claims").fill("phonoscopic")
    page.locator(".claimsite-browse [role=status]", has_text="1 result").wait_for()
    assert query(page) == {"q": ["phonoscopic"], "sort": ["date-asc"]}

    page.reload()
    page.locator(".claimsite-browse [role=status]", has_text="1 result").wait_for()
    assert page.get_by_label("Search the claims").input_value() == "phonoscopic"
    assert page.get_by_label("Sort by").input_value() == "date-asc"


@pytest.mark.browser
def test_browse_is_operable_by_keyboard(site_root: str, page) -> None:
    page.goto(site_root + "browse/")
    page.locator(".claimsite-browse [role=status]", has_text="3 results").wait_for()
    page.get_by_label("Search the claims").focus()
    stops = []
    for _ in range(6):
        page.keyboard.press("Tab")
        stops.append(page.evaluate("[document.activeElement.tagName, document.activeElement.type || '']"))
        assert focus_is_outlined(page), stops[-1]
    assert ["SELECT", "select-one"] in stops and ["INPUT", "checkbox"] in stops
    page.get_by_label("Confirmed").focus()
    page.keyboard.press("Space")
    page.locator(".claimsite-browse [role=status]", has_text="1 result").wait_for()
    assert query(page) == {"status": ["Confirmed"]}


@pytest.mark.browser
def test_browse_page_without_javascript_points_at_the_claims_index(site_root: str, browser) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site_root + "browse/")
        fallback = tab.locator("[data-claimsite-browse] a[href]")
        assert fallback.count() >= 1
        assert fallback.first.get_attribute("href").rstrip("/").endswith("claims")
    finally:
        context.close()


# --------------------------------------------------------------------------- accessibility


@pytest.mark.browser
@pytest.mark.parametrize("palette", PALETTES)
def test_axe_finds_no_violation_in_the_open_dialog(site_root: str, browser, axe_script: str, palette: str) -> None:  # noqa: F811
    context = browser.new_context(color_scheme=PALETTES[palette][0], viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(site_root + "claims/leaked-order/")
        assert tab.evaluate("document.body.dataset.mdColorScheme") == PALETTES[palette][1]
        tab.keyboard.press("/")
        tab.keyboard.type("recording")
        dialog_results(tab).first.wait_for()
        tab.wait_for_timeout(300)  # Material's transitions: axe must see the colours the reader sees
        assert run_axe(tab, axe_script) == []
        tab.keyboard.press("ArrowDown")  # a focused result keeps its contrast on the focus tint
        assert run_axe(tab, axe_script) == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("palette", PALETTES)
def test_axe_finds_no_violation_on_the_browse_page(site_root: str, browser, axe_script: str, palette: str) -> None:  # noqa: F811
    context = browser.new_context(color_scheme=PALETTES[palette][0], viewport={"width": 1280, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(site_root + "browse/?status=Alleged")
        tab.locator(".claimsite-browse [role=status]", has_text="1 result").wait_for()
        assert run_axe(tab, axe_script) == []
    finally:
        context.close()


# --------------------------------------------------------------------------- the words


@pytest.mark.parametrize("language", ["be", "ru"])
def test_every_string_of_the_interface_is_translated(language: str) -> None:
    english, translated = interface_strings(messages("en")), interface_strings(messages(language))
    same = {key for key in english if key != "language" and english[key] == translated.get(key)}
    assert same == set()
    assert {f"facet_{name}" for name in FACETS} <= set(english)


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", {"count_one": "{n} result", "count_other": "{n} results"}),
        ("ru", {"count_one": "{n} результат", "count_few": "{n} результата", "count_many": "{n} результатов"}),
        ("be", {"count_one": "{n} вынік", "count_few": "{n} вынікі", "count_many": "{n} вынікаў"}),
    ],
)
def test_counts_are_plural_templates_per_cldr_category(language: str, forms: dict[str, str]) -> None:
    strings = interface_strings(messages(language))
    assert {key: text for key, text in strings.items() if key.startswith("count_")} == forms
    assert strings["language"] == language
