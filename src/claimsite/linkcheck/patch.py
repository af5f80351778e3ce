"""Suggested edits of claim files as a unified diff: lines changed or added, the rest left as written.

The YAML is never dumped again: a new key is a new line under the key it belongs after (same
indentation), a changed value is replaced where it stands on its line, so comments, quoting and key
order stay the contributor's. The diff applies with `git apply` (or `patch -p1`) from the folder the
check ran in.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from claimsite.load import Loc, parse_text

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Edit:
    """Set `key` of the mapping at `item` (a source: `("sources", 2)`) in the file at `path`."""

    path: str
    """The file as the check showed it (relative to the folder it ran in, when inside it)."""
    item: Loc
    key: str
    value: str
    """The new value, as YAML text (see `scalar`)."""
    after: tuple[str, ...] = ()
    """Where a new key goes: after the first of these keys the mapping has (else after its last key)."""
    reason: str = ""


def scalar(value: str) -> str:
    """A value as YAML text: plain when YAML reads it back as the same text, else double-quoted."""
    plain_safe = re.fullmatch(r"[A-Za-z0-9][\w./:%?=&+~@!$*,;()\[\]'-]*", value) is not None
    if plain_safe and " #" not in value and ": " not in value:
        try:
            if yaml.safe_load(f"k: {value}") == {"k": value} or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return value  # dates stay plain, as contributors write them (claimsite reads them as text)
        except yaml.YAMLError:
            pass
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lines(text: str) -> list[str]:
    """The lines with their own endings, split where YAML counts lines."""
    lines, start = [], 0
    for match in _LINE_END.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _newline(lines: Sequence[str]) -> str:
    for line in lines:
        ending = line[len(line.rstrip("\r\n")) :]
        if ending:
            return ending
    return "\n"


def _mapping_at(root: yaml.Node | None, loc: Loc) -> yaml.MappingNode | None:
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
        else:
            return None
    return node if isinstance(node, yaml.MappingNode) else None


def _last_line(node: yaml.Node) -> int:
    """The 0-based line a value ends on (a block scalar's end mark is at the start of the next line)."""
    end = node.end_mark
    return end.line if end.column > 0 or end.line == node.start_mark.line else end.line - 1


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, list[Edit]]:
    """The text with every edit made, and the edits that could not be made as line edits (a source
    written in flow style `{...}`, a multi-line value): those are left for a person."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text.removeprefix(bom)
    doc = parse_text("", body)
    lines = _lines(body)
    newline = _newline(lines)
    inserts: dict[int, list[str]] = defaultdict(list)
    replaced: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    skipped: list[Edit] = []
    for edit in edits:
        mapping = _mapping_at(doc.root, edit.item)
        if mapping is None or mapping.flow_style or not mapping.value:
            skipped.append(edit)
            continue
        pairs = {key.value: (key, value) for key, value in mapping.value}
        if edit.key in pairs:
            node = pairs[edit.key][1]
            if not isinstance(node, yaml.ScalarNode) or node.start_mark.line != node.end_mark.line:
                skipped.append(edit)
                continue
            replaced[node.start_mark.line].append((node.start_mark.column, node.end_mark.column, edit.value))
            continue
        anchor = next((pairs[key] for key in edit.after if key in pairs), mapping.value[-1])
        after_line = _last_line(anchor[1])
        if after_line >= len(lines):
            skipped.append(edit)
            continue
        indent = " " * anchor[0].start_mark.column
        inserts[after_line].append(f"{indent}{edit.key}: {edit.value}")
    out: list[str] = []
    for number, line in enumerate(lines):
        for first, last, value in sorted(replaced.get(number, []), reverse=True):
            line = line[:first] + value + line[last:]
        out.append(line)
        if number in inserts:
            if not line.endswith(("\n", "\r")):
                out[-1] = line + newline
            out.extend(added + newline for added in inserts[number])
    return bom + "".join(out), skipped


def unified_diff(path: str, before: str, after: str) -> str:
    """A git-style diff of one file (`a/PATH`, `b/PATH`), marking a last line without a line end."""
    lines = difflib.unified_diff(_lines(before), _lines(after), f"a/{path}", f"b/{path}", n=3)
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def read_text(path: str) -> str:
    """A file's text with its line endings as they are (CRLF stays CRLF)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def make_patch(edits: Sequence[Edit], read: Callable[[str], str] = read_text) -> tuple[str, list[Edit]]:
    """One patch for every edit, file by file in path order, and the edits left for a person."""
    by_file: dict[str, list[Edit]] = defaultdict(list)
    for edit in edits:
        by_file[edit.path].append(edit)
    parts, skipped = [], []
    for path in sorted(by_file):
        before = read(path)
        after, left = apply_edits(before, by_file[path])
        skipped.extend(left)
        if after != before:
            parts.append(unified_diff(Path(path).as_posix().lstrip("/"), before, after))
    return "".join(parts), skipped
