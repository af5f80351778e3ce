"""The committed JSON Schema matches the model, and claims survive a JSON round trip."""

from __future__ import annotations

import json

from conftest import ROOT, TODAY, VALID
from hypothesis import given, settings
from hypothesis import strategies as st

from claimsite.model import Claim, PartialDate, schema_files
from claimsite.project import load_project


def test_committed_schema_is_current() -> None:
    for name, text in schema_files().items():
        committed = (ROOT / "schema" / name).read_text(encoding="utf-8")
        assert committed == text, f"schema/{name} is stale: run `claimsite schema`"


def test_every_field_has_a_description() -> None:
    schema = json.loads(schema_files()["claim.schema.json"])
    for definition in [schema, *schema["$defs"].values()]:
        for name, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{definition.get('title')}.{name} has no docstring"


def test_fixture_claims_round_trip_through_json() -> None:
    project = load_project([VALID], base=VALID, today=TODAY)
    for loaded in project.claims.values():
        again = Claim.model_validate_json(loaded.data.model_dump_json())
        assert again == loaded.data


@settings(max_examples=200)
@given(st.dates(), st.sampled_from(["day", "month", "year"]))
def test_partial_dates_round_trip(day, precision) -> None:
    text = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[precision]
    parsed = PartialDate.parse(text)
    assert str(parsed) == text
    assert parsed.precision == precision
