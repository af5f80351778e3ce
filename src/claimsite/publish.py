"""The whole publication in one step: the site, and inside it the PDF edition and the offline copy.

Everything is made in temporary folders first; the site (with the PDF and the zip as static files)
is moved into place by `build_site` only when every part succeeded.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig

from claimsite.offline import ZIP_FOLDER, ZIP_PATH, ExtraFiles, offline_config, write_zip
from claimsite.project import Project
from claimsite.site import build_site, load_site_config, plugin_of

PDF_PATH = "claims.pdf"
"""Where the PDF edition lands in the site (and what every page links to)."""


@dataclass
class Published:
    """What `publish` made, with the time each part took (seconds)."""

    site_dir: Path
    pdf_file: Path | None = None
    zip_file: Path | None = None
    seconds: dict[str, float] = field(default_factory=dict)


def _timed(seconds: dict[str, float], name: str, work: Callable[[], Path]) -> Path:
    started = time.perf_counter()
    result = work()
    seconds[name] = time.perf_counter() - started
    return result


def publish(
    config_file: Path,
    project: Project,
    *,
    site_dir: Path | None = None,
    pdf: bool = False,
    offline: bool = False,
    pdf_progress: Callable[[str], None] | None = None,
) -> Published:
    """Build the site; with `pdf` and `offline`, also the PDF edition and the offline copy inside it."""
    config = load_site_config(config_file)
    plugin = plugin_of(config)
    zip_path = plugin.config.offline_zip_path or ZIP_PATH
    pdf_path = plugin.config.pdf_path or PDF_PATH
    seconds: dict[str, float] = {}
    extras: dict[str, str | Path] = {}
    with tempfile.TemporaryDirectory(prefix="claimsite-publish-") as tmp:
        if pdf:
            from claimsite.pdf import edition_info, make_pdf, write_pdf
            from claimsite.progress import Progress

            claims_dir = plugin.claims_path(config)
            edition = edition_info(config_file, claims_dir)
            progress = pdf_progress or Progress()
            extras[pdf_path] = _timed(
                seconds, "pdf", lambda: write_pdf(Path(tmp) / "claims.pdf", make_pdf(project, edition, progress))
            )  # type: ignore[arg-type]
        if offline:
            copy = _timed(
                seconds,
                "offline",
                lambda: build_site(config_file, project, site_dir=Path(tmp) / ZIP_FOLDER, prepare=offline_config),
            )
            zip_file = Path(tmp) / ZIP_PATH
            write_zip(copy, ZIP_FOLDER, zip_file)
            extras[zip_path] = zip_file

        def prepare(config: MkDocsConfig) -> None:
            options = plugin_of(config).config
            options.pdf_path = pdf_path if pdf else None
            options.offline_zip_path = zip_path if offline else None
            if extras:
                config.plugins["claimsite/extra-files"] = ExtraFiles(extras)

        target = _timed(seconds, "site", lambda: build_site(config_file, project, site_dir=site_dir, prepare=prepare))
    return Published(target, target / pdf_path if pdf else None, target / zip_path if offline else None, seconds)
