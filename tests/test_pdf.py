"""The PDF edition, built with the real typst compiler and read back with pypdf.

Text is compared after removing whitespace: the PDF wraps long titles and addresses across lines,
and the reader reports each line break as a newline.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdf
import pytest
import typst
from click.testing import CliRunner
from conftest import TODAY, VALID

from claimsite import synth
from claimsite.catalog import Catalog
from claimsite.cli import main
from claimsite.linkstate import Entry, LinkState
from claimsite.model import STATUS_LABELS, Status
from claimsite.pdf import (
    EditionInfo,
    claim_data,
    claims_in_order,
    edition_date,
    edition_info,
    make_pdf,
    plain,
    render_typst,
    site_name,
    typst_string,
)
from claimsite.progress import Progress
from claimsite.project import load_project
from claimsite.provenance import CaptureIndex, Observations, StoredRecord
from claimsite.vocab import LinkStatus

EDITION = EditionInfo(title="Fixture claims", date=dt.date(2026, 11, 25), revision="abc1234")


def squeeze(text: str) -> str:
    """Text without whitespace and the invisible break marks, for comparing wrapped text."""
    return re.sub(r"[\s\u200b\u00ad]+", "", text)


@pytest.fixture(scope="module")
def site() -> Catalog:
    project = load_project([VALID], today=TODAY)
    assert not project.errors(), project.problems
    return Catalog(project)


@pytest.fixture(scope="module")
def pdf_bytes(site: Catalog) -> bytes:
    result = make_pdf(site, EDITION)
    assert result.warnings == ()
    return result.data


@pytest.fixture(scope="module")
def reader(pdf_bytes: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf_bytes))


@pytest.fixture(scope="module")
def page_texts(reader: pypdf.PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def text(page_texts: list[str]) -> str:
    return squeeze("".join(page_texts))


def outline_titles(outline: list[Any]) -> list[str]:
    titles = []
    for item in outline:
        titles.extend(outline_titles(item) if isinstance(item, list) else [item.title])
    return titles


# --------------------------------------------------------------------------- content


def test_every_claim_title_source_url_and_status_label_is_in_the_text(site: Catalog, text: str) -> None:
    for claim in site.claims.values():
        assert squeeze(claim.title) in text
        for source in claim.sources:
            assert squeeze(source.url) in text
            if source.archive_url:
                assert squeeze(source.archive_url) in text
    for label in STATUS_LABELS.values():
        assert label in text


def test_every_claim_id_and_status_definition_is_in_the_text(site: Catalog, text: str) -> None:
    from claimsite.model import STATUS_DEFINITIONS

    for cid in site.claims:
        assert cid in text
    for definition in STATUS_DEFINITIONS.values():
        assert squeeze(definition) in text


def test_cover_shows_title_edition_date_revision_and_counts(page_texts: list[str]) -> None:
    cover = squeeze(page_texts[0])
    assert "Fixtureclaims" in cover
    assert "Editionof2026-11-25" in cover
    assert "abc1234" in cover
    assert "3claims;5documents,cited5times;3peopleandorganisations" in cover
    assert "Alleged1" in cover and "Corroborated0" in cover


def test_cyrillic_names_and_quotes_extract_as_written(text: str) -> None:
    for written in (
        "Мікалай Карпянкоў",
        "Николай Карпенков",
        "Міністэрства ўнутраных спраў",
        "Мы не комментируем фейки",
        "В МВД прокомментировали аудиозапись",
    ):
        assert squeeze(written) in text


def test_hostile_text_is_printed_literally(site: Catalog, text: str) -> None:
    hostile = site.claims["hostile-text"]
    assert squeeze(hostile.title) in text  # <script>alert('title')</script> & <img ...> *not bold*
    assert squeeze('#set page(fill: red) \\#import "x" $ math $ `code` @ref :smile:') in text
    assert squeeze('"}} #strong[x] <style>"'[1:-1]) in text
    assert squeeze(hostile.status_reason) in text
    assert squeeze("Publisher </span> & co") in text


def test_a_word_longer_than_a_line_wraps_instead_of_running_off_the_page(site: Catalog, page_texts: list[str]) -> None:
    word = site.claims["hostile-text"].sources[0].note or ""
    assert len(word) > 100 and " " not in word
    joined = "".join(page_texts)
    assert squeeze(word) in squeeze(joined)
    assert word not in joined  # it was broken across lines
    assert "\u200b" not in joined  # the break marks leave no trace in the text


def test_index_lists_people_and_organisations_with_native_names_and_aliases(page_texts: list[str]) -> None:
    index = squeeze(page_texts[-1])
    assert "Indexofpeopleandorganisations" in index
    for written in ("MikalaiKarpyankou", "Karpenkov", "Карпенков", "BYPOL", "БАЙПОЛ", "MVD"):
        assert written in index


def test_order_of_claims_is_stated_and_followed(site: Catalog, page_texts: list[str]) -> None:
    joined = squeeze("".join(page_texts))
    assert squeeze("Claims are grouped by status, in the order Alleged, Corroborated, Confirmed") in joined
    ids = ("leaked-order", "hostile-text", "voice-attribution")  # alleged, confirmed, disputed
    positions = [joined.index(f"claimid{cid}") for cid in ids]
    assert positions == sorted(positions)


# --------------------------------------------------------------------------- navigation


def test_outline_has_sections_and_every_claim(site: Catalog, reader: pypdf.PdfReader) -> None:
    titles = [squeeze(t) for t in outline_titles(reader.outline)]
    for claim in site.claims.values():
        assert squeeze(claim.title) in titles
    for section in (
        "Methodology",
        "Alleged claims",
        "Confirmed claims",
        "Disputed claims",
        "Index of people and organisations",
    ):
        assert squeeze(section) in titles


def test_internal_links_resolve_to_existing_pages(reader: pypdf.PdfReader) -> None:
    destinations = reader.named_destinations
    ids = ("hostile-text", "leaked-order", "voice-attribution")
    assert {f"claim-{cid}" for cid in ids} <= set(destinations)
    pages = {page.indirect_reference.idnum for page in reader.pages}
    internal = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            target = annotation.get("/Dest")
            if target is None and annotation.get("/A", {}).get("/S") == "/GoTo":
                target = annotation["/A"]["/D"]
            if target is None:
                continue
            internal += 1
            if isinstance(target, str):
                assert destinations[target].page.idnum in pages
            else:
                target = target.get_object()
                assert target[0].idnum in pages
    # Every contents entry, a related claim and its backlink, the index's page links (4, 7; 4; 4, 7).
    assert internal >= len(outline_titles(reader.outline)) + 2 + 5


def test_related_claims_print_the_page_they_are_on(reader: pypdf.PdfReader, page_texts: list[str]) -> None:
    target = reader.get_destination_page_number(reader.named_destinations["claim-voice-attribution"])
    printed = re.sub(r"\s+", " ", " ".join(page_texts))  # the page number follows a no-break space
    assert f"The voice on the recording is Karpyankou's (p. {target + 1})" in printed


def test_pages_are_numbered_in_the_footer(page_texts: list[str]) -> None:
    for number, page_text in enumerate(page_texts[1:], start=2):
        assert page_text.rstrip().endswith(str(number))


def test_fonts_are_embedded_and_come_from_the_compiler(reader: pypdf.PdfReader) -> None:
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"].split("+", 1)[1]] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert all(fonts.values()), fonts
    assert {name.split("-")[0] for name in fonts} == {"LibertinusSerif", "DejaVuSansMono"}


# --------------------------------------------------------------------------- source and escaping


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'quote " and backslash \\ and \\" both',
        '"); #set page(fill: red) //',
        "\\u{41}",
        "new\nline\r\ttab\x00nul\x7f",
        "\u2028\u2029",
        "Мікалай Карпянкоў",
        '#import "/etc/passwd"',
    ],
)
def test_typst_string_literal_round_trips(value: str) -> None:
    source = f"#metadata({typst_string(value)}) <value>"
    found = typst.query(source.encode(), "<value>", field="value", one=True, ignore_system_fonts=True)
    assert json.loads(found) == value


def test_claim_text_reaches_the_source_only_inside_the_data_literal(site: Catalog) -> None:
    source = render_typst(site, EDITION)
    first_line, layout = source.split("\n", 1)
    assert first_line.startswith('#let data = json(bytes("') and first_line.endswith('"))')
    assert "<script>" not in layout and "Карпянкоў" not in layout


def test_plain_breaks_only_over_long_words() -> None:
    assert plain("short words\n stay  as they are") == "short words stay as they are"
    assert plain("x" * 40).replace("\u200b", "") == "x" * 40
    assert "\u200b" in plain("x" * 40)
    assert plain("https://example.org/" + "a" * 60) == "https://example.org/" + "a" * 60


# --------------------------------------------------------------------------- edition and determinism


def test_edition_date_comes_from_source_date_epoch() -> None:
    assert edition_date({"SOURCE_DATE_EPOCH": "1764028800"}) == dt.date(2025, 11, 25)
    assert edition_date({}) == dt.date.today()
    with pytest.raises(Exception, match="SOURCE_DATE_EPOCH must be a whole number"):
        edition_date({"SOURCE_DATE_EPOCH": "yesterday"})
    with pytest.raises(Exception, match="SOURCE_DATE_EPOCH must be a whole number"):
        edition_date({"SOURCE_DATE_EPOCH": "9" * 30})


def test_edition_outside_git_and_without_config(tmp_path: Path) -> None:
    info = edition_info(None, tmp_path, {"SOURCE_DATE_EPOCH": "0"})
    assert info == EditionInfo("Claims", dt.date(1970, 1, 1), "unknown")


def test_site_name_is_read_without_running_mkdocs_tags(tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: Claims on Belarus\nmarkdown_extensions:\n"
        "  - toc: {slugify: !!python/object/apply:os.system [echo]}\n",
        encoding="utf-8",
    )
    assert site_name(config) == "Claims on Belarus"
    config.write_text("site_name: !ENV [NAME, x]\n", encoding="utf-8")
    assert site_name(config) is None


def test_same_claims_and_date_give_a_byte_identical_pdf(tmp_path: Path) -> None:
    claims = shutil.copytree(VALID, tmp_path / "claims")  # outside git: the revision cannot move
    env = {"SOURCE_DATE_EPOCH": "1764028800", "PATH": "/usr/bin:/bin"}
    outputs = []
    for name in ("a.pdf", "b.pdf"):  # separate processes: no state shared between the builds
        command = [sys.executable, "-m", "claimsite", "pdf", "--claims", str(claims), "-o", name]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    info = pypdf.PdfReader(io.BytesIO(outputs[0])).metadata
    assert info is not None and info.creation_date is not None
    assert info.creation_date.date() == dt.date(2025, 11, 25)  # the PDF's date is the edition date


# --------------------------------------------------------------------------- command


def test_cli_writes_the_pdf(tmp_path: Path) -> None:
    out = tmp_path / "out" / "x.pdf"
    result = CliRunner().invoke(main, ["pdf", "--claims", str(VALID), "-o", str(out)], env={"CI": "1"})
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(out)
    assert result.stdout == f"Wrote {out} ({len(reader.pages)} pages, {out.stat().st_size // 1024} KB)\n"


def test_words_as_long_as_the_file_allows_typeset_in_every_field(tmp_path: Path) -> None:
    claims = shutil.copytree(VALID, tmp_path / "claims")
    word = "W" * 3000
    claim = claims / "leaked-order.yaml"
    text = claim.read_text(encoding="utf-8")
    for field in ("title", "status_reason", "claimant"):
        text = re.sub(rf"^{field}: .*$", f"{field}: {word}", text, count=1, flags=re.M)
    text = re.sub(r"^(    (?:title|publisher|author|quote|note)): .*$", rf"\1: {word}", text, flags=re.M)
    text = re.sub(r"^(    url): .*$", rf"\1: https://example.org/{word}", text, count=1, flags=re.M)
    claim.write_text(text.replace("places: [Minsk]", f"places: [{word}]"), encoding="utf-8")
    entity = claims / "entities" / "karpyankou.yaml"
    entity.write_text(re.sub(r"^name: .*$", f"name: {word}", entity.read_text(encoding="utf-8"), flags=re.M))
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(main, ["pdf", "--claims", str(claims), "-o", str(out)], env={"CI": "1"})
    assert result.exit_code == 0, result.output
    lines = [line for page in pypdf.PdfReader(out).pages for line in page.extract_text().splitlines()]
    assert sum(line.count("W") for line in lines) >= 3000 * 8  # every field printed in full
    assert max(len(line) for line in lines if "WWW" in line) < 120  # and broken across lines


def test_cli_writes_nothing_when_a_claim_is_broken(tmp_path: Path) -> None:
    claims = shutil.copytree(VALID, tmp_path / "claims")
    (claims / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    out = tmp_path / "x.pdf"
    result = CliRunner().invoke(main, ["pdf", "--claims", str(claims), "-o", str(out)])
    assert result.exit_code == 1
    assert "broken.yaml:" in result.stderr and "no PDF written" in result.stderr
    assert not out.exists()


def test_progress_only_on_a_terminal_outside_ci() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for environ, shown in (({}, True), ({"CI": "true"}, False)):
        stream = Terminal()
        Progress(stream, environ)("compiling PDF…")
        assert bool(stream.getvalue()) is shown
    pipe = io.StringIO()
    Progress(pipe, {})("compiling PDF…")
    assert pipe.getvalue() == ""
    counter = Terminal()
    for done in range(1, 6):
        Progress(counter, {}).count(done, 5, "pages", every=2)
    assert counter.getvalue() == "\rpages: 2 of 5\rpages: 4 of 5\rpages: 5 of 5\n"


# --------------------------------------------------------------------------- a larger corpus


@pytest.mark.slow
def test_synthetic_corpus_has_a_bookmark_per_claim_and_no_orphaned_heading(tmp_path: Path) -> None:
    synth.write(200, tmp_path, seed=3)
    project = load_project([tmp_path], today=TODAY)
    assert not project.errors()
    reader = pypdf.PdfReader(io.BytesIO(make_pdf(project, EDITION).data))
    group_titles = {f"{STATUS_LABELS[s]} claims" for s in Status}
    claims_in_outline = []
    outline = reader.outline
    for position, item in enumerate(outline):
        if not isinstance(item, list) and item.title in group_titles:
            children = outline[position + 1]
            claims_in_outline += [(child, reader.get_destination_page_number(child)) for child in children]
    assert len(claims_in_outline) == len(project.claims) == 200
    # A claim's heading is followed by its "claim id" line: both on the page the bookmark points at.
    pages = [squeeze(page.extract_text()) for page in reader.pages]
    in_order = [cid for ids in claims_in_order(Catalog(project)).values() for cid in ids]
    for cid, (bookmark, page) in zip(in_order, claims_in_outline, strict=True):
        assert squeeze(bookmark.title) == squeeze(project.claims[cid].data.title)
        assert f"claimid{cid}" in pages[page], cid
    assert_joined_parts_are_one_document(reader, project)


def assert_joined_parts_are_one_document(reader: pypdf.PdfReader, project: Any) -> None:
    """The edition was typeset in parts (pdf.CHUNK_CLAIMS claims each) and joined: page numbers run on,
    every claim has a named destination on its own page, and every internal link leads to one."""
    from claimsite.pdf import CHUNK_CLAIMS, LINK_PREFIX

    assert len(project.claims) > CHUNK_CLAIMS  # more than one part
    texts = [page.extract_text() for page in reader.pages]
    for number, page_text in enumerate(texts[1:], start=2):
        assert page_text.rstrip().endswith(str(number))
    destinations = reader.named_destinations
    for cid in project.claims:
        page = reader.get_destination_page_number(destinations[f"claim-{cid}"])
        assert f"claimid{cid}" in squeeze(texts[page]), cid
    links = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            assert not str(annotation.get("/A", {}).get("/URI", "")).startswith(LINK_PREFIX)
            if "/Dest" in annotation:
                assert str(annotation["/Dest"]) in destinations
                links += 1
    assert links > 2 * len(project.claims)  # contents, index and related claims
    # A related claim's printed page is the page its destination is on, across parts too.
    printed = re.sub(r"\s+", " ", " ".join(texts))
    for cid, claim in project.claims.items():
        for related in claim.data.related:
            target = reader.get_destination_page_number(destinations[f"claim-{related.claim}"]) + 1
            title = re.sub(r"\s+", " ", project.claims[related.claim].data.title)
            assert f"{title} (p. {target})" in printed, (cid, related.claim)


# --------------------------------------------------------------------------- the evidence line


def test_every_source_prints_its_evidence_line_and_where_to_read_how_to_verify(site: Catalog, text: str) -> None:
    assert squeeze("Verifying a capture.") in text and squeeze("sha256sum record.json") in text
    assert text.count(squeeze("How to verify")) == sum(len(c.sources) for c in site.claims.values())
    assert squeeze("Link: Working, last verified 2026-11-20") in text
    assert squeeze("Link: not checked yet · No archived copy · No capture") in text
    full = "sha256:3f2a9c0d4b1e8f7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b"
    assert full in text.replace("\u200b", ""), "the PDF prints the full hash"


def test_evidence_line_reports_the_link_state_and_the_store(site: Catalog) -> None:
    url = "https://belsat.example/en/news/leak"
    archive = "https://web.archive.example/web/2021/https://belsat.example/en/news/leak"
    day = dt.datetime(2026, 11, 25, 6, tzinfo=dt.UTC)
    observed = Observations(
        LinkState({url: Entry(LinkStatus.OK, "", day), archive: Entry(LinkStatus.PAYWALL, "", day)}),
        CaptureIndex(
            {"3f2a9c0d4b1e8f7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b": StoredRecord("x", "s1", day)}
        ),
    )
    data = claim_data(site, "leaked-order", observed=observed)
    words = [
        "".join(seg["text"] or seg["mono"].replace("\u200b", "") for seg in phrase)
        for phrase in data["sources"][0]["evidence"]
    ]
    assert words == [
        "Link: Working, checked 2026-11-25",
        "Archived copy of 2021-01-16: not verified (Paywall, 2026-11-25)",
        "Capture sha256:3f2a9c0d4b1e8f7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b of 2026-11-25 06:00 UTC: "
        "verified, the capture store holds it",
    ]
    assert data["sources"][0]["evidence"][1][0]["url"] == archive
