"""MkDocs plugin: runs the pipeline inside `mkdocs build` and `mkdocs serve`.

Claims are loaded and checked in `on_pre_build`, before MkDocs empties the site folder, so a
failed check under `mkdocs build` leaves the previous site alone. Pages are added in memory
(`File.generated`), never written into docs/. Under `mkdocs serve` a broken claim is reported and
the last good pages keep being served until it is fixed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

import claimsite.rules.links  # the methodology page lists the link rules of sources check too
import claimsite.rules.version  # noqa: F401  (the methodology page lists the diff's rules too)
from claimsite import report, search
from claimsite.catalog import Catalog
from claimsite.env import source_revision
from claimsite.errors import ClaimsiteError
from claimsite.forked import ChildFailed, can_fork, describe
from claimsite.i18n import messages
from claimsite.linkstate import LinkState, LinkStateError
from claimsite.markup import GeneratedPage, Permalink
from claimsite.navcache import install as install_nav_cache
from claimsite.outputs.cite import citation_files
from claimsite.outputs.datapackage import package_paths
from claimsite.outputs.export import DATA_FOLDER, FileFacts, ForkedPackage, file_facts, move_files
from claimsite.outputs.feeds import (
    ATOM,
    ATOM_TYPE,
    CHANGES,
    CHANGES_TITLE,
    feed_files,
)
from claimsite.outputs.jsonld import Organisation
from claimsite.pagefork import PageShare, disabled_material_plugin, shareable
from claimsite.progress import Progress
from claimsite.project import FileCache, Project, load_project
from claimsite.provenance import CaptureIndex
from claimsite.render import (
    CHANGES_PAGE,
    DATA_PAGE,
    RenderOptions,
    Site,
    cited,
    download_html,
    feed_site,
    fill_markers,
    has_feeds,
    render_data_page,
    render_home_summary,
    render_redirects,
    render_site,
    unchanged_claim_pages,
)
from claimsite.rules import DEFAULT_RULES, RuleConfig, RuleConfigError
from claimsite.search_ui import interface_strings
from claimsite.write import write_tree

log = logging.getLogger("mkdocs.plugins.claimsite")

REQUIRED_EXTENSIONS = ("pymdownx.escapeall", "attr_list", "tables", "admonition")
"""Markdown extensions the generated pages rely on; escapeall is what makes escaped text inert."""

SEARCH_ENGINES = ("pagefind", "lunr")
OPTIONAL_IN_NAV = ("browse.md", CHANGES_PAGE, DATA_PAGE)
"""Generated pages a site may leave out of its `nav` without a warning (linked from the home page)."""

CSS_PATH = "assets/claimsite.css"
SEARCH_ASSETS = ("assets/search.js", "assets/search.css")
"""The Pagefind search interface, which theme/main.html loads when the site searches with Pagefind."""
THEME_DIR = "theme"
"""Template overrides shipped in the package (link-preview tags), searched before Material's."""
PLUGIN_ONLY_TEMPLATES = frozenset({"partials/nav.html", "partials/header.html", "partials/footer.html"})
"""Theme templates that need the plugin (claimsite.navcache), left out of `claimsite generate`'s copy."""


