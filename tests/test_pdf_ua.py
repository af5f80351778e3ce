"""The tagged edition: PDF/UA-1 by the `pdfua` checker, and the merger of the parts' structure trees.

Parts are typeset by typst with tags and joined by `claimsite.pdf_tags.merge_structure`; these
tests build real editions (the fixtures cut into one-claim parts, so that every join is exercised;
the real content in `claims/`; a synthetic corpus of several 150-claim parts) and read them back
with pikepdf, pypdf and pdfua.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pdfua
import pikepdf
import pypdf
import pytest
from conftest import ROOT, TODAY, VALID

from claimsite import synth
from claimsite.catalog import Catalog
from claimsite.pdf import EditionInfo, make_pdf
from claimsite.pdf_engine import Compiler, Typeset, compile_pdf, join
from claimsite.pdf_tags import _elements, _kids, reading_order, structure_problems
from claimsite.project import load_project

EDITION = EditionInfo(title="Fixture claims", date=dt.date(2026, 11, 25), revision="abc1234")

PDFUA_EMPTY_HEADING_BUG = "rule raised ValueError"
"""pdfua 0.1.3's empty-heading rule (UA-14-001) crashes on any heading whose /K is an array (its
`as_integer` asks a pikepdf Array for an attribute, which raises ValueError, not AttributeError), so
pdfua reports it skipped; `heading_problems` below checks the same thing."""


def catalog_of(folder: Path, today: dt.date = TODAY) -> Catalog:
    project = load_project([folder], today=today)
    assert not project.errors(), project.problems
    return Catalog(project)


@pytest.fixture(scope="module")
def fixture_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures in one-claim parts: three joins of tagged parts."""
    result = make_pdf(catalog_of(VALID), EDITION, chunk=1)
    assert result.warnings == ()
    path = tmp_path_factory.mktemp("ua") / "fixture.pdf"
    path.write_bytes(result.data)
    return path


@pytest.fixture(scope="module")
def real_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real content, in parts of 10 claims."""
    result = make_pdf(catalog_of(ROOT / "claims", dt.date.today()), EDITION, chunk=10)
    path = tmp_path_factory.mktemp("ua") / "real.pdf"
    path.write_bytes(result.data)
    return path


@pytest.fixture(scope="module")
def synthetic_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 synthetic claims in the edition's own part size (150): three parts, groups cut across them."""
    corpus = tmp_path_factory.mktemp("corpus")
    synth.write(400, corpus, seed=3)
    result = make_pdf(catalog_of(corpus), EDITION)
    path = tmp_path_factory.mktemp("ua") / "synthetic.pdf"
    path.write_bytes(result.data)
    return path


EDITIONS = ("fixture_pdf", "real_pdf", "synthetic_pdf")


def pdfua_findings(path: Path) -> list[str]:
    """Every pdfua finding (warnings included) and every rule it could not run, but its one known bug."""
    report = pdfua.validate(str(path))
    problems = [f"{f.rule_id} {f.severity.name}: {f.message}" for f in report.findings]
    for outcome in report.skipped:
        if not (outcome.rule_id == "UA-14-001" and PDFUA_EMPTY_HEADING_BUG in (outcome.skipped_reason or "")):
            problems.append(f"{outcome.rule_id} skipped: {outcome.skipped_reason}")
    return problems


def heading_problems(document: pikepdf.Pdf) -> list[str]:
    """What pdfua's UA-14-001 checks: no heading element without marked content under it."""
    problems = []
    for element in _elements(document.Root.StructTreeRoot):
        if re.fullmatch(r"/H[1-6]", str(element.get("/S", ""))) and not reading_order_of(element):
            problems.append(f"an empty {element.S}")
    return problems


