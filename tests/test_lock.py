"""The lock files: every package `make`, .ci/run and CI install, pinned, with the hash of every file.

`make lock` writes them from pyproject.toml; these tests fail when one falls behind it.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from conftest import ROOT
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = ROOT / "requirements.lock"
BENCH_LOCK = ROOT / "requirements-bench.lock"
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


class Locked(NamedTuple):
    version: str
    marker: Marker | None
    hashes: frozenset[str]


def read_lock(path: Path) -> dict[str, Locked]:
    """`name==version [; marker] --hash=sha256:... ...`, one entry over continued lines, comments aside."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    entries: dict[str, Locked] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement, *options = re.split(r"\s+--hash=", line)
        hashes = frozenset(h.removeprefix("sha256:") for h in options if re.fullmatch(r"sha256:[0-9a-f]{64}", h))
        assert len(hashes) == len(options), f"{path.name}: a hash that is not sha256: {line[:80]}"
        name, _, marker = requirement.partition(";")
        match = re.fullmatch(r"([a-z0-9-]+)==(\S+)", name.strip())
        assert match, f"{path.name}: not pinned with == under a normalised name: {line[:80]}"
        entries[match[1]] = Locked(match[2], Marker(marker) if marker.strip() else None, hashes)
    return entries


def requirements(*extras: str) -> list[Requirement]:
    """The project's dependencies, those of the named extras, and its build backend."""
    project = PYPROJECT["project"]
    texts = [*project["dependencies"], *PYPROJECT["build-system"]["requires"]]
    texts += [text for extra in extras for text in project["optional-dependencies"][extra]]
    return [Requirement(text) for text in texts]


LOCKS = {LOCK: ("test",), BENCH_LOCK: ("test", "bench")}


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: p.name)
def test_every_package_has_hashes(path: Path) -> None:
    entries = read_lock(path)
    assert len(entries) > 40
    assert [name for name, entry in entries.items() if not entry.hashes] == []


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: p.name)
def test_the_lock_agrees_with_pyproject(path: Path) -> None:
    """Every requirement is locked, at the version pyproject.toml pins (DESIGN.md: mkdocs==1.6.1, ...)."""
    entries = read_lock(path)
    for requirement in requirements(*LOCKS[path]):
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{requirement} is not in {path.name}: run make lock"
        assert requirement.specifier.contains(entries[name].version), (
            f"{path.name} has {name}=={entries[name].version}, pyproject.toml asks {requirement}: run make lock"
        )


def test_the_lock_is_the_bench_lock_less_the_bench_extra() -> None:
    main, bench = read_lock(LOCK), read_lock(BENCH_LOCK)
    assert {name: bench[name] for name in main} == main  # same versions, same hashes
    names = {canonicalize_name(r.name) for r in requirements("bench")} - {
        canonicalize_name(r.name) for r in requirements()
    }
    assert names and names <= set(bench) - set(main)
    assert "hugo" not in main  # `make test` does not install the benchmark's baselines


def test_the_lock_is_closed_under_dependencies() -> None:
    """Walk the installed packages' own requirements from pyproject's: each one met here is locked.

    `pip install --require-hashes` refuses an unlocked dependency; this says which, before a fresh install.
    """
    entries = read_lock(LOCK)
    todo = [(r, frozenset(r.extras)) for r in requirements("test")]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement, extras = todo.pop()
        name = canonicalize_name(requirement.name)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        assert name in entries, f"{name} is needed but not in {LOCK.name}: run make lock"
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{name} is locked but not installed: run make")
        for text in requires:
            child = Requirement(text)
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in extras or {""}):
                todo.append((child, frozenset(child.extras)))
    assert {"pagefind-bin", "pydantic-core", "setuptools"} <= {name for name, _ in seen}


def test_make_installs_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\n$(STAMP): ", 1)[1].split("\n\n", 1)[0]
    prerequisites = recipe.splitlines()[0].split()
    assert prerequisites == ["pyproject.toml", "$(LOCK)"]  # a new lock reinstalls
    assert "$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)" in recipe
    assert "$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e ." in recipe
    assert "install --upgrade" not in recipe  # nothing unhashed
    assert "\nLOCK := requirements.lock\n" in makefile
    assert "\nlock: $(UV)\n" in makefile
    # one resolution for every platform and CPython from 3.11.5, the oldest the pins allow
    assert "--universal --python-version 3.11.5 --generate-hashes" in makefile
    bench = makefile.split("\n$(BENCH_STAMP): ", 1)[1].split("\n\n", 1)[0]
    assert "--require-hashes -r $(BENCH_LOCK)" in bench
