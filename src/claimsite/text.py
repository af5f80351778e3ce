"""Escaping for every output: untrusted text becomes inert text, never markup.

Claim fields are plain text. For Markdown we collapse whitespace (so no block syntax can form),
HTML-escape (so no tag or entity survives) and backslash-escape every character Python-Markdown
gives a meaning inline. Headings, list markers and tables need line starts, which collapsing removes.

`claimsite diff` writes for GitHub instead (the job summary, rendered as GitHub-flavoured Markdown, and
the job log): `gfm_text` and `log_line` keep every character of a name but show the unprintable ones
as escapes, so that nothing can start a line there.
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


def visible(text: str) -> str:
    """Every unprintable character becomes its Python escape (`\\n`, `\\x1b`, `\\u2028`, `\\u202e`).

    Line breaks of every kind, control characters (terminal escapes), bidirectional overrides and
    zero-width characters can then neither start a line nor hide, colour or reorder text. Spaces of
    every width stay as they are.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else _escape_char(ch) for ch in text)


def _escape_char(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


_GFM_SPECIALS = re.compile(r"[\\`*\[\]|~$]|(?<![^\W_])_|_(?![^\W_])")
"""What GitHub-flavoured Markdown gives a meaning in the middle of a line: escapes, code, emphasis,
links, images and footnotes, table cells, strikethrough, math. `_` inside a word means nothing."""
_GFM_AUTOLINKS = (
    (re.compile(r":(?=//)"), r"\\:"),  # https://...
    (re.compile(r"(?<=www)\.", re.IGNORECASE), r"\\."),  # www.example.org
    # a@example.org, mailto: and xmpp: too: GitHub finds these in the rendered text, where escapes are
    # gone; a word joiner (invisible) keeps the address from being read as one
    (re.compile(r"(?<=[A-Za-z0-9.+_-])@"), "&#x2060;@"),
)
"""The starts of the links GitHub makes from bare text."""


def gfm_text(text: str) -> str:
    """Untrusted text for a line of GitHub-flavoured Markdown, rendered as exactly that text.

    Unprintable characters are shown as escapes (`visible`), `&<>` become entities (no HTML, no entity
    of the author's), every character with an inline meaning is backslash-escaped, the starts of bare
    links are broken, and so is what would make a heading, list or code block at the start (the text
    may begin a list item: `- # x` is a heading). The result has no line break, no `##[`, no control
    character and no leading `:`, so it is inert in a CI log too.
    """
    escaped = _GFM_SPECIALS.sub(r"\\\g<0>", html.escape(visible(text), quote=False))
    for pattern, replacement in _GFM_AUTOLINKS:
        escaped = pattern.sub(replacement, escaped)
    escaped = _LINE_START.sub(_escape_line_start, escaped, count=1)
    return "&#32;" + escaped[1:] if escaped.startswith(" ") else escaped  # spaces would indent a code block


def gfm_autolink(value: str) -> str:
    """A checked http(s) URL as a GitHub autolink `<...>`: what would end it (a space, `<`, `>`) and every
    unprintable character (a bidirectional override would reorder the address shown) percent-encoded."""
    encoded = "".join(
        ch if ch.isprintable() and ch not in " <>" else quote(ch, safe="", errors="surrogatepass") for ch in value
    )
    return f"<{encoded}>"


def log_line(text: str) -> str:
    """Untrusted text as one line of a CI log that GitHub's runner never takes as a workflow command.

    Unprintable characters (line breaks included) are shown as escapes (`visible`); `##[` (the runner's
    old command syntax, taken anywhere in a line) becomes `##\\[`; a line that begins with `::` after
    spaces gets a backslash in front.
    """
    line = visible(text).replace("##[", "##\\[")
    return "\\" + line if line.lstrip().startswith("::") else line


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
