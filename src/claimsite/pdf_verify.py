"""The self-verifying edition: what the PDF carries to be checked, and `claimsite verify-pdf`.

The PDF carries two attachments (document-level embedded files, added when the parts are joined):

- `claims.json`: the edition's dataset, the data export's (`claimsite.outputs.datapackage.claims_json`,
  for the same revision: the same bytes as the site's `data/claims.json`);
- `MANIFEST.sha256`: in `sha256sum` format, the SHA-256 of `claims.json` and of every claim and
  entity file the edition was made from (paths relative to the claims folder), sorted by path.

The cover prints the SHA-256 of the manifest, the commit and date of the edition and the site's
address; each claim prints its permalink. A reader with only the PDF can extract the attachments
(`qpdf --show-attachment=claims.json FILE`, or any PDF reader), check them with `sha256sum -c`, and
compare the manifest's hash with the cover's; `verify_pdf` does all of it, and compares the PDF with
a published dataset or site too.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from claimsite.catalog import Catalog
from claimsite.env import UNKNOWN_REVISION
from claimsite.outputs.datapackage import Edition, claims_json
from claimsite.outputs.export import DATA_FOLDER

CLAIMS_JSON = "claims.json"
MANIFEST = "MANIFEST.sha256"
ATTACHMENTS = (CLAIMS_JSON, MANIFEST)


# --------------------------------------------------------------------------- what the edition carries


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(files: Mapping[str, bytes]) -> bytes:
    """`sha256sum` lines (hash, two spaces, path) for `files`, sorted by path."""
    return "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode("utf-8")


def read_manifest(text: bytes) -> dict[str, str]:
    """Path -> hash from `sha256sum` lines; lines of another form are skipped."""
    entries = {}
    for line in text.decode("utf-8", "replace").splitlines():
        match = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line)
        if match:
            entries[match.group(2)] = match.group(1)
    return entries


@dataclass(frozen=True)
class Carried:
    """The attachments of one edition, and the hash its cover prints."""

    files: dict[str, bytes]
    """Attachment name -> contents."""

    @property
    def manifest_hash(self) -> str:
        return sha256(self.files[MANIFEST])


def edition_files(catalog: Catalog, revision: str = UNKNOWN_REVISION) -> Carried:
    """What the PDF of `catalog` carries: `claims.json` (of the claims at `revision`) and the manifest
    of it and of the source files."""
    data = claims_json(catalog, Edition.of(catalog, revision))
    sources = {CLAIMS_JSON: data}
    records = [(loaded.path, loaded.source_path) for loaded in catalog.loaded.values()]
    records += [(loaded.path, loaded.source_path) for loaded in catalog.project.entities.values()]
    for path, name in records:
        if name and Path(path).is_file():
            sources[name] = Path(path).read_bytes()
    return Carried({CLAIMS_JSON: data, MANIFEST: manifest(sources)})


ATTACHMENT_DESCRIPTIONS = {
    CLAIMS_JSON: "The claims of this edition as data (the data export's claims.json)",
    MANIFEST: "SHA-256 of claims.json and of every claim and entity file of this edition (sha256sum -c)",
}
MIME_TYPES = {CLAIMS_JSON: "application/json", MANIFEST: "text/plain"}


def attach(document: pikepdf.Pdf, files: Mapping[str, bytes]) -> None:
    """Embed `files` at document level, each with a description, a MIME type and its relation to the
    document (PDF 2.0 / PDF/A-3 `AFRelationship`), listed in the catalog's `/AF` too."""
    specs = []
    for name, data in sorted(files.items()):
        spec = pikepdf.AttachedFileSpec(
            document,
            data,
            description=ATTACHMENT_DESCRIPTIONS.get(name, name),
            filename=name,
            mime_type=MIME_TYPES.get(name, "application/octet-stream"),
        )
        spec.obj.AFRelationship = pikepdf.Name.Data if name == CLAIMS_JSON else pikepdf.Name.Supplement
        document.attachments[name] = spec
        specs.append(spec.obj)
    document.Root.AF = pikepdf.Array(specs)


# --------------------------------------------------------------------------- verify-pdf


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\u200b\u00ad]+", "", text)


@dataclass(frozen=True)
class PrintedClaim:
    id: str
    title: str


def _printed_claims(document: pikepdf.Pdf) -> dict[str, PrintedClaim]:
    """The claims the PDF prints, from its named destinations (`claim-<id>`) and their bookmarks."""
    by_target: dict[tuple[tuple[int, int], int], str] = {}
    names = document.Root.get("/Names")
    dests = names.get("/Dests") if names is not None else None
    if dests is None:
        return {}
    for key, target in pikepdf.NameTree(dests).items():
        if key.startswith("claim-") and isinstance(target, pikepdf.Array) and len(target) >= 4:
            by_target[(target[0].objgen, round(float(target[3] or 0)))] = key.removeprefix("claim-")
    printed: dict[str, PrintedClaim] = {}
    with document.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop()
            stack.extend(item.children)
            place = item.destination
            if isinstance(place, pikepdf.Array) and len(place) >= 4:
                cid = by_target.get((place[0].objgen, round(float(place[3] or 0))))
                if cid is not None:
                    printed[cid] = PrintedClaim(cid, str(item.title).replace("\u200b", ""))
    return printed


