"""The words of the published site's search interface, in the site language.

The search dialog in the header and the browse page (`assets/search.js`) show no text of their own:
every string comes from `interface_strings`, which the page carries as JSON (theme/partials/search.html),
so the interface is translated with the rest of the site through the message catalogs.

Counts follow each language's plural rules in the browser: for every CLDR category a language uses
for whole numbers (Belarusian and Russian: one, few, many; English: one, other) the dict holds that
form, with `{n}` left for the script to fill (`Intl.PluralRules` picks the category, as Babel does here).
"""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale

from claimsite.i18n import Messages

FACETS = (
    "status",
    "flag",
    "confidence",
    "tag",
    "person",
    "organisation",
    "publisher",
    "year",
    "source_kind",
    "origins",
    "kind",
)
"""The Pagefind filters the browse page offers, in the order it shows them (the pages' markup sets them)."""

SAMPLE_COUNTS = range(0, 200)
"""Whole numbers enough to meet every plural category a language uses for counts."""


class _TemplateCount(int):
    """A count that chooses the plural form as the number it is, but is written as `{n}`, so that the
    chosen form stays a template for the script to fill."""

    def __format__(self, spec: str) -> str:
        return "{n}"


def plural_templates(language: str, form: Callable[[int], str]) -> dict[str, str]:
    """The form `form(n)` takes in each CLDR plural category `language` uses for whole numbers, keyed
    by category, each with `{n}` in place of the number."""
    category = Locale.parse(language).plural_form
    samples: dict[str, int] = {}
    for n in SAMPLE_COUNTS:
        samples.setdefault(category(n), n)
    return {name: form(_TemplateCount(n)) for name, n in samples.items()}


def interface_strings(t: Messages) -> dict[str, str]:
    """Every string the search dialog and the browse page show, keyed as `assets/search.js` reads them."""
    strings = {
        "language": t.language,  # the language of these strings: the plural rules the script applies
        # The dialog in the header.
        "dialog": t("Search"),
        "placeholder": t("Search"),
        # Translators: said by screen readers when the search field takes the focus.
        "hint": t("Up and down arrows move through the results, Enter opens one, Escape closes the search."),
        "reset": t("Clear"),
        "prompt": t("Type to start searching"),
        "loading": t("Searching…"),
        "none": t("No matching pages"),
        "more": t("More results"),
        "error": t("The search could not be loaded. Reload the page to try again."),
        # The browse page.
        "browse": t("Browse the claims"),
        "browse_search": t("Search the claims"),
        "filters": t("Filters"),
        "results": t("Results"),
        "sort": t("Sort by"),
        "sort_relevance": t("Best match"),
        "sort_date_desc": t("Newest first"),
        "sort_date_asc": t("Oldest first"),
        "sort_changed_desc": t("Latest status change"),
        "clear_filters": t("Clear all filters"),
        "show_all": t("Show all"),
        "show_fewer": t("Show fewer"),
        "browse_none": t("Nothing matches. Remove a filter or change the search."),
        # Facet headings.
        "facet_status": t("Status"),
        "facet_flag": t("Review"),
        "facet_confidence": t("Confidence"),
        "facet_tag": t("Tags"),
        "facet_person": t("People"),
        "facet_organisation": t("Organisations"),
        "facet_publisher": t("Publishers"),
        "facet_year": t("Year"),
        "facet_source_kind": t("Kind of source"),
        "facet_origins": t("Independent origins"),
        "facet_kind": t("Type of page"),
    }
    counts = plural_templates(t.language, lambda n: t.plural("{n} result", "{n} results", n))
    strings |= {f"count_{category}": text for category, text in counts.items()}
    return strings
