"""What a fetched address is: exactly one `LinkStatus`, decided from recorded responses alone.

Nothing here touches the network, so every rule can be tested on made-up responses. The order of the
tests is the order of `classify`: no answer or an error status first, then what the page says.
"""

from __future__ import annotations

import asyncio
import html as html_lib
import ipaddress
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from claimsite.linkcheck.fetch import NO_ANSWER, PERMANENT_REDIRECTS, Fetched
from claimsite.linkcheck.pdftext import PdfText, read_pdf
from claimsite.vocab import LinkStatus


def _words(text: str) -> str:
    """Text reduced to lowercase words separated by single spaces: accents, case, punctuation and
    spacing do not count (ё matches е, й matches и: both sides lose their diacritics alike)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[^\W_]+", stripped))


NOT_FOUND_PHRASES = tuple(
    _words(phrase)
    for phrase in (
        # English
        "page not found",
        "404 not found",
        "error 404",
        "404 error",
        "page does not exist",
        "page doesn't exist",
        "page cannot be found",
        "page could not be found",
        "page you requested could not be found",
        "page is no longer available",
        "article not found",
        # Russian
        "страница не найдена",
        "страница не существует",
        "страницы не существует",
        "запрашиваемая страница не найдена",
        "ошибка 404",
        "материал не найден",
        "статья не найдена",
        "страница удалена",
        # Belarusian
        "старонка не знойдзена",
        "старонка не існуе",
        "старонкі не існуе",
        "памылка 404",
        "матэрыял не знойдзены",
        "артыкул не знойдзены",
    )
)
"""What error pages say in their title or heading, in English, Russian and Belarusian."""

PAYWALL_PHRASES = tuple(
    _words(phrase)
    for phrase in (
        "subscribe to continue reading",
        "subscribe to read the full article",
        "this article is for subscribers",
        "available to subscribers only",
        "only available to subscribers",
        "только для подписчиков",
        "доступно только подписчикам",
        "оформите подписку, чтобы",
        "чтобы продолжить чтение, оформите подписку",
        "толькі для падпісчыкаў",
        "даступна толькі падпісчыкам",
        "аформіце падпіску, каб",
    )
)
PAYWALL_MARKUP = re.compile(
    r"""["']isAccessibleForFree["']\s{0,20}:\s{0,20}["']?false"""
    r"""|<meta[^>]{0,300}content_tier["'][^>]{0,300}content=["'](?:locked|metered)"""
    r"""|<meta[^>]{0,300}content=["'](?:locked|metered)["'][^>]{0,300}content_tier"""
    r"""|(?:class|id)=["'][^"']{0,300}\bpaywall""",
    re.I,
)
"""Paywall markup: schema.org's `isAccessibleForFree: false`, `article:content_tier` locked or metered,
an element named paywall. Every repeat is bounded: the page is a stranger's, and an unbounded `[^>]+`
twice in a row is quadratic on a tag that never closes."""

CHALLENGE_MARKUP = re.compile(
    r"cf-chl-|/cdn-cgi/challenge-platform/|_cf_chl_opt|<title>\s*(?:just a moment|attention required|"
    r"ddos-guard|access denied|are you a robot|один момент|проверка браузера)",
    re.I,
)
"""Bot-challenge and access-denied pages (Cloudflare, DDoS-Guard and the like)."""

BLOCKED_STATUSES = frozenset({401, 403, 407, 429, 451})
SIMILAR = 0.9
"""Word-trigram overlap (Jaccard) above which a page counts as the page a made-up address gets."""


