"""Layout rules of the PDF edition, read back from real typst output with pypdf: the cover title's
lines, where long addresses break, what comes first under a claim's heading."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import shutil
from pathlib import Path

import pypdf
import pytest
import typst
from conftest import TODAY, VALID

from claimsite.catalog import Catalog
from claimsite.model import STATUS_LABELS
from claimsite.pdf import EditionInfo, render_typst, url_pieces
from claimsite.project import load_project


def catalog_of(folder: Path) -> Catalog:
    project = load_project([folder], today=TODAY)
    assert not project.errors(), project.problems
    return Catalog(project)


@pytest.fixture(scope="module")
def site() -> Catalog:
    return catalog_of(VALID)


def pages_of(site: Catalog, title: str = "Fixture claims") -> list[str]:
    source = render_typst(site, EditionInfo(title=title, date=dt.date(2026, 11, 25), revision="abc1234"))
    pdf = typst.compile(source.encode(), format="pdf", ignore_system_fonts=True, pdf_tags=False)
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


TITLES = (
    "Claims",
    "Claims 2020",
    "Claims about Belarus",
    "Claims about the Karpyankou recording and the Belarusian Interior Ministry in 2020",
    "The Belarusian Interior Ministry's counterterrorism internationalisation programme documentation",
    "Claims about the election of 9 August 2020 and what followed in Minsk, Hrodna, Brest and Homiel 2020",
    "Antidisestablishmentarianism Counterrevolutionaries",
    "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
)


@pytest.mark.parametrize("title", TITLES)
def test_the_cover_title_leaves_no_word_or_number_alone_on_a_line(site: Catalog, title: str) -> None:
    cover = pages_of(site, title)[0]
    lines = cover.split("Edition of")[0].strip().splitlines()
    assert " ".join(lines).split() == title.split()  # the whole title, in order
    if len(title.split()) > 1:
        assert all(len(line.split()) >= 2 for line in lines), lines


LONG_URL = (
    "https://www.example-news-agency.org/world/europe/2020/09/belarus-interior-ministry-deputy-minister-"
    "karpyankou-audio-recording-leaked-by-bypol-explainer.html?utm_source=twitter&utm_medium=social&id=123456"
)
BREAK_BEFORE = "/~.,-_?#%=&"


def test_url_pieces_break_before_punctuation_and_after_double_slashes() -> None:
    pieces = url_pieces(LONG_URL)
    assert "".join(pieces) == LONG_URL
    assert pieces[0] == "https://"
    assert all(piece[0] in BREAK_BEFORE or previous.endswith("//") for previous, piece in itertools.pairwise(pieces))
    assert max(len(piece) for piece in url_pieces("https://x.org/" + "a" * 80)) < 30


def test_a_long_address_breaks_only_before_punctuation(site: Catalog, tmp_path: Path) -> None:
    claims = shutil.copytree(VALID, tmp_path / "claims")
    path = claims / "voice-attribution.yaml"
    text = path.read_text(encoding="utf-8")
    first_url = re.search(r"url: (\S+)", text)
    assert first_url is not None
    path.write_text(text.replace(first_url.group(1), LONG_URL, 1), encoding="utf-8")
    lines = "\n".join(pages_of(catalog_of(claims))).splitlines()
    start = next(n for n, line in enumerate(lines) if "https://www.example-news-agency.org" in line)
    shown, n = lines[start][lines[start].index("https://") :].strip(), start
    while shown != LONG_URL:
        n += 1
        following = lines[n].strip()
        assert LONG_URL.startswith(shown + following), (shown, following)
        assert following[0] in BREAK_BEFORE, f"a line of the address starts with {following[:10]!r}"
        assert shown[-1] not in "-_", f"a line of the address ends with {shown[-10:]!r}"
        shown += following
    assert n > start  # the address did need more than one line


def test_a_claims_status_line_comes_first_under_its_heading(site: Catalog) -> None:
    pages = [re.sub(r"\s+", "", page) for page in pages_of(site)]
    for claim in site.claims.values():
        title = re.sub(r"\s+", "", claim.title)
        on = [page for page in pages if title + STATUS_LABELS[claim.status] in page]
        assert on, f"{claim.id}: its heading is not followed by its status on the same page"
