"""The offline copy: a second build of the same checked project that works from `file://`, zipped.

Material's `offline` plugin makes page links end in `.html` and inlines the search index into a
script, but it loads the iframe-worker shim (which runs the search worker under `file://`) from a
CDN at view time. We ship that shim as a package asset and list it in `extra.polyfills`, which
stops the plugin from adding the CDN URL; instant navigation is switched off because it fetches
pages, which `file://` forbids.

Order, so that nothing half-made reaches the site folder: the offline copy is built and zipped in
the site's staging area (claimsite.staging); the zip then enters the normal build as one more
static file, and that build only replaces the site when it succeeded.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from importlib import resources
from pathlib import Path

from material.plugins.offline.plugin import OfflinePlugin
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from claimsite.env import source_datetime
from claimsite.errors import ConfigError
from claimsite.site import plugin_of

ZIP_PATH = "claims-offline.zip"
"""Site-relative path of the zip when the plugin's `offline_zip_path` is not set."""
ZIP_FOLDER = "claims-offline"
"""The one top folder inside the zip, so unzipping never scatters files."""
SHIM_PATH = "assets/javascripts/iframe-worker-shim.js"
"""Where the vendored shim lands in the offline copy; the name must contain 'iframe-worker'."""
ZIP_EPOCH_MIN = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""Zip timestamps cannot go earlier; also the timestamp when SOURCE_DATE_EPOCH is unset."""


def offline_config(config: MkDocsConfig, pdf: tuple[str, Path] | None = None) -> None:
    """Turn a loaded site config into the offline variant's (before any plugin event runs). `pdf`:
    the PDF edition built for the same publication (its site path and file), which the copy then
    contains and links to like the site does."""
    if not any(isinstance(plugin, OfflinePlugin) for plugin in config.plugins.values()):
        offline = OfflinePlugin()
        errors, _ = offline.load_config({}, config.config_file_path)
        if errors:  # pragma: no cover - the plugin has one boolean option with a default
            raise ConfigError(f"Material's offline plugin: {errors}")
        config.plugins["material/offline"] = offline
    for plugin in config.plugins.values():
        if isinstance(plugin, OfflinePlugin):
            plugin.config.enabled = True
    plugin_of(config).config.permalink_directory_urls = config.use_directory_urls  # cite the public addresses
    config.use_directory_urls = False  # the offline plugin does it too; the claimsite plugin reads it
    features = config.theme.get("features") or []
    config.theme["features"] = [f for f in features if not f.startswith("navigation.instant")]
    # Any other iframe-worker (say, the CDN one) would be loaded from the network: ours replaces it.
    polyfills = [p for p in config.extra.get("polyfills") or [] if "iframe-worker" not in str(p)]
    config.extra["polyfills"] = [*polyfills, SHIM_PATH]
    plugin_of(config).config.search = "lunr"  # Pagefind needs a web server; lunr runs from file://
    plugin_of(config).config.offline_zip_path = None  # the copy does not contain itself
    plugin_of(config).config.pdf_path = pdf[0] if pdf else None  # the PDF only when this publication made one
    extra: dict[str, str | Path] = {SHIM_PATH: _shim()}
    config.plugins["claimsite/offline-files"] = ExtraFiles(extra | ({pdf[0]: pdf[1]} if pdf else {}))


class _NoOptions(Config):
    """`ExtraFiles` has no options in mkdocs.yml: it is added by code."""


class ExtraFiles(BasePlugin[_NoOptions]):
    """Adds files that are not in docs/ to one build: text content, or a file copied as it is."""

    def __init__(self, files: dict[str, str | Path]) -> None:
        super().__init__()
        self.extra = files

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for path, source in self.extra.items():
            if files.get_file_from_path(path) is not None:
                raise PluginError(f"claimsite: docs/{path} clashes with the offline copy; rename it")
            if isinstance(source, Path):
                files.append(File.generated(config, path, abs_src_path=str(source)))
            else:
                files.append(File.generated(config, path, content=source))
        return files


def _shim() -> str:
    return resources.files("claimsite").joinpath("assets/iframe-worker-shim.js").read_text(encoding="utf-8")


def write_zip(folder: Path, top: str, out: Path) -> None:
    """Write the folder as a zip under `top/`: sorted entries, one fixed timestamp, fixed permissions.

    The same files give the same bytes, whoever builds them and whenever: the timestamp is
    SOURCE_DATE_EPOCH (1980-01-01 when unset) and nothing of the builder's file system leaks in.
    Source maps are left out: only a browser's developer tools read them, and they are 40% of the
    fixture site's bytes.
    """
    stamp = _zip_timestamp()
    names = {f"{top}/": None} | {
        f"{top}/{path.relative_to(folder).as_posix()}{'/' if path.is_dir() else ''}": path
        for path in folder.rglob("*")
        if not path.name.endswith(".map")
    }
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so that unzip reads the permission bits below
            path = names[name]
            if path is None or path.is_dir():
                info.external_attr = (0o40755 << 16) | 0x10  # 0x10: the MS-DOS directory flag
                archive.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes(), compresslevel=9)


def _zip_timestamp() -> tuple[int, int, int, int, int, int]:
    when = max(source_datetime() or ZIP_EPOCH_MIN, ZIP_EPOCH_MIN)
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)
