"""`claimsite sources check`: every class of address served on 127.0.0.1, politeness counted in the
server, the two-runs-a-day-apart rule with an injected clock, the patch applied by git, the CLI formats.

Nothing here reaches the internet, sleeps for real or asserts a duration: the fetcher's clock and
sleep are fake (a sleep only moves the fake clock), and the server counts what it was asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import random
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import CliRunner
from pdfmake import encrypted, make_pdf

from claimsite.catalog import Catalog
from claimsite.cli import main
from claimsite.linkcheck.check import LinkReport, run_check
from claimsite.linkcheck.classify import (
    Page,
    classify,
    not_found_phrase,
    quote_found,
    sibling_url,
    site_of,
)
from claimsite.linkcheck.fetch import Fetched, Fetcher, FetchSettings, Hop, retry_after
from claimsite.linkcheck.patch import Edit, apply_edits, make_patch
from claimsite.linkstate import LinkState
from claimsite.problems import Severity
from claimsite.project import load_project
from claimsite.render import Site, render_link_health
from claimsite.rules import RULES, Scope
from claimsite.vocab import LinkStatus

QUOTE = "As the president said, if one rushes at you, use weapons"
ARTICLE = """<!doctype html><html><head><title>Leak: a senior officer speaks</title></head><body>
<h1>Leak: a senior officer speaks</h1>
<p>In the recording he says: “As the <b>president</b> said —
if one rushes at you, use&nbsp;weapons.”</p><p>{extra}</p>
<script>var hidden = "not text";</script></body></html>"""
RU_QUOTE = "Всё, что ёмко сказано"
RU_ARTICLE = (
    "<html><head><meta charset=windows-1251><title>Новости</title></head>"
    "<body><p>ВСЕ, ЧТО ЕМКО СКАЗАНО.</p></body></html>"
)
HOME = "<html><head><title>Example News</title></head><body><h1>Example News</h1><p>Headlines.</p></body></html>"
GENERIC = (
    "<html><head><title>Example News</title></head><body><h1>Welcome</h1><p>"
    + " ".join(f"headline{i} story about the day" for i in range(40))
    + "</p></body></html>"
)
PAYWALL = """<html><head><title>Exclusive</title><script type="application/ld+json">
{"@type": "NewsArticle", "isAccessibleForFree": false}</script></head>
<body><h1>Exclusive</h1><p>The first lines of the story, and then nothing.</p></body></html>"""
CHALLENGE = """<html><head><title>Just a moment...</title></head><body>
<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1"></script></body></html>"""
SHELL = "<html><head><title>X</title></head><body><p>JavaScript is not available.</p></body></html>"
REPORT = make_pdf(f"Annex II. In the recording he says: “{QUOTE}.” The mission notes the statement.", width="5cm")
"""A report as a PDF holding the quote (hyphenated at line ends in its narrow column)."""
CHANGED_REPORT = make_pdf("Annex II, revised. The statement was removed from this edition of the report.")
NOT_FOUND_REPORT = make_pdf("Page not found: what the blocked sites showed. Error 404 pages of news sites.")
LOCKED_REPORT = encrypted(REPORT, user="secret")
PDFS: dict[str, tuple[str, bytes]] = {
    "/reports/ok.pdf": ("application/pdf", REPORT),
    "/reports/octet": ("application/octet-stream", REPORT),  # servers lie: the bytes decide
    "/reports/as-html": ("text/html", REPORT),
    "/reports/changed.pdf": ("application/pdf", CHANGED_REPORT),
    "/reports/not-found-words.pdf": ("application/pdf", NOT_FOUND_REPORT),
    "/reports/locked.pdf": ("application/pdf", LOCKED_REPORT),
    "/reports/broken.pdf": ("application/pdf", b"%PDF-1.4\n%%EOF\n"),
    "/reports/login.pdf": ("application/pdf", b"<!doctype html><title>Page not found</title><h1>Page not found</h1>"),
}


