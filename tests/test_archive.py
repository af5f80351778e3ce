"""`claimsite sources archive --local` and `claimsite sources verify` against pages on 127.0.0.1, captured
by Debian's headless Chromium: what the WARC, WACZ, PNG and record hold, and that tampering is caught."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import json
import os
import shutil
import struct
import subprocess
import sys
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from pdfmake import make_pdf

from claimsite.archive.package import sha256_file
from claimsite.cli import main
from claimsite.custody import GENESIS, line_hash

pytestmark = pytest.mark.browser

QUOTE = "the order was given in writing"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


ARTICLE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>The article</title>
<link rel="stylesheet" href="/style.css"><script src="/app.js" defer></script></head>
<body><h1>The article</h1><p>Officials said {QUOTE}, according to the leak.</p>
<img src="/pixel.png" alt="a pixel" width="40" height="40"><div class="tall"></div></body></html>"""
REPORT = make_pdf(f"Annex II. The witnesses told the mission that {QUOTE}, and signed.", width="5cm")
PAGES: dict[str, tuple[int, str, bytes, dict[str, str]]] = {
    "/report.pdf": (200, "application/pdf", REPORT, {}),
    "/changed.pdf": (200, "application/pdf", make_pdf("Annex II, revised: the statement was removed."), {}),
    "/article": (200, "text/html; charset=utf-8", ARTICLE.encode(), {}),
    "/style.css": (200, "text/css", b"body { font-family: sans-serif } .tall { height: 2600px }", {}),
    "/app.js": (
        200,
        "text/javascript",
        b"document.body.insertAdjacentHTML('beforeend', '<p>Added by script</p>');",
        {},
    ),
    "/pixel.png": (200, "image/png", tiny_png(), {}),
    "/old": (301, "text/html", b"", {"Location": "/article"}),
    "/missing": (404, "text/html", b"<html><title>Not found</title><h1>Page not found</h1></html>", {}),
    "/other": (200, "text/html", b"<html><title>Other</title><p>Nothing about orders here.</p></html>", {}),
    "/packed": (200, "text/html", gzip.compress(ARTICLE.encode()), {"Content-Encoding": "gzip"}),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, kind, body, extra = PAGES.get(self.path, PAGES["/missing"])
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serving() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


SOURCES = {"s1": ("/article", True), "s2": ("/old", True), "s3": ("/missing", False), "s4": ("/other", True)}
"""Source id -> (path, whether the source gives the quote)."""


def write_claim(folder: Path, base: str) -> Path:
    lines = ["title: Evidence", "statement: A claim with captured sources.", "status: alleged"]
    lines += ["status_reason: Sources only.", "sources:"]
    for source_id, (path, quoted) in SOURCES.items():
        lines += [f"  - id: {source_id}", f"    url: {base}{path}", "    title: A source", "    language: en"]
        lines += ["    kind: news", "    relation: supports", f"    origin: o-{source_id}"]
        if quoted:
            lines.append(f"    quote: {QUOTE}")
    lines += ["history:", "  - {date: 2021-01-15, status: alleged}", ""]
    path = folder / "claims" / "evidence.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run(folder: Path, *args: str) -> Result:
    old = Path.cwd()
    os.chdir(folder)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result, str]]:
    """One project, its sources archived once: (project folder, the command's result, server address)."""
    folder = tmp_path_factory.mktemp("archive")
    with serving() as base:
        write_claim(folder, base)
        result = run(folder, "sources", "archive", "--patch", "capture.patch", "--operator", "tester")
        yield folder, result, base


def capture_folder(project: Path, source: str) -> Path:
    (folder,) = (project / ".claimsite" / "captures" / "evidence" / source).iterdir()
    return folder


