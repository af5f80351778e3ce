"""`claimsite check`: every invalid fixture yields exactly its expected messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import INVALID, TODAY, VALID
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsite.cli import main
from claimsite.load import parse_text
from claimsite.project import load_project

CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_invalid_fixture_reports_exact_messages(case: str) -> None:
    folder = INVALID / case
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    project = load_project([folder], base=folder, today=TODAY)
    assert [str(p) for p in project.problems] == expected
    assert expected, "an invalid fixture must expect at least one message"


def test_valid_fixtures_are_clean() -> None:
    project = load_project([VALID], base=VALID, today=TODAY)
    assert project.problems == []
    assert sorted(project.claims) == ["hostile-text", "leaked-order", "voice-attribution"]
    assert sorted(project.entities) == ["bypol", "karpyankou", "mvd-belarus"]


def test_dates_keep_their_precision() -> None:
    project = load_project([VALID], base=VALID, today=TODAY)
    assert str(project.claims["voice-attribution"].data.date) == "2021-01"
    assert project.claims["voice-attribution"].data.date.precision == "month"
    assert str(project.claims["hostile-text"].data.date) == "2020"
    assert project.claims["leaked-order"].data.sources[1].published == "undated"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimsite", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def test_cli_exit_codes_and_summary() -> None:
    clean = run(["check", str(VALID)], VALID)
    assert clean.returncode == 0
    assert clean.stdout.strip().splitlines()[-1] == "ok: 3 claims, 3 entities"
    bad = run(["check", "."], INVALID / "values")
    assert bad.returncode == 1
    assert bad.stdout.strip().splitlines()[-1] == "11 problems in 1 file"
    assert bad.stdout.startswith("bad-values.yaml:3:9: status: 'proven' is not allowed")
    usage = run(["check", "--format", "xml"], VALID)
    assert usage.returncode == 2
    missing = run(["check", "no-such-folder"], VALID)
    assert missing.returncode == 2
    assert "Traceback" not in bad.stderr + usage.stderr + missing.stderr


def test_github_format_annotates_lines() -> None:
    result = CliRunner().invoke(main, ["check", "--format", "github", str(INVALID / "duplicate-keys")])
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]  # stderr says which rules this repository's mkdocs.yml turns off
    assert first.startswith("::error file=")
    assert first.endswith(
        "twice.yaml,line=16,col=1,title=no-duplicate-keys::duplicate key 'status' (first set on line 3); keep one"
    )


def test_github_format_escapes_newlines_and_commas() -> None:
    from claimsite.problems import Problem
    from claimsite.report import format_problems

    text = format_problems([Problem("a,b.yaml", 1, 2, "50% bad\nnext")], "github")
    assert text == "::error file=a%2Cb.yaml,line=1,col=2::50%25 bad\\nnext"


def test_json_format_is_a_list_of_objects() -> None:
    result = CliRunner().invoke(main, ["check", "--format", "json", str(INVALID / "rules")])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {d["severity"] for d in data} == {"error", "warning"}
    assert all(set(d) == {"path", "line", "col", "severity", "rule", "message"} for d in data)


def test_warnings_fail_only_under_strict(tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path, dirs_exist_ok=True)
    claim = tmp_path / "voice-attribution.yaml"
    claim.write_text(claim.read_text(encoding="utf-8").replace("    publisher: UDF.by\n", ""), encoding="utf-8")
    relaxed = CliRunner().invoke(main, ["check", str(tmp_path)])
    strict = CliRunner().invoke(main, ["check", "--strict", str(tmp_path)])
    assert "warning: sources[0] has no publisher" in relaxed.output
    assert (relaxed.exit_code, strict.exit_code) == (0, 1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_problems_not_exceptions(text: str) -> None:
    doc = parse_text("x.yaml", text)
    for problem in doc.problems:
        assert problem.line >= 1 and problem.col >= 1


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    doc = parse_text("bomb.yaml", "\n".join(lines))
    assert [p.message for p in doc.problems] == [
        "anchors and aliases (&name, *name) are not allowed; write the value out"
    ]


def test_deep_nesting_is_refused_without_a_traceback() -> None:
    doc = parse_text("deep.yaml", "a: " + "[" * 990 + "]" * 990)
    assert [str(p) for p in doc.problems] == [
        "deep.yaml:1:24: values nest more than 20 levels deep; a claim needs at most four [nesting-limit]"
    ]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("title: " + "x" * 300_000, encoding="utf-8")
    project = load_project([tmp_path], base=tmp_path)
    assert [p.message for p in project.problems] == ["file is 300007 bytes; the limit is 262144; split the claim"]


def test_symbolic_links_are_refused_and_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("title: the secret\n", encoding="utf-8")
    claims = tmp_path / "claims"
    (claims / "entities").mkdir(parents=True)
    (claims / "leak.yaml").symlink_to(secret)
    (claims / "more").symlink_to(tmp_path)
    project = load_project([claims], base=tmp_path)
    assert [str(p) for p in project.problems] == [
        "claims/leak.yaml:1:1: symbolic links are not allowed; commit the file itself [no-symbolic-links]",
        "claims/more:1:1: symbolic links are not allowed; commit the file itself [no-symbolic-links]",
    ]
