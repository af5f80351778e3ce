"""Checked model -> generated pages. Pure: data in, `{docs-relative path: GeneratedPage}` out, no IO.

Pages are finished HTML (`claimsite.markup`): every string from a claim file is escaped once, by
`markup.esc`, and every string the generator writes comes from the message catalog (`Site.t`), so the
pages follow the site's language while the content stays in the language it was written in. Front
matter is written by a YAML serializer, JSON-LD by a JSON serializer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property

from claimsite import search
from claimsite.catalog import Catalog
from claimsite.evidence import Evidence, OriginGroup
from claimsite.i18n import N_, Messages, messages
from claimsite.linkstate import LinkState
from claimsite.markup import GeneratedPage, Heading, compose, link, relative_url, tag, wrappable
from claimsite.model import Claim, Entity, PartialDate, Reference, Source
from claimsite.outputs.cite import BIBTEX, CSL_JSON, CitedPage, apa_parts, cited_page, download_path
from claimsite.outputs.feeds import (
    ATOM,
    ATOM_TYPE,
    CHANGES,
    CHANGES_TITLE,
    CLAIMS,
    CLAIMS_TITLE,
    ENTITY_TITLE,
    JSON_FEED,
    JSON_FEED_TYPE,
    FeedSite,
    entity_feed,
    history_entries,
)
from claimsite.outputs.jsonld import Organisation, claim_jsonld, rating_rows
from claimsite.project import no_cyclic_gc
from claimsite.provenance import (
    ARCHIVED_COPY,
    HOW_TO_VERIFY,
    VERIFY_SECTION,
    CaptureIndex,
    Day,
    Hash,
    LinkLabel,
    Moment,
    Value,
    phrases,
    provenance,
    utc_minute,
)
from claimsite.rules import RULES, SCOPE_LABELS, RuleConfig
from claimsite.spelling import fold, language_of, spellings
from claimsite.text import attr, description, md, md_link, slug
from claimsite.text import attr as esc
from claimsite.vocab import (
    BASIS_LABELS,
    FLAG_LABELS,
    KIND_LABELS,
    LINK_GONE,
    LINK_STATUS_DEFINITIONS,
    LINK_STATUS_LABELS,
    PUBLISHED_LABELS,
    SOURCE_RELATION_LABELS,
    STATUS_DEFINITIONS,
    STATUS_LABELS,
    Confidence,
    EntityKind,
    LinkStatus,
    Status,
    language_name,
    translation_note,
)

VERDICT_IN_TITLE = (Status.FALSE, Status.MISLEADING)
"""Statuses whose page title and link preview lead with the verdict, so a shared link never repeats the
claim unlabelled."""

STATUS_ICONS: dict[Status, str] = {
    Status.ALLEGED: "?",
    Status.CORROBORATED: "◐",
    Status.CONFIRMED: "✓",
    Status.DISPUTED: "⇄",
    Status.MISLEADING: "!",
    Status.FALSE: "✗",
}
"""Shown beside the label in every badge, so the status never depends on colour alone."""

CONFIDENCE_LABELS: dict[Confidence, str] = {
    Confidence.HIGH: N_("high"),
    Confidence.MEDIUM: N_("medium"),
    Confidence.LOW: N_("low"),
}


@dataclass(frozen=True)
class RenderOptions:
    """What the pages need to know about where the site and the repository live."""

    edit_url: str | None = None
    """Base URL for 'edit this claim' links, ending in '/'; the claim's path is appended."""
    site_url: str | None = None
    """Public URL of the site, ending in '/', for permalinks and JSON-LD."""
    use_directory_urls: bool = True
    """Mirror of MkDocs' option: pages at claims/<id>/ rather than claims/<id>.html."""
    pdf_path: str | None = None
    """Site-relative path of the PDF edition, when one is built."""
    offline_zip_path: str | None = None
    """Site-relative path of the offline copy, when one is built."""
    contact_email: str | None = None
    """Address for reporting errors privately (plugin option `contact_email`); None when the site
    has none, and the pages then say so."""
    language: str | None = None
    """The interface language (`theme.language`): which message catalog the generated strings use."""
    content_language: str = "en"
    """The language the claims are written in; marked with `lang` where it differs from the interface's."""
    search: str = "pagefind"
    """The site's search (plugin option `search`): `pagefind`, or `lunr` in the offline copy."""
    publisher: Organisation | None = None
    """Who publishes the site's reviews: the plugin option `publisher`, else the site itself."""
    site_name: str = ""
    """`site_name` of mkdocs.yml (citations name it)."""
    edition: str | None = None
    """The claims' git commit (claimsite.env.source_revision), which citations name; None when unknown."""

    permalink_directory_urls: bool | None = None
    """URL style of the public site, for permalinks; None means `use_directory_urls` (the offline copy
    is built with .html pages but cites the addresses of the public site)."""

    def page_url(self, path: str, *, public: bool = False) -> str:
        """Site-relative URL of a generated page (`claims/x.md` -> `claims/x/`)."""
        stem = path.removesuffix(".md")
        directory = self.use_directory_urls
        if public and self.permalink_directory_urls is not None:
            directory = self.permalink_directory_urls
        if stem == "index" or stem.endswith("/index"):
            return stem.removesuffix("index") if directory else f"{stem}.html"
        return f"{stem}/" if directory else f"{stem}.html"


# --------------------------------------------------------------------------- the site model


@dataclass
class Site:
    """The catalog plus what pages need to know about where the site lives; page paths and links."""

    catalog: Catalog
    options: RenderOptions = field(default_factory=RenderOptions)
    links: LinkState | None = None
    """What `claimsite sources check` found at the sources' addresses, when it has run (the link-health
    page, and each source's evidence line)."""
    captures: CaptureIndex | None = None
    """The records of the capture store, when the build can see it (each source's evidence line)."""

    @property
    def claims(self) -> dict[str, Claim]:
        return self.catalog.claims

    @property
    def entities(self) -> dict[str, Entity]:
        return self.catalog.entities

    @cached_property
    def t(self) -> Messages:
        """The message catalog of the interface language."""
        return messages(self.options.language)

    @cached_property
    def publisher_pages(self) -> dict[str, str]:
        """Publisher key (`Catalog.publishers`) -> page path, with stable unique slugs."""
        pages: dict[str, str] = {}
        used: set[str] = set()
        for key, publisher in self.catalog.publishers.items():
            name = publisher.entity_id or publisher.name
            base = slug(name) or "publisher-" + hashlib.sha1(name.encode()).hexdigest()[:8]
            candidate, n = base, 2
            while candidate in used or candidate == "index":
                candidate, n = f"{base}-{n}", n + 1
            used.add(candidate)
            pages[key] = f"sources/{candidate}.md"
        return pages

    def claim_path(self, cid: str) -> str:
        return f"claims/{cid}.md"

    def href(self, page: str, target: str, anchor: str = "") -> str:
        """Relative link from one generated page to another page (`.md`) or a file of the site."""
        to = self.options.page_url(target) if target.endswith(".md") else target
        return relative_url(to + (f"#{anchor}" if anchor else ""), self.options.page_url(page))

    def content(self, text: str) -> str:
        """Text from a claim file, escaped, marked with its language when the interface has another."""
        lang = self.content_lang
        return f'<span lang="{esc(lang)}">{esc(text)}</span>' if lang else esc(text)

    @property
    def content_lang(self) -> str | None:
        """The `lang` of content elements, when the interface is in another language."""
        return self.options.content_language if self.t.language != self.options.content_language else None

    def label(self, message: str) -> str:
        """A generated string, translated and escaped."""
        return esc(self.t(message))

    def date(self, value: PartialDate | dt.date | str | None) -> str:
        """A date as readers see it, in a `<time>` element; the two kinds of missing date say which."""
        if value is None:
            return self.label(N_("date not stated"))
        if str(value) in PUBLISHED_LABELS:
            return self.label(PUBLISHED_LABELS[str(value)])
        return tag("time", esc(self.t.date(value)), datetime=str(value))


