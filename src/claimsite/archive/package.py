"""A capture as files: WARC (warcio), WACZ (py-wacz, from that WARC), a dated PNG, the text, the DOM.

Every writer returns bytes or writes one file and changes nothing it is given; `hash_file` is the one
place SHA-256s are taken, so the record and `claimsite sources verify` hash alike.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import struct
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from claimsite.archive.browser import Capture, Exchange

DROPPED_ON_DECODE = ("content-encoding", "content-length", "transfer-encoding")
"""Response headers that describe the bytes on the wire: Chromium hands over the body decoded, so
they are kept under `X-Claimsite-Orig-*` names and a true Content-Length is written."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _warc_time(capture: Capture, exchange: Exchange) -> str:
    return exchange.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def response_headers(exchange: Exchange) -> tuple[list[tuple[str, str]], list[str]]:
    """The response headers for the WARC record, and the alterations made to them (none unless the
    server compressed the body or chunked it: then the body is stored as Chromium decoded it)."""
    names = {name.lower() for name, _ in exchange.response_headers}
    decoded = "content-encoding" in names or "transfer-encoding" in names
    if not decoded:
        headers = list(exchange.response_headers)
        if "content-length" not in names and exchange.status not in (204, 304):
            headers.append(("Content-Length", str(len(exchange.body))))
        return headers, []
    headers = []
    for name, value in exchange.response_headers:
        if name.lower() in DROPPED_ON_DECODE:
            headers.append((f"X-Claimsite-Orig-{name}", value))
        else:
            headers.append((name, value))
    headers.append(("Content-Length", str(len(exchange.body))))
    return headers, [
        f"{exchange.url}: body stored decoded; Content-Encoding/Transfer-Encoding kept as X-Claimsite-Orig-*"
    ]


def write_warc(path: Path, capture: Capture, software: str, info: dict[str, str]) -> list[str]:
    """Write the capture's exchanges as a gzipped WARC 1.1 (a warcinfo record, then a response and
    its request record per exchange, in the order Chromium received them); return the alterations."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    alterations: list[str] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": software, **info}))
        for exchange in capture.exchanges:
            headers, altered = response_headers(exchange)
            alterations.extend(altered)
            if exchange.body_left_out:
                alterations.append(f"{exchange.url}: body left out (unreadable or over the size limit)")
            http = StatusAndHeaders(f"{exchange.status} {exchange.reason}".strip(), headers, protocol="HTTP/1.1")
            time = _warc_time(capture, exchange)
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": time},
            )
            parts = urlsplit(exchange.url)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            request_headers = list(exchange.request_headers)
            if not any(name.lower() == "host" for name, _ in request_headers):
                request_headers.insert(0, ("Host", parts.netloc))
            request = writer.create_warc_record(
                exchange.url,
                "request",
                payload=io.BytesIO(exchange.request_body),
                length=len(exchange.request_body),
                http_headers=StatusAndHeaders(
                    f"{exchange.method} {target} HTTP/1.1", request_headers, is_http_request=True
                ),
                warc_headers_dict={
                    "WARC-Date": time,
                    "WARC-Concurrent-To": str(response.rec_headers.get_header("WARC-Record-ID")),
                },
            )
            writer.write_record(response)
            writer.write_record(request)
    return alterations


def write_wacz(path: Path, warc: Path, capture: Capture, text: str) -> None:
    """Package the WARC as a WACZ with py-wacz: the CDXJ index, datapackage.json with every file's
    SHA-256, and pages/pages.jsonl naming the page with its title and extracted text."""
    from wacz.main import main as wacz_main

    ts = capture.started.strftime("%Y-%m-%dT%H:%M:%SZ")
    page = {"url": capture.url, "ts": ts, "title": capture.title, "text": text}
    header = {"format": "json-pages-1.0", "id": "pages", "title": "Pages", "hasText": True}
    with tempfile.TemporaryDirectory(prefix="claimsite-wacz-") as folder:
        pages = Path(folder) / "pages.jsonl"
        pages.write_text(json.dumps(header) + "\n" + json.dumps(page, ensure_ascii=False) + "\n", encoding="utf-8")
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet):
            code = wacz_main(
                [
                    "create",
                    "-o",
                    str(path),
                    str(warc),
                    "--pages",
                    str(pages),
                    "--copy-pages",
                    "--hash-type",
                    "sha256",
                    "--title",
                    capture.title or capture.url,
                ]
            )
    if code != 0:
        raise RuntimeError(f"py-wacz could not package the capture: {quiet.getvalue().strip()}")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def dated_png(png: bytes, texts: Iterable[tuple[str, str]]) -> bytes:
    """The screenshot with the capture time and address as PNG text chunks (`Creation Time`, `Source`):
    the pixels stay exactly what Chromium drew, and any image viewer's metadata panel shows them."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    ihdr_end = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    extra = b"".join(
        _chunk(b"iTXt", key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + value.encode("utf-8")) for key, value in texts
    )
    return png[:ihdr_end] + extra + png[ihdr_end:]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)
