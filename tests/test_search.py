"""What search finds, asked through Pagefind's own API in a real browser, on the real content and the
fixture site: every spelling of a name finds the claims about that person ranked above the person's
page, publishers and words of quotes find the claims that cite them, filters work without a term.

The search box itself (keyboard, results, the browse page) is tested in tests/test_search_ui.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_browser import browser, serving, site_url  # noqa: F401  (fixtures)
from test_serve import fetch, server, wait_for  # noqa: F401  (fixtures)

from claimsite.cli import main
from claimsite.project import load_project
from claimsite.search import RANKING

pytestmark = pytest.mark.browser

SEARCH = """async ([query, filters, ranking]) => {
    const pagefind = await import("./pagefind/pagefind.js")
    await pagefind.options({ranking})  // as the site's search script sets them
    const found = await pagefind.search(query, {filters})
    const top = await Promise.all(found.results.slice(0, 5).map(result => result.data()))
    return {count: found.results.length, top: top.map(page => page.url)}
}"""


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's own claims and pages, built and served on 127.0.0.1."""
    site = tmp_path_factory.mktemp("real") / "site"
    result = CliRunner().invoke(main, ["build", "-f", str(ROOT / "mkdocs.yml"), "--site-dir", str(site)])
    assert result.exit_code == 0, result.output
    with serving(site) as url:
        yield url


@pytest.fixture(scope="module")
def ask(browser: Any, real_site: str) -> Iterator[Any]:  # noqa: F811
    yield _asker(browser, real_site)


@pytest.fixture(scope="module")
def ask_fixture(browser: Any, site_url: str) -> Iterator[Any]:  # noqa: F811
    yield _asker(browser, site_url)


def _asker(browser: Any, url: str) -> Any:  # noqa: F811
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)

    def ask(query: str | None, **filters: str | list[str]) -> dict[str, Any]:
        answer: dict[str, Any] = page.evaluate(SEARCH, [query, filters, RANKING["ranking"]])
        assert not errors, errors
        answer["ids"] = [u.removeprefix("/claims/").strip("/") for u in answer["top"] if u.startswith("/claims/")]
        return answer

    return ask


REAL = load_project([ROOT / "claims"])


def about(entity: str) -> set[str]:
    """Ids of the real claims that name an entity (as a person, organisation or claimant)."""
    return {
        cid
        for cid, loaded in REAL.claims.items()
        if entity in (*loaded.data.people, *loaded.data.organisations, loaded.data.claimant)
    }


def citing(publisher: str) -> set[str]:
    return {cid for cid, loaded in REAL.claims.items() if any(s.publisher == publisher for s in loaded.data.sources)}


SPELLINGS = {
    "karpyankou": [
        "Karpyankou",
        "Karpenkov",
        "Karpiankou",
        "Karpiankoŭ",
        "Karpyankow",
        "Karpjankov",
        "Karpienkow",
        "Karpenkau",
        "Карпянкоў",
        "Карпенков",
        "карпянкоу",
        "Mikalai Karpyankou",
        "Nikolai Karpenkov",
        "Mikałaj Karpiankoŭ",
    ],
    "taraikouski": ["Taraikouski", "Tarajkouski", "Taraykowski", "Tarajkoŭski", "Тарайкоўскі", "Тарайковский"],
    "lukashenka": ["Lukashenka", "Lukashenko", "Lukašenka", "Лукашэнка", "Лукашенко"],
    "tsikhanouskaya": ["Tsikhanouskaya", "Tikhanovskaya", "Ціханоўская", "Тихановская"],
}


@pytest.mark.parametrize(
    ("entity", "spelling"), [(entity, spelling) for entity, spellings in SPELLINGS.items() for spelling in spellings]
)
def test_every_spelling_of_a_person_finds_the_claims_about_them_first(ask: Any, entity: str, spelling: str) -> None:
    answer = ask(spelling)
    expected = about(entity)
    assert answer["top"], f"{spelling!r} found nothing"
    top = answer["top"][: min(5, len(expected))]
    assert all(url.startswith("/claims/") for url in top), f"{spelling!r}: a page that is no claim ranks first: {top}"
    assert set(answer["ids"][: len(top)]) <= expected, f"{spelling!r}: {answer['ids']} are not all about {entity}"


def test_a_publisher_finds_the_claims_citing_it(ask: Any) -> None:
    answer = ask("Meduza")
    assert set(answer["ids"]) <= citing("meduza") and len(answer["ids"]) == 5, answer


def test_a_word_of_a_russian_quote_finds_its_claim(ask: Any) -> None:
    assert ask("взорвалось")["ids"][:1] == ["interior-ministry-explosive-device-version"]


def test_a_source_title_finds_the_claims_citing_it(ask: Any) -> None:
    words = "уволил командира"
    expected = {cid for cid, c in REAL.claims.items() if any(words in s.title for s in c.data.sources)}
    assert expected and set(ask(words)["ids"]) == expected


def test_a_status_filter_with_no_term_lists_exactly_those_claims(ask: Any) -> None:
    false = {cid for cid, loaded in REAL.claims.items() if loaded.data.status == "false"}
    answer = ask(None, status="False")
    assert answer["count"] == len(false) and set(answer["ids"]) == false


def test_a_person_filter_with_no_term_lists_the_claims_about_them(ask: Any) -> None:
    expected = about("taraikouski")
    answer = ask(None, person="Alyaksandr Taraikouski")
    assert answer["count"] == len(expected) and set(answer["ids"]) <= expected


def test_a_term_and_a_filter_combine(ask: Any) -> None:
    answer = ask("Karpenkov", status="Confirmed")
    confirmed = {cid for cid, loaded in REAL.claims.items() if loaded.data.status == "confirmed"}
    assert answer["ids"] and set(answer["ids"]) <= confirmed & about("karpyankou")


def test_the_fixture_site_finds_by_spelling_and_by_source(ask_fixture: Any) -> None:
    assert ask_fixture("Карпенков")["ids"][:1] == ["leaked-order"]
    assert ask_fixture("Karpiankou")["ids"][:1] == ["leaked-order"]
    assert "leaked-order" in ask_fixture("Belsat")["ids"]
    assert ask_fixture(None, status="Alleged")["count"] >= 1


def test_names_only_in_the_index_are_hidden_from_readers(built_site: Path) -> None:
    page = (built_site / "claims" / "leaked-order" / "index.html").read_text(encoding="utf-8")
    assert '<p hidden data-pagefind-weight="10.0">' in page


def test_the_development_server_updates_the_index_after_an_edit(browser: Any, server: Any) -> None:  # noqa: F811
    """`claimsite serve` rewrites the index after each rebuild (off the rebuild's path): a word new in
    a claim becomes findable without a restart."""
    url, project, _ = server
    claim = project / "claims" / "leaked-order.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("Leaked audio", "Quokkaword audio"), encoding="utf-8")
    wait_for(lambda: "Quokkaword audio" in fetch(url + "claims/leaked-order/"))

    def found() -> bool:
        page = browser.new_page()  # a new page each time: Pagefind caches what it has loaded
        try:
            page.goto(url)
            return bool(page.evaluate(SEARCH, ["quokkaword", {}, RANKING["ranking"]])["top"])
        finally:
            page.close()

    wait_for(found, seconds=90)