def badge(site: Site, status: Status, *, large: bool = False) -> str:
    """The status as a badge: icon and text label, colour only in addition."""
    classes = f"claim-badge claim-badge--{status}" + (" claim-badge--large" if large else "")
    icon = f'<span class="claim-badge__icon" aria-hidden="true">{STATUS_ICONS[status]}</span>'
    return f'<span class="{classes}">{icon} {site.label(STATUS_LABELS[status])}</span>'


def flag_badges(site: Site, claim: Claim) -> str:
    return "".join(f' <span class="claim-flag">{site.label(FLAG_LABELS[f])}</span>' for f in claim.flags)


def display_title(site: Site, claim: Claim) -> str:
    """The claim's title, led by the verdict for false and misleading claims (with the claimant's name
    when the title does not already say who made the claim)."""
    if claim.status not in VERDICT_IN_TITLE:
        return claim.title
    status = site.t(STATUS_LABELS[claim.status])
    claimant = site.entities.get(claim.claimant or "")
    named = claimant is None or any(
        name.casefold() in claim.title.casefold()
        for name in (claimant.name, *claimant.names.values(), *claimant.aliases)
    )
    if claim.claimant and not named:
        who = claimant.name if claimant else claim.claimant
        return site.t("{status} — {claimant}: {title}", status=status, claimant=who, title=claim.title)
    return site.t("{status} — {title}", status=status, title=claim.title)


def claim_description(site: Site, claim: Claim) -> str:
    """The page description and link preview: the statement (which opens with its attribution), or for
    false and misleading claims the verdict and its reason."""
    if claim.status in VERDICT_IN_TITLE:
        status = site.t(STATUS_LABELS[claim.status])
        return description(site.t("{status}: {reason}", status=status, reason=claim.status_reason))
    return description(claim.statement)


def claim_item(site: Site, page: str, cid: str, *, show_date: bool = True) -> str:
    """One list entry linking to a claim, with its status badge and date."""
    claim = site.claims[cid]
    when = f' <span class="claim-item__date">· {site.date(claim.date)}</span>' if show_date and claim.date else ""
    title = link(site.content(claim.title), site.href(page, site.claim_path(cid)))
    return f"<li>{badge(site, claim.status)} {title}{when}</li>"


def claim_list(site: Site, page: str, ids: Iterable[str], *, show_date: bool = True) -> str:
    items = [claim_item(site, page, cid, show_date=show_date) for cid in ids]
    if not items:
        return tag("p", tag("em", site.label(N_("No claims."))))
    return tag("ul", "".join(items), class_="claim-list", data_pagefind_ignore=True)


def entity_link(site: Site, page: str, ref: str) -> str:
    """An entity's name linked to its page, with its native-script names marked with their language."""
    entity = site.entities.get(ref)
    if entity is None:
        return site.content(ref)
    native = [tag("span", esc(n), lang=lang) for lang, n in sorted(entity.names.items()) if n != entity.name]
    extra = f" ({' / '.join(native)})" if native else ""
    return link(site.content(entity.name), site.href(page, f"entities/{ref}.md")) + extra


def count_claims(site: Site, n: int) -> str:
    return site.t.plural("{n} claim", "{n} claims", n)


def index_page(site: Site, title: str) -> GeneratedPage:
    """An index page: out of the search index, no table of contents."""
    page = GeneratedPage({"title": attr(title), "search": {"exclude": True}, "hide": ["toc"]})
    heading = Heading(1, title, "page-title", search_weight=search.PAGE_TITLE_WEIGHT)
    page.add(heading, search.fields({"kind": "index"}, {"kind": ["index"]}))
    return page


# --------------------------------------------------------------------------- claim page


def evidence_line(site: Site, evidence: Evidence) -> str:
    """'6 supporting sources from 2 independent origins: bypol-recording (4), x (2).', and what
    contradicts the claim when anything does."""
    t = site.t
    count = evidence.supporting_sources
    if count:
        supporting = t.plural("{n} supporting source", "{n} supporting sources", count)
        line = _origins_line(site, supporting, evidence.supporting)
    else:
        line = t("No supporting source.")
    if evidence.contradicting:
        against = sum(len(group.source_ids) for group in evidence.contradicting)
        contradicting = t.plural("{n} contradicting source", "{n} contradicting sources", against)
        line += " " + _origins_line(site, contradicting, evidence.contradicting)
    return line


def _origins_line(site: Site, sources: str, groups: tuple[OriginGroup, ...]) -> str:
    """'{sources} from 2 independent origins: a (4), b (2).'"""
    origins = site.t.plural("from {n} origin", "from {n} independent origins", len(groups))
    listed = ", ".join(f"{group.label} ({len(group.source_ids)})" for group in groups)
    return site.t("{sources} {origins}: {listed}.", sources=sources, origins=origins, listed=listed)


def verdict_card(site: Site, page: str, claim: Claim, cid: str) -> str:
    """The first thing on a claim page: the status, flags, confidence, reason and independence line."""
    label = site.t(STATUS_LABELS[claim.status])
    meaning = link(
        esc(site.t("What “{status}” means", status=label)), site.href(page, "methodology.md", str(claim.status))
    )
    facts = [
        (N_("Confidence"), site.label(CONFIDENCE_LABELS[claim.confidence])),
        (N_("Why this status"), site.content(claim.status_reason)),
        (N_("Evidence"), tag("span", esc(evidence_line(site, site.catalog.evidence[cid])), data_pagefind_ignore=True)),
    ]
    if claim.basis:
        facts.append((N_("Basis"), esc(", ".join(site.t(BASIS_LABELS[b]) for b in claim.basis))))
    rows = "".join(f"<dt data-pagefind-ignore>{site.label(term)}</dt><dd>{value}</dd>" for term, value in facts)
    return (
        f'<section class="claim-verdict claim-verdict--{claim.status}" aria-label="{site.label(N_("Verdict"))}">'
        f'<p class="claim-verdict__status">{badge(site, claim.status, large=True)}{flag_badges(site, claim)}</p>'
        f'<dl class="claim-verdict__facts">{rows}</dl>'
        f'<p class="claim-verdict__more" data-pagefind-ignore>{meaning}</p></section>'
    )


def _publisher(site: Site, page: str, source: Source) -> str:
    """The publisher in bold (linked to its entity page when it is one), with what kind it is."""
    name = site.catalog.publisher_name(source)
    entity = site.catalog.publisher_entity(source)
    shown = link(site.content(name), site.href(page, f"entities/{entity}.md")) if entity else site.content(name)
    facts = site.catalog.publisher_facts(source, site.t)
    return tag("strong", shown) + (f" ({esc(facts)})" if facts else "")


def _quote(site: Site, source: Source) -> str:
    if source.quote:
        quoted = tag("span", f"“{esc(source.quote)}”", lang=source.language)
        if source.quote_en:
            quoted += f" — {site.content(source.quote_en)}"
        if source.quote_translated_from:
            quoted += f" ({esc(translation_note(source.quote_translated_from, site.t))})"
        return tag("blockquote", tag("p", quoted))
    if source.quote_en:
        return tag("blockquote", tag("p", f"“{site.content(source.quote_en)}” ({site.label(N_('translation'))})"))
    return ""


CYRILLIC_LANGUAGES = frozenset({"be", "ru", "uk"})
CYRILLIC = re.compile("[\u0400-\u052f]")


def title_language(title: str, language: str | None) -> str | None:
    """The `lang` of a source's title: the source's language, except for an editor's description in
    another script (an English gloss of a Russian article's title), which is in the site's language."""
    cyrillic = CYRILLIC.search(title) is not None
    if language in CYRILLIC_LANGUAGES:
        return language if cyrillic else None
    return language_of(title, {}) if cyrillic else language


def alias_language(alias: str, names: dict[str, str]) -> str | None:
    """The `lang` of an alias: none for Latin script; for Cyrillic, the language of the native name it
    shares words with or abbreviates (МВД: Министерство внутренних дел, ru; МУС: Міністэрства
    ўнутраных спраў, be), else the entity's first Cyrillic name's (a brand: БайПол)."""
    if not CYRILLIC.search(alias):
        return None
    found = language_of(alias, names)
    if found:
        return found
    letters = fold(alias.replace(".", "")).upper()
    native = {lang: name for lang, name in names.items() if lang in CYRILLIC_LANGUAGES}
    for lang, name in native.items():
        if letters == "".join(word[0] for word in fold(name).upper().split() if len(word) > 2):
            return lang
    return next(iter(native), None)


