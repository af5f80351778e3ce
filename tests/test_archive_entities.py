"""Entities' sources (people's and organisations' files, `claims/entities/`) in `sources archive`
(local, in Debian's headless Chromium, and `--public` against the fake Save Page Now), `--patch` and
`sources verify`, beside a claim's; `--entity ID` alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_archive import run as run_in
from test_archive import serving, write_claim
from test_public import KEYS, FakeSpn, VirtualClock
from test_public import serving as spn_serving

from claimsite.archive.package import sha256_file
from claimsite.cli import main

pytestmark = pytest.mark.browser

STORE = Path(".claimsite") / "captures"


def write_entity(folder: Path, base: str) -> Path:
    path = folder / "claims" / "entities" / "the-ministry.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "kind: organisation\nname: The Ministry\nrole: A ministry.\nsources:\n"
        f"  - url: {base}/article\n    title: A profile\n    language: en\n"
        f"  - url: {base}/other\n    title: Another profile\n    language: en\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Result]]:
    folder = tmp_path_factory.mktemp("entities")
    with serving() as base:
        write_claim(folder, base)
        write_entity(folder, base)
        yield folder, run_in(folder, "sources", "archive", "--patch", "capture.patch", "--operator", "tester")


def entity_captures(project: Path) -> list[Path]:
    return sorted((project / STORE / "_entities" / "the-ministry").glob("*/*/record.json"))


def test_entity_sources_are_captured_beside_the_claims(archived: tuple[Path, Result]) -> None:
    project, result = archived
    assert result.exit_code == 0, result.output
    assert "6 of 6 sources captured" in result.output
    records = [json.loads(path.read_text()) for path in entity_captures(project)]
    assert len(records) == 2
    assert {r["entity"] for r in records} == {"the-ministry"} and all("claim" not in r for r in records)
    assert all(r["source"].startswith("url-") and len(r["source"]) == 16 for r in records)
    entries = [json.loads(line) for line in (project / STORE / "custody.jsonl").read_text().splitlines()]
    assert sum(e.get("entity") == "the-ministry" for e in entries if e["event"] == "capture") == 2


def test_the_patch_names_the_entity_captures(archived: tuple[Path, Result]) -> None:
    project, _ = archived
    patch = (project / "capture.patch").read_text()
    assert "+++ b/claims/entities/the-ministry.yaml" in patch
    for path in entity_captures(project):
        assert f"+    capture: sha256:{sha256_file(path)}\n" in patch


def test_verify_holds_then_catches_a_tampered_entity_capture(archived: tuple[Path, Result], tmp_path: Path) -> None:
    import shutil
    import subprocess

    project, _ = archived
    copy = tmp_path / "p"
    shutil.copytree(project, copy)
    applied = subprocess.run(["git", "apply", "capture.patch"], cwd=copy, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    result = run_in(copy, "sources", "verify", "--no-log")
    assert result.exit_code == 0, result.output
    assert "6 held, 0 did not hold, 0 not captured" in result.output
    assert "claims/entities/the-ministry.yaml:" in result.output
    (text,) = [p.parent / "text.txt" for p in entity_captures(copy) if "/article" in p.read_text()]
    text.write_text(text.read_text() + "x")
    result = run_in(copy, "sources", "verify", "--no-log")
    assert result.exit_code == 1
    assert "5 held, 1 did not hold" in result.output
    assert "text.txt does not match its SHA-256" in result.output


def test_entity_alone(tmp_path: Path) -> None:
    with serving() as base:
        write_claim(tmp_path, base)
        write_entity(tmp_path, base)
        result = run_in(tmp_path, "sources", "archive", "--entity", "the-ministry")
        assert result.exit_code == 0, result.output
        assert "2 of 2 sources captured" in result.output
        assert not (tmp_path / STORE / "evidence").exists() and len(entity_captures(tmp_path)) == 2
        unknown = run_in(tmp_path, "sources", "archive", "--entity", "nobody")
        assert unknown.exit_code != 0 and "Error: no entity 'nobody'" in unknown.output
        both = run_in(tmp_path, "sources", "archive", "--entity", "the-ministry", "--claim", "evidence")
        assert both.exit_code != 0 and "Error: give --claim ID or --entity ID, not both" in both.output


def test_public_copies_of_entity_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeSpn(VirtualClock())
    entity = tmp_path / "claims" / "entities" / "the-ministry.yaml"
    entity.parent.mkdir(parents=True)
    entity.write_text(
        "kind: organisation\nname: The Ministry\nrole: A ministry.\nsources:\n"
        "  - url: https://news.example/article\n    title: A profile\n    language: en\n"
        "  - url: https://news.example/witness\n    title: A witness\n    language: en\n"
        "    archive_publicly: false\n",
        encoding="utf-8",
    )
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    with spn_serving(fake) as base:
        monkeypatch.setattr("claimsite.archive.public._sleep", fake.clock.sleep)
        monkeypatch.setattr("claimsite.archive.public._now", fake.clock)
        args = ["sources", "archive", "--public", "--entity", "the-ministry", "--spn-api", base]
        result: Result = CliRunner().invoke(main, [*args, "--patch", "p.patch", "--operator", "t"])
    assert result.exit_code == 0, result.output
    assert "skipped: archive_publicly: false" in result.output
    assert "1 of 2 sources have a checked public copy, 1 skipped" in result.output
    patch = (tmp_path / "p.patch").read_text()
    assert "+++ b/claims/entities/the-ministry.yaml" in patch and patch.count("+    archive_url:") == 1
    entries = [json.loads(line) for line in (tmp_path / STORE / "custody.jsonl").read_text().splitlines()]
    assert any(e["event"] == "public-submission" and e.get("entity") == "the-ministry" for e in entries)
