"""The text of a PDF a source's address answers, for the quote check, read as hostile input.

Which bodies are PDFs: the bytes decide, not the header. Servers lie both ways (reports served as
`application/octet-stream` or `text/html`, login and error pages served as `application/pdf`), so a
body is a PDF when it starts with the `%PDF-` signature (after white space, as readers allow), or is
declared a PDF and has the signature within its first 1,024 bytes (where Acrobat looks for it). A body
declared a PDF that is HTML is read as HTML (an error or challenge page); one that is neither is an
unreadable PDF ("not a PDF").

A PDF is read by pypdf in a child process (`python -m claimsite.linkcheck.pdftext`) with hard limits:
at most `max_bytes` of input, `max_pages` pages and `max_chars` characters of text, `seconds` of
wall time (the child is killed after that) and `memory` bytes of address space (`RLIMIT_AS`: a
decompression bomb ends in a MemoryError, not in the checker's memory). pypdf's own limits (a stream
inflates to 75 MB at most) apply inside. Whatever goes wrong (malformed, encrypted with a password,
too large, too slow) is a `PdfText` with `problem` set, never an exception.

The text is kept as extracted, with two things undone that typesetting does and quote matching must
not see: hyphenation at line ends (a soft hyphen, or `-` between two lowercase letters at a line
break) is joined, and ligatures (ﬁ, ﬂ, ﬀ, ﬃ, ﬄ, ﬅ, ﬆ) are spelled out. The quote is then matched on it
exactly as on an HTML page's visible text (`claimsite.linkcheck.classify.Page`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

PDF_TYPES = ("application/pdf", "application/x-pdf", "application/acrobat")
MAYBE_PDF_TYPES = (*PDF_TYPES, "application/octet-stream", "binary/octet-stream", "application/download")
"""Content types under which a PDF arrives (read and sniffed; other binary types are not read)."""
SIGNATURE = b"%PDF-"


@dataclass(frozen=True)
class PdfLimits:
    """How much of a PDF is read, at most."""

    max_bytes: int = 30_000_000
    """A larger PDF is not read at all (a truncated PDF cannot be parsed: its index is at the end)."""
    max_pages: int = 1000
    max_chars: int = 3_000_000
    seconds: float = 20.0
    """Seconds of reading (checked between pages)."""
    grace: float = 2.0
    """Seconds more, for the child to start and answer, before it is killed."""
    memory: int = 1 << 30
    """Address space of the child process (RLIMIT_AS)."""


DEFAULT_LIMITS = PdfLimits()


@dataclass(frozen=True)
class PdfText:
    """What reading a PDF gave: its text, or why there is none."""

    text: str = ""
    pages: int = 0
    """Pages in the document (read or not)."""
    read_pages: int = 0
    problem: str = ""
    """Why the PDF could not be read ("encrypted with a password", "malformed (...)"); empty when it was."""
    partial: str = ""
    """Why only part of the text was read ("the first 1000 of 1500 pages"), when so."""
    title: str = ""

    @property
    def readable(self) -> bool:
        return not self.problem


def _declared_pdf(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() in PDF_TYPES


def is_pdf(content_type: str, body: bytes) -> bool:
    """Whether a body is a PDF, by its signature (see the module's docstring for the rule)."""
    if body.lstrip(b"\x00\t\n\f\r \xef\xbb\xbf").startswith(SIGNATURE):
        return True
    return _declared_pdf(content_type) and SIGNATURE in body[:1024]


def looks_like_html(body: bytes) -> bool:
    """A body that is markup whatever its header says (an error page sent as `application/pdf`)."""
    head = body[:1024].lstrip(b"\x00\t\n\f\r \xef\xbb\xbf").lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<title", b"<?xml", b"<!--", b"<meta"))


LIGATURES = {chr(code): unicodedata.normalize("NFKC", chr(code)) for code in range(0xFB00, 0xFB07)}
HYPHEN_BREAK = re.compile(r"\u00ad\s*|(?<=[^\W\d_])-\n\s*(?=[^\W\d_])")
"""A soft hyphen (and the break after it), or a hyphen at a line end between two letters."""


def clean(text: str) -> str:
    """Extracted text with hyphenation at line ends joined and ligatures spelled out."""
    text = "".join(LIGATURES.get(ch, ch) for ch in text)

    def join(match: re.Match[str]) -> str:
        if match.group().startswith("\u00ad"):
            return ""
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return "" if before.islower() and after.islower() else "-"  # "Minsk-\nBrest" keeps its hyphen

    return HYPHEN_BREAK.sub(join, text)


def extract(body: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> PdfText:
    """Read the PDF in this process, within the page, character and (between pages) time limits.

    Use `read_pdf` for a stranger's PDF: only a child process can be stopped in the middle of a page."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # malformed files are reported, not logged
    start = time.monotonic()
    if len(body) > limits.max_bytes:
        return PdfText(problem=f"larger than {limits.max_bytes // 1_000_000} MB, not read")
    if not body.lstrip(b"\x00\t\n\f\r \xef\xbb\xbf").startswith(SIGNATURE) and SIGNATURE not in body[:1024]:
        return PdfText(problem="not a PDF (no %PDF- signature)")
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # an owner password alone does not stop any reader
            except DependencyError:
                return PdfText(problem="encrypted (with a cipher this reader cannot open)")
            if not opened:
                return PdfText(problem="encrypted with a password")
        count = len(reader.pages)
        title = ""
        try:
            info = reader.metadata
            title = str(info.title or "") if info is not None else ""
        except Exception:
            title = ""
        parts: list[str] = []
        chars, partial, read = 0, "", 0
        for index in range(count):
            if index >= limits.max_pages:
                partial = f"the first {limits.max_pages} of {count} pages"
                break
            if time.monotonic() - start > limits.seconds:
                partial = f"the first {index} of {count} pages (time limit)"
                break
            page = reader.pages[index]
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()  # a stream past pypdf's limits raises here (extract_text would say nothing)
            page_text = page.extract_text() or ""
            read += 1
            parts.append(page_text)
            chars += len(page_text)
            if chars > limits.max_chars:
                partial = f"the first {limits.max_chars:,} characters"
                break
        text = clean("\n".join(parts))[: limits.max_chars]
    except LimitReachedError:
        return PdfText(problem="a stream inflates past the reader's limit (a decompression bomb?)")
    except FileNotDecryptedError:
        return PdfText(problem="encrypted with a password")
    except MemoryError:
        return PdfText(problem="needs more memory than allowed to read (a decompression bomb?)")
    except RecursionError:
        return PdfText(problem="malformed (nested too deeply)")
    except Exception as error:  # a stranger's file: any failure is a malformed file
        return PdfText(problem=f"malformed ({type(error).__name__})")
    if not text.strip() and read:
        return PdfText(pages=count, read_pages=read, problem="has no text layer (scanned images?)", title=title)
    return PdfText(text, count, read, "", partial, title)


def _limit_memory(limit: int) -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the time limit still holds


def read_pdf(body: bytes, limits: PdfLimits = DEFAULT_LIMITS) -> PdfText:
    """Read a stranger's PDF in a child process that is killed when it runs past `limits.seconds`."""
    if len(body) > limits.max_bytes:
        return PdfText(problem=f"larger than {limits.max_bytes // 1_000_000} MB, not read")
    settings = json.dumps(limits.__dict__)
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).resolve()), settings],
            input=body,
            capture_output=True,
            timeout=limits.seconds + limits.grace,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return PdfText(problem=f"took longer than {limits.seconds:g} s to read")
    except OSError as error:
        return PdfText(problem=f"could not start the PDF reader ({error.strerror})")
    if done.returncode != 0:
        if b"MemoryError" in done.stderr:
            return PdfText(problem="needs more memory than allowed to read (a decompression bomb?)")
        return PdfText(problem=f"the PDF reader failed (exit status {done.returncode})")
    try:
        answer = json.loads(done.stdout)
        return PdfText(**answer)
    except (ValueError, TypeError):
        return PdfText(problem="the PDF reader gave no answer")


def _child_main(limits: PdfLimits) -> None:
    body = sys.stdin.buffer.read(limits.max_bytes + 1)
    _limit_memory(limits.memory)
    result = extract(body, limits)
    sys.stdout.write(json.dumps(result.__dict__, ensure_ascii=False))


if __name__ == "__main__":  # the child: this file run as a script (`-I`, so only the standard library
    # and pypdf are imported, never claimsite's package with its HTTP client)
    _child_main(PdfLimits(**json.loads(sys.argv[1])))
