"""Faults while publishing, on real file systems and with real processes: a full disk, a read-only
folder, no permission, a site folder that cannot be replaced, two builds at once, a build killed at
any moment. Each fault ends in one line and a non-zero status; the site is the old one or the new one.

Full and read-only disks are small tmpfs mounts (root only: skipped otherwise); a permission refused
to root comes from dropping its capability to override permissions (setpriv).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "SOURCE_DATE_EPOCH": "1700000000", "PYTHONUNBUFFERED": "1"}
SITE_HINT = "build elsewhere with --site-dir DIR"

STOPPER = r"""
import os, signal, sys

point = sys.argv.pop(1)
calls = []


def stop():
    os.kill(os.getpid(), signal.SIGSTOP)


def after(owner, name, when=lambda *args, **kwargs: True):
    real = getattr(owner, name)

    def patched(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(name)
        if when(*args, **kwargs):
            stop()
        return result

    setattr(owner, name, patched)


import claimsite.plugin as plugin
import claimsite.search as search
import claimsite.staging as staging

if point == "locked":  # the lock is held, the leftovers of earlier builds are gone, nothing is built
    after(staging.Staging, "_remove_leftovers", lambda *a: calls.count("_remove_leftovers") == 1)
elif point == "pages":  # MkDocs has written some pages into the staging area
    after(plugin.ClaimsitePlugin, "on_post_page", lambda self, *a, **k: self.pages_done == 10)
elif point == "indexed":  # the search index is complete, not yet in the new site's place
    after(search, "check_bundle")
elif point == "before-swap":  # the new site is complete, the old one still in place
    real_swap = staging.Staging.swap_in
    staging.Staging.swap_in = lambda self, built: (stop(), real_swap(self, built))[1]
elif point == "exchanged":  # the new site is in place, the old one waits to be removed
    after(staging, "_exchange")
elif point == "moved-away":  # the two-step swap, between its steps: no site/
    staging._exchange = lambda first, second: False
    after(staging, "_move", lambda source, destination: source.name == "site")
elif point == "two-step":  # the two-step swap, not stopped
    staging._exchange = lambda first, second: False
elif point != "none":
    raise SystemExit(f"unknown point {point}")

from claimsite.cli import main

main()
"""


def claimsite(
    args: Sequence[str], cwd: Path, *, prefix: Sequence[str] = (), point: str = "none"
) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-c", STOPPER, point, *args]
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a fault ends with; no traceback."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert lines and lines[-1].startswith("Error: "), result.stderr
    return lines[-1]


def set_version(project: Path, version: str) -> None:
    (project / "docs" / "index.md").write_text(f"# Fixture claims\n\nVersion {version}.\n", encoding="utf-8")


VARYING = re.compile(r"pagefind/(filter/|index/|pagefind\.[^/]*\.pf_meta$|pagefind-entry\.json$)")
"""Pagefind files that differ between builds of the same input (see test_site.py)."""


def manifest(site: Path) -> dict[str, str]:
    """Every reproducible file of a complete site with its hash; fails if the site is not complete."""
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    for language in entry["languages"].values():
        assert (site / "pagefind" / f"pagefind.{language['hash']}.pf_meta").stat().st_size > 0
    assert all(p.stat().st_size > 0 for p in (site / "pagefind").rglob("*") if p.is_file())
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not VARYING.match(p.relative_to(site).as_posix())
    }


def version_of(site: Path, manifests: dict[str, dict[str, str]]) -> str:
    """Which complete site `site` is ('A' or 'B'); fails unless it is one of them, whole."""
    assert site.is_dir(), "no site/"
    found = manifest(site)
    versions = [version for version, expected in manifests.items() if found == expected]
    assert len(versions) == 1, f"site/ is neither complete site: {sorted(set(found) ^ set(manifests['A']))[:5]}"
    return versions[0]


def assert_no_staging(parent: Path, name: str = "site") -> None:
    assert not (parent / f".{name}-staging").exists(), list((parent / f".{name}-staging").iterdir())


@contextmanager
def stopped_build(project: Path, point: str, args: Sequence[str] = ("build",)) -> Iterator[subprocess.Popen[str]]:
    """A `claimsite build` process, stopped (SIGSTOP) at `point`; killed on leaving unless it has ended."""
    log = project.parent / f"{point}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", STOPPER, point, *args], cwd=project, env=ENV, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _, status = os.waitpid(process.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status), f"{point}: the build ended before it: {log.read_text()}"
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()


def kill_at(project: Path, point: str) -> None:
    with stopped_build(project, point) as process:
        process.kill()
        process.wait()


@pytest.fixture
def versions(project_dir: Path) -> dict[str, dict[str, str]]:
    """Two complete builds of the project, A then B, by `claimsite build`; site/ holds B."""
    manifests = {}
    for version in ("A", "B"):
        set_version(project_dir, version)
        result = claimsite(["build"], project_dir)
        assert result.returncode == 0, result.stderr
        manifests[version] = manifest(project_dir / "site")
    assert manifests["A"] != manifests["B"]
    return manifests


def other(version: str) -> str:
    return "B" if version == "A" else "A"


def test_a_build_killed_at_any_moment_leaves_the_old_or_the_new_site(
    project_dir: Path, versions: dict[str, dict[str, str]]
) -> None:
    site, current = project_dir / "site", "B"
    # Stopped at a known point, then killed: which site must be in place is known.
    for point, leaves in [
        ("locked", "old"),
        ("pages", "old"),
        ("indexed", "old"),
        ("before-swap", "old"),
        ("exchanged", "new"),
    ]:
        new = other(current)
        set_version(project_dir, new)
        kill_at(project_dir, point)
        assert version_of(site, versions) == (new if leaves == "new" else current), point
        current = version_of(site, versions)
        assert (project_dir / ".site-staging").is_dir()  # the killed build's work is left ...
    # ... and killed at moments spread over a build, wherever they fall: the old site or the new one.
    started = time.monotonic()
    set_version(project_dir, other(current))
    assert claimsite(["build"], project_dir).returncode == 0
    current, duration = other(current), time.monotonic() - started
    for step in range(1, 6):
        new = other(current)
        set_version(project_dir, new)
        process = subprocess.Popen(
            [sys.executable, "-m", "claimsite", "build"],
            cwd=project_dir,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(duration * step / 6)
        process.kill()
        process.wait()
        assert version_of(site, versions) in {current, new}, step
        current = version_of(site, versions)
    set_version(project_dir, other(current))
    assert claimsite(["build"], project_dir).returncode == 0
    assert version_of(site, versions) == other(current)
    assert_no_staging(project_dir)  # ... and removed by the next build


def test_the_two_step_swap_is_undone_by_the_next_build(project_dir: Path, versions: dict[str, dict[str, str]]) -> None:
    """Where renameat2 cannot exchange, a kill between the two renames leaves no site/ until the next
    build, which puts the old site back even when it fails itself."""
    site = project_dir / "site"
    set_version(project_dir, "A")
    kill_at(project_dir, "moved-away")
    assert not site.exists()
    assert [p.name for p in (project_dir / ".site-staging").glob("old-*/site")] == ["site"]
    (project_dir / "docs" / "methodology.md").write_text("[broken](nowhere.md)\n", encoding="utf-8")
    assert "the MkDocs build failed" in error_line(claimsite(["build"], project_dir))
    assert version_of(site, versions) == "B"
    assert_no_staging(project_dir)
    (project_dir / "docs" / "methodology.md").write_text("# Methodology\n", encoding="utf-8")
    set_version(project_dir, "B")
    result = claimsite(["build"], project_dir, point="two-step")
    assert result.returncode == 0, result.stderr
    assert (site / "index.html").read_text(encoding="utf-8").count("Version B") == 1
    assert_no_staging(project_dir)


def test_two_builds_at_once_the_second_says_who_is_writing(
    project_dir: Path, versions: dict[str, dict[str, str]]
) -> None:
    site = project_dir / "site"
    set_version(project_dir, "A")
    with stopped_build(project_dir, "locked") as first:
        line = error_line(claimsite(["build"], project_dir))
        assert (
            line
            == f"Error: another build (process {first.pid}) is writing {site}; wait for it to finish, or {SITE_HINT}"
        )
        assert version_of(site, versions) == "B"
        first.send_signal(signal.SIGCONT)
        assert first.wait(timeout=300) == 0
    assert version_of(site, versions) == "A"
    assert_no_staging(project_dir)
    assert claimsite(["build"], project_dir).returncode == 0  # the lock went with the first build


def test_leftovers_of_a_killed_build_are_ignored_by_git(project_dir: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("needs git")
    subprocess.run(["git", "init", "-q"], cwd=project_dir, check=True)
    kill_at(project_dir, "pages")
    leftovers = [p for p in (project_dir / ".site-staging").rglob("*") if p.is_file()]
    assert any("/new-" in p.as_posix() for p in leftovers) and len(leftovers) > 10
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "docs/index.md" in status  # git does list the project's own files
    assert ".site-staging" not in status
    assert claimsite(["build"], project_dir).returncode == 0
    assert_no_staging(project_dir)


def test_the_site_folder_is_a_file(project_dir: Path) -> None:
    (project_dir / "site").write_text("not a site\n", encoding="utf-8")
    line = error_line(claimsite(["build"], project_dir))
    assert line == f"Error: {project_dir / 'site'} is a file, not a folder; remove it, or {SITE_HINT}"
    assert (project_dir / "site").read_text(encoding="utf-8") == "not a site\n"
    assert_no_staging(project_dir)


def test_the_pdf_on_a_full_device(project_dir: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    line = error_line(claimsite(["pdf", "--out", "/dev/full"], project_dir))
    hint = "write it elsewhere with --out PATH"
    assert line == f"Error: no space left on the disk that holds /dev/full; free some space, or {hint}"


@contextmanager
def tmpfs(path: Path, size_kb: int) -> Iterator[Path]:
    """A fresh tmpfs of `size_kb` at `path`, unmounted on leaving; skips the test where it cannot mount."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], check=True)


def used_kb(path: Path) -> int:
    disk = os.statvfs(path)
    return (disk.f_blocks - disk.f_bfree) * disk.f_frsize // 1024


def test_a_full_disk_keeps_the_old_site(project_dir: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "big", 256 * 1024) as big:
        assert claimsite(["build", "--site-dir", str(big / "site")], project_dir).returncode == 0
        one_site = used_kb(big)
    # Nothing fits: no site, nothing left behind.
    with tmpfs(tmp_path / "tiny", one_site // 2) as tiny:
        line = error_line(claimsite(["build", "--site-dir", str(tiny / "site")], project_dir))
        assert line == f"Error: no space left on the disk that holds {tiny / 'site'}; free some space, or {SITE_HINT}"
        assert list(tiny.iterdir()) == []
    # One site fits, not two: the second build fails, the first site stays whole.
    with tmpfs(tmp_path / "disk", one_site * 3 // 2) as disk:
        site = disk / "site"
        assert claimsite(["build", "--site-dir", str(site)], project_dir).returncode == 0
        before = manifest(site)
        set_version(project_dir, "B")
        for args in (["build"], ["build", "--offline"], ["build", "--pdf", "--offline"]):
            line = error_line(claimsite([*args, "--site-dir", str(site)], project_dir))
            assert line == f"Error: no space left on the disk that holds {site}; free some space, or {SITE_HINT}"
            assert manifest(site) == before
            assert_no_staging(disk)
        assert [p.name for p in disk.iterdir()] == ["site"]


def test_a_read_only_disk_keeps_the_old_site(project_dir: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", 64 * 1024) as disk:
        site = disk / "site"
        assert claimsite(["build", "--site-dir", str(site)], project_dir).returncode == 0
        before = manifest(site)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        line = error_line(claimsite(["build", "--site-dir", str(site)], project_dir))
        assert line == f"Error: {site} is on a read-only file system; remount it read-write, or {SITE_HINT}"
        assert manifest(site) == before
        line = error_line(claimsite(["pdf", "--out", str(site / "claims.pdf")], project_dir))
        assert line == (
            f"Error: {site / 'claims.pdf'} is on a read-only file system; remount it read-write, "
            "or write it elsewhere with --out PATH"
        )


def test_the_site_folder_is_a_mount_point(project_dir: Path) -> None:
    with tmpfs(project_dir / "site", 1024) as site:
        line = error_line(claimsite(["build"], project_dir))
        assert line == (
            f"Error: {site} is a mount point, which cannot be swapped for a new site in one step; "
            f"build into a folder inside it (--site-dir {site / 'public'}) or unmount it"
        )
        assert list(site.iterdir()) == []
        assert_no_staging(project_dir)


def test_a_busy_site_folder_keeps_the_old_site(project_dir: Path, tmp_path: Path) -> None:
    """A bind mount from the same file system is not seen as a mount point beforehand: the swap itself
    is refused (EBUSY), after the whole build, and that is one line too."""
    elsewhere, site = tmp_path / "elsewhere", project_dir / "site"
    elsewhere.mkdir()
    (elsewhere / "previous.txt").write_text("old site\n", encoding="utf-8")
    site.mkdir()
    if subprocess.run(["mount", "--bind", str(elsewhere), str(site)], capture_output=True).returncode != 0:
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        line = error_line(claimsite(["build"], project_dir))
        assert line == (
            f"Error: {site} is busy (a mount point, or in use by another program); "
            f"unmount it or stop that program, or {SITE_HINT}"
        )
        assert [p.name for p in site.iterdir()] == ["previous.txt"]
        assert_no_staging(project_dir)
    finally:
        subprocess.run(["umount", str(site)], check=True)


def test_any_command_ends_a_file_system_fault_in_one_line(project_dir: Path) -> None:
    (project_dir / "a-file").write_text("in the way\n", encoding="utf-8")
    line = error_line(claimsite(["generate", "--out", "a-file/generated"], project_dir))
    assert line == (
        f"Error: a file is in the way of {project_dir / 'a-file' / 'generated' / 'docs'}, where a folder is needed; "
        "remove or rename it"
    )


def without_permission_override() -> list[str]:
    """A command prefix under which permissions apply: nothing for a user, setpriv for root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root ignores permissions; needs setpriv to drop that")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_no_permission_to_write_beside_the_site(project_dir: Path, tmp_path: Path) -> None:
    prefix = without_permission_override()
    locked = tmp_path / "locked"
    locked.mkdir()
    assert claimsite(["build", "--site-dir", str(locked / "site")], project_dir).returncode == 0
    before = manifest(locked / "site")
    locked.chmod(0o555)
    try:
        line = error_line(claimsite(["build", "--site-dir", str(locked / "site")], project_dir, prefix=prefix))
        assert line == (
            f"Error: permission denied writing {locked / 'site'} ({locked / '.site-staging'}); "
            f"make {locked} writable for this user, or {SITE_HINT}"
        )
        line = error_line(claimsite(["pdf", "--out", str(locked / "claims.pdf")], project_dir, prefix=prefix))
        assert re.fullmatch(
            rf"Error: permission denied writing {re.escape(str(locked / 'claims.pdf'))} "
            rf"\({re.escape(str(locked))}/\.claims\.pdf\.\w+\.partial\); "
            rf"make {re.escape(str(locked))} writable for this user, or write it elsewhere with --out PATH",
            line,
        ), line
    finally:
        locked.chmod(0o755)
    assert manifest(locked / "site") == before
    assert sorted(p.name for p in locked.iterdir()) == ["site"]


def test_an_index_pagefind_could_not_finish_is_refused(built_site: Path, tmp_path: Path) -> None:
    """Pagefind 1.5 writes empty files on a full disk and reports success: the build must not."""
    from claimsite.search import SearchIndexError, check_bundle, write_index

    bundle = tmp_path / "pagefind"
    shutil.copytree(built_site / "pagefind", bundle)
    check_bundle(bundle)
    next(bundle.glob("fragment/*.pf_fragment")).write_bytes(b"")
    with pytest.raises(SearchIndexError, match=r"Pagefind wrote an incomplete index: .*\.pf_fragment is empty"):
        check_bundle(bundle)
    with tmpfs(tmp_path / "disk", 64 * 1024) as disk:
        site = disk / "site"
        shutil.copytree(built_site, site, ignore=shutil.ignore_patterns("pagefind"))
        disk_left = os.statvfs(disk)
        filler = disk_left.f_bavail * disk_left.f_frsize - 16 * 1024  # room for a few of its files, not all
        subprocess.run(["fallocate", "-l", str(filler), str(disk / "filler")], check=True)
        with pytest.raises(OSError, match="No space left on device") as raised:
            write_index(site)
        assert raised.value.filename.startswith(f"{site}/.pagefind-")
        assert not (site / "pagefind").exists() and not list(site.glob(".pagefind-*"))