def source_title(title: str, url: str, language: str | None) -> str:
    """A source's title linked to it, marked with its language."""
    return link(esc(title), url, lang=title_language(title, language))


def _source_item(site: Site, page: str, source: Source) -> str:
    parts = [_publisher(site, page, source)]
    if source.author:
        parts.append(site.content(source.author))
    parts.append(source_title(source.title, source.url, source.language))
    parts.append(site.date(source.published))
    language = site.t(language_name(source.language))
    kind = site.t(KIND_LABELS[source.kind])
    relation = tag("em", site.label(SOURCE_RELATION_LABELS[source.relation]))
    parts.append(tag("span", f"{esc(language)}, {esc(kind)}, {relation}", data_pagefind_ignore=True))
    details = [tag("p", " · ".join(parts))]
    # The address, archive, dates and origin are for readers checking the source, not for finding it
    # (the search index would otherwise hold every URL's words: a third of its size).
    url = tag("code", wrappable(source.url), class_="claim-url")
    details.append(tag("p", f"{site.label(N_('URL'))}: {url}", data_pagefind_ignore=True))
    details.append(source_evidence(site, page, source))
    if source.accessed:
        accessed = esc(site.t("Accessed {date}", date=site.t.date(source.accessed))) + "."
        details.append(tag("p", accessed, data_pagefind_ignore=True))
    if source.origin:
        origin = f"{site.label(N_('Origin'))}: " + tag("code", wrappable(source.origin))
        details.append(tag("p", origin, data_pagefind_ignore=True))
    details.append(_quote(site, source))
    if source.note:
        details.append(tag("p", site.content(source.note), data_pagefind_weight=str(search.SECONDARY_WEIGHT)))
    return tag("li", "".join(details), id=source.id)


