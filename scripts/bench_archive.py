"""`claimsite sources archive --local` of N local pages: wall time and disk per capture.

Starts its own server on 127.0.0.1 with N article pages (each with a stylesheet, a script, two images
and some 40 KB of text, one in five behind a redirect), writes one claim per ten pages, runs the
command once and reports the time and the store's size per capture.

    python scripts/bench_archive.py --pages 50
"""

from __future__ import annotations

import argparse
import http.server
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path


def png(side: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(side * 3)) for y in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


SRC = Path(__file__).resolve().parent.parent / "src"
ENV = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
"""This checkout's claimsite, whatever is installed (the runs change into a temporary folder)."""
PARAGRAPH = "Officials said the order was given in writing, according to documents seen by reporters. " * 8


def article(number: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH} ({number}.{p})</p>" for p in range(50))
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>Article {number}</title>"
        f"<link rel=stylesheet href=/site.css><script src=/site.js defer></script></head>"
        f"<body><h1>Article {number}</h1><img src=/a.png><img src=/b.png>{body}</body></html>"
    ).encode()


ASSETS = {
    "/site.css": ("text/css", b"body{font:16px/1.5 serif;max-width:40em;margin:auto}" * 20),
    "/site.js": ("text/javascript", b"document.title += ' (read)';"),
    "/a.png": ("image/png", png(120)),
    "/b.png": ("image/png", png(200)),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/old/"):
            self.send_response(301)
            self.send_header("Location", self.path.replace("/old/", "/news/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith("/news/"):
            kind, body = "text/html; charset=utf-8", article(int(self.path.rsplit("/", 1)[1]))
        elif self.path in ASSETS:
            kind, body = ASSETS[self.path]
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def write_claims(folder: Path, base: str, pages: int) -> None:
    claims = folder / "claims"
    claims.mkdir(parents=True)
    for first in range(0, pages, 10):
        lines = ["title: Bench claim", "statement: Pages to capture.", "status: alleged", "status_reason: Bench."]
        lines.append("sources:")
        for number in range(first, min(first + 10, pages)):
            path = f"/old/{number}" if number % 5 == 0 else f"/news/{number}"
            lines += [f"  - id: s{number}", f"    url: {base}{path}", "    title: Article", "    language: en"]
            lines += ["    kind: news", "    relation: supports", f"    origin: o{number}"]
            lines.append("    quote: the order was given in writing")
        lines += ["history:", "  - {date: 2021-01-15, status: alleged}", ""]
        (claims / f"bench-{first // 10}.yaml").write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=50)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory(prefix="claimsite-bench-archive-") as folder:
        root = Path(folder)
        write_claims(root, base, args.pages)
        command = [sys.executable, "-m", "claimsite", "sources", "archive", "--operator", "bench"]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=ENV)
        wall = time.perf_counter() - start
        server.shutdown()
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
            return 1
        store = root / ".claimsite" / "captures"
        captures = sorted(p.parent for p in store.glob("*/*/*/record.json"))
        sizes = [sum(f.stat().st_size for f in c.iterdir()) for c in captures]
        by_file: dict[str, list[int]] = {}
        for capture in captures:
            for file in capture.iterdir():
                by_file.setdefault(file.name, []).append(file.stat().st_size)
        verify_start = time.perf_counter()
        verified = subprocess.run(
            [sys.executable, "-m", "claimsite", "sources", "verify"], cwd=root, capture_output=True, env=ENV
        )
        verify_wall = time.perf_counter() - verify_start
    per = wall / len(captures)
    print(f"{len(captures)} captures of {args.pages} pages in {wall:.1f} s (Chromium start included): {per:.2f} s each")
    median, low, high = statistics.median(sizes) / 1e3, min(sizes) / 1e3, max(sizes) / 1e3
    print(f"disk: {sum(sizes) / 1e6:.1f} MB in all; per capture median {median:.0f} KB (min {low:.0f}, max {high:.0f})")
    for name, values in sorted(by_file.items()):
        print(f"  {name}: median {statistics.median(values) / 1e3:.1f} KB")
    print(f"sources verify: {verify_wall:.1f} s, exit {verified.returncode}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
