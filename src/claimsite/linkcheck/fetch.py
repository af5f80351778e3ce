"""Fetching addresses politely, and recording what came back.

Politeness, per host (scheme, name and port): at most `per_host` requests at once and one new request
every `host_interval` seconds; at most `total` requests at once overall. HEAD first, GET when HEAD
fails (many servers mishandle it) or when the page's text is needed (HTML and plain text, and PDFs:
their body is kept as bytes, up to `max_pdf`, and read by `claimsite.linkcheck.pdftext`). Redirects
are followed by hand, so every hop is recorded and waits its turn at its own host. Timeouts, refused
connections, 429 and 5xx are tried again (`tries` in all) after an exponential backoff with jitter;
a `Retry-After` header pauses the whole host for as long as it asks, up to `max_retry_after`.

What a fetch found is a `Fetched` value; `claimsite.linkcheck.classify` judges it without the network.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin, urlsplit

import aiohttp

from claimsite import __version__
from claimsite.linkcheck.pdftext import MAYBE_PDF_TYPES, PDF_TYPES, is_pdf, looks_like_html

USER_AGENT = f"claimsite/{__version__} (sources check; read-only link health)"
"""Who is asking: the tool and what it does, never a browser's name."""

TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/json")
"""Content types whose text the checker reads (for the quote, soft-404 and paywall checks; JSON for
the Wayback availability API)."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})

ErrorKind = Literal["", "timeout", "dns", "connect", "broken", "tls", "redirects", "invalid", "wait"]
NO_ANSWER: frozenset[str] = frozenset({"timeout", "dns", "connect", "broken", "tls", "invalid"})
"""Failures of the last request with no HTTP answer to it."""
NETWORK_ERRORS: frozenset[str] = frozenset({"timeout", "dns", "connect"})
"""Failures that also happen when this machine has no network: if every address fails so, nothing is recorded."""
NO_GET_AFTER = frozenset({"timeout", "dns", "connect", "tls", "invalid", "wait"})
"""HEAD failures that GET would repeat (only later), so it is not tried."""

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how patiently addresses are fetched."""

    per_host: int = 2
    """Requests at once to one host (scheme, name and port)."""
    total: int = 8
    """Requests at once overall."""
    host_interval: float = 0.25
    """Seconds between the starts of two requests to one host: at most 4 new requests a second each."""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    """Seconds without a byte from the server before a request is given up."""
    tries: int = 3
    """Attempts per request, the first included."""
    backoff: float = 1.0
    """Seconds before the second attempt; doubled for each further one, plus up to as much again at random."""
    max_retry_after: float = 120.0
    """The longest `Retry-After` honoured; a server asking for more is given up on this run."""
    max_redirects: int = 10
    max_body: int = 5_000_000
    """Bytes of a page read at most (its text is what the checks need)."""
    max_pdf: int = 30_000_000
    """Bytes of a PDF read at most; a larger one is not read (a cut PDF cannot be parsed)."""
    user_agent: str = USER_AGENT


DEFAULT_SETTINGS = FetchSettings()


@dataclass(frozen=True)
class Hop:
    """One response on the way: the method, the address asked and the status (with `Location` for a redirect)."""

    method: str
    url: str
    status: int
    location: str = ""


