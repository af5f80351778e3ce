"""Cite this claim: the APA reference on the claim page, and the CSL-JSON and BibTeX downloads made from
the same catalog, with the permalink and the edition; hostile text neutralised in BibTeX."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import VALID

from claimsite.catalog import Catalog
from claimsite.model import PartialDate
from claimsite.outputs.cite import CitedPage, bibtex, csl_json, tex_escape
from claimsite.project import load_project
from claimsite.render import RenderOptions, Site, cited, render_claim

SITE = "https://claims.example.org/"
HOSTILE = r"} \input{/etc/passwd} { % $x$ #1 & _ ~ ^ \\ \end{document}"


def read_bibtex(text: str) -> tuple[str, str, dict[str, str]]:
    """A small biblatex reader: entry type, key and fields, each value with its outer braces removed;
    fails on unbalanced braces (an escaped brace, `\\{`, does not count)."""
    found = re.fullmatch(r"@(\w+)\{([^,]+),\n(.*)\n\}\n", text, re.S)
    assert found, text
    kind, key, body = found.groups()
    fields: dict[str, str] = {}
    i = 0
    while i < len(body):
        name = re.match(r"\s*(\w+) = \{", body[i:])
        assert name, body[i:]
        i += name.end()
        depth, start = 1, i
        while depth:
            char = body[i]
            if char == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            i += 1
        fields[name.group(1)] = body[start : i - 1]
        i += 2 if body[i : i + 2] == ",\n" else 0
    return kind, key, fields


def untex(value: str) -> str:
    """What TeX typesets for an escaped value (the inverse of `tex_escape`)."""
    value = value.replace(r"\textbackslash{}", "\\").replace(r"\textasciitilde{}", "~")
    value = value.replace(r"\textasciicircum{}", "^")
    return re.sub(r"\\([{}#$%&_])", r"\1", value)


def _page(title: str = "A title", edition: str | None = "abc1234") -> CitedPage:
    return CitedPage("a-claim", title, "Fixture Fact Checks", "Fixture claims", PartialDate(2021, 2, 24),
                     SITE + "claims/a-claim/", edition, "en")  # fmt: skip


def test_the_bibtex_entry_of_a_known_claim() -> None:
    assert bibtex(_page()) == (
        "@online{a-claim,\n"
        "  author = {{Fixture Fact Checks}},\n"
        "  title = {{A title}},\n"
        "  date = {2021-02-24},\n"
        "  organization = {Fixture claims},\n"
        "  url = {https://claims.example.org/claims/a-claim/},\n"
        "  version = {abc1234},\n"
        "  langid = {english}\n"
        "}\n"
    )


def test_hostile_text_stays_text_in_bibtex() -> None:
    kind, key, fields = read_bibtex(bibtex(_page(title=HOSTILE)))
    assert (kind, key) == ("online", "a-claim")
    assert fields["title"].startswith("{") and fields["title"].endswith("}")
    assert untex(fields["title"][1:-1]) == HOSTILE  # round trip: the title as written
    commands = re.findall(r"\\([A-Za-z]+)", fields["title"])
    assert set(commands) <= {"textbackslash", "textasciitilde", "textasciicircum"}  # no \input, no \end
    assert tex_escape("line\nbreak\x00") == "line break "


def test_csl_json_has_the_fields() -> None:
    (item,) = json.loads(csl_json(_page(title=HOSTILE)))
    assert item["title"] == HOSTILE  # JSON keeps the raw text
    assert item["type"] == "webpage" and item["id"] == "a-claim"
    assert item["URL"] == SITE + "claims/a-claim/" and item["version"] == "abc1234"
    assert item["issued"] == {"date-parts": [[2021, 2, 24]]}
    assert item["author"] == [{"literal": "Fixture Fact Checks"}] and item["container-title"] == "Fixture claims"
    assert "version" not in json.loads(csl_json(_page(edition=None)))[0]


def test_the_claim_page_cites_it_in_apa_style_and_links_the_downloads() -> None:
    catalog = Catalog(load_project([VALID]))
    options = RenderOptions(site_url=SITE, site_name="Fixture claims", edition="abc1234")
    site = Site(catalog, options)
    html = "".join(block for block in render_claim(site, "voice-attribution").blocks if isinstance(block, str))
    reference = re.search(r'<p class="claim-reference" title="APA style \(7th edition\)">(.*?)</p>', html)
    assert reference is not None
    assert reference[1] == (
        "Fixture claims. (2021, February 24). <em>The voice on the recording is Karpyankou&#x27;s</em> "
        "(edition abc1234). https://claims.example.org/claims/voice-attribution/"
    )  # the site is its own author here (no publisher): APA does not name it twice
    assert 'href="../../claims/voice-attribution/citation.bib" download' in html
    assert 'href="../../claims/voice-attribution/citation.csl.json" download' in html
    assert cited(site, "voice-attribution").date == PartialDate(2021, 2, 24)  # the latest history entry


def test_the_built_site_has_the_downloads(built_site: Path) -> None:
    folder = built_site / "claims" / "hostile-text"
    _, _, fields = read_bibtex((folder / "citation.bib").read_text(encoding="utf-8"))
    assert untex(fields["title"][1:-1]) == "<script>alert('title')</script> & <img src=x onerror=alert(1)> *not bold*"
    assert fields["url"] == SITE + "claims/hostile-text/"
    (item,) = json.loads((folder / "citation.csl.json").read_text(encoding="utf-8"))
    assert item["URL"] == SITE + "claims/hostile-text/" and item["publisher"] == "Fixture Fact Checks"
