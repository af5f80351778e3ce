"""`claimsite diff`: what a change does to the claims, as Markdown for reviewers.

`diff_claims` is pure: two snapshots `{path inside the claims folder: file content}` in, a
Markdown report and the policy problems out. `git_snapshots` is the thin git layer that reads
those snapshots from two commits, or from a commit and the working tree.

Policy checked here because it needs both versions of a file: a status change needs a new
history entry.

The files come from strangers' pull requests, so every name and value the report quotes goes through
`text.gfm_text` (links: `text.gfm_autolink`), and every line of the report begins with words of ours:
no name or value can make a heading, link, image or HTML, or a workflow command in a log.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from claimsite.errors import GitError
from claimsite.load import MAX_FILE_BYTES, NOT_EMPTY, Document, iter_yaml_files, parse_text
from claimsite.model import ENTITY_FOLDER, Claim, Entity, Record
from claimsite.problems import Problem, Severity
from claimsite.rules import DEFAULT_RULES, RuleConfig
from claimsite.rules.version import check_versions
from claimsite.text import gfm_autolink, gfm_text
from claimsite.validate import validate

Snapshot = Mapping[str, str | bytes]
"""Path inside the claims folder (`x.yaml`, `entities/y.yaml`) -> the file's content."""

_YAML_SUFFIXES = (".yaml", ".yml")


# --------------------------------------------------------------------------- reading one version


@dataclass(frozen=True)
class Version:
    """One side of a file: the record when it reads cleanly, else why it cannot be read."""

    path: str
    record: Record | None = None
    doc: Document | None = None
    reason: str = ""


def _decode(raw: str | bytes) -> tuple[str | None, str]:
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff"), ""
    if len(raw) > MAX_FILE_BYTES:
        return None, f"file is {len(raw)} bytes; the limit is {MAX_FILE_BYTES}"
    try:
        return raw.decode("utf-8").removeprefix("\ufeff"), ""
    except UnicodeDecodeError:
        return None, "file is not UTF-8"


def read_version(display: str, raw: str | bytes, model: type[Record]) -> Version:
    """Parse and validate one version of a file; any failure becomes the `reason`, never an exception."""
    text, reason = _decode(raw)
    if text is None:
        return Version(display, reason=reason)
    doc = parse_text(display, text)
    problems = list(doc.problems)
    record = None
    if not problems:
        record, problems = validate(doc, model)
        if record is None and not problems:
            problems = [NOT_EMPTY.problem(display, 1, 1, "the file is empty")]
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return Version(display, reason=f"line {first.line}: {first.message}{more}")
    return Version(display, record, doc)


# --------------------------------------------------------------------------- the report


@dataclass
class DiffResult:
    """The Markdown report and the policy problems found (each also listed in the report)."""

    markdown: str
    problems: list[Problem] = field(default_factory=list)


_LAYOUT = re.compile(r"[ \t\n\r\f\v]+")


def _name(value: str) -> str:
    """A name the report quotes (an id, a path, a revision, a status): every character kept, made inert."""
    return gfm_text(value)


def _prose(value: str) -> str:
    """A value the report quotes (a title, a reason, a message): its spaces, tabs and newlines are the
    file's layout and become one space; every other character is kept, made inert like a name."""
    return gfm_text(_LAYOUT.sub(" ", value).strip())


def _urls(urls: list[str]) -> str:
    return ", ".join(gfm_autolink(url) for url in urls)


def _changed_fields(old: Record, new: Record, skip: tuple[str, ...] = ()) -> list[str]:
    names = [name for name in type(new).model_fields if name not in skip]
    return [name for name in names if getattr(old, name) != getattr(new, name)]


def _claim_details(old: Claim, new: Claim) -> list[str]:
    """Sub-bullets for one changed claim: sources by URL, then the other fields that changed."""
    old_urls = [s.url for s in old.sources]
    new_urls = [s.url for s in new.sources]
    added = [url for url in new_urls if url not in old_urls]
    removed = [url for url in old_urls if url not in new_urls]
    lines = []
    if added:
        lines.append(f"sources added: {_urls(added)}")
    if removed:
        lines.append(f"sources removed: {_urls(removed)}")
    fields = _changed_fields(old, new, skip=("status",))
    if fields:
        lines.append("fields changed: " + ", ".join(fields))
    if not lines and old.status == new.status:
        lines.append("formatting or comments only")
    return lines


