"""Material's templates on both cores: a forked child renders and writes a share of the pages.

Once every page is converted (MkDocs' `env` event), what is left of a build is mostly rendering
Material's templates around each page, one page after another: at 10,000 claims the largest part of
the build, on one core. `PageShare` forks a child (claimsite.forked) that has the whole build already
(files, navigation, the converted pages, the template environment) and builds every other page with
MkDocs' own page step, while the parent builds the rest with the same step; the child's pages are
skipped in the parent's loop. Each page is written by exactly one process, with the same bytes a
serial build writes (tests/test_pagefork.py), so the site is the same either way.

MkDocs has no event that skips a page, so the parent's loop goes through a stand-in for
`mkdocs.commands.build._build_page` (MkDocs is pinned exactly: see pyproject.toml) that passes the
child's pages by and calls MkDocs' own for the others; `finish` and `stop` put MkDocs' own back.
Warnings the child logs are logged again by the parent in `finish`, so `strict: true` counts them;
a page that fails in the child fails the build with the child's message.

Only a build whose page events (`page_context`, `post_page`) belong to plugins known to keep no state
across pages is shared (`shareable`): a plugin that gathers something from every page, as Material's
lunr search does, would see only the parent's half.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import mkdocs.commands.build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation

from claimsite.forked import ForkedCall, can_fork

PAGE_EVENTS = ("page_context", "post_page")
"""The plugin events MkDocs' page step runs (`_build_page`)."""


def shareable(config: MkDocsConfig, stateless: Callable[[object], bool], events: Sequence[str] = PAGE_EVENTS) -> bool:
    """Whether the pages of this build can be shared with a child: a system that forks, and every
    plugin listening to the page step's `events` is one `stateless` accepts."""
    if not can_fork():
        return False
    listeners: dict[str, list[Any]] = config.plugins.events
    return all(stateless(getattr(method, "__self__", None)) for name in events for method in listeners.get(name, []))


def disabled_material_plugin(plugin: object) -> bool:
    """A Material plugin turned off (`enabled: false`): its events return at once."""
    config = getattr(plugin, "config", None)
    return type(plugin).__module__.startswith("material.plugins.") and getattr(config, "enabled", True) is False


class PageShare:
    """Every other page of a build (but those in `keep`) built by a forked child."""

    def __init__(
        self,
        config: MkDocsConfig,
        files: Files,
        nav: Navigation,
        env: Any,
        *,
        keep: set[str],
        in_child: Callable[[], None] = lambda: None,
    ) -> None:
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        shared = [file for file in doc_files if file.src_uri not in keep]
        self.child_pages = {file.src_uri for file in shared[1::2]}
        own = mkdocs_build._build_page

        def work() -> dict[str, Any]:
            in_child()
            mine = [file for file in doc_files if file.src_uri in self.child_pages]
            return {"logged": _build_pages(own, mine, config, doc_files, nav, env)}

        def build_page(page: Any, *args: Any, **kwargs: Any) -> None:
            if page.file.src_uri not in self.child_pages:
                own(page, *args, **kwargs)

        self._own = own
        self._call = ForkedCall(work)
        mkdocs_build._build_page = build_page

    def finish(self) -> int:
        """Wait for the child and log here what it logged (so `strict` counts its warnings); the
        number of pages it built. Raises ChildFailed when a page failed there."""
        self._restore()
        reply = self._call.result()
        for name, level, message in reply["logged"]:
            logging.getLogger(name).log(level, message)
        return len(self.child_pages)

    def stop(self) -> None:
        """The build failed: end the child."""
        self._restore()
        self._call.stop()

    def _restore(self) -> None:
        mkdocs_build._build_page = self._own


def _build_pages(
    build_page: Callable[..., None],
    files: list[File],
    config: MkDocsConfig,
    doc_files: Sequence[File],
    nav: Navigation,
    env: Any,
) -> list[tuple[str, int, str]]:
    """Build these pages as MkDocs' loop does (in the child); what MkDocs logged meanwhile (logger,
    level, text), kept for the parent to log instead of printed here."""
    records: list[logging.LogRecord] = []
    logger = logging.getLogger("mkdocs")
    logger.handlers = [_Collect(records, logger.getEffectiveLevel())]
    for file in files:
        assert file.page is not None
        build_page(file.page, config, doc_files, nav, env, False, excluded=file.inclusion.is_excluded())  # type: ignore[no-untyped-call]
    return [(record.name, record.levelno, record.getMessage()) for record in records]


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord], level: int) -> None:
        super().__init__(level)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