@dataclass(frozen=True)
class Page:
    """The readable parts of an HTML (or plain text) page, or of a PDF."""

    raw: str
    title: str
    headings: tuple[str, ...]
    text: str
    """The visible text (scripts and styles left out); a PDF's extracted text."""
    pdf: bool = False
    unreadable: str = ""
    """Why a PDF's text could not be read ("encrypted with a password"); empty when it was."""
    partial: str = ""
    """Why only part of a PDF was read, when so."""
    pages: int = 0

    @classmethod
    def from_pdf(cls, extracted: PdfText) -> Page:
        """A PDF as a page: no markup (so no title, heading or paywall rules), only its text."""
        return cls("", extracted.title, (), extracted.text, True, extracted.problem, extracted.partial, extracted.pages)

    @classmethod
    def parse(cls, raw: str, content_type: str = "text/html") -> Page:
        if "text/plain" in content_type.lower():
            return cls(raw, "", (), raw)
        tree = LexborHTMLParser(raw)
        for node in tree.css("script, style, noscript, template, svg"):
            node.decompose()
        title = tree.css_first("title")
        headings = tuple(node.text(separator=" ") for node in tree.css("h1, h2"))
        root = tree.root
        text = root.text(separator=" ") if root is not None else ""
        return cls(raw, title.text(separator=" ") if title is not None else "", headings, text)

    @cached_property
    def words(self) -> str:
        return _words(self.text)

    @cached_property
    def letters(self) -> str:
        """The visible text's letters and digits only: a quote is found whatever the markup or spacing."""
        return self.words.replace(" ", "")

    @cached_property
    def all_letters(self) -> str:
        """Every letter of the page's source outside tags, scripts included (text some sites render by script)."""
        return _words(html_lib.unescape(re.sub(r"<[^>]*>", " ", self.raw))).replace(" ", "")


def quote_fragments(quote: str) -> list[str]:
    """The parts of a quote to find in order: an ellipsis (…, ..., […]) marks words left out."""
    parts = re.split(r"\[?(?:…|\.\.\.+)\]?", quote)
    return [letters for letters in (_words(part).replace(" ", "") for part in parts) if letters]


def quote_found(quote: str, letters: str) -> bool:
    """Whether the quote's words stand in `letters` (a page's letters), its fragments in order."""
    position = 0
    for fragment in quote_fragments(quote):
        found = letters.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def missing_quotes(page: Page, quotes: Sequence[str]) -> tuple[str, ...]:
    """The quotes the page does not hold, in the visible text or, failing that, anywhere in its source."""
    return tuple(q for q in quotes if not quote_found(q, page.letters) and not quote_found(q, page.all_letters))


def not_found_phrase(page: Page) -> str | None:
    """The "not found" phrase the page's title or headings use, if any (or its text, on a short page)."""
    for text in (page.title, *page.headings):
        words = f" {_words(text)} "
        for phrase in NOT_FOUND_PHRASES:
            if f" {phrase} " in words:
                return phrase
        if " 404 " in words and len(words.split()) <= 8:
            return "404"
    if len(page.words) < 600:
        body = f" {page.words} "
        for phrase in NOT_FOUND_PHRASES:
            if f" {phrase} " in body:
                return phrase
    return None


def paywall_marker(page: Page) -> str | None:
    """What shows the page is behind a paywall, if anything."""
    match = PAYWALL_MARKUP.search(page.raw)
    if match:
        return " ".join(match.group().split())[:60]
    body = f" {page.words} "
    for phrase in PAYWALL_PHRASES:
        if f" {phrase} " in body:
            return phrase
    return None


def is_challenge(page: Page) -> bool:
    return CHALLENGE_MARKUP.search(page.raw[:200_000]) is not None


def site_of(host: str) -> str:
    """The site a host name belongs to: its last two labels (three under a two-letter country's
    `co.`, `com.`, `org.` ...), without `www.`; an IP address is its own site."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return host
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "com", "net", "org", "gov", "edu", "ac"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_address(a: str, b: str) -> bool:
    """Two addresses that differ only in http/https, a `www.`, the default port or a final slash."""

    def key(url: str) -> tuple[str, str, str]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = "" if parts.port in (None, 80, 443) else str(parts.port)
        return f"{host}:{port}", parts.path.rstrip("/") or "/", parts.query

    return key(a) == key(b)


def sibling_url(url: str, token: str) -> str | None:
    """A made-up address next to `url` (its last path segment, or its query values, replaced by
    `token`), for the random-sibling soft-404 test; None for a site's home page."""
    parts = urlsplit(url)
    path = parts.path
    if path.strip("/"):
        trailing = "/" if path.endswith("/") else ""
        folder, _, last = path.rstrip("/").rpartition("/")
        suffix = re.search(r"\.[A-Za-z0-9]{1,5}$", last)
        new_path = f"{folder}/{token}{suffix.group() if suffix else ''}{trailing}"
        return urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))
    if parts.query:
        query = urlencode([(key, token) for key, _ in parse_qsl(parts.query, keep_blank_values=True)])
        return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
    return None