def _title(version: Version) -> str:
    record = version.record
    if record is None:
        return "*cannot be read*"
    return _prose(record.title if isinstance(record, Claim) else getattr(record, "name", ""))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def diff_claims(
    base: Snapshot,
    head: Snapshot,
    *,
    base_label: str,
    head_label: str | None = None,
    prefix: str = "claims",
    rules: RuleConfig = DEFAULT_RULES,
) -> DiffResult:
    """Compare two snapshots of the claims folder and describe the change in Markdown.

    `head_label` None means the head snapshot is the working tree. `rules` are the project's rule
    settings (mkdocs.yml): a rule turned off there reports nothing here either, and a rule made an
    error fails the diff as it fails `claimsite check`.
    """
    prefix = prefix.rstrip("/")

    def display(path: str) -> str:
        return f"{prefix}/{path}" if prefix and prefix != "." else path

    def is_entity(path: str) -> bool:
        return PurePosixPath(path).parent.name == ENTITY_FOLDER

    def version(snapshot: Snapshot, path: str) -> Version:
        return read_version(display(path), snapshot[path], Entity if is_entity(path) else Claim)

    paths = sorted(p for p in set(base) | set(head) if base.get(p) != head.get(p))
    old = {p: version(base, p) for p in paths if p in base}
    new = {p: version(head, p) for p in paths if p in head}
    unreadable = [(v, "before") for v in old.values() if v.record is None]
    unreadable += [(v, "after") for v in new.values() if v.record is None]

    def ident(path: str) -> str:
        return PurePosixPath(path).stem

    claims = [p for p in paths if not is_entity(p)]
    added = [p for p in claims if p not in base]
    removed = [p for p in claims if p not in head]
    changed = [(p, p) for p in claims if p in base and p in head]

    # A new claim that lists a removed id in renamed_from is that claim under its new id.
    removed_by_id = {ident(p): p for p in removed}
    renamed: list[tuple[str, str]] = []
    for path in list(added):
        record = new[path].record
        for old_id in record.renamed_from if isinstance(record, Claim) else []:
            if old_id in removed_by_id:
                renamed.append((removed_by_id.pop(old_id), path))
                added.remove(path)
                break
    removed = sorted(removed_by_id.values())

    problems: list[Problem] = []
    status_lines: list[str] = []
    changed_lines: list[str] = []
    renamed_lines: list[str] = []

    for before, after in [*renamed, *changed]:
        old_version, new_version = old[before], new[after]
        names = f"{_name(ident(before))} → {_name(ident(after))}" if before != after else _name(ident(after))
        head_line = f"- {names}: {_title(new_version)}"
        details: list[str] = []
        old_claim, new_claim = old_version.record, new_version.record
        if isinstance(old_claim, Claim) and isinstance(new_claim, Claim):
            details = _claim_details(old_claim, new_claim)
            if old_claim.status != new_claim.status:
                status_lines.append(
                    f"- {_name(ident(after))}: {_name(old_claim.status)} → **{_name(new_claim.status)}**. "
                    f"Reason: {_prose(new_claim.status_reason)}"
                )
            problems += check_versions(display(after), old_claim, new_claim, new_version.doc)
        elif before == after:
            details = ["cannot be read (see below)"]
        lines = renamed_lines if before != after else changed_lines
        lines.append(head_line)
        lines.extend(f"  - {detail}" for detail in details)

    added_lines = []
    for path in added:
        record = new[path].record
        extra = ""
        if isinstance(record, Claim):
            extra = f" ({_name(record.status)}, {_plural(len(record.sources), 'source')})"
            problems += check_versions(display(path), None, record, new[path].doc)
        added_lines.append(f"- {_name(ident(path))}: {_title(new[path])}{extra}")
    removed_lines = [f"- {_name(ident(p))}: {_title(old[p])}" for p in removed]

    entity_lines = []
    for path in (p for p in paths if is_entity(p)):
        name = _name(ident(path))
        if path not in base:
            record = new[path].record
            kind = f" ({_name(record.kind)})" if isinstance(record, Entity) else ""
            entity_lines.append(f"- added: {name}{kind}: {_title(new[path])}")
        elif path not in head:
            entity_lines.append(f"- removed: {name}: {_title(old[path])}")
        else:
            before_record, after_record = old[path].record, new[path].record
            fields = (
                _changed_fields(before_record, after_record)
                if before_record is not None and after_record is not None
                else []
            )
            what = f" (fields: {', '.join(fields)})" if fields else ""
            entity_lines.append(f"- changed: {name}: {_title(new[path])}{what}")

    counts = [(len(added), "added"), (len(removed), "removed"), (len(renamed), "renamed"), (len(changed), "changed")]
    summary = ", ".join(f"{n} {word}" for n, word in counts if n)
    if status_lines:
        summary += f"; {_plural(len(status_lines), 'status change')}"
    head_name = _name(head_label) if head_label is not None else "the working tree"
    out = [f"## Claims: {_name(base_label)} → {head_name}", ""]
    if not paths:
        out += ["No claim or entity changed.", ""]
        return DiffResult("\n".join(out))
    out += [f"Claims: {summary or 'none changed'}.", ""]
    sections = [
        ("Added", added_lines),
        ("Removed", removed_lines),
        ("Renamed", renamed_lines),
        ("Status changes", status_lines),
        ("Changed", changed_lines),
        ("Entities", entity_lines),
    ]
    for heading, lines in sections:
        if lines:
            out += [f"### {heading}", "", *lines, ""]
    if unreadable:
        out += ["### Cannot be read", ""]
        out += [
            f"- {_name(v.path)} ({side}): {_prose(v.reason)}"
            for v, side in sorted(unreadable, key=lambda item: (item[0].path, item[1] == "after"))
        ]
        out.append("")
    problems = rules.apply(problems)
    if problems:
        out += ["### Problems", ""]
        out += [
            f"- {_name(p.path)}: {'warning: ' if p.severity is Severity.WARNING else ''}{_prose(p.message)}"
            for p in problems
        ]
        out.append("")
    return DiffResult("\n".join(out), problems)


