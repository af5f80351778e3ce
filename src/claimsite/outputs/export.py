"""The data package for a site: what `claimsite export` writes to a folder and the plugin publishes
under `data/`, the same bytes in both places.

`site_package` gathers what the package says about itself from the site's configuration (its name,
its public address) and the claims' git revision; `write_package` replaces a folder with the package
in one step (built beside it and swapped in, as the site is: claimsite.staging), so a reader never
sees half of one, and a failed export leaves the previous one in place.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from claimsite.catalog import Catalog
from claimsite.errors import BuildError, FileSystemError, fault_message
from claimsite.forked import ChildFailed, ForkedCall, describe
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
        with staging_for(out, OUT_HINT) as staging:
            built = staging.make_folder("new")
            write_tree(built, files)
            staging.swap_in(built)
    except OSError as error:
        raise FileSystemError(fault_message(error, out, OUT_HINT, [out, staging_folder(out)])) from None
    return out


FileFacts = tuple[int, str]
"""What the Data page says of a file: its size in bytes and its SHA-256 (hex)."""


def file_facts(files: Mapping[str, bytes]) -> dict[str, FileFacts]:
    """Size and SHA-256 of each file of a package."""
    import hashlib

    return {path: (len(content), hashlib.sha256(content).hexdigest()) for path, content in files.items()}


class ForkedPackage:
    """The data package of a build, made and written by a child process while MkDocs writes the pages.

    The package is a tenth of a 10,000-claim build's time, all of it Python on one core, while the
    other core is only partly busy (with Pagefind); the child (claimsite.forked) has the checked catalog
    already and sees exactly the claims the pages show. It writes the files into `folder` (beside the
    site folder, which MkDocs empties before it writes; `move_into` puts them in the site at the end)
    and sends the parent their sizes and hashes for the Data page (`result`).
    """

    def __init__(self, folder: Path, make: Callable[[], Mapping[str, bytes]], shown: Path | None = None) -> None:
        self.folder = folder
        self.shown = shown or folder
        """The folder messages name: where the files end up."""

        def explain(error: BaseException) -> str:
            return fault_message(error, self.shown, None, [folder]) if isinstance(error, OSError) else describe(error)

        self._call = ForkedCall(lambda: {"files": _write(folder, make)}, explain)
        self._facts: dict[str, FileFacts] | None = None

    def result(self) -> dict[str, FileFacts]:
        """Wait for the child; the size and hash of each file it wrote. Raises BuildError when it failed."""
        if self._facts is None:
            try:
                reply = self._call.result()
            except ChildFailed as error:
                raise BuildError(f"the data package could not be written to {self.shown}: {error}") from None
            self._facts = {path: (size, digest) for path, (size, digest) in reply["files"].items()}
        return self._facts

    def move_into(self, target: Path) -> None:
        """Move the files the child wrote into `target` (a folder on the same file system)."""
        move_files(self.folder, target)

    def stop(self) -> None:
        """The build failed: end the child, reap it and remove what it wrote."""
        self._call.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _write(folder: Path, make: Callable[[], Mapping[str, bytes]]) -> dict[str, FileFacts]:
    from claimsite.write import write_tree

    files = make()
    write_tree(folder, files)
    return file_facts(files)


def move_files(folder: Path, target: Path) -> None:
    """Move every file under `folder` to the same place under `target` (created as needed; files
    there are replaced) and remove `folder`. Both on one file system: each move is a rename."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        destination = target / path.relative_to(folder)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, destination)
    shutil.rmtree(folder, ignore_errors=True)
