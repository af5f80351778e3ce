"""Errors a user can cause and fix: a bad option, a bad environment, a build that cannot finish.

Every one is a `click.ClickException`, so a command only has to let it through: click prints
`Error: <message>` on stderr and exits with the class's `exit_code`, never with a traceback.
Errors in the claim files themselves are not exceptions but `Problem`s (see `claimsite.problems`).
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path

import click

from claimsite.text import log_line


class ClaimsiteError(click.ClickException):
    """A user error; the message says what is wrong and, where it can, what to do instead."""

    exit_code = 1


class ConfigError(ClaimsiteError):
    """The configuration or the environment is unusable: mkdocs.yml, SOURCE_DATE_EPOCH, ..."""


class BuildError(ClaimsiteError):
    """The site could not be built (MkDocs refused it)."""


class PdfError(ClaimsiteError):
    """The PDF edition could not be made."""


class ScaffoldError(ClaimsiteError):
    """`claimsite new` cannot write the file asked for."""


class GitError(ClaimsiteError):
    """git could not give what `claimsite diff` needs (not a repository, not a commit, ...).

    The message quotes revisions, paths and git's own words; it is made one inert log line
    (`text.log_line`), since `claimsite diff` runs in CI on pull requests.
    """

    exit_code = 2  # a usage error, like a bad option: the revisions are the command's arguments

    def __init__(self, message: str) -> None:
        super().__init__(log_line(message))


class ServeError(ClaimsiteError):
    """`claimsite serve` cannot serve at the address asked for (a port in use, ...)."""


class SiteBusyError(BuildError):
    """Another build holds the site's lock (claimsite.staging)."""


class FileSystemError(ClaimsiteError):
    """A file could not be written or read: a full disk, a read-only file system, no permission, ..."""


WRITE_ONLY = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})
"""Errors only writing gives: whatever path they carry, the command's output could not be written."""


def fault_message(
    error: OSError, subject: Path | None = None, instead: str | None = None, areas: Sequence[Path] = ()
) -> str:
    """One line for a failed file system operation: what happened, to which path, and what to do.

    `subject` is what the command was writing (the site folder, the PDF), named in place of the
    temporary path a full disk reports; `areas` are the folders the command writes in (where a
    refused permission means "cannot write", not "cannot read"); `instead` is the other way out the
    command offers ("build elsewhere with --site-dir DIR").
    """
    code = error.errno
    if code in WRITE_ONLY:  # the file written: shutil's copies name their source first, the copy second
        written = error.filename2 if error.filename2 is not None else error.filename
        where = subject or written
        also = f", or {instead}" if instead else ""
        if code in (errno.ENOSPC, errno.EDQUOT):
            quota = " (or your quota on it is used up)" if code == errno.EDQUOT else ""
            return f"no space left on the disk that holds {where}{quota}; free some space{also}"
        if code == errno.EROFS:
            return f"{where} is on a read-only file system; remount it read-write{also}"
        return f"{where}: a file grew larger than the file system or the size limit (ulimit -f) allows{also}"
    path = error.filename if error.filename is not None else subject
    ours = path is None or any(Path(path) == area or area in Path(path).parents for area in areas)
    alternative = f", or {instead}" if instead and ours else ""
    if code in (errno.EACCES, errno.EPERM):
        if subject is None or not ours:
            return f"permission denied: {path}; check its permissions and its folder's"
        folder = subject.parent
        return f"permission denied writing {subject} ({path}); make {folder} writable for this user{alternative}"
    if code == errno.EBUSY:
        busy = "a mount point, or in use by another program"
        return f"{path} is busy ({busy}); unmount it or stop that program{alternative}"
    if code == errno.ENOTDIR:
        return f"a file is in the way of {path}, where a folder is needed; remove or rename it{alternative}"
    if code == errno.EEXIST:
        return f"{path} already exists and is not a folder; remove or rename it{alternative}"
    if code == errno.EISDIR:
        return f"{path} is a folder, where a file is needed; remove or rename it{alternative}"
    if code in (errno.EMFILE, errno.ENFILE):
        return "too many open files; raise the limit (ulimit -n) and run again"
    reason = error.strerror or str(error)
    return f"{path}: {reason}{alternative}" if path else f"{reason}{alternative}"
