"""A PDF's text for the quote check: PDFs typeset by typst (ligatures, hyphenation, Cyrillic), and
hostile ones (encrypted, cut, a decompression bomb, not a PDF at all) made with pikepdf, read in the
child process with its limits. Each hostile case ends in a message, never an exception."""

from __future__ import annotations

import io

import pypdf
import pytest
from pdfmake import bomb, cut, encrypted, make_pdf

from claimsite.linkcheck.classify import Page, missing_quotes, quote_found
from claimsite.linkcheck.pdftext import DEFAULT_LIMITS, PdfLimits, PdfText, clean, is_pdf, looks_like_html, read_pdf

LONG = (
    "The commission finally established the unconstitutional internationalisation of responsibilities "
    "and the effectiveness of the officials' counterintelligence measures."
)
RU = "Всё, что ёмко сказано в докладе о правозащитниках и журналистах, подтверждено."


def raw_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def page_of(pdf: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> Page:
    return Page("", "", (), read_pdf(pdf, limits).text)  # as classify sees it


def test_hyphenated_line_ends_are_joined() -> None:
    pdf = make_pdf(LONG, width="4.5cm")
    assert "\u00ad\n" in raw_text(pdf)  # typst broke words at the line ends: the test means something
    text = read_pdf(pdf).text
    assert "\u00ad" not in text and "internationalisation" in text
    assert quote_found("the unconstitutional internationalisation of responsibilities", page_of(pdf).letters)


def test_ligatures_are_spelled_out() -> None:
    pdf = make_pdf("The \ufb01nal o\ufb03cial \ufb02ow of e\ufb00ort.")
    assert "\ufb01" in raw_text(pdf)  # the ligature characters are in the PDF's text layer
    text = read_pdf(pdf).text
    assert "final official flow of effort" in text
    assert not missing_quotes(page_of(pdf), ["the final official flow"])


def test_cyrillic_is_matched_like_html() -> None:
    page = page_of(make_pdf(RU, lang="ru", width="4cm"))
    assert not missing_quotes(page, ["ВСЕ, ЧТО ЕМКО СКАЗАНО в докладе о правозащитниках"])
    assert missing_quotes(page, ["о правозащитницах"])


def test_clean_keeps_real_hyphens() -> None:
    assert clean("well-\nknown") == "wellknown"
    assert clean("Minsk-\nBrest") == "Minsk-Brest"  # a capital after the break: a compound, not a hyphenation
    assert clean("1999-\n2000") == "1999-\n2000"
    assert clean("docu\u00ad\nment") == "document"


def test_the_signature_decides_not_the_header() -> None:
    pdf = make_pdf("x")
    assert is_pdf("application/octet-stream", pdf) and is_pdf("text/html", pdf)
    assert is_pdf("application/pdf", b"junk before\n" + pdf)  # within the first 1024 bytes, when declared
    assert not is_pdf("text/html", b"junk before\n" + pdf)
    assert not is_pdf("application/pdf", b"<!doctype html><title>Log in</title>")
    assert looks_like_html(b"\n<!DOCTYPE html><title>Log in</title>")


def test_pages_and_title() -> None:
    result = read_pdf(make_pdf("one\fsecond page\fthird", title="OSCE report"))
    assert (result.pages, result.read_pages, result.title, result.problem) == (3, 3, "OSCE report", "")
    assert "second page" in result.text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("user-password", "encrypted with a password"),
        ("cut", "malformed"),
        ("bomb", "decompression bomb"),
        ("not-a-pdf", "not a PDF"),
        ("garbage", "malformed"),
        ("images-only", "no text layer"),
    ],
)
def test_hostile_pdfs_give_a_message(name: str, expected: str) -> None:
    body = {
        "user-password": lambda: encrypted(make_pdf(LONG), user="secret"),
        "cut": lambda: cut(make_pdf(LONG)),
        "bomb": lambda: bomb(120),
        "not-a-pdf": lambda: b"<html><title>Sign in</title></html>",
        "garbage": lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40,
        "images-only": lambda: make_pdf(""),
    }[name]()
    result = read_pdf(body)
    assert expected in result.problem and not result.readable and result.text == ""


def test_an_owner_password_alone_does_not_stop_reading() -> None:
    result = read_pdf(encrypted(make_pdf(LONG), user=""))
    assert result.readable and "counterintelligence" in result.text


def test_limits_on_size_pages_characters_and_time() -> None:
    pdf = make_pdf("first page\fsecond page\fthird page")
    assert read_pdf(pdf, PdfLimits(max_bytes=len(pdf) - 1)).problem == "larger than 0 MB, not read"
    two = read_pdf(pdf, PdfLimits(max_pages=2))
    assert two.partial == "the first 2 of 3 pages" and "third" not in two.text and "second" in two.text
    assert read_pdf(pdf, PdfLimits(max_chars=5)).partial == "the first 5 characters"
    killed = read_pdf(pdf, PdfLimits(seconds=0.0, grace=0.001))  # the child is killed before it answers
    assert killed == PdfText(problem="took longer than 0 s to read")
