"""Escaping for every output: untrusted text becomes inert text, never markup.

Claim fields are plain text. For Markdown we collapse whitespace (so no block syntax can form),
HTML-escape (so no tag or entity survives) and backslash-escape every character Python-Markdown
gives a meaning inline. Headings, list markers and tables need line starts, which collapsing removes.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote

_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~^=:])")
_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) into single spaces."""
    return _SPACE.sub(" ", text).strip()


def md(text: str) -> str:
    """Untrusted text as an inline Markdown fragment that renders to exactly that text."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(one_line(text), quote=False))


def md_paragraphs(text: str) -> str:
    """Untrusted multi-paragraph text (blank-line separated) as Markdown paragraphs."""
    return "\n\n".join(md(part) for part in re.split(r"\n\s*\n", text.strip()) if part.strip())


def attr(text: str) -> str:
    """Untrusted text for an HTML attribute value or element content (quotes escaped too)."""
    return html.escape(one_line(text), quote=True)


def url(value: str) -> str:
    """A checked http(s) URL made safe inside a Markdown link destination and HTML attributes."""
    return quote(value.strip(), safe="/:?#[]@!$&*+,;=%~-._")


def md_link(label: str, target: str) -> str:
    """A Markdown link with an escaped label; `target` is a URL or a relative .md path we built."""
    return f"[{md(label)}]({url(target)})"


def slug(text: str) -> str:
    """ASCII file-name slug; empty when nothing ASCII survives (the caller picks a fallback)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