def _evidence_value(site: Site, value: Value) -> str:
    if isinstance(value, LinkLabel):
        return site.label(LINK_STATUS_LABELS[value.value])
    if isinstance(value, Day):
        return site.date(value.value)
    if isinstance(value, Moment):
        return tag("time", esc(utc_minute(value.value)), datetime=value.value.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if isinstance(value, Hash):
        return tag("code", esc(value.short), title=value.full)
    return link(site.label(ARCHIVED_COPY), value.url)


def source_evidence(site: Site, page: str, source: Source | Reference) -> str:
    """The evidence line of a source: link status and when it was checked, the archived copy and
    whether it was verified, the capture's hash and time, and a link to how to verify it."""
    parts = [
        compose(esc, site.t(phrase.message), **{k: _evidence_value(site, v) for k, v in phrase.values.items()})
        for phrase in phrases(provenance(source, site.links, site.captures))
    ]
    parts.append(link(site.label(HOW_TO_VERIFY), site.href(page, "methodology.md", VERIFY_SECTION)))
    return tag("p", " · ".join(parts), class_="claim-source-evidence", data_pagefind_ignore=True)


def public_url(site: Site, path: str) -> str:
    """The public address of a generated page: absolute when the site has a `site_url` (a publishing
    build always has one), else site-relative (a preview)."""
    return (site.options.site_url or "") + site.options.page_url(path, public=True)


def json_ld(site: Site, cid: str) -> str:
    """The page's JSON-LD (claimsite.outputs.jsonld), serialized and made safe inside <script>."""
    data = claim_jsonld(site.catalog, cid, lambda path: public_url(site, path), site.options.publisher, site.t)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # compact: the page budget
    # Inside <script>, '<' could close the element; '&' and '>' are escaped for the same reason.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def _facts(site: Site, page: str, claim: Claim) -> str:
    facts: list[tuple[str, str]] = []
    if claim.date:
        facts.append((N_("Date"), site.date(claim.date)))
    if claim.claimant:
        facts.append((N_("Claimed by"), entity_link(site, page, claim.claimant)))
    if claim.people:
        facts.append((N_("People"), ", ".join(entity_link(site, page, p) for p in claim.people)))
    if claim.organisations:
        facts.append((N_("Organisations"), ", ".join(entity_link(site, page, o) for o in claim.organisations)))
    if claim.places:
        facts.append((N_("Places"), ", ".join(site.content(p) for p in claim.places)))
    if claim.tags:
        facts.append((N_("Tags"), ", ".join(link(esc(t), site.href(page, f"tags/{t}.md")) for t in claim.tags)))
    items = "".join(f"<li>{tag('strong', site.label(term) + ':')} {value}</li>" for term, value in facts)
    return tag("ul", items, class_="claim-facts") if facts else ""


def _responses(site: Site, page: str, claim: Claim) -> str:
    items = []
    for response in claim.responses:
        when = f" ({site.date(response.date)})" if response.date else ""
        cites = ", ".join(link(esc(s), f"#{s}") for s in response.sources)
        cites = f" {site.label(N_('Source'))}: {cites}." if cites else ""
        who = tag("strong", entity_link(site, page, response.by))
        items.append(f"<li>{who}{when}: {site.content(response.summary)}{cites}</li>")
    return tag("ul", "".join(items))


def _related(site: Site, page: str, cid: str) -> str:
    items = []
    for related in site.catalog.related(cid):
        target = site.claims[related.claim_id]
        tail = f" — {site.content(related.note)}" if related.note else ""
        title = link(site.content(target.title), site.href(page, site.claim_path(related.claim_id)))
        items.append(f"<li>{tag('em', site.label(related.label))}: {badge(site, target.status)} {title}{tail}</li>")
    return tag("ul", "".join(items), data_pagefind_ignore=True)


def _history(site: Site, claim: Claim) -> str:
    head = "".join(tag("th", site.label(h)) for h in (N_("Date"), N_("Status"), N_("Note")))
    rows = "".join(
        f"<tr><td>{site.date(e.date)}</td><td>{badge(site, e.status)}</td><td>{site.content(e.note or '')}</td></tr>"
        for e in claim.history
    )
    return f"<table data-pagefind-ignore><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def cited(site: Site, cid: str) -> CitedPage:
    """What a reference to the claim page holds (claimsite.outputs.cite)."""
    publisher = site.options.publisher
    return cited_page(
        site.catalog,
        cid,
        url=public_url(site, site.claim_path(cid)),
        author=publisher.name if publisher else site.options.site_name,
        site_name=site.options.site_name,
        edition=site.options.edition,
        language=site.options.content_language,
    )


def _month_name(site: Site) -> Callable[[int], str]:
    from babel.dates import get_month_names

    names = get_month_names("wide", "stand-alone", locale=site.t.language)
    return lambda month: str(names[month])


def _reference(site: Site, page: str, cid: str) -> str:
    """The APA reference, and the BibTeX and CSL-JSON downloads."""
    before, title, after = apa_parts(
        cited(site, cid), _month_name(site), lambda commit: site.t("edition {commit}", commit=commit)
    )
    # one_line (in `esc`) trims each part: the spaces between them are written here.
    gap = " " if after.startswith(" ") else ""
    text = f"{esc(before)} {tag('em', site.content(title))}{gap}{esc(after)}"
    reference = tag("p", text, class_="claim-reference", title=site.t("APA style (7th edition)"))
    downloads = " · ".join(
        link(esc(label), site.href(page, download_path(cid, name)), download=True)
        for label, name in (("BibTeX", BIBTEX), ("CSL-JSON", CSL_JSON))
    )
    return reference + tag("p", f"{site.label(N_('Download the reference'))}: {downloads}")


def _cite(site: Site, page: str, cid: str) -> str:
    permalink = public_url(site, page)
    target = permalink if site.options.site_url else site.href(page, page)
    line = (
        f"{site.label(N_('Permalink'))}: {link(wrappable(permalink), target, class_='claim-url')} · "
        f"{site.label(N_('claim id'))} {tag('code', wrappable(cid))}"
    )
    loaded = site.catalog.loaded[cid]
    if site.options.edit_url:
        edit = link(site.label(N_("Edit this claim")), site.options.edit_url + loaded.source_path)
    else:
        edit = site.label(N_("Edit this claim")) + ": " + tag("code", wrappable(loaded.path))
    body = _reference(site, page, cid) + tag("p", line) + tag("p", edit)
    return tag("div", body, class_="claim-cite", data_pagefind_ignore=True)


def render_claim(site: Site, cid: str) -> GeneratedPage:
    """The page of one claim: the verdict first, then the statement, sources and the rest."""
    claim = site.claims[cid]
    page = site.claim_path(cid)
    title = display_title(site, claim)
    out = GeneratedPage({"title": attr(title), "description": attr(claim_description(site, claim))})
    lang = site.content_lang if title == claim.title else None  # a verdict-led title mixes languages
    out.add(Heading(1, title, "page-title", lang=lang), verdict_card(site, page, claim, cid))
    successor = site.claims.get(claim.superseded_by or "")
    if successor is not None:
        target = link(site.content(successor.title), site.href(page, site.claim_path(str(claim.superseded_by))))
        out.add(
            '<div class="admonition warning">'
            + tag("p", site.label(N_("Superseded")), class_="admonition-title")
            + tag("p", compose(esc, site.t("This claim has been replaced by {link}."), link=target))
            + "</div>"
        )
    t = site.t
    out.add(Heading(2, t("Statement"), "statement"))
    paragraphs = "".join(tag("p", site.content(part)) for part in claim.statement.split("\n\n") if part.strip())
    out.add(tag("div", paragraphs, class_="claim-statement"))
    out.add(_facts(site, page, claim))
    out.add(Heading(2, t("Sources"), "sources", search_exclude=True))
    out.add(tag("ol", "".join(_source_item(site, page, s) for s in claim.sources), class_="claim-sources"))
    if claim.responses:
        out.add(Heading(2, t("Responses"), "responses"), _responses(site, page, claim))
    if site.catalog.related(cid):
        out.add(Heading(2, t("Related claims"), "related", search_exclude=True), _related(site, page, cid))
    out.add(Heading(2, t("Status history"), "history", search_exclude=True), _history(site, claim))
    out.add(Heading(2, t("Cite this claim"), "cite", search_exclude=True), _cite(site, page, cid))
    out.add(json_ld(site, cid))
    out.add(*claim_search_blocks(site, cid))
    return out


def claim_entities(site: Site, claim: Claim, source_publishers: bool = True) -> list[str]:
    """Ids of every entity a claim refers to: claimant, people, organisations, responders and the
    publishers of its sources, in that order, once each."""
    refs = [claim.claimant or "", *claim.people, *claim.organisations, *(r.by for r in claim.responses)]
    if source_publishers:
        refs += [site.catalog.publisher_entity(s) or "" for s in claim.sources]
    return [ref for ref in dict.fromkeys(refs) if ref in site.entities]


def claim_search_blocks(site: Site, cid: str) -> tuple[str, str]:
    """What the search index needs of a claim page (claimsite.search): the result's badge, date and
    first line; the facets; the sort keys; and every spelling of every name the claim refers to."""
    claim = site.claims[cid]
    t = site.t
    entities = claim_entities(site, claim)
    kinds = {ref: site.entities[ref].kind for ref in entities}
    last_change = max((str(e.date) for e in claim.history), default="")
    meta = {
        "kind": "claim",
        "status": str(claim.status),
        "status_label": t(STATUS_LABELS[claim.status]),
        "status_icon": STATUS_ICONS[claim.status],
        "date": str(claim.date or ""),
        "date_label": t.date(claim.date) if claim.date else "",
        "statement": description(claim.statement),
    }
    filters = {
        "kind": ["claim"],
        "status": [t(STATUS_LABELS[claim.status])],
        "flag": [t(FLAG_LABELS[f]) for f in claim.flags],
        "confidence": [t(CONFIDENCE_LABELS[claim.confidence])],
        "tag": list(claim.tags),
        "person": [site.entities[r].name for r in entities if kinds[r] == EntityKind.PERSON],
        "organisation": [site.entities[r].name for r in entities if kinds[r] == EntityKind.ORGANISATION],
        "publisher": [site.catalog.publisher_name(s) for s in claim.sources],
        "year": [str(claim.date.year)] if claim.date else [],
        "source_kind": [t(KIND_LABELS[s.kind]) for s in claim.sources],
        "origins": [search.origins_bucket(len(site.catalog.evidence[cid].supporting))],
    }
    names = [spelling for ref in entities for spelling in entity_spellings(site.entities[ref])]
    return search.fields(meta, filters, {"date": meta["date"], "changed": last_change}), search.names_block(names)


def entity_spellings(entity: Entity) -> list[str]:
    """Every spelling of an entity's name for the search index: as written, transliterated by the
    standards for Belarusian and Russian, and folded (claimsite.spelling)."""
    return spellings(entity.name, entity.names, entity.aliases)


# --------------------------------------------------------------------------- index pages


def render_claims_index(site: Site) -> GeneratedPage:
    page = "claims/index.md"
    out = index_page(site, site.t("All claims"))
    out.add(tag("p", esc(count_claims(site, len(site.claims)))))
    out.add(claim_list(site, page, site.catalog.by_title))
    return out


def render_browse(site: Site) -> GeneratedPage:
    """Faceted browsing of every claim, filled in by the search script (claimsite/assets/search.js)
    from the search index; without it (no script, or the offline copy) the page points elsewhere."""
    out = index_page(site, site.t("Browse and filter claims"))
    listed = link(site.label(N_("All claims")), site.href("browse.md", "claims/index.md"))
    if site.options.search == "lunr":
        message = site.t("Filters need the published site; this copy has none. Every claim is listed on {link}.")
    else:
        message = site.t("Filtering needs JavaScript. Every claim is listed on {link}.")
    fallback = compose(esc, message, link=listed)
    out.add(tag("div", tag("p", fallback), class_="claimsite-browse", data_claimsite_browse=True))
    return out


def _definition_link(site: Site, page: str, status: Status) -> str:
    return link(site.label(N_("Methodology")), site.href(page, "methodology.md", str(status)))


def render_status_index(site: Site) -> GeneratedPage:
    page = "status/index.md"
    out = index_page(site, site.t("Claims by status"))
    items = []
    for status in Status:
        ids = site.catalog.by_status[status]
        name = link(site.label(STATUS_LABELS[status]), site.href(page, f"status/{status}.md"))
        items.append(
            f"<li>{badge(site, status)} {name}: {esc(count_claims(site, len(ids)))} — "
            f"{site.label(STATUS_DEFINITIONS[status])} ({_definition_link(site, page, status)})</li>"
        )
    out.add(tag("ul", "".join(items)))
    return out


def render_status_page(site: Site, status: Status, ids: list[str]) -> GeneratedPage:
    page = f"status/{status}.md"
    out = index_page(site, site.t("{status} claims", status=site.t(STATUS_LABELS[status])))
    out.add(
        tag(
            "p",
            f"{esc(count_claims(site, len(ids)))}. {site.label(STATUS_DEFINITIONS[status])} "
            f"({_definition_link(site, page, status)})",
        )
    )
    out.add(claim_list(site, page, site.catalog.newest_first(ids)))
    return out


def render_entities_index(site: Site) -> GeneratedPage:
    page = "entities/index.md"
    out = index_page(site, site.t("People and organisations"))
    for kind, heading, anchor in (
        (EntityKind.PERSON, N_("People"), "people"),
        (EntityKind.ORGANISATION, N_("Organisations"), "organisations"),
    ):
        out.add(Heading(2, site.t(heading), anchor))
        ids = site.catalog.ids_of_kind(kind)
        items = [
            f"<li>{entity_link(site, page, eid)} — {site.content(site.entities[eid].role)} "
            f"({esc(count_claims(site, len(site.catalog.by_entity.get(eid, []))))})</li>"
            for eid in ids
        ]
        out.add(tag("ul", "".join(items)) if items else tag("p", tag("em", site.label(N_("None yet.")))))
    return out


ENTITY_ROLE_HEADINGS = {
    "about": (N_("Claims about them"), "about"),
    "claimed": (N_("Claimed by them"), "claimed"),
    "responded": (N_("Their responses"), "responded"),
}


def render_entity(site: Site, eid: str) -> GeneratedPage:
    entity = site.entities[eid]
    page = f"entities/{eid}.md"
    out = GeneratedPage({"title": attr(entity.name), "description": attr(entity.role)})
    weight = str(search.SECONDARY_WEIGHT)  # a claim naming them ranks above this page for their name
    out.add(Heading(1, entity.name, "page-title", lang=site.content_lang, search_weight=search.PAGE_TITLE_WEIGHT))
    out.add(tag("p", site.content(entity.role), data_pagefind_weight=weight))
    out.add(search.fields({"kind": "entity"}, {"kind": ["entity"]}))
    if entity.names:
        names = "; ".join(
            f"{tag('span', esc(n), lang=lang)} ({site.label(language_name(lang))})"
            for lang, n in sorted(entity.names.items())
        )
        out.add(tag("p", tag("strong", site.label(N_("Names")) + ":") + " " + names, data_pagefind_weight=weight))
    if entity.aliases:
        aliases = ", ".join(tag("span", esc(a), lang=alias_language(a, entity.names)) for a in entity.aliases)
        out.add(
            tag(
                "p",
                tag("strong", site.label(N_("Also written as")) + ":") + " " + aliases,
                data_pagefind_weight=str(search.ALIAS_LIST_WEIGHT),
            )
        )
    if entity.sources:
        out.add(Heading(2, site.t("Sources for this entry"), "entry-sources", search_exclude=True))
        items = []
        for ref in entity.sources:
            pub = f"{tag('strong', site.content(ref.publisher))} · " if ref.publisher else ""
            when = f" · {site.date(ref.published)}" if ref.published else ""
            evidence = source_evidence(site, page, ref)
            items.append(f"<li>{pub}{source_title(ref.title, ref.url, ref.language)}{when}{evidence}</li>")
        out.add(tag("ol", "".join(items), data_pagefind_ignore=True))
    if has_feeds(site) and eid in site.catalog.by_entity:
        path = entity_feed(eid)
        follow = compose(esc, site.t("Changes to these claims as a feed: {links}."), links=feed_links(site, page, path))
        out.add(tag("p", follow, class_="claim-feeds", data_pagefind_ignore=True))
        title = site.t(ENTITY_TITLE, name=entity.name)
        out.meta["claimsite_feeds"] = [
            {"title": title, "path": path + ATOM, "type": ATOM_TYPE},
            {"title": title, "path": path + JSON_FEED, "type": JSON_FEED_TYPE},
        ]
    roles = site.catalog.entity_roles.get(eid, {})
    if not roles:
        out.add(Heading(2, site.t("Claims"), "claims", search_exclude=True), claim_list(site, page, []))
    for role, (heading, anchor) in ENTITY_ROLE_HEADINGS.items():
        if roles.get(role):
            out.add(Heading(2, site.t(heading), anchor, search_exclude=True))
            out.add(claim_list(site, page, site.catalog.newest_first(roles[role])))
    return out


def render_tags_index(site: Site) -> GeneratedPage:
    page = "tags/index.md"
    out = index_page(site, site.t("Tags"))
    items = [
        f"<li>{link(esc(t), site.href(page, f'tags/{t}.md'))} ({len(ids)})</li>"
        for t, ids in site.catalog.by_tag.items()
    ]
    out.add(tag("ul", "".join(items)) if items else tag("p", tag("em", site.label(N_("No tags yet.")))))
    return out


def render_tag(site: Site, name: str) -> GeneratedPage:
    page = f"tags/{name}.md"
    out = index_page(site, site.t("Tag: {tag}", tag=name))
    out.add(claim_list(site, page, site.catalog.newest_first(site.catalog.by_tag[name])))
    return out


def render_timeline(site: Site) -> GeneratedPage:
    page = "timeline.md"
    out = index_page(site, site.t("Timeline"))
    for year, ids in site.catalog.by_year.items():
        if year is None:
            out.add(Heading(2, site.t("Date not stated"), "undated"), claim_list(site, page, ids))
        else:
            out.add(Heading(2, str(year), f"y{year}"), claim_list(site, page, ids))
    return out


def documents_line(site: Site, documents: int, citations: int) -> str:
    """'69 documents, cited 132 times'."""
    docs = site.t.plural("{n} document", "{n} documents", documents)
    cited = site.t("cited once") if citations == 1 else site.t.plural("cited {n} time", "cited {n} times", citations)
    return f"{docs}, {cited}"


def render_sources_index(site: Site) -> GeneratedPage:
    page = "sources/index.md"
    out = index_page(site, site.t("Sources by publisher"))
    counts = site.catalog.counts
    publishers = site.t.plural("from {n} publisher", "from {n} publishers", len(site.catalog.publishers))
    out.add(tag("p", esc(f"{documents_line(site, counts.documents, counts.citations)}, {publishers}.")))
    items = []
    for key, publisher in site.catalog.publishers.items():
        line = documents_line(site, len(publisher.documents), publisher.citations)
        items.append(
            f"<li>{link(site.content(publisher.name), site.href(page, site.publisher_pages[key]))} ({esc(line)})</li>"
        )
    out.add(tag("ul", "".join(items), data_pagefind_ignore=True))
    health = link(site.label(N_("Link health")), site.href(page, LINK_HEALTH_PAGE))
    out.add(tag("p", compose(esc, site.t("{link}: which of these addresses still work."), link=health)))
    return out


LINK_HEALTH_PAGE = "sources/health.md"
LINK_FAILING_LABEL = N_("Failed on the last run only")
LINK_FAILING_DEFINITION = N_(
    "Dead or a soft 404 on the last run, but not yet on two runs a day apart: not counted as dead yet."
)
LINK_UNCHECKED_LABEL = N_("Not checked yet")


def _link_bucket(links: LinkState, url: str) -> str:
    """The row an address counts in: its status, `failing` for a failure not yet confirmed, `unchecked`."""
    entry = links.entries.get(url)
    if entry is None:
        return "unchecked"
    if entry.status in LINK_GONE and not entry.confirmed:
        return "failing"
    return str(entry.status)


def render_link_health(site: Site) -> GeneratedPage:
    """Counts of the sources' addresses and archived copies by link status, from the link state, and
    the claims whose sources are not ok; or a sentence saying no check has run yet."""
    page, t = LINK_HEALTH_PAGE, site.t
    out = index_page(site, t("Link health"))
    command = "<code>claimsite sources check</code>"
    if site.links is None:
        message = t("The addresses of the sources have not been checked yet ({command}).")
        out.add(tag("p", compose(esc, message, command=command)))
        return out
    links = site.links
    cited: dict[str, list[tuple[str, str]]] = {}
    archived: set[str] = set()
    for cid, claim in site.claims.items():
        for source in claim.sources:
            cited.setdefault(source.url, []).append((cid, source.title))
            if source.archive_url:
                archived.add(source.archive_url)
    for entity in site.entities.values():
        for reference in entity.sources:
            cited.setdefault(reference.url, [])
            if reference.archive_url:
                archived.add(reference.archive_url)
    checked = [links.entries[url].checked for url in [*cited, *archived] if url in links.entries]
    if checked:
        day = max(checked).date()
        message = t(
            "Checked by {command}; the last run was on {date}. An address counts as dead only when it failed "
            "on two runs at least a day apart."
        )
        out.add(tag("p", compose(esc, message, command=command, date=esc(t.date(day)))))
    addresses = Counter(_link_bucket(links, url) for url in cited)
    copies = Counter(_link_bucket(links, url) for url in archived)
    rows = [(str(status), LINK_STATUS_LABELS[status], LINK_STATUS_DEFINITIONS[status]) for status in LinkStatus] + [
        ("failing", LINK_FAILING_LABEL, LINK_FAILING_DEFINITION),
        ("unchecked", LINK_UNCHECKED_LABEL, ""),
    ]
    headings = (N_("Status"), N_("What it means"), N_("Addresses"), N_("Archived copies"))
    cells = "".join(tag("th", site.label(heading), scope="col") for heading in headings)
    body = "".join(
        tag(
            "tr",
            tag("th", site.label(label), scope="row")
            + tag("td", site.label(meaning) if meaning else "")
            + tag("td", str(addresses[key]))
            + tag("td", str(copies[key])),
        )
        for key, label, meaning in rows
        if addresses[key] or copies[key] or key in {s.value for s in LinkStatus}
    )
    out.add(tag("table", tag("thead", tag("tr", cells)) + tag("tbody", body), data_pagefind_ignore=True))
    for key, label, _ in rows:
        if key in (str(LinkStatus.OK), "unchecked") or not addresses[key]:
            continue
        items = []
        for url in sorted(url for url in cited if _link_bucket(links, url) == key):
            claims = ", ".join(
                link(site.content(site.claims[cid].title), site.href(page, site.claim_path(cid)))
                + f" ({site.content(title)})"
                for cid, title in cited[url]
            )
            items.append(tag("li", f"{tag('code', wrappable(url))}{' — ' + claims if claims else ''}"))
        out.add(Heading(2, t(label), f"links-{key}"), tag("ul", "".join(items), data_pagefind_ignore=True))
    return out


DATA_PAGE = "data/index.md"
"""The Data page: the files of the data package (claimsite.outputs), published beside it in data/."""
DATA_PROV_TERMS = (
    ("prov:hadPrimarySource", N_("a document's primary source: each origin its citations name")),
    (
        "prov:specializationOf",
        N_("a primary record (official statement, court record, leaked media, dataset): the origin it is"),
    ),
    ("prov:wasDerivedFrom", N_("a claim derived from the documents that support it")),
    ("prov:wasQuotedFrom", N_("a source's verbatim quote, quoted from its document")),
    ("schema:citation", N_("every document a claim cites")),
)


def render_data_page(site: Site, files: Mapping[str, tuple[int, str]]) -> GeneratedPage:
    """The Data page: every file of the data package with its size and SHA-256 (`files`: path -> size
    in bytes and SHA-256 in hex), the CSV escaping rule, the licence (or that none is stated) and the
    mapping of the provenance graph."""
    page, t = DATA_PAGE, site.t
    out = index_page(site, t("Data"))

    def file_href(name: str) -> str:  # a file, never a page, even when it ends in .md (README.md)
        return relative_url(f"data/{name}", site.options.page_url(page))

    package = link(tag("code", "datapackage.json"), file_href("datapackage.json"))
    message = t(
        "The whole dataset, to download: every claim, source, person and organisation as JSON and as CSV "
        "tables, described by {package} (a Data Package, version 2, with the size and SHA-256 of every file)."
    )
    out.add(tag("p", compose(esc, message, package=package)))
    triggers = " ".join(tag("code", c) for c in ("=", "+", "-", "@")) + " " + t("a tab or a carriage return")
    message = t(
        "JSON files hold every value exactly as the claim files do. In the CSV files, a text cell that starts "
        "with {triggers} gets a leading {quote}, so that spreadsheets show it as text and never run it as a formula."
    )
    out.add(tag("p", compose(esc, message, triggers=triggers, quote=tag("code", "'"))))
    out.add(
        tag("p", site.label(N_("No licence for the data has been stated yet: ask the publisher before reusing it.")))
    )
    headings = (N_("File"), N_("Size"), N_("SHA-256"))
    cells = "".join(tag("th", site.label(heading), scope="col") for heading in headings)
    rows = "".join(
        tag(
            "tr",
            tag("th", link(tag("code", esc(path)), file_href(path)), scope="row")
            + tag("td", esc(t.plural("{n} byte", "{n} bytes", size)))
            + tag("td", tag("code", wrappable(digest))),
        )
        for path, (size, digest) in sorted(files.items())
    )
    out.add(tag("table", tag("thead", tag("tr", cells)) + tag("tbody", rows), data_pagefind_ignore=True))
    out.add(Heading(2, t("Provenance graph"), "provenance-graph"))
    graph = link(tag("code", "claims.prov.jsonld"), file_href("claims.prov.jsonld"))
    message = t(
        "{graph} says which documents derive from which origins, in the terms of W3C PROV-O (JSON-LD). "
        "Each origin, document, quote and claim is a node:"
    )
    out.add(tag("p", compose(esc, message, graph=graph)))
    out.add(
        tag(
            "ul", "".join(tag("li", f"{tag('code', term)}: {site.label(meaning)}") for term, meaning in DATA_PROV_TERMS)
        )
    )
    return out


def render_publisher(site: Site, key: str) -> GeneratedPage:
    publisher = site.catalog.publishers[key]
    page = site.publisher_pages[key]
    out = index_page(site, site.t("Sources: {publisher}", publisher=publisher.name))
    if publisher.entity_id:
        entity = site.entities[publisher.entity_id]
        facts = site.catalog.publisher_facts(publisher.documents[0].first, site.t)
        about = link(site.content(entity.name), site.href(page, f"entities/{publisher.entity_id}.md"))
        text = f"{about}: {site.content(entity.role)}" + (f" ({esc(facts)})" if facts else "")
        out.add(tag("p", text, data_pagefind_weight=str(search.SECONDARY_WEIGHT)))
    out.add(tag("p", esc(documents_line(site, len(publisher.documents), publisher.citations)) + "."))
    items = []
    for document in publisher.documents:
        source = document.first
        when = f"{site.date(source.published)} · " if source.published else ""
        cited = ", ".join(
            link(site.content(site.claims[cid].title), site.href(page, site.claim_path(cid)))
            for cid in document.claim_ids
        )
        title = source_title(source.title, source.url, source.language)
        items.append(f"<li>{when}{title} — {site.label(N_('cited in'))} {cited}</li>")
    out.add(tag("ul", "".join(items), data_pagefind_ignore=True))
    return out


# --------------------------------------------------------------------------- changes and feeds

CHANGES_PAGE = "changes.md"
CHANGES_HEADING = N_("Changes")


def has_feeds(site: Site) -> bool:
    """Feeds are published when the site knows its address (their links and ids are absolute)."""
    return bool(site.options.site_url)


def feed_links(site: Site, page: str, path: str) -> str:
    """'Atom · JSON Feed': links to the two files of a feed (`path` without its extension)."""
    atom = link(esc("Atom"), site.href(page, path + ATOM), type=ATOM_TYPE)
    json_feed = link(esc("JSON Feed"), site.href(page, path + JSON_FEED), type=JSON_FEED_TYPE)
    return f"{atom} · {json_feed}"


def feed_site(site: Site, name: str) -> FeedSite:
    """What the feeds need of the site (only for a site with a `site_url`)."""
    assert site.options.site_url and site.options.publisher is not None
    return FeedSite(
        site_url=site.options.site_url,
        name=name,
        language=site.t.language,
        publisher=site.options.publisher,
        page_url=lambda path: public_url(site, path),
    )


def render_changes(site: Site) -> GeneratedPage:
    """Every history entry of every claim, newest first: what the status-changes feed holds."""
    page, t = CHANGES_PAGE, site.t
    out = index_page(site, t(CHANGES_HEADING))
    out.add(tag("p", esc(t("Every entry of every claim's status history, newest first."))))
    if has_feeds(site):
        feeds = [(CHANGES_TITLE, CHANGES), (CLAIMS_TITLE, CLAIMS)]
        listed = "".join(tag("li", f"{site.label(label)}: {feed_links(site, page, path)}") for label, path in feeds)
        out.add(tag("p", site.label(N_("Follow them in a feed reader:"))), tag("ul", listed, class_="claim-feeds"))
    items = []
    for entry in history_entries(site.catalog, None):
        claim = site.claims[entry.claim_id]
        title = link(site.content(claim.title), site.href(page, site.claim_path(entry.claim_id), "history"))
        if entry.before is None:
            change = f"{site.label(N_('New claim'))}: {badge(site, entry.status)}"
        elif entry.before is entry.status:
            change = f"{site.label(N_('Reviewed'))}: {badge(site, entry.status)}"
        else:
            change = f"{badge(site, entry.before)} → {badge(site, entry.status)}"
        tail = f" — {site.content(entry.note)}" if entry.note else ""
        items.append(f"<li>{site.date(entry.date)}: {change} {title}{tail}</li>")
    out.add(
        tag("ul", "".join(items), class_="claim-changes", data_pagefind_ignore=True)
        if items
        else claim_list(site, page, [])
    )
    return out


# --------------------------------------------------------------------------- home page


def status_chart(site: Site, page: str) -> str:
    """Counts by status as a static bar chart (SVG, no script), each bar labelled and linked."""
    counts = site.catalog.counts.by_status
    most = max(counts.values(), default=0) or 1
    row, label_width, bar_width = 30, 150, 260
    parts = []
    for i, status in enumerate(Status):
        y = i * row
        width = round(bar_width * counts[status] / most) if counts[status] else 0
        name = site.label(STATUS_LABELS[status])
        parts.append(
            f'<g><text x="0" y="{y + 20}" class="claim-chart__label">{STATUS_ICONS[status]} {name}</text>'
            f'<rect x="{label_width}" y="{y + 6}" width="{max(width, 2)}" height="18" '
            f'class="claim-chart__bar claim-chart__bar--{status}"></rect>'
            "</g>"
        )
    summary = "; ".join(f"{site.t(STATUS_LABELS[s])}: {counts[s]}" for s in Status)
    height = row * len(Status)
    title = esc(site.t("Claims by status (chart)"))
    return (
        f'<figure class="claim-chart"><svg role="img" aria-label="{title}: {esc(summary)}" '
        f'viewBox="0 0 {label_width + bar_width + 60} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{title}</title>{''.join(parts)}</svg></figure>"
    )


def status_links(site: Site, page: str) -> str:
    """Each status linked to its page, with its count: the chart's numbers as links."""
    counts = site.catalog.counts.by_status
    items = [f"<li>{link(badge(site, s), site.href(page, f'status/{s}.md'))} {counts[s]}</li>" for s in Status]
    return tag("ul", "".join(items), class_="claim-status-links")


def status_changes(site: Site) -> list[tuple[PartialDate, str, Status | None, Status, str | None]]:
    """Every history entry that set or changed a status: (date, claim, before, after, note), newest first."""
    changes = []
    for cid, claim in site.claims.items():
        before: Status | None = None
        for entry in claim.history:
            if entry.status is not before:
                changes.append((entry.date, cid, before, entry.status, entry.note))
            before = entry.status
    return sorted(changes, key=lambda c: (c[0].sort_key(), c[1]), reverse=True)


def render_home_summary(site: Site, latest: int = 10) -> str:
    """Counts by status (a chart) and the latest status changes, appended to the hand-written home page."""
    page = "index.md"
    counts = site.catalog.counts
    people = site.t.plural("{n} person or organisation", "{n} people and organisations", counts.entities)
    line = f"{count_claims(site, counts.claims)}; {documents_line(site, counts.documents, counts.citations)}; {people}."
    out = GeneratedPage({})
    out.add(Heading(2, site.t("The claims in numbers"), "in-numbers"), tag("p", esc(line)), status_chart(site, page))
    out.add(status_links(site, page))
    changes = status_changes(site)[:latest]
    if changes:
        out.add(Heading(2, site.t("Latest status changes"), "latest-changes"))
        items = []
        for when, cid, before, after, note in changes:
            title = link(site.content(site.claims[cid].title), site.href(page, site.claim_path(cid)))
            change = f"{badge(site, before)} → {badge(site, after)}" if before else badge(site, after)
            tail = f" — {site.content(note)}" if note else ""
            items.append(f"<li>{site.date(when)}: {change} {title}{tail}</li>")
        out.add(tag("ul", "".join(items), class_="claim-changes", data_pagefind_ignore=True))
    links = [
        (N_("All claims"), "claims/index.md"),
        (N_("Browse and filter claims"), "browse.md"),
        (N_("Timeline"), "timeline.md"),
        (N_("People and organisations"), "entities/index.md"),
        (N_("Tags"), "tags/index.md"),
        (N_("Sources"), "sources/index.md"),
        (CHANGES_HEADING, CHANGES_PAGE),
        (N_("Data"), DATA_PAGE),
    ]
    shown = [link(site.label(label), site.href(page, target)) for label, target in links]
    if site.options.pdf_path:
        shown.append(link(site.label(N_("PDF edition")), site.href(page, site.options.pdf_path)))
    if site.options.offline_zip_path:
        shown.append(link(site.label(N_("Offline copy (zip)")), site.href(page, site.options.offline_zip_path)))
    out.add(tag("p", " · ".join(shown)))
    if site.options.search == "lunr":
        out.add(tag("p", tag("em", site.label(OFFLINE_SEARCH_NOTE)), class_="claim-offline-search"))
    return "\n\n" + out.body_markdown()


OFFLINE_SEARCH_NOTE = N_(
    "This copy searches with an index inside the copy (Material's lunr search), which works without a "
    "server or network: it finds every spelling of a name, but it has no filters, and its first search "
    "loads the whole index."
)


def download_html(site: Site, page: str) -> str:
    """The PDF download link shown on every page of a site built with the PDF edition."""
    assert site.options.pdf_path is not None
    target = site.href(page, site.options.pdf_path)
    # not a page's text: left out of the search index, as the edit button is
    return tag(
        "p",
        link(site.label(N_("Download the PDF edition")), target),
        class_="claimsite-download",
        data_pagefind_ignore=True,
    )


def render_redirects(site: Site) -> dict[str, str]:
    """Site-relative HTML files that send a claim's former addresses to its current page."""
    pages: dict[str, str] = {}
    lang = esc(site.t.language)
    for cid, claim in site.claims.items():
        for old in claim.renamed_from:
            if site.options.use_directory_urls:
                path, target = f"claims/{old}/index.html", f"../{cid}/"
            else:
                path, target = f"claims/{old}.html", f"{cid}.html"
            moved = esc(site.t("Moved: {title}", title=claim.title))
            body = compose(
                esc, site.t("This claim moved to {link}."), link=f'<a href="{target}">{attr(claim.title)}</a>'
            )
            pages[path] = (
                f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{moved}</title>\n"
                f'<meta http-equiv="refresh" content="0; url={target}">\n'
                f'<link rel="canonical" href="{target}">\n<meta name="robots" content="noindex">\n'
                f"</head>\n<body>\n<p>{body}</p>\n</body>\n</html>\n"
            )
    return pages


def render_site(site: Site, reuse: dict[str, GeneratedPage] | None = None) -> dict[str, GeneratedPage]:
    """Every generated page, keyed by docs-relative path, in a stable order; claim pages found in `reuse`
    (the caller vouches that nothing they show changed) are taken from it instead of rendered again."""
    with no_cyclic_gc():  # millions of short strings, no cycles: the collector's passes cost 15%
        return _render_site(site, reuse or {})


def _render_site(site: Site, reuse: dict[str, GeneratedPage]) -> dict[str, GeneratedPage]:
    pages: dict[str, GeneratedPage] = {}
    renderers: list[tuple[str, Callable[[], GeneratedPage]]] = [
        ("claims/index.md", lambda: render_claims_index(site)),
        ("browse.md", lambda: render_browse(site)),
        ("status/index.md", lambda: render_status_index(site)),
        ("entities/index.md", lambda: render_entities_index(site)),
        ("tags/index.md", lambda: render_tags_index(site)),
        ("timeline.md", lambda: render_timeline(site)),
        ("sources/index.md", lambda: render_sources_index(site)),
        (LINK_HEALTH_PAGE, lambda: render_link_health(site)),
        (CHANGES_PAGE, lambda: render_changes(site)),
    ]
    for path, renderer in renderers:
        pages[path] = renderer()
    for status, ids in site.catalog.by_status.items():
        pages[f"status/{status}.md"] = render_status_page(site, status, ids)
    for eid in site.entities:
        pages[f"entities/{eid}.md"] = render_entity(site, eid)
    for name in site.catalog.by_tag:
        pages[f"tags/{name}.md"] = render_tag(site, name)
    for key, path in site.publisher_pages.items():
        pages[path] = render_publisher(site, key)
    todo = [cid for cid in site.claims if site.claim_path(cid) not in reuse]
    rendered = dict(_render_claims(site, todo))
    for cid in site.claims:
        path = site.claim_path(cid)
        pages[path] = reuse.get(path) or rendered[cid]
    return pages


PARALLEL_RENDER_FROM = 2000
"""Render claim pages in worker processes from this many on (below, starting workers costs more)."""

_FORKED_SITE: Site | None = None
"""The site a forked worker renders from (inherited, never pickled)."""


def _render_chunk(ids: list[str]) -> list[tuple[str, GeneratedPage]]:
    assert _FORKED_SITE is not None
    return [(cid, render_claim(_FORKED_SITE, cid)) for cid in ids]


def _render_claims(site: Site, ids: list[str]) -> Iterable[tuple[str, GeneratedPage]]:
    """Claim pages, on every core when there are many and the platform can fork (the catalog's lookups
    are computed first, so the workers inherit them instead of each computing them again)."""
    workers = min(os.cpu_count() or 1, 4)
    if len(ids) < PARALLEL_RENDER_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [(cid, render_claim(site, cid)) for cid in ids]
    global _FORKED_SITE
    site.catalog.warm()
    _ = site.t, site.publisher_pages
    chunks = [ids[i : i + 250] for i in range(0, len(ids), 250)]
    _FORKED_SITE = site
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [item for chunk in pool.map(_render_chunk, chunks) for item in chunk]
    finally:
        _FORKED_SITE = None


def unchanged_claim_pages(old: Site, new: Site, pages: dict[str, GeneratedPage]) -> dict[str, GeneratedPage]:
    """The claim pages of `old` that `new` would render the same: the claim record is the same object
    (a file cache hands back unchanged records) and so are its neighbours, entities and options."""
    if (
        old.options != new.options
        or old.links != new.links
        or old.captures != new.captures
        or any(old.entities.get(eid) is not entity for eid, entity in new.entities.items())
        or old.entities.keys() != new.entities.keys()
    ):
        return {}
    changed = {cid for cid in old.claims.keys() | new.claims.keys() if old.claims.get(cid) is not new.claims.get(cid)}
    stale = set(changed)
    for cid in changed:
        stale |= old.catalog.neighbours(cid) | new.catalog.neighbours(cid)
    return {
        path: page for cid in new.claims.keys() - stale if (page := pages.get(path := new.claim_path(cid))) is not None
    }


# --------------------------------------------------------------------------- hand-written pages' markers
# These parts go into hand-written Markdown pages, so they are Markdown (escaped with `text.md`).

RULES_MARKER = "<!-- claimsite:rules -->"
"""Where the methodology page lists the rules the checker enforces (replaced at build time)."""
CORRECTIONS_MARKER = "<!-- claimsite:corrections -->"
"""Where a page lists the corrections log: history entries marked `correction: true`."""
CONTACT_MARKER = "<!-- claimsite:contact -->"
"""Where a page gives the private address for reporting errors, or says that there is none."""
TAGS_MARKER = "<!-- claimsite:tags -->"
"""Where a page lists the tag vocabulary (`tags.yaml`)."""
RATINGS_MARKER = "<!-- claimsite:ratings -->"
"""Where the methodology page publishes the numeric rating of each verdict (the JSON-LD's `reviewRating`)."""


def _table(t: Messages, headings: Iterable[str], rows: Iterable[str]) -> str:
    names = [md(t(h)) for h in headings]
    return "\n".join([f"| {' | '.join(names)} |", "|" + "---|" * len(names), *rows]) + "\n"


def render_rule_list(rules: RuleConfig, t: Messages) -> str:
    """Every rule of the registry as a table: id, what it looks at, severity here, the rule."""
    rows = []
    for rule in RULES.values():
        severity = rules.severity(rule)
        shown = t("off in this project") if severity is None else str(severity)
        if severity is not None and severity is not rule.severity:
            shown += " " + t("(default: {severity})", severity=str(rule.severity))
        rows.append(f"| `{rule.id}` | {md(t(SCOPE_LABELS[rule.scope]))} | {md(shown)} | {md(rule.doc)} |")
    return _table(t, (N_("Rule"), N_("Checks"), N_("Severity"), N_("What it enforces")), rows)


def render_corrections(site: Site, page: str) -> str:
    """Every history entry marked as a correction, newest first, with its claim and note."""
    t = site.t
    entries = [(entry, cid) for cid, claim in site.claims.items() for entry in claim.history if entry.correction]
    if not entries:
        return md(t("No corrections have been published yet.")) + "\n"
    rows = []
    for entry, cid in sorted(entries, key=lambda e: (e[0].date.sort_key(), e[1]), reverse=True):
        target = md_link(site.claims[cid].title, "/".join([".."] * page.count("/") + [site.claim_path(cid)]))
        rows.append(f"| {md(t.date(entry.date))} | {target} | {md(entry.note or '')} |")
    return _table(t, (N_("Date"), N_("Claim"), N_("What was corrected")), rows)


def render_rating_table(t: Messages) -> str:
    """The ClaimReview rating of each status (claimsite.outputs.jsonld), as the JSON-LD writes it."""
    rows = [f"| {md(t(STATUS_LABELS[status]))} | `{status}` | {value} |" for status, value in rating_rows()]
    rows.append(f"| {md(t(STATUS_LABELS[Status.ALLEGED]))} | `{Status.ALLEGED}` | {md(t('no rating'))} |")
    return _table(t, (N_("Status"), N_("In the data"), N_("Rating")), rows)


def render_contact(options: RenderOptions, t: Messages) -> str:
    """The private channel for reporting errors, or an honest statement that none is configured."""
    if options.contact_email:
        address = f'<a href="mailto:{attr(options.contact_email)}">{md(options.contact_email)}</a>'
        message = t(
            "Write to {address}. Reports sent there are not published, and the name of the person who "
            "reports an error is never published without consent."
        )
        return compose(md, message, address=address) + "\n"
    message = t(
        "{none} (the {option} option in {file} is not set). Until it has one, the only channel is a "
        "public GitHub issue or pull request, which shows the reporter's account name."
    )
    none = "**" + md(t("This site has no private address for error reports yet")) + "**"
    return compose(md, message, none=none, option="`contact_email`", file="`mkdocs.yml`") + "\n"


def render_tag_vocabulary(tags: dict[str, str], t: Messages) -> str:
    """The tag vocabulary as a table, or a sentence saying the project has none."""
    if not tags:
        message = t("This project defines no tag vocabulary ({file} in the claims folder); any tag is accepted.")
        return compose(md, message, file="`tags.yaml`") + "\n"
    rows = [f"| `{name}` | {md(definition)} |" for name, definition in sorted(tags.items())]
    return _table(t, (N_("Tag"), N_("What it covers")), rows)


def fill_markers(markdown: str, page: str, site: Site | None, rules: RuleConfig, options: RenderOptions) -> str:
    """A hand-written page with its generated parts filled in (rules, tags, corrections, contact)."""
    t = site.t if site is not None else messages(options.language)
    if RULES_MARKER in markdown:
        markdown = markdown.replace(RULES_MARKER, render_rule_list(rules, t))
    if CONTACT_MARKER in markdown:
        markdown = markdown.replace(CONTACT_MARKER, render_contact(options, t))
    if RATINGS_MARKER in markdown:
        markdown = markdown.replace(RATINGS_MARKER, render_rating_table(t))
    if site is not None and TAGS_MARKER in markdown:
        markdown = markdown.replace(TAGS_MARKER, render_tag_vocabulary(site.catalog.project.tags, t))
    if site is not None and CORRECTIONS_MARKER in markdown:
        markdown = markdown.replace(CORRECTIONS_MARKER, render_corrections(site, page))
    return markdown
