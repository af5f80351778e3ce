"""Where captures are kept: one interface, three kinds of store.

A run of `claimsite sources archive` writes into a local working folder (`CaptureStore.working`),
which holds the store's custody log when the run begins; at the end of the run the store
*publishes* that folder (`publish`). `claimsite sources verify` has the store *materialised* into a
folder (`materialised`) and verifies that. The custody log stays append-only and hash-chained in
every kind: a store that copies it refuses to publish a log of which the published one is not a
prefix.

Spelled in `--store` and in the plugin option `captures` as:

- a path: a folder (`.claimsite/captures/` by default; outside the repository allowed). The run
  writes into it directly and publishing does nothing. (A folder whose name has a colon is written
  `./NAME`: `KIND:` prefixes name the other kinds.)
- `branch:NAME`: an orphan branch of the project's own git repository (`BranchStore`, below).
- `release:TAG`: the assets of a GitHub release (`claimsite.archive.release`).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from claimsite.custody import LOG_NAME, line_hash, read_lines
from claimsite.errors import ClaimsiteError
from claimsite.text import visible

ZERO = "0" * 40
KIND = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
BRANCH_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/-]*$")


@dataclass
class Materialised:
    """A store as a folder to verify: the folder, what did not hold while it was fetched, and whether
    `verify` may append its line to the custody log there (only in a folder store: elsewhere the
    folder is a temporary copy, and verifying is read-only)."""

    folder: Path
    problems: list[str] = field(default_factory=list)
    writable: bool = False


class CaptureStore(Protocol):
    @property
    def spec(self) -> str:
        """How the store is named in messages (`branch:captures`, a path)."""

    def working(self) -> contextlib.AbstractContextManager[Path]:
        """A folder for one run to write into, holding the store's custody log as it is now."""

    def publish(self, work: Path, run: str) -> str:
        """Publish what the run wrote into `work`; one line saying where it went (empty: nothing to do).
        Raises ClaimsiteError when the store refuses it."""

    def materialised(self) -> contextlib.AbstractContextManager[Materialised]:
        """The store as a folder, to verify (read-only use)."""

    def show(self, relative: str) -> str:
        """Where a file the run wrote (`relative` to the working folder) is in the store, for messages."""


@dataclass
class FolderStore:
    """A folder: the run writes into it, there is nothing to publish."""

    folder: Path

    @property
    def spec(self) -> str:
        return str(self.folder)

    @contextlib.contextmanager
    def working(self) -> Iterator[Path]:
        yield self.folder

    def publish(self, work: Path, run: str) -> str:
        return ""

    @contextlib.contextmanager
    def materialised(self) -> Iterator[Materialised]:
        yield Materialised(self.folder, writable=True)

    def show(self, relative: str) -> str:
        return str(self.folder / relative)


def parse_store(spec: str, base: Path = Path(), *, options: Mapping[str, str] | None = None) -> CaptureStore:
    """The store `spec` names (`--store` or the plugin option `captures`); a path is taken relative to
    `base`. `options` carry the release store's `repo` and `api` (see `claimsite.archive.release`)."""
    if not spec.strip():
        raise ClaimsiteError("the capture store is empty: give a folder, branch:NAME or release:TAG")
    kind = KIND.match(spec)
    if kind is None:
        return FolderStore(base / spec)
    name, value = kind.group(1), spec[kind.end() :]
    if name == "branch":  # in the repository of `base` (the folder of mkdocs.yml, or the working folder)
        return BranchStore(branch_name(value), base)
    if name == "release":
        from claimsite.archive.release import ReleaseStore

        return ReleaseStore.from_options(value, options or {})
    raise ClaimsiteError(
        f"unknown capture store '{visible(spec)}': give a folder (./{visible(spec)} for a folder with a colon "
        "in its name), branch:NAME or release:TAG"
    )


def branch_name(name: str) -> str:
    """`name` when it is a branch name git accepts and no git option or path trick, else a user error."""
    problem = ""
    if not name:
        problem = "no name after branch:"
    elif not BRANCH_NAME.match(name):
        problem = "a branch name is letters, digits and . _ / - (not starting with - or .)"
    elif ".." in name or "//" in name or name.endswith(("/", ".", ".lock")) or "/." in name:
        problem = "no '..', '//', '/.' and no '/', '.' or '.lock' at the end"
    elif subprocess.run(["git", "check-ref-format", f"refs/heads/{name}"], capture_output=True).returncode != 0:
        problem = "git does not accept it as a branch name"
    if problem:
        raise ClaimsiteError(f"branch:{visible(name)} is not a capture store: {problem}")
    return name


# --------------------------------------------------------------------------- branch:NAME


