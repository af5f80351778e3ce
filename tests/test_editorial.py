"""The editorial guarantees: descriptions cut at a boundary, attribution first, the corrections log,
the contact line, translated quotes and the tag vocabulary on the pages."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import yaml
from conftest import ROOT, TODAY, VALID
from hypothesis import given
from hypothesis import strategies as st

from claimsite.catalog import Catalog
from claimsite.project import load_project
from claimsite.render import CONTACT_MARKER, CORRECTIONS_MARKER, TAGS_MARKER, RenderOptions, Site, fill_markers
from claimsite.rules import DEFAULT_RULES, RuleConfig, plugin_settings
from claimsite.rules.claim import opens_with_attribution
from claimsite.site import read_config_file
from claimsite.text import DESCRIPTION_LIMIT, description

LONG = (
    "According to the speaker in the recording published by BYPOL (a voice attributed to an official), "
    "the head of state said at a small meeting that street protests must be dealt with harshly, and that "
    "officers should use weapons against anyone who rushes at them."
)


def test_a_long_description_ends_at_a_clause_with_the_attribution_kept() -> None:
    text = description(LONG)
    assert len(text) <= DESCRIPTION_LIMIT
    assert text.startswith("According to the speaker")
    assert text.endswith(" …")
    assert text[:-2] == LONG[: len(text) - 2]  # a prefix of the statement, cut at a comma
    assert LONG[len(text) - 2] == ","


def test_a_description_prefers_a_whole_sentence() -> None:
    text = "According to Viasna, more than 33,000 people were detained in 2020. " + "Further detail " * 20
    assert description(text) == "According to Viasna, more than 33,000 people were detained in 2020."


@given(st.text(alphabet=st.sampled_from("abc де, ;.—"), min_size=0, max_size=400))
def test_descriptions_never_end_mid_word(text: str) -> None:
    short = description(text)
    flat = " ".join(text.split())
    assert len(short) <= DESCRIPTION_LIMIT
    if short != flat:
        kept = short.removesuffix(" …")
        assert flat.startswith(kept)
        following = flat[len(kept) : len(kept) + 1]
        assert following in ("", " ") or not kept[-1:].isalnum()


def test_attribution_openings() -> None:
    assert opens_with_attribution("According to BYPOL, the official said …")
    assert opens_with_attribution("In the recording published by BYPOL, the speaker …")
    assert opens_with_attribution("Reform.by reports that the commander said …")
    assert not opens_with_attribution("The commander ordered officers to shoot, according to BYPOL.")


def _site(tmp_path: Path, **options: object) -> Site:
    folder = tmp_path / "claims"
    shutil.copytree(VALID, folder)
    path = folder / "leaked-order.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["history"].append(
        {**data["history"][-1], "date": "2021-03-01", "note": "Fixed a misquote.", "correction": True}
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (folder / "tags.yaml").write_text("leak: Leaked recordings and documents.\n", encoding="utf-8")
    project = load_project([folder], base=folder, today=TODAY)
    return Site(Catalog(project), dataclasses.replace(RenderOptions(), **options))  # type: ignore[arg-type]


def test_the_corrections_log_lists_history_entries_marked_as_corrections(tmp_path: Path) -> None:
    site = _site(tmp_path)
    page = fill_markers(CORRECTIONS_MARKER, "about.md", site, DEFAULT_RULES, site.options)
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 1 and "1 March 2021" in rows[0] and "Fixed a misquote." in rows[0]
    assert "(claims/leaked-order.md)" in rows[0]


def test_the_contact_line_says_when_there_is_no_private_address(tmp_path: Path) -> None:
    without = _site(tmp_path)
    text = fill_markers(CONTACT_MARKER, "about.md", without, DEFAULT_RULES, without.options)
    assert "no private address" in text and "mailto:" not in text
    configured = RenderOptions(contact_email="errors@example.org")
    text = fill_markers(CONTACT_MARKER, "about.md", without, DEFAULT_RULES, configured)
    assert 'href="mailto:errors@example.org"' in text and "no private address" not in text


def test_the_tag_vocabulary_is_listed(tmp_path: Path) -> None:
    site = _site(tmp_path)
    text = fill_markers(TAGS_MARKER, "methodology.md", site, DEFAULT_RULES, site.options)
    assert "| `leak` | Leaked recordings and documents. |" in text


def test_the_real_content_is_held_to_the_editorial_rules() -> None:
    """The repository's claims: every tag in the vocabulary, attributed allegations, no 'seed article'."""
    rules = RuleConfig.parse(plugin_settings(read_config_file(ROOT / "mkdocs.yml")).get("rules"), "mkdocs.yml")
    project = load_project([ROOT / "claims"], base=ROOT, rules=rules)  # with the project's rule settings
    assert project.tags and not project.errors(strict=True)
    for loaded in project.claims.values():
        claim = loaded.data
        assert set(claim.tags) <= set(project.tags)
        if claim.status == "alleged" and claim.people:
            assert opens_with_attribution(claim.statement), loaded.id
    public = [*(ROOT / "claims").rglob("*.yaml"), *(ROOT / "docs").rglob("*.md")]
    assert not [p for p in public if "seed article" in p.read_text(encoding="utf-8").lower()]