class ClaimsiteConfig(Config):
    """Options under `plugins: - claimsite:` in mkdocs.yml."""

    claims_dir = c.Type(str, default="claims")
    """Folder of claim files (entities in its `entities/` subfolder), relative to mkdocs.yml."""
    edit_url = c.Optional(c.Type(str))
    """Base URL for 'edit this claim' links, e.g. https://github.com/ORG/REPO/edit/main/claims/."""
    pdf_path = c.Optional(c.Type(str))
    """Site-relative path of the PDF edition, linked from every page. `claimsite build --pdf` sets it
    (default claims.pdf) and puts the PDF there; set it here only to choose another path."""
    offline_zip_path = c.Optional(c.Type(str))
    """Site-relative path of the offline copy (zip) to link from the home page."""
    rules = c.Type(dict, default={})
    """Severity per rule id (`error`, `warning` or `off`), for rules a project rates differently; the
    methodology page and the build output say which rules are off."""
    contact_email = c.Optional(c.Type(str))
    """Address for reporting errors privately; the About page says when there is none."""
    content_language = c.Type(str, default="en")
    """The language the claims are written in (marked with `lang` when `theme.language` differs)."""
    permalink_directory_urls = c.Optional(c.Type(bool))
    """URL style of the public site for permalinks (default: use_directory_urls); set by offline builds."""
    link_state = c.Type(str, default=".claimsite/link-state.json")
    """The link state `claimsite sources check` writes, relative to mkdocs.yml: the link-health page
    (sources/health/) counts its statuses, or says no check has run when the file is missing."""
    captures = c.Type(str, default=".claimsite/captures")
    """The capture store of `claimsite sources archive` and `verify`, relative to mkdocs.yml: keep it
    out of the main git history (the default is git-ignored); sync it to object storage or an evidence
    repository. When the build finds it, each source's evidence line says whether the store holds the
    capture the claim file names."""
    pdf_cache = c.Type(str, default=".claimsite/pdf-cache")
    """Where the PDF edition keeps its typeset parts, relative to mkdocs.yml (git-ignored by default):
    a rebuild typesets again only the parts whose source changed. Safe to delete."""
    timestamp_authorities = c.Type(list, default=[])
    """The RFC 3161 time-stamping authorities that stamp each `claimsite sources archive` run's
    manifest, and that `claimsite sources verify` checks the tokens of: a list of `{url, chain}`,
    `chain` a PEM file (relative to mkdocs.yml) with the authority's TSA and CA certificates. Name at
    least two; none: runs are not stamped (and say so)."""
    publisher = c.Optional(c.Type(dict))
    """Who publishes the site's reviews, as `{name: ..., url: ...}` (url optional): the `author` of each
    claim page's ClaimReview (JSON-LD) and of the feeds. Not set: the site itself (`site_name` and
    `site_url`), which is who publishes the reviews as far as the build knows."""
    search = c.Choice(SEARCH_ENGINES, default="pagefind")
    """`pagefind`: a chunked Pagefind index written after each build, in place of Material's lunr index
    (claimsite.search); `lunr`: Material's own search (the offline copy, which has no server)."""


class _SearchButtonConfig(Config):
    enabled = c.Type(bool, default=True)


class SearchButton(BasePlugin[_SearchButtonConfig]):
    """Stands in for Material's search plugin when Pagefind searches: Material's header shows the
    search button and dialog only while `material/search` is enabled, and that plugin, once disabled,
    builds no lunr index. This one does nothing but be enabled."""