def _git(
    repo: Path, *args: str, env: Mapping[str, str] | None = None, data: bytes | None = None, check: bool = True
) -> bytes:
    """git's output; a user error (with git's words) when it fails and `check` is set."""
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        input=data,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )
    if check and done.returncode != 0:
        words = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ClaimsiteError(f"git {args[0]} failed: {visible(words[-1] if words else str(done.returncode))}")
    return done.stdout


class BranchStore:
    """An orphan branch of the project's repository with a history of its own: one commit per run,
    written with git plumbing through a temporary index (`GIT_INDEX_FILE`): `hash-object`,
    `update-index`, `write-tree`, `commit-tree`, and `update-ref` with the tip the run began from,
    so a concurrent update fails instead of being lost. The user's checkout, HEAD, index and working
    tree are never touched. Pushing the branch is left to the user (or the workflow)."""

    def __init__(self, branch: str, cwd: Path) -> None:
        self.branch = branch
        self.ref = f"refs/heads/{branch}"
        found = subprocess.run(["git", "-C", str(cwd), "rev-parse", "--show-toplevel"], capture_output=True)
        if found.returncode != 0:
            raise ClaimsiteError(f"branch:{branch} needs a git repository, and {visible(str(cwd))} is not in one")
        self.repo = Path(found.stdout.decode().strip())
        self._base: str | None = None
        self._base_log = b""

    @property
    def spec(self) -> str:
        return f"branch:{self.branch}"

    def show(self, relative: str) -> str:
        return f"{self.spec} {relative}"

    def tip(self) -> str | None:
        out = _git(self.repo, "rev-parse", "--verify", "--quiet", f"{self.ref}^{{commit}}", check=False).strip()
        return out.decode() if out else None

    def _checked_tip(self) -> str | None:
        """The branch's tip, after checking it is a capture store and not the branch checked out."""
        head = _git(self.repo, "symbolic-ref", "--quiet", "HEAD", check=False).strip().decode()
        if head == self.ref:
            raise ClaimsiteError(f"{self.spec} is the branch checked out: name a branch of its own for the captures")
        tip = self.tip()
        if tip is not None and not _git(self.repo, "ls-tree", "--name-only", tip, "--", LOG_NAME).strip():
            raise ClaimsiteError(
                f"{self.spec} exists and is not a capture store (no {LOG_NAME} at its root): name another branch"
            )
        return tip

    def _log_at(self, commit: str | None) -> bytes:
        if commit is None:
            return b""
        return _git(self.repo, "cat-file", "blob", f"{commit}:{LOG_NAME}")

    @contextlib.contextmanager
    def working(self) -> Iterator[Path]:
        self._base = self._checked_tip()
        self._base_log = self._log_at(self._base)
        with tempfile.TemporaryDirectory(prefix="claimsite-store-") as folder:
            work = Path(folder) / "store"
            work.mkdir()
            if self._base is not None:
                (work / LOG_NAME).write_bytes(self._base_log)
            yield work

    def publish(self, work: Path, run: str) -> str:
        log = (work / LOG_NAME).read_bytes() if (work / LOG_NAME).is_file() else b""
        now = self.tip()
        if not log.startswith(self._base_log) or (now != self._base and not log.startswith(self._log_at(now))):
            raise ClaimsiteError(
                f"{self.spec}: the custody log on the branch is not a prefix of this run's (the log is "
                "append-only: was the branch rewritten, or did another run publish first?): not published"
            )
        if now != self._base:
            raise ClaimsiteError(f"{self.spec} moved while this run worked: not published; run again")
        if log == self._base_log:
            return ""
        files = sorted(p for p in work.rglob("*") if p.is_file() or p.is_symlink())
        if any(p.is_symlink() for p in files):
            raise ClaimsiteError(f"{self.spec}: the run left a link in its folder: not published")
        names = [p.relative_to(work).as_posix() for p in files]
        blobs = _git(self.repo, "hash-object", "-w", "--stdin-paths", data="".join(f"{p}\n" for p in files).encode())
        blob_of = dict(zip(names, blobs.decode().split(), strict=True))
        if self._base is not None:
            existing = _git(self.repo, "ls-tree", "-r", "-z", self._base).split(b"\0")
            for entry in filter(None, existing):
                meta, _, path = entry.partition(b"\t")
                name = path.decode("utf-8", "surrogateescape")
                if name in blob_of and name != LOG_NAME and meta.split()[2].decode() != blob_of[name]:
                    raise ClaimsiteError(f"{self.spec}: the run would change {visible(name)}: not published")
        with tempfile.TemporaryDirectory(prefix="claimsite-index-") as folder:
            env = {"GIT_INDEX_FILE": str(Path(folder) / "index")}
            if self._base is not None:
                _git(self.repo, "read-tree", self._base, env=env)
            else:
                _git(self.repo, "read-tree", "--empty", env=env)
            info = "".join(f"100644 {blob_of[name]}\t{name}\n" for name in names)
            _git(self.repo, "update-index", "--add", "--index-info", env=env, data=info.encode())
            tree = _git(self.repo, "write-tree", env=env).decode().strip()
        head = read_lines(work / LOG_NAME)[-1]
        seq = head.entry.get("seq") if head.entry is not None else "?"
        added = len([n for n in names if n != LOG_NAME and (self._base is None or n not in self._existing())])
        message = (
            f"claimsite sources archive: run {run}\n\n"
            f"custody line {seq} sha256:{line_hash(head.raw)}\n"
            f"{added} files added; the custody log grows from {len(read_lines_bytes(self._base_log))} "
            f"to {len(read_lines_bytes(log))} lines\n"
        )
        parents = ["-p", self._base] if self._base is not None else []
        commit = _git(self.repo, "commit-tree", tree, *parents, env=_identity(self.repo), data=message.encode())
        commit_id = commit.decode().strip()
        done = subprocess.run(
            [
                "git",
                "-C",
                str(self.repo),
                "update-ref",
                "-m",
                f"claimsite sources archive {run}",
                self.ref,
                commit_id,
                self._base or ZERO,
            ],
            capture_output=True,
        )
        if done.returncode != 0:
            raise ClaimsiteError(
                f"{self.spec} moved while this run worked (another run published first): not published; run again"
            )
        self._base, self._base_log = commit_id, log
        return f"published to {self.spec}: commit {commit_id[:12]} (push it with: git push origin {self.branch})"

    def _existing(self) -> set[str]:
        if self._base is None:
            return set()
        out = _git(self.repo, "ls-tree", "-r", "-z", "--name-only", self._base)
        return {name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name}

    def files(self, wanted: Callable[[str], bool]) -> dict[str, bytes] | None:
        """The regular files of the branch's tip whose names `wanted` accepts (for the site's evidence
        lines, which read the records only); None when there is no such branch."""
        tip = self.tip()
        if tip is None:
            return None
        chosen = [
            (blob, name) for mode, kind, blob, name in _tree(self.repo, tip) if _regular(mode, kind) and wanted(name)
        ]
        return dict(_blobs(self.repo, chosen))

    @contextlib.contextmanager
    def materialised(self) -> Iterator[Materialised]:
        tip = self._checked_tip()
        with tempfile.TemporaryDirectory(prefix="claimsite-verify-") as folder:
            root = Path(folder) / "store"
            root.mkdir()
            result = Materialised(root)
            if tip is None:
                result.problems.append(f"{self.spec}: no such branch (nothing was published to it)")
                yield result
                return
            _read_tree(self.repo, tip, root, result.problems)
            yield result


