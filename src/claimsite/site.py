"""Building the site: load the MkDocs config, run a strict build into a fresh folder, swap it in; serving it.

MkDocs empties `site_dir` before it writes and aborts a strict build only after writing every
page, so we build into a folder of the site's staging area and swap it into place only when the
build succeeded (claimsite.staging): a failed build leaves the previous site untouched, and a build
killed at any moment leaves the old site or the new one.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import config_options, load_config
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.exceptions import BuildError as MkDocsBuildError

from claimsite.env import source_datetime
from claimsite.errors import BuildError, ConfigError, FileSystemError, ServeError, fault_message
from claimsite.plugin import (
    CSS_PATH,
    OPTIONAL_IN_NAV,
    PLUGIN_ONLY_TEMPLATES,
    REQUIRED_EXTENSIONS,
    THEME_DIR,
    ClaimsitePlugin,
    output_files,
)
from claimsite.project import Project
from claimsite.render import fill_markers, render_home_summary
from claimsite.staging import SITE_DIR_HINT, Staging, staging_folder, staging_for
from claimsite.write import write_tree

CLAIMS_ENV = "CLAIMSITE_CLAIMS_DIR"
"""Overrides the plugin's `claims_dir` (used by `claimsite serve --claims` and the tests)."""


@contextmanager
def claims_override(claims: Path | None) -> Iterator[None]:
    """Point the plugin at another claims folder for the duration of the block."""
    if claims is None:
        yield
        return
    old = os.environ.get(CLAIMS_ENV)
    os.environ[CLAIMS_ENV] = str(claims.resolve())
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(CLAIMS_ENV, None)
        else:
            os.environ[CLAIMS_ENV] = old


def load_site_config(config_file: Path, *, strict: bool | None = None) -> MkDocsConfig:
    """The MkDocs configuration, validated, with the claimsite plugin present (ConfigError if not).

    `strict` overrides the file's `strict:` setting; None keeps it.
    """
    try:
        config = load_config(str(config_file), strict=strict)
    except (ConfigurationError, Abort) as error:
        raise ConfigError(f"{config_file}: {error}") from None
    if not isinstance(config.plugins.get("claimsite"), ClaimsitePlugin):
        raise ConfigError(f"{config_file}: add '- claimsite' under 'plugins:'")
    return config


def plugin_of(config: MkDocsConfig) -> ClaimsitePlugin:
    plugin = config.plugins["claimsite"]
    assert isinstance(plugin, ClaimsitePlugin)
    return plugin


def build_site(
    config_file: Path,
    project: Project,
    *,
    site_dir: Path | None = None,
    prepare: Callable[[MkDocsConfig], None] | None = None,
    staging: Staging | None = None,
) -> Path:
    """Strict MkDocs build of a checked project into `site_dir` (default: the config's).

    `prepare` may change the loaded config before the build (the offline copy uses it). The site is
    built in the staging area of its folder and swapped in when complete: `staging` (whose target is
    then the folder built) when the caller already holds it, as `publish` does for the whole
    publication, else one locked for this build.
    Raises ConfigError, BuildError or FileSystemError, and then leaves the previous site as it was.
    """
    source_datetime()  # MkDocs reads SOURCE_DATE_EPOCH too, and a bad value would end it in a traceback
    config = load_site_config(config_file, strict=True)
    if prepare is not None:
        prepare(config)
    if staging is not None:
        return _build_into(config, project, staging)
    with writing_site(site_target(config, site_dir)) as own:
        return _build_into(config, project, own)


def site_target(config: MkDocsConfig, site_dir: Path | None) -> Path:
    """The folder a build writes: `site_dir`, else the config's `site_dir`, absolute."""
    return Path(site_dir or config.site_dir).resolve()


@contextmanager
def writing_site(target: Path) -> Iterator[Staging]:
    """`staging_for(target)`, with file system errors turned into one line naming the site."""
    try:
        with staging_for(target) as staging:
            yield staging
    except OSError as error:
        areas = (target, staging_folder(target))
        raise FileSystemError(fault_message(error, target, SITE_DIR_HINT, areas)) from None


