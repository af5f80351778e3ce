"""Generated pages as finished HTML: the blocks of a page, written once, read two ways.

A page is front matter plus a list of blocks: headings and finished HTML. `GeneratedPage.markdown()`
writes it as a Markdown file (headings as `## Text { #id }` lines so MkDocs' table of contents and
permalinks see them, everything else as raw HTML blocks, which Markdown passes through untouched):
that is what `claimsite generate` writes and what a plain `mkdocs build` reads. `GeneratedPage.html()`
and `toc()` give the same page already converted, so the plugin hands it to MkDocs without a Markdown
pass. Both must produce the same HTML; tests/test_site.py compares the two builds.

Untrusted text reaches HTML only through `claimsite.text.attr` (via `esc` here), once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from claimsite.text import attr as esc
from claimsite.text import md, one_line


def tag(name: str, content: str = "", /, **attrs: str | bool | None) -> str:
    """`<name attrs>content</name>`; `content` is HTML already, attribute values are escaped here.

    A trailing underscore in an attribute name is dropped (`class_`), other underscores become hyphens
    (`data_search_exclude`); True writes a bare attribute, None and False leave it out.
    """
    return f"<{name}{attributes(attrs)}>{content}</{name}>"


def attributes(attrs: dict[str, str | bool | None]) -> str:
    out = []
    for key, value in attrs.items():
        name = _ATTRIBUTE_NAMES.get(key) or key.rstrip("_").replace("_", "-")
        if value is True:
            out.append(f" {name}")
        elif value is not None and value is not False:
            out.append(f' {name}="{esc(value)}"')
    return "".join(out)


_ATTRIBUTE_NAMES = {"class_": "class", "id": "id", "href": "href", "lang": "lang"}


def link(label_html: str, href: str, **attrs: str | bool | None) -> str:
    """A link whose label is HTML already (escape text with `esc` first)."""
    return tag("a", label_html, href=href, **attrs)


def compose(escape: Callable[[str], str], message: str, **fragments: str) -> str:
    """`message` (translated, with `{name}` placeholders) escaped by `escape`, its placeholders replaced by
    finished fragments (links, code), so a translation can put them anywhere in the sentence."""
    marked = message.format(**{name: f"\x00{name}\x00" for name in fragments})
    out = escape(marked)
    for name, fragment in fragments.items():
        out = out.replace(f"\x00{name}\x00", fragment)
    return out


def wrappable(text: str) -> str:
    """Escaped text that may wrap after hyphens and slashes only (ids, URLs), never mid-segment."""
    return _WRAP_POINTS.sub(r"\1<wbr>", esc(text))


_WRAP_POINTS = re.compile(r"(-|/+)")


def relative_url(target: str, base: str) -> str:
    """The relative link from the page at site-relative URL `base` to `target` (both as MkDocs writes
    them: 'claims/x/', 'claims/x.html', '' for the home page): up to the site's root, then down. Not the
    shortest form, but computed without path arithmetic (pages link to each other thousands of times)."""
    up = base.count("/")
    if target.startswith("#"):
        return target
    return ("../" * up + target) if up or target else "./"


@dataclass(frozen=True)
class Heading:
    """A heading of a generated page; `text` is plain (escaped when written)."""

    level: int
    text: str
    id: str
    search_exclude: bool = False
    lang: str | None = None
    search_weight: float | None = None
    """How much its words count in the site's search index (claimsite.search), when not the default."""


Block = Heading | str
"""A heading, or a block of finished HTML: exactly one element (Markdown would put a newline between two)."""


@dataclass(frozen=True)
class Permalink:
    """How the site's `toc` extension writes heading permalinks (its `permalink*` options)."""

    text: str = "&para;"
    css_class: str = "headerlink"
    title: str = "Permanent link"

    @classmethod
    def from_toc_config(cls, config: dict[str, Any]) -> Permalink | None:
        """The permalink the toc extension would add with these options, or None for none."""
        value = config.get("permalink")
        if not value:
            return None
        return cls(
            text="&para;" if value is True else str(value),
            css_class=str(config.get("permalink_class", "headerlink")),
            title=str(config.get("permalink_title", "Permanent link")),
        )


