"""`claimsite sources archive --public` against a fake Save Page Now 2 on 127.0.0.1 that answers like
the real API (POST /save, GET /save/status/<job>, its refusals, 429 with Retry-After) and plays its
captures back under /web/. Time is a virtual clock shared by the client and the fake: nothing sleeps,
and pacing is counted at the fake in that clock's seconds."""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import itertools
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner, Result
from pdfmake import encrypted, make_pdf

from claimsite.archive.public import PublicReport, SpnSettings, archive_publicly
from claimsite.cli import main
from claimsite.custody import read_lines, walk
from claimsite.errors import ClaimsiteError

QUOTE = "the order was given in writing"
KEYS = {"IA_S3_ACCESS": "acc", "IA_S3_SECRET": "sec"}
REPORT = make_pdf(f"Annex II. The witnesses told the mission that {QUOTE}, and signed.", width="5cm")


class VirtualClock:
    """Seconds that pass only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


@dataclass
class Job:
    url: str
    polls: int = 0
    done: bool = False


@dataclass
class FakeSpn:
    """What the fake was asked, in the virtual clock's seconds."""

    clock: VirtualClock
    daily_limit: int = 1000
    too_many_first: bool = False
    """Answer the first POST with 429 and Retry-After: 30."""
    submissions: list[tuple[float, str]] = field(default_factory=list)
    refused: list[tuple[float, str]] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    polls: dict[str, list[float]] = field(default_factory=dict)
    max_open: int = 0
    bad_keys: int = 0
    user_status: bool = True
    """Answer GET /save/status/user (the account's quota); without it, 404 as a service lacking it would."""
    capacity: int = 1000
    """Capture slots of the account: `available` is this less the jobs still processing."""
    quota_asks: list[tuple[float, int]] = field(default_factory=list)
    """(time, available) of every quota answer."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open_jobs(self) -> int:
        return sum(not job.done for job in self.jobs.values())


def handler_for(fake: FakeSpn) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def send(self, status: int, body: Any, kind: str = "application/json", **headers: str) -> None:
            data = json.dumps(body).encode() if kind == "application/json" else body
            data = data if isinstance(data, bytes) else str(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            with fake.lock:
                now, url = fake.clock(), form.get("url", "")
                if self.path != "/save":
                    return self.send(404, {"status": "error"})
                if self.headers.get("Authorization") != "LOW acc:sec":
                    fake.bad_keys += 1
                    return self.send(401, {"status": "error", "message": "You need to be logged in"})
                if fake.too_many_first and not fake.refused and not fake.submissions:
                    fake.refused.append((now, "429"))
                    return self.send(429, {"status": "error"}, Retry_After="30")
                if len(fake.submissions) >= fake.daily_limit:
                    fake.refused.append((now, "daily"))
                    message = "This host has been already captured 40,000 times today."
                    return self.send(
                        200, {"status": "error", "status_ext": "error:too-many-daily-captures", "message": message}
                    )
                assert form.get("if_not_archived_within") == "30d"
                fake.submissions.append((now, url))
                job_id = f"spn2-{len(fake.jobs):04x}"
                fake.jobs[job_id] = Job(url)
                fake.max_open = max(fake.max_open, fake.open_jobs())
            self.send(200, {"url": url, "job_id": job_id})

        def do_GET(self) -> None:
            if self.path == "/save/status/user":
                return self.user()
            if self.path.startswith("/save/status/"):
                return self.status(self.path.removeprefix("/save/status/"))
            if self.path.startswith("/web/"):
                return self.playback(self.path.removeprefix("/web/"))
            self.send(404, "<title>Not found</title>", "text/html")

        do_HEAD = do_GET

        def user(self) -> None:
            if not fake.user_status:
                return self.send(404, "<title>Not found</title>", "text/html")
            if self.headers.get("Authorization") != "LOW acc:sec":
                fake.bad_keys += 1
                return self.send(401, {"status": "error", "message": "You need to be logged in"})
            with fake.lock:
                processing = fake.open_jobs()
                available = max(0, fake.capacity - processing)
                fake.quota_asks.append((fake.clock(), available))
                body = {
                    "available": available,
                    "processing": processing,
                    "daily_captures": len(fake.submissions),
                    "daily_captures_limit": fake.daily_limit,
                }
            self.send(200, body)

        def status(self, job_id: str) -> None:
            with fake.lock:
                job = fake.jobs.get(job_id)
                if job is None:
                    return self.send(200, {"status": "error", "status_ext": "error:not-found", "job_id": job_id})
                fake.polls.setdefault(job_id, []).append(fake.clock())
                job.polls += 1
                if job.polls < 3:
                    return self.send(200, {"status": "pending", "job_id": job_id, "resources": []})
                job.done = True
            if "fails" in job.url:
                body = {
                    "status": "error",
                    "status_ext": "error:job-failed",
                    "exception": "Couldn't resolve host",
                    "message": "Couldn't resolve host for the URL.",
                    "job_id": job_id,
                }
                return self.send(200, body)
            timestamp = f"2026120112{int(job_id[-4:], 16):04d}"
            self.send(200, {"status": "success", "job_id": job_id, "original_url": job.url, "timestamp": timestamp})

        def playback(self, rest: str) -> None:
            timestamp, _, original = rest.partition("/")
            if not (timestamp.isdigit() and original):
                return self.send(404, "<title>Not found</title><h1>Page not found</h1>", "text/html")
            if original.endswith(".pdf"):  # Wayback plays a PDF back as the PDF itself
                pdf = encrypted(REPORT, user="secret") if "locked" in original else REPORT
                return self.send(200, pdf, "application/pdf")
            said = "Nothing about orders here." if "noquote" in original else f"Officials said {QUOTE}."
            page = f"<!doctype html><title>Capture</title><h1>The article</h1><p>{said} {'More text. ' * 30}</p>"
            self.send(200, page, "text/html; charset=utf-8")

    return Handler


@contextlib.contextmanager
def serving(fake: FakeSpn) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def write_claim(folder: Path, sources: list[dict[str, str]]) -> Path:
    lines = ["title: Evidence", "statement: A claim with public copies.", "status: alleged"]
    lines += ["status_reason: Sources only.", "sources:"]
    for number, extra in enumerate(sources, start=1):
        lines += [f"  - id: s{number}", f"    url: {extra.pop('url')}", "    title: A source", "    language: en"]
        lines += ["    kind: news", "    relation: supports", f"    origin: o-s{number}", f"    quote: {QUOTE}"]
        lines += [f"    {key}: {value}" for key, value in extra.items()]
    lines += ["history:", "  - {date: 2021-01-15, status: alleged}", ""]
    path = folder / "claims" / "evidence.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def public_run(folder: Path, fake: FakeSpn, base: str, **settings: Any) -> PublicReport:
    old = Path.cwd()
    os.chdir(folder)
    try:
        return archive_publicly(
            [Path("claims")],
            Path(".claimsite/captures"),
            SpnSettings(api=base, **settings),
            operator="tester",
            environ=KEYS,
            clock=fake.clock,
            sleep=fake.clock.sleep,
        )
    finally:
        os.chdir(old)


def outcomes(report: PublicReport) -> dict[str, str]:
    return {item.cited.source.id: item.outcome for item in report.submitted}


def custody(folder: Path) -> list[dict[str, Any]]:
    lines = read_lines(folder / ".claimsite" / "captures" / "custody.jsonl")
    assert walk(lines) == []
    return [line.entry for line in lines if line.entry is not None]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, PublicReport, FakeSpn]]:
    """One run over every case: a good page, a failing job, a capture without the quote, a person at risk,
    a source with an archive already."""
    folder = tmp_path_factory.mktemp("public")
    fake = FakeSpn(VirtualClock(), too_many_first=True)
    write_claim(
        folder,
        [
            {"url": "https://news.example/article"},
            {"url": "https://news.example/fails"},
            {"url": "https://news.example/noquote"},
            {"url": "https://news.example/witness", "archive_publicly": "false"},
            {"url": "https://news.example/old", "archive_url": "https://web.archive.org/web/2021/https://x.example/"},
        ],
    )
    with serving(fake) as base:
        report = public_run(folder, fake, base)
        yield folder, report, fake


def test_each_source_ends_as_its_case_says(mixed: tuple[Path, PublicReport, FakeSpn]) -> None:
    _folder, report, _fake = mixed
    assert outcomes(report) == {
        "s1": "recorded",
        "s2": "failed",
        "s3": "not recorded",
        "s4": "skipped",
        "s5": "skipped",
    }
    by_id = {item.cited.source.id: item for item in report.submitted}
    assert "Couldn't resolve host" in by_id["s2"].message
    assert "does not hold the quote" in by_id["s3"].message
    assert "archive_publicly: false" in by_id["s4"].message


def test_a_source_not_to_be_archived_publicly_never_reaches_the_archive(
    mixed: tuple[Path, PublicReport, FakeSpn],
) -> None:
    _folder, _report, fake = mixed
    submitted = [url for _, url in fake.submissions]
    assert sorted(submitted) == [
        "https://news.example/article",
        "https://news.example/fails",
        "https://news.example/noquote",
    ]


def test_only_a_capture_that_holds_the_quote_is_suggested(mixed: tuple[Path, PublicReport, FakeSpn]) -> None:
    _folder, report, _fake = mixed
    edits = [(e.item, e.key, e.value) for e in report.edits()]
    (item,) = [i for i in report.submitted if i.outcome == "recorded"]
    url = item.archive_url
    assert url.endswith(f"/web/{item.timestamp}/https://news.example/article")
    assert edits == [(("sources", 0), "archive_url", url), (("sources", 0), "archive_date", "2026-12-01")]


def test_retry_after_holds_every_submission_back(mixed: tuple[Path, PublicReport, FakeSpn]) -> None:
    _folder, _report, fake = mixed
    ((refused_at, why),) = fake.refused
    assert why == "429"
    assert all(at >= refused_at + 30 for at, _ in fake.submissions)


def test_jobs_are_polled_with_growing_waits(mixed: tuple[Path, PublicReport, FakeSpn]) -> None:
    _folder, _report, fake = mixed
    for times in fake.polls.values():
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert len(times) == 3 and all(gap >= 5 for gap in gaps)


def test_every_submission_and_outcome_is_in_the_custody_log(mixed: tuple[Path, PublicReport, FakeSpn]) -> None:
    folder, report, fake = mixed
    entries = custody(folder)
    submitted = [e for e in entries if e["event"] == "public-submission"]
    finished = {e["source"]: e for e in entries if e["event"] == "public-capture"}
    assert sorted(e["job_id"] for e in submitted) == sorted(fake.jobs)
    assert {s: e["outcome"] for s, e in finished.items()} == {"s1": "recorded", "s2": "failed", "s3": "not recorded"}
    recorded = next(i for i in report.submitted if i.outcome == "recorded")
    assert finished["s1"]["archive_url"] == recorded.archive_url and finished["s1"]["operator"] == "tester"


def test_pacing_stays_under_the_limits(tmp_path: Path) -> None:
    fake = FakeSpn(VirtualClock())
    write_claim(tmp_path, [{"url": f"https://news.example/article-{n}"} for n in range(12)])
    with serving(fake) as base:
        report = public_run(tmp_path, fake, base, per_minute=5, concurrent=2, poll_first=1.0)
    assert set(outcomes(report).values()) == {"recorded"}
    times = sorted(at for at, _ in fake.submissions)
    assert len(times) == 12
    assert max(sum(t <= other < t + 60 for other in times) for t in times) == 5  # the limit, reached
    assert fake.max_open == 2


@pytest.mark.parametrize("user_status", [True, False], ids=["quota", "refusal"])
def test_the_daily_limit_stops_the_run(tmp_path: Path, user_status: bool) -> None:
    fake = FakeSpn(VirtualClock(), daily_limit=2, user_status=user_status)
    write_claim(tmp_path, [{"url": f"https://news.example/article-{n}"} for n in range(6)])
    with serving(fake) as base:
        report = public_run(tmp_path, fake, base)
    assert sorted(outcomes(report).values()) == ["not submitted"] * 4 + ["recorded"] * 2
    if user_status:  # the quota said so before a third submission was sent
        assert fake.refused == [] and len(fake.submissions) == 2
        assert fake.quota_asks and all(available > 0 for _, available in fake.quota_asks)
    else:  # no quota endpoint: SPN2's error:too-many-daily-captures stops the run, as before
        assert 1 <= len(fake.refused) <= 2 and fake.quota_asks == []  # the open jobs' next submissions, then none
    assert all("daily capture limit is reached" in i.message for i in report.submitted if i.outcome == "not submitted")


def test_no_capture_slot_available_holds_submissions_back(tmp_path: Path) -> None:
    fake = FakeSpn(VirtualClock(), capacity=1)
    write_claim(tmp_path, [{"url": f"https://news.example/article-{n}"} for n in range(3)])
    with serving(fake) as base:
        report = public_run(tmp_path, fake, base, concurrent=2, backoff=2.0, poll_first=1.0)
    assert set(outcomes(report).values()) == {"recorded"}
    assert fake.max_open == 1  # the client allows two jobs, the account one: it waited for the slot
    waits = [at for at, available in fake.quota_asks if available == 0]
    assert waits, "the second job never found the slot taken"
    assert all(not any(w == at for at, _ in fake.submissions) for w in waits)


def test_waiting_for_a_slot_is_bounded(tmp_path: Path) -> None:
    fake = FakeSpn(VirtualClock(), capacity=0)  # never a slot: the client waits `tries` backoffs, then submits
    write_claim(tmp_path, [{"url": "https://news.example/article"}])
    with serving(fake) as base:
        report = public_run(tmp_path, fake, base, tries=3, backoff=1.0)
    assert [available for _, available in fake.quota_asks] == [0, 0, 0, 0]
    gaps = [b - a for (a, _), (b, _) in itertools.pairwise(fake.quota_asks)]
    assert all(low <= gap <= 2 * low for gap, low in zip(gaps, [1.0, 2.0, 4.0], strict=True))  # backoff, jitter
    assert len(fake.submissions) == 1 and outcomes(report) == {"s1": "recorded"}


def test_a_pdf_capture_that_holds_the_quote_is_recorded(tmp_path: Path) -> None:
    fake = FakeSpn(VirtualClock())
    write_claim(tmp_path, [{"url": "https://un.example/report.pdf"}, {"url": "https://un.example/locked.pdf"}])
    with serving(fake) as base:
        report = public_run(tmp_path, fake, base)
    assert outcomes(report) == {"s1": "recorded", "s2": "not recorded"}
    by_id = {item.cited.source.id: item for item in report.submitted}
    assert by_id["s1"].message == "HTTP 200 OK, a PDF of 1 page; holds the quote"
    assert "a PDF whose text could not be read (encrypted with a password)" in by_id["s2"].message
    assert [e.key for e in report.edits()] == ["archive_url", "archive_date"]


def test_no_keys_is_one_line_and_nothing_is_sent(tmp_path: Path) -> None:
    write_claim(tmp_path, [{"url": "https://news.example/article"}])
    with pytest.raises(ClaimsiteError, match="IA_S3_ACCESS and IA_S3_SECRET"):
        archive_publicly(
            [tmp_path / "claims"], tmp_path / "store", SpnSettings(api="http://127.0.0.1:9"), operator="t", environ={}
        )


def test_the_command_writes_the_patch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeSpn(VirtualClock())
    write_claim(tmp_path, [{"url": "https://news.example/article"}, {"url": "https://news.example/noquote"}])
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    with serving(fake) as base:
        monkeypatch.setattr("claimsite.archive.public._sleep", fake.clock.sleep)
        monkeypatch.setattr("claimsite.archive.public._now", fake.clock)
        args = ["sources", "archive", "--public", "--spn-api", base, "--patch", "p.patch", "--operator", "t"]
        result: Result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    patch = (tmp_path / "p.patch").read_text()
    assert f"+    archive_url: {base}/web/2026120112" in patch and "+    archive_date: 2026-12-01" in patch
    assert patch.count("+    archive_url:") == 1
    assert "s2: not recorded: the capture does not hold the quote" in result.output
    assert "to archive by hand: https://archive.ph/?url=https%3A%2F%2Fnews.example%2Fnoquote" in result.output
    assert "1 of 2 sources have a checked public copy" in result.output


def test_the_command_without_keys_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_claim(tmp_path, [{"url": "https://news.example/article"}])
    for name in KEYS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sources", "archive", "--public", "--spn-api", "http://127.0.0.1:9"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "IA_S3_ACCESS and IA_S3_SECRET" in result.output
