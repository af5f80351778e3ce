"""Shared fixtures: paths, a fixed 'today', and one real site build reused by the site tests."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"
TODAY = dt.date(2026, 11, 25)
"""Fixed so that 'in the future' messages do not change from day to day."""

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

FIXTURE_MKDOCS = textwrap.dedent(
    """\
    site_name: Fixture claims
    site_url: https://claims.example.org/
    repo_url: https://github.com/example/claims
    strict: true
    theme: {name: material, font: false, features: [navigation.prune], palette: [
        {media: "(prefers-color-scheme: light)", scheme: default,
         toggle: {icon: material/weather-night, name: Switch to the dark palette}},
        {media: "(prefers-color-scheme: dark)", scheme: slate,
         toggle: {icon: material/weather-sunny, name: Switch to the light palette}}]}
    plugins:
      - search: {lang: [en, ru]}
      - claimsite:
          edit_url: https://github.com/example/claims/edit/main/claims/
          publisher: {name: Fixture Fact Checks, url: "https://factcheck.example.org/"}
    markdown_extensions:
      - toc: {permalink: true, slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}}
    validation:
      nav: {omitted_files: warn, not_found: warn, absolute_links: warn}
      links: {not_found: warn, anchors: warn, absolute_links: warn, unrecognized_links: warn}
    nav:
      - index.md
      - claims/index.md
      - status/index.md
      - entities/index.md
      - tags/index.md
      - timeline.md
      - sources/index.md
      - methodology.md
    not_in_nav: |
      /claims/*.md
      /status/*.md
      /entities/*.md
      /tags/*.md
      /sources/*.md
    """
)


def make_project(root: Path, claims: Path = VALID) -> Path:
    """A site folder: mkdocs.yml, two hand-written pages and a copy of `claims`."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Fixture claims\n\nA test site.\n", encoding="utf-8")
    (root / "docs" / "methodology.md").write_text("# Methodology\n\nStatuses.\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(FIXTURE_MKDOCS, encoding="utf-8")
    shutil.copytree(claims, root / "claims", ignore=shutil.ignore_patterns("expected.txt"))
    return root


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture claims built once by `claimsite build` (strict MkDocs, Material)."""
    from click.testing import CliRunner

    from claimsite.cli import main

    root = make_project(tmp_path_factory.mktemp("site") / "project")
    old = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, ["build"], catch_exceptions=False)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    return root / "site"


@pytest.fixture(autouse=True)
def _restore_working_folder() -> Iterator[None]:
    """Tests that change into a project folder must not leave the next test there."""
    before = Path.cwd()
    yield
    os.chdir(before)


def pagefind_pages(site: Path) -> dict[str, dict[str, Any]]:
    """What the Pagefind index of a built site holds per page URL: its fragment (url, content, meta,
    filters), read from the compressed files the browser would fetch."""
    pages = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd"), path
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        pages[fragment["url"]] = fragment
    return pages