def _build_into(config: MkDocsConfig, project: Project, staging: Staging) -> Path:
    built = staging.make_folder("new")
    config.site_dir = str(built)
    plugin_of(config).preloaded = project
    mkdocs_log = logging.getLogger("mkdocs")
    if not mkdocs_log.handlers:  # called outside the mkdocs command: show its warnings the same way
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler.setLevel(logging.WARNING)
        mkdocs_log.addHandler(handler)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        mkdocs_build(config)
    except (MkDocsBuildError, Abort, ConfigurationError) as error:
        shutil.rmtree(built, ignore_errors=True)
        raise BuildError(f"the MkDocs build failed: {error}") from None
    except BaseException:
        shutil.rmtree(built, ignore_errors=True)
        raise
    finally:
        config.plugins.on_shutdown()
        # Each MkDocs build adds a warning counter to its logger and never removes it; a second build in
        # this process (the offline copy) would otherwise count the first build's warnings again.
        mkdocs_log.handlers[:] = [h for h in mkdocs_log.handlers if h.__class__.__name__ != "CountHandler"]
    staging.swap_in(built)
    return staging.target


def serve(config_file: Path, claims: Path | None, dev_addr: str) -> None:
    """Serve the site at `dev_addr` with MkDocs' live-reloading server, the claims from `claims`
    (default: the plugin's `claims_dir`); prints `Serving on URL` once the server accepts connections,
    and returns when it is stopped. Raises ServeError when the address cannot be served on."""
    from mkdocs.commands.serve import serve as mkdocs_serve  # loads the HTTP server: only when serving

    source_datetime()  # as in build_site: MkDocs would fail on a bad SOURCE_DATE_EPOCH with a traceback
    host, port = _address(dev_addr)
    _check_address(host, port)  # before the first build, which can take a while on a large site
    # Dirty rebuilds: MkDocs rewrites only the pages whose files are modified, and the plugin marks only
    # the generated pages an edit changed. MkDocs warns about every dirty build, which under `strict`
    # would fail it; that one warning is dropped, every other still counts.
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(_not_the_dirty_build_warning)
    server_log = logging.getLogger("mkdocs.livereload")
    ready, level = _ServingLine(), server_log.level
    server_log.addHandler(ready)
    server_log.setLevel(logging.INFO)
    try:
        with claims_override(claims):
            mkdocs_serve(config_file=str(config_file), dev_addr=dev_addr, livereload=True, build_type="dirty")
    except OSError as error:
        if error.errno == errno.EADDRINUSE and not ready.shown:
            raise ServeError(_address_message(host, port, error)) from None  # taken since the check above
        raise
    except (ConfigurationError, Abort) as error:
        raise ConfigError(f"{config_file}: {error}") from None
    finally:
        build_log.removeFilter(_not_the_dirty_build_warning)
        server_log.removeHandler(ready)
        server_log.setLevel(level)


class _ServingLine(logging.Handler):
    """Prints MkDocs' `Serving on URL`, which it logs once its socket listens (so a client that
    connects after reading the line is let in), without the rest of its log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.shown = False

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"\bServing on (\S+)", record.getMessage())  # after a [HH:MM:SS] prefix
        if found:
            self.shown = True
            print(f"Serving on {found[1]}", flush=True)


def _address(dev_addr: str) -> tuple[str, int]:
    """`--dev-addr` read as MkDocs reads it."""
    try:
        host, port = config_options.IpAddress().run_validation(dev_addr)
    except ValidationError as error:
        raise ServeError(f"--dev-addr {dev_addr}: {error}; give it as IP:PORT, e.g. 127.0.0.1:8000") from None
    return host, port


def _check_address(host: str, port: int) -> None:
    """Fail now, with one line, when the server could not listen at the address."""
    error = _bind_error(host, port)
    if error is not None:
        raise ServeError(_address_message(host, port, error))


def _bind_error(host: str, port: int) -> OSError | None:
    """What binding a server socket to the address fails with, as MkDocs' server binds it (with
    SO_REUSEADDR, so that a port whose last connections are closing counts as free); None if it works."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            return error
    return None


def _address_message(host: str, port: int, error: OSError) -> str:
    shown = f"[{host}]" if ":" in host else host
    if error.errno == errno.EADDRINUSE:
        free = next((p for p in range(port + 1, min(port + 50, 65536)) if _bind_error(host, p) is None), None)
        other = f"{shown}:{free}" if free is not None else f"{shown}:PORT"
        return f"port {port} on {host} is in use; stop the other server or choose another port with --dev-addr {other}"
    if error.errno == errno.EACCES:
        return f"port {port} on {host} needs administrator rights; choose one above 1023 with --dev-addr {shown}:8000"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; choose another with --dev-addr 127.0.0.1:{port}"
    return f"cannot serve on {shown}:{port}: {error.strerror or error}; choose another address with --dev-addr"


