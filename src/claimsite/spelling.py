"""Every spelling of a name, for the search index: Latin transliterations of Belarusian and Russian
names, and the folded form that search compares.

One person reaches English, Polish and Russian text under many spellings: Карпянкоў is Karpyankow
(BGN/PCGN), Karpiankoŭ (the Belarusian national standard), Karpânkoǔ (ISO 9) and Karpiankou (passports);
as Карпенков he is Karpenkov. Each standard is one `Scheme`: a letter table plus the few context rules
that standard has. The tables were checked letter by letter against the standards' own tables and
examples (tests/test_spelling.py repeats those examples). No library was used: iuliia 0.13.0 (Russian
only) writes ё as the Cyrillic letter itself in its BGN/PCGN and ISO 9 schemas, and cyrtranslit 1.2.0's
Belarusian (Cixanoŭskaja, Lukašėnka) follows none of the Belarusian standards.

Folding (`fold`) is what a search compares, chosen so that a reader typing on any keyboard matches:

* case is removed with `str.casefold` (ß is ss), and compatibility forms are unpacked (NFKD: the
  ligature ﬁ is fi, full-width Ｋ is K);
* diacritics are removed: the text is decomposed and every combining mark dropped, so ŭ, ǔ, č, ś and ĺ
  lose their marks, and so do the Cyrillic й (и), ё (е) and ў (у), letters that many readers type
  without their marks;
* letters that carry a mark without decomposing become their plain letter: ł l, đ d, ø o, ħ h, ŧ t,
  ı i; the ligatures æ and œ become ae and oe;
* the Belarusian і becomes the Russian и (and ґ becomes г): both write the same sound, so
  "Тарайкоўскі" and "Тарайковский" fold to words that differ only where the names really differ;
* apostrophes, quote marks and primes are removed (' ’ ‘ ʼ ` ´ ʹ ʺ " “ ” „ « » ‹ › ′ ″, and the
  interpunct · that BGN/PCGN allows inside words): the Belarusian apostrophe, the soft and hard signs
  in transliteration and a name's quotation marks are left out by most writers and all search inputs;
* runs of whitespace become one space. Hyphens stay, since they are part of compound names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from claimsite.text import one_line


@dataclass(frozen=True, eq=False)  # hashed by identity, so that a scheme can key the caches below
class Scheme:
    """One romanization standard. Keys are lower-case Cyrillic letters, or `'` for the Belarusian
    apostrophe (typed ', ’ or ʼ); a letter a table does not list is left as it is."""

    name: str
    """The standard, as cited (body, title, year)."""
    letters: Mapping[str, str]
    """What each letter is written as, where no rule below applies."""
    iotated: Mapping[str, str] = field(default_factory=dict)
    """What a letter is written as at the start of a word and after a vowel, й, ў, ь, ъ or the
    apostrophe, where the standard writes the sound j there (е is je there and ie after a consonant)."""
    sequences: Mapping[str, str] = field(default_factory=dict)
    """Groups of two or three letters written as a unit (łacinka ля is la); the longest match wins."""
    endings: Mapping[str, str] = field(default_factory=dict)
    """Word endings written as a unit (English press ий is y: Taraikovsky)."""


# ------------------------------------------------------------------------ the standards (data)

# fmt: off
BGN_PCGN_BE = Scheme(
    "BGN/PCGN romanization of Belarusian (1979)",
    letters={
        "а": "a",  "б": "b",  "в": "v",  "г": "h",  "ґ": "g",  "д": "d",  "е": "ye", "ё": "yo",
        "ж": "zh", "з": "z",  "і": "i",  "й": "y",  "к": "k",  "л": "l",  "м": "m",  "н": "n",
        "о": "o",  "п": "p",  "р": "r",  "с": "s",  "т": "t",  "у": "u",  "ў": "w",  "ф": "f",
        "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "ы": "y",  "ь": "’",  "э": "e",  "ю": "yu",
        "я": "ya", "'": "”",
    },
)
"""Karpyankow, Alyaksandr Taraykowski. The optional interpunct (z·h, t·s) is left out: nobody types it."""

NATIONAL_BE = Scheme(
    "Instruction on transliteration of Belarusian geographical names with letters of the Latin script "
    "(State Committee on Land Resources, Geodesy and Cartography, 23 November 2000; amended by the State "
    "Property Committee, 11 June 2007), recommended by the UN for Belarusian names (resolution X/6, 2012)",
    letters={
        "а": "a",  "б": "b",  "в": "v",  "г": "h",  "ґ": "g",  "д": "d",  "е": "ie", "ё": "io",
        "ж": "ž",  "з": "z",  "і": "i",  "й": "j",  "к": "k",  "л": "l",  "м": "m",  "н": "n",
        "о": "o",  "п": "p",  "р": "r",  "с": "s",  "т": "t",  "у": "u",  "ў": "ŭ",  "ф": "f",
        "х": "ch", "ц": "c",  "ч": "č",  "ш": "š",  "ы": "y",  "ь": "\u0301",      "э": "e",
        "ю": "iu", "я": "ia", "'": "",
    },
    iotated={"е": "je", "ё": "jo", "ю": "ju", "я": "ja"},
)
"""Mikalaj Karpiankoŭ, Aliaksandr Tarajkoŭski. The soft sign is an acute over the consonant before it
(ĺ ń ś ź ć, and dź for дзь); the apostrophe is not written."""

LACINKA = Scheme(
    "the Belarusian Latin alphabet (łacinka), in its 20th-century form with č, š, ž",
    letters={
        "а": "a",  "б": "b",  "в": "v",  "г": "h",  "ґ": "g",  "д": "d",  "е": "ie", "ё": "io",
        "ж": "ž",  "з": "z",  "і": "i",  "й": "j",  "к": "k",  "л": "ł",  "м": "m",  "н": "n",
        "о": "o",  "п": "p",  "р": "r",  "с": "s",  "т": "t",  "у": "u",  "ў": "ŭ",  "ф": "f",
        "х": "ch", "ц": "c",  "ч": "č",  "ш": "š",  "ы": "y",  "ь": "\u0301",      "э": "e",
        "ю": "iu", "я": "ia", "'": "",
    },
    iotated={"е": "je", "ё": "jo", "ю": "ju", "я": "ja"},
    sequences={
        "ль": "l",  "ля": "la",  "ле": "le",  "лё": "lo",  "лю": "lu",  "лі": "li",
        "лль": "ll", "лля": "lla", "лле": "lle", "ллё": "llo", "ллю": "llu", "ллі": "lli",
    },
)
"""Mikałaj Karpiankoŭ, Alaksandr Łukašenka: л is ł except before a soft vowel or ь, where it is l and
the vowel loses its i (ля is la). Written letter by letter from today's Cyrillic spelling, so the
assimilative softness that some writers mark (Śviatłana for Святлана) is not added; folding makes the
two forms equal anyway."""

ISO_9 = Scheme(
    "ISO 9:1995 Transliteration of Cyrillic characters into Latin characters (also GOST 7.79-2000 system A)",
    letters={
        "а": "a",  "б": "b",  "в": "v",  "г": "g",  "ґ": "g̀",  "д": "d",  "е": "e",  "ё": "ë",
        "є": "ê",  "ж": "ž",  "з": "z",  "и": "i",  "і": "ì",  "ї": "ï",  "й": "j",  "к": "k",
        "л": "l",  "м": "m",  "н": "n",  "о": "o",  "п": "p",  "р": "r",  "с": "s",  "т": "t",
        "у": "u",  "ў": "ǔ",  "ф": "f",  "х": "h",  "ц": "c",  "ч": "č",  "ш": "š",  "щ": "ŝ",
        "ъ": "ʺ",  "ы": "y",  "ь": "ʹ",  "э": "è",  "ю": "û",  "я": "â",  "'": "ʼ",
    },
)
"""One letter for one letter whatever the language: Karpânkoǔ, Nikolaj Nikolaevič Karpenkov."""

ICAO_RU = Scheme(
    "ICAO Doc 9303 Machine Readable Travel Documents, Part 3 (2015), transliteration of Cyrillic",
    letters={
        "а": "a",  "б": "b",  "в": "v",  "г": "g",  "д": "d",  "е": "e",  "ё": "e",  "ж": "zh",
        "з": "z",  "и": "i",  "й": "i",  "к": "k",  "л": "l",  "м": "m",  "н": "n",  "о": "o",
        "п": "p",  "р": "r",  "с": "s",  "т": "t",  "у": "u",  "ф": "f",  "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "",  "э": "e",  "ю": "iu",
        "я": "ia",
    },
)
"""Passports: Nikolai Karpenkov, Svetlana Tikhanovskaia."""

ICAO_BE = Scheme(
    "ICAO Doc 9303 Part 3 (2015) with its Belarusian exceptions (г H, ё IO), as on Belarusian passports",
    letters={**ICAO_RU.letters, "г": "h", "ё": "io", "і": "i", "ў": "u", "'": ""},
)
"""Mikalai Karpiankou, Aliaksandr Taraikouski, Tsikhanouskaia."""

BGN_PCGN_RU = Scheme(
    "BGN/PCGN romanization of Russian (1947)",
    letters={
        "а": "a",  "б": "b",  "в": "v",  "г": "g",  "д": "d",  "е": "e",  "ё": "ë",  "ж": "zh",
        "з": "z",  "и": "i",  "й": "y",  "к": "k",  "л": "l",  "м": "m",  "н": "n",  "о": "o",
        "п": "p",  "р": "r",  "с": "s",  "т": "t",  "у": "u",  "ф": "f",  "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "”", "ы": "y", "ь": "’",  "э": "e",  "ю": "yu",
        "я": "ya",
    },
    iotated={"е": "ye", "ё": "yë"},
)
"""Nikolay Nikolayevich Karpenkov, Aleksandr Taraykovskiy. The optional interpunct is left out."""

WIKIPEDIA_RU = Scheme(
    "Wikipedia's romanization of Russian (simplified BGN/PCGN, Wikipedia:Romanization of Russian)",
    letters={
        "а": "a",  "б": "b",  "в": "v",  "г": "g",  "д": "d",  "е": "e",  "ё": "yo", "ж": "zh",
        "з": "z",  "и": "i",  "й": "y",  "к": "k",  "л": "l",  "м": "m",  "н": "n",  "о": "o",
        "п": "p",  "р": "r",  "с": "s",  "т": "t",  "у": "u",  "ф": "f",  "х": "kh", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y",  "ь": "",   "э": "e",  "ю": "yu",
        "я": "ya",
    },
    iotated={"е": "ye"},
    sequences={
        "ьа": "ya", "ьи": "yi", "ьо": "yo", "ьу": "yu", "ьы": "yy", "ьэ": "ye",
        "ъа": "ya", "ъи": "yi", "ъо": "yo", "ъу": "yu", "ъы": "yy", "ъэ": "ye",
    },
    endings={"ий": "y", "ый": "y"},
)
"""Nikolay Karpenkov, Aleksandr Taraykovsky, Grigoryevich."""
# fmt: on

PRESS_BE = Scheme(
    "English-language press practice (no standard): BGN/PCGN with ў as u and no apostrophes",
    letters={**BGN_PCGN_BE.letters, "ў": "u", "ь": "", "'": ""},
    endings={"ый": "y"},
)
"""Mikalay Karpyankou, Taraykouski, Yury."""

PRESS_I_BE = Scheme(
    "English-language press practice (no standard): as above, with й as i (the site's own English names)",
    letters={**PRESS_BE.letters, "й": "i"},
    endings=PRESS_BE.endings,
)
"""Mikalai Karpyankou, Alyaksandr Taraikouski."""

PRESS_ICAO_BE = Scheme(
    "English-language press practice (no standard): passport letters, with ya, ye, yo, yu for the sound j",
    letters=ICAO_BE.letters,
    iotated={"е": "ye", "ё": "yo", "ю": "yu", "я": "ya"},
    endings={"ый": "y"},
)
"""Sviatlana Tsikhanouskaya, Yauhen, Yury (Юрый)."""

PRESS_RU = Scheme(
    "English-language press practice (no standard): Wikipedia's romanization with й as i",
    letters={**WIKIPEDIA_RU.letters, "й": "i"},
    iotated=WIKIPEDIA_RU.iotated,
    sequences=WIKIPEDIA_RU.sequences,
    endings=WIKIPEDIA_RU.endings,
)
"""Nikolai Karpenkov, Aleksandr Taraikovsky, Svetlana Tikhanovskaya."""

SCHEMES: Mapping[str, tuple[Scheme, ...]] = {
    "be": (BGN_PCGN_BE, NATIONAL_BE, LACINKA, ISO_9, ICAO_BE, PRESS_ICAO_BE, PRESS_BE, PRESS_I_BE),
    "ru": (BGN_PCGN_RU, ISO_9, ICAO_RU, WIKIPEDIA_RU, PRESS_RU),
}
"""The schemes `transliterations` applies to each language, standards first."""


# ------------------------------------------------------------------------ transliteration

_CYRILLIC = re.compile("[\u0400-\u052f]")
_CYRILLIC_WORD = re.compile("[\u0400-\u052f](?:[\u0400-\u052f\u0300-\u036f]|['’ʼ](?=[\u0400-\u052f]))*")
"""A word to transliterate: Cyrillic letters (with any accents on them) and apostrophes between them."""
_IOTATING = frozenset("аеёиіоуыэюяйўьъ'")
"""Letters after which е, ё, ю, я begin with the sound j (as at the start of a word)."""


def transliterate(text: str, scheme: Scheme) -> str:
    """`text` with every Cyrillic word written in `scheme`'s Latin letters; the rest stays as it is."""
    latin = _CYRILLIC_WORD.sub(lambda match: _word(match.group(), scheme), unicodedata.normalize("NFC", text))
    return unicodedata.normalize("NFC", latin)  # composes the national soft sign: l + ◌́ is ĺ


@lru_cache(maxsize=65536)
def _word(word: str, scheme: Scheme) -> str:
    """One word in `scheme`, keeping the case of each source letter (BGN/PCGN: ЯЎГЕН is YAWHYEN, Яўген is
    Yawhyen)."""
    lower = word.lower().replace("’", "'").replace("ʼ", "'")
    shouted = len(word) > 1 and word.isupper()
    pieces = []
    start = 0
    while start < len(lower):
        piece, size = _unit(lower, start, scheme)
        if shouted:
            piece = piece.upper()
        elif word[start].isupper():
            piece = piece[:1].upper() + piece[1:]
        pieces.append(piece)
        start += size
    return "".join(pieces)


def _unit(word: str, start: int, scheme: Scheme) -> tuple[str, int]:
    """The Latin for the letters of lower-case `word` from `start`, and how many letters it covers."""
    if scheme.endings and word[start:] in scheme.endings:
        return scheme.endings[word[start:]], len(word) - start
    if scheme.sequences:
        for size in (3, 2):
            if word[start : start + size] in scheme.sequences:
                return scheme.sequences[word[start : start + size]], size
    letter = word[start]
    if letter in scheme.iotated and _opens_syllable(word, start):
        return scheme.iotated[letter], 1
    return scheme.letters.get(letter, letter), 1


def _opens_syllable(word: str, index: int) -> bool:
    """Whether the letter at `index` starts the word or follows a vowel, й, ў, ь, ъ or apostrophe
    (accents written over the letter before do not count)."""
    previous = index - 1
    while previous >= 0 and unicodedata.combining(word[previous]):
        previous -= 1
    return previous < 0 or word[previous] in _IOTATING


def transliterations(text: str, language: str) -> list[str]:
    """Every Latin transliteration of Cyrillic `text` in `language` ("be", "ru"; a subtag such as
    be-tarask is ignored), on one line, standards first, without duplicates. Empty when `text` has no
    Cyrillic or the language has no schemes; a result that would keep a Cyrillic letter its table
    lacks (a Russian и in Belarusian text, say) is left out."""
    return list(_transliterations(text, language.split("-")[0].lower()))


@lru_cache(maxsize=8192)
def _transliterations(text: str, language: str) -> tuple[str, ...]:
    if not _CYRILLIC.search(text):
        return ()
    found = dict.fromkeys(one_line(transliterate(text, scheme)) for scheme in SCHEMES.get(language, ()))
    return tuple(latin for latin in found if latin and not _CYRILLIC.search(latin))


# ------------------------------------------------------------------------ folding

_QUOTES = "'’‘ʼ`´ʹʺ\"“”„«»‹›′″·"
_FOLD_TABLE = str.maketrans(
    {"ł": "l", "đ": "d", "ø": "o", "ħ": "h", "ŧ": "t", "ı": "i", "æ": "ae", "œ": "oe", "і": "и", "ґ": "г"}
    | dict.fromkeys(_QUOTES)
) | dict.fromkeys([*range(0x300, 0x370), *range(0x483, 0x48A)])
"""What decomposition leaves alone (see the module docstring for each choice), and the combining marks
of the Latin, Greek and Cyrillic scripts."""
_BEYOND_TABLE = re.compile("[^\x00-\u02ff\u0370-\u052f]")
"""Text outside those scripts may hold other combining marks, which need a slower look letter by letter."""


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The form search compares: no case, no diacritics, і as и, no apostrophes or quote marks, single
    spaces (each choice is explained in the module docstring). fold(fold(x)) == fold(x)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = decomposed.translate(_FOLD_TABLE)
    if _BEYOND_TABLE.search(bare):
        bare = "".join(char for char in bare if unicodedata.category(char) not in ("Mn", "Me"))
    return " ".join(bare.split())


# ------------------------------------------------------------------------ languages

_WORD = re.compile(r"\w+")
_BELARUSIAN_ONLY = frozenset("іў")
_RUSSIAN_ONLY = frozenset("ищъ")
_UKRAINIAN_ONLY = frozenset("їє")
"""Ukrainian shares і with Belarusian and и with Russian; its own letters make a text neither."""


def language_of(text: str, names: Mapping[str, str]) -> str | None:
    """The language code of Cyrillic `text` (for an HTML lang attribute), or None when undecidable or
    when `text` has no Cyrillic.

    First the key of `names` whose Cyrillic value shares the most words with `text` (after folding),
    a shared last word (the surname) counting before any number of others; on a tie, or when no value
    shares a word, the letters decide: і or ў only in Belarusian, и, щ or ъ only in Russian."""
    if not _CYRILLIC.search(text):
        return None
    words = _WORD.findall(fold(text))
    scores: dict[str, tuple[bool, int]] = {}
    for language, value in names.items():
        theirs = _WORD.findall(fold(value))
        shared = len(set(words) & set(theirs))
        if shared and _CYRILLIC.search(value):
            scores[language] = (words[-1] == theirs[-1], shared)
    if scores:
        best = max(scores.values())
        leaders = [language for language, score in scores.items() if score == best]
        if len(leaders) == 1:
            return leaders[0]
    return _language_by_letters(text)


def _language_by_letters(text: str) -> str | None:
    letters = set(text.lower())
    if letters & _UKRAINIAN_ONLY:
        return None
    belarusian, russian = bool(letters & _BELARUSIAN_ONLY), bool(letters & _RUSSIAN_ONLY)
    if belarusian != russian:
        return "be" if belarusian else "ru"
    return None


# ------------------------------------------------------------------------ one entity's spellings

_NAME_EDGES = '()[]{}«»"“”„,.;:!?'
"""Punctuation taken off a surname cut out of a longer name (a soft sign ’ at its end stays)."""


def spellings(name: str, names: Mapping[str, str], aliases: Sequence[str]) -> list[str]:
    """Every spelling of one entity for the search index, each on one line, none empty, none twice:

    1. the English `name`, the native `names` and the hand-written `aliases`, as written;
    2. the transliterations of each native name in its language, and of each Cyrillic alias in the
       language `language_of` finds (else Belarusian when it has і or ў, else Russian);
    3. the last word (the surname) of every spelling above that has several words;
    4. the folded form of every spelling above, when no spelling already equals it ignoring case
       (search engines that only drop combining marks then still match Mikalaj for Mikałaj).

    Cached: the same entity on thousands of claim pages costs one computation."""
    return list(_spellings(name, tuple(names.items()), tuple(aliases)))


@lru_cache(maxsize=4096)
def _spellings(name: str, names: tuple[tuple[str, str], ...], aliases: tuple[str, ...]) -> tuple[str, ...]:
    native = dict(names)
    written = [name, *native.values(), *aliases]
    cyrillic = [(value, language) for language, value in names]
    cyrillic += [(alias, language_of(alias, native) or _guess_language(alias)) for alias in aliases]
    transliterated = [latin for text, language in cyrillic for latin in transliterations(text, language)]
    whole = [one_line(spelling) for spelling in written + transliterated]
    surnames = [words[-1].strip(_NAME_EDGES) for words in (spelling.split() for spelling in whole) if len(words) > 1]
    found = [spelling for spelling in dict.fromkeys(whole + surnames) if spelling]
    known = {spelling.casefold() for spelling in found}
    for spelling in list(found):
        folded = fold(spelling)
        if folded and folded not in known:
            known.add(folded)
            found.append(folded)
    return tuple(found)


def _guess_language(text: str) -> str:
    return "be" if set(text.lower()) & _BELARUSIAN_ONLY else "ru"
