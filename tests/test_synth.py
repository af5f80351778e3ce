"""The synthetic corpus generator (claimsite.synth) makes valid, varied, reproducible corpora."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsite import synth
from claimsite.evidence import document_key
from claimsite.load import parse_text
from claimsite.model import Claim, Entity, Status
from claimsite.project import load_project
from claimsite.validate import validate

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return synth.generate(50, seed=1)


@pytest.fixture(scope="module")
def claims(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {path: yaml.safe_load(text) for path, text in files.items() if is_claim(path)}


def is_claim(path: str) -> bool:
    """Claim files: not entities, not the tag vocabulary."""
    return not path.startswith("entities/") and path != "tags.yaml"


def _check(folder: Path) -> Any:
    return load_project([folder], base=folder)


def test_corpus_passes_the_checker(tmp_path: Path) -> None:
    synth.write(50, tmp_path, seed=1)
    project = _check(tmp_path)
    people, organisations = synth.entity_counts(50)
    assert project.problems == []
    assert len(project.claims) == 50
    assert len(project.entities) == people + organisations + len(synth.PUBLISHERS)


@pytest.mark.parametrize("count", [1, 2, 7])
def test_small_corpora_pass_the_checker(tmp_path: Path, count: int) -> None:
    synth.write(count, tmp_path, seed=3)
    project = _check(tmp_path)
    assert project.problems == []
    assert len(project.claims) == count


def test_written_files_are_the_generated_texts(tmp_path: Path, files: dict[str, str]) -> None:
    synth.write(50, tmp_path, seed=1)
    written = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*.yaml")}
    assert written == {path: text.encode("utf-8") for path, text in files.items()}


def test_same_seed_gives_the_same_files(files: dict[str, str]) -> None:
    assert synth.generate(50, seed=1) == files


def test_different_seed_gives_different_files(files: dict[str, str]) -> None:
    other = synth.generate(50, seed=2)
    assert other.keys() != files.keys() or other != files
    claim_paths = [p for p in files if is_claim(p)]
    assert all(other[p] != files[p] for p in claim_paths)


def test_the_corpus_has_a_tag_vocabulary_with_every_tag_it_uses(files: dict[str, str]) -> None:
    vocabulary = yaml.safe_load(files["tags.yaml"])
    used = {tag for path, text in files.items() if is_claim(path) for tag in yaml.safe_load(text)["tags"]}
    assert used and used <= set(vocabulary)
    assert all(isinstance(definition, str) and definition for definition in vocabulary.values())


def test_claim_ids_are_numbered(claims: dict[str, dict[str, Any]]) -> None:
    assert sorted(claims) == [f"synthetic-claim-{n:05d}.yaml" for n in range(1, 51)]


def test_two_to_six_sources_per_claim(claims: dict[str, dict[str, Any]]) -> None:
    counts = [len(c["sources"]) for c in claims.values()]
    assert min(counts) >= 2 and max(counts) <= 6
    assert len(set(counts)) >= 4  # varied, not all the same


def test_statement_and_notes_total_100_to_400_words(claims: dict[str, dict[str, Any]]) -> None:
    words = [synth.word_count(c) for c in claims.values()]
    assert min(words) >= 100 and max(words) <= 400
    assert max(words) - min(words) > 100  # varied


def test_cyrillic_in_claims_and_entities(files: dict[str, str]) -> None:
    claim_texts = [t for p, t in files.items() if is_claim(p)]
    publishers = {f"entities/{p.id}.yaml" for p in synth.PUBLISHERS}
    entity_texts = [t for p, t in files.items() if p.startswith("entities/") and p not in publishers]
    assert sum(bool(CYRILLIC.search(t)) for t in claim_texts) > len(claim_texts) / 2
    for text in entity_texts:
        names = yaml.safe_load(text)["names"]
        assert CYRILLIC.search(names["be"]) and CYRILLIC.search(names["ru"])


def test_publishers_are_entities_with_facts_and_links(files: dict[str, str]) -> None:
    publishers = [yaml.safe_load(files[f"entities/{p.id}.yaml"]) for p in synth.PUBLISHERS]
    assert all(p["kind"] == "organisation" and p["media_type"] and p["country"] for p in publishers)
    assert {p["media_type"] for p in publishers} >= {"independent-media", "state-media", "ngo", "government-body"}
    assert any(p.get("successor_of") for p in publishers) and any(p.get("same_owner_as") for p in publishers)


def test_sources_name_publishers_by_id_and_by_name(claims: dict[str, dict[str, Any]]) -> None:
    named = {s["publisher"] for c in claims.values() for s in c["sources"]}
    assert named & {p.id for p in synth.PUBLISHERS}
    assert named & {p.native for p in synth.PUBLISHERS if p.native != p.id}


def test_some_documents_are_cited_by_several_claims_under_variant_urls(claims: dict[str, dict[str, Any]]) -> None:
    citing: dict[str, set[str]] = {}
    spellings: dict[str, set[str]] = {}
    for claim_path, claim in claims.items():
        for source in claim["sources"]:
            key = document_key(source["url"])
            citing.setdefault(key, set()).add(claim_path)
            spellings.setdefault(key, set()).add(source["url"])
    assert any(len(paths) > 1 for paths in citing.values())
    assert any(len(urls) > 1 for urls in spellings.values())


def test_every_status_appears(claims: dict[str, dict[str, Any]]) -> None:
    assert {c["status"] for c in claims.values()} == {s.value for s in Status}


def test_responses_related_and_history_are_exercised(claims: dict[str, dict[str, Any]]) -> None:
    values = list(claims.values())
    assert any(r.get("sources") for c in values for r in c.get("responses", []))
    assert any(c.get("related") for c in values)
    assert any(len(c["history"]) > 1 for c in values)
    precisions = {len(c["date"]) for c in values}
    assert precisions == {4, 7, 10}  # year, month and day


def test_dates_lie_in_2019_to_2024(claims: dict[str, dict[str, Any]]) -> None:
    dates = [c["date"] for c in claims.values()]
    dates += [h["date"] for c in claims.values() for h in c["history"]]
    dates += [
        s[k]
        for c in claims.values()
        for s in c["sources"]
        for k in ("published", "accessed")
        if s.get(k, "undated") != "undated"
    ]
    assert all(isinstance(d, str) and DATE.match(d) for d in dates)
    assert all("2019" <= d[:4] <= "2024" for d in dates)


def test_urls_are_https_on_example_domains(claims: dict[str, dict[str, Any]]) -> None:
    urls = [s[k] for c in claims.values() for s in c["sources"] for k in ("url", "archive_url") if k in s]
    host = re.compile(r"^https://[a-z0-9.-]+\.example\.(org|com|net)/")
    assert urls and all(host.match(u) for u in urls)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_any_generated_claim_round_trips_yaml_model_json_model(seed: int) -> None:
    """YAML -> model -> JSON -> model gives the same claim, for claims drawn from any seed."""
    for path, text in synth.generate(3, seed=seed).items():
        if path == "tags.yaml":
            continue
        doc = parse_text(path, text)
        model = Entity if path.startswith("entities/") else Claim
        record, problems = validate(doc, model)
        assert problems == [] and record is not None
        assert model.model_validate_json(record.model_dump_json()) == record
