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

_INLINE_SPECIALS = re.compile(r"([\\`*_{}\[\]|~^=])")
"""Characters with an inline meaning anywhere in a line (emphasis, code, links, attributes, table cells,
and the pymdownx tilde/caret/mark syntaxes in case a site enables them)."""
_LINE_START = re.compile(r"^([#>+\-:]|\d+(?=[.)]))")
"""What makes a line a heading, quote, list or definition; only the start of the text can be one,
since collapsing whitespace leaves no other line starts. Escaping only these (not every punctuation
mark) keeps Python-Markdown's inline pass fast."""


def one_line(text: str) -> str:
    """Collapse all whitespace (newlines included) into single spaces."""
    return " ".join(text.split())  # str.split() splits on what `\s` matches, five times faster


def md(text: str) -> str:
    """Untrusted text as an inline Markdown fragment that renders to exactly that text."""
    escaped = _INLINE_SPECIALS.sub(r"\\\1", html.escape(one_line(text), quote=False))
    return _LINE_START.sub(_escape_line_start, escaped, count=1)


def _escape_line_start(match: re.Match[str]) -> str:
    token = match.group(1)
    return token + "\\" if token[0].isdigit() else "\\" + token


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


DESCRIPTION_LIMIT = 200
"""Longest page description (meta description, link previews), in characters."""

_SENTENCE_END = re.compile(r"[.!?][\"”’)]*(?=\s)")
_CLAUSE_END = re.compile(r"[,;:](?=\s)|\s[—–](?=\s)")


def description(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """`text` on one line, shortened to at most `limit` characters at a sentence end, else at a
    clause boundary (comma, semicolon, colon, dash) with an ellipsis, else at a word boundary;
    never mid-word, so a preview never shows a fragment such as "accordi"."""
    flat = one_line(text)
    if len(flat) <= limit:
        return flat
    head = flat[: limit + 1]
    sentences = [m.end() for m in _SENTENCE_END.finditer(head) if m.end() <= limit]
    if sentences and sentences[-1] >= limit // 3:
        return flat[: sentences[-1]]
    clauses = [m.start() for m in _CLAUSE_END.finditer(head) if m.start() <= limit - 2]
    if clauses and clauses[-1] >= limit // 3:
        return flat[: clauses[-1]].rstrip() + " …"
    words = flat[: limit - 1].rsplit(" ", 1)[0][: limit - 2]
    return words.rstrip(",;:—– ") + " …"
