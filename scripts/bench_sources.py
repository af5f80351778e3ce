#!/usr/bin/env python3
"""Benchmark `claimsite sources check` on 500 addresses served by a local server with injected latency
and failures, at the default politeness limits.

The script starts one HTTP server on 127.0.0.1 listening on several ports; each port, under each of
the names 127.0.0.1 and localhost, is one host for the limits (10 hosts by default). Every address
answers after 20–300 ms and is one of: a page with the quote (most), 404, 410, a 500 then the page
(a flaky server), a 429 with `Retry-After: 1` then the page, a response slower than the read timeout,
a soft 404, a permanent redirect, a page without the quote, 403, a paywall, a PDF report with the
quote, a PDF without it (both typeset by typst, read by the check in its child process). It writes one claim per
address into a temporary folder, runs the check as `claimsite sources check` does (without process
start-up) and reports:

- the wall time;
- requests per host per second: the most sent to one host within any one second (the limit is one
  start every `host_interval` seconds, so at most 4 with the defaults), the most that arrived at the
  server within any one second (arrival jitter of a few milliseconds can add one at a window's edge),
  the smallest gap between two arrivals on one host, the mean rate per host over the run, and the
  most requests one host had open at once (limit `per_host`), as the server counted them;
- every address's class against the class its route was made to produce (all must match).

Example:

    python scripts/bench_sources.py --urls 500 --timeout 5 --json sources-bench.json
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import datetime as dt
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import ClassVar

from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from claimsite.linkcheck.check import run_check  # noqa: E402  (after the path is set)
from claimsite.linkcheck.fetch import DEFAULT_SETTINGS, Fetcher, FetchSettings, _Answer, host_key  # noqa: E402
from claimsite.linkstate import LinkState  # noqa: E402
from claimsite.project import load_project  # noqa: E402

QUOTE = "As the president said, if one rushes at you, use weapons"
KINDS = [  # (kind, share, the class it must get)
    ("ok", 0.54, "ok"),
    ("pdf", 0.04, "ok"),
    ("pdfdrifted", 0.02, "drifted"),
    ("dead404", 0.07, "dead"),
    ("gone410", 0.02, "dead"),
    ("flaky500", 0.05, "ok"),
    ("busy429", 0.03, "ok"),
    ("slow", 0.02, "dead"),
    ("soft", 0.05, "soft-404"),
    ("redirect", 0.05, "redirect-permanent"),
    ("drifted", 0.05, "drifted"),
    ("blocked", 0.03, "blocked"),
    ("paywall", 0.03, "paywall"),
]


def report_pdf(text: str) -> bytes:
    """A few pages of a report, as a PDF (typst), with `text` on its last page."""
    import typst

    pages = "\n#pagebreak()\n".join(
        " ".join(f"Paragraph {p}.{i} of the mission's findings." for i in range(60)) for p in range(3)
    )
    source = (
        f"#set page(width: 12cm, height: auto)\n#set text(hyphenate: true)\n{pages}\n#pagebreak()\n#sys.inputs.text\n"
    )
    pdf: bytes = typst.compile(source.encode(), format="pdf", sys_inputs={"text": text}, ignore_system_fonts=True)
    return pdf


PDF_WITH_QUOTE = report_pdf(f"The officer said: {QUOTE}.")
PDF_WITHOUT = report_pdf("The statement was removed from this edition.")


def article(text: str) -> str:
    filler = " ".join(f"paragraph {text} {i} of the story" for i in range(30))
    return f"<html><head><title>Story {text}</title></head><body><h1>Story</h1><p>{filler}</p></body></html>"


class BenchServer:
    """Many ports on 127.0.0.1; logs the start of every request per host (name and port)."""

    def __init__(self, ports: int, slow: float, seed: int) -> None:
        self.ports: list[int] = []
        self.count = ports
        self.slow = slow
        self.rng = random.Random(seed)
        self.starts: dict[str, list[float]] = defaultdict(list)
        self.open: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._stop = asyncio.Event()

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)

    async def _start(self) -> None:
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1, handler_cancellation=True)
        await self._runner.setup()
        for _ in range(self.count):
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            self.ports.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]

    def stop(self) -> None:
        async def stop() -> None:
            self._stop.set()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        host = request.host
        self.starts[host].append(time.monotonic())
        self.open[host] += 1
        self.peak[host] = max(self.peak[host], self.open[host])
        try:
            return await self._answer(request)
        finally:
            self.open[host] -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.seen[path] += 1
        name = path.rsplit("/", 1)[-1]
        kind = name.split("-", 1)[1] if "-" in name else "made-up"
        await asyncio.sleep(0.02 + 0.28 * random.Random(path).random())  # the same latency for a path
        if kind in ("ok", "moved-here") or (kind in ("flaky500", "busy429") and self.seen[path] > 1):
            return web.Response(
                text=article(name).replace("<h1>Story</h1>", f"<p>{QUOTE}</p>"), content_type="text/html"
            )
        if kind in ("pdf", "pdfdrifted"):
            return web.Response(body=PDF_WITH_QUOTE if kind == "pdf" else PDF_WITHOUT, content_type="application/pdf")
        if kind == "flaky500":
            return web.Response(status=500, text="oops")
        if kind == "busy429":
            return web.Response(status=429, headers={"Retry-After": "1"})
        if kind == "dead404":
            return web.Response(status=404, text="not found")
        if kind == "gone410":
            return web.Response(status=410, text="gone")
        if kind == "slow":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.slow)
            return web.Response(text=article(name), content_type="text/html")
        if kind == "soft":
            return web.Response(
                text="<html><head><title>Page not found</title></head><body>Sorry.</body></html>",
                content_type="text/html",
            )
        if kind == "redirect":
            return web.Response(status=301, headers={"Location": path.replace("-redirect", "-moved-here")})
        if kind == "drifted":
            return web.Response(text=article(name), content_type="text/html")
        if kind == "blocked":
            return web.Response(status=403, text="forbidden")
        if kind == "paywall":
            body = article(name).replace(
                "</head>", '<script type="application/ld+json">{"isAccessibleForFree": false}</script></head>'
            )
            return web.Response(text=body, content_type="text/html")
        return web.Response(status=404, text="not found")  # made-up sibling addresses


class CountingFetcher(Fetcher):
    """The command's fetcher, noting when each request is sent (the client's side of the count)."""

    sent: ClassVar[dict[str, list[float]]] = defaultdict(list)

    async def _send(self, method: str, url: str) -> _Answer:
        self.sent[host_key(url)].append(time.monotonic())
        return await super()._send(method, url)


def plan(urls: int, hosts: list[str], seed: int) -> list[tuple[str, str]]:
    """(address, expected class) for every claim, spread over the hosts in turn."""
    rng = random.Random(seed)
    kinds = [kind for kind, share, _ in KINDS for _ in range(round(share * urls))]
    kinds = (kinds + ["ok"] * urls)[:urls]
    rng.shuffle(kinds)
    expected = {kind: cls for kind, _, cls in KINDS}
    return [(f"http://{hosts[i % len(hosts)]}/news/{i}-{kind}", expected[kind]) for i, kind in enumerate(kinds)]


def write_claims(folder: Path, addresses: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True)
    for index, (url, _) in enumerate(addresses):
        (folder / f"claim-{index}.yaml").write_text(
            f"title: Claim {index}\nstatement: What source {index} says.\nstatus: alleged\n"
            "status_reason: One source.\nsources:\n"
            f"  - id: s1\n    url: {url}\n    title: Source {index}\n    publisher: Example\n"
            f"    language: en\n    kind: news\n    relation: supports\n    origin: o{index}\n"
            f'    quote: "{QUOTE}"\n'
            "history:\n  - {date: 2021-01-15, status: alleged}\n",
            encoding="utf-8",
        )


def most_in_a_second(starts: list[float]) -> int:
    """The most request starts within any window [t, t + 1 s)."""
    starts = sorted(starts)
    return max((bisect.bisect_left(starts, t + 1.0) - i for i, t in enumerate(starts)), default=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--ports", type=int, default=5, help="ports; each is two hosts (127.0.0.1 and localhost)")
    parser.add_argument("--timeout", type=float, default=5.0, help="read timeout (the default of the command is 30)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    server = BenchServer(args.ports, slow=args.timeout * 2, seed=args.seed)
    server.start()
    hosts = [f"{name}:{port}" for port in server.ports for name in ("127.0.0.1", "localhost")]
    addresses = plan(args.urls, hosts, args.seed)
    settings = FetchSettings(read_timeout=args.timeout)
    try:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary) / "claims"
            write_claims(folder, addresses)
            project = load_project([folder])
            started = time.perf_counter()
            fetcher = CountingFetcher(settings)
            report = asyncio.run(run_check(project, LinkState(), now=dt.datetime.now(dt.UTC), fetcher=fetcher))
            wall = time.perf_counter() - started
    finally:
        server.stop()

    got = {url: str(checked.verdict.status) for url, checked in report.checked.items()}
    wrong = [(url, want, got.get(url)) for url, want in addresses if got.get(url) != want]
    per_second = {host: most_in_a_second(times) for host, times in server.starts.items()}
    sent_per_second = {host: most_in_a_second(times) for host, times in CountingFetcher.sent.items()}
    gaps = [b - a for times in server.starts.values() for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
    average = {
        host: len(times) / max(times[-1] - times[0], 1e-9) for host, times in server.starts.items() if len(times) > 1
    }
    requests = sum(len(times) for times in server.starts.values())
    limit = 1 / DEFAULT_SETTINGS.host_interval
    figures = {
        "urls": args.urls,
        "hosts": len(hosts),
        "per_host": DEFAULT_SETTINGS.per_host,
        "total": DEFAULT_SETTINGS.total,
        "host_interval_s": DEFAULT_SETTINGS.host_interval,
        "read_timeout_s": args.timeout,
        "wall_s": round(wall, 1),
        "requests": requests,
        "limit_per_host_per_s": limit,
        "max_sent_per_host_in_1s": max(sent_per_second.values()),
        "max_arrived_per_host_in_1s": max(per_second.values()),
        "mean_requests_per_host_per_s": round(sum(average.values()) / len(average), 2),
        "max_open_per_host": max(server.peak.values()),
        "min_gap_between_starts_on_a_host_s": round(min(gaps), 3),
        "classes": dict(Counter(got.values())),
        "classified": len(got),
        "misclassified": len(wrong),
    }
    print(json.dumps(figures, indent=2))
    for url, want, have in wrong[:20]:
        print(f"misclassified: {url}: expected {want}, got {have}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    within = figures["max_sent_per_host_in_1s"] <= limit and figures["max_open_per_host"] <= DEFAULT_SETTINGS.per_host
    return 0 if not wrong and within and len(got) == args.urls else 1


if __name__ == "__main__":
    sys.exit(main())
