"""The one place that writes files: gathers nothing, checks nothing, just writes what it is given."""

from __future__ import annotations

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
