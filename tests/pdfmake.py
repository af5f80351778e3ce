"""PDFs made in the tests: typeset by the real typst compiler (so ligatures, hyphenation and Cyrillic
are what a real report has), then encrypted or broken with pikepdf or by hand."""

from __future__ import annotations

import io
import zlib

import pikepdf
import typst

PAGE = """#set page(width: {width}, height: auto, margin: 6mm)
#set text(lang: sys.inputs.lang, hyphenate: true, size: 11pt)
#set par(justify: true)
#set document(title: sys.inputs.title)
#for (i, part) in sys.inputs.text.split("\\u{{c}}").enumerate() {{
  if i > 0 {{ pagebreak() }}
  part
}}
"""


def make_pdf(text: str, *, lang: str = "en", width: str = "9cm", title: str = "A report") -> bytes:
    """A PDF of `text` (a form feed starts a new page), justified and hyphenated in a narrow column."""
    source = PAGE.format(width=width)
    inputs = {"text": text, "lang": lang, "title": title}
    pdf: bytes = typst.compile(
        source.encode(), format="pdf", ignore_system_fonts=True, pdf_tags=False, sys_inputs=inputs
    )
    return pdf


def encrypted(pdf: bytes, user: str, owner: str = "owner") -> bytes:
    """The PDF encrypted (AES-256) with a user password (empty: anyone may open it) and an owner password."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.save(out, encryption=pikepdf.Encryption(user=user, owner=owner, R=6))
    return out.getvalue()


def bomb(megabytes: int = 120) -> bytes:
    """A one-page PDF whose content stream inflates to `megabytes` of spaces (a decompression bomb)."""
    squeeze = zlib.compressobj(9)
    block = b" " * (1 << 20)
    packed = b"".join(squeeze.compress(block) for _ in range(megabytes)) + squeeze.flush()
    doc = pikepdf.new()
    doc.add_blank_page(page_size=(200, 200))
    stream = pikepdf.Stream(doc, packed)
    stream.Filter = pikepdf.Name.FlateDecode
    doc.pages[0].Contents = stream
    out = io.BytesIO()
    doc.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def cut(pdf: bytes) -> bytes:
    """The PDF with its end (cross-reference table and trailer) cut off, as a broken download is."""
    return pdf[: len(pdf) * 2 // 3]
