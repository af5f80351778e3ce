"""The PDF edition built incrementally: typeset parts are cached by the SHA-256 of their inputs.

Real typst runs: the fixtures in one-claim parts (three parts), a clean build compared byte for byte
with a cached rebuild after one claim was edited.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TODAY, VALID

from claimsite.catalog import Catalog
from claimsite.cli import main
from claimsite.pdf import LAYOUT_FILE, EditionInfo, claims_in_order, make_pdf, part_data, part_source, split_parts
from claimsite.pdf_engine import Compiler, lay_out
from claimsite.project import load_project

EDITION = EditionInfo(title="Fixture claims", date=dt.date(2026, 11, 25), revision="abc1234")


def build(claims: Path, cache: Path | None) -> tuple[bytes, int | None]:
    project = load_project([claims], today=TODAY)
    assert not project.errors(), project.problems
    result = make_pdf(Catalog(project), EDITION, cache=cache, chunk=1)
    return result.data, result.parts_typeset


def edit_statement(claims: Path, cid: str, words: str) -> None:
    path = claims / f"{cid}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nstatus:" in text
    path.write_text(text.replace("\nstatus:", f" {words}\nstatus:", 1), encoding="utf-8")


@pytest.fixture
def claims(tmp_path: Path) -> Path:
    return shutil.copytree(VALID, tmp_path / "claims")


def test_a_rebuild_after_editing_one_claim_retypesets_its_part_only_and_equals_a_clean_build(
    claims: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, typeset = build(claims, cache)
    assert typeset is not None and typeset >= 3  # three parts, each at least once
    assert (cache / LAYOUT_FILE).is_file() and len(list(cache.glob("*.pdf"))) == 4  # one edition kept
    joined = list(cache.glob("joined-*.pdf"))
    assert len(joined) == 1 and joined[0].read_bytes() == first  # its parts, and the file they make

    again, typeset = build(claims, cache)
    assert (again, typeset) == (first, 0)
    joined[0].write_bytes(b"%PDF-1.7 not this")  # the joined file is read back, not joined again...
    assert build(claims, cache) == (first, 0)  # ...unless its hash says it is not the one written

    edit_statement(claims, "voice-attribution", "Edited once.")
    cached, typeset = build(claims, cache)
    assert list(cache.glob("joined-*.pdf")) != joined  # the edition's parts changed: joined again
    # The claim's part, and the first: the cover prints the manifest's hash, which lists the claim's
    # file. The middle part prints nothing that changed.
    assert typeset == 2
    clean, _ = build(claims, None)
    assert cached == clean != first


def test_laying_out_a_part_finds_the_pages_typesetting_it_does() -> None:
    """The first round of a clean build only lays parts out (a typst query); its page count and
    heading pages must be those of the typeset part, or the next round would print wrong numbers."""
    project = load_project([VALID], today=TODAY)
    site = Catalog(project)
    parts = split_parts(claims_in_order(site), 2)
    for part in parts:
        source = part_source(part_data(site, EDITION, part, {}, 7))
        typeset = Compiler(0).typeset(part.headings(), source)
        assert lay_out(source) == typeset.layout
        assert typeset.layout.pages > 1 and len(typeset.layout.heading_pages) == len(part.headings())


def test_the_key_covers_every_input_of_a_part() -> None:
    compiler = Compiler(0)
    key = compiler.key("= Source")
    assert compiler.key("= Source ") != key  # the source, template included
    assert Compiler(1).key("= Source") != key  # the compiler's clock
    assert Compiler(0, tagged=False).key("= Source") != key  # the options
    assert Compiler(0, cache=Path("elsewhere")).key("= Source") == key  # not where the cache is


def test_a_damaged_cache_entry_is_typeset_again(claims: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, _ = build(claims, cache)
    victim = sorted(cache.glob("*.pdf"))[0]
    victim.write_bytes(victim.read_bytes()[:100])
    (cache / LAYOUT_FILE).write_text("{not json", encoding="utf-8")
    rebuilt, typeset = build(claims, cache)
    assert rebuilt == first and typeset is not None and typeset >= 1


def test_claimsite_pdf_uses_the_cache_folder_it_is_given(claims: Path, tmp_path: Path) -> None:
    cache, out = tmp_path / "parts", tmp_path / "out.pdf"
    runner = CliRunner()
    env = {"SOURCE_DATE_EPOCH": "1764028800"}
    args = ["pdf", "--claims", str(claims), "-o", str(out)]
    done = runner.invoke(main, [*args, "--cache", str(cache)], env=env)
    assert done.exit_code == 0, done.output
    assert len(list(cache.glob("*.pdf"))) >= 1
    cached = out.read_bytes()
    done = runner.invoke(main, [*args, "--no-cache"], env=env)
    assert done.exit_code == 0, done.output
    assert out.read_bytes() == cached