def _not_the_dirty_build_warning(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("A 'dirty' build is being performed")


def generate_docs(config_file: Path, project: Project, out: Path) -> list[Path]:
    """Write the hand-written docs plus every generated page, and a plugin-free mkdocs.yml, to `out`.

    `mkdocs build -f OUT/mkdocs.yml` then builds the same site without claimsite: for review,
    and as the baseline of the benchmark.
    """
    config = load_site_config(config_file)
    plugin = plugin_of(config)
    plugin.preloaded = project
    plugin.fork_outputs = False  # no build follows: the Data page needs its package now
    plugin.on_config(config)
    plugin.on_pre_build(config=config)
    docs_src = Path(config.docs_dir)
    files: dict[str, str | bytes] = {}
    for path in sorted(docs_src.rglob("*")):
        if path.is_file():
            files[f"docs/{path.relative_to(docs_src).as_posix()}"] = path.read_bytes()
    home = files.get("docs/index.md")
    if isinstance(home, bytes) and plugin.site is not None:
        files["docs/index.md"] = home.decode("utf-8") + render_home_summary(plugin.site)
    options = plugin.render_options(config)
    for name, content in files.items():
        if name.endswith(".md") and isinstance(content, bytes) and b"<!-- claimsite:" in content:
            page = name.removeprefix("docs/")
            files[name] = fill_markers(content.decode("utf-8"), page, plugin.site, plugin.rule_config, options)
    for page, generated in plugin.pages.items():
        files[f"docs/{page}"] = generated.markdown()
    if plugin.site is not None:  # feeds and citation files, as static files of the plain build
        files.update({f"docs/{path}": content for path, content in output_files(plugin.site, config.site_name).items()})
    files[f"docs/{CSS_PATH}"] = plugin.css()
    theme = Path(str(resources.files("claimsite").joinpath(THEME_DIR)))
    for template in sorted(theme.rglob("*.html")):  # partials/ too: the repository link, ...
        if template.relative_to(theme).as_posix() in PLUGIN_ONLY_TEMPLATES:
            continue
        files[f"overrides/{template.relative_to(theme).as_posix()}"] = template.read_bytes()
    files["mkdocs.yml"] = _standalone_config(Path(config_file), config.extra.get("claimsite_feeds"))
    return write_tree(out, files)


def read_config_file(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as plain data, without MkDocs: tagged values (`!ENV`, `!!python/...`) stay opaque."""
    raw = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    return raw if isinstance(raw, dict) else {}


def _standalone_config(config_file: Path, feeds: object = None) -> str:
    """The project's mkdocs.yml without the claimsite plugin, with what its pages need spelled out
    (`feeds`: the feed links the plugin gives every page's head)."""
    raw = read_config_file(config_file)
    if feeds:
        extra = raw.setdefault("extra", {})
        if isinstance(extra, dict):
            extra["claimsite_feeds"] = feeds
    plugins = [p for p in raw.get("plugins", []) if p != "claimsite" and not (isinstance(p, dict) and "claimsite" in p)]
    raw["plugins"] = plugins
    raw["docs_dir"] = "docs"
    theme = raw.setdefault("theme", {})
    if isinstance(theme, dict) and "custom_dir" not in theme:
        theme["custom_dir"] = "overrides"  # the plugin's template overrides, copied there
    raw["site_dir"] = "site"
    raw.setdefault("extra_css", []).append(CSS_PATH)
    extensions = raw.setdefault("markdown_extensions", [])
    names = {e if isinstance(e, str) else next(iter(e)) for e in extensions}
    extensions.extend(name for name in REQUIRED_EXTENSIONS if name not in names)
    not_in_nav = str(raw.get("not_in_nav") or "")
    missing = [f"/{p}" for p in ("claims/*.md", *OPTIONAL_IN_NAV) if f"/{p}" not in not_in_nav]
    if missing:
        raw["not_in_nav"] = not_in_nav.rstrip("\n") + "\n" + "".join(f"{p}\n" for p in missing)
    return yaml.dump(raw, Dumper=_TolerantDumper, allow_unicode=True, sort_keys=False)


class _Tagged:
    def __init__(self, tag: str, value: object) -> None:
        self.tag, self.value = tag, value


class _TolerantLoader(yaml.SafeLoader):
    """Loads mkdocs.yml keeping `!!python/...` and `!ENV` tags as opaque values."""


def _construct_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    if isinstance(node, yaml.MappingNode):
        value: object = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return _Tagged(node.tag, value)


_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _construct_tagged)
_TolerantLoader.add_multi_constructor("!", _construct_tagged)


class _TolerantDumper(yaml.SafeDumper):
    """Writes `_Tagged` values back with their original tag."""


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_TolerantDumper.add_representer(_Tagged, _represent_tagged)
