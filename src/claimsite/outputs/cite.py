"""Cite this claim: a reference in APA style (7th edition, a web page with a group author) for the
claim page, and the same reference as CSL-JSON and BibTeX (biblatex `@online`) downloads. Pure: the
catalog in, strings and `{site-relative path: bytes}` out.

Every reference names the permalink and the edition: the git commit of the claims (claimsite.env), so
that a citation says which version of a claim page it read. The date is the claim's latest history
entry: the last time its status was decided.

BibTeX is TeX: every text from a claim file is escaped (`tex_escape`: TeX's special characters as
commands, braces included), so a title cannot close its field or run a command.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from claimsite.catalog import Catalog
from claimsite.env import UNKNOWN_REVISION
from claimsite.model import PartialDate

BIBTEX, CSL_JSON = "citation.bib", "citation.csl.json"
"""The downloads' file names, in the claim's folder (`claims/<id>/`)."""


LANGIDS = {"en": "english", "be": "belarusian", "ru": "russian", "uk": "ukrainian", "pl": "polish", "de": "german"}
"""biblatex's `langid` (babel's language names) for the content languages it is likely to be."""


@dataclass(frozen=True)
class CitedPage:
    """What a reference to a claim page holds."""

    claim_id: str
    title: str
    author: str
    """The publishing organisation (a group author)."""
    site_name: str
    date: PartialDate
    url: str
    edition: str | None
    """The claims' git commit; None outside git."""
    language: str


def cited_page(
    catalog: Catalog, cid: str, *, url: str, author: str, site_name: str, edition: str | None, language: str
) -> CitedPage:
    claim = catalog.claims[cid]
    known = edition if edition and edition != UNKNOWN_REVISION else None
    return CitedPage(cid, claim.title, author, site_name, claim.history[-1].date, url, known, language)


def download_path(cid: str, name: str) -> str:
    """Site-relative path of a claim's citation file."""
    return f"claims/{cid}/{name}"


def apa_parts(page: CitedPage, month: Callable[[int], str], edition: Callable[[str], str]) -> tuple[str, str, str]:
    """The APA reference as (text before the title, the title, text after it): the title is set in
    italics. `month` names a month (1-12) in the reader's language; `edition` words the edition."""
    date = str(page.date.year)
    if page.date.month:
        date += f", {month(page.date.month)}" + (f" {page.date.day}" if page.date.day else "")
    author = page.author if page.author.endswith(".") else page.author + "."
    before = f"{author} ({date}). "
    after = f" ({edition(page.edition)})." if page.edition else "."
    if page.site_name and page.site_name != page.author:  # APA: the site's name only when not the author
        after += f" {page.site_name}."
    return before, page.title, f"{after} {page.url}"


def csl_json(page: CitedPage) -> str:
    """The reference as CSL-JSON (a list of one item), as reference managers import it."""
    parts = (
        [page.date.year] + ([page.date.month] if page.date.month else []) + ([page.date.day] if page.date.day else [])
    )
    item: dict[str, object] = {
        "id": page.claim_id,
        "type": "webpage",
        "title": page.title,
        "author": [{"literal": page.author}],
        "container-title": page.site_name,
        "publisher": page.author,
        "issued": {"date-parts": [parts]},
        "URL": page.url,
        "language": page.language,
    }
    if page.edition:
        item["version"] = page.edition
    return json.dumps([item], ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


_TEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "#": r"\#",
    "$": r"\$",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_TEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _TEX_SPECIALS))
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def tex_escape(text: str) -> str:
    """Text as TeX typesets it literally: special characters as commands, control characters and line
    breaks as spaces (a blank line would end the entry's paragraph in some styles)."""
    return _TEX_SPECIAL.sub(lambda m: _TEX_SPECIALS[m.group()], _CONTROL.sub(" ", text))


def _bib_url(url: str) -> str:
    """A URL for biblatex's verbatim `url` field: braces, backslashes, `%` and spaces percent-encoded."""
    return quote(url, safe=":/?#[]@!$&'()*+,;=-._~")


def bibtex(page: CitedPage) -> str:
    """The reference as a biblatex `@online` entry; each text field is braced twice (kept as written)."""
    fields = [
        ("author", "{" + tex_escape(page.author) + "}"),
        ("title", "{" + tex_escape(page.title) + "}"),
        ("date", str(page.date)),
        ("organization", tex_escape(page.site_name)),
        ("url", _bib_url(page.url)),
    ]
    if page.edition:
        fields.append(("version", tex_escape(page.edition)))
    if page.language in LANGIDS:
        fields.append(("langid", LANGIDS[page.language]))
    key = re.sub(r"[^A-Za-z0-9:_-]", "-", page.claim_id)
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{key},\n{body}\n}}\n"


def citation_files(pages: list[CitedPage]) -> dict[str, bytes]:
    """The downloads of every claim page."""
    files: dict[str, bytes] = {}
    for page in pages:
        files[download_path(page.claim_id, BIBTEX)] = bibtex(page).encode("utf-8")
        files[download_path(page.claim_id, CSL_JSON)] = csl_json(page).encode("utf-8")
    return files
