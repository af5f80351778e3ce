"""The data package for a site: what `claimsite export` writes to a folder and the plugin publishes
under `data/`, the same bytes in both places.

`site_package` gathers what the package says about itself from the site's configuration (its name,
its public address) and the claims' git revision; `write_package` replaces a folder with the package
in one step (built beside it and swapped in, as the site is: claimsite.staging), so a reader never
sees half of one, and a failed export leaves the previous one in place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from claimsite.catalog import Catalog
from claimsite.errors import FileSystemError, fault_message
from claimsite.outputs.datapackage import Edition, PackageInfo, package_files

DATA_FOLDER = "data"
"""Where the site publishes the package (and its Data page, `data/index.md`)."""
DEFAULT_EXPORT_FOLDER = Path("data-package")
"""Where `claimsite export` writes when not told otherwise (relative to the working folder)."""
OUT_HINT = "export elsewhere with --out DIR"


def page_urls(catalog: Catalog, site_url: str | None, use_directory_urls: bool) -> dict[str, str]:
    """Claim id -> absolute URL of its page, when the site has a public address."""
    if not site_url:
        return {}
    base = site_url if site_url.endswith("/") else site_url + "/"
    return {cid: base + (f"claims/{cid}/" if use_directory_urls else f"claims/{cid}.html") for cid in catalog.claims}


def site_package(
    catalog: Catalog,
    revision: str,
    *,
    title: str | None,
    site_url: str | None,
    use_directory_urls: bool = True,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, bytes]:
    """Every file of the package of this site's claims, `{path in the package: bytes}`; `revision`
    is the claims' (`claimsite.env.source_revision`)."""
    edition = Edition.of(catalog, revision, environ)
    info = PackageInfo(title=title or PackageInfo.title, homepage=site_url or None)
    return package_files(catalog, edition, info, page_urls(catalog, site_url, use_directory_urls))


def write_package(out: Path, files: Mapping[str, bytes]) -> Path:
    """Replace the folder `out` with the package's files, in one step; returns `out`."""
    from claimsite.staging import staging_folder, staging_for
    from claimsite.write import write_tree

    try:
        with staging_for(out) as staging:
            built = staging.make_folder("new")
            write_tree(built, files)
            staging.swap_in(built)
    except OSError as error:
        raise FileSystemError(fault_message(error, out, OUT_HINT, [out, staging_folder(out)])) from None
    return out
