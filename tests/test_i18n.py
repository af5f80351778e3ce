"""The interface's message catalogs: Slavic plurals, dates per precision, language fallback, and catalogs
that stay complete as the code grows (every extracted msgid translated, placeholders kept)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import string
from pathlib import Path
from types import ModuleType

import pytest
from babel import Locale
from babel.messages.catalog import Catalog, Message
from conftest import ROOT

from claimsite.i18n import LANGUAGES, N_, Messages, catalog_path, messages
from claimsite.model import PartialDate
from claimsite.vocab import STATUS_LABELS, Status, translation_note

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
COUNTS = (0, 1, 2, 5, 11, 21, 22, 25, 101, 111)


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return load_script()


@pytest.fixture(scope="module")
def extracted(script: ModuleType) -> Catalog:
    """What `scripts/i18n.py extract` finds in src/claimsite now (in memory, nothing written)."""
    catalog: Catalog = script.extract()
    return catalog


def shipped(script: ModuleType, language: str) -> Catalog:
    catalog: Catalog = script.read_catalog(script.po_path(language), language)  # abort_invalid: errors raise
    return catalog


# --------------------------------------------------------------------------- plurals


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "ru",
            ["0 утверждений", "1 утверждение", "2 утверждения", "5 утверждений", "11 утверждений",
             "21 утверждение", "22 утверждения", "25 утверждений", "101 утверждение", "111 утверждений"],
        ),
        (
            "be",
            ["0 сцвярджэнняў", "1 сцвярджэнне", "2 сцвярджэнні", "5 сцвярджэнняў", "11 сцвярджэнняў",
             "21 сцвярджэнне", "22 сцвярджэнні", "25 сцвярджэнняў", "101 сцвярджэнне", "111 сцвярджэнняў"],
        ),
        (
            "en",
            ["0 claims", "1 claim", "2 claims", "5 claims", "11 claims",
             "21 claims", "22 claims", "25 claims", "101 claims", "111 claims"],
        ),
    ],
)  # fmt: skip
def test_claim_counts_follow_the_languages_plural_rules(language: str, expected: list[str]) -> None:
    t = messages(language)
    assert [t.plural("{n} claim", "{n} claims", n) for n in COUNTS] == expected


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_plural_message_picks_the_cldr_category_for_n(script: ModuleType, language: str) -> None:
    """one/few/many as CLDR defines them for integers: msgstr[0], [1], [2]; [3] is for fractions."""
    rule = Locale.parse(language).plural_form
    index = {"one": 0, "few": 1, "many": 2, "other": 3}
    t = messages(language)
    plurals = [m for m in shipped(script, language) if isinstance(m.id, tuple)]
    assert plurals
    for message in plurals:
        singular, plural = message.id
        for n in COUNTS:
            assert t.plural(singular, plural, n) == message.string[index[rule(n)]].format(n=n), (singular, n)


def test_plural_values_besides_n_are_filled() -> None:
    t = messages("ru")
    assert t.plural("{n} claim", "{n} claims", 3) == "3 утверждения"
    assert t.plural("{n} {thing}", "{n} {thing}s", 2, thing="x") == "2 xs"  # not in the catalog: English


@pytest.mark.parametrize("language", TRANSLATED)
def test_plural_forms_header_is_the_cldr_rule(script: ModuleType, language: str) -> None:
    catalog = shipped(script, language)
    assert catalog.plural_forms == script.plural_forms(language) + ";"
    assert catalog.num_plurals == 4


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("language", "day", "month", "year"),
    [
        ("en", "6 September 2020", "September 2020", "2020"),
        ("be", "6 верасня 2020", "верасень 2020", "2020"),
        ("ru", "6 сентября 2020", "сентябрь 2020", "2020"),
    ],
)
def test_dates_read_at_their_precision(language: str, day: str, month: str, year: str) -> None:
    t = messages(language)
    assert t.date(PartialDate(2020, 9, 6)) == day
    assert t.date(PartialDate(2020, 9)) == month
    assert t.date(PartialDate(2020)) == year
    assert t.date(dt.date(2020, 9, 6)) == day
    assert t.date("2020-09") == month


@pytest.mark.parametrize(
    ("language", "undated", "unknown"),
    [
        ("en", "undated", "date not established"),
        ("be", "без даты", "дата не ўстаноўлена"),
        ("ru", "без даты", "дата не установлена"),
    ],
)
def test_missing_published_dates_read_as_their_labels(language: str, undated: str, unknown: str) -> None:
    t = messages(language)
    assert (t.date("undated"), t.date("unknown")) == (undated, unknown)
    assert t.date("not a date") == "not a date"


# --------------------------------------------------------------------------- choosing a language


def test_no_language_is_english_without_a_fallback() -> None:
    t = messages(None)
    assert (t.language, t.fallback) == ("en", False)
    assert t("Alleged") == "Alleged"


def test_unknown_language_falls_back_to_english_and_says_so() -> None:
    t = messages("pl")
    assert (t.language, t.fallback, t.requested) == ("en", True, "pl")
    assert t(STATUS_LABELS[Status.CONFIRMED]) == "Confirmed"


@pytest.mark.parametrize(("requested", "language"), [("ru-RU", "ru"), ("be_BY", "be"), ("RU", "ru"), ("en-GB", "en")])
def test_region_variants_load_the_base_language(requested: str, language: str) -> None:
    t = messages(requested)
    assert (t.language, t.fallback) == (language, False)


def test_catalogs_are_cached_per_language() -> None:
    assert messages("ru") is messages("ru")
    assert isinstance(messages("be"), Messages)


def test_translation_with_values_and_without() -> None:
    t = messages("ru")
    assert t("{status} claims", status=t("Confirmed")) == "Утверждения со статусом «Подтверждено»"
    assert t("not in any catalog {x}") == "not in any catalog {x}"  # no values: not formatted
    assert N_("Alleged") == "Alleged"


def test_translation_note_in_each_language() -> None:
    assert translation_note("ru") == "the outlet's translation from Russian"
    assert translation_note("ru", messages("be")) == "пераклад выдання, мова арыгінала: руская"
    assert translation_note("xx", messages("ru")) == "перевод издания, язык оригинала: xx"


# --------------------------------------------------------------------------- catalogs complete and sound


def describe(message: Message) -> str:
    return message.id if isinstance(message.id, str) else " / ".join(message.id)


def test_extraction_finds_the_marked_strings(extracted: Catalog) -> None:
    ids = {describe(m) for m in extracted if m.id}
    assert {"Alleged", "Shown to be false; the disproof and its sources are given.", "Russian"} <= ids
    assert "{n} claim / {n} claims" in ids  # t.plural(...) and site.t.plural(...)


def test_extraction_sees_calls_inside_f_strings_and_attribute_calls(script: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "page.py").write_text(
        "def page(site, t, n, term):\n"
        "    a = f\"{site.label(N_('URL'))}: {t('Origin')} {site.t.plural('{n} claim', '{n} claims', n)}\"\n"
        "    b = self.t('Statement') + t.plural('{n} document', '{n} documents', n)\n"
        "    return f'{site.label(term)} {t(term)}'  # not literals: nothing to extract\n",
        encoding="utf-8",
    )
    ids = {describe(m) for m in script.extract(tmp_path) if m.id}
    assert ids == {"URL", "Origin", "{n} claim / {n} claims", "Statement", "{n} document / {n} documents"}


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_msgid_is_both_in_use_and_obsolete(script: ModuleType, language: str) -> None:
    catalog = shipped(script, language)
    assert not {m.id for m in catalog.obsolete.values()} & {m.id for m in catalog}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_extracted_msgid_is_translated(script: ModuleType, extracted: Catalog, language: str) -> None:
    gaps = script.missing(extracted, shipped(script, language))
    assert not gaps, (
        f"{len(gaps)} msgid(s) without a {language} translation in {catalog_path(language)}:\n  "
        + "\n  ".join(gaps)
        + "\nRun `python scripts/i18n.py extract && python scripts/i18n.py update`, then translate them "
        "(CONTRIBUTING.md, 'Translating the interface')."
    )


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_exactly_the_msgids_placeholders(script: ModuleType, language: str) -> None:
    wrong = []
    for message in shipped(script, language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set().union(*(placeholders(i) for i in ids))
        for text in strings:
            if text and placeholders(text) != expected:
                wrong.append(f"{describe(message)!r}: {text!r}")
    assert not wrong, "placeholders differ from the msgid's:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", sorted((ROOT / "src" / "claimsite" / "locale").rglob("*.po*")), ids=str)
def test_catalog_files_parse_without_warnings(
    script: ModuleType, path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = script.read_catalog(path)
    assert len(catalog) > 0
    assert capsys.readouterr().out == ""  # Babel prints its warnings
    assert not any(m.fuzzy for m in catalog if m.id), "fuzzy entries are left out at run time"


def test_no_compiled_catalogs_in_the_repository() -> None:
    assert not list((ROOT / "src" / "claimsite" / "locale").rglob("*.mo"))


def test_be_uses_the_official_orthography() -> None:
    """Taraškievica spellings would mix two norms in one interface (e.g. "сьцвярджэньне")."""
    text = catalog_path("be").read_text(encoding="utf-8")
    assert not re.search(r"сьц|зьв|зьн|ньн|сьв", text)


def test_update_keeps_translations_adds_new_msgids_untranslated_and_revives_obsolete(script: ModuleType) -> None:
    catalog = shipped(script, "ru")
    template = Catalog(fuzzy=False)
    template.add("Alleged")
    template.add("Brand new")
    template.add(("{n} new thing", "{n} new things"))
    script.update(template, catalog, "ru")
    assert catalog["Alleged"].string == "Заявлено"
    assert not catalog["Brand new"].string and not catalog["Brand new"].fuzzy
    assert not any(catalog["{n} new thing"].string) and not catalog["{n} new thing"].fuzzy
    assert "Confirmed" not in catalog and "Confirmed" in catalog.obsolete
    template.add("Confirmed")
    script.update(template, catalog, "ru")
    assert catalog["Confirmed"].string == "Подтверждено"  # used again: its translation comes back
    assert "Confirmed" not in {m.id for m in catalog.obsolete.values()}
    assert catalog.plural_forms == script.plural_forms("ru") + ";"


def test_counts_are_written_as_the_language_writes_numbers() -> None:
    assert messages("en").plural("{n} byte", "{n} bytes", 1234567) == "1,234,567 bytes"
    assert messages("ru").plural("{n} byte", "{n} bytes", 1234567) == "1\xa0234\xa0567 байт"
    assert messages("be").plural("{n} claim", "{n} claims", 999) == "999 сцвярджэнняў"
