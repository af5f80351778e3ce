"""The one place that writes files: gathers nothing, checks nothing, just writes what it is given."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write `{relative path: content}` under `root`, creating folders; returns the paths written."""
    written = []
    root = root.resolve()
    for relative, content in files.items():
        path = (root / relative).resolve()
        if root not in path.parents:
            raise ValueError(f"refusing to write outside {root}: {relative}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="\n")
        written.append(path)
    return written


def replace_file(path: Path, content: bytes) -> Path:
    """Write one file, creating its folder, so that readers (and a run killed halfway) see the old
    file or the new one, never part of one: written beside it, then renamed over it. A path that is
    not a regular file (a device, a pipe: /dev/stdout) is written to as it is. Returns the path written."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and not path.is_file():
        path.write_bytes(content)
        return path
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.chmod(partial, 0o644)  # mkstemp's files are private; this one is for reading
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise
    return path