def probe_key(url: str) -> str:
    """Addresses in one folder share one sibling probe (the site answers made-up names there alike)."""
    parts = urlsplit(url)
    folder = parts.path.rstrip("/").rpartition("/")[0] if parts.path.strip("/") else parts.path
    return urlunsplit((parts.scheme, parts.netloc.lower(), folder, "q" if parts.query else "", ""))


def _shingles(words: str) -> set[tuple[str, ...]]:
    tokens = words.split()
    if len(tokens) < 3:
        return {tuple(tokens)}
    return {tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)}


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of the word trigrams of two texts (1.0: the same words in the same order)."""
    first, second = _shingles(a), _shingles(b)
    union = first | second
    return len(first & second) / len(union) if union else 1.0


@dataclass(frozen=True)
class Verdict:
    """What one address is, why, and which quotes it no longer holds."""

    status: LinkStatus
    detail: str
    """The evidence, for messages: "HTTP 404 Not Found", "timed out", "title says 'page not found'"."""
    missing: tuple[str, ...] = ()
    """The quotes given for the address that its page does not hold."""
    quotes_checked: bool = True
    """False when the page could not be read as text (a video, an unreadable PDF), so no quote was looked for."""
    unreadable: str = ""
    """Why the PDF at the address could not be read, or was read only in part without the quote:
    the quote was not checked ("encrypted with a password")."""


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def page_of(fetched: Fetched) -> Page | None:
    """The fetched page's readable parts, when its text was read (a PDF's in a child process, which
    takes a tenth of a second or more: in a coroutine, use `read_page`)."""
    if fetched.pdf or fetched.pdf_problem:
        return Page.from_pdf(read_pdf(fetched.pdf) if fetched.pdf else PdfText(problem=fetched.pdf_problem))
    return Page.parse(fetched.html, fetched.content_type) if fetched.read else None


async def read_page(fetched: Fetched) -> Page | None:
    """`page_of` without holding up the event loop while a PDF is read."""
    if fetched.pdf:
        return await asyncio.to_thread(page_of, fetched)
    return page_of(fetched)


def needs_probe(fetched: Fetched, quotes: Sequence[str], page: Page | None = None) -> bool:
    """Whether the random-sibling test would decide anything: a readable page answered 200 at a
    deep address, and no quote shows it is the right page."""
    page = page or page_of(fetched)
    status = fetched.status
    if page is None or fetched.error_kind or status is None or not 200 <= status < 300 or page.unreadable:
        return False
    if quotes and not missing_quotes(page, quotes):
        return False
    if not page.pdf and (not_found_phrase(page) is not None or is_challenge(page)):
        return False
    return sibling_url(fetched.url, "x") is not None and not _went_home(fetched)


def _went_home(fetched: Fetched) -> bool:
    return bool(urlsplit(fetched.url).path.strip("/")) and not urlsplit(fetched.final_url).path.strip("/")


def soft_404_probe(fetched: Fetched, page: Page, probe: Fetched | None) -> str | None:
    """Why the sibling probe shows the page is what any made-up address gets, if it does."""
    if probe is None or probe.error_kind or probe.status is None or not 200 <= probe.status < 300:
        return None
    if probe.final_url == fetched.final_url and fetched.redirects:
        return f"a made-up address next to it redirects to the same page ({fetched.final_url})"
    if page.pdf or probe.pdf_sha256:  # a PDF is compared by its bytes, and is never parsed twice
        same = bool(probe.pdf_sha256) and probe.pdf_sha256 == fetched.pdf_sha256
        return "a made-up address next to it gets the same PDF" if same else None
    probe_page = page_of(probe)
    if probe_page is None:
        return None
    score = similarity(page.words, probe_page.words)
    if score >= SIMILAR:
        return f"a made-up address next to it gets the same page ({score:.0%} alike)"
    return None


def classify(
    fetched: Fetched, quotes: Sequence[str] = (), probe: Fetched | None = None, page: Page | None = None
) -> Verdict:
    """Exactly one status for a fetched address, from its responses (and the sibling probe's, when
    made); `page` is the fetched page already parsed, if the caller has it."""
    status = fetched.status
    if fetched.error_kind in NO_ANSWER or fetched.error_kind == "redirects" or status is None:
        return Verdict(LinkStatus.DEAD, fetched.error or "no answer")
    page = page or page_of(fetched)
    detail = _status_text(status) + (f" ({fetched.error})" if fetched.error else "")
    if status in BLOCKED_STATUSES or (status >= 400 and page is not None and is_challenge(page)):
        return Verdict(LinkStatus.BLOCKED, detail)
    if status == 402:
        return Verdict(LinkStatus.PAYWALL, detail)
    if status >= 300:
        return Verdict(LinkStatus.DEAD, detail)
    if page is None:
        return _by_address(fetched, Verdict(LinkStatus.OK, fetched.content_type or "no content type", (), not quotes))
    if page.pdf:
        return _pdf_verdict(fetched, status, quotes, probe, page)
    if is_challenge(page):
        return Verdict(LinkStatus.BLOCKED, "a bot-challenge page")
    missing = missing_quotes(page, quotes)
    if not quotes or missing:
        phrase = not_found_phrase(page)
        if phrase is not None:
            return Verdict(LinkStatus.SOFT_404, f"the page says '{phrase}'", missing)
        if _went_home(fetched):
            return Verdict(LinkStatus.SOFT_404, f"redirects to the home page ({fetched.final_url})", missing)
        reason = soft_404_probe(fetched, page, probe)
        if reason is not None:
            return Verdict(LinkStatus.SOFT_404, reason, missing)
    if site_of(urlsplit(fetched.final_url).hostname or "") != site_of(urlsplit(fetched.url).hostname or ""):
        return Verdict(LinkStatus.MOVED_DOMAIN, f"now at {fetched.final_url}", missing)
    if not quotes or missing:
        marker = paywall_marker(page)
        if marker is not None:
            return Verdict(LinkStatus.PAYWALL, f"paywall marker: {marker}", missing)
    if missing:
        return Verdict(LinkStatus.DRIFTED, "the quote is not on the page", missing)
    return _by_address(fetched, Verdict(LinkStatus.OK, _status_text(status)))


def _pdf_verdict(fetched: Fetched, status: int, quotes: Sequence[str], probe: Fetched | None, page: Page) -> Verdict:
    """A PDF that answered 2xx: its text holds the quote or not. The "not found" phrases and paywall
    markers are not looked for (error pages are HTML, and a report may well quote "page not found");
    the sibling probe is, by the PDF's bytes."""
    if page.unreadable:
        detail = f"a PDF that could not be read: {page.unreadable}"
        return _by_address(fetched, Verdict(LinkStatus.OK, detail, (), not quotes, page.unreadable))
    missing = missing_quotes(page, quotes)
    if not quotes or missing:
        reason = soft_404_probe(fetched, page, probe)
        if reason is not None:
            return Verdict(LinkStatus.SOFT_404, reason, missing)
    pages = f"a PDF of {page.pages} page{'s' if page.pages != 1 else ''}"
    if missing and page.partial:
        detail = f"{pages}, read in part ({page.partial}): the quote is not in that part"
        return _by_address(fetched, Verdict(LinkStatus.OK, detail, (), False, f"read in part ({page.partial})"))
    if missing:
        if site_of(urlsplit(fetched.final_url).hostname or "") != site_of(urlsplit(fetched.url).hostname or ""):
            return Verdict(LinkStatus.MOVED_DOMAIN, f"now at {fetched.final_url}", missing)
        return Verdict(LinkStatus.DRIFTED, f"the quote is not in the text of the PDF ({pages})", missing)
    return _by_address(fetched, Verdict(LinkStatus.OK, f"{_status_text(status)}, {pages}"))


def _by_address(fetched: Fetched, verdict: Verdict) -> Verdict:
    """A readable-or-not page that works: moved to another site, moved permanently, or ok."""
    original, final = fetched.url, fetched.final_url
    if site_of(urlsplit(final).hostname or "") != site_of(urlsplit(original).hostname or ""):
        return replace(verdict, status=LinkStatus.MOVED_DOMAIN, detail=f"now at {final}")
    permanent = any(hop.status in PERMANENT_REDIRECTS for hop in fetched.redirects)
    if permanent and not same_address(original, final):
        return replace(verdict, status=LinkStatus.REDIRECT_PERMANENT, detail=f"now at {final}")
    return verdict