def record(project: Path, source: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((capture_folder(project, source) / "record.json").read_text())
    return data


def test_every_source_is_captured(archived: tuple[Path, Result, str]) -> None:
    _, result, _ = archived
    assert result.exit_code == 0, result.output
    assert "4 of 4 sources captured" in result.output


def test_the_warc_holds_request_and_response_for_the_page_and_its_subresources(
    archived: tuple[Path, Result, str],
) -> None:
    from warcio.archiveiterator import ArchiveIterator

    project, _, base = archived
    records: dict[tuple[str, str], Any] = {}
    with (capture_folder(project, "s1") / "page.warc.gz").open("rb") as handle:
        for item in ArchiveIterator(handle):
            uri = item.rec_headers.get_header("WARC-Target-URI")
            records[(item.rec_type, uri)] = (
                item.http_headers,
                item.content_stream().read() if item.http_headers else b"",
            )
    for path in ("/article", "/style.css", "/app.js", "/pixel.png"):
        assert ("request", base + path) in records, path
        assert ("response", base + path) in records, path
        headers, body = records[("response", base + path)]
        assert headers.get_statuscode() == "200"
        assert body == PAGES[path][2]
    request_headers = records[("request", base + "/style.css")][0]
    assert request_headers.protocol == "GET" and request_headers.get_header("Host") == base.removeprefix("http://")


def test_a_redirect_keeps_every_hop(archived: tuple[Path, Result, str]) -> None:
    from warcio.archiveiterator import ArchiveIterator

    project, _, base = archived
    statuses = {}
    with (capture_folder(project, "s2") / "page.warc.gz").open("rb") as handle:
        for item in ArchiveIterator(handle):
            if item.rec_type == "response":
                statuses[item.rec_headers.get_header("WARC-Target-URI")] = item.http_headers.get_statuscode()
    assert statuses[base + "/old"] == "301" and statuses[base + "/article"] == "200"
    data = record(project, "s2")
    assert (data["url"], data["final_url"], data["http_status"]) == (base + "/old", base + "/article", 200)
    assert data["redirects"] == [f"301 {base}/old"]


def test_the_record_has_every_field(archived: tuple[Path, Result, str]) -> None:
    project, _, _ = archived
    data = record(project, "s1")
    for key in ("captured_at", "url", "final_url", "http_status", "quote_found", "tools", "files", "operator"):
        assert key in data, key
    assert set(data["tools"]) >= {"claimsite", "chromium", "playwright", "warcio", "wacz"}
    assert data["captured_at"].endswith("Z") and data["operator"] == "tester"
    assert data["http_status"] == 200 and data["quote_found"] is True
    assert record(project, "s3")["http_status"] == 404 and record(project, "s3")["quote_found"] is None
    assert record(project, "s4")["quote_found"] is False


def test_hashes_match_the_files(archived: tuple[Path, Result, str]) -> None:
    project, _, _ = archived
    folder = capture_folder(project, "s1")
    files = record(project, "s1")["files"]
    assert set(files) == {"page.warc.gz", "page.wacz", "screenshot.png", "dom.html", "text.txt"}
    for name, expected in files.items():
        assert sha256_file(folder / name) == expected["sha256"]
        assert (folder / name).stat().st_size == expected["bytes"]


def test_the_text_is_extracted_from_the_rendered_page(archived: tuple[Path, Result, str]) -> None:
    project, _, _ = archived
    text = (capture_folder(project, "s1") / "text.txt").read_text()
    assert QUOTE in text and "Added by script" in text


def test_the_wacz_validates_and_holds_the_page(archived: tuple[Path, Result, str]) -> None:
    project, _, base = archived
    wacz = capture_folder(project, "s1") / "page.wacz"
    # py-wacz's own CLI, in a process of its own: its validator leaves temporary folders behind
    checked = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)], capture_output=True, text=True
    )
    assert checked.returncode == 0 and "the passed WACZ is valid" in checked.stdout, checked.stdout + checked.stderr
    with zipfile.ZipFile(wacz) as archive:
        pages = [json.loads(line) for line in archive.read("pages/pages.jsonl").splitlines()]
        assert any(name.startswith("archive/") and name.endswith(".warc.gz") for name in archive.namelist())
    assert pages[1]["url"] == base + "/article" and QUOTE in pages[1]["text"]


