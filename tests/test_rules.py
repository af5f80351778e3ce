"""The rule registry: every rule has an id, a sentence, an invalid fixture that names it, and a
place on the methodology page; projects can change severities in mkdocs.yml."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import INVALID, ROOT, TODAY

import claimsite.project
import claimsite.rules.links  # declares the link rules (sources check)
import claimsite.rules.version  # declares the diff's rules
from claimsite.problems import Severity
from claimsite.project import load_project
from claimsite.rules import RULES, RuleConfig, RuleConfigError, Scope

RULE_ID = re.compile(r"\[([a-z0-9]+(?:-[a-z0-9]+)*)\]$")


def _named_in_fixtures() -> set[str]:
    named = set()
    for expected in [*INVALID.glob("*/expected.txt"), *(ROOT / "tests" / "fixtures" / "diff").glob("*/expected.txt")]:
        for line in expected.read_text(encoding="utf-8").splitlines():
            match = RULE_ID.search(line)
            if match:
                named.add(match.group(1))
    return named


def _too_large(folder: Path) -> list[Path]:
    (folder / "huge.yaml").write_text("# padding\n" * 30_000, encoding="utf-8")
    return [folder]


def _symbolic_link(folder: Path) -> list[Path]:
    (folder / "target.txt").write_text("secret", encoding="utf-8")
    (folder / "link.yaml").symlink_to(folder / "target.txt")
    return [folder]


def _special_files(folder: Path) -> list[Path]:
    os.mkfifo(folder / "fifo.yaml")  # opening it for reading would wait for a writer forever
    (folder / "folder.yaml").mkdir()
    (folder / "folder.yaml" / "inside.yaml").write_text("title: never read\n", encoding="utf-8")
    return [folder]


def _vanished(folder: Path) -> list[Path]:
    return [folder / "gone.yaml"]  # listed, then deleted before it was read


GENERATED = {
    "file-size-limit": (
        _too_large,
        ["huge.yaml:1:1: file is 300000 bytes; the limit is 262144; split the claim [file-size-limit]"],
    ),
    "no-symbolic-links": (
        _symbolic_link,
        ["link.yaml:1:1: symbolic links are not allowed; commit the file itself [no-symbolic-links]"],
    ),
    "regular-file": (
        _special_files,
        [
            "fifo.yaml:1:1: this is a FIFO (named pipe), not a claim file; remove it or rename it without .yaml"
            " [regular-file]",
            "folder.yaml:1:1: this is a folder, not a claim file; remove it or rename it without .yaml [regular-file]",
        ],
    ),
    "file-readable": (_vanished, ["gone.yaml:1:1: cannot read the file: No such file or directory [file-readable]"]),
}
"""Fixtures that cannot be committed (too large, links, vanished files): built by the test below."""


@pytest.mark.parametrize("rule_id", sorted(GENERATED))
def test_generated_fixture_reports_exact_messages(rule_id: str, tmp_path: Path) -> None:
    build, expected = GENERATED[rule_id]
    project = load_project(build(tmp_path), base=tmp_path, today=TODAY)
    assert [str(p) for p in project.problems] == expected


def test_every_rule_has_an_invalid_fixture_that_names_it() -> None:
    # checker-failed is claimsite's own bug: no file can produce it (tests/test_hostile.py makes sure).
    # Link rules need a server, not a file: tests/test_sources.py produces each one.
    links = {rule.id for rule in RULES.values() if rule.scope is Scope.LINK}
    missing = sorted(set(RULES) - _named_in_fixtures() - set(GENERATED) - links - {claimsite.project.CHECKER_FAILED.id})
    assert not missing, f"rules without a fixture in tests/fixtures/*/*/expected.txt: {missing}"


def test_every_fixture_names_a_known_rule() -> None:
    unknown = sorted(_named_in_fixtures() - set(RULES))
    assert not unknown, unknown


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_an_id_and_a_sentence(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", rule.id)
    assert rule.doc.endswith(".") and len(rule.doc.split()) >= 4, rule.doc
    assert rule.scope in Scope


def test_every_problem_names_its_rule() -> None:
    for folder in sorted(p for p in INVALID.iterdir() if p.is_dir()):
        project = load_project([folder], base=folder, today=TODAY)
        assert all(p.rule in RULES for p in project.problems), folder.name


def test_a_rule_can_be_turned_off_or_made_an_error() -> None:
    folder = INVALID / "evidence"
    before = load_project([folder], base=folder, today=TODAY)
    assert {p.rule for p in before.problems} >= {"corroborated-needs-two-origins", "document-cited-once"}
    config = RuleConfig.parse({"corroborated-needs-two-origins": False, "document-cited-once": "error"})
    after = load_project([folder], base=folder, today=TODAY, rules=config)
    assert "corroborated-needs-two-origins" not in {p.rule for p in after.problems}
    assert [p.severity for p in after.problems if p.rule == "document-cited-once"] == [Severity.ERROR]
    assert len(after.problems) == len(before.problems) - 1
    assert config.off == ["corroborated-needs-two-origins"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"corroborated-needs-two-origin": "off"},
            "no rule 'corroborated-needs-two-origin'; did you mean 'corroborated-needs-two-origins'?",
        ),
        ({"yaml-syntax": "off"}, "rule 'yaml-syntax' cannot be changed"),
        ({"quote-short": "sometimes"}, "'sometimes' is not a setting; use one of: error, warning, off"),
        (["quote-short"], "must be a mapping of rule ids"),
    ],
)
def test_a_bad_rules_setting_is_refused_with_a_reason(raw: object, message: str) -> None:
    with pytest.raises(RuleConfigError, match=re.escape(message)):
        RuleConfig.parse(raw)


DIFF_CASES = sorted(p for p in (ROOT / "tests" / "fixtures" / "diff").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", DIFF_CASES, ids=lambda p: p.name)
def test_version_fixture_reports_exact_messages(case: Path) -> None:
    from claimsite.diff import read_version
    from claimsite.model import Claim
    from claimsite.rules.version import check_versions

    old = read_version("before.yaml", (case / "before.yaml").read_bytes(), Claim)
    new = read_version("after.yaml", (case / "after.yaml").read_bytes(), Claim)
    assert isinstance(old.record, Claim) and isinstance(new.record, Claim)
    problems = check_versions("after.yaml", old.record, new.record, new.doc)
    assert [str(p) for p in problems] == (case / "expected.txt").read_text(encoding="utf-8").splitlines()