AUDIT_SPELLINGS = {
    # content-audit-2026-12.md, section 4: the variants it found missing, by person
    "karpyankou": [
        "Mikalay Karpyankow",
        "Mikalaj Karpiankoŭ",
        "Mikałaj Karpiankoŭ",
        "Nikolaj Nikolaevič Karpenkov",
        "Mikalay Karpyankou",
        "Mikalay Karpjankov",
        "Mikałaj Karpiankou",
        "Karpienkou",
        "Karpienkow",
        "Nikołaj Karpienkow",
        "Mikalay Karpenkau",
    ],
    "taraikouski": [
        "Alyaksandr Taraykowski",
        "Aliaksandr Tarajkoŭski",
        "Alaksandr Tarajkoŭski",
        "Aleksandr Tarajkovskij",
        "Tarajkouski",
        "Tarajkowski",
    ],
    "lukashenka": ["Alaksandr Łukašenka", "Aleksandr Lukašenko", "Lukashenka", "Lukashenko"],
}
"""The people of Belsat's report of 15 January 2021, with the spellings the audit asked for."""

SEED_ORGANISATIONS = ["bypol", "gubopik", "mvd-belarus", "associated-press", "belsat", "viasna"]


def test_the_people_of_the_seed_report_have_every_spelling_a_reader_may_type() -> None:
    """Each person: the audit's variants, and the native names in Cyrillic and in BGN/PCGN, the national
    Latin standard and łacinka (from Belarusian) and ISO 9 (from Russian), on the entity itself so that
    its page lists them."""
    from claimsite.spelling import BGN_PCGN_BE, ISO_9, LACINKA, NATIONAL_BE, transliterate

    rules = RuleConfig.parse(plugin_settings(read_config_file(ROOT / "mkdocs.yml")).get("rules"), "mkdocs.yml")
    project = load_project([ROOT / "claims"], base=ROOT, rules=rules)  # with the project's rule settings
    for eid, variants in AUDIT_SPELLINGS.items():
        entity = project.entities[eid].data
        written = {entity.name, *entity.names.values(), *entity.aliases}
        assert not set(variants) - written, eid
        belarusian, russian = entity.names["be"], entity.names["ru"]
        standard = [transliterate(belarusian, s) for s in (BGN_PCGN_BE, NATIONAL_BE, LACINKA)]
        standard.append(transliterate(russian, ISO_9))
        assert not set(standard) - written, eid
        assert {belarusian.split()[-1], russian.split()[-1]} <= written, eid  # Карпянкоў, Карпенков
    for eid in SEED_ORGANISATIONS:
        entity = project.entities[eid].data
        assert entity.aliases, eid
        assert any(any("\u0400" <= ch <= "\u04ff" for ch in a) for a in [*entity.names.values(), *entity.aliases]), eid


def test_the_about_page_states_what_is_not_yet_published_and_has_its_generated_parts() -> None:
    """Who runs the site, its legal status, funding and editors are either given or said to be not yet
    published (never a placeholder); the contact and corrections markers are on the page, and the
    page says whether the real site's configuration gives a private address."""
    about = (ROOT / "docs" / "about.md").read_text(encoding="utf-8")
    section = about.split("{ #who-runs-it }")[1].split("\n## ")[0]
    for fact in ("**Publisher.**", "**Legal status.**", "**Funding.**", "**Editors.**", "**Conflicts of interest"):
        line = section.split(fact)[1].split("\n- ")[0]
        assert "not yet published" in line, fact
    assert CONTACT_MARKER in about and CORRECTIONS_MARKER in about
    config = yaml.safe_load(
        "\n".join(
            line for line in (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines() if "!!python" not in line
        )
    )
    plugin = next(p["claimsite"] for p in config["plugins"] if isinstance(p, dict) and "claimsite" in p)
    address = plugin.get("contact_email")
    text = fill_markers(CONTACT_MARKER, "about.md", None, DEFAULT_RULES, RenderOptions(contact_email=address))
    assert ("no private address" in text) == (address is None)
