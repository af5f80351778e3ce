"""One page rendered in headless Chromium, with every HTTP exchange the page made, as Chromium saw it.

The exchanges are taken from Chromium's own network stack through the DevTools `Fetch` domain, paused
at the response stage: every request (the page, each redirect hop, every subresource) is held until
its status, headers and body are read, then released unchanged. Playwright's `page.route` would be
simpler but is not faithful here: it does not see the requests a redirect leads to, and it fetches
through its own HTTP client rather than the browser's. What Chromium does not tell us is listed in
`Capture.alterations` and in the capture record.

A PDF is not rendered as a page: Debian's Chromium (new headless) opens it in its built-in PDF viewer,
so the response is 200, the DOM is the viewer's empty shell and the screenshot is the viewer's first
screen. The PDF's own bytes are still the main exchange (the `Fetch` domain holds the response before
the viewer gets it), so `captured_page` reads the text from them (`claimsite.linkcheck.pdftext`) and
says what differs from a rendered page. A Chromium that downloads PDFs instead makes `goto` fail;
that is reported as such.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from claimsite.linkcheck.classify import Page
from claimsite.linkcheck.pdftext import is_pdf, read_pdf

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""The same flags as the browser tests: no background traffic of Chromium's own gets into a capture."""
VIEWPORT = {"width": 1280, "height": 900}
MAX_BODY = 50 * 1024 * 1024
"""Bodies larger than this are left out of the WARC (the record says which)."""


class BrowserError(Exception):
    """Chromium could not be started or could not open the address at all."""


@dataclass(frozen=True)
class Exchange:
    """One request and the response Chromium received for it."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    request_body: bytes
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes
    """As Chromium hands it to the page: decoded when the server sent it compressed."""
    time: dt.datetime
    body_left_out: bool = False


@dataclass
class Capture:
    """What a page was when rendered: the exchanges, the final DOM, a full-page screenshot."""

    url: str
    final_url: str
    status: int | None
    title: str
    dom: str
    screenshot: bytes
    started: dt.datetime
    finished: dt.datetime
    exchanges: list[Exchange] = field(default_factory=list)
    redirects: list[str] = field(default_factory=list)
    """The main request's redirect chain, as `301 https://...` per hop."""
    height: int = 0
    """The page's full height in CSS pixels, as the screenshot shows it."""

    @property
    def main(self) -> Exchange | None:
        """The exchange of the page itself (the final address's GET)."""
        return next((e for e in self.exchanges if e.url == self.final_url and e.method == "GET"), None)

    @property
    def pdf(self) -> bool:
        """The page is a PDF (by its bytes' signature, whatever its Content-Type said)."""
        main = self.main
        kind = next((v for k, v in main.response_headers if k.lower() == "content-type"), "") if main else ""
        return main is not None and is_pdf(kind, main.body)


def captured_page(capture: Capture) -> tuple[Page, list[str]]:
    """The captured page's text as the quote check reads it, and what to note among the alterations:
    for a PDF, its text (read by pypdf in a child process) and that the DOM and screenshot are the viewer's."""
    if not capture.pdf:
        return Page.parse(capture.dom), []
    main = capture.main
    assert main is not None
    extracted = read_pdf(main.body)
    page = Page.from_pdf(extracted)
    notes = [
        f"{capture.final_url}: a PDF ({extracted.pages} pages): Chromium showed it in its PDF viewer, so "
        "screenshot.png is the viewer's first screen, not the whole document, and dom.html is the viewer's "
        "shell; text.txt is the PDF's text, extracted by pypdf (line-end hyphenation joined, ligatures "
        "spelled out); the PDF itself is the page's response in the WARC"
    ]
    if extracted.problem:
        notes.append(f"{capture.final_url}: the PDF's text could not be read ({extracted.problem})")
    if extracted.partial:
        notes.append(f"{capture.final_url}: the PDF's text was read in part ({extracted.partial})")
    return page, notes


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise BrowserError("Chromium is not installed: install Debian's chromium (make browser)")
    return path


