"""Material's navigation and header rendered once for all the pages that share them.

Material renders the site's navigation into every page (`partials/nav.html`), a fifth of a claim
page's template time; a claim page is not in the navigation, so on all of them no item is active and
the navigation differs only by the relative addresses of its links. Those depend only on the folder a
page's address is taken relative to (MkDocs' `get_relative_url`): every claim page of `claims/<id>/`
gets the same links, as long as no navigation item lies under its own folder. `NavCache` gives
claimsite's `partials/nav.html` (theme/) a key for such a page, under which the navigation rendered
for the first of them is kept for the others, and no key (render it) for a page in the navigation,
a page without one (404) or any other. The footer (no previous or next page off the navigation)
and the configuration script (relative addresses) are kept the same way. The header
(`partials/header.html`, another fifth) is the same but for the page's title: it is rendered once for
a stand-in of the page whose title is a marker, and each page gets it with the marker replaced by its
own title. The kept and the rendered parts are the same bytes (tests/test_pagefork.py). Material's own
templates stay reachable as `material/partials/...`; `claimsite generate` leaves the partials out (and
theme/main.html keeps the configuration only when the cache is there): a plain MkDocs build renders
Material's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

from jinja2 import BaseLoader, BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jinja2.bccache import Bucket
from markupsafe import Markup

MATERIAL = "material"
"""The prefix under which Material's own templates are found (`material/partials/nav.html`)."""
TITLE = "\ue000claimsite:title\ue000"
"""The stand-in title of a shared header (private-use characters), replaced by each page's."""

Key = tuple[str, ...]


class NavCache:
    """The rendered navigation and headers of one build, by key (see the module's docstring)."""

    def __init__(self, nav: Any) -> None:
        self.nav_pages = {id(page) for page in nav.pages} if nav is not None else set()
        self.nav_urls = list(_urls(nav.items)) if nav is not None else []
        self.parts: dict[tuple[str, Key], str] = {}
        self.headers: dict[Key, str | None] = {}
        """A header with the stand-in title; None when the header cannot be shared (no single title)."""

    def key(self, page: Any) -> Key | None:
        """The key under which `page` shares the navigation and header, or None: render them."""
        url = getattr(page, "url", None)
        if url is None or id(page) in self.nav_pages or page.parent is not None:
            return None
        folder, _, name = url.rpartition("/")
        if "." in name:  # as get_relative_url: a file name is not part of the folder
            url = folder
        parts = tuple(part for part in url.split("/") if part not in ("", "."))
        if not parts:  # the home page
            return None
        own = "/".join(parts)
        if any(item == own or item.startswith(own + "/") for item in self.nav_urls):
            return parts  # an item lies under the page's own folder: only pages of this folder share it
        return (*parts[:-1], "*")  # a link's relative address never names the page's own folder

    def part(self, name: str, key: Key | None) -> str | None:
        """The part `name` (navigation, footer, config) kept for `key`, if any."""
        return None if key is None else self.parts.get((name, key))

    def keep(self, name: str, key: Key | None, html: str) -> Markup:
        """The part `name` rendered for a page of `key`, kept for the others."""
        if key is not None:
            self.parts[name, key] = html
        return Markup(html)

    def shares_header(self, key: Key | None) -> bool:
        """Whether the header of `key`'s pages comes from (or goes to) the cache."""
        return key is not None and self.headers.get(key, "") is not None

    def stand_in(self, page: Any) -> Any:
        """The page the shared header is rendered for: its title is the marker."""
        return _TitleStandIn(page)

    def header(self, key: Key | None, page: Any) -> Markup | None:
        """The kept header of `key` with this page's title as Material's header writes it, if any."""
        kept = None if key is None else self.headers.get(key)
        if kept is None:
            return None
        meta = getattr(page, "meta", None)
        title = meta["title"] if meta and meta.get("title") else page.title
        return Markup(kept.replace(TITLE, str(title), 1))

    def keep_header(self, key: Key | None, html: str, page: Any) -> Markup | None:
        """The header rendered for the stand-in, kept; this page's header, or None when it shows the
        title other than once (then it is never shared, and rendered for each page)."""
        if key is None:
            return None
        if html.count(TITLE) != 1:
            self.headers[key] = None
            return None
        self.headers[key] = html
        return self.header(key, page)


class _TitleStandIn:
    """A page whose title is the marker; everything else is the page's own."""

    def __init__(self, page: Any) -> None:
        self._page = page
        self.title = TITLE
        self.meta = {**(page.meta or {}), "title": TITLE}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


def _urls(items: Any) -> Iterator[str]:
    """The address of every page and link of the navigation, sections' children included."""
    for item in items:
        url = getattr(item, "url", None)
        if isinstance(url, str):
            yield url
        yield from _urls(getattr(item, "children", None) or ())


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per process: MkDocs makes a new template environment for every build,
    and compiling Material's templates again took a tenth of a second of each `serve` rebuild. Jinja
    keys a template by its name and file and checks its source's checksum, so an edited template is
    compiled again."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED = _CompiledTemplates()


def install(env: Environment, nav: Any) -> NavCache:
    """Make Material's templates reachable under `material/`, compile each template once per process,
    and give the templates the cache."""
    templates = str(resources.files(MATERIAL).joinpath("templates"))
    loaders: list[BaseLoader] = [PrefixLoader({MATERIAL: FileSystemLoader(templates)})]
    if env.loader is not None:
        loaders.insert(0, env.loader)
    env.loader = ChoiceLoader(loaders)
    env.bytecode_cache = COMPILED
    cache = NavCache(nav)
    env.globals["claimsite_nav"] = cache
    return cache
