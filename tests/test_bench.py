"""The benchmark script's helpers (scripts/bench.py): the baselines' sites and the edit under serve.

Nothing here runs a build or a server; `python scripts/bench.py --sizes 100 --serve` does that."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


GENERATED = {
    "index.md": "# Home\n",
    "about.md": "---\ntitle: About\n---\n\n# About\n",
    "claims/index.md": "---\ntitle: All claims\nsearch:\n  exclude: true\nhide:\n- toc\n---\n\n# All claims\n",
    "claims/synthetic-claim-00001.md": "---\ntitle: One\n---\n\n<section>raw HTML</section>\n",
    "assets/claimsite.css": "body {}\n",
}


def test_hugo_site_makes_sections_of_index_pages(bench: ModuleType, tmp_path: Path) -> None:
    docs, site = tmp_path / "docs", tmp_path / "hugo"
    _write(docs, GENERATED)
    assert bench.hugo_site(docs, site) == 4
    content = sorted(p.relative_to(site / "content").as_posix() for p in (site / "content").rglob("*.md"))
    assert content == ["_index.md", "about.md", "claims/_index.md", "claims/synthetic-claim-00001.md"]
    assert (site / "static" / "assets" / "claimsite.css").read_text(encoding="utf-8") == "body {}\n"
    assert (site / "content" / "claims" / "_index.md").read_text(encoding="utf-8") == GENERATED["claims/index.md"]
    assert (site / "hugo.toml").is_file()
    assert {p.name for p in (site / "layouts").iterdir()} >= {"baseof.html", "single.html", "list.html"}


def test_hugo_config_passes_raw_html_and_fetches_nothing() -> None:
    config = tomllib.loads((ROOT / "scripts" / "hugo-site" / "hugo.toml").read_text(encoding="utf-8"))
    assert config["markup"]["goldmark"]["renderer"]["unsafe"] is True
    assert config["taxonomies"] == {}  # content/tags/ is a plain section, as in MkDocs
    assert not {"theme", "module", "imports"} & config.keys()


def test_minimal_site_has_the_same_pages_and_nav(bench: ModuleType, tmp_path: Path) -> None:
    docs, folder = tmp_path / "docs", tmp_path / "minimal"
    _write(docs, GENERATED)
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        "site_name: S\ntheme:\n  name: material\n  custom_dir: overrides\nnav:\n- Home: index.md\n"
        "markdown_extensions:\n- toc:\n    slugify: !!python/object/apply:pymdownx.slugs.slugify\n"
        "      kwds: {case: lower}\n",
        encoding="utf-8",
    )
    assert bench.minimal_site(docs, config, folder) == 4
    written = yaml.safe_load((folder / "mkdocs.yml").read_text(encoding="utf-8"))
    assert written["theme"] == {"name": "material"}
    assert written["nav"] == [{"Home": "index.md"}]
    assert "markdown_extensions" not in written
    page = (folder / "docs" / "claims" / "synthetic-claim-00001.md").read_text(encoding="utf-8")
    assert page.startswith("# Synthetic claim 00001\n\n") and page.count("\n\n") == 1


@pytest.mark.parametrize(
    "text",
    [
        "title: Plain title\nstatement: x\n",
        "title: 'Quoted: title'\nstatement: x\n",
        "title: A title that goes\n  on to a second line\nstatement: x\n",
    ],
)
def test_retitle_keeps_the_yaml_valid(bench: ModuleType, text: str) -> None:
    before = yaml.safe_load(text)
    after = yaml.safe_load(bench.retitle(text, "benchedit0123"))
    assert after == {**before, "title": f"{before['title']} benchedit0123"}


def test_edit_title_touches_only_the_front_matter(bench: ModuleType, tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("---\ntitle: One\n---\n\ntitle: not this\n", encoding="utf-8")
    bench.edit_title(page, "benchedit0123")
    assert page.read_text(encoding="utf-8") == '---\ntitle: "One benchedit0123"\n---\n\ntitle: not this\n'


def test_growth_says_how_far_from_linear(bench: ModuleType) -> None:
    small, large = bench.SizeResult(100), bench.SizeResult(300)
    small.steps["build"], large.steps["build"] = bench.Run(seconds=2.0), bench.Run(seconds=9.0)
    small.steps["hugo"], large.steps["hugo"] = bench.Run(error="missing"), bench.Run(seconds=1.0)
    assert bench.growth([small, large]) == {"build": {"time_ratio": 4.5, "size_ratio": 3.0, "of_linear": 1.5}}


def test_the_server_is_asked_under_the_site_urls_path(bench: ModuleType, tmp_path: Path) -> None:
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nsite_url: https://claimsite.github.io/claimsite/  # Pages\n", encoding="utf-8")
    assert bench.served_path(config) == "/claimsite/"
    config.write_text("site_name: x\nsite_url: 'https://example.org/a/b'\n", encoding="utf-8")
    assert bench.served_path(config) == "/a/b/"
    config.write_text("site_name: x\n", encoding="utf-8")
    assert bench.served_path(config) == "/"
    assert bench.served_path(ROOT / "mkdocs.yml") == "/claimsite/"  # the real site: served under its path