def _pairs(headers: Sequence[dict[str, str]] | dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    if isinstance(headers, dict):
        return tuple((str(k), str(v)) for k, v in headers.items())
    return tuple((str(h["name"]), str(h["value"])) for h in headers)


class Browser:
    """A headless Chromium (Debian's, driven by Playwright) for capturing pages one after another."""

    def __init__(self, timeout: float = 30.0) -> None:
        from playwright.sync_api import sync_playwright

        self.timeout_ms = timeout * 1000
        self._playwright = sync_playwright().start()
        playwright = self._playwright
        try:
            self._browser = playwright.chromium.launch(
                executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS)
            )
        except Exception as error:
            self._playwright.stop()
            raise BrowserError(f"Chromium did not start: {error}") from None
        self.version = self._browser.version
        self.playwright_version = _playwright_version()

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def capture(self, url: str) -> Capture:
        """Open `url` in a fresh context (no cookies, no cache, no service workers), wait for the load
        event and for the network to go quiet, and take the DOM and a full-page screenshot."""
        from playwright.sync_api import Error as PlaywrightError

        context = self._browser.new_context(
            viewport=VIEWPORT,  # type: ignore[arg-type]
            device_scale_factor=1,
            service_workers="block",
            accept_downloads=False,
        )
        try:
            page = context.new_page()
            page.set_default_timeout(self.timeout_ms)
            cdp = context.new_cdp_session(page)
            exchanges: list[Exchange] = []

            def paused(event: dict[str, Any]) -> None:
                request = event["request"]
                status = event.get("responseStatusCode")
                body, left_out = b"", False
                if status is not None and not 300 <= status < 400:
                    try:
                        answer = cdp.send("Fetch.getResponseBody", {"requestId": event["requestId"]})
                        raw = answer["body"]
                        body = base64.b64decode(raw) if answer["base64Encoded"] else raw.encode("utf-8")
                    except PlaywrightError:
                        left_out = True
                    if len(body) > MAX_BODY:
                        body, left_out = b"", True
                if status is not None:
                    exchanges.append(
                        Exchange(
                            method=request["method"],
                            url=request["url"],
                            request_headers=_pairs(request.get("headers")),
                            request_body=str(request.get("postData", "")).encode("utf-8"),
                            status=int(status),
                            reason=str(event.get("responseStatusText", "")),
                            response_headers=_pairs(event.get("responseHeaders")),
                            body=body,
                            time=dt.datetime.now(dt.UTC),
                            body_left_out=left_out,
                        )
                    )
                # the page may have gone away (navigation, closed context) while the request was held
                with contextlib.suppress(PlaywrightError):
                    cdp.send("Fetch.continueRequest", {"requestId": event["requestId"]})

            cdp.on("Fetch.requestPaused", paused)
            cdp.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Response"}]})
            started = dt.datetime.now(dt.UTC)
            try:
                response = page.goto(url, wait_until="load")
            except PlaywrightError as error:
                first = str(error).splitlines()[0]
                if "Download is starting" in first:
                    first = "Chromium downloaded it instead of showing it (a PDF or another file)"
                raise BrowserError(f"the page did not open: {first}") from None
            # a page that keeps polling never goes quiet; what loaded by then is the capture
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state("networkidle", timeout=min(self.timeout_ms, 10_000))
            height = int(
                page.evaluate(
                    "Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
                )
            )
            screenshot = page.screenshot(full_page=True, type="png", animations="disabled")
            dom = page.content()
            title = page.title()
            finished = dt.datetime.now(dt.UTC)
            redirects: list[str] = []
            if response is not None:
                hop = response.request.redirected_from
                while hop is not None:
                    answered = hop.response()
                    redirects.insert(0, f"{answered.status if answered else '?'} {hop.url}")
                    hop = hop.redirected_from
            return Capture(
                url=url,
                final_url=page.url,
                status=response.status if response is not None else None,
                title=title,
                dom=dom,
                screenshot=screenshot,
                started=started,
                finished=finished,
                exchanges=exchanges,
                redirects=redirects,
                height=height,
            )
        finally:
            context.close()


def _playwright_version() -> str:
    from importlib.metadata import version

    return version("playwright")
