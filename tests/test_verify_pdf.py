"""The self-verifying edition: attachments, what the cover and claims print, `claimsite verify-pdf`.

Real typst PDFs of the fixtures, read back with pikepdf and pypdf; the differences are made by
editing the attachments or the dataset a PDF is compared with.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from conftest import TODAY, VALID
from test_pdf import squeeze

from claimsite.catalog import Catalog
from claimsite.cli import main
from claimsite.outputs.datapackage import Edition
from claimsite.outputs.datapackage import claims_json as export_claims_json
from claimsite.pdf import EditionInfo, make_pdf
from claimsite.pdf_verify import CLAIMS_JSON, MANIFEST, attach, read_manifest, verify_pdf
from claimsite.project import load_project

EDITION = EditionInfo(
    title="Fixture claims", date=dt.date(2026, 11, 25), revision="abc1234", site_url="https://claims.example.org/"
)


def claims_json(site: Catalog) -> bytes:
    """The data export's claims.json of the fixtures at the edition's revision, as the site has it."""
    return export_claims_json(site, Edition.of(site, EDITION.revision))


@pytest.fixture(scope="module")
def site() -> Catalog:
    project = load_project([VALID], today=TODAY)
    assert not project.errors(), project.problems
    return Catalog(project)


@pytest.fixture(scope="module")
def edition(site: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("verify") / "claims.pdf"
    path.write_bytes(make_pdf(site, EDITION, chunk=2).data)
    return path


def attachments(path: Path) -> dict[str, bytes]:
    with pikepdf.open(path) as document:
        return {name: spec.get_file().read_bytes() for name, spec in document.attachments.items()}


def reattached(path: Path, out: Path, name: str, data: bytes) -> Path:
    with pikepdf.open(path) as document:
        files = {key: spec.get_file().read_bytes() for key, spec in document.attachments.items()}
        for key in list(document.attachments):
            del document.attachments[key]
        attach(document, files | {name: data})
        document.save(out)
    return out


def test_the_pdf_carries_claims_json_and_a_manifest_of_its_sources(site: Catalog, edition: Path) -> None:
    files = attachments(edition)
    assert set(files) == {CLAIMS_JSON, MANIFEST}
    assert files[CLAIMS_JSON] == claims_json(site)
    listed = read_manifest(files[MANIFEST])
    assert listed[CLAIMS_JSON] == hashlib.sha256(files[CLAIMS_JSON]).hexdigest()
    for cid, loaded in site.loaded.items():
        assert listed[loaded.source_path] == hashlib.sha256(Path(loaded.path).read_bytes()).hexdigest(), cid
    assert "entities/karpyankou.yaml" in listed


def test_the_cover_prints_commit_date_manifest_hash_and_site_and_each_claim_its_permalink(
    site: Catalog, edition: Path
) -> None:
    pages = [squeeze(page.extract_text()) for page in pypdf.PdfReader(edition).pages]
    manifest_hash = hashlib.sha256(attachments(edition)[MANIFEST]).hexdigest()
    for printed in ("abc1234", "Editionof2026-11-25", manifest_hash, "Publishedathttps://claims.example.org/"):
        assert printed in pages[0]
    text = "".join(pages)
    for cid in site.claims:
        assert f"Permalink:https://claims.example.org/claims/{cid}/" in text


def test_without_a_site_address_the_cover_says_so_and_claims_print_no_permalink(site: Catalog) -> None:
    pdf = make_pdf(site, dataclasses.replace(EDITION, site_url=None)).data
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "Nositeaddresswasconfigured" in squeeze(reader.pages[0].extract_text())
    assert "Permalink" not in "".join(page.extract_text() for page in reader.pages)


def test_an_untouched_edition_verifies_against_itself_and_its_dataset(site: Catalog, edition: Path) -> None:
    assert verify_pdf(edition) == []
    assert verify_pdf(edition, data=claims_json(site)) == []


def test_an_edited_dataset_is_reported_claim_by_claim(site: Catalog, edition: Path) -> None:
    data = json.loads(claims_json(site))
    for claim in data["claims"]:
        if claim["id"] == "leaked-order":
            claim["status"] = "false"
    data["claims"] = [c for c in data["claims"] if c["id"] != "hostile-text"]
    found = verify_pdf(edition, data=json.dumps(data).encode())
    assert found == [
        "claim hostile-text: in the PDF, not in the dataset",
        "claim leaked-order: status differs between the PDF and the dataset",
    ]


def test_a_replaced_attachment_is_caught_by_the_manifest_and_the_printed_titles(edition: Path, tmp_path: Path) -> None:
    data = json.loads(attachments(edition)[CLAIMS_JSON])
    data["claims"][0]["title"] = "A title the PDF does not print"
    forged = reattached(edition, tmp_path / "forged.pdf", CLAIMS_JSON, json.dumps(data).encode())
    found = verify_pdf(forged)
    assert f"{CLAIMS_JSON}: its SHA-256 is not the one {MANIFEST} lists" in found
    assert f"claim {data['claims'][0]['id']}: the printed title is not the title in the PDF's {CLAIMS_JSON}" in found


def test_a_replaced_manifest_no_longer_matches_the_cover(edition: Path, tmp_path: Path) -> None:
    files = attachments(edition)
    manifest = files[MANIFEST] + f"{'0' * 64}  extra.yaml\n".encode()
    forged = reattached(edition, tmp_path / "forged.pdf", MANIFEST, manifest)
    assert [d for d in verify_pdf(forged) if "printed on the cover" in d]


def test_verify_pdf_against_a_site_checks_its_dataset_and_claim_pages(
    site: Catalog, edition: Path, tmp_path: Path
) -> None:
    built = tmp_path / "site"
    (built / "data").mkdir(parents=True)
    (built / "data" / CLAIMS_JSON).write_bytes(claims_json(site))
    for cid in sorted(site.claims)[1:]:
        (built / "claims" / cid).mkdir(parents=True)
        (built / "claims" / cid / "index.html").write_text("<html></html>", encoding="utf-8")
    missing = sorted(site.claims)[0]
    assert verify_pdf(edition, site=built) == [f"claim {missing}: the site has no page for it"]
    (built / "data" / CLAIMS_JSON).unlink()
    assert f"the site has no {CLAIMS_JSON}" in verify_pdf(edition, site=built)


def test_the_command_prints_one_line_per_difference_and_exits_by_the_result(
    site: Catalog, edition: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["verify-pdf", str(edition)])
    assert (done.exit_code, done.output.strip()) == (0, f"{edition}: matches its attachments")

    data = json.loads(claims_json(site))
    data["claims"][0]["title"] = "Changed"
    (tmp_path / "claims.json").write_text(json.dumps(data), encoding="utf-8")
    done = runner.invoke(main, ["verify-pdf", str(edition), "--data", str(tmp_path / "claims.json")])
    assert done.exit_code == 1
    assert f"{edition}: claim {data['claims'][0]['id']}: title differs between the PDF and the dataset" in done.output

    (tmp_path / "not.pdf").write_text("not a pdf", encoding="utf-8")
    done = runner.invoke(main, ["verify-pdf", str(tmp_path / "not.pdf")])
    assert done.exit_code == 2 and "cannot read it" in done.output
    done = runner.invoke(
        main, ["verify-pdf", str(edition), "--site", str(tmp_path), "--data", str(tmp_path / "claims.json")]
    )
    assert done.exit_code == 2
