"""Where a site is built before it replaces the published one, and the lock that lets one build at a time do it.

Every build of `site/` happens in `.site-staging/` beside it (same parent, so on the same file system),
which exists only while a build runs:

    .site-staging/
        .gitignore   `*`: git never shows it, whatever the site folder is called
        lock         held with flock(2) by the build writing the site, and holding its process id
        new-*/       the site being built; after the swap, the previous site on its way out
        outputs-*/   the PDF, the offline copy and its zip, before they are copied into the site
        old-*/       only where the swap below is not available

The swap: on Linux, renameat2(RENAME_EXCHANGE) trades the finished folder and `site/` in one step, so
at every moment `site/` is a real folder holding the whole old site or the whole new one, for a web
server reading it as much as for a build killed at any point. `site/` stays an ordinary folder (not
a symbolic link to a versioned one), so `cp -r site`, `rm -rf site`, upload actions and the offline
zip keep working as they would on any folder. Where the exchange is not available (another system, a
file system that refuses it) the old site is renamed away and the new one renamed in: two steps, and a
build killed between them leaves `old-*` behind with no `site/`; the next build puts it back first.

The lock is released by the kernel when its process ends, however it ends: a killed build leaves no
stale lock, only folders, which the next build removes once it holds the lock (so it never removes
another running build's work). A second build does not wait: it stops at once and says which process
is writing the site (waiting would need a time limit, and would hide a stuck build behind a hang).

The guarantee is about processes (a kill, Ctrl-C, an out-of-memory kill), not power cuts: files are
not flushed to disk before the swap, which would make every build much slower.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from claimsite.errors import BuildError, SiteBusyError

STAGING_SUFFIX = "-staging"
LOCK_NAME = "lock"
GITIGNORE_NAME = ".gitignore"
KEEP = frozenset({LOCK_NAME, GITIGNORE_NAME})
SITE_DIR_HINT = "build elsewhere with --site-dir DIR"
"""What to do instead, in the messages of a site that cannot be written."""


class Staging:
    """The staging folder of one site, locked by this process (made by `staging_for`)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.folder = staging_folder(target)

    def make_folder(self, kind: str) -> Path:
        """A new, empty folder for this build's work: `new` for a site, `outputs` for its files."""
        return Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=self.folder))

    def swap_in(self, built: Path) -> None:
        """Put the finished site `built` (a folder of this staging area) in place of the target."""
        built.chmod(0o755)  # mkdtemp made it private; a site is for reading, from its first moment in place
        if not os.path.lexists(self.target):
            _move(built, self.target)  # one rename(2): the site appears whole
        elif _exchange(built, self.target):
            shutil.rmtree(built, ignore_errors=True)  # `built` now holds the previous site
        else:
            old = self.make_folder("old")
            _move(self.target, old / "site")
            _move(built, self.target)
            shutil.rmtree(old, ignore_errors=True)

    def _recover(self) -> None:
        """Put back the site a build killed mid-swap left in `old-*` (only the two-step swap can)."""
        if os.path.lexists(self.target):
            return
        moved = [p / "site" for p in self.folder.glob("old-*") if (p / "site").is_dir()]
        if moved:
            _move(max(moved, key=lambda p: p.stat().st_mtime_ns), self.target)

    def _remove_leftovers(self) -> None:
        """Remove whatever earlier builds left here: this process holds the lock, so no build is using it."""
        for path in self.folder.iterdir():
            if path.name not in KEEP:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)


def staging_folder(target: Path) -> Path:
    return target.with_name(f".{target.name}{STAGING_SUFFIX}")


@contextmanager
def staging_for(target: Path, hint: str = SITE_DIR_HINT) -> Iterator[Staging]:
    """Lock the site `target` for this build and give its staging area, emptied of any earlier
    build's leftovers; on leaving, remove everything this build left and the staging folder itself.
    `hint` ends the messages that say how to write elsewhere (the option of the command that builds).

    Raises BuildError when the target cannot be replaced (a file, a mount point), SiteBusyError when
    another build holds the lock, OSError when the folder beside the target cannot be written.
    """
    _check_replaceable(target, hint)
    staging = Staging(target)
    fd = _acquire(staging.folder, target, hint)
    try:
        _ensure_gitignore(staging.folder)
        staging._recover()
        staging._remove_leftovers()
        yield staging
    finally:
        _release(staging, fd)


def _check_replaceable(target: Path, hint: str) -> None:
    if os.path.lexists(target) and not target.is_dir():
        raise BuildError(f"{target} is a file, not a folder; remove it, or {hint}")
    if target.is_dir() and os.path.ismount(target):
        raise BuildError(
            f"{target} is a mount point, which cannot be swapped for a new site in one step; "
            f"build into a folder inside it (--site-dir {target / 'public'}) or unmount it"
        )


def _acquire(folder: Path, target: Path, hint: str) -> int:
    """Create the staging folder if needed and lock it; the open lock file's descriptor.

    The folder and its lock file are removed by the build that leaves, so a lock won on a file that
    has just been unlinked is worth nothing: after locking, the file must still be the one at the path.
    """
    for _ in range(100):  # each turn means another build removed the folder meanwhile: it has finished
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            folder.mkdir()
        if not folder.is_dir():
            raise BuildError(f"{folder} is in the way of the build of {target}; remove it, or {hint}")
        try:
            _ensure_gitignore(folder)  # before the lock file: git must never see this folder's files
            fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except FileNotFoundError:
            continue
        if not _try_lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            by = f" (process {holder})" if holder else ""
            raise SiteBusyError(f"another build{by} is writing {target}; wait for it to finish, or {hint}")
        if _same_file(fd, folder / LOCK_NAME):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)
    raise SiteBusyError(f"other builds keep replacing {folder}; wait for them to finish, or {hint}")


def _release(staging: Staging, fd: int) -> None:
    """Remove this build's folders, then the staging folder, while still holding the lock.

    The .gitignore goes before the lock file: a build that locks a new file after ours is unlinked
    writes its own, which ours must not remove.
    """
    try:
        staging._remove_leftovers()
        for name in (GITIGNORE_NAME, LOCK_NAME):
            with contextlib.suppress(OSError):
                (staging.folder / name).unlink()
        with contextlib.suppress(OSError):  # not empty: the next build already started in it
            staging.folder.rmdir()
    finally:
        os.close(fd)


def _ensure_gitignore(folder: Path) -> None:
    path = folder / GITIGNORE_NAME
    if not path.exists():
        path.write_text("# made by claimsite build: a build in progress, or one that was killed\n*\n", encoding="utf-8")


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)


def _read_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


if sys.platform == "win32":  # pragma: no cover - tested on Linux only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _move(source: Path, destination: Path) -> None:
    os.rename(source, destination)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function: Callable[..., int] = libc.renameat2  # glibc 2.28 and later, musl 1.1.20 and later
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]  # type: ignore[attr-defined]
    function.restype = ctypes.c_int  # type: ignore[attr-defined]
    return function


_RENAMEAT2 = _renameat2()


def _exchange(first: Path, second: Path) -> bool:
    """Trade the two paths in one step; False where this system or file system cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second), None, str(first))


def replace_folder(fresh: Path, target: Path) -> None:
    """Put the folder `fresh` in place of `target` (a folder or nothing), in one step where the
    system allows; `fresh` is gone afterwards. For folders inside a site, like its search index."""
    if not os.path.lexists(target):
        _move(fresh, target)
    elif _exchange(fresh, target):
        shutil.rmtree(fresh, ignore_errors=True)
    else:
        old = fresh.with_name(f"{fresh.name}-old")
        _move(target, old)
        _move(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