def read_lines_bytes(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\n") if line]


def _identity(repo: Path) -> dict[str, str]:
    """The author and committer: the user's git identity when there is one, else claimsite's."""
    env = {}
    for key in ("name", "email"):
        if not _git(repo, "config", f"user.{key}", check=False).strip():
            value = "claimsite sources archive" if key == "name" else "claimsite@localhost"
            env[f"GIT_AUTHOR_{key.upper()}"] = env[f"GIT_COMMITTER_{key.upper()}"] = value
    return env


def _read_tree(repo: Path, commit: str, root: Path, problems: list[str]) -> None:
    """Every regular file of `commit`'s tree into `root` (`ls-tree` and `cat-file --batch`); anything
    else (links, submodules, names that would leave `root`) is a problem, never written."""
    wanted: list[tuple[str, str]] = []
    for mode, kind, blob, name in _tree(repo, commit):
        parts = name.split("/")
        if not _regular(mode, kind) or any(p in ("", ".", "..") for p in parts):
            problems.append(f"{visible(name)}: not a regular file in the branch's tree (mode {mode}): left out")
            continue
        wanted.append((blob, name))
    if not wanted:
        return
    for name, data in _blobs(repo, wanted):
        target = root.joinpath(*name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _tree(repo: Path, commit: str) -> Iterator[tuple[str, str, str, str]]:
    """Mode, kind, object id and name of every entry of `commit`'s tree (`ls-tree -r`)."""
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", commit)
    for entry in filter(None, listing.split(b"\0")):
        meta, _, raw = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split()
        yield mode, kind, blob, raw.decode("utf-8", "surrogateescape")


def _regular(mode: str, kind: str) -> bool:
    return kind == "blob" and mode in ("100644", "100755")


def _blobs(repo: Path, wanted: list[tuple[str, str]]) -> Iterator[tuple[str, bytes]]:
    """The bytes of each `(blob id, name)`, through one `git cat-file --batch`."""
    with subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as batch:
        assert batch.stdin is not None and batch.stdout is not None
        for blob, name in wanted:
            batch.stdin.write(f"{blob}\n".encode())
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)
            yield name, data
        batch.stdin.close()
