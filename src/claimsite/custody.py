"""The custody log: an append-only, hash-chained record of every capture and every verification.

One JSON object per line (`custody.jsonl` in the capture store). Each line's `prev` is the SHA-256 of
the previous line's bytes (without its line end); the first line's is `GENESIS`. `seq` counts lines
from 1. Editing, deleting, inserting or reordering any line but the last breaks the chain at the line
after it; the last line is held by the claim files (which keep the record hashes the log names) and by
the next verification, which appends a line of its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
"""The `prev` of the first line: no line comes before it."""
LOG_NAME = "custody.jsonl"


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line).hexdigest()


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode(entry: dict[str, Any]) -> bytes:
    """One entry as the bytes of its line: sorted keys, no spaces, UTF-8, so the hash is well defined."""
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Line:
    number: int
    raw: bytes
    entry: dict[str, Any] | None
    """None when the line is not a JSON object."""


@dataclass(frozen=True)
class Break:
    """Where the chain does not hold, as `custody.jsonl:LINE: message`."""

    line: int
    message: str


def read_lines(path: Path) -> list[Line]:
    if not path.exists():
        return []
    lines = []
    for number, raw in enumerate(path.read_bytes().split(b"\n"), start=1):
        if not raw:
            continue
        try:
            entry = json.loads(raw)
        except ValueError:
            entry = None
        lines.append(Line(number, raw, entry if isinstance(entry, dict) else None))
    return lines


def walk(lines: list[Line]) -> list[Break]:
    """Every place the chain breaks: a line that is not JSON, a `prev` that is not the hash of the line
    before it, a `seq` out of order."""
    breaks = []
    expected_prev, expected_seq = GENESIS, 1
    for line in lines:
        if line.entry is None:
            breaks.append(Break(line.number, "not a JSON object: the line was edited"))
        else:
            prev, seq = line.entry.get("prev"), line.entry.get("seq")
            if prev != expected_prev:
                before = "the genesis value" if expected_prev == GENESIS else f"the SHA-256 of line {line.number - 1}"
                breaks.append(
                    Break(
                        line.number,
                        f"prev is not {before}: the line before it was edited, or a line was deleted, "
                        "inserted or moved",
                    )
                )
            elif seq != expected_seq:
                breaks.append(Break(line.number, f"seq is {seq}, not {expected_seq}: lines were deleted or moved"))
        expected_prev = line_hash(line.raw)
        seq_here = line.entry.get("seq") if line.entry is not None else None
        expected_seq = (seq_here if isinstance(seq_here, int) else expected_seq) + 1
    return breaks


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def append(path: Path, event: str, **fields: Any) -> dict[str, Any]:
    """Add one entry after the last line (whatever it holds: a broken chain is reported by verify, not
    repaired), under an exclusive lock so that two runs never write the same `seq`."""
    with _locked(path) as handle:
        handle.seek(0)
        lines = [raw for raw in handle.read().split(b"\n") if raw]
        prev = line_hash(lines[-1]) if lines else GENESIS
        try:
            last_seq = int(json.loads(lines[-1])["seq"]) if lines else 0
        except (ValueError, KeyError, TypeError):
            last_seq = len(lines)
        entry = {**fields, "event": event, "seq": last_seq + 1, "prev": prev, "time": fields.get("time") or utc_now()}
        handle.seek(0, 2)
        handle.write(encode(entry) + b"\n")
        handle.flush()
    return entry
