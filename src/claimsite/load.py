"""YAML files -> plain data with line/column marks. Parse errors are values, never exceptions.

PyYAML's C composer builds the node tree (fast, with marks); we convert nodes to Python values
ourselves so that duplicate keys, aliases and odd types are reported with their position instead
of being silently accepted. Timestamps stay strings: the schema parses dates and keeps precision.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from claimsite.problems import Problem

try:  # libyaml is bundled with PyYAML wheels; the pure-Python composer is a slow fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 256 * 1024
"""A claim file larger than this is refused: no honest claim needs it, and it bounds memory."""

Loc = tuple[str | int, ...]
"""Where a value sits in a document: keys and list indexes from the top, as pydantic reports them."""


@dataclass
class Document:
    """One parsed YAML file: its data, the position of every value and key, and its problems."""

    path: str
    data: Any = None
    value_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def mark(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Best position for a location: the key or the value, else the nearest enclosing one."""
        marks = (self.key_marks, self.value_marks) if key else (self.value_marks, self.key_marks)
        for cut in range(len(loc), -1, -1):
            for table in marks:
                if loc[:cut] in table:
                    return table[loc[:cut]]
        return (1, 1)

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """A problem positioned at `loc`."""
        line, col = self.mark(loc, key=key)
        return Problem(self.path, line, col, message)


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:timestamp": str,  # dates keep their written form and precision
}


def _scalar(node: yaml.ScalarNode, loader: Any) -> Any:
    if node.tag in _SCALAR_TAGS:
        return node.value
    if node.tag == "tag:yaml.org,2002:null":
        return None
    if node.tag in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        return loader.construct_object(node, deep=True)
    raise _NodeError(node, f"the tag {node.tag} is not allowed; write plain text")


class _NodeError(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


def _position(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _convert(doc: Document, loader: Any, node: yaml.Node, loc: Loc, seen: set[int]) -> Any:
    if id(node) in seen:
        # The C composer resolves an alias to the node it names; meeting a node twice means an alias.
        raise _NodeError(node, "anchors and aliases (&name, *name) are not allowed; write the value out")
    seen.add(id(node))
    doc.value_marks[loc] = _position(node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, loader)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(doc, loader, item, (*loc, i), seen) for i, item in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _NodeError(key_node, "merge keys (<<) are not allowed; write the fields out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise _NodeError(key_node, "keys must be plain words")
            key = key_node.value
            if key in result:
                first = doc.key_marks[(*loc, key)][0]
                doc.problems.append(
                    Problem(doc.path, *_position(key_node.start_mark),
                            f"duplicate key '{key}' (first set on line {first}); keep one")
                )
                continue
            doc.key_marks[(*loc, key)] = _position(key_node.start_mark)
            result[key] = _convert(doc, loader, value_node, (*loc, key), seen)
        return result
    raise _NodeError(node, "unsupported YAML node")  # pragma: no cover


def _yaml_error_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "invalid YAML"
    if "\t" in problem or "tab" in problem:
        return "tab character in indentation; indent with spaces"
    context = f" {error.context}" if error.context else ""
    started = ""
    if error.context_mark and error.problem_mark and error.context_mark.line != error.problem_mark.line:
        started = f" (started on line {error.context_mark.line + 1})"
    return f"YAML syntax error: {problem}{context}{started}".replace("  ", " ")


def parse_text(path: str, text: str) -> Document:
    """Parse one YAML document; any problem is recorded in the result, never raised."""
    doc = Document(path)
    tab_line = next((n for n, line in enumerate(text.splitlines(), 1) if line[: len(line) - len(line.lstrip())].count("\t")), None)
    if tab_line is not None:
        indent = text.splitlines()[tab_line - 1]
        col = indent.index("\t") + 1
        doc.problems.append(Problem(path, tab_line, col, "tab character in indentation; indent with spaces"))
        return doc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            doc.problems.append(Problem(path, 1, 1, "the file is empty; a claim is a YAML mapping of fields"))
            return doc
        doc.data = _convert(doc, loader, node, (), set())
    except _NodeError as error:
        doc.problems.append(Problem(path, *_position(error.node.start_mark), str(error)))
        doc.data = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = _position(mark) if mark else (1, 1)
        doc.problems.append(Problem(path, line, col, _yaml_error_message(error)))
    except yaml.YAMLError as error:  # reader errors (control characters) carry a position too
        position = getattr(error, "position", None)
        line = text.count("\n", 0, position) + 1 if position is not None else 1
        doc.problems.append(Problem(path, line, 1, f"YAML error: {error}"))
    finally:
        loader.dispose()
    return doc


def parse_file(path: Path, display: str | None = None) -> Document:
    """Read and parse one file: size limit, UTF-8 decoding, then YAML."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        return Document(name, problems=[Problem(name, 1, 1, f"cannot read the file: {error.strerror}")])
    if len(raw) > MAX_FILE_BYTES:
        return Document(
            name,
            problems=[Problem(name, 1, 1, f"file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES}; split the claim")],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return Document(name, problems=[Problem(name, line, col, "file is not UTF-8; save it as UTF-8")])
    text = text.removeprefix("\ufeff")
    return parse_text(name, text)


def iter_yaml_files(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """Every .yaml/.yml file under the given files and folders, in a stable order.

    Yields the path and its position inside the folder it was found in (`entities/x.yaml`).
    """
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            yield from ((p, p.relative_to(path).as_posix()) for p in found)
        else:
            yield path, path.name
