"""YAML files -> plain data with line/column marks. Parse errors are values, never exceptions.

PyYAML's C composer builds the node tree (fast, with marks); we convert nodes to Python values
ourselves so that duplicate keys, aliases and odd types are reported with their position instead
of being silently accepted. Timestamps stay strings: the schema parses dates and keeps precision.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.constructor
import yaml.reader
import yaml.resolver

from claimsite.problems import Problem
from claimsite.rules import Rule, Scope, declare

try:  # libyaml is bundled with PyYAML wheels; the pure-Python parser is a slow fallback
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _CParser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


SYMLINK_MESSAGE = "symbolic links are not allowed; commit the file itself"


def _file_rule(rule_id: str, doc: str) -> Rule:
    return declare(rule_id, Scope.FILE, doc, configurable=False)


NO_SYMLINKS = _file_rule(
    "no-symbolic-links", "Claim files are regular files: a symbolic link is refused and never followed."
)
READABLE = _file_rule("file-readable", "Every claim file can be read.")
REGULAR_FILE = _file_rule(
    "regular-file",
    "A claim file is a regular file: a folder named like one, a FIFO, a device or a socket is refused "
    "without being opened (opening a FIFO would wait forever; a device could be read without end).",
)
SIZE_LIMIT = _file_rule("file-size-limit", "A claim file is at most 256 KB.")
UTF8 = _file_rule("utf-8", "Claim files are UTF-8 text.")
NO_TABS = _file_rule("no-tabs", "YAML is indented with spaces, never tabs.")
NOT_EMPTY = _file_rule("not-empty", "A claim file is a YAML mapping of fields, not empty.")
YAML_SYNTAX = _file_rule("yaml-syntax", "A claim file is valid YAML.")
NO_CONTROL_CHARACTERS = _file_rule(
    "no-control-characters",
    "Text holds no control characters: none in the file, and none written as escapes in quoted values "
    "(`\\0`, `\\e`, `\\x1b`); tab and line break are the only ones allowed. Invisible line and paragraph "
    "separators (U+2028, U+2029, U+0085) are refused too: editors and YAML disagree on where they end a line.",
)
NO_DUPLICATE_KEYS = _file_rule("no-duplicate-keys", "A field is set once (YAML would silently keep the last).")
NO_ALIASES = _file_rule(
    "no-anchors-or-aliases", "Values are written out: anchors, aliases and merge keys are refused (alias bombs)."
)
NO_TAGS = _file_rule(
    "no-tags",
    "Values are plain text, numbers, lists and mappings: YAML tags (`!!int`, `!!python/object`, `!x`) are "
    "refused on values, keys, lists and mappings alike.",
)
NUMBER_SIZE = _file_rule("number-size", "A whole number has at most 18 digits (no field needs more).")
NESTING_LIMIT = _file_rule("nesting-limit", "Values nest at most 20 levels deep.")

MAX_FILE_BYTES = 256 * 1024
"""A claim file larger than this is refused: no honest claim needs it, and it bounds memory."""

Loc = tuple[str | int, ...]
"""Where a value sits in a document: keys and list indexes from the top, as pydantic reports them."""


@dataclass
class Document:
    """One parsed YAML file: its data, its node tree (for positions) and its problems."""

    path: str
    data: Any = None
    root: yaml.Node | None = None
    problems: list[Problem] = field(default_factory=list)
    _keys: dict[int, dict[Any, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict, repr=False)

    def _children(self, node: yaml.MappingNode) -> dict[Any, tuple[yaml.Node, yaml.Node]]:
        """The mapping's key and value nodes by key (the first of duplicates), indexed once per node:
        looking each key up by a scan made a file of many unknown keys quadratic to report."""
        index = self._keys.get(id(node))
        if index is None:
            index = {}
            for key_node, value_node in node.value:
                index.setdefault(key_node.value, (key_node, value_node))
            self._keys[id(node)] = index
        return index

    def mark(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of the value (or key) at `loc`, else of the nearest enclosing value.

        Positions are looked up in the node tree only when a problem needs one: most files have
        none, and recording a mark for every node would double the cost of loading.
        """
        node = self.root
        if node is None:
            return (1, 1)
        for index, part in enumerate(loc):
            child = None
            if isinstance(node, yaml.MappingNode):
                found = self._children(node).get(part)
                if found is not None:
                    if key and index == len(loc) - 1:
                        return _position(found[0].start_mark)
                    child = found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            node = child
        return _position(node.start_mark)

    def problem(self, rule: Rule, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """A problem found by `rule`, positioned at `loc`."""
        line, col = self.mark(loc, key=key)
        return rule.problem(self.path, line, col, message)


_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})
_FALSE = frozenset({"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})
_INT_RE = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202d\u202e]")
"""Characters no text field may hold: C0 and C1 controls (tab and line feed aside), DEL, the line
and paragraph separators, and the bidirectional overrides (U+202D, U+202E), which make text read
otherwise than it is stored ("Trojan source"); right-to-left text needs none of them."""
MAX_DIGITS = 18


class _FastResolver(yaml.resolver.BaseResolver):
    """Tags for plain scalars: null, bool and decimal int as YAML 1.1 has them; everything else text.

    PyYAML's resolver tries a list of regular expressions per scalar and dominated load time.
    Dates and floats stay text: the schema parses dates (keeping their precision) and needs no floats.
    """

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                if value in _NULLS:
                    return _NULL
                if value in _TRUE or value in _FALSE:
                    return _BOOL
                if _INT_RE.fullmatch(value):
                    return _INT
            return _STR
        return str(yaml.resolver.BaseResolver.resolve(self, kind, value, implicit))  # type: ignore[no-untyped-call]


class _Loader(_CParser, yaml.constructor.SafeConstructor, _FastResolver):
    def __init__(self, stream: str) -> None:
        _CParser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        _FastResolver.__init__(self)


class _NodeError(Exception):
    def __init__(self, node: yaml.Node, message: str, rule: Rule = YAML_SYNTAX) -> None:
        super().__init__(message)
        self.node = node
        self.rule = rule


def _position(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


MAX_DEPTH = 20
"""Deeper nesting is refused: a claim needs four levels, and unbounded depth would exhaust the stack."""


def _implicit_tag(node: yaml.ScalarNode) -> str:
    """The tag a scalar gets without an explicit one: a plain scalar's from its text, else text."""
    if node.style:
        return _STR
    value = node.value
    if value in _NULLS:
        return _NULL
    if value in _TRUE or value in _FALSE:
        return _BOOL
    return _INT if _INT_RE.fullmatch(value) else _STR


def _tag_error(node: yaml.Node) -> _NodeError:
    tag = node.tag.removeprefix("tag:yaml.org,2002:")
    shown = f"!!{tag}" if tag != node.tag else tag
    return _NodeError(node, f"the YAML tag {shown} is not allowed; remove it and write the value plainly", NO_TAGS)


def _scalar(doc: Document, node: yaml.ScalarNode) -> Any:
    """A scalar's value: text, null, true/false or a whole number; an explicit tag is refused."""
    tag = node.tag
    if tag != _implicit_tag(node):
        raise _tag_error(node)
    if tag == _STR:
        bad = _CONTROL_RE.search(node.value)
        if bad:
            line, col = _position(node.start_mark)
            doc.problems.append(
                NO_CONTROL_CHARACTERS.problem(
                    doc.path,
                    line,
                    col,
                    f"the value holds the control character U+{ord(bad.group()):04X}; delete it (in quotes it "
                    "is written as an escape such as \\e or \\x1b; elsewhere it is often invisible: retype the value)",
                )
            )
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return node.value in _TRUE
    digits = node.value.replace("_", "").lstrip("+-")
    if len(digits) > MAX_DIGITS:
        raise _NodeError(
            node,
            f"a number of {len(digits)} digits is too long (at most {MAX_DIGITS}); write it in quotes if it is text",
            NUMBER_SIZE,
        )
    return int(node.value.replace("_", ""))


def _convert(doc: Document, node: yaml.Node, seen: set[int], depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise _NodeError(
            node, f"values nest more than {MAX_DEPTH} levels deep; a claim needs at most four", NESTING_LIMIT
        )
    if id(node) in seen:
        # The C composer resolves an alias to the node it names; meeting a node twice means an alias.
        raise _NodeError(node, "anchors and aliases (&name, *name) are not allowed; write the value out", NO_ALIASES)
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(doc, node)
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise _tag_error(node)
        return [_convert(doc, item, seen, depth + 1) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise _tag_error(node)
        result: dict[Any, Any] = {}
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _NodeError(key_node, "merge keys (<<) are not allowed; write the fields out", NO_ALIASES)
            if not isinstance(key_node, yaml.ScalarNode):
                raise _NodeError(key_node, "keys must be plain words")
            if key_node.tag != _implicit_tag(key_node):
                raise _tag_error(key_node)
            key = key_node.value
            if key in result:
                line, col = _position(key_node.start_mark)
                doc.problems.append(
                    NO_DUPLICATE_KEYS.problem(
                        doc.path, line, col, f"duplicate key '{key}' (first set on line {first_lines[key]}); keep one"
                    )
                )
                continue
            first_lines[key] = _position(key_node.start_mark)[0]
            result[key] = _convert(doc, value_node, seen, depth + 1)
        return result
    raise _NodeError(node, "unsupported YAML node")  # pragma: no cover


def _yaml_error_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or "invalid YAML"
    if "\t" in problem or "tab" in problem:
        return "tab character in indentation; indent with spaces"
    context = f" {error.context}" if error.context else ""
    started = ""
    if error.context_mark and error.problem_mark and error.context_mark.line != error.problem_mark.line:
        started = f" (started on line {_position(error.context_mark)[0]})"
    return f"YAML syntax error: {problem}{context}{started}".replace("  ", " ")


_SEPARATOR_NAMES = {"\x85": "next line (NEL)", "\u2028": "line separator", "\u2029": "paragraph separator"}
_ODD_BREAKS_AS_SPACES = dict.fromkeys(map(ord, _SEPARATOR_NAMES), " ")


def _odd_breaks(path: str, text: str) -> Iterator[Problem]:
    """A problem at each U+0085, U+2028 and U+2029, positioned as editors count lines (in one pass)."""
    line, line_start, counted = 1, 0, 0
    for match in _ODD_BREAKS.finditer(text):
        index = match.start()
        line += text.count("\n", counted, index)
        line_start = max(line_start, text.rfind("\n", counted, index) + 1)
        counted = index
        char = match.group()
        yield NO_CONTROL_CHARACTERS.problem(
            path,
            line,
            index - line_start + 1,
            f"the invisible {_SEPARATOR_NAMES[char]} U+{ord(char):04X} is not allowed; "
            "replace it with a space or a line break",
        )


def _tab_in_indentation(text: str) -> tuple[int, int] | None:
    if "\t" not in text:
        return None
    for number, line in enumerate(text.splitlines(), 1):
        indent = line[: len(line) - len(line.lstrip())]
        if "\t" in indent:
            return number, indent.index("\t") + 1
    return None


def parse_text(path: str, text: str) -> Document:
    """Parse one YAML document; any problem is recorded in the result, never raised."""
    doc = Document(path)
    tab = _tab_in_indentation(text)
    if tab is not None:
        doc.problems.append(NO_TABS.problem(path, *tab, "tab character in indentation; indent with spaces"))
        return doc
    if _ODD_BREAKS.search(text):
        doc.problems.extend(_odd_breaks(path, text))
        # YAML ends a line at each of them where editors and GitHub do not: parsed as spaces, what
        # else is wrong with the file is reported on the lines the contributor sees.
        text = text.translate(_ODD_BREAKS_AS_SPACES)
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            doc.problems.append(NOT_EMPTY.problem(path, 1, 1, "the file is empty; a claim is a YAML mapping of fields"))
            return doc
        doc.root = node
        doc.data = _convert(doc, node, set())
    except _NodeError as error:
        doc.problems.append(error.rule.problem(path, *_position(error.node.start_mark), str(error)))
        doc.data = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = _position(mark) if mark else (1, 1)
        message = _yaml_error_message(error)
        rule = NO_TABS if message.startswith("tab character") else YAML_SYNTAX
        doc.problems.append(rule.problem(path, line, col, message))
    except yaml.reader.ReaderError as error:  # control characters; the position is in characters
        position = error.position
        line = text.count("\n", 0, position) + 1
        col = position - (text.rfind("\n", 0, position) + 1) + 1
        doc.problems.append(
            NO_CONTROL_CHARACTERS.problem(
                path,
                line,
                col,
                f"the control character U+{error.character:04X} is not "
                "allowed; delete it (it is often invisible: retype the line)",
            )
        )
    except yaml.YAMLError as error:
        doc.problems.append(YAML_SYNTAX.problem(path, 1, 1, f"YAML error: {' '.join(str(error).split())}"))
    finally:
        if loader is not None:
            loader.dispose()
    return doc


def parse_file(path: Path, display: str | None = None) -> Document:
    """Read and parse one file: its kind and size from the file system first (nothing but a regular
    file within the size limit is opened), then a bounded read, UTF-8 decoding, then YAML."""
    name = display or str(path)
    try:
        raw = _read_regular_file(path)
    except _FileRefused as refused:
        return Document(name, problems=[refused.rule.problem(name, 1, 1, refused.message)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return Document(name, problems=[UTF8.problem(name, line, col, "file is not UTF-8; save it as UTF-8")])
    text = text.removeprefix("\ufeff")
    return parse_text(name, text)


class _FileRefused(Exception):
    def __init__(self, rule: Rule, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket"}


def _read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES, or `_FileRefused` saying why not.

    A symbolic link is never followed: a pull request could point one at a secret on the machine that
    checks it, whose content would then be quoted in messages. The kind and size are taken from the
    directory entry before anything is opened, and again from the open file (it may have been replaced
    in between); the read stops one byte past the limit whatever the file claims its size is."""
    try:
        info = os.lstat(path)
    except OSError as error:
        raise _FileRefused(READABLE, f"cannot read the file: {error.strerror}") from None
    _check_kind(info)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:  # replaced by a link since the check above
            raise _FileRefused(NO_SYMLINKS, SYMLINK_MESSAGE) from None
        raise _FileRefused(READABLE, f"cannot read the file: {error.strerror}") from None
    with os.fdopen(descriptor, "rb") as file:
        _check_kind(os.fstat(file.fileno()))
        raw = file.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:  # grew since it was measured, or a file system that reports no size
        raise _FileRefused(SIZE_LIMIT, f"file is over {MAX_FILE_BYTES} bytes; split the claim")
    return raw


def _check_kind(info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise _FileRefused(NO_SYMLINKS, SYMLINK_MESSAGE)
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "a device")
        raise _FileRefused(REGULAR_FILE, f"this is {kind}, not a claim file; remove it or rename it without .yaml")
    if info.st_size > MAX_FILE_BYTES:
        raise _FileRefused(SIZE_LIMIT, f"file is {info.st_size} bytes; the limit is {MAX_FILE_BYTES}; split the claim")


def iter_yaml_files(paths: list[Path]) -> Iterator[tuple[Path, str]]:
    """Every .yaml/.yml file under the given files and folders, in a stable order.

    Yields the path and its position inside the folder it was found in (`entities/x.yaml`).
    """
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            yield from ((p, p.relative_to(path).as_posix()) for p in sorted(_walk(path)))
        else:
            yield path, path.name


def _walk(folder: Path) -> Iterator[Path]:
    """YAML files under `folder`, without following symbolic links; links are yielded to be refused."""
    for root, dirs, names in os.walk(folder, followlinks=False):
        here = Path(root)
        yield from (here / d for d in dirs if (here / d).is_symlink())
        # A folder named like a claim file is yielded, to be refused, and not walked into.
        named_like_files = [d for d in dirs if d.endswith((".yaml", ".yml"))]
        yield from (here / d for d in named_like_files if not (here / d).is_symlink())
        dirs[:] = [d for d in dirs if d not in named_like_files]
        yield from (here / n for n in names if n.endswith((".yaml", ".yml")) or (here / n).is_symlink())