class LinkServer:
    """An HTTP server on 127.0.0.1 in its own thread, with a route for every class of address.

    It answers to two host names, 127.0.0.1 and localhost (two hosts for the politeness limits and
    for "moved to another site"), logs every request and counts the requests each host has open."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, str]] = []
        self.events: list[str] = []
        self.active: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.peak_total = 0
        self.port = 0
        self._release: asyncio.Event | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)

    async def _start(self) -> None:
        self._release = asyncio.Event()
        app = web.Application(middlewares=[self._count])
        app.router.add_route("*", "/{tail:.*}", self._route)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def stop(self) -> None:
        async def stop() -> None:
            assert self._release is not None
            self._release.set()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def requests(self, path: str, method: str | None = None) -> int:
        return sum(1 for m, _, p in self.log if p == path and method in (None, m))

    @web.middleware
    async def _count(self, request: web.Request, handler: object) -> web.StreamResponse:
        host = request.host.split(":")[0]
        self.log.append((request.method, host, request.path_qs))
        self.events.append(f"{request.method} {request.path_qs}")
        if not request.path.startswith("/load/"):  # concurrency is counted on the pages made for it
            return await handler(request)  # type: ignore[operator, no-any-return]
        self.active[host] += 1
        self.peak[host] = max(self.peak[host], self.active[host])
        self.peak_total = max(self.peak_total, sum(self.active.values()))
        try:
            return await handler(request)  # type: ignore[operator, no-any-return]
        finally:
            self.active[host] -= 1

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path, host, method = request.path_qs, request.host.split(":")[0], request.method

        def page(text: str, status: int = 200, content_type: str = "text/html") -> web.Response:
            return web.Response(text=text, status=status, content_type=content_type)

        def redirect(status: int, location: str) -> web.Response:
            return web.Response(status=status, headers={"Location": location})

        if path == "/":
            return page(HOME)
        if path == "/ok" or path == "/articles/ok-new" or path.startswith("/load/"):
            if path.startswith("/load/"):
                await asyncio.sleep(0.02)
            return page(ARTICLE.format(extra=path))
        if request.path == "/landing" and host == "localhost":
            return page(ARTICLE.format(extra="landing"))
        if path == "/ru/ok":
            return web.Response(body=RU_ARTICLE.encode("cp1251"), content_type="text/html")
        if path == "/chain":
            return redirect(301, "/chain/2")
        if path == "/chain/2":
            return redirect(308, "/articles/ok-new")
        if path == "/temporary":
            return redirect(302, "/ok")
        if path == "/moved":
            return redirect(301, self.url("/landing", "localhost"))
        if path == "/moved-evil":  # a stranger's server names any address it likes
            return redirect(301, self.url("/landing?\u2067x", "localhost"))
        if path == "/gone":
            return page("<h1>Gone</h1>", 404)
        if path == "/removed":
            return page("<h1>Removed</h1>", 410)
        if path.startswith("/soft/"):
            if path == "/soft/en/story":
                return page("<html><head><title>Page not found – Example News</title></head><body>x</body></html>")
            if path == "/soft/ru/story":
                return page(f"<html><body><h1>Страница не найдена</h1>{GENERIC}</body></html>")
            if path == "/soft/be/story":
                return page(f"<html><body><h1>Старонка не знойдзена</h1>{GENERIC}</body></html>")
            return page("<h1>Not here</h1>", 404)
        if path.startswith("/any/"):
            return page(GENERIC)  # every name gets the same page
        if path == "/deep/story":
            return redirect(301, "/")
        if path == "/forbidden":
            return page("no", 403)
        if path == "/legal":
            return page("unavailable for legal reasons", 451)
        if path == "/challenge":
            return page(CHALLENGE, 503)
        if path == "/paywalled":
            return page(PAYWALL)
        if path == "/news/changed":
            return page(ARTICLE.replace("president", "minister").format(extra="changed"))
        if path.startswith("/busy/"):  # a 429 asking for a second's pause, then the page
            if self.requests(path) == 1:
                return web.Response(status=429, headers={"Retry-After": "1"})
            return page(ARTICLE.format(extra="busy"))
        if path == "/busy-long":
            return web.Response(status=429, headers={"Retry-After": "3600"})
        if path == "/slow":
            assert self._release is not None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), 10)
            return page(ARTICLE.format(extra="slow"))
        if path == "/no-head":
            return page("", 405) if method == "HEAD" else page(ARTICLE.format(extra="no-head"))
        if path in PDFS:
            kind, body = PDFS[path]
            return web.Response(body=body, content_type=kind)
        if path.startswith("/any-pdf/"):
            return web.Response(body=REPORT, content_type="application/pdf")  # every name gets the same PDF
        if path == "/photo.jpg":
            return web.Response(body=b"\xff\xd8\xff\xe0 not really a photo", content_type="image/jpeg")
        if path.startswith("/web/") and path.endswith(".pdf"):
            return web.Response(body=REPORT if "ok" in path else LOCKED_REPORT, content_type="application/pdf")
        if request.path == "/wayback/available":  # the availability API: a capture for dead pages only
            wanted = request.query.get("url", "")
            closest = {"available": True, "status": "200", "timestamp": "20210301000000"}
            closest["url"] = self.url(f"/web/20210301000000/{wanted}")
            found = {"closest": closest} if "/gone" in wanted else {}
            return web.json_response({"url": wanted, "archived_snapshots": found})
        if path.startswith("/web/20210115123456/"):
            return redirect(302, path.replace("20210115123456", "20210116101010"))
        if path.startswith("/web/") and path.endswith("/shell"):
            return page(SHELL)
        if path.startswith("/web/"):
            return page(ARTICLE.format(extra="archived"))
        return page("<h1>Not found</h1>", 404)


@pytest.fixture(scope="module")
def server() -> Iterator[LinkServer]:
    running = LinkServer()
    running.start()
    yield running
    running.stop()


class FakeTime:
    """A clock that only a sleep moves: waits are recorded, never waited."""

    def __init__(self, events: list[str] | None = None) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.events = events if events is not None else []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.events.append(f"sleep {seconds:g}")
        self.now += seconds
        await asyncio.sleep(0)


TEST_SETTINGS = FetchSettings(read_timeout=0.3, connect_timeout=2, tries=2, backoff=0.5)
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def claim_file(folder: Path, name: str, *sources: dict[str, str]) -> Path:
    """A claim with the given sources, written the way a contributor writes one."""
    lines = [
        f"title: Claim {name}",
        f"statement: What the sources of {name} say.",
        "status: alleged",
        "status_reason: One source so far.",
        "sources:",
    ]
    for number, source in enumerate(sources, 1):
        lines += [f"  - id: s{number}", f"    url: {source['url']}", "    title: A source  # as published"]
        lines += ["    publisher: Example News", "    language: en", "    kind: news", "    relation: supports"]
        lines += [f"    origin: origin-{name}-{number}"]
        for key in ("archive_url", "quote"):
            if key in source:
                value = json.dumps(source[key], ensure_ascii=False) if key == "quote" else source[key]
                lines.append(f"    {key}: {value}")
    lines += ["history:", "  - {date: 2021-01-15, status: alleged}", ""]
    path = folder / f"{name}.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


EXPECTED: dict[str, tuple[str, LinkStatus]] = {
    # name: (path on 127.0.0.1, expected status); quotes are given where the name says so
    "ok": ("/ok", LinkStatus.OK),
    "ru-ok": ("/ru/ok", LinkStatus.OK),
    "temporary": ("/temporary", LinkStatus.OK),
    "no-head": ("/no-head", LinkStatus.OK),
    "pdf": ("/reports/ok.pdf", LinkStatus.OK),
    "pdf-octet": ("/reports/octet", LinkStatus.OK),
    "pdf-as-html": ("/reports/as-html", LinkStatus.OK),
    "pdf-drifted": ("/reports/changed.pdf", LinkStatus.DRIFTED),
    "pdf-not-found-words": ("/reports/not-found-words.pdf", LinkStatus.DRIFTED),
    "pdf-locked": ("/reports/locked.pdf", LinkStatus.OK),
    "pdf-broken": ("/reports/broken.pdf", LinkStatus.OK),
    "pdf-login": ("/reports/login.pdf", LinkStatus.SOFT_404),
    "pdf-probe": ("/any-pdf/report.pdf", LinkStatus.SOFT_404),
    "photo": ("/photo.jpg", LinkStatus.OK),
    "busy": ("/busy/run", LinkStatus.OK),
    "chain": ("/chain", LinkStatus.REDIRECT_PERMANENT),
    "moved": ("/moved", LinkStatus.MOVED_DOMAIN),
    "gone": ("/gone", LinkStatus.DEAD),
    "removed": ("/removed", LinkStatus.DEAD),
    "slow": ("/slow", LinkStatus.DEAD),
    "soft-en": ("/soft/en/story", LinkStatus.SOFT_404),
    "soft-ru": ("/soft/ru/story", LinkStatus.SOFT_404),
    "soft-be": ("/soft/be/story", LinkStatus.SOFT_404),
    "soft-probe": ("/any/real-story", LinkStatus.SOFT_404),
    "soft-home": ("/deep/story", LinkStatus.SOFT_404),
    "forbidden": ("/forbidden", LinkStatus.BLOCKED),
    "legal": ("/legal", LinkStatus.BLOCKED),
    "challenge": ("/challenge", LinkStatus.BLOCKED),
    "paywall": ("/paywalled", LinkStatus.PAYWALL),
    "drifted": ("/news/changed", LinkStatus.DRIFTED),
}
WITH_QUOTE = {"ok", "temporary", "no-head", "pdf", "busy", "chain", "moved", "drifted", "paywall", "soft-probe"}
WITH_QUOTE |= {"pdf-octet", "pdf-as-html", "pdf-drifted", "pdf-not-found-words", "pdf-locked", "pdf-broken"}


def write_claims(folder: Path, server: LinkServer) -> dict[str, str]:
    """One claim per class (and one source with archived copies); returns name -> address."""
    folder.mkdir(parents=True, exist_ok=True)
    urls = {}
    for name, (path, _) in EXPECTED.items():
        source = {"url": server.url(path)}
        if name in WITH_QUOTE:
            source["quote"] = QUOTE
        if name == "ru-ok":
            source["quote"] = RU_QUOTE
        urls[name] = source["url"]
        claim_file(folder, name, source)
    return urls


def run(project_dir: Path, state: LinkState, now: dt.datetime, **settings: object) -> LinkReport:
    project = load_project([project_dir])  # paths as the working folder sees them, as the command has them
    assert not project.errors(), project.errors()
    fake = FakeTime()
    fetcher = Fetcher(FetchSettings(**{**TEST_SETTINGS.__dict__, **settings}), clock=fake.clock, sleep=fake.sleep)
    return asyncio.run(run_check(project, state, now=now, fetcher=fetcher, rng=random.Random(7)))


# --------------------------------------------------------------------------- every class


@pytest.fixture(scope="module")
def first_run(server: LinkServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[LinkReport, dict[str, str]]:
    folder = tmp_path_factory.mktemp("classes") / "claims"
    urls = write_claims(folder, server)
    return run(folder, LinkState(), T0), urls


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_address_gets_exactly_its_class(first_run: tuple[LinkReport, dict[str, str]], name: str) -> None:
    report, urls = first_run
    verdict = report.checked[urls[name]].verdict
    assert verdict.status is EXPECTED[name][1], verdict


def test_every_address_is_classified(first_run: tuple[LinkReport, dict[str, str]]) -> None:
    report, urls = first_run
    assert set(report.checked) == set(urls.values())
    assert sum(report.counts().values()) == len(EXPECTED)


def test_redirect_chains_are_recorded(first_run: tuple[LinkReport, dict[str, str]], server: LinkServer) -> None:
    report, urls = first_run
    chain = report.entries[urls["chain"]]
    assert chain.final_url == server.url("/articles/ok-new")
    assert [hop.split()[0] for hop in chain.redirects] == ["301", "308", "301", "308"][: len(chain.redirects)]
    assert chain.redirects[0] == f"301 {server.url('/chain')}"
    assert report.entries[urls["moved"]].final_url == server.url("/landing", "localhost")


def test_head_first_then_get_only_when_needed(first_run: tuple[LinkReport, dict[str, str]], server: LinkServer) -> None:
    assert server.requests("/photo.jpg", "HEAD") == 1
    assert server.requests("/photo.jpg", "GET") == 0  # an image's status is all the checks use
    assert server.requests("/reports/ok.pdf", "GET") == 1  # a PDF's text holds the quote
    assert server.requests("/no-head", "HEAD") == 1  # 405: not tried again
    assert server.requests("/no-head", "GET") == 1


def test_soft_404_probe_is_made_once_per_folder(
    first_run: tuple[LinkReport, dict[str, str]], server: LinkServer
) -> None:
    probes = [path for method, _, path in server.log if path.startswith("/any/") and path != "/any/real-story"]
    assert len(probes) == 1
    made_up = [path for _, _, path in server.log if re.fullmatch(r"/[0-9a-f]{12}", path)]
    assert len(made_up) == 1  # one for the folder / (the paywalled page lacks its quote), none for each page


def test_timeouts_are_tried_again_then_reported(
    first_run: tuple[LinkReport, dict[str, str]], server: LinkServer
) -> None:
    report, urls = first_run
    assert report.checked[urls["slow"]].verdict.detail == "timed out"
    assert server.requests("/slow", "HEAD") == TEST_SETTINGS.tries
    assert server.requests("/slow", "GET") == 0  # GET would time out the same way


def test_cyrillic_quote_matches_whatever_the_case_and_diacritics() -> None:
    page = Page.parse("<p>Всё, что ЁМКО сказано — и точка</p>")
    assert quote_found("все что емко сказано", page.letters)
    assert quote_found("Всё, что … сказано", page.letters)  # an ellipsis marks words left out
    assert not quote_found("сказано, что всё", page.letters)  # fragments keep their order


def test_not_found_phrases_in_three_languages() -> None:
    for heading in ("Page not found", "Страница не найдена", "Старонка не знойдзена", "Ошибка 404"):
        assert not_found_phrase(Page.parse(f"<h1>{heading}</h1>")) is not None, heading
    assert not_found_phrase(Page.parse("<h1>Body not found in the river, police say</h1>")) is None


def test_sibling_addresses_keep_the_folder_and_the_suffix() -> None:
    assert sibling_url("https://a.example/news/2021/story.html", "zz") == "https://a.example/news/2021/zz.html"
    assert sibling_url("https://a.example/news/story/", "zz") == "https://a.example/news/zz/"
    assert sibling_url("https://a.example/?id=5&lang=en", "zz") == "https://a.example/?id=zz&lang=zz"
    assert sibling_url("https://a.example/", "zz") is None


def test_sites_of_hosts() -> None:
    assert site_of("www.belsat.eu") == site_of("en.belsat.eu") == "belsat.eu"
    assert site_of("news.bbc.co.uk") == "bbc.co.uk"
    assert site_of("tut.by") != site_of("zerkalo.io")
    assert site_of("127.0.0.1") == "127.0.0.1"


def test_classification_is_a_pure_function_of_responses() -> None:
    def got(*hops: tuple[str, int], html: str = "", error: str = "", kind: str = "") -> Fetched:
        return Fetched(
            hops[0][0] if hops else "https://a.example/x",
            tuple(Hop("GET", url, status) for url, status in hops),
            error,
            kind,  # type: ignore[arg-type]
            content_type="text/html",
            html=html,
            read=bool(html),
        )

    assert classify(got(error="name not resolved (a.example)", kind="dns")).status is LinkStatus.DEAD
    https = got(("http://a.example/x", 301), ("https://www.a.example/x/", 200), html=ARTICLE.format(extra=""))
    assert classify(https, [QUOTE]).status is LinkStatus.OK  # http to https, www and a slash are no move
    assert classify(got(("https://a.example/x", 200), html=PAYWALL), [QUOTE]).status is LinkStatus.PAYWALL
    assert classify(got(("https://a.example/x", 402), html="pay")).status is LinkStatus.PAYWALL
    assert classify(got(("https://a.example/x", 200), html=CHALLENGE)).status is LinkStatus.BLOCKED
    assert classify(got(("https://a.example/x", 429), html="slow down")).status is LinkStatus.BLOCKED
    assert classify(got(("https://a.example/x", 500), html="oops")).status is LinkStatus.DEAD
    quoted = got(("https://a.example/x", 200), html=ARTICLE.format(extra="") + PAYWALL)
    assert classify(quoted, [QUOTE]).status is LinkStatus.OK  # the quote is in the teaser: it is there


# --------------------------------------------------------------------------- politeness


def test_per_host_and_global_concurrency_stay_within_the_limits(server: LinkServer, tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    for host in ("127.0.0.1", "localhost"):
        for number in range(12):
            source = {"url": server.url(f"/load/{number}", host), "quote": QUOTE}
            claim_file(folder, f"load-{host.replace('.', '-')}-{number}", source)
    server.peak.clear()
    server.peak_total = 0
    report = run(folder, LinkState(), T0, per_host=2, total=3, host_interval=0.0)
    assert all(c.verdict.status is LinkStatus.OK for c in report.checked.values())
    assert server.peak["127.0.0.1"] <= 2 and server.peak["localhost"] <= 2, server.peak
    assert server.peak_total <= 3


def test_retry_after_pauses_the_host_before_the_next_try(server: LinkServer) -> None:
    fake = FakeTime(server.events)

    async def go() -> Fetched:
        settings = FetchSettings(host_interval=0.0, tries=3)
        async with Fetcher(settings, clock=fake.clock, sleep=fake.sleep) as fetcher:
            return await fetcher.fetch(server.url("/busy/alone"))

    server.events.clear()
    fetched = asyncio.run(go())
    assert fetched.status == 200
    assert server.events == ["HEAD /busy/alone", "sleep 1", "HEAD /busy/alone", "GET /busy/alone"]
    assert fake.sleeps == [1.0]  # exactly what the server asked: the host waited, then the request was tried again


def test_retry_after_forms() -> None:
    now = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    assert retry_after("120") == 120.0
    assert retry_after("Tue, 01 Dec 2026 12:01:00 GMT", now) == 60.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_a_retry_after_beyond_the_limit_gives_up_on_this_run(server: LinkServer) -> None:
    fake = FakeTime()

    async def go() -> Fetched:
        settings = FetchSettings(host_interval=0.0, tries=3, max_retry_after=120)
        async with Fetcher(settings, clock=fake.clock, sleep=fake.sleep) as fetcher:
            return await fetcher.fetch(server.url("/busy-long"))

    before = server.requests("/busy-long")
    fetched = asyncio.run(go())
    assert (fetched.status, fetched.error_kind, fake.sleeps) == (429, "wait", [])
    assert server.requests("/busy-long") - before == 1  # neither tried again nor fetched with GET
    verdict = classify(fetched)
    assert (verdict.status, verdict.detail) == (LinkStatus.BLOCKED, "HTTP 429 Too Many Requests (asked to wait 3600 s)")


def test_user_agent_names_the_tool(server: LinkServer) -> None:
    assert FetchSettings().user_agent.startswith("claimsite/")
    assert "Mozilla" not in FetchSettings().user_agent


# --------------------------------------------------------------------------- dead only after two runs a day apart


def dead_project(folder: Path, server: LinkServer) -> None:
    folder.mkdir(parents=True)
    claim_file(folder, "no-archive", {"url": server.url("/gone")})
    claim_file(
        folder,
        "with-archive",
        {
            "url": server.url("/removed"),
            "archive_url": server.url(f"/web/20200101000000/{server.url('/removed')}"),
            "quote": QUOTE,
        },
    )


def rules_of(report: LinkReport) -> dict[str, list[tuple[str, Severity]]]:
    found: dict[str, list[tuple[str, Severity]]] = {}
    for problem in report.problems:
        found.setdefault(Path(problem.path).stem, []).append((problem.rule, problem.severity))
    return found


def test_one_failed_run_is_only_a_warning(server: LinkServer, tmp_path: Path) -> None:
    dead_project(tmp_path / "claims", server)
    report = run(tmp_path / "claims", LinkState(), T0)
    assert rules_of(report) == {
        "no-archive": [("link-failing", Severity.WARNING)],
        "with-archive": [("link-failing", Severity.WARNING)],
    }
    assert not report.errors()
    assert "reported dead if a run from 2026-12-02 09:00 UTC on finds it failing too" in report.problems[0].message


def test_dead_after_two_failed_runs_at_least_a_day_apart(server: LinkServer, tmp_path: Path) -> None:
    dead_project(tmp_path / "claims", server)
    state = LinkState()
    run(tmp_path / "claims", state, T0)
    hour_later = run(tmp_path / "claims", state, T0 + dt.timedelta(hours=1))
    assert {rule for found in rules_of(hour_later).values() for rule, _ in found} == {"link-failing"}
    day_later = run(tmp_path / "claims", state, T0 + dt.timedelta(hours=24))
    assert rules_of(day_later) == {
        "no-archive": [("link-dead", Severity.ERROR)],
        "with-archive": [("link-dead-archived", Severity.WARNING)],
    }
    entry = state.entries[server.url("/gone")]
    assert (entry.failures, entry.failing_since, entry.confirmed) == (3, T0, True)


def test_a_working_run_starts_the_count_again(server: LinkServer, tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    claim_file(folder, "flaky", {"url": server.url("/gone")})
    state = LinkState()
    run(folder, state, T0)
    (folder / "flaky.yaml").write_text(
        (folder / "flaky.yaml").read_text(encoding="utf-8").replace("/gone", "/ok"), encoding="utf-8"
    )
    state.entries[server.url("/ok")] = state.entries.pop(server.url("/gone"))  # the same address, now working
    run(folder, state, T0 + dt.timedelta(hours=12))
    assert state.entries[server.url("/ok")].failing_since is None
    assert state.entries[server.url("/ok")].last_ok == T0 + dt.timedelta(hours=12)


def test_a_run_without_network_is_not_recorded(tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    claim_file(folder, "offline", {"url": "http://127.0.0.1:9/nothing-listens-here"})
    state = LinkState()
    report = run(folder, state, T0)
    assert not report.recorded and state.entries == {}
    assert [p.rule for p in report.problems] == ["link-failing"]


def test_state_file_round_trips(server: LinkServer, tmp_path: Path) -> None:
    dead_project(tmp_path / "claims", server)
    state = LinkState()
    run(tmp_path / "claims", state, T0)
    path = tmp_path / ".claimsite" / "link-state.json"
    state.write(path)
    assert LinkState.read(path).entries == state.entries
    assert LinkState.read(tmp_path / "missing.json").entries == {}
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(Exception, match="move it away to start over"):
        LinkState.read(path)


# --------------------------------------------------------------------------- the patch


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)


def test_patch_records_what_the_run_found_and_applies(
    server: LinkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = Path("claims")
    folder.mkdir()
    claim_file(folder, "chain", {"url": server.url("/chain"), "quote": QUOTE})
    claim_file(
        folder,
        "archived",
        {
            "url": server.url("/ok"),
            "quote": QUOTE,
            "archive_url": server.url(f"/web/20210115123456/{server.url('/ok')}"),
        },
    )
    claim_file(folder, "gone", {"url": server.url("/gone"), "archive_url": server.url("/web/2020/x/shell")})
    crlf = folder / "crlf.yaml"
    claim_file(folder, "crlf", {"url": server.url("/ok"), "quote": QUOTE})
    crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n").rstrip(b"\r\n"))  # CRLF, no final line end
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    state = LinkState()
    run(folder, state, T0)
    report = run(folder, state, T0 + dt.timedelta(days=2))
    patch, skipped = make_patch(report.edits)
    assert not skipped
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before  # read-only
    (tmp_path / "edits.patch").write_text(patch, encoding="utf-8", newline="")
    checked = git(tmp_path, "apply", "--check", "edits.patch")
    assert checked.returncode == 0, checked.stderr + patch
    assert git(tmp_path, "apply", "edits.patch").returncode == 0
    added = [line for line in patch.split("\n") if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in patch.split("\n") if line.startswith("-") and not line.startswith("---")]
    today = (T0 + dt.timedelta(days=2)).date().isoformat()
    archived_final = server.url(f"/web/20210116101010/{server.url('/ok')}")
    assert sorted(added) == sorted(
        [
            "+    url_status: redirect-permanent",
            f"+    last_verified: {today}",  # chain: the quote is on the new page
            f"+    last_verified: {today}",  # archived
            f"+    archive_url: {archived_final}",
            "+    archive_date: 2021-01-16",
            "+    url_status: dead",  # gone: dead on two runs two days apart (its archive is a shell)
            f"+    last_verified: {today}\r",  # crlf keeps its line ends
        ]
    )
    cited = server.url("/web/20210115123456/" + server.url("/ok"))
    assert removed == [f"-    archive_url: {cited}"]
    assert (folder / "chain.yaml").read_text(encoding="utf-8").count("# as published") == 1  # comments kept
    applied = load_project([folder])
    assert not applied.errors()
    sources = {cid: loaded.data.sources[0] for cid, loaded in applied.claims.items()}
    assert sources["gone"].url_status is LinkStatus.DEAD
    assert sources["chain"].url_status is LinkStatus.REDIRECT_PERMANENT
    assert str(sources["archived"].archive_date) == "2021-01-16"
    assert crlf.read_bytes().count(b"\r\n") == crlf.read_bytes().count(b"\n")


def test_edits_go_under_the_key_they_belong_after() -> None:
    text = "sources:\n  - id: s1\n    url: https://a.example/x  # cited\n    accessed: 2026-01-02\n    title: T\n"
    edits = [
        Edit("x.yaml", ("sources", 0), "url_status", "dead", ("url",)),
        Edit("x.yaml", ("sources", 0), "last_verified", "2026-12-01", ("accessed", "url")),
    ]
    after, skipped = apply_edits(text, edits)
    assert not skipped
    assert after == (
        "sources:\n  - id: s1\n    url: https://a.example/x  # cited\n    url_status: dead\n"
        "    accessed: 2026-01-02\n    last_verified: 2026-12-01\n    title: T\n"
    )
    replaced, _ = apply_edits(after, [Edit("x.yaml", ("sources", 0), "url_status", "ok", ("url",))])
    assert "    url_status: ok\n" in replaced and "dead" not in replaced
    flow = "sources:\n  - {id: s1, url: 'https://a.example/x'}\n"
    assert apply_edits(flow, edits[:1]) == (flow, edits[:1])  # left for a person


# --------------------------------------------------------------------------- the command


def cli(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["sources", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_formats_and_exit_codes(server: LinkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dead_project(Path("claims"), server)
    claim_file(Path("claims"), "evil", {"url": server.url("/moved-evil")})
    code, out, err = cli(["claims", "--timeout", "2"])
    assert code == 0, out + err  # one failed run: warnings only
    assert "claims/no-archive.yaml:7:10: warning: sources[0].url failed on this run (dead: HTTP 404 Not Found)" in out
    assert "\u2067" not in out and "/landing?\\u2067x" in out  # what strangers' servers send is escaped
    assert "link state: .claimsite/link-state.json (updated)" in out
    assert "2 suggested edits of the claim files; write them as a patch with --patch FILE" in out
    state = json.loads(Path(".claimsite/link-state.json").read_text(encoding="utf-8"))
    for entry in state["addresses"].values():  # pretend the first run was two days ago
        entry["failing_since"] = "2026-01-01T00:00:00Z"
    Path(".claimsite/link-state.json").write_text(json.dumps(state), encoding="utf-8")
    code, out, err = cli(["claims", "--format", "github", "--patch", "edits.patch"])
    assert code == 1
    assert "::error file=claims/no-archive.yaml,line=7,col=10,title=link-dead::sources[0].url is dead" in out
    assert "::warning file=claims/evil.yaml,line=7,col=10,title=link-moved-domain::" in out
    assert "::warning file=claims/with-archive.yaml" in out
    assert "1 error, 2 warnings in 3 files" in err and "edits.patch (apply with: git apply edits.patch)" in err
    assert "+    url_status: dead" in Path("edits.patch").read_text(encoding="utf-8")
    code, out, err = cli(["claims", "--format", "json"])
    problems = json.loads(out)
    assert code == 1 and {p["rule"] for p in problems} == {"link-dead", "link-dead-archived", "link-moved-domain"}
    assert {"path", "line", "col", "severity", "rule", "message"} == set(problems[0])
    assert cli(["claims", "--format", "yaml"])[0] == 2
    assert cli(["no-such-folder"])[0] == 2


def test_cli_strict_and_a_clean_run(server: LinkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("claims").mkdir()
    claim_file(Path("claims"), "fine", {"url": server.url("/ok"), "quote": QUOTE})
    code, out, _ = cli(["claims"])
    assert code == 0 and "1 address of 1 source (1 ok); no problems" in out
    claim_file(Path("claims"), "blocked", {"url": server.url("/forbidden")})
    assert cli(["claims"])[0] == 0
    assert cli(["claims", "--strict"])[0] == 1


def test_every_link_rule_is_produced_here() -> None:
    """The link rules have no fixture files (they need a server): this module produces each one."""
    produced = {"link-failing", "link-dead", "link-dead-archived", "link-redirect", "link-moved-domain"}
    produced |= {"link-blocked", "link-paywall", "link-drifted", "archive-not-working", "link-unreadable"}
    assert {rule.id for rule in RULES.values() if rule.scope is Scope.LINK} == produced


def test_first_run_reports_each_class_with_its_rule(first_run: tuple[LinkReport, dict[str, str]]) -> None:
    report, _ = first_run
    by_file = {Path(p.path).stem: p.rule for p in report.problems}
    assert by_file == {
        "gone": "link-failing",
        "removed": "link-failing",
        "slow": "link-failing",
        "soft-en": "link-failing",
        "soft-ru": "link-failing",
        "soft-be": "link-failing",
        "soft-probe": "link-failing",
        "soft-home": "link-failing",
        "chain": "link-redirect",
        "moved": "link-moved-domain",
        "forbidden": "link-blocked",
        "legal": "link-blocked",
        "challenge": "link-blocked",
        "paywall": "link-paywall",
        "drifted": "link-drifted",
        "pdf-drifted": "link-drifted",
        "pdf-not-found-words": "link-drifted",
        "pdf-locked": "link-unreadable",
        "pdf-broken": "link-unreadable",
        "pdf-login": "link-failing",
        "pdf-probe": "link-failing",
    }


def test_pdf_verdicts_say_what_was_read(first_run: tuple[LinkReport, dict[str, str]]) -> None:
    report, urls = first_run
    verdict = {name: report.checked[urls[name]].verdict for name in urls if name.startswith("pdf")}
    assert verdict["pdf"].detail == "HTTP 200 OK, a PDF of 1 page" and verdict["pdf"].quotes_checked
    assert verdict["pdf-locked"].unreadable == "encrypted with a password" and not verdict["pdf-locked"].quotes_checked
    assert verdict["pdf-broken"].unreadable.startswith("malformed")
    assert verdict["pdf-login"].detail == "the page says 'page not found'"  # HTML sent as a PDF is read as HTML
    assert verdict["pdf-probe"].detail == "a made-up address next to it gets the same PDF"
    assert verdict["pdf-not-found-words"].missing == (QUOTE,)  # the words in a report are no error page
    assert report.checked[urls["pdf"]].fetched.pdf == b""  # read, then let go
    problem = next(p for p in report.problems if Path(p.path).stem == "pdf-locked")
    assert "encrypted with a password" in problem.message and "check the quote by hand" in problem.message


def test_archived_copies_that_do_not_hold_the_quote(server: LinkServer, tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    claim_file(folder, "shell", {"url": server.url("/ok"), "quote": QUOTE, "archive_url": server.url("/web/1/shell")})
    report = run(folder, LinkState(), T0)
    assert [(p.rule, p.line) for p in report.problems] == [("archive-not-working", 14)]


def write_state(state: LinkState, folder: Path) -> Path:
    path = folder / "link-state.json"
    state.write(path)
    return path


def test_archived_pdfs_are_checked_for_the_quote(server: LinkServer, tmp_path: Path) -> None:
    folder = tmp_path / "claims"
    folder.mkdir()
    ok = server.url("/web/20210115000000/https://osce.example/ok.pdf")
    locked = server.url("/web/20210115000000/https://osce.example/locked.pdf")
    claim_file(folder, "good", {"url": server.url("/gone"), "quote": QUOTE, "archive_url": ok})
    claim_file(folder, "locked", {"url": server.url("/gone"), "quote": QUOTE, "archive_url": locked})
    state = LinkState()
    run(folder, state, T0)
    report = run(folder, state, T0 + dt.timedelta(days=1, hours=1))
    assert report.checked[ok].verdict.status is LinkStatus.OK and not report.checked[ok].verdict.missing
    rules = sorted((Path(p.path).stem, p.rule) for p in report.problems)
    # the PDF capture that holds the quote makes the dead address "dead, archived"; the locked one cannot
    assert rules == [("good", "link-dead-archived"), ("locked", "link-dead"), ("locked", "link-unreadable")]
    from claimsite.model import Source
    from claimsite.provenance import provenance

    verified = {}
    for citation in report.citations:
        assert isinstance(citation.source, Source)
        verified[Path(citation.path).stem] = provenance(citation.source, state).archive_verified
    assert verified == {"good": True, "locked": False}  # the evidence line never calls an unchecked copy verified
    assert LinkState.read(write_state(state, tmp_path)).entries[locked].unreadable == "encrypted with a password"


# --------------------------------------------------------------------------- the link-health page


def test_link_health_page_counts_each_class(first_run: tuple[LinkReport, dict[str, str]]) -> None:
    report, _ = first_run
    state = LinkState(dict(report.entries))
    folder = Path(report.citations[0].path).parent
    site = Site(Catalog(load_project([folder])), links=state)
    html = render_link_health(site).html(None)
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>[^<]*</td><td>(\d+)</td>', html))
    assert rows == {
        "Working": "11",  # 6 pages, a PDF three ways, two PDFs whose quote could not be checked, a photo
        "Moved permanently": "1",
        "Moved to another site": "1",
        "Dead": "0",  # failed on one run only: not dead yet
        "Soft 404": "0",
        "Blocked": "3",
        "Paywall": "1",
        "Drifted": "3",
        "Failed on the last run only": "10",
    }
    assert "the last run was on 1 December 2026" in html
    assert '<a href="../../claims/drifted/">Claim drifted</a>' in html
    assert render_link_health(Site(site.catalog)).html(None).count("have not been checked yet") == 1


def test_plugin_reads_the_link_state_next_to_mkdocs_yml(tmp_path: Path) -> None:
    from mkdocs.exceptions import PluginError

    from claimsite.plugin import ClaimsitePlugin

    plugin = ClaimsitePlugin()
    plugin.load_config({})
    config = type("Config", (), {"config_file_path": str(tmp_path / "mkdocs.yml")})()
    assert plugin._link_state(config) is None  # type: ignore[arg-type]
    LinkState().write(tmp_path / ".claimsite" / "link-state.json")
    assert plugin._link_state(config) == LinkState()  # type: ignore[arg-type]
    (tmp_path / ".claimsite" / "link-state.json").write_text("[]", encoding="utf-8")
    with pytest.raises(PluginError, match="move it away to start over"):
        plugin._link_state(config)  # type: ignore[arg-type]


def test_find_archives_suggests_the_nearest_capture_that_holds_the_quote(
    server: LinkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("claims").mkdir()
    claim_file(Path("claims"), "gone", {"url": server.url("/gone"), "quote": QUOTE})
    claim_file(Path("claims"), "fine", {"url": server.url("/ok"), "quote": QUOTE})
    before = server.requests("/wayback/available")
    args = ["claims", "--find-archives", "--wayback-api", server.url("/wayback/available"), "--patch", "p.diff"]
    code, out, _ = cli(args)
    assert code == 0, out
    asked = [path for _, _, path in server.log if path.startswith("/wayback/available")]
    assert len(asked) - before == 2 and any(path.endswith("?url=" + server.url("/gone")) for path in asked)
    patch = Path("p.diff").read_text(encoding="utf-8")
    capture = server.url("/web/20210301000000/" + server.url("/gone"))
    assert f"+    archive_url: {capture}\n+    archive_date: 2021-03-01\n" in patch
    assert patch.count("archive_url") == 1  # /ok has no capture to suggest