@dataclass
class GeneratedPage:
    """One generated page: its front matter and its blocks."""

    meta: dict[str, object]
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(block for block in blocks if block)

    def front_matter(self) -> str:
        return "---\n" + yaml.safe_dump(self.meta, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"

    def markdown(self) -> str:
        """The page as a Markdown file: front matter, heading lines and raw HTML blocks."""
        return self.front_matter() + self.body_markdown()

    def body_markdown(self) -> str:
        """The blocks as Markdown, without front matter (for appending to a hand-written page)."""
        parts = []
        for block in self.blocks:
            if isinstance(block, Heading):
                extra = " data-search-exclude" if block.search_exclude else ""
                extra += f' lang="{block.lang}"' if block.lang else ""
                extra += f' data-pagefind-weight="{block.search_weight}"' if block.search_weight is not None else ""
                parts.append(f"{'#' * block.level} {_heading_markdown(block.text)} {{ #{block.id}{extra} }}")
            else:
                parts.append(block)
        return "\n\n".join(parts) + "\n"

    def html(self, permalink: Permalink | None, *, searchable: bool = False) -> str:
        """The page body as Markdown converts `markdown()`: a heading is followed by one newline, a block
        by a blank line (so each block must be one element), headings carry their permalinks.

        `searchable` leaves out the sections a search index skips (from a `search_exclude` heading to the
        next heading): what the index reads is then smaller, and it gives the same entries."""
        out = []
        skipping = False
        for block in self.blocks:
            if isinstance(block, Heading):
                skipping = searchable and block.search_exclude
                if not skipping:
                    out.append(_heading_html(block, permalink) + "\n")
            elif not skipping:
                out.append(block + "\n\n")
        return "".join(out).rstrip("\n")

    def ends_searchable(self) -> bool:
        """Whether the last section is one a search index reads."""
        headings = [block for block in self.blocks if isinstance(block, Heading)]
        return not headings or not headings[-1].search_exclude

    def toc(self) -> list[dict[str, Any]]:
        """Toc tokens as the `toc` extension gives them (`mkdocs.structure.toc.get_toc` reads these)."""
        root: list[dict[str, Any]] = []
        stack: list[dict[str, Any]] = []
        for block in self.blocks:
            if not isinstance(block, Heading):
                continue
            name = html.escape(one_line(block.text), quote=False)
            token = {"level": block.level, "id": block.id, "name": name, "html": name, "children": []}
            while stack and stack[-1]["level"] >= block.level:
                stack.pop()
            (stack[-1]["children"] if stack else root).append(token)
            stack.append(token)
        return root

    def anchors(self) -> set[str]:
        """Every id the page defines (for MkDocs' anchor validation of links into it)."""
        ids = {block.id for block in self.blocks if isinstance(block, Heading)}
        for block in self.blocks:
            if isinstance(block, str) and ' id="' in block:
                ids.update(part.split('"', 1)[0] for part in block.split(' id="')[1:])
        return ids


def _heading_html(block: Heading, permalink: Permalink | None) -> str:
    anchor = ""
    if permalink is not None:
        anchor = f'<a class="{permalink.css_class}" href="#{block.id}" title="{permalink.title}">{permalink.text}</a>'
    # Attributes in the order attr_list and toc write them (sorted by name), so both builds give the
    # same bytes.
    weight = f'data-pagefind-weight="{block.search_weight}" ' if block.search_weight is not None else ""
    excluded = "data-search-exclude " if block.search_exclude else ""
    lang = f' lang="{block.lang}"' if block.lang else ""
    text = html.escape(one_line(block.text), quote=False)  # as Markdown writes heading text
    return f'<h{block.level} {weight}{excluded}id="{block.id}"{lang}>{text}{anchor}</h{block.level}>'


def _heading_markdown(text: str) -> str:
    """Heading text for a Markdown heading line, escaped so that Markdown renders exactly that text
    (closing hashes, which Markdown would strip from a heading, escaped as well)."""
    escaped = md(text)
    kept = escaped.rstrip("#")
    closing = len(escaped) - len(kept)
    if closing and (len(kept) - len(kept.rstrip("\\"))) % 2:  # the first is escaped already (`\#`)
        kept, closing = kept + "#", closing - 1
    return kept + "\\#" * closing