def reading_order_of(element: pikepdf.Object) -> list[Any]:
    stack, found = [element], []
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            stack += _kids(node)
        elif isinstance(node, pikepdf.Dictionary) and "/MCID" not in node:
            continue
        else:
            found.append(node)
    return found


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdfua_finds_no_violation(edition: str, request: pytest.FixtureRequest) -> None:
    path: Path = request.getfixturevalue(edition)
    assert pdfua_findings(path) == []
    with pikepdf.open(path) as document:
        assert heading_problems(document) == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_merged_tree_reaches_all_marked_content_exactly_once(edition: str, request: pytest.FixtureRequest) -> None:
    with pikepdf.open(request.getfixturevalue(edition)) as document:
        assert structure_problems(document) == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_reading_order_is_the_order_of_pages_and_of_drawing(edition: str, request: pytest.FixtureRequest) -> None:
    with pikepdf.open(request.getfixturevalue(edition)) as document:
        order = reading_order(document)
        assert order == sorted(order)
        assert {page for page, _ in order} == set(range(1, len(document.pages) + 1))


def test_document_title_language_and_pdf_ua_identification(fixture_pdf: Path) -> None:
    with pikepdf.open(fixture_pdf) as document:
        assert str(document.docinfo.Title) == "Fixture claims"
        assert str(document.Root.Lang) == "en"
        assert document.Root.MarkInfo.Marked is True
        assert document.Root.ViewerPreferences.DisplayDocTitle is True
        metadata = document.open_metadata()
        assert metadata["pdfuaid:part"] == "1"
        assert metadata["dc:title"] == "Fixture claims"
        assert int(metadata["{http://ns.adobe.com/xap/1.0/t/pg/}NPages"]) == len(document.pages)


def test_headings_lists_and_links_are_tagged_as_such(fixture_pdf: Path) -> None:
    with pikepdf.open(fixture_pdf) as document:
        elements = _elements(document.Root.StructTreeRoot)
        roles = Counter(str(element.S) for element in elements)
        top = document.Root.StructTreeRoot.K[0]
        assert str(top.S) == "/Document" and len(document.Root.StructTreeRoot.K) == 1
        assert roles["/H1"] >= 5 and roles["/H2"] >= 3  # groups and sections; claims
        assert roles["/L"] >= 3 and roles["/LI"] == roles["/LBody"] >= 5  # sources are numbered lists
        for page in document.pages:
            for annotation in page.obj.get("/Annots") or []:
                contents = str(annotation.get("/Contents", ""))
                assert contents.strip() and not contents.startswith("claimsite-internal:")
    reader = pypdf.PdfReader(fixture_pdf)
    links = [str(a.get_object().get("/Contents")) for page in reader.pages for a in page.get("/Annots") or []]
    # an internal link says where it goes: the heading's title
    assert "Leaked audio attributes an order to use weapons against protesters" in links


def tree_languages(path: Path) -> dict[tuple[int, int], str]:
    """The language the structure tree gives each (page, MCID): the nearest element's /Lang."""
    languages: dict[tuple[int, int], str] = {}
    with pikepdf.open(path) as document:
        number = {page.obj.objgen: n for n, page in enumerate(document.pages)}
        stack: list[tuple[Any, Any, str]] = [(kid, None, "") for kid in _kids(document.Root.StructTreeRoot)]
        while stack:
            node, page, lang = stack.pop()
            if isinstance(node, pikepdf.Dictionary) and "/S" in node:
                inherited = str(node.get("/Lang", lang))
                stack += [(kid, node.get("/Pg", page), inherited) for kid in _kids(node)]
            elif isinstance(node, pikepdf.Dictionary) and "/MCID" in node:
                languages[number[node.get("/Pg", page).objgen], int(node.MCID)] = lang
            elif not isinstance(node, pikepdf.Dictionary) and page is not None:
                languages[number[page.objgen], int(node)] = lang
    return languages


def lang_of_text(path: Path) -> dict[str, str]:
    """The text shown in each language, where the language is the marked content's /Lang, else
    that of the structure element it belongs to."""
    tree = tree_languages(path)
    found: dict[str, str] = {}
    for n, page in enumerate(pypdf.PdfReader(path).pages):
        stack: list[str] = []

        def before(operator: bytes, operands: list[Any], *_: Any, n: int = n, stack: list[str] = stack) -> None:
            if operator == b"BDC":
                properties = operands[1] if len(operands) > 1 and isinstance(operands[1], dict) else {}
                lang = properties.get("/Lang")
                if lang is None and "/MCID" in properties:
                    lang = tree.get((n, int(properties["/MCID"])))
                lang = lang.decode() if isinstance(lang, bytes) else lang
                stack.append(str(lang) if lang else (stack[-1] if stack else ""))
            elif operator == b"BMC":
                stack.append(stack[-1] if stack else "")
            elif operator == b"EMC" and stack:
                stack.pop()

        def shown(text: str, *_: Any, stack: list[str] = stack) -> None:
            lang = stack[-1] if stack else ""
            found[lang] = found.get(lang, "") + text

        page.extract_text(visitor_operand_before=before, visitor_text=shown)
    return {lang: re.sub(r"\s+", "", text) for lang, text in found.items()}


