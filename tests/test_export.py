"""The data package (`claimsite export`, and `data/` in the site): Data Package v2 that Frictionless
validates, hashes and sizes that match, deterministic bytes, claims.json valid against its own JSON
Schema, tables that count what the catalog counts, a provenance graph a JSON-LD processor reads, and
a CLI that writes nothing for bad claims."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import frictionless
import jsonschema
import pytest
from click.testing import CliRunner
from conftest import INVALID, VALID
from pyld import jsonld

from claimsite.catalog import Catalog
from claimsite.cli import main
from claimsite.outputs.datapackage import (
    CLAIMS_JSON,
    CLAIMS_SCHEMA,
    DATAPACKAGE,
    DATAPACKAGE_PROFILE,
    Edition,
    claims_document,
    claims_json,
    claims_schema,
    package_files,
    package_paths,
)
from claimsite.outputs.provenance_graph import PROV_GRAPH
from claimsite.outputs.tables import TABLES, neutralise
from claimsite.project import load_project

PROV = "http://www.w3.org/ns/prov#"


def _catalog(folder: Path = VALID) -> Catalog:
    project = load_project([folder])
    assert not project.errors()
    return Catalog(project)


def _export(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    os.chdir(root)
    result = CliRunner().invoke(main, ["export", *args], env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def exported(project_dir: Path) -> Path:
    code, output = _export(project_dir, "--out", "out")
    assert code == 0, output
    return project_dir / "out"


def test_frictionless_validates_the_package_and_every_resource(exported: Path) -> None:
    report = frictionless.validate(str(exported / DATAPACKAGE))
    assert report.valid, report.flatten(["resourceName", "type", "message"])
    descriptor = json.loads((exported / DATAPACKAGE).read_text(encoding="utf-8"))
    names = {task.name for task in report.tasks}
    assert names == {r["name"] for r in descriptor["resources"]}
    tables = {t.name for t in report.tasks if t.type == "table"}
    assert {table.name.replace("_", "-") for table in TABLES} <= tables


def test_the_descriptor_is_data_package_v2_with_size_and_sha256_of_each_file(exported: Path) -> None:
    descriptor = json.loads((exported / DATAPACKAGE).read_text(encoding="utf-8"))
    assert descriptor["$schema"] == DATAPACKAGE_PROFILE
    assert descriptor["name"] == "fixture-claims" and descriptor["title"] == "Fixture claims"
    assert descriptor["homepage"] == "https://claims.example.org/"
    assert descriptor["version"].endswith("+unknown")  # the fixture is not in git
    assert "licenses" not in descriptor and "No licence for the data is stated" in descriptor["description"]
    listed = {r["path"] for r in descriptor["resources"]}
    assert listed | {DATAPACKAGE} == {p.name for p in exported.iterdir()}
    for resource in descriptor["resources"]:
        content = (exported / resource["path"]).read_bytes()
        assert resource["bytes"] == len(content)
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["encoding"] == "utf-8" and resource["mediatype"] and resource["format"]
        assert (resource.get("type") == "table") == resource["path"].endswith((".csv", ".jsonl"))
    frictionless_hash = "sha256:" + "0" * 64
    broken = dict(descriptor, resources=[dict(descriptor["resources"][0], hash=frictionless_hash)])
    (exported / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    assert not frictionless.validate(str(exported / "broken.json")).valid  # the hash is really checked


def test_the_same_claims_give_the_same_bytes(project_dir: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1764547200"}  # 2025-12-01
    assert _export(project_dir, "--out", "a", env=env)[0] == 0
    assert _export(project_dir, "--out", "b", env=env)[0] == 0
    first, second = project_dir / "a", project_dir / "b"
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    edition = json.loads((first / CLAIMS_JSON).read_text(encoding="utf-8"))["edition"]
    assert edition["created"] == "2025-12-01T00:00:00Z" and edition["version"] == "2025.12.1+unknown"


def test_without_source_date_epoch_the_date_is_the_datas_never_the_clocks() -> None:
    catalog = _catalog()
    edition = Edition.of(catalog, environ={})
    latest = max(e.date.earliest() for c in catalog.claims.values() for e in c.history)
    assert edition.date == latest
    assert claims_json(catalog, edition) == claims_json(_catalog(), Edition.of(_catalog(), environ={}))


def test_claims_json_validates_against_its_schema_and_names_it(exported: Path) -> None:
    document = json.loads((exported / CLAIMS_JSON).read_text(encoding="utf-8"))
    schema = json.loads((exported / CLAIMS_SCHEMA).read_text(encoding="utf-8"))
    assert document["$schema"] == CLAIMS_SCHEMA and schema == claims_schema()
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(document)] == []
    document["claims"][0]["invented"] = 1  # the schema is strict: an unknown field is an error
    document["claims"][1]["sources"][0]["document"] = 5
    assert len(list(validator.iter_errors(document))) == 2
    resource = next(
        r for r in json.loads((exported / DATAPACKAGE).read_text())["resources"] if r["path"] == CLAIMS_JSON
    )
    assert resource["jsonschema"] == CLAIMS_SCHEMA


def test_claims_json_holds_the_model_and_what_the_catalog_computes() -> None:
    catalog = _catalog()
    document = claims_document(catalog)
    claims = {c["id"]: c for c in document["claims"]}
    assert list(claims) == sorted(catalog.claims)
    for cid, claim in catalog.claims.items():
        entry = claims[cid]
        assert entry["title"] == claim.title and entry["statement"] == claim.statement
        assert [h["status"] for h in entry["history"]] == [str(h.status) for h in claim.history]
        assert entry["evidence"]["independent_origins"] == len(catalog.evidence[cid].supporting)
        assert {s["document"] for s in entry["sources"]} <= {d["id"] for d in document["documents"]}
    assert len(document["documents"]) == catalog.counts.documents
    assert {e["id"] for e in document["entities"]} == set(catalog.entities)
    links = [(a, r["claim"], r["relation"]) for a in claims for r in claims[a]["related"] if r["claim"] in claims]
    assert links, "the fixtures relate claims"
    for source, target, relation in links:
        assert {"claim": source, "relation": relation} in claims[target]["related_from"]


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_row_counts_match_the_catalog(exported: Path) -> None:
    catalog = _catalog(exported.parent / "claims")
    claims = catalog.claims.values()
    assert len(_rows(exported, "claims.csv")) == len(catalog.claims)
    assert len(_rows(exported, "sources.csv")) == catalog.counts.citations == sum(len(c.sources) for c in claims)
    assert len(_rows(exported, "documents.csv")) == catalog.counts.documents
    assert len(_rows(exported, "entities.csv")) == len(catalog.entities)
    assert len(_rows(exported, "status_history.csv")) == sum(len(c.history) for c in claims)
    assert len(_rows(exported, "relations.csv")) == sum(len(c.related) for c in claims)
    assert len(_rows(exported, "responses.csv")) == sum(len(c.responses) for c in claims)
    assert len(_rows(exported, "places.csv")) == sum(len(c.places) for c in claims)
    aliases = sum(len(e.names) + len(e.aliases) for e in catalog.entities.values())
    assert len(_rows(exported, "aliases.csv")) == aliases
    assert len(exported.joinpath("claims.jsonl").read_text(encoding="utf-8").splitlines()) == len(catalog.claims)


def test_each_citation_names_its_document(exported: Path) -> None:
    documents = {row["id"]: row for row in _rows(exported, "documents.csv")}
    for row in _rows(exported, "sources.csv"):
        assert documents[row["document_id"]]["key"].split("://")[1].split("/")[0] in row["url"]


def test_the_provenance_graph_expands_to_prov_o() -> None:
    files = package_files(_catalog())
    graph = json.loads(files[PROV_GRAPH])
    expanded = jsonld.expand(graph, {"base": "https://claims.example.org/data/claims.prov.jsonld"})
    by_id = {node["@id"]: node for node in expanded}
    court = next(n for n in expanded if f"{PROV}hadPrimarySource" in n)
    origins = [o["@id"] for o in court[f"{PROV}hadPrimarySource"]]
    assert origins and all(o.startswith("https://claims.example.org/data/claims.prov.jsonld#origin-") for o in origins)
    assert all(f"{PROV}Entity" in by_id[o]["@type"] for o in origins)
    quotes = [n for n in expanded if f"{PROV}wasQuotedFrom" in n]
    assert quotes and all(q[f"{PROV}wasQuotedFrom"][0]["@id"] in by_id for q in quotes)
    assert any(f"{PROV}wasDerivedFrom" in n for n in expanded if "https://schema.org/Claim" in n.get("@type", []))


def test_bad_claims_write_nothing_and_exit_non_zero(project_dir: Path) -> None:
    assert _export(project_dir, "--out", "out")[0] == 0
    before = {p.name: p.read_bytes() for p in (project_dir / "out").iterdir()}
    bad = next(p for p in sorted((INVALID / "converters").glob("*.yaml")))
    shutil.copy(bad, project_dir / "claims" / bad.name)
    code, output = _export(project_dir, "--out", "out")
    assert code != 0 and "nothing written" in output
    assert {p.name: p.read_bytes() for p in (project_dir / "out").iterdir()} == before
    code, _ = _export(project_dir, "--out", "fresh")
    assert code != 0 and not (project_dir / "fresh").exists()
    assert not [p for p in project_dir.iterdir() if p.name.endswith("-staging")]


def test_the_export_replaces_the_whole_folder(project_dir: Path) -> None:
    (project_dir / "out").mkdir()
    (project_dir / "out" / "stale.csv").write_text("old\n", encoding="utf-8")
    code, output = _export(project_dir, "--out", "out")
    assert code == 0 and "Wrote 15 files to out" in output
    assert not (project_dir / "out" / "stale.csv").exists()


def test_the_built_site_publishes_the_package_under_data(built_site: Path) -> None:
    data = built_site / "data"
    descriptor = json.loads((data / DATAPACKAGE).read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        content = (data / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
    assert (data / "README.md").is_file() and not (data / "README").exists()  # a file, not a page
    page = (data / "index.html").read_text(encoding="utf-8")
    hrefs = {urljoin("https://x.example/data/", h) for h in re.findall(r'href="([^"]+)"', page)}
    for resource in descriptor["resources"]:
        assert f"https://x.example/data/{resource['path']}" in hrefs
        assert resource["hash"].removeprefix("sha256:") in page.replace("\u200b", "").replace("<wbr>", "")
    home = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'href="data/"' in home
    assert frictionless.validate(str(data / DATAPACKAGE)).valid


def test_neutralise_is_owasps_rule() -> None:
    for trigger in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(trigger + "1") == "'" + trigger + "1"
    for safe in ("1", "a=b", " =1", "'=1", "|x", "%x", "", "«=»"):
        assert neutralise(safe) == safe
    out = io.StringIO()
    csv.writer(out).writerow([neutralise("\r=1+1"), neutralise("-2+3")])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'\r=1+1", "'-2+3"]


def test_claims_json_and_jsonl_encode_each_claim_once_with_the_bytes_of_one_encoding() -> None:
    """The package encodes each claim once for claims.json and claims.jsonl; the result is byte for
    byte what encoding the whole document gives."""
    from claimsite.outputs.datapackage import _document_bytes, _dumps, claims_document, claims_jsonl

    catalog = Catalog(load_project([VALID]))
    document = claims_document(catalog)
    whole, lines = _document_bytes(document)
    assert whole == _dumps(document)
    assert lines == claims_jsonl(catalog, document)
    assert json.loads(whole)["claims"] == [json.loads(line) for line in lines.splitlines()]


def test_an_out_that_is_a_file_is_refused_in_the_commands_own_words(project_dir: Path) -> None:
    os.chdir(project_dir)
    (project_dir / "taken").write_text("not a folder\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["export", "--out", "taken"])
    assert result.exit_code == 2
    assert "Invalid value for '-o' / '--out': Directory 'taken' is a file." in result.output
    assert (project_dir / "taken").read_text(encoding="utf-8") == "not a folder\n"


def test_the_staging_areas_messages_name_the_option_of_the_command(tmp_path: Path) -> None:
    """A file where the package goes (made after the command checked its options) is refused with
    export's own option, not the build's --site-dir."""
    from claimsite.errors import ClaimsiteError
    from claimsite.outputs.export import write_package

    target = tmp_path / "out"
    target.write_text("not a folder\n", encoding="utf-8")
    with pytest.raises(
        ClaimsiteError, match=r"out is a file, not a folder; remove it, or export elsewhere with --out DIR"
    ):
        write_package(target, {"a.json": b"{}"})
    assert target.read_text(encoding="utf-8") == "not a folder\n"


def test_a_data_package_that_fails_in_its_child_fails_the_build_and_keeps_the_site(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`claimsite build` writes the package from a forked child while MkDocs writes the pages; when the
    child fails, the build says so in one line and the published site stays as it was."""
    from claimsite.outputs import export

    os.chdir(project_dir)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    before = sorted(p.relative_to(project_dir / "site") for p in (project_dir / "site").rglob("*"))

    def broken(*args: object, **kwargs: object) -> dict[str, bytes]:
        raise RuntimeError("the package broke")

    monkeypatch.setattr(export, "site_package", broken)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Error: the MkDocs build failed" in result.output
    logged = [r.getMessage() for r in caplog.records if "data package" in r.getMessage()]
    assert len(logged) == 1, logged
    assert "claimsite: the data package could not be written to" in logged[0]
    assert logged[0].endswith("/data: RuntimeError: the package broke")
    assert sorted(p.relative_to(project_dir / "site") for p in (project_dir / "site").rglob("*")) == before
    assert not list(project_dir.glob(".site-staging*"))


def test_a_stopped_child_is_reaped(tmp_path: Path) -> None:
    import time

    from claimsite.outputs.export import ForkedPackage

    def slow() -> dict[str, bytes]:
        time.sleep(30)
        return {"a.json": b"{}"}

    job = ForkedPackage(tmp_path / "data", slow)
    job.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(job._call._pid, os.WNOHANG)
    assert not (tmp_path / "data").exists()


def test_mkdocs_build_publishes_the_package_and_leaves_no_work_folder(project_dir: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = project_dir / "site" / "data"
    assert sorted(p.name for p in data.iterdir() if p.name != "index.html") == sorted(package_paths())
    assert not list(project_dir.glob(".claimsite-data-*")) and not list(project_dir.glob("claimsite-pagefind-*"))
    assert (project_dir / "site" / "pagefind" / "pagefind-entry.json").is_file()