@dataclass(frozen=True)
class Fetched:
    """Everything fetching one address gave: the responses in order, and the final one's headers and text."""

    url: str
    hops: tuple[Hop, ...] = ()
    """Every response in order: HEAD's, then GET's (redirects, then the final one)."""
    error: str = ""
    """Why the fetch ended without a usable page ("timed out", "asked to wait 3600 s", ...)."""
    error_kind: ErrorKind = ""
    content_type: str = ""
    length: int | None = None
    etag: str = ""
    last_modified: str = ""
    html: str = ""
    """The final page's text as sent (decoded), when it was read."""
    read: bool = False
    """The page was downloaded (GET of a text type), so `html` is its text."""
    pdf: bytes = b""
    """The final response's body when it is a PDF (by its signature, whatever its header says)."""
    pdf_problem: str = ""
    """Why a body that should be a PDF was not kept ("larger than 30 MB", "not a PDF")."""
    pdf_sha256: str = ""
    """The PDF's SHA-256 (kept when the bytes are let go, for the sibling probe's comparison)."""
    attempts: int = 0
    """Requests made, retries and redirects included."""

    @property
    def status(self) -> int | None:
        """The status of the last response, or None when no server answered the last request."""
        if not self.hops or self.error_kind in NO_ANSWER:
            return None
        return self.hops[-1].status

    @property
    def final_url(self) -> str:
        return self.hops[-1].url if self.hops else self.url

    @property
    def redirects(self) -> tuple[Hop, ...]:
        """The redirects on the way (of HEAD and of GET)."""
        return tuple(hop for hop in self.hops if hop.status in REDIRECT_STATUSES)


@dataclass
class _Host:
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    """No request to the host starts before this time (of the fetcher's clock)."""


@dataclass(frozen=True)
class _Answer:
    hop: Hop
    headers: dict[str, str]
    body: bytes = b""
    read: bool = False
    pdf: bool = False
    pdf_problem: str = ""


class _Failed(Exception):
    """A request that got no HTTP answer."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind


@dataclass(frozen=True)
class _Outcome:
    """A request after its retries: the last answer, or the last failure (with the answer it came with)."""

    tries: int
    answer: _Answer | None = None
    kind: ErrorKind = ""
    message: str = ""


def host_key(url: str) -> str:
    """The host politeness applies to: scheme, name and port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait (a number or an HTTP date), or None without one."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def wants_text(content_type: str) -> bool:
    """Whether the checks read a page of this type (an unknown type is read too)."""
    kind = content_type.split(";")[0].strip().lower()
    return not kind or kind in TEXT_TYPES


def wants_body(content_type: str) -> bool:
    """Whether a GET reads the body: text the checks read, or what may be a PDF."""
    return wants_text(content_type) or content_type.split(";")[0].strip().lower() in MAYBE_PDF_TYPES


