"""What search finds, asked through Pagefind's own API in a real browser, on the real content and the
fixture site: every spelling of a name finds the claims about that person ranked above the person's
page, publishers and words of quotes find the claims that cite them, filters work without a term.

The search box itself (keyboard, results, the browse page) is tested in tests/test_search_ui.py."""

from __future__ import annotations

import json
import os
import shutil
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


def test_the_index_made_while_pages_are_written_holds_what_an_index_of_the_written_site_holds(
    built_site: Path, tmp_path: Path
) -> None:
    """`claimsite build` indexes in batches while MkDocs writes (StreamingIndex); Pagefind indexing the
    finished site gives the same fragments, besides the redirect stubs of renamed claims, which are
    no pages to find."""
    from conftest import pagefind_pages

    from claimsite.search import write_index

    copy = tmp_path / "site"
    shutil.copytree(built_site, copy, ignore=shutil.ignore_patterns("pagefind"))
    write_index(copy)
    streamed, whole = pagefind_pages(built_site), pagefind_pages(copy)
    assert len(streamed) > 10
    assert set(streamed) <= set(whole)
    for url in set(whole) - set(streamed):
        assert 'http-equiv="refresh"' in (copy / url.strip("/") / "index.html").read_text(encoding="utf-8"), url
    for url, fragment in streamed.items():
        assert fragment == whole[url], url
    assert not list(built_site.glob(".pagefind*"))


def test_pages_whose_names_a_glob_would_misread_are_indexed(tmp_path: Path) -> None:
    """Each batch names its pages in a glob: glob syntax and a backslash in a docs file name are pages too."""
    from conftest import make_project, pagefind_pages

    root = make_project(tmp_path / "project")
    names = ["odd (1) [x]{y},z!", "a*b?c", "back\\slash"]
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - methodology.md\n",
            "  - methodology.md\n" + "".join(f"  - {json.dumps(f'{n}.md')}\n" for n in names),
        ),
        encoding="utf-8",
    )
    for name in names:
        (root / "docs" / f"{name}.md").write_text(f"# Page {name}\n\nUnusualword{len(name)} here.\n", encoding="utf-8")
    os.chdir(root)
    result = CliRunner().invoke(main, ["build"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    contents = " ".join(fragment["content"] for fragment in pagefind_pages(root / "site").values())
    for name in names:
        assert f"Unusualword{len(name)}" in contents, name
    assert not list((root / "site").glob(".pagefind*"))


def test_an_aborted_index_leaves_nothing_behind(built_site: Path, tmp_path: Path) -> None:
    """A build that fails after pages were handed to Pagefind stops it and writes no index."""
    from claimsite.search import StreamingIndex

    site = tmp_path / "site"
    shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("pagefind"))
    stream = StreamingIndex(site, language="en")
    for page in ("index.html", "claims/leaked-order/index.html", "methodology/index.html"):
        stream.add(page, "<h1>A page</h1><p>Some words.</p>", "A page")
    stream.start()
    stream.abort()
    assert not (site / "pagefind").exists()
    assert not list(site.glob(".pagefind*"))
    assert not stream.work.exists()
    assert stream._thread is not None and not stream._thread.is_alive()


def test_a_page_without_h1_is_indexed_under_its_title(tmp_path: Path) -> None:
    """Material gives a page whose content has no h1 one with its title; so does the index's copy."""
    from conftest import make_project, pagefind_pages

    root = make_project(tmp_path / "project")
    (root / "docs" / "methodology.md").write_text("Statuses, without a heading.\n", encoding="utf-8")
    os.chdir(root)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    streamed = pagefind_pages(root / "site")
    copy = tmp_path / "copy"
    shutil.copytree(root / "site", copy, ignore=shutil.ignore_patterns("pagefind"))
    from claimsite.search import write_index

    write_index(copy)
    assert streamed["/methodology/"] == pagefind_pages(copy)["/methodology/"]
    assert streamed["/methodology/"]["meta"]["title"] == "Methodology"