class ClaimsitePlugin(BasePlugin[ClaimsiteConfig]):
    """Adds the generated claim, entity and index pages to the MkDocs build."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.progress = Progress()
        self.pages_total = 0
        self.pages_done = 0
        self.serving = False
        self.dirty = False
        self.site: Site | None = None
        self.pages: dict[str, GeneratedPage] = {}
        self.permalink: Permalink | None = None
        self.file_cache = FileCache()
        """Under `serve`: files checked by an earlier rebuild, reused while unchanged."""
        self.written: dict[str, bytes] = {}
        """Under `serve`: a digest of each generated file the last rebuild wrote (`_output`)."""
        self.modified: set[str] = set()
        """Generated pages that differ from the previous build's (all of them on the first build)."""
        self.rule_config: RuleConfig = DEFAULT_RULES
        self.background_index = search.BackgroundIndex()
        self.stream: search.StreamingIndex | None = None
        """Under `build`: the search index, made while MkDocs writes the pages."""
        """Under `serve`: the search index, rewritten after each rebuild without holding up the reload."""
        self.preloaded: Project | None = None
        """A project already loaded and checked by `claimsite build`; used once instead of loading again."""
        self.data_files: dict[str, bytes] = {}
        """The data package (claimsite.outputs), published under data/; made again only when its inputs changed."""
        self._data_inputs: tuple[object, ...] | None = None
        self.data_maker: Callable[[], dict[str, bytes]] | None = None
        """Under `build`: what makes the data package, called by a child process (`ForkedPackage`)."""
        self.data_job: ForkedPackage | DonePackage | LazyPackage | None = None
        self.nav: Any = None
        self.share: PageShare | None = None
        """Under `build`: the pages a forked child renders (claimsite.pagefork)."""
        self.fork_outputs = True
        """Whether a build may make the data package in a child process; off for `claimsite generate`,
        which writes the pages without building them."""

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # MkDocs keeps plugin instances across configs in one process: a new build or server starts clean.
        self.serving = command == "serve"
        self.dirty = dirty
        self.site, self.pages, self.modified, self.file_cache = None, {}, set(), FileCache()
        self.written = {}
        if self.stream is not None:
            self.stream.abort()
            self.stream = None
        self.data_files, self._data_inputs = {}, None
        if self.data_job is not None:
            self.data_job.stop()
        self.data_maker, self.data_job = None, None
        self._stop_share()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.rule_config = RuleConfig.parse(self.config.rules, "plugins: claimsite: rules")
        except RuleConfigError as error:
            raise PluginError(f"claimsite: {error}") from None
        if self.rule_config.off:
            log.info("claimsite: rules turned off in mkdocs.yml: %s", ", ".join(self.rule_config.off))
        for name in REQUIRED_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        if CSS_PATH not in config.extra_css:
            config.extra_css.append(CSS_PATH)
        self.publisher(config)  # a malformed option fails now, before the claims are loaded
        self.permalink = Permalink.from_toc_config(config.mdx_configs.get("toc") or {})
        theme_dir = str(resources.files("claimsite").joinpath(THEME_DIR))
        if theme_dir not in config.theme.dirs:  # after the site's own custom_dir, before Material's
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme_dir)
        self._configure_search(config)
        self._configure_feeds(config)
        if messages(config.theme.get("language")).fallback:
            log.info(
                "claimsite: no catalog for theme.language %r; generated text is in English", config.theme["language"]
            )
        return config

    def _configure_search(self, config: MkDocsConfig) -> None:
        engine = self.config.search
        lunr = config.plugins.get("material/search")
        if engine == "pagefind" and lunr is not None and lunr.config.enabled:
            lunr.config.enabled = False  # its events stay registered, and return at once
            button = SearchButton()
            button.load_config({})
            config.plugins["material/search"] = button
        strings = interface_strings(messages(config.theme.get("language")))
        config.extra["claimsite_search"] = {"engine": engine, "options": search.RANKING, "strings": strings}

    def _configure_feeds(self, config: MkDocsConfig) -> None:
        """The status-changes feed, for every page's <head> (theme/main.html; the Changes page links the
        others): only a site with a `site_url` has feeds (their links and ids are absolute)."""
        if not config.site_url:
            config.extra.pop("claimsite_feeds", None)
            return
        t = messages(config.theme.get("language"))
        config.extra["claimsite_feeds"] = [
            {"title": f"{config.site_name}: {t(title)}", "path": path + extension, "type": kind}
            for title, path in ((CHANGES_TITLE, CHANGES),)
            for extension, kind in ((ATOM, ATOM_TYPE),)  # the JSON Feed: on the Changes page (page budget)
        ]

    def claims_path(self, config: MkDocsConfig) -> Path:
        configured = os.environ.get("CLAIMSITE_CLAIMS_DIR") or self.config.claims_dir
        return Path(config.config_file_path).parent / configured

    def css(self) -> str:
        return resources.files("claimsite").joinpath("assets/claimsite.css").read_text(encoding="utf-8")

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        claims_dir = self.claims_path(config)
        project, self.preloaded = self.preloaded, None
        if project is None:
            cache = self.file_cache if self.serving else None
            project = load_project([claims_dir], rules=self.rule_config, cache=cache)
        errors = project.errors()
        if errors:
            self._report(project)
            if not self.serving:
                raise PluginError(
                    f"claimsite: {report.summary(project.problems, 0, 0)}; fix the files above (run `claimsite check`)"
                )
            if self.site is not None:
                print(
                    "WARNING -  claimsite: serving the last good version of the claims until they check clean",
                    file=sys.stderr,
                    flush=True,
                )
                self.modified = set()
                return
        old_site, old_pages = self.site, self.pages
        self.site = Site(
            Catalog(project),
            self.render_options(config),
            links=self._link_state(config),
            captures=self._captures(config),
        )
        reuse = unchanged_claim_pages(old_site, self.site, old_pages) if old_site is not None else {}
        self.pages = render_site(self.site, reuse)
        if self.serving:  # made when the Data page is built, after the claim pages (see LazyPackage)
            self.data_maker, facts = None, {path: (0, "") for path in package_paths()}
            self.data_job = LazyPackage(lambda: self._data_package(config), self._keep_data_files, self.data_files)
        elif not self.fork_outputs or not can_fork():
            self.data_files, self.data_maker = self._data_package(config), None
            facts = file_facts(self.data_files)
        else:  # made by a child process while the pages are written (see on_files)
            self.data_files, self.data_maker = {}, self._data_maker(config)
            facts = {path: (0, "") for path in package_paths()}  # the page's layout; filled in on_page_context
        self.pages[DATA_PAGE] = render_data_page(self.site, facts)
        self.modified = {
            path
            for path, page in self.pages.items()
            if (old := old_pages.get(path)) is None
            or (old is not page and (old.meta, old.blocks) != (page.meta, page.blocks))
        }
        if self.serving and self._package_inputs(config) != self._data_inputs:
            self.modified.add(DATA_PAGE)  # its facts come when it is built (LazyPackage)
        self.progress(f"claimsite: {len(self.pages)} pages rendered from {project.claim_count} claims")
        if self._indexes_early(config):
            self.stream = self._early_index(config)

    def _captures(self, config: MkDocsConfig) -> CaptureIndex | None:
        try:
            return CaptureIndex.of_store(self.config.captures, Path(config.config_file_path).parent)
        except ClaimsiteError as error:
            raise PluginError(f"claimsite: plugins: claimsite: captures: {error}") from None

    def _indexes_early(self, config: MkDocsConfig) -> bool:
        """Whether this build's search index can start before MkDocs converts the pages: a published
        build, and no other plugin that could change a page's converted content."""
        if self.config.search != "pagefind" or self.serving or self.dirty or self.stream is not None:
            return False
        return self.fork_outputs and shareable(config, self._stateless, events=("page_content",))

    def _early_index(self, config: MkDocsConfig) -> search.StreamingIndex:
        """The search index, started now with the claim pages (claimsite.search.StreamingIndex): they are
        never in the navigation, so their title is their own and their content the plugin's HTML (the
        PDF link, added later, is not indexed)."""
        early = {
            File(path, None, config.site_dir, config.use_directory_urls).dest_uri: path
            for path, generated in self.pages.items()
            if path.startswith("claims/") and path != "claims/index.md" and "title" in generated.meta
        }
        pages, permalink = self.pages, self.permalink

        def documents() -> dict[str, tuple[str, str]]:
            return {dest: (pages[path].html(permalink), str(pages[path].meta["title"])) for dest, path in early.items()}

        language = config.theme.get("language") or "en"
        return search.StreamingIndex(Path(config.site_dir), language=language, early=documents, early_paths=early)

    def _data_maker(self, config: MkDocsConfig) -> Callable[[], dict[str, bytes]]:
        """What makes the data package of the current claims (in a child process, or here)."""
        from claimsite.outputs.export import site_package

        assert self.site is not None
        catalog, revision = self.site.catalog, self._revision(config)
        title = " ".join(config.site_name.split())
        site_url, directory_urls = config.site_url, config.use_directory_urls
        return lambda: site_package(
            catalog, revision, title=title, site_url=site_url, use_directory_urls=directory_urls
        )

    def _revision(self, config: MkDocsConfig) -> str:
        """The claims' git revision, as the render options hold it already (one `git` run a build)."""
        assert self.site is not None
        return self.site.options.edition or source_revision(self.claims_path(config))

    def _data_package(self, config: MkDocsConfig) -> dict[str, bytes]:
        """The data package of the current claims; under `serve`, the previous one while neither the
        claims nor what the package says about itself changed (10 s at 10,000 claims, a tenth of a build)."""
        inputs = self._package_inputs(config)
        if self._data_inputs is not None and self._data_inputs == inputs:
            return self.data_files
        files = made_here(self._data_maker(config), Path(config.site_dir) / DATA_FOLDER)
        self._data_inputs = inputs
        return files

    def _package_inputs(self, config: MkDocsConfig) -> tuple[object, ...]:
        """What the data package is made from: when it is the same, so is the package."""
        from claimsite.env import SOURCE_DATE_EPOCH

        assert self.site is not None
        catalog = self.site.catalog
        settings = (
            self._revision(config),
            config.site_name,
            config.site_url,
            config.use_directory_urls,
            os.environ.get(SOURCE_DATE_EPOCH),
        )
        return (settings, catalog.claims, catalog.entities)

    def _keep_data_files(self, files: dict[str, bytes]) -> None:
        self.data_files = files

    def _link_state(self, config: MkDocsConfig) -> LinkState | None:
        """The link state for the link-health page; None before the first `claimsite sources check`."""
        path = Path(config.config_file_path).parent / self.config.link_state
        if not path.is_file():
            return None
        try:
            return LinkState.read(path)
        except LinkStateError as error:
            raise PluginError(f"claimsite: {error}") from None

    def render_options(self, config: MkDocsConfig) -> RenderOptions:
        """What the pages need from mkdocs.yml."""
        return RenderOptions(
            edit_url=self.config.edit_url,
            site_url=config.site_url,
            use_directory_urls=config.use_directory_urls,
            pdf_path=self.config.pdf_path,
            offline_zip_path=self.config.offline_zip_path,
            permalink_directory_urls=self.config.permalink_directory_urls,
            contact_email=self.config.contact_email,
            language=config.theme.get("language"),
            content_language=self.config.content_language,
            search=self.config.search,
            publisher=self.publisher(config),
            site_name=config.site_name,
            edition=source_revision(self.claims_path(config)),
        )

    def publisher(self, config: MkDocsConfig) -> Organisation:
        """The `publisher` option, checked; the site itself when it is not set."""
        value = self.config.publisher
        if value is None:
            return Organisation(config.site_name, config.site_url)
        name, url = value.get("name"), value.get("url")
        unknown = sorted(set(value) - {"name", "url"})
        if not isinstance(name, str) or not name.strip() or not isinstance(url, str | None) or unknown:
            raise PluginError(
                f"claimsite: publisher must be {{name: ..., url: ...}} (name required, url optional), not {value!r}"
            )
        return Organisation(name.strip(), url)

    def _report(self, project: Project) -> None:
        # Under `serve`, problems go to stderr directly: through the mkdocs logger they would count
        # as strict-mode warnings and stop the server on its first build.
        for problem in project.problems:
            if self.serving:
                print(f"ERROR   -  {problem}", file=sys.stderr, flush=True)
            else:
                (log.error if problem.severity == "error" else log.warning)(str(problem))

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        output = strip_indentation(output)
        self.pages_done += 1
        self.progress.count(self.pages_done, self.pages_total, "pages written")
        return output

    def _start_data_package(self, site_dir: Path) -> None:
        """Fork the child that writes the data package, before any thread of this build starts (the
        search index's comes later); when another thread runs already, write it here instead. It is
        written beside the site folder (which MkDocs empties before it writes) and moved in at the end."""
        assert self.data_maker is not None
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=".claimsite-data-", dir=site_dir.parent))
        if threading.active_count() == 1:
            self.data_job = ForkedPackage(folder, self.data_maker, site_dir / DATA_FOLDER)
            return
        files = made_here(self.data_maker, site_dir / DATA_FOLDER)
        write_tree(folder, files)
        self.data_job = DonePackage(folder, file_facts(files))

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.stream is not None:
            self.stream.add(page.file.dest_uri, html, page.title or config.site_name)
        return html

    def on_nav(self, nav: Any, *, config: MkDocsConfig, files: Files) -> Any:
        self.nav = nav
        return nav

    @event_priority(-100)  # after every other plugin: the child gets the environment the pages use
    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        install_nav_cache(env, self.nav)
        if not self.serving and not self.dirty and self.fork_outputs and shareable(config, self._stateless):
            # before the search index's thread starts (fork copies only the calling thread)
            self.share = PageShare(
                config,
                files,
                self.nav,
                env,
                keep={DATA_PAGE},
                in_child=lambda: setattr(self.progress, "enabled", False),
            )
        if self.stream is not None:  # every page is converted: index them while the templates render
            self.stream.start()
        return env

    @staticmethod
    def _stateless(plugin: object) -> bool:
        """Whether a plugin's page events keep nothing across pages (claimsite.pagefork)."""
        return isinstance(plugin, ClaimsitePlugin | SearchButton) or disabled_material_plugin(plugin)

    def _stop_share(self) -> None:
        share, self.share = self.share, None
        if share is not None:
            share.stop()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        linked = [f.src_uri for f in files if f.abs_src_path and _through_link(Path(config.docs_dir), f.abs_src_path)]
        if linked:
            # As in claims/: a pull request could link a page to a file on the machine that builds it.
            raise PluginError(
                f"claimsite: symbolic links are not allowed in {config.docs_dir}: {', '.join(sorted(linked))}; "
                "commit the files themselves"
            )
        for path, generated in self.pages.items():
            if files.get_file_from_path(path) is not None:
                raise PluginError(f"claimsite: docs/{path} would hide a generated page; rename or remove it")
            file = GeneratedFile.generated(config, path, content="")
            assert isinstance(file, GeneratedFile)
            file.page_source, file.modified = generated, path in self.modified
            if (path.startswith("claims/") and path != "claims/index.md") or path in OPTIONAL_IN_NAV:
                # Claim pages stay out of the navigation: with Material every page renders the whole
                # nav, which made a 4,000-page build quadratic (315 s instead of 9 s).
                file.inclusion = InclusionLevel.NOT_IN_NAV
            files.append(file)
        for name in self.data_files or package_paths():
            path = f"{DATA_FOLDER}/{name}"
            if files.get_file_from_path(path) is not None:
                raise PluginError(f"claimsite: docs/{path} would hide a file of the data package; rename or remove it")
        for name, content in {} if self.serving else self.data_files.items():  # under serve: LazyPackage
            files.append(self._output(config, f"{DATA_FOLDER}/{name}", content, DataFile))
        files.append(self._output(config, CSS_PATH, self.css()))
        for asset in SEARCH_ASSETS if self.config.search == "pagefind" else ():
            source = resources.files("claimsite").joinpath(asset)
            files.append(self._output(config, asset, source.read_text(encoding="utf-8")))
        if self.dirty:
            self._expire_pages_with_generated_parts(files)
        self.pages_done, self.pages_total = 0, len(files.documentation_pages())
        if self.data_maker is not None and self.data_job is None:
            self._start_data_package(Path(config.site_dir))
        if self.config.search == "pagefind" and not self.serving and not self.dirty and self.stream is None:
            self.stream = search.StreamingIndex(Path(config.site_dir), language=config.theme.get("language") or "en")
        if self.site is not None:
            for path, html in render_redirects(self.site).items():
                if files.get_file_from_path(path) is None:
                    files.append(self._output(config, path, html))
            self._add_outputs(files, config, self.site)
        return files

    def _output(
        self, config: MkDocsConfig, path: str, content: str | bytes, kind: type[OutputFile] | None = None
    ) -> OutputFile:
        """A generated file of the site; under `serve`, modified only when its content changed since the
        last rebuild, so that dirty rebuilds do not write again the thousands that did not."""
        file = (kind or OutputFile).generated(config, path, content=content)
        assert isinstance(file, OutputFile)
        if self.serving:  # a build writes every file anyway
            data = content if isinstance(content, bytes) else content.encode("utf-8")
            digest = hashlib.blake2b(data, digest_size=16).digest()
            file.modified = not self.dirty or self.written.get(path) != digest
            self.written[path] = digest
        return file

    def _add_outputs(self, files: Files, config: MkDocsConfig, site: Site) -> None:
        for path, content in output_files(site, config.site_name).items():
            if files.get_file_from_path(path) is not None:
                raise PluginError(f"claimsite: docs/{path} would hide a generated file; rename or remove it")
            files.append(self._output(config, path, content))

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        generated = self.pages.get(page.file.src_uri)
        if generated is not None and page.file.generated_by == "claimsite":
            page.__class__ = GeneratedHtmlPage  # same object: the navigation keeps pointing at it
            assert isinstance(page, GeneratedHtmlPage)
            page.generated, page.permalink = generated, self.permalink
            page.extra_html = self._download(page, files)
        return page

    def _download(self, page: Page, files: Files) -> str:
        """The PDF link for every page, when the site is built with the PDF edition."""
        if self.site is None or not self.config.pdf_path or files.get_file_from_path(self.config.pdf_path) is None:
            return ""
        return download_html(self.site, page.file.src_uri)

    def _expire_pages_with_generated_parts(self, files: Files) -> None:
        """Dirty rebuilds go by modification time; the home page and the hand-written pages with
        generated parts (markers) depend on the claims, so their old output is removed to rebuild them."""
        for file in files.documentation_pages():
            if file.generated_by is not None or not os.path.exists(file.abs_dest_path):
                continue
            if file.src_uri == "index.md" or "<!-- claimsite:" in file.content_string:
                os.remove(file.abs_dest_path)

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if isinstance(page, GeneratedHtmlPage):
            return markdown
        options = self.site.options if self.site is not None else self.render_options(config)
        markdown = fill_markers(markdown, page.file.src_uri, self.site, self.rule_config, options)
        if page.is_homepage and self.site is not None:
            markdown += render_home_summary(self.site)
        download = self._download(page, files)
        return markdown + (f"\n\n{download}\n" if download else "")

    @event_priority(100)  # before Material's search plugin reads the page
    def _page_context_first(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        if self.data_job is not None and isinstance(page, GeneratedHtmlPage) and page.file.src_uri == DATA_PAGE:
            assert self.site is not None
            try:
                page.generated = render_data_page(self.site, self.data_job.result())
            except ClaimsiteError as error:
                raise PluginError(f"claimsite: {error}") from None
            page.set_content()
        public = self.config.permalink_directory_urls
        if public is not None and public != config.use_directory_urls and config.site_url and self.site:
            # The offline copy uses .html addresses; its canonical links name the public pages.
            page.canonical_url = config.site_url + self.site.options.page_url(page.file.src_uri, public=True)
        if isinstance(page, GeneratedHtmlPage) and page.content is not None and self.config.search == "lunr":
            # Material's search index skips excluded sections (sources, history): hand it the page without them,
            # which halves what its HTML parser reads; the entries are the same (tests/test_site.py).
            page.full_content = page.content
            searchable = page.generated.html(self.permalink, searchable=True)
            if page.extra_html and page.generated.ends_searchable():
                searchable += f"\n\n{page.extra_html}"
            page.content = searchable
        return context

    @event_priority(-100)  # after every other plugin: the page gets its whole content back
    def _page_context_last(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        if isinstance(page, GeneratedHtmlPage) and page.full_content is not None:
            page.content, page.full_content = page.full_content, None
            context["page"] = page
        return context

    on_page_context = CombinedEvent(_page_context_first, _page_context_last)

    @event_priority(100)  # before any plugin reads the pages
    def _post_build_first(self, *, config: MkDocsConfig) -> None:
        share, self.share = self.share, None
        if share is None:
            return
        try:
            self.pages_done += share.finish()
        except ChildFailed as error:
            raise PluginError(f"claimsite: a page could not be built: {error}") from None
        self.progress.count(self.pages_done, self.pages_total, "pages written", every=1)

    def _post_build_last(self, *, config: MkDocsConfig) -> None:
        job, self.data_job = self.data_job, None
        if job is not None:  # the Data page waited for it already, unless the page was not built
            try:
                job.result()
                job.move_into(Path(config.site_dir) / DATA_FOLDER)
            except ClaimsiteError as error:
                raise PluginError(f"claimsite: {error}") from None
        if self.config.search != "pagefind":
            return
        language = config.theme.get("language") or "en"  # <html lang>: the index a page searches
        if self.serving:
            self.background_index.request(
                Path(config.site_dir), directory_urls=config.use_directory_urls, language=language
            )
            return
        stream, self.stream = self.stream, None
        try:
            if stream is not None:
                stats = stream.finish()
            else:
                stats = search.write_index(
                    Path(config.site_dir), directory_urls=config.use_directory_urls, language=language
                )
        except search.SearchIndexError as error:
            raise PluginError(f"claimsite: {error}") from None
        self.progress(f"claimsite: search index of {stats.pages} pages, {stats.bytes // 1024} KB")

    on_post_build = CombinedEvent(_post_build_first, _post_build_last)

    def on_build_error(self, *, error: Exception) -> None:
        self._stop_share()
        stream, self.stream = self.stream, None
        if stream is not None:
            stream.abort()
        job, self.data_job = self.data_job, None
        if job is not None:
            job.stop()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.claims_path(config)))
        return server