def test_the_screenshot_is_a_png_of_the_full_page_with_the_capture_time(archived: tuple[Path, Result, str]) -> None:
    project, _, _ = archived
    png = (capture_folder(project, "s1") / "screenshot.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    data = record(project, "s1")
    assert width == 1280 and height == data["screenshot"]["page_height"] > 2600
    assert b"Creation Time\x00\x00\x00\x00\x00" + data["captured_at"].encode() in png


def test_a_compressed_body_is_stored_decoded_and_says_so(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    with serving() as base:
        claim = write_claim(tmp_path, base)
        claim.write_text(claim.read_text().replace(f"{base}/article", f"{base}/packed"))
        assert run(tmp_path, "sources", "archive", "--claim", "evidence").exit_code == 0
    data = record(tmp_path, "s1")
    assert any("body stored decoded" in note for note in data["alterations"])
    with (capture_folder(tmp_path, "s1") / "page.warc.gz").open("rb") as handle:
        for item in ArchiveIterator(handle):
            if item.rec_type == "response" and item.rec_headers.get_header("WARC-Target-URI").endswith("/packed"):
                assert item.http_headers.get_header("Content-Encoding") is None
                assert item.http_headers.get_header("X-Claimsite-Orig-Content-Encoding") == "gzip"
                assert item.content_stream().read() == ARTICLE.encode()


def test_a_pdf_is_kept_with_its_text_and_says_what_differs(tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    with serving() as base:
        claim = write_claim(tmp_path, base)
        text = claim.read_text().replace(f"{base}/article", f"{base}/report.pdf")
        claim.write_text(text.replace(f"{base}/other", f"{base}/changed.pdf"))
        result = run(tmp_path, "sources", "archive", "--claim", "evidence")
        assert result.exit_code == 0, result.output
    data = record(tmp_path, "s1")
    assert data["quote_found"] is True and data["pdf"] == {"pages": 1, "unreadable": None}
    assert record(tmp_path, "s4")["quote_found"] is False and record(tmp_path, "s2")["pdf"] is None
    assert any(
        "PDF viewer" in note and "screenshot.png is the viewer's first screen" in note for note in data["alterations"]
    )
    folder = capture_folder(tmp_path, "s1")
    assert QUOTE in (folder / "text.txt").read_text()  # from the PDF, not from the viewer's empty DOM
    assert data["page_body_sha256"] == hashlib.sha256(REPORT).hexdigest()
    with (folder / "page.warc.gz").open("rb") as handle:
        bodies = {
            item.rec_headers.get_header("WARC-Target-URI"): item.content_stream().read()
            for item in ArchiveIterator(handle)
            if item.rec_type == "response"
        }
    assert bodies[base + "/report.pdf"] == REPORT  # the PDF's exchange, byte for byte
    assert (folder / "screenshot.png").read_bytes().startswith(b"\x89PNG")
    assert (
        "4 held, 0 did not hold, 0 not captured; the custody chain holds" in run(tmp_path, "sources", "verify").output
    )


def test_the_patch_records_the_capture_hash(archived: tuple[Path, Result, str]) -> None:
    project, _, _ = archived
    patch = (project / "capture.patch").read_text()
    digest = sha256_file(capture_folder(project, "s1") / "record.json")
    assert f"+    capture: sha256:{digest}\n" in patch and "+    capture_date: 20" in patch


def test_the_custody_log_chains_every_capture(archived: tuple[Path, Result, str]) -> None:
    project, _, _ = archived
    lines = (project / ".claimsite" / "captures" / "custody.jsonl").read_bytes().splitlines()
    entries = [json.loads(line) for line in lines[:4]]
    assert [e["event"] for e in entries] == ["capture"] * 4 and [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert entries[0]["prev"] == GENESIS
    assert all(entries[n]["prev"] == line_hash(lines[n - 1]) for n in range(1, 4))


@pytest.fixture
def copy(archived: tuple[Path, Result, str], tmp_path: Path) -> Path:
    """A copy of the archived project, with the suggested patch applied, to tamper with."""
    project, _, _ = archived
    target = tmp_path / "project"
    shutil.copytree(project, target)
    claim = target / "claims" / "evidence.yaml"
    text = claim.read_text()
    for source in SOURCES:
        digest = sha256_file(capture_folder(target, source) / "record.json")
        text = text.replace(f"  - id: {source}\n", f"  - id: {source}\n    capture: sha256:{digest}\n", 1)
    claim.write_text(text)
    return target


def verify(project: Path) -> Result:
    return run(project, "sources", "verify")


def test_verify_says_every_capture_holds(copy: Path) -> None:
    result = verify(copy)
    assert result.exit_code == 0, result.output
    assert result.output.count(": holds: capture ") == 4
    assert "4 held, 0 did not hold, 0 not captured; the custody chain holds" in result.output
    entries = [json.loads(line) for line in (copy / ".claimsite/captures/custody.jsonl").read_text().splitlines()]
    assert entries[-1]["event"] == "verify" and entries[-1]["held"] == 4
    assert verify(copy).exit_code == 0  # the verify line chains too


def test_one_changed_byte_of_a_capture_is_caught(copy: Path) -> None:
    png = capture_folder(copy, "s1") / "screenshot.png"
    data = bytearray(png.read_bytes())
    data[-20] ^= 1
    png.write_bytes(bytes(data))
    result = verify(copy)
    assert result.exit_code == 1
    (line,) = [line for line in result.output.splitlines() if " s1: " in line]
    assert line.startswith("claims/evidence.yaml:")
    assert "does not hold: capture " in line and "screenshot.png does not match its SHA-256 in record.json" in line
    assert sum(": holds: " in line for line in result.output.splitlines()) == 3


def test_a_claim_hash_without_its_capture_is_caught(copy: Path) -> None:
    claim = copy / "claims" / "evidence.yaml"
    text = claim.read_text()
    digest = sha256_file(capture_folder(copy, "s2") / "record.json")
    claim.write_text(text.replace(digest, "f" * 64))
    line = next(line for line in verify(copy).output.splitlines() if " s2: " in line)
    assert "does not hold: the claim file names capture sha256:ffff" in line and "which the store does not hold" in line


def log_lines(project: Path) -> list[bytes]:
    return (project / ".claimsite" / "captures" / "custody.jsonl").read_bytes().splitlines(keepends=True)


def write_log(project: Path, lines: list[bytes]) -> None:
    (project / ".claimsite" / "captures" / "custody.jsonl").write_bytes(b"".join(lines))


def test_an_edited_log_line_is_caught(copy: Path) -> None:
    lines = log_lines(copy)
    lines[1] = lines[1].replace(b'"operator":"tester"', b'"operator":"someone"')
    write_log(copy, lines)
    result = verify(copy)
    assert result.exit_code == 1
    assert (
        ".claimsite/captures/custody.jsonl:3: prev is not the SHA-256 of line 2: the line before it was edited, "
        "or a line was deleted, inserted or moved"
    ) in result.output.splitlines()


def test_a_deleted_log_line_is_caught(copy: Path) -> None:
    lines = log_lines(copy)
    del lines[1]
    write_log(copy, lines)
    result = verify(copy)
    assert result.exit_code == 1
    out = result.output.splitlines()
    assert any(
        line.startswith(".claimsite/captures/custody.jsonl:2: prev is not the SHA-256 of line 1") for line in out
    )
    (s2,) = [line for line in out if " s2: " in line]
    assert "is not the one the custody log entered" in s2


def test_reordered_log_lines_are_caught(copy: Path) -> None:
    lines = log_lines(copy)
    lines[1], lines[2] = lines[2], lines[1]
    write_log(copy, lines)
    result = verify(copy)
    assert result.exit_code == 1
    breaks = [line for line in result.output.splitlines() if line.startswith(".claimsite/captures/custody.jsonl:")]
    assert [b.split(":")[1] for b in breaks] == ["2", "3", "4"]