def test_belarusian_and_russian_names_and_quotes_are_marked_with_their_language(fixture_pdf: Path) -> None:
    by_lang = lang_of_text(fixture_pdf)
    assert "МікалайКарпянкоў" in by_lang["be"]
    assert "Міністэрстваўнутраныхспраў" in by_lang["be"]
    assert "НиколайКарпенков" in by_lang["ru"]
    assert "Мынекомментируемфейки" in by_lang["ru"]  # a quote in a Russian source
    assert "Карпянкоў" not in by_lang.get("en", "") and "Николай" not in by_lang.get("en", "")


# --------------------------------------------------------------------------- the merger itself

PART = """#set document(title: "Parts")
#set text(lang: "en")
= Part {n}
A paragraph of part {n}. #link("https://example.org/{n}")[An address]
- one
- two
== Section {n}
#table(columns: 2, table.header[Head][Value], [a], [b])
"""


def typeset_parts(count: int) -> list[Typeset]:
    compiler = Compiler(0)
    return [
        compiler.typeset([(1, f"part-{n}"), (2, f"section-{n}")], PART.replace("{n}", str(n))) for n in range(count)
    ]


def test_merging_renumbers_parent_tree_keys_and_keeps_ids_unique() -> None:
    parts = typeset_parts(3)
    merged = join(parts, "claimsite-internal:")
    with pikepdf.open(io.BytesIO(merged.data)) as document:
        assert structure_problems(document) == []
        keys = [int(key) for key, _ in pikepdf.NumberTree(document.Root.StructTreeRoot.ParentTree).items()]
        assert keys == sorted(set(keys)) and len(keys) > 3  # pages and link annotations, none lost
        ids = [str(key) for key, _ in pikepdf.NameTree(document.Root.StructTreeRoot.IDTree).items()]
        assert len(ids) == len(set(ids)) >= 6  # the three parts' tables each name their cells
        for element in _elements(document.Root.StructTreeRoot):
            if "/ID" in element:
                assert str(element.ID) in ids
    texts = [page.extract_text() for part in parts for page in pypdf.PdfReader(io.BytesIO(part.pdf.data)).pages]
    assert [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(merged.data)).pages] == texts


def test_structure_problems_finds_a_tree_that_misses_content_or_misnumbers_pages() -> None:
    merged = join(typeset_parts(2), "claimsite-internal:")
    with pikepdf.open(io.BytesIO(merged.data)) as document:
        document.pages[1].obj.StructParents = 0  # the second page now claims the first page's entry
        assert any("another element" in problem for problem in structure_problems(document))
    with pikepdf.open(io.BytesIO(merged.data)) as document:
        top = document.Root.StructTreeRoot.K[0]
        top.K = pikepdf.Array(list(top.K)[:-1])  # the last part's last element is cut off
        assert any("not reached" in problem for problem in structure_problems(document))


def test_parts_joined_without_the_merger_would_fail(tmp_path: Path) -> None:
    """What the merger is for: qpdf alone keeps no structure tree of the parts it joins."""
    joined = pikepdf.Pdf.new()
    opened = [pikepdf.open(io.BytesIO(part.pdf.data)) for part in typeset_parts(2)]
    for part in opened:
        joined.pages.extend(part.pages)
    joined.save(tmp_path / "naive.pdf")
    assert any(problem.startswith("UA-01-005") for problem in pdfua_findings(tmp_path / "naive.pdf"))


def test_a_part_the_compiler_refuses_under_pdf_ua_is_an_error_not_an_untagged_file() -> None:
    from claimsite.errors import PdfError

    with pytest.raises(PdfError, match="PDF/UA-1"):
        compile_pdf("== A heading that starts below level 1", 0)