def output_files(site: Site, site_name: str) -> dict[str, bytes]:
    """The files made from the catalog besides the pages: each claim's citation downloads
    (claimsite.outputs.cite) and, for a site with a `site_url`, the feeds (claimsite.outputs.feeds)."""
    files = citation_files([cited(site, cid) for cid in site.claims])
    if has_feeds(site):
        files.update(feed_files(site.catalog, feed_site(site, site_name), site.t))
    return files


_INDENTATION = re.compile(r"\n[ \t]+")
_KEEPS_SPACE = re.compile(r"(<(?:pre|textarea)\b.*?</(?:pre|textarea)>)", re.S | re.I)


def strip_indentation(html: str) -> str:
    """A page without the indentation of Material's templates (a tenth of a claim page's bytes): each
    line break stays, so no two words join and no inline element loses the space between them; the
    text of `pre` and `textarea` elements is left as it is."""
    if "<pre" not in html and "<textarea" not in html:
        return _INDENTATION.sub("\n", html)
    parts = _KEEPS_SPACE.split(html)
    return "".join(part if index % 2 else _INDENTATION.sub("\n", part) for index, part in enumerate(parts))


def _through_link(docs_dir: Path, source: str) -> bool:
    """Whether a file of docs/ is a symbolic link or reached through one (MkDocs follows both)."""
    path = Path(source)
    try:
        relative = path.relative_to(docs_dir)
    except ValueError:  # not under docs/ (a generated file with a source elsewhere)
        return False
    current = docs_dir
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            return True
    return False