# --------------------------------------------------------------------------- the git layer


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {' '.join(args)} failed")
    return result.stdout


def _tree(root: Path, rev: str, prefix: str) -> dict[str, tuple[str, str]]:
    """`{path inside the claims folder: (object id, path in the repository)}` at a commit."""
    spec = f"{prefix}/" if prefix else "."
    out = _git(["ls-tree", "-r", "-z", "--full-tree", rev, "--", spec], root)
    files = {}
    for entry in out.decode("utf-8", "surrogateescape").split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _mode, kind, object_id = meta.split()
        relative = path.removeprefix(f"{prefix}/") if prefix else path
        if kind == "blob" and relative.endswith(_YAML_SUFFIXES):
            files[relative] = (object_id, path)
    return files


def _object_id(data: bytes, algorithm: str) -> str:
    """The id git gives a blob with this content (so unchanged files need not be read from git)."""
    return hashlib.new(algorithm, b"blob %d\0" % len(data) + data).hexdigest()


def _read_blobs(root: Path, object_ids: list[str]) -> dict[str, bytes]:
    """Read many blobs with one `git cat-file --batch`."""
    if not object_ids:
        return {}
    out = _git(["cat-file", "--batch"], root, stdin="".join(f"{o}\n" for o in object_ids).encode())
    blobs, position = {}, 0
    for object_id in object_ids:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        size = int(header[2])
        blobs[object_id] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return blobs


def _verify(root: Path, rev: str) -> None:
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
    except GitError:
        hint = f" (fetch it first: git fetch {rev.replace('/', ' ', 1)})" if "/" in rev else ""
        raise GitError(f"'{rev}' is not a commit in this repository{hint}") from None


def git_snapshots(
    claims_dir: Path, base: str, head: str | None = None
) -> tuple[dict[str, bytes], dict[str, bytes], str]:
    """The files that differ between `base` and `head` (None: the working tree), and the folder's path.

    Only differing files are read: identical files are left out of both snapshots.
    """
    cwd = Path.cwd()
    root = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    algorithm = _git(["rev-parse", "--show-object-format"], root).decode().strip() or "sha1"
    relative = os.path.relpath(claims_dir.resolve(), root.resolve())
    if relative.startswith(".."):
        raise GitError(f"{claims_dir} is outside the repository at {root}")
    prefix = "" if relative == "." else Path(relative).as_posix()
    _verify(root, base)
    base_tree = _tree(root, base, prefix)
    if head is None:
        head_files: dict[str, tuple[str, bytes]] = {}
        if claims_dir.is_dir():
            for path, relative_path in iter_yaml_files([claims_dir]):
                if not relative_path.endswith(_YAML_SUFFIXES):
                    continue
                # A link is read as git stores it (its target's path), never followed: a pull request
                # must not make the review summary quote a file from the reviewer's machine.
                mode = os.lstat(path).st_mode
                if stat.S_ISLNK(mode):
                    data = os.readlink(path).encode()
                elif stat.S_ISREG(mode):
                    data = path.read_bytes()
                else:  # a folder, FIFO or device named like a claim file: never opened (`check` reports it)
                    continue
                head_files[relative_path] = (_object_id(data, algorithm), data)
        head_ids = {p: object_id for p, (object_id, _) in head_files.items()}
    else:
        _verify(root, head)
        head_tree = _tree(root, head, prefix)
        head_ids = {p: object_id for p, (object_id, _) in head_tree.items()}
    differing = sorted(p for p in set(base_tree) | set(head_ids) if base_tree.get(p, ("",))[0] != head_ids.get(p))
    wanted = [base_tree[p][0] for p in differing if p in base_tree]
    if head is not None:
        wanted += [head_ids[p] for p in differing if p in head_ids]
    blobs = _read_blobs(root, sorted(set(wanted)))
    base_snapshot = {p: blobs[base_tree[p][0]] for p in differing if p in base_tree}
    if head is None:
        head_snapshot = {p: head_files[p][1] for p in differing if p in head_files}
    else:
        head_snapshot = {p: blobs[head_ids[p]] for p in differing if p in head_ids}
    return base_snapshot, head_snapshot, prefix or "."
