"""The whole publication in one step: every enabled output (the PDF edition, the offline copy), then
the site, with each output's file inside it.

Everything is made in the site's staging area first, under its lock (claimsite.staging); the site,
with the outputs' files as static files, is swapped into place by `build_site` only when every part
succeeded.

To add an output (a feed, an export, ...): write a class with the four members of `Output`, put an
instance in `OUTPUTS`, and give `PublishOptions` (and `claimsite build`) the flag that enables it.
`publish` then builds it, times it, adds its file to the site and tells the plugin where it is.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mkdocs.config.defaults import MkDocsConfig

from claimsite.env import source_datetime
from claimsite.errors import ConfigError
from claimsite.offline import ZIP_FOLDER, ZIP_PATH, ExtraFiles, offline_config, write_zip
from claimsite.plugin import ClaimsiteConfig
from claimsite.progress import Progress
from claimsite.project import Project
from claimsite.site import build_site, load_site_config, plugin_of, site_target, writing_site
from claimsite.staging import staging_for

NO_SITE_URL = (
    "{config_file} has no site_url: a published site needs its public address for permalinks, canonical "
    "links, the sitemap, the feeds and the JSON-LD (site_url: https://ORG.github.io/REPO/); "
    "build a preview with --no-site-url"
)

PDF_PATH = "claims.pdf"
"""Where the PDF edition lands in the site (and what every page links to)."""


@dataclass(frozen=True)
class PublishOptions:
    """Which outputs to make besides the site (the flags of `claimsite build`)."""

    pdf: bool = False
    offline: bool = False


@dataclass(frozen=True)
class OutputContext:
    """What an output is built from."""

    config_file: Path
    config: MkDocsConfig
    """The site's configuration, loaded once; outputs read it and leave it alone."""
    project: Project
    """The checked claims."""
    folder: Path
    """An empty folder of the output's own for its work; removed once the site is built."""
    progress: Progress | None = None
    made: dict[str, tuple[str, Path]] = field(default_factory=dict)
    """The outputs built before this one for the same publication: name -> (site path, file)."""


class Output(Protocol):
    """A file made from the checked claims and published inside the site."""

    name: str
    """Short name: the key in `Published.files` and `Published.seconds`."""

    def enabled(self, options: PublishOptions) -> bool:
        """Whether this publication makes the output."""
        ...

    def site_path(self, plugin: ClaimsiteConfig) -> str:
        """Where the file goes in the site: the plugin's option for it when set, else a default."""
        ...

    def link(self, plugin: ClaimsiteConfig, path: str | None) -> None:
        """Tell the plugin where the file is, so pages link to it; None when it is not published."""
        ...

    def build(self, context: OutputContext) -> Path:
        """Make the file (inside `context.folder`) and return its path."""
        ...


class PdfOutput:
    """The PDF edition, linked from every page (`build --pdf`)."""

    name = "pdf"

    def enabled(self, options: PublishOptions) -> bool:
        return options.pdf

    def site_path(self, plugin: ClaimsiteConfig) -> str:
        return plugin.pdf_path or PDF_PATH

    def link(self, plugin: ClaimsiteConfig, path: str | None) -> None:
        plugin.pdf_path = path

    def build(self, context: OutputContext) -> Path:
        from claimsite.pdf import edition_info, make_pdf, write_pdf  # typst and pikepdf: only when asked for
        from claimsite.provenance import Observations

        project, progress = context.project, context.progress or Progress()
        plugin = plugin_of(context.config)
        edition = edition_info(context.config_file, plugin.claims_path(context.config))
        base = Path(context.config.config_file_path).parent
        observed = Observations.read(base, plugin.config.link_state, plugin.config.captures)
        cache = base / plugin.config.pdf_cache
        return write_pdf(context.folder / PDF_PATH, make_pdf(project, edition, progress, observed, cache=cache))


class OfflineOutput:
    """A zipped copy of the site that works from file:// without network (`build --offline`)."""

    name = "offline"

    def enabled(self, options: PublishOptions) -> bool:
        return options.offline

    def site_path(self, plugin: ClaimsiteConfig) -> str:
        return plugin.offline_zip_path or ZIP_PATH

    def link(self, plugin: ClaimsiteConfig, path: str | None) -> None:
        plugin.offline_zip_path = path

    def build(self, context: OutputContext) -> Path:
        # A site of its own, but inside the publication's staging area: its faults are the site's.
        with staging_for(context.folder / ZIP_FOLDER) as staging:
            pdf = context.made.get(PdfOutput.name)  # the offline copy holds the PDF when one was built

            def prepare(config: MkDocsConfig) -> None:
                offline_config(config, pdf)

            copy = build_site(context.config_file, context.project, prepare=prepare, staging=staging)
            zip_file = context.folder / ZIP_PATH
            write_zip(copy, ZIP_FOLDER, zip_file)
            shutil.rmtree(copy)  # it is on the site's disk: leave the room to the site
        return zip_file


OUTPUTS: tuple[Output, ...] = (PdfOutput(), OfflineOutput())
"""Every output `publish` can make, in the order it makes them."""


@dataclass
class Published:
    """What `publish` made: the site folder, each output's file in it, and the seconds each part took."""

    site_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    """Output name -> its file inside the site."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Output name (and "site") -> seconds it took, in the order they were made."""

    @property
    def pdf_file(self) -> Path | None:
        return self.files.get(PdfOutput.name)

    @property
    def zip_file(self) -> Path | None:
        return self.files.get(OfflineOutput.name)


def publish(
    config_file: Path,
    project: Project,
    *,
    site_dir: Path | None = None,
    pdf: bool = False,
    offline: bool = False,
    pdf_progress: Progress | None = None,
    outputs: tuple[Output, ...] = OUTPUTS,
    preview: bool = False,
) -> Published:
    """Build every enabled output, then the site with their files in it; nothing is replaced unless all succeed.

    A published site needs `site_url` in mkdocs.yml (ConfigError without it); `preview` builds one without."""
    source_datetime()  # a bad SOURCE_DATE_EPOCH fails here, before any output has spent time
    options = PublishOptions(pdf=pdf, offline=offline)
    config = load_site_config(config_file)
    if not config.site_url and not preview:
        raise ConfigError(NO_SITE_URL.format(config_file=config_file))
    plugin = plugin_of(config).config
    enabled = [output for output in outputs if output.enabled(options)]
    paths = {output.name: output.site_path(plugin) for output in enabled}
    seconds: dict[str, float] = {}
    extras: dict[str, str | Path] = {}
    made: dict[str, tuple[str, Path]] = {}
    with writing_site(site_target(config, site_dir)) as staging:
        work = staging.make_folder("outputs")  # beside the site: on its disk, and removed with the staging area
        for output in enabled:
            folder = work / output.name
            folder.mkdir()
            started = time.perf_counter()
            context = OutputContext(config_file, config, project, folder, pdf_progress, dict(made))
            extras[paths[output.name]] = made_file = output.build(context)
            made[output.name] = (paths[output.name], made_file)
            seconds[output.name] = time.perf_counter() - started

        def prepare(site_config: MkDocsConfig) -> None:
            site_plugin = plugin_of(site_config).config
            for output in outputs:
                output.link(site_plugin, paths.get(output.name))
            if extras:
                site_config.plugins["claimsite/extra-files"] = ExtraFiles(extras)

        started = time.perf_counter()
        target = build_site(config_file, project, prepare=prepare, staging=staging)
        seconds["site"] = time.perf_counter() - started
    return Published(target, {name: target / path for name, path in paths.items()}, seconds)