class GeneratedHtmlPage(Page):
    """A page claimsite generated: its HTML and table of contents are finished, so MkDocs' reading and
    Markdown conversion are skipped (they were over half of a build). `GeneratedPage.markdown()` is the
    same page as Markdown, for `claimsite generate` and plain MkDocs."""

    generated: GeneratedPage
    permalink: Permalink | None
    extra_html: str
    full_content: str | None = None

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown, self.meta = "", dict(self.generated.meta)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        self.set_content()
        self.toc = get_toc(self.generated.toc())  # type: ignore[arg-type]
        self.present_anchor_ids = self.generated.anchors()
        self.links_to_anchors = {}

    def set_content(self) -> None:
        """The page's HTML, from `generated` (again, when that changed after rendering)."""
        body = self.generated.html(self.permalink)
        self.content = body + (f"\n\n{self.extra_html}" if self.extra_html else "")


class DonePackage:
    """A data package written in the build's own process (where no child can be forked)."""

    def __init__(self, folder: Path, facts: dict[str, FileFacts]) -> None:
        self.folder, self.facts = folder, facts

    def result(self) -> dict[str, FileFacts]:
        return self.facts

    def move_into(self, target: Path) -> None:
        move_files(self.folder, target)

    def stop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class OutputFile(File):
    """A file the plugin generates (citations, feeds, data, assets): `modified` says whether a dirty
    rebuild writes it."""

    modified: bool = True

    def is_modified(self) -> bool:
        return self.modified


