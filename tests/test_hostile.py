"""Hostile input through the public check path: values the model cannot hold, tags, control and escape
characters, and generated YAML. Each gives problems with a position, never a traceback, and the rest
of the folder is still checked; nothing a file holds reaches a terminal or a log as a control sequence.

The exact messages for each converter's failure modes are in tests/fixtures/invalid/converters/."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
from pathlib import Path

import frictionless
import pytest
import yaml
from click.testing import CliRunner
from conftest import INVALID, TODAY, VALID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from claimsite.catalog import Catalog
from claimsite.cli import main
from claimsite.model import Loaded
from claimsite.outputs.datapackage import package_files
from claimsite.outputs.tables import FORMULA_TRIGGERS, neutralise
from claimsite.problems import Problem, Severity
from claimsite.project import CHECKER_FAILED, Job, Project, _cross_file_problems, _load_file, load_project
from claimsite.report import format_problems
from claimsite.rules.project import ProjectFacts
from claimsite.text import visible
from claimsite.write import write_tree

LINE = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<col>\d+): (warning: )?.+ \[[a-z0-9-]+\]$")
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _check(*paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--strict", *map(str, paths)])  # warnings count too
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.mark.parametrize("case", sorted(p.name for p in INVALID.iterdir() if p.is_dir()))
def test_every_invalid_fixture_fails_the_cli_with_positioned_lines(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # default rule settings: no project's mkdocs.yml turns any off
    code, output = _check(INVALID / case)
    lines = output.splitlines()
    assert code == 1
    assert "Traceback" not in output
    assert lines[-1].endswith(("file", "files"))  # the count
    assert all(LINE.match(line) for line in lines[:-1]), lines


def test_a_bad_file_does_not_stop_the_rest_of_the_folder(tmp_path: Path) -> None:
    shutil.copytree(VALID, tmp_path, dirs_exist_ok=True)
    for bad in (INVALID / "converters").glob("*.yaml"):
        shutil.copy(bad, tmp_path / bad.name)
    project = load_project([tmp_path], base=tmp_path, today=TODAY)
    failed = {Path(p.path).name for p in project.problems}
    assert failed == {p.name for p in (INVALID / "converters").glob("*.yaml")}
    assert sorted(project.claims) == ["hostile-text", "leaked-order", "voice-attribution"]


def test_a_checker_failure_is_the_files_problem_and_the_check_goes_on(tmp_path: Path) -> None:
    # No file can make the checker fail once the rest of this suite passes; a job the checker cannot
    # handle stands in for the bug a future rule might have.
    path = tmp_path / "claim.yaml"
    shutil.copy(VALID / "leaked-order.yaml", path)
    broken = Job(path, "claim.yaml", "claim.yaml", False, "today", True)  # type: ignore[arg-type]
    result = _load_file(broken)
    assert [(p.rule, p.path, p.line) for p in result.problems] == [(CHECKER_FAILED.id, "claim.yaml", 1)]
    assert "bug in claimsite" in result.problems[0].message


def test_a_failing_cross_file_rule_leaves_the_others_running() -> None:
    facts = ProjectFacts()
    facts.claims = None  # type: ignore[assignment]  # every cross-file rule fails on this
    problems = _cross_file_problems(facts, {})
    assert problems and {p.rule for p in problems} == {CHECKER_FAILED.id}
    assert len(problems) == len({p.path for p in problems})  # one per rule, each naming it


# --------------------------------------------------------------------------- terminals and logs

UNSAFE_TEXT = [
    "\x1b[2J\x1b[31mred",
    "a\nfile.yaml:1:1: forged problem",
    "\u202eexe.yaml",
    "bell\x07",
    "csi\x9b1m",
    "##[error]old runner syntax",
    "x\r::error::pwned",
]


@pytest.mark.parametrize("text", UNSAFE_TEXT)
def test_text_reaching_a_terminal_or_log_is_escaped(text: str) -> None:
    for leading in (f"::{text}", f"  ::{text}"):  # a file checked by its own name starts the line
        assert not str(Problem(leading, 1, 1, "x")).lstrip().startswith("::")
    problem = Problem(f"claims/{text}.yaml", 3, 4, f"unknown field '{text}'", Severity.WARNING, "known-fields")
    for fmt in ("text", "github"):
        shown = format_problems([problem], fmt)
        assert not TERMINAL_UNSAFE.search(shown), (fmt, shown)
        assert len(shown.splitlines()) == 1
        assert "##[" not in shown  # GitHub's runner takes its old command syntax anywhere in a line
    assert visible(text).replace("##[", "##\\[") in str(problem)
    assert "\\" in str(problem).removesuffix(" [known-fields]").split(": ", 1)[1]  # escaped, never raw


def test_a_file_name_with_escape_sequences_is_shown_escaped(tmp_path: Path) -> None:
    shutil.copytree(VALID / "entities", tmp_path / "entities")
    name = "red\x1b[31m\u202e.yaml"
    (tmp_path / name).write_text('title: "x \\e[2J"\n', encoding="utf-8")
    code, output = _check(tmp_path)
    assert code == 1
    assert not TERMINAL_UNSAFE.search(output)
    assert "red\\x1b[31m\\u202e.yaml" in output


# --------------------------------------------------------------------------- generated YAML

SNIPPETS = [
    "!!int abc",
    "!!int 12",
    "!!str 5",
    "!!float 1e999",
    "!!binary aGk=",
    "!!timestamp 2020-13-45",
    "!!python/object:os.system {}",
    "!!python/tuple [a]",
    "!!set {a: null}",
    "!!omap [a: 1]",
    "!custom x",
    "! x",
    "0000",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2020-02-30",
    "2020-00",
    "1" * 30,
    "-" + "9" * 19,
    "1_000",
    "0x1F",
    "~",
    "yes",
    "''",
    '"\\e[31m"',
    '"\\0"',
    '"\\x9b"',
    '"\\u2028"',
    '"\\N"',
    "a\u2028b",
    "a\u0085b",
    "&anchor x",
    "*anchor",
    "[a, [b, [c, [d]]]]",
    "{a: 1, a: 2}",
    "{}",
    "[]",
    "x" * 5000,
    "https://example.org/" + "a" * 3000,
    "<script>alert(1)</script>",
    "'#set page(fill: red)'",
]
"""Values that have made converters or rules raise in other checkers, or could."""

VALID_LINES = (VALID / "leaked-order.yaml").read_text(encoding="utf-8").splitlines()
VALUE_LINE = re.compile(r"^(\s*(?:- )?[a-z_]+: )(?!\||>)(.+)$")
MUTABLE = [index for index, line in enumerate(VALID_LINES) if VALUE_LINE.match(line)]


def _mutated(replacements: list[tuple[int, str]], extra: list[tuple[str, str]]) -> str:
    lines = list(VALID_LINES)
    for choice, snippet in replacements:
        index = MUTABLE[choice % len(MUTABLE)]
        match = VALUE_LINE.match(lines[index])
        if match:  # (a line already replaced may no longer look like one)
            lines[index] = match.group(1) + snippet
    lines += [f"{key}: {value}" for key, value in extra]
    return "\n".join(lines) + "\n"


def _assert_positioned(text: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copytree(VALID, folder, dirs_exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
        project = load_project([folder], base=folder, today=TODAY)
    last_line = text.count("\n") + 1
    for problem in project.problems:
        assert problem.rule != CHECKER_FAILED.id, problem
        assert problem.path == name, problem
        assert 1 <= problem.line <= last_line and problem.col >= 1, problem


KEYS = st.sampled_from(["title", "date", "tags", "people", "status", "confidence", "z", "~", "1", "<<"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(SNIPPETS) | st.text(max_size=40)), max_size=4),
    st.lists(st.tuples(KEYS, st.sampled_from(SNIPPETS)), max_size=2),
)
def test_generated_claims_give_positioned_problems_not_exceptions(
    replacements: list[tuple[int, str]], extra: list[tuple[str, str]]
) -> None:
    _assert_positioned(_mutated(replacements, extra), "leaked-order.yaml")


YAML_DATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.dates().map(str),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS | st.text(max_size=10), YAML_DATA, max_size=8))
def test_generated_mappings_give_positioned_problems_not_exceptions(data: dict[str, object]) -> None:
    _assert_positioned(yaml.safe_dump(data, allow_unicode=True, width=60), "generated.yaml")


def test_the_mutated_claims_reach_the_claim_rules() -> None:
    # The property tests above are only as strong as the rules they reach: a mutated valid claim
    # gets past parsing and the schema to the claim rules, with the other fixtures beside it.
    date_line = next(i for i in MUTABLE if VALID_LINES[i].startswith("date:"))
    text = _mutated([(MUTABLE.index(date_line), "2099-01-01")], [])
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copytree(VALID, folder, dirs_exist_ok=True)
        (folder / "leaked-order.yaml").write_text(text, encoding="utf-8")
        problems = load_project([folder], base=folder, today=TODAY).problems
    assert [(p.path, p.rule) for p in problems] == [("leaked-order.yaml", "no-future-dates")]


# --------------------------------------------------------------------------- the data package

CSV_PAYLOADS = [
    '=HYPERLINK("https://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "'=quoted already",
]
EXPORT_PAYLOADS = [*UNSAFE_TEXT, *SNIPPETS, *CSV_PAYLOADS]
"""Every payload of this file, put into every kind of text field of a claim."""


def _hostile_catalog() -> Catalog:
    """The valid fixtures plus one claim per payload, made from leaked-order's model without the
    check (which would trim or refuse some of them): the export must carry whatever a claim holds."""
    base = load_project([VALID], today=TODAY)
    claims = dict(base.claims)
    template = base.claims["leaked-order"].data
    for n, payload in enumerate(EXPORT_PAYLOADS):
        text = {"title": payload, "quote": payload, "note": payload, "publisher": payload, "author": payload}
        source = template.sources[0].model_copy(update=text)
        claim = template.model_copy(
            update={
                "title": payload,
                "statement": payload,
                "status_reason": payload,
                "claimant": payload,
                "places": [payload],
                "sources": [source, *template.sources[1:]],
                "history": [entry.model_copy(update={"note": payload}) for entry in template.history],
            }
        )
        cid = f"hostile-{n:03d}"
        claims[cid] = Loaded(cid, f"{cid}.yaml", claim, f"{cid}.yaml")
    return Catalog(Project(claims=claims, entities=base.entities))


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def hostile_package() -> dict[str, bytes]:
    return package_files(_hostile_catalog())


def test_hostile_text_round_trips_unchanged_in_json(hostile_package: dict[str, bytes]) -> None:
    document = json.loads(hostile_package["claims.json"])
    lines = [json.loads(line) for line in hostile_package["claims.jsonl"].decode("utf-8").splitlines()]
    by_id = {claim["id"]: claim for claim in document["claims"]}
    assert {line["id"]: line for line in lines} == by_id
    for n, payload in enumerate(EXPORT_PAYLOADS):
        claim = by_id[f"hostile-{n:03d}"]
        source = claim["sources"][0]
        assert [claim["title"], claim["statement"], claim["status_reason"], claim["claimant"]] == [payload] * 4
        assert [source["title"], source["quote"], source["note"], source["publisher"]] == [payload] * 4
        assert claim["places"] == [payload] and claim["history"][0]["note"] == payload


def test_hostile_text_is_neutralised_in_csv_and_parses_back(hostile_package: dict[str, bytes]) -> None:
    tables = {name: _csv(content) for name, content in hostile_package.items() if name.endswith(".csv")}
    for table, rows in tables.items():
        for row in rows:
            for column, cell in row.items():
                assert not cell.startswith(FORMULA_TRIGGERS), (table, column, cell)
    claims = {row["id"]: row for row in tables["claims.csv"]}
    sources = {(row["claim_id"], row["source_id"]): row for row in tables["sources.csv"]}
    history = {row["claim_id"]: row for row in tables["status_history.csv"]}
    places = {row["claim_id"]: row for row in tables["places.csv"]}
    for n, payload in enumerate(EXPORT_PAYLOADS):
        cid = f"hostile-{n:03d}"
        expected = "'" + payload if payload.startswith(FORMULA_TRIGGERS) else payload
        assert expected == neutralise(payload)
        assert [claims[cid][c] for c in ("title", "statement", "status_reason", "claimant")] == [expected] * 4
        assert [sources[cid, "s1"][c] for c in ("title", "quote", "note", "publisher", "author")] == [expected] * 5
        assert history[cid]["note"] == expected and places[cid]["place"] == expected
    assert claims["hostile-" + f"{EXPORT_PAYLOADS.index(chr(13) + '=1+1'):03d}"]["title"] == "'\r=1+1"


def test_the_hostile_package_still_validates(hostile_package: dict[str, bytes], tmp_path: Path) -> None:
    write_tree(tmp_path, hostile_package)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "message"])[:5]


def test_hostile_text_stays_a_value_in_the_provenance_graph(hostile_package: dict[str, bytes]) -> None:
    graph = json.loads(hostile_package["claims.prov.jsonld"])
    expanded = jsonld.expand(graph, {"base": "https://claims.example.org/data/claims.prov.jsonld"})
    values = {node["@id"]: node for node in expanded}
    for n, payload in enumerate(EXPORT_PAYLOADS):
        quote = values[f"https://claims.example.org/data/claims.prov.jsonld#quote-hostile-{n:03d}-s1"]
        assert quote["http://www.w3.org/ns/prov#value"] == [{"@value": payload}]
        claim = values[f"https://claims.example.org/data/claims.prov.jsonld#claim-hostile-{n:03d}"]
        assert claim["https://schema.org/name"] == [{"@value": payload}]