def decode(body: bytes, content_type: str) -> str:
    """A page's text: in the charset its header names, else the one its `<meta>` names, else UTF-8."""
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I) or re.search(
        rb"<meta[^>]+charset=[\"']?([\w.:-]+)", body[:4096], re.I
    )
    charset = match.group(1) if match else "utf-8"
    name = charset.decode("ascii", "replace") if isinstance(charset, bytes) else charset
    try:
        return body.decode(name, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


async def _read_capped(response: aiohttp.ClientResponse, limit: int) -> bytes:
    """The body, up to `limit` bytes (decompressed): enough for the checks, and memory stays bounded."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await response.content.read(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


class Fetcher:
    """Fetches addresses within the politeness limits; one per run (it holds the HTTP session)."""

    def __init__(
        self,
        settings: FetchSettings = DEFAULT_SETTINGS,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.clock, self.sleep = clock, sleep
        self.rng = rng or random.Random()
        self._hosts: dict[str, _Host] = {}
        self._total = asyncio.Semaphore(settings.total)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(limit=self.settings.total, limit_per_host=self.settings.per_host)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
            cookie_jar=aiohttp.DummyCookieJar(),  # no state carried between addresses
            auto_decompress=True,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.settings.per_host))
        return self._hosts[key]

    def pause(self, url: str, seconds: float) -> None:
        """Start no request to the host of `url` for `seconds` (what `Retry-After` asks)."""
        host = self._host(url)
        host.next_start = max(host.next_start, self.clock() + seconds)

    async def fetch(self, url: str) -> Fetched:
        """HEAD the address, then GET it when HEAD failed or the page is text the checks read."""
        head = await self._follow(url, "HEAD")
        if head.error_kind in NO_GET_AFTER:
            return head  # GET would fail the same way, only later
        if head.error_kind == "" and head.status is not None and 200 <= head.status < 300:
            if not wants_body(head.content_type):
                return head  # an image, a video: its status is all the checks use
            return await self._follow(head.final_url, "GET", after=head)
        return await self._follow(url, "GET", after=head)

    async def probe(self, url: str) -> Fetched:
        """GET an address without HEAD first (a made-up one for the soft-404 test, an API)."""
        return await self._follow(url, "GET")

    async def _follow(self, url: str, method: str, *, after: Fetched | None = None) -> Fetched:
        """Request `url` and the redirects it leads to; `after` is the HEAD fetch this GET follows."""
        origin = after.url if after else url
        hops: list[Hop] = list(after.hops) if after else []
        attempts = after.attempts if after else 0
        current, seen = url, {url}
        for _ in range(self.settings.max_redirects + 1):
            outcome = await self._request(method, current)
            attempts += outcome.tries
            answer = outcome.answer
            if answer is None:
                return Fetched(origin, tuple(hops), outcome.message, outcome.kind, attempts=attempts)
            hops.append(answer.hop)
            if outcome.kind == "" and answer.hop.status in REDIRECT_STATUSES and answer.hop.location:
                current = urljoin(current, answer.hop.location)
                if urlsplit(current).scheme not in ("http", "https"):
                    return Fetched(origin, tuple(hops), "redirected to a non-web address", "invalid", attempts=attempts)
                if current in seen:
                    return Fetched(origin, tuple(hops), "redirect loop", "redirects", attempts=attempts)
                seen.add(current)
                continue
            headers = answer.headers
            length = headers.get("content-length", "")
            return Fetched(
                origin,
                tuple(hops),
                outcome.message,
                outcome.kind,
                content_type=headers.get("content-type", ""),
                length=int(length) if length.isdigit() else None,
                etag=headers.get("etag", ""),
                last_modified=headers.get("last-modified", ""),
                html=decode(answer.body, headers.get("content-type", "")) if answer.read else "",
                read=answer.read,
                pdf=answer.body if answer.pdf else b"",
                pdf_sha256=hashlib.sha256(answer.body).hexdigest() if answer.pdf and answer.body else "",
                pdf_problem=answer.pdf_problem,
                attempts=attempts,
            )
        message = f"more than {self.settings.max_redirects} redirects"
        return Fetched(origin, tuple(hops), message, "redirects", attempts=attempts)

    async def _request(self, method: str, url: str) -> _Outcome:
        """One request with its retries: 429, 5xx and failures without an answer are tried again."""
        settings = self.settings
        outcome = _Outcome(0)
        for attempt in range(1, settings.tries + 1):
            try:
                answer = await self._once(method, url)
            except _Failed as failure:
                outcome = _Outcome(attempt, kind=failure.kind, message=str(failure))
                if failure.kind in ("tls", "invalid"):
                    return outcome
                delay = self._backoff(attempt)
            else:
                status = answer.hop.status
                outcome = _Outcome(attempt, answer)
                if status not in RETRY_STATUSES:
                    return outcome
                asked = retry_after(answer.headers.get("retry-after"))
                if asked is not None and asked > settings.max_retry_after:
                    return _Outcome(attempt, answer, "wait", f"asked to wait {asked:.0f} s")
                if asked is not None:
                    self.pause(url, asked)  # the whole host waits, not only this request
                    delay = 0.0
                else:
                    delay = self._backoff(attempt)
            if attempt < settings.tries and delay > 0:
                await self.sleep(delay)
        return outcome

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff * 2.0 ** (attempt - 1)
        return base + self.rng.uniform(0, base)

    async def _once(self, method: str, url: str) -> _Answer:
        """One request, when its host has a free slot and its turn has come, and a global slot is free.

        The host's lock is held while waiting for the turn and for the global slot, so the starts on
        one host are `host_interval` apart as sent, not only as planned; a global slot is held only
        while the request runs, never while a host waits (a `Retry-After` pause stalls that host alone).
        """
        host = self._host(url)
        async with host.slots:
            async with host.lock:
                while True:
                    wait = host.next_start - self.clock()
                    if wait > 0:
                        await self.sleep(wait)
                        continue
                    await self._total.acquire()
                    if host.next_start <= self.clock():
                        break
                    self._total.release()  # the host was paused meanwhile
                host.next_start = self.clock() + self.settings.host_interval
            try:
                return await self._send(method, url)
            finally:
                self._total.release()

    async def _body(self, response: aiohttp.ClientResponse, hop: Hop, headers: dict[str, str]) -> _Answer:
        """Read the body a GET needs: text up to `max_body`, a PDF (by its first bytes) up to `max_pdf`."""
        settings = self.settings
        content_type = headers.get("content-type", "")
        declared_pdf = content_type.split(";")[0].strip().lower() in PDF_TYPES
        length = headers.get("content-length", "")
        if declared_pdf and length.isdigit() and int(length) > settings.max_pdf:
            return _Answer(
                hop, headers, pdf=True, pdf_problem=f"larger than {settings.max_pdf // 1_000_000} MB, not read"
            )
        head = await _read_capped(response, 1024)
        if is_pdf(content_type, head):
            rest = await _read_capped(response, settings.max_pdf + 1 - len(head)) if len(head) == 1024 else b""
            body = head + rest
            if len(body) > settings.max_pdf:
                return _Answer(
                    hop, headers, pdf=True, pdf_problem=f"larger than {settings.max_pdf // 1_000_000} MB, not read"
                )
            return _Answer(hop, headers, body, pdf=True)
        if wants_text(content_type) or looks_like_html(head):
            rest = await _read_capped(response, settings.max_body - len(head)) if len(head) == 1024 else b""
            return _Answer(hop, headers, (head + rest)[: settings.max_body], read=True)
        if declared_pdf:
            return _Answer(hop, headers, pdf=True, pdf_problem="not a PDF (no %PDF- signature), though sent as one")
        return _Answer(hop, headers)  # binary, and not a PDF: its status is all the checks use

    async def _send(self, method: str, url: str) -> _Answer:
        assert self._session is not None, "use the Fetcher in `async with`"
        settings = self.settings
        timeout = aiohttp.ClientTimeout(
            total=settings.connect_timeout + 2 * settings.read_timeout,  # a server trickling bytes ends too
            sock_connect=settings.connect_timeout,
            sock_read=settings.read_timeout,
        )
        try:
            async with self._session.request(method, url, allow_redirects=False, timeout=timeout) as response:
                headers = {key.lower(): value for key, value in response.headers.items()}
                hop = Hop(method, url, response.status, headers.get("location", ""))
                if method != "GET" or not wants_body(headers.get("content-type", "")):
                    return _Answer(hop, headers)
                return await self._body(response, hop, headers)
        except TimeoutError:
            raise _Failed("timeout", "timed out") from None
        except aiohttp.ClientConnectorDNSError as error:
            raise _Failed("dns", f"name not resolved ({error.host})") from None
        except aiohttp.ClientConnectorCertificateError as error:
            raise _Failed("tls", f"TLS certificate refused ({error.certificate_error})") from None
        except aiohttp.ClientSSLError as error:
            raise _Failed("tls", f"TLS failed ({error})") from None
        except aiohttp.ClientConnectorError as error:
            raise _Failed("connect", f"connection failed ({error.os_error.strerror or error})") from None
        except aiohttp.InvalidURL:
            raise _Failed("invalid", "not a valid address") from None
        except (aiohttp.ClientError, ValueError) as error:
            raise _Failed("broken", f"the server broke off ({type(error).__name__})") from None