def _cover_text(pdf: Path) -> str:
    import pypdf  # only verify-pdf reads text

    return pypdf.PdfReader(pdf).pages[0].extract_text()


def _claims_of(data: bytes, what: str, differences: list[str]) -> dict[str, dict[str, Any]] | None:
    try:
        parsed = json.loads(data)
        return {str(claim["id"]): claim for claim in parsed["claims"]}
    except (ValueError, KeyError, TypeError):
        differences.append(f"{what}: not a claims.json (no list of claims with ids)")
        return None


def _compare_data(attached: bytes, other: bytes, where: str, differences: list[str]) -> None:
    """Differences between the attached claims.json and another, claim by claim and field by field."""
    if attached == other:
        return
    before = len(differences)
    mine, theirs = _claims_of(attached, f"the PDF's {CLAIMS_JSON}", differences), _claims_of(other, where, differences)
    if mine is None or theirs is None:
        return
    differences += [f"claim {cid}: in the PDF, not in {where}" for cid in sorted(mine.keys() - theirs.keys())]
    differences += [f"claim {cid}: in {where}, not in the PDF" for cid in sorted(theirs.keys() - mine.keys())]
    for cid in sorted(mine.keys() & theirs.keys()):
        for field in sorted(mine[cid].keys() | theirs[cid].keys()):
            if mine[cid].get(field) != theirs[cid].get(field):
                differences.append(f"claim {cid}: {field} differs between the PDF and {where}")
    if len(differences) == before:
        differences.append(f"{CLAIMS_JSON}: the PDF's and {where} hold the same claims but differ in other data")


def find_site_data(site: Path) -> Path | None:
    """The site's claims.json: in its data package (`data/`), else the first one under it."""
    if (site / DATA_FOLDER / CLAIMS_JSON).is_file():
        return site / DATA_FOLDER / CLAIMS_JSON
    return next(iter(sorted(site.rglob(CLAIMS_JSON))), None)


def claim_page(site: Path, cid: str) -> Path | None:
    """The page of a claim in a built site (claims/<id>/index.html or claims/<id>.html), if there."""
    for candidate in (site / "claims" / cid / "index.html", site / "claims" / f"{cid}.html"):
        if candidate.is_file():
            return candidate
    return None


def verify_pdf(pdf: Path, *, data: bytes | None = None, site: Path | None = None) -> list[str]:
    """Every difference found, one sentence each (empty: the PDF is what it says it is).

    The PDF against itself: both attachments present; the manifest's hash of `claims.json` right;
    the manifest's own hash printed on the cover; the claims it prints (ids and titles) those of its
    `claims.json`. Then against `data` (another claims.json) or a built `site` (its claims.json and a
    page for every claim). Raises `pikepdf.PdfError` (or OSError) when the file cannot be read."""
    differences: list[str] = []
    with pikepdf.open(pdf) as document:
        files = {name: bytes(spec.get_file().read_bytes()) for name, spec in document.attachments.items()}
        missing = [name for name in ATTACHMENTS if name not in files]
        differences += [f"{name}: not attached to the PDF" for name in missing]
        if missing:
            return differences
        listed = read_manifest(files[MANIFEST])
        if listed.get(CLAIMS_JSON) != sha256(files[CLAIMS_JSON]):
            differences.append(f"{CLAIMS_JSON}: its SHA-256 is not the one {MANIFEST} lists")
        manifest_hash = sha256(files[MANIFEST])
        if manifest_hash not in _squeeze(_cover_text(pdf)):
            differences.append(f"{MANIFEST}: its SHA-256 ({manifest_hash}) is not the one printed on the cover")
        printed = _printed_claims(document)
    attached = _claims_of(files[CLAIMS_JSON], f"the PDF's {CLAIMS_JSON}", differences) or {}
    differences += [
        f"claim {cid}: printed, but not in the PDF's {CLAIMS_JSON}" for cid in sorted(printed.keys() - attached.keys())
    ]
    differences += [
        f"claim {cid}: in the PDF's {CLAIMS_JSON}, but not printed" for cid in sorted(attached.keys() - printed.keys())
    ]
    for cid in sorted(printed.keys() & attached.keys()):
        if _squeeze(printed[cid].title) != _squeeze(str(attached[cid].get("title", ""))):
            differences.append(f"claim {cid}: the printed title is not the title in the PDF's {CLAIMS_JSON}")
    if data is not None:
        _compare_data(files[CLAIMS_JSON], data, "the dataset", differences)
    if site is not None:
        found = find_site_data(site)
        if found is None:
            differences.append(f"the site has no {CLAIMS_JSON}")
        else:
            _compare_data(files[CLAIMS_JSON], found.read_bytes(), f"the site's {found.relative_to(site)}", differences)
        differences += [
            f"claim {cid}: the site has no page for it" for cid in sorted(attached) if claim_page(site, cid) is None
        ]
    return differences
