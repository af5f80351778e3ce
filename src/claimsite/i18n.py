"""The interface language: every string the generator writes, looked up in a message catalog.

The catalogs are gettext `.po` files shipped in the package (`locale/<lang>/LC_MESSAGES/claimsite.po`),
read at run time and compiled in memory, so there is no build step and no `.mo` file to keep in step.
English is the msgids themselves. Plural forms follow each catalog's `Plural-Forms` header, which holds
the CLDR rule (`scripts/i18n.py` writes it). `theme.language` in mkdocs.yml picks the catalog.

Strings are marked for extraction (`scripts/i18n.py extract`) by the call that uses them: `t("...")`,
`t.plural("...", "...", n)` (also as `site.t(...)`, `self.t.plural(...)`) or, where the string is only
stored and translated later, `N_("...")`. The msgid must be a string literal, with values passed as
`{name}` placeholders, never an f-string.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model imports vocab, which imports this module
    from claimsite.model import PartialDate

LANGUAGES = ("en", "be", "ru")
"""The languages with a catalog shipped in the package; English is the source language."""

DEFAULT_LANGUAGE = "en"
DOMAIN = "claimsite"

_DATE_PATTERNS = {"day": "d MMMM y", "month": "LLLL y"}
"""How a day and a month read in the shipped languages: "6 September 2020" / "6 верасня 2020" /
"6 сентября 2020", and "September 2020" / "верасень 2020" / "сентябрь 2020" (`LLLL`: the month's
standalone form). CLDR's own long formats would give the American order in English and add "г." in
Belarusian and Russian, which doubles the full stop when a sentence ends with a date."""

_DATE_SKELETONS = {"day": "yMMMMd", "month": "yMMMM"}
"""For a language added later without a look at its dates: CLDR's own order and month forms."""


def N_(message: str) -> str:
    """Mark `message` for extraction where it is stored rather than shown; return it unchanged."""
    return message


@dataclass(frozen=True, eq=False)
class Messages:
    """One language's catalog: call it to translate, `.plural` for counted nouns, `.date` for dates."""

    language: str
    """The language actually loaded: "en", "be" or "ru"."""
    requested: str | None = None
    """What was asked for (`theme.language` as written), for messages about the fallback."""
    fallback: bool = False
    """True when `requested` names a language with no catalog, so English was loaded instead."""
    _translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, repr=False)

    def __call__(self, message: str, /, **values: object) -> str:
        """`message` translated; with `values`, its `{name}` placeholders filled by `str.format`."""
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        """The form of `singular`/`plural` the language uses for `n`, filled; `{n}` is `n` written as the
        language writes numbers (12,345 in English, 12 345 in Belarusian and Russian)."""
        return self._translations.ngettext(singular, plural, n).format(n=_format_number(n, self.language), **values)

    def date(self, value: PartialDate | dt.date | str) -> str:
        """A date at its own precision ("6 September 2020", "September 2020", "2020"); the special
        `published` values ("undated", "unknown") read as their labels; other text is kept as written."""
        if isinstance(value, str):
            from claimsite.model import PartialDate
            from claimsite.vocab import PUBLISHED_LABELS

            if value in PUBLISHED_LABELS:
                return self(PUBLISHED_LABELS[value])
            try:
                return _format_date(PartialDate.parse(value), self.language)
            except ValueError:
                return value
        return _format_date(value, self.language)


@cache
def _format_number(n: int, language: str) -> str:
    if abs(n) < 1000:
        return str(n)
    from babel.numbers import format_decimal

    return format_decimal(n, locale=language if language in LANGUAGES else "en")


@cache  # Babel takes ~50 µs a date; a site repeats the same few thousand dates many times
def _format_date(value: PartialDate | dt.date, language: str) -> str:
    from babel.dates import format_date, format_skeleton

    if isinstance(value, dt.date):
        day, precision = value, "day"
    else:
        day, precision = value.earliest(), value.precision
    if precision == "year":
        return str(day.year)  # the bare number in every language shipped
    if language in LANGUAGES:
        return format_date(day, _DATE_PATTERNS[precision], locale=language)
    return format_skeleton(_DATE_SKELETONS[precision], day, locale=language)


def base_language(language: str) -> str:
    """The language part of a tag: "ru-RU", "be_BY" and "RU" all give "ru"."""
    return language.strip().replace("_", "-").split("-")[0].lower()


def messages(language: str | None) -> Messages:
    """The catalog for `language` (`theme.language`); None or a language without one gives English,
    with `fallback` set in the second case. Region variants ("ru-RU", "be_BY") load the base language."""
    return _messages(language)


@cache
def _messages(language: str | None) -> Messages:
    if language is None:
        return Messages(DEFAULT_LANGUAGE)
    base = base_language(language)
    if base not in LANGUAGES:
        return Messages(DEFAULT_LANGUAGE, requested=language, fallback=True)
    if base == DEFAULT_LANGUAGE:
        return Messages(base, requested=language)
    return Messages(base, requested=language, _translations=load_translations(base))


def catalog_path(language: str) -> Traversable:
    """Where the shipped `.po` file of `language` is (inside the package)."""
    return resources.files("claimsite") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def load_translations(language: str) -> gettext.GNUTranslations:
    """Read the shipped `.po` file of `language` and compile it in memory (fuzzy entries left out)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
