"""A real strict MkDocs + Material build of the fixture claims."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import INVALID, ROOT, pagefind_pages
from mkdocs.exceptions import PluginError

from claimsite.cli import main
from claimsite.plugin import ClaimsiteConfig, ClaimsitePlugin
from claimsite.project import load_project
from claimsite.publish import OUTPUTS, OutputContext, PublishOptions, publish
from claimsite.rules import RULES


class Elements(HTMLParser):
    """Every start tag with its attributes, and the links inside <nav> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.nav_depth = 0
        self.nav_links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "nav":
            self.nav_depth += 1
        if tag == "a" and self.nav_depth:
            self.nav_links.append(attributes.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.nav_depth:
            self.nav_depth -= 1


def parse(path: Path) -> Elements:
    elements = Elements()
    elements.feed(path.read_text(encoding="utf-8"))
    return elements


def test_claim_entity_and_index_pages_exist(built_site: Path) -> None:
    for page in [
        "index.html",
        "claims/index.html",
        "claims/leaked-order/index.html",
        "status/index.html",
        "status/alleged/index.html",
        "entities/karpyankou/index.html",
        "tags/leak/index.html",
        "timeline/index.html",
        "sources/index.html",
        "sources/belsat/index.html",
        "assets/claimsite.css",
    ]:
        assert (built_site / page).is_file(), page


def test_claim_pages_are_not_in_the_navigation(built_site: Path) -> None:
    home = parse(built_site / "index.html")
    assert any(link.endswith("claims/") for link in home.nav_links)
    assert not [link for link in home.nav_links if re.search(r"claims/[a-z-]+/", link)]
    claim = parse(built_site / "claims" / "leaked-order" / "index.html")
    assert not [link for link in claim.nav_links if "leaked-order" in link]


def test_internal_links_resolve(built_site: Path) -> None:
    broken = []
    for page in built_site.rglob("*.html"):
        if page.name == "404.html":  # served from any depth, so its links are absolute by design
            continue
        for tag, attrs in parse(page).tags:
            href = attrs.get("href") if tag == "a" else None
            if not href or href.startswith(("http://", "https://", "#", "mailto:")):
                continue
            target = (page.parent / href.split("#")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(built_site)} -> {href}")
    assert broken == []


def test_hostile_text_cannot_inject_markup(built_site: Path) -> None:
    page = built_site / "claims" / "hostile-text" / "index.html"
    elements = parse(page)
    handlers = [(t, a) for t, a in elements.tags for name in a if name.startswith("on")]
    assert handlers == []
    assert not [a for t, a in elements.tags if t in ("iframe", "img", "style", "b")]
    benign = parse(built_site / "claims" / "leaked-order" / "index.html")
    scripts = [a for t, a in elements.tags if t == "script"]
    assert scripts == [a for t, a in benign.tags if t == "script"]  # only the theme's and our JSON-LD
    text = page.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in text  # the title, shown as text
    assert "javascript:" not in re.sub(
        r"<script type=\"application/ld\+json\">.*?</script>", "", text, flags=re.S
    ).replace("[link](javascript:alert(1))", "")


def test_cyrillic_headings_get_unicode_anchors(tmp_path: Path) -> None:
    from markdown import Markdown
    from pymdownx.slugs import slugify

    rendered = Markdown(extensions=["toc"], extension_configs={"toc": {"slugify": slugify(case="lower")}}).convert(
        "## Крыніцы"
    )
    assert 'id="крыніцы"' in rendered


def test_search_index_has_claims_with_their_names_and_sources_but_not_lists(built_site: Path) -> None:
    pages = pagefind_pages(built_site)
    assert not (built_site / "search").exists()  # Material's lunr index is not built for the online site
    claim = pages["/claims/leaked-order/"]
    assert claim["meta"]["status"] == "alleged" and claim["meta"]["kind"] == "claim"
    assert claim["meta"]["title"] == "Leaked audio attributes an order to use weapons against protesters"
    assert claim["meta"]["statement"].startswith("In a recording published")
    assert claim["filters"]["status"] == ["Alleged"]
    assert "Mikalai Karpyankou" in claim["filters"]["person"]
    # every spelling of the people it names is indexed with the claim, and its sources are searchable
    assert "Карпенков" in claim["content"] and "Karpiankou" in claim["content"]
    assert "Belsat" in claim["content"]
    # generic labels, the citation block, status history and heading permalinks are not
    assert "Cite this claim" in claim["content"]  # the heading stays
    assert "Permalink" not in claim["content"] and "Why this status" not in claim["content"]
    assert "¶" not in claim["content"]
    assert "/404.html" not in pages and "/404/" not in pages
    # lists of other claims keep index and entity pages from matching every claim's words
    status = pages["/status/alleged/"]
    assert status["meta"]["kind"] == "index" and "Leaked audio" not in status["content"]
    entity = pages["/entities/karpyankou/"]
    assert entity["meta"]["kind"] == "entity" and "Карпенков" in entity["content"]
    assert "Leaked audio" not in entity["content"]


def test_failed_check_writes_nothing(project_dir: Path) -> None:
    os.chdir(project_dir)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    marker = project_dir / "site" / "index.html"
    before = marker.read_bytes()
    shutil.copy(INVALID / "values" / "bad-values.yaml", project_dir / "claims" / "bad-values.yaml")
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "claims/bad-values.yaml:3:9: status: 'proven' is not allowed" in result.output
    assert marker.read_bytes() == before
    assert not list(project_dir.glob(".site-*"))


def test_symbolic_links_in_docs_are_refused(project_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# The builder's secret\n", encoding="utf-8")
    (project_dir / "docs" / "leak.md").symlink_to(secret)
    (project_dir / "docs" / "more").symlink_to(tmp_path)  # a linked folder: its files would be read too
    os.chdir(project_dir)
    with pytest.raises(PluginError, match=r"symbolic links are not allowed in .*leak\.md.*more/secret\.md"):
        ClaimsitePlugin().on_files(_docs_files(project_dir), config=_config(project_dir))
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert not (project_dir / "site").exists()


def _config(project_dir: Path) -> Any:
    from mkdocs.config import load_config

    return load_config(str(project_dir / "mkdocs.yml"))


def _docs_files(project_dir: Path) -> Any:
    from mkdocs.structure.files import get_files

    return get_files(_config(project_dir))


def test_failed_strict_build_keeps_the_previous_site(project_dir: Path) -> None:
    os.chdir(project_dir)
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    before = sorted(p.relative_to(project_dir) for p in (project_dir / "site").rglob("*"))
    (project_dir / "docs" / "methodology.md").write_text("[broken](nowhere.md)\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "the MkDocs build failed" in result.output
    assert sorted(p.relative_to(project_dir) for p in (project_dir / "site").rglob("*")) == before
    assert not list(project_dir.glob(".site-*"))


def test_plain_mkdocs_build_runs_the_pipeline(project_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (project_dir / "site" / "claims" / "voice-attribution" / "index.html").is_file()
    assert not (project_dir / "docs" / "claims").exists()  # generated pages are never written to docs/


def test_plain_mkdocs_build_fails_on_a_broken_claim(project_dir: Path) -> None:
    shutil.copy(INVALID / "rules" / "policy.yaml", project_dir / "claims" / "policy.yaml")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project_dir, capture_output=True, text=True)
    assert result.returncode == 1
    assert "claims/policy.yaml:3:9: a confirmed claim needs 'basis'" in result.stderr
    assert "Traceback" not in result.stderr


def test_generate_writes_a_site_plain_mkdocs_can_build(project_dir: Path, tmp_path: Path) -> None:
    os.chdir(project_dir)
    out = tmp_path / "generated"
    assert CliRunner().invoke(main, ["generate", "--out", str(out)]).exit_code == 0
    assert (out / "docs" / "claims" / "leaked-order.md").is_file()
    assert "claimsite" not in (out / "mkdocs.yml").read_text(encoding="utf-8").split("plugins:")[1].split("\n\n")[0]
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(out / "mkdocs.yml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "site" / "claims" / "leaked-order" / "index.html").is_file()


def _lines(path: Path) -> list[str]:
    """A page's lines without the blank ones (with a repo_url, Material leaves empty lines where it would
    put edit buttons, and only the plain build's pages, real files, have an edit address) and without
    their indentation (the plugin strips it from every page it writes: plugin.strip_indentation)."""
    return [line.lstrip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_plain_mkdocs_of_the_generated_markdown_gives_the_same_site(project_dir: Path, tmp_path: Path) -> None:
    """The plugin hands MkDocs finished HTML; Markdown of the same pages must convert to the same bytes."""
    os.chdir(project_dir)
    config = project_dir / "mkdocs.yml"  # the generated mkdocs.yml searches with Material's lunr: so does this build
    config.write_text(re.sub(r"\n( +)edit_url:", r"\n\1search: lunr\g<0>", config.read_text(encoding="utf-8"), count=1))
    assert CliRunner().invoke(main, ["build"]).exit_code == 0
    out = tmp_path / "generated"
    assert CliRunner().invoke(main, ["generate", "--out", str(out)]).exit_code == 0
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(out / "mkdocs.yml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    built, plain = project_dir / "site", out / "site"
    pages = sorted(p.relative_to(built) for p in built.rglob("*.html"))
    assert pages == sorted(p.relative_to(plain) for p in plain.rglob("*.html"))
    differ = [str(p) for p in pages if _lines(built / p) != _lines(plain / p)]
    assert differ == []
    index = json.loads((built / "search" / "search_index.json").read_text(encoding="utf-8"))
    plain_index = json.loads((plain / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert sorted(index["docs"], key=json.dumps) == sorted(plain_index["docs"], key=json.dumps)


def test_the_repository_site_builds(tmp_path: Path) -> None:
    """The real claims/ and docs/ of this repository pass the check and the strict build."""
    os.chdir(ROOT)
    result = CliRunner().invoke(main, ["build", "--site-dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    for page in ["methodology", "about", "contributing"]:
        assert (site / page / "index.html").is_file()
    methodology = (site / "methodology" / "index.html").read_text(encoding="utf-8")
    missing = [rule_id for rule_id in RULES if f"<code>{rule_id}</code>" not in methodology]
    assert not missing, f"rules not listed on the methodology page: {missing}"
    project = load_project([ROOT / "claims"])
    assert len(project.claims) >= 27
    for claim_id, loaded in project.claims.items():
        html = (site / "claims" / claim_id / "index.html").read_text(encoding="utf-8")
        sources = html.split('id="sources"', 1)[1].split("</ol>", 1)[0]
        assert sources.count("<li id=") == len(loaded.data.sources), claim_id
        for source in loaded.data.sources:
            assert f'href="{source.url.replace("&", "&amp;")}"' in sources or source.url in sources, claim_id


def test_renamed_claim_keeps_its_old_address(project_dir: Path) -> None:
    claims = project_dir / "claims"
    old = claims / "voice-attribution.yaml"
    text = old.read_text(encoding="utf-8") + "renamed_from: [voice-attribution]\n"
    (claims / "voice-on-recording.yaml").write_text(text, encoding="utf-8")
    old.unlink()
    leaked = claims / "leaked-order.yaml"
    text = leaked.read_text(encoding="utf-8")
    leaked.write_text(text.replace("claim: voice-attribution", "claim: voice-on-recording"), encoding="utf-8")
    os.chdir(project_dir)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    redirect = project_dir / "site" / "claims" / "voice-attribution" / "index.html"
    html = redirect.read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../voice-on-recording/">' in html
    assert (redirect.parent / "../voice-on-recording/index.html").resolve().is_file()


def test_a_retired_id_cannot_be_reused(project_dir: Path) -> None:
    claims = project_dir / "claims"
    leaked = claims / "leaked-order.yaml"
    leaked.write_text(leaked.read_text(encoding="utf-8") + "renamed_from: [voice-attribution]\n", encoding="utf-8")
    os.chdir(project_dir)
    result = CliRunner().invoke(main, ["check", "claims"])
    assert result.exit_code == 1
    assert (
        "'voice-attribution' is still the id of claims/voice-attribution.yaml; a retired id cannot be reused"
        in result.output
    )


def test_build_with_pdf_links_it_from_every_page(project_dir: Path) -> None:
    os.chdir(project_dir)
    result = CliRunner().invoke(main, ["build", "--pdf"])
    assert result.exit_code == 0, result.output
    site = project_dir / "site"
    assert (site / "claims.pdf").read_bytes().startswith(b"%PDF-")
    pages = [
        p
        for p in site.rglob("*.html")
        if p.name != "404.html" and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")
    ]
    for page in pages:
        links = [a.get("href") or "" for tag, a in parse(page).tags if tag == "a"]
        targets = [(page.parent / href).resolve() for href in links if href.endswith("claims.pdf")]
        assert targets and set(targets) == {(site / "claims.pdf").resolve()}, page


def test_plain_build_has_no_pdf_link(built_site: Path) -> None:
    assert "claims.pdf" not in (built_site / "index.html").read_text(encoding="utf-8")


def test_same_claims_and_source_date_give_a_byte_identical_site(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project_dir)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for folder in ("first", "second"):
        assert CliRunner().invoke(main, ["build", "--site-dir", folder]).exit_code == 0

    def tree(folder: str) -> dict[str, bytes]:
        root = project_dir / folder
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    first, second = tree("first"), tree("second")
    # Pagefind's filter and metadata indexes are not reproducible (Pagefind/pagefind#638: only its
    # fragments are); every other file is, and the fragments hold each page's indexed text.
    varying = re.compile(r"pagefind/(filter/|index/|pagefind\.[^/]*\.pf_meta$|pagefind-entry\.json$)")
    first, second = ({p: b for p, b in t.items() if not varying.match(p)} for t in (first, second))
    assert any(p.startswith("pagefind/fragment/") for p in first)
    assert first.keys() == second.keys()
    assert [path for path in first if first[path] != second[path]] == []


class NoteOutput:
    """An output of the kind a feed or an export would be: one file added to the site."""

    name = "note"

    def enabled(self, options: PublishOptions) -> bool:
        return True

    def site_path(self, plugin: ClaimsiteConfig) -> str:
        return "exports/note.txt"

    def link(self, plugin: ClaimsiteConfig, path: str | None) -> None:
        self.linked = path

    def build(self, context: OutputContext) -> Path:
        path = context.folder / "note.txt"
        path.write_text(f"{len(context.project.claims)} claims\n", encoding="utf-8")
        return path


def test_publish_runs_every_registered_output(project_dir: Path) -> None:
    note = NoteOutput()
    project = load_project([project_dir / "claims"])
    made = publish(project_dir / "mkdocs.yml", project, outputs=(note, *OUTPUTS))
    assert made.files == {"note": made.site_dir / "exports" / "note.txt"}
    assert made.files["note"].read_text(encoding="utf-8") == f"{len(project.claims)} claims\n"
    assert list(made.seconds) == ["note", "site"]  # the PDF and offline outputs were not asked for
    assert note.linked == "exports/note.txt"
    assert made.pdf_file is None and made.zip_file is None


def test_rules_set_in_mkdocs_yml_apply_and_are_published(project_dir: Path) -> None:
    (project_dir / "docs" / "methodology.md").write_text(
        "# Methodology\n\n## Rules\n\n<!-- claimsite:rules -->\n", encoding="utf-8"
    )
    config = project_dir / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - claimsite:\n",
            "  - claimsite:\n      rules: {quote-short: off, document-cited-once: error}\n",
        ),
        encoding="utf-8",
    )
    os.chdir(project_dir)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert "rules turned off in mkdocs.yml: quote-short" in result.output
    page = (project_dir / "site" / "methodology" / "index.html").read_text(encoding="utf-8")
    row = page.split("<code>quote-short</code>", 1)[1].split("</tr>", 1)[0]
    assert "off in this project" in row
    row = page.split("<code>document-cited-once</code>", 1)[1].split("</tr>", 1)[0]
    assert "error (default: warning)" in row
    assert "<!-- claimsite:rules -->" not in page


def test_a_misspelt_rule_in_mkdocs_yml_stops_the_build_with_a_hint(project_dir: Path) -> None:
    config = project_dir / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "  - claimsite:\n", "  - claimsite:\n      rules: {quote-shrt: off}\n"
        ),
        encoding="utf-8",
    )
    os.chdir(project_dir)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    assert "no rule 'quote-shrt'; did you mean 'quote-short'?" in result.output
    assert "Traceback" not in result.output
    assert not (project_dir / "site").exists()


def test_link_previews_are_text_and_escaped(built_site: Path) -> None:
    """Open Graph and Twitter tags come from the title and description, escaped, with no image."""
    page = (built_site / "claims" / "hostile-text" / "index.html").read_text(encoding="utf-8")
    head = page.split("</head>", 1)[0]
    title = re.search(r'<meta property="og:title" content="([^"]*)">', head)
    assert title and title.group(1).startswith("&lt;script&gt;alert(&#x27;title&#x27;)")
    assert '<meta name="twitter:card" content="summary">' in head
    assert "og:image" not in head
    assert '<meta property="og:url" content="https://claims.example.org/claims/hostile-text/">' in head


def test_evidence_lines_read_the_link_state_and_the_capture_store(project_dir: Path) -> None:
    """The plugin hands the pages what `sources check` and `sources archive` left in the project."""
    import hashlib

    record = b'{"captured_at": "2026-11-20T10:11:12.000000Z", "files": {}}\n'
    digest = hashlib.sha256(record).hexdigest()
    folder = project_dir / ".claimsite" / "captures" / "leaked-order" / "s1" / "20261120T101112000000Z"
    folder.mkdir(parents=True)
    (folder / "record.json").write_bytes(record)
    claim = project_dir / "claims" / "leaked-order.yaml"
    text = claim.read_text(encoding="utf-8")
    claim.write_text(re.sub(r"capture: sha256:[0-9a-f]{64}", f"capture: sha256:{digest}", text), encoding="utf-8")
    state = {
        "version": 1,
        "addresses": {
            "https://belsat.example/en/news/leak": {"status": "ok", "checked": "2026-11-25T06:00:00Z"},
        },
    }
    (project_dir / ".claimsite" / "link-state.json").write_text(json.dumps(state), encoding="utf-8")
    os.chdir(project_dir)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    page = (project_dir / "site" / "claims" / "leaked-order" / "index.html").read_text(encoding="utf-8")
    line = page.split('<p class="claim-source-evidence" data-pagefind-ignore>', 1)[1].split("</p>", 1)[0]
    assert line.startswith('Link: Working, checked <time datetime="2026-11-25">25 November 2026</time>')
    assert f'<code title="sha256:{digest}">sha256:{digest[:12]}…</code>' in line
    assert "2026-11-20 10:11 UTC</time>: verified, the capture store holds it" in line


def test_indentation_is_stripped_but_no_words_join_and_pre_is_kept() -> None:
    from claimsite.plugin import strip_indentation

    html = "<div>\n    <p>one\n      <a>two</a></p>\n  <pre>  keep\n    this</pre>\n"
    html += "\t<textarea>\n  x</textarea>\n  end</div>"
    assert strip_indentation(html) == (
        "<div>\n<p>one\n<a>two</a></p>\n<pre>  keep\n    this</pre>\n<textarea>\n  x</textarea>\nend</div>"
    )
    assert strip_indentation("<p>a\n   b</p>") == "<p>a\nb</p>"


def test_every_claim_page_keeps_the_budget(built_site: Path) -> None:
    """DESIGN.md: one claim page is at most 40 KB of HTML."""
    sizes = {p.parent.name: p.stat().st_size for p in (built_site / "claims").glob("*/index.html")}
    assert sizes and max(sizes.values()) <= 40 * 1024, sorted(sizes.items(), key=lambda item: -item[1])[:3]
