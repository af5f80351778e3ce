#!/usr/bin/env python3
"""Keep the interface's message catalogs in step with the code (see CONTRIBUTING.md, "Translating the
interface").

  extract        find every marked string in src/claimsite and write src/claimsite/locale/claimsite.pot
  update         merge the .pot into each language's .po: translations kept, new msgids untranslated,
                 msgids no longer used kept as obsolete (#~) and revived if the code uses them again
  init LANG      start the catalog of a new language from the .pot, with its CLDR plural rule
  missing        list the msgids without a translation in each language (exit 1 if there are any)

The markers found are the calls `t("...")`, `t.plural("...", "...", n)` (also written `site.t(...)`,
`self.t.plural(...)`: the function's own name is what counts), `N_("...")` and `_("...")`. A comment
starting `Translators:` on the line before a marked string is copied into the catalogs for translators.

Example:

    python scripts/i18n.py extract && python scripts/i18n.py update
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.extract import extract_python as babel_extract_python
from babel.messages.pofile import read_po, write_po
from babel.plural import to_gettext

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "claimsite"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "claimsite.pot"
DOMAIN = "claimsite"

KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "t": None, "plural": (1, 2)}
"""Babel keyword specs: the name of the called function, and which arguments are the msgid (None: the
first) or the singular and plural msgids. Babel matches the name alone, so `site.t(...)` and
`t.plural(...)` are found as well as `t(...)`."""

COMMENT_TAGS = ("Translators:",)


def extract(package: Path = PACKAGE) -> Catalog:
    """Every marked string in the package's Python files, as a template catalog (nothing written)."""
    template = Catalog(
        project=DOMAIN,
        version="1",
        copyright_holder="claimsite contributors",
        header_comment="# Messages of the claimsite generator: the template every language's catalog follows.\n"
        "# Written by scripts/i18n.py extract; do not edit by hand.",
        fuzzy=False,
    )
    found = extract_from_dir(
        package,
        method_map=[("**.py", extract_python)],
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    )
    where = package.relative_to(ROOT).as_posix() if package.is_relative_to(ROOT) else package.name
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(f"{where}/{filename}", lineno)], auto_comments=comments, context=context)
    return template


def extract_python(
    fileobj: IO[bytes], keywords: Mapping[str, object], comment_tags: Collection[str], options: dict[str, Any]
) -> Iterator[tuple[int, str, str | tuple[str | None, ...], list[str]]]:
    """Babel's Python extractor, plus the marked calls inside f-strings, which it cannot see on Python
    3.11 (the tokenizer hands it an f-string as one token): `f"{site.label(N_('URL'))}: ..."`."""
    source = fileobj.read()
    yield from babel_extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for call in ast.walk(node):
            if not isinstance(call, ast.Call):
                continue
            name = call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)
            if name in keywords:
                args = tuple(
                    a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in call.args
                )
                yield call.lineno, name, args, []


def plural_forms(language: str) -> str:
    """The gettext `Plural-Forms` header of `language`, from its CLDR rule (be, ru: one, few, many and
    other, the last for fractions)."""
    return to_gettext(Locale.parse(language).plural_form).removesuffix(";")


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False)  # no line numbers: changes only with the messages
    return out.getvalue()


def write_if_changed(path: Path, catalog: Catalog) -> bool:
    """Write the catalog unless only its dates would change; say which."""
    new = render(catalog)
    if path.exists() and _without_dates(path.read_bytes()) == _without_dates(new):
        print(f"{path.relative_to(ROOT)}: unchanged")
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(new)
    print(f"{path.relative_to(ROOT)}: written ({len(catalog)} messages)")
    return True


def _without_dates(text: bytes) -> list[bytes]:
    return [line for line in text.splitlines() if not line.startswith((b'"POT-Creation-Date:', b'"PO-Revision-Date:'))]


def read_catalog(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN, abort_invalid=True)


def languages() -> list[str]:
    """The languages with a catalog in the package."""
    return sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(template: Catalog, catalog: Catalog, language: str) -> None:
    """Merge `template` into `catalog` in place (see the module docstring)."""
    for key, message in list(catalog.obsolete.items()):
        if message.id in template:
            del catalog.obsolete[key]
            if message.id not in catalog:
                catalog[message.id] = message  # back in use: the translation returns with it
    catalog.update(template, no_fuzzy_matching=True)
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not any(strings):
            message.flags.discard("fuzzy")  # Babel flags new plural entries; untranslated says it already
    catalog.mime_headers = [("Plural-Forms", plural_forms(language))]
    catalog.fuzzy = False


def missing(template: Catalog, catalog: Catalog) -> list[str]:
    """The template's msgids with no usable translation in `catalog` (absent, empty or fuzzy)."""
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, message.context)
        strings = found.string if found is not None else ""
        forms = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(forms):
            gaps.append(message.id if isinstance(message.id, str) else " / ".join(message.id))
    return gaps


def new_catalog(template: Catalog, language: str) -> Catalog:
    name = Locale.parse(language).get_display_name("en")
    catalog = Catalog(
        locale=language,
        domain=DOMAIN,
        project=DOMAIN,
        version="1",
        copyright_holder="claimsite contributors",
        header_comment=f"# {name} messages of the claimsite generator (see CONTRIBUTING.md).",
        last_translator="claimsite contributors",
        language_team=name,
        fuzzy=False,
    )
    update(template, catalog, language)
    return catalog


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="write src/claimsite/locale/claimsite.pot from the code")
    commands.add_parser("update", help="merge the .pot into every language's .po")
    init = commands.add_parser("init", help="start the catalog of a new language")
    init.add_argument("language", help="a language code such as uk or pl")
    commands.add_parser("missing", help="list untranslated msgids per language")
    args = parser.parse_args(list(argv) if argv is not None else None)

    if args.command == "extract":
        write_if_changed(TEMPLATE, extract())
        return 0
    template = read_catalog(TEMPLATE)
    if args.command == "init":
        path = po_path(args.language)
        if path.exists():
            print(f"{path.relative_to(ROOT)} exists; run `update` to bring it up to date", file=sys.stderr)
            return 1
        write_if_changed(path, new_catalog(template, args.language))
        return 0
    status = 0
    for language in languages():
        catalog = read_catalog(po_path(language), language)
        if args.command == "update":
            update(template, catalog, language)
            write_if_changed(po_path(language), catalog)
        gaps = missing(template, catalog)
        if gaps:
            status = 1 if args.command == "missing" else status
            print(f"{language}: {len(gaps)} untranslated", *(f"  {msgid}" for msgid in gaps), sep="\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