def made_here(make: Callable[[], dict[str, bytes]], shown: Path) -> dict[str, bytes]:
    """The data package made in the build's own process; a failure is said in one line, as when a
    child makes it (`ForkedPackage`)."""
    try:
        return make()
    except Exception as error:
        raise PluginError(f"claimsite: the data package could not be written to {shown}: {describe(error)}") from None


class LazyPackage:
    """Under `serve`: the data package, made when the Data page is built (the last generated page, so an
    edited claim's page shows without waiting for it: a second at 1,000 claims) and written into the
    site's `data/` at the end of the rebuild: the files whose bytes differ from the `previous` package,
    which the site holds already (a dirty rebuild keeps the site's files)."""

    def __init__(
        self,
        make: Callable[[], dict[str, bytes]],
        keep: Callable[[dict[str, bytes]], None],
        previous: Mapping[str, bytes],
    ) -> None:
        self._make, self._keep, self._previous = make, keep, previous
        self._files: dict[str, bytes] | None = None

    def result(self) -> dict[str, FileFacts]:
        if self._files is None:
            self._files = self._make()
            self._keep(self._files)
        return file_facts(self._files)

    def move_into(self, target: Path) -> None:
        assert self._files is not None
        for name, content in self._files.items():
            path = target / name
            if self._previous.get(name) != content or not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)

    def stop(self) -> None:
        """Nothing was written."""


class DataFile(OutputFile):
    """A file of the data package: copied as it is, never a page (its README.md included)."""

    def is_documentation_page(self) -> bool:
        return False


class GeneratedFile(File):
    """A generated page's file: its Markdown is written only when something reads it (the plugin's own
    pages never need it), and it counts as modified only when the page changed, so that `serve`'s dirty
    rebuilds skip the pages an edit did not touch."""

    page_source: GeneratedPage
    modified: bool = True

    @property
    def content_string(self) -> str:
        return self.page_source.markdown()

    @content_string.setter
    def content_string(self, value: str) -> None:
        """Content is the page's; MkDocs sets an empty string when the file is made."""

    @property
    def content_bytes(self) -> bytes:
        return self.page_source.markdown().encode("utf-8")

    @content_bytes.setter
    def content_bytes(self, value: bytes) -> None:
        """As `content_string`."""

    def is_modified(self) -> bool:
        return self.modified
