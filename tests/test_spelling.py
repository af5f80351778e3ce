"""Spellings for search: each romanization standard gives the spellings its own tables and examples give,
folding makes typed variants equal, and an entity's spellings reach the forms the content audit found
missing (shared/research/content-audit-2026-12.md, section 4)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from claimsite.spelling import (
    BGN_PCGN_BE,
    BGN_PCGN_RU,
    ICAO_BE,
    ICAO_RU,
    ISO_9,
    LACINKA,
    NATIONAL_BE,
    PRESS_BE,
    PRESS_I_BE,
    PRESS_ICAO_BE,
    PRESS_RU,
    WIKIPEDIA_RU,
    Scheme,
    fold,
    language_of,
    spellings,
    transliterate,
    transliterations,
)

ENTITIES = ROOT / "claims" / "entities"
CYRILLIC = re.compile("[\u0400-\u052f]")

# --------------------------------------------------------------------------- each standard

EXAMPLES: list[tuple[Scheme, str, str]] = [
    # BGN/PCGN 1979, the standard's own examples, then the names of the audit
    (BGN_PCGN_BE, "Гомель", "Homyel’"),
    (BGN_PCGN_BE, "Беліца", "Byelitsa"),
    (BGN_PCGN_BE, "Віцебск", "Vitsyebsk"),
    (BGN_PCGN_BE, "Магілёў", "Mahilyow"),
    (BGN_PCGN_BE, "Вільня", "Vil’nya"),
    (BGN_PCGN_BE, "Іўе", "Iwye"),
    (BGN_PCGN_BE, "Прыпяць", "Prypyats’"),
    (BGN_PCGN_BE, "Чэрыкаў", "Cherykaw"),
    (BGN_PCGN_BE, "з’езд", "z”yezd"),
    (BGN_PCGN_BE, "Вялікія Вераб’евічы", "Vyalikiya Vyerab”yevichy"),
    (BGN_PCGN_BE, "Мікалай Мікалаевіч Карпянкоў", "Mikalay Mikalayevich Karpyankow"),
    (BGN_PCGN_BE, "Аляксандр Тарайкоўскі", "Alyaksandr Taraykowski"),
    (BGN_PCGN_BE, "Аляксандр Лукашэнка", "Alyaksandr Lukashenka"),
    (BGN_PCGN_BE, "Святлана Ціханоўская", "Svyatlana Tsikhanowskaya"),
    # the national standard (2000, amended 2007), the instruction's own examples, then the names
    (NATIONAL_BE, "Бешанковічы", "Biešankovičy"),
    (NATIONAL_BE, "Гомель", "Homieĺ"),
    (NATIONAL_BE, "Гаўя", "Haŭja"),
    (NATIONAL_BE, "Ельск", "Jeĺsk"),
    (NATIONAL_BE, "Бабаедава", "Babajedava"),
    (NATIONAL_BE, "Вераб'ёвічы", "Vierabjovičy"),
    (NATIONAL_BE, "Мёры", "Miory"),
    (NATIONAL_BE, "Іўе", "Iŭje"),
    (NATIONAL_BE, "Любань", "Liubań"),
    (NATIONAL_BE, "Магілёў", "Mahilioŭ"),
    (NATIONAL_BE, "Друць", "Druć"),
    (NATIONAL_BE, "Хоцімск", "Chocimsk"),
    (NATIONAL_BE, "Шаркаўшчына", "Šarkaŭščyna"),
    (NATIONAL_BE, "Цёмны Лес", "Ciomny Lies"),
    (NATIONAL_BE, "Валяр'яны", "Valiarjany"),
    (NATIONAL_BE, "Беларусь", "Bielaruś"),
    (NATIONAL_BE, "Мікалай Карпянкоў", "Mikalaj Karpiankoŭ"),
    (NATIONAL_BE, "Мікалай Мікалаевіч Карпянкоў", "Mikalaj Mikalajevič Karpiankoŭ"),
    (NATIONAL_BE, "Аляксандр Тарайкоўскі", "Aliaksandr Tarajkoŭski"),
    (NATIONAL_BE, "Аляксандр Лукашэнка", "Aliaksandr Lukašenka"),
    (NATIONAL_BE, "Святлана Ціханоўская", "Sviatlana Cichanoŭskaja"),
    # łacinka
    (LACINKA, "Мікалай Карпянкоў", "Mikałaj Karpiankoŭ"),
    (LACINKA, "Мікалай Мікалаевіч Карпянкоў", "Mikałaj Mikałajevič Karpiankoŭ"),
    (LACINKA, "Аляксандр Тарайкоўскі", "Alaksandr Tarajkoŭski"),
    (LACINKA, "Аляксандр Лукашэнка", "Alaksandr Łukašenka"),
    (LACINKA, "Святлана Ціханоўская", "Sviatłana Cichanoŭskaja"),
    (LACINKA, "Беларусь", "Biełaruś"),
    (LACINKA, "Гомель", "Homiel"),
    (LACINKA, "Магілёў", "Mahiloŭ"),
    (LACINKA, "Васільева", "Vasiljeva"),
    (LACINKA, "Лідзе люлька", "Lidzie lulka"),
    # ISO 9:1995, one table for both languages
    (ISO_9, "Мікалай Карпянкоў", "Mìkalaj Karpânkoǔ"),
    (ISO_9, "Аляксандр Тарайкоўскі", "Alâksandr Tarajkoǔskì"),
    (ISO_9, "Лукашэнка", "Lukašènka"),
    (ISO_9, "Магілёў", "Magìlëǔ"),
    (ISO_9, "сям'я", "sâmʼâ"),
    (ISO_9, "Николай Николаевич Карпенков", "Nikolaj Nikolaevič Karpenkov"),
    (ISO_9, "Александр Тарайковский", "Aleksandr Tarajkovskij"),
    (ISO_9, "Александр Григорьевич Лукашенко", "Aleksandr Grigorʹevič Lukašenko"),
    (ISO_9, "Светлана Тихановская", "Svetlana Tihanovskaâ"),
    (ISO_9, "Подъячев Щукин Ёлкин", "Podʺâčev Ŝukin Ëlkin"),
    # ICAO Doc 9303: the Belarusian passport examples, then the Russian table
    (ICAO_BE, "Бабрыковіч Аляксандр", "Babrykovich Aliaksandr"),
    (ICAO_BE, "Міховіч Марыя", "Mikhovich Maryia"),
    (ICAO_BE, "СВЯТЛАНА", "SVIATLANA"),
    (ICAO_BE, "Ігар", "Ihar"),
    (ICAO_BE, "Палто Алена", "Palto Alena"),
    (ICAO_BE, "Мікалай Карпянкоў", "Mikalai Karpiankou"),
    (ICAO_BE, "Аляксандр Тарайкоўскі", "Aliaksandr Taraikouski"),
    (ICAO_BE, "Святлана Ціханоўская", "Sviatlana Tsikhanouskaia"),
    (ICAO_RU, "Николай Карпенков", "Nikolai Karpenkov"),
    (ICAO_RU, "Александр Тарайковский", "Aleksandr Taraikovskii"),
    (ICAO_RU, "Светлана Тихановская", "Svetlana Tikhanovskaia"),
    (ICAO_RU, "Подъячев Ёлкин", "Podieiachev Elkin"),
    # BGN/PCGN 1947 and Wikipedia's simplification of it
    (BGN_PCGN_RU, "Николай Николаевич Карпенков", "Nikolay Nikolayevich Karpenkov"),
    (BGN_PCGN_RU, "Александр Тарайковский", "Aleksandr Taraykovskiy"),
    (BGN_PCGN_RU, "Александр Григорьевич Лукашенко", "Aleksandr Grigor’yevich Lukashenko"),
    (BGN_PCGN_RU, "Светлана Тихановская", "Svetlana Tikhanovskaya"),
    (BGN_PCGN_RU, "Ёлкин Подъячев", "Yëlkin Pod”yachev"),
    (WIKIPEDIA_RU, "Александр Тарайковский", "Aleksandr Taraykovsky"),
    (WIKIPEDIA_RU, "Александр Григорьевич Лукашенко", "Aleksandr Grigoryevich Lukashenko"),
    (WIKIPEDIA_RU, "Ёлкин Ильин Алексеев", "Yolkin Ilyin Alekseyev"),
    # English-language press practice, as the entity files show it
    (PRESS_BE, "Аляксандр Тарайкоўскі", "Alyaksandr Taraykouski"),
    (PRESS_BE, "Мікалай Карпянкоў", "Mikalay Karpyankou"),
    (PRESS_I_BE, "Мікалай Карпянкоў", "Mikalai Karpyankou"),
    (PRESS_I_BE, "Аляксандр Тарайкоўскі", "Alyaksandr Taraikouski"),
    (PRESS_ICAO_BE, "Святлана Ціханоўская", "Sviatlana Tsikhanouskaya"),
    (PRESS_ICAO_BE, "Юрый Караеў", "Yury Karayeu"),
    (PRESS_ICAO_BE, "Яўген", "Yauhen"),
    (PRESS_RU, "Николай Карпенков", "Nikolai Karpenkov"),
    (PRESS_RU, "Александр Тарайковский", "Aleksandr Taraikovsky"),
]


@pytest.mark.parametrize(("scheme", "cyrillic", "latin"), EXAMPLES, ids=[f"{c}-{s.name[:12]}" for s, c, _ in EXAMPLES])
def test_each_standard_writes_its_examples(scheme: Scheme, cyrillic: str, latin: str) -> None:
    assert transliterate(cyrillic, scheme) == latin


def test_case_follows_each_source_letter() -> None:
    assert transliterate("КАРПЯНКОЎ", BGN_PCGN_BE) == "KARPYANKOW"
    assert transliterate("Шчара ЛЮБАНЬ", NATIONAL_BE) == "Ščara LIUBAŃ"
    assert transliterate("Лукашэнка", LACINKA) == "Łukašenka"


def test_text_that_is_not_cyrillic_stays_as_it_is() -> None:
    assert transliterate("Лукашэнка (Lukashenka), 2020–21", NATIONAL_BE) == "Lukašenka (Lukashenka), 2020–21"


def test_an_accent_over_a_vowel_does_not_hide_it() -> None:
    assert transliterate("Мікала́евіч", NATIONAL_BE) == "Mikalájevič"


# --------------------------------------------------------------------------- transliterations


def test_transliterations_of_a_belarusian_name_standards_first() -> None:
    assert transliterations("Мікалай Карпянкоў", "be") == [
        "Mikalay Karpyankow",
        "Mikalaj Karpiankoŭ",
        "Mikałaj Karpiankoŭ",
        "Mìkalaj Karpânkoǔ",
        "Mikalai Karpiankou",
        "Mikalay Karpyankou",
        "Mikalai Karpyankou",
    ]


def test_transliterations_of_a_russian_name() -> None:
    assert transliterations("Николай Николаевич Карпенков", "ru") == [
        "Nikolay Nikolayevich Karpenkov",
        "Nikolaj Nikolaevič Karpenkov",
        "Nikolai Nikolaevich Karpenkov",
        "Nikolai Nikolayevich Karpenkov",
    ]


@pytest.mark.parametrize(
    ("belarusian", "russian", "expected"),
    [
        ("Лукашэнка", "Лукашенко", ["Lukashenka", "Lukašenka", "Lukashenko", "Lukašenko"]),
        ("Ціханоўская", "Тихановская", ["Tsikhanouskaya", "Cichanoŭskaja", "Tikhanovskaya", "Tihanovskaâ"]),
        ("Тарайкоўскі", "Тарайковский", ["Taraykowski", "Tarajkoŭski", "Tarajkovskij", "Taraikovsky"]),
    ],
)
def test_both_languages_of_a_surname_give_the_common_spellings(
    belarusian: str, russian: str, expected: list[str]
) -> None:
    found = transliterations(belarusian, "be") + transliterations(russian, "ru")
    assert [spelling for spelling in expected if spelling not in found] == []


def test_a_language_subtag_is_ignored() -> None:
    assert transliterations("Лукашэнка", "be-tarask") == transliterations("Лукашэнка", "be")


def test_nothing_to_transliterate() -> None:
    assert transliterations("Lukashenka", "be") == []
    assert transliterations("Лукашэнка", "uk") == []
    assert transliterations("", "ru") == []


def test_a_result_that_would_keep_cyrillic_is_left_out() -> None:
    """и is no Belarusian letter: only the tables that cover all Cyrillic (ISO 9, ICAO) write it."""
    found = transliterations("Минск", "be")
    assert "Minsk" in found
    assert not any(CYRILLIC.search(spelling) for spelling in found)


# --------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Mikałaj Karpiankoŭ", "mikalaj karpiankou"),
        ("Karpânkoǔ", "karpankou"),
        ("Homieĺ", "homiel"),
        ("Homyel’", "homyel"),
        ("z”yezd", "zyezd"),
        ("Đorđe Østergård", "dorde ostergard"),
        ("ﬁnal ＫＧＢ", "final kgb"),
        ("Straße", "strasse"),
        ("«Алмаз»", "алмаз"),
        ("Тарайкоўскі", "тараикоуски"),
        ("Тарайковский", "тараиковскии"),
        ("Вераб'ёвічы", "верабевичы"),
        ("  Ыттык-Кёль \n ", "ыттык-кель"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


# --------------------------------------------------------------------------- language_of

NAMES = {"be": "Мікалай Карпянкоў", "ru": "Николай Карпенков"}


@pytest.mark.parametrize(
    ("text", "names", "language"),
    [
        ("Николай Николаевич Карпенков", NAMES, "ru"),  # the surname
        ("Карпенков", NAMES, "ru"),
        ("Мікалай", NAMES, "be"),  # another shared word
        ("Карпянкоў", {}, "be"),  # letters only Belarusian has
        ("Тихановская", {}, "ru"),  # letters only Russian has
        ("Лукашэнка", {"be": "Аляксандр Лукашэнка", "uk": "Олександр Лукашенко"}, "be"),
        (
            "Лосік",
            {"be": "Максім Лосік", "ru": "Максим Лосик"},
            "be",
        ),  # both match once folded: the Belarusian i decides
        ("Максим Лосик", {"be": "Максім Лосік", "ru": "Максим Лосик"}, "ru"),  # the Russian i decides
        ("Карпенко", {}, None),  # letters both alphabets have
        ("Київ", {}, None),  # Ukrainian
        ("Мінск і Минск", {}, None),  # letters of both
        ("Karpyankou", NAMES, None),  # not Cyrillic
        ("", NAMES, None),
    ],
)
def test_language_of(text: str, names: dict[str, str], language: str | None) -> None:
    assert language_of(text, names) == language


# --------------------------------------------------------------------------- spellings

LUKASHENKA = ("Alyaksandr Lukashenka", {"be": "Аляксандр Лукашэнка", "ru": "Александр Лукашенко"}, ["Łukaszenka"])


def test_spellings_begin_with_what_was_written() -> None:
    found = spellings(*LUKASHENKA)
    assert found[:4] == ["Alyaksandr Lukashenka", "Аляксандр Лукашэнка", "Александр Лукашенко", "Łukaszenka"]


def test_spellings_hold_transliterations_surnames_and_folded_forms() -> None:
    found = spellings(*LUKASHENKA)
    for spelling in ["Alaksandr Łukašenka", "Aleksandr Lukašenko", "Lukashenka", "Łukašenka", "Lukašenko"]:
        assert spelling in found
    assert "lukaszenka" in found  # folded Łukaszenka, for engines that only drop combining marks
    assert "alaksandr lukasenka" in found
    assert "lukashenka" not in found  # Lukashenka is already there, ignoring case
    assert len(found) == len(set(found))


def test_a_cyrillic_alias_is_transliterated_in_the_language_of_its_surname() -> None:
    found = spellings("Mikalai Karpyankou", NAMES, ["Николай Николаевич Карпенков", "Карпенков"])
    assert "Nikolaj Nikolaevič Karpenkov" in found
    assert "Karpenkov" in found
    assert "Karpyenkov" not in found  # what Belarusian BGN/PCGN would make of it


def test_a_cyrillic_alias_with_no_native_name_to_match_is_guessed_from_its_letters() -> None:
    assert "Taraykowski" in spellings("Alyaksandr Taraikouski", {}, ["Тарайкоўскі"])
    found = spellings("Nikolai Karpenkov", {}, ["Карпенко"])
    assert "Karpenko" in found
    assert "Karpyenka" not in found  # a Russian guess: no Belarusian table applied


def load_entity(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


AUDITED = {
    "karpyankou.yaml": [
        "Mikalay Karpyankow",
        "Mikalaj Karpiankoŭ",
        "Mikałaj Karpiankoŭ",
        "Nikolaj Nikolaevič Karpenkov",
        "Mikalay Karpyankou",
        "Mikałaj Karpiankou",
    ],
    "taraikouski.yaml": [
        "Alyaksandr Taraykowski",
        "Aliaksandr Tarajkoŭski",
        "Alaksandr Tarajkoŭski",
        "Aleksandr Tarajkovskij",
        "Tarajkouski",
    ],
}
"""The spellings content-audit-2026-12.md found missing from these entities (standards and press forms
derivable from the Cyrillic; the Polish Tarajkowski is not)."""


@pytest.mark.parametrize("file_name", sorted(AUDITED))
def test_an_entity_reaches_the_spellings_the_audit_found_missing(file_name: str) -> None:
    """From the English name, the native names and the Cyrillic aliases alone: no Latin alias helps."""
    entity = load_entity(ENTITIES / file_name)
    cyrillic_aliases = [alias for alias in entity.get("aliases", []) if CYRILLIC.search(alias)]
    generated = {fold(spelling) for spelling in spellings(entity["name"], entity["names"], cyrillic_aliases)}
    assert [spelling for spelling in AUDITED[file_name] if fold(spelling) not in generated] == []


@pytest.mark.parametrize("file_name", sorted(AUDITED))
def test_most_latin_aliases_of_an_entity_can_be_generated(file_name: str) -> None:
    """The rest are other languages' forms (Polish Karpienkow), English given names (Alexander), mixed
    forms (Karpenkau: the Russian surname spelt as Belarusian) and typing errors."""
    entity = load_entity(ENTITIES / file_name)
    aliases = entity.get("aliases", [])
    cyrillic_aliases = [alias for alias in aliases if CYRILLIC.search(alias)]
    generated = {fold(spelling) for spelling in spellings(entity["name"], entity["names"], cyrillic_aliases)}
    latin = [alias for alias in aliases if not CYRILLIC.search(alias)]
    reached = [alias for alias in latin if fold(alias) in generated]
    assert len(reached) >= len(latin) / 2, sorted(set(latin) - set(reached))


# --------------------------------------------------------------------------- properties and speed

CYRILLIC_TEXT = st.text(alphabet="аАбвгдеЕёжзіІийЙклмнопрстуўЎфхцчшщъыьЬэюяЯ'’ʼ -́iaL", max_size=30)
ANY_TEXT = st.one_of(CYRILLIC_TEXT, st.text(max_size=30))


@given(ANY_TEXT, st.sampled_from(["be", "ru", "uk", "en", "be-tarask"]))
def test_transliterations_are_never_empty_nor_repeated(text: str, language: str) -> None:
    found = transliterations(text, language)
    assert all(spelling.strip() for spelling in found)
    assert len(found) == len(set(found))


@given(ANY_TEXT, st.dictionaries(st.sampled_from(["be", "ru", "pl"]), ANY_TEXT), st.lists(ANY_TEXT, max_size=4))
def test_spellings_are_never_empty_nor_repeated(name: str, names: dict[str, str], aliases: list[str]) -> None:
    found = spellings(name, names, aliases)
    assert all(spelling.strip() for spelling in found)
    assert len(found) == len(set(found))


@given(ANY_TEXT, st.dictionaries(st.sampled_from(["be", "ru", "pl"]), ANY_TEXT))
def test_language_of_is_a_key_or_a_letter_verdict(text: str, names: dict[str, str]) -> None:
    assert language_of(text, names) in {*names, "be", "ru", None}


def test_spellings_cost_well_under_a_millisecond_per_entity() -> None:
    """Every entity of every claim page asks; 10,000 asks for one entity are served from the cache."""
    entity = load_entity(ENTITIES / "karpyankou.yaml")
    arguments = (entity["name"], entity["names"], entity.get("aliases", []))
    spellings(*arguments)
    start = time.perf_counter()
    for _ in range(10_000):
        spellings(*arguments)
    assert (time.perf_counter() - start) / 10_000 < 0.0002
