"""Checked model -> Markdown pages. Pure: data in, `{docs-relative path: Markdown}` out, no IO.

Every string from a claim file passes through `claimsite.text` before it reaches a page; front
matter is written by a YAML serializer, JSON-LD by a JSON serializer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import yaml

from claimsite.catalog import Catalog
from claimsite.model import Claim, Entity, PartialDate, Source
from claimsite.rules import RULES, SCOPE_LABELS, RuleConfig
from claimsite.text import attr, description, md, md_link, md_paragraphs, slug
from claimsite.vocab import (
    FLAG_LABELS,
    KIND_LABELS,
    PUBLISHED_LABELS,
    RATING,
    SOURCE_RELATION_LABELS,
    STATUS_DEFINITIONS,
    STATUS_LABELS,
    EntityKind,
    SourceRelation,
    Status,
    language_name,
    translation_note,
)


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

    permalink_directory_urls: bool | None = None
    """URL style of the public site, for permalinks; None means `use_directory_urls` (the offline copy
    is built with .html pages but cites the addresses of the public site)."""

    def page_url(self, path: str, *, public: bool = False) -> str:
        """Site-relative URL of a generated page (`claims/x.md` -> `claims/x/`)."""
        stem = path.removesuffix(".md")
        directory = self.use_directory_urls
        if public and self.permalink_directory_urls is not None:
            directory = self.permalink_directory_urls
        if stem.endswith("index"):
            return stem.removesuffix("index") if directory else f"{stem}.html"
        return f"{stem}/" if directory else f"{stem}.html"


# --------------------------------------------------------------------------- the site model


@dataclass
class Site:
    """The catalog plus what pages need to know about where the site lives; page paths."""

    catalog: Catalog
    options: RenderOptions = field(default_factory=RenderOptions)

    @property
    def claims(self) -> dict[str, Claim]:
        return self.catalog.claims

    @property
    def entities(self) -> dict[str, Entity]:
        return self.catalog.entities

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

    def edit_link(self, cid: str) -> str:
        loaded = self.catalog.loaded[cid]
        if self.options.edit_url:
            return md_link("Edit this claim", self.options.edit_url + loaded.source_path)
        return f"Edit this claim: `{attr(loaded.path)}` in the repository"


def rel(from_path: str, to_path: str) -> str:
    """Relative link between two docs-relative paths (MkDocs rewrites and validates it)."""
    up = from_path.count("/")
    return "../" * up + to_path


def front_matter(title: str, **meta: object) -> str:
    """YAML front matter written by the serializer; strings are HTML-escaped (themes do not escape)."""
    data: dict[str, object] = {"title": attr(title)}
    for key, value in meta.items():
        data[key] = attr(value) if isinstance(value, str) else value
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"


def badge(status: Status) -> str:
    return f'<span class="claim-badge claim-badge--{status}">{STATUS_LABELS[status]}</span>'


def format_date(value: PartialDate | str | None) -> str:
    """A publication date as readers see it; the two kinds of missing date say which they are."""
    if value is None:
        return "date not stated"
    return PUBLISHED_LABELS.get(str(value), str(value))


def claim_item(site: Site, page: str, cid: str, *, show_date: bool = False) -> str:
    """One list line linking to a claim, with its status label."""
    claim = site.claims[cid]
    date = f"{claim.date} — " if show_date and claim.date else ""
    return f"- {date}{badge(claim.status)} {md_link(claim.title, rel(page, site.claim_path(cid)))}"


def claim_list(site: Site, page: str, ids: Iterable[str], *, show_date: bool = False) -> str:
    lines = [claim_item(site, page, cid, show_date=show_date) for cid in ids]
    return "\n".join(lines) if lines else "*No claims.*"


def entity_link(site: Site, page: str, ref: str) -> str:
    entity = site.entities.get(ref)
    if entity is None:
        return md(ref)
    native = [n for lang, n in sorted(entity.names.items()) if n != entity.name]
    extra = f" ({md(' / '.join(native))})" if native else ""
    return md_link(entity.name, rel(page, f"entities/{ref}.md")) + extra


# --------------------------------------------------------------------------- claim page


def _publisher(site: Site, page: str, source: Source) -> str:
    """The publisher in bold (linked to its entity page when it is one), with what kind it is."""
    name = md(site.catalog.publisher_name(source))
    entity = site.catalog.publisher_entity(source)
    shown = md_link(site.catalog.publisher_name(source), rel(page, f"entities/{entity}.md")) if entity else name
    facts = site.catalog.publisher_facts(source)
    return f"**{shown}**" + (f" ({md(facts)})" if facts else "")


def _source_line(site: Site, page: str, source: Source) -> str:
    parts = [f'<span id="{source.id}"></span>{_publisher(site, page, source)}']
    if source.author:
        parts.append(md(source.author))
    parts.append(md_link(source.title, source.url))
    parts.append(md(format_date(source.published)))
    language = language_name(source.language)
    parts.append(f"{md(language)}, {md(KIND_LABELS[source.kind])}, *{md(SOURCE_RELATION_LABELS[source.relation])}*")
    line = " · ".join(parts)
    details = [f"    URL: <code>{attr(source.url)}</code>"]
    if source.archive_url:
        when = f" ({source.archive_date})" if source.archive_date else ""
        details.append(f"    {md_link('Archived copy', source.archive_url)}{md(when)}")
    if source.accessed:
        details.append(f"    Accessed {source.accessed}.")
    if source.origin:
        details.append(f"    Origin: `{source.origin}`")
    if source.quote:
        translated = f" — {md(source.quote_en)}" if source.quote_en else ""
        if source.quote_translated_from:
            translated += f" ({md(translation_note(source.quote_translated_from))})"
        details.append(f"    > “{md(source.quote)}”{translated}")
    elif source.quote_en:
        details.append(f"    > “{md(source.quote_en)}” (translation)")
    if source.note:
        details.append(f"    {md(source.note)}")
    return f"1. {line}\n\n" + "\n\n".join(details)


def json_ld(site: Site, cid: str) -> str:
    """schema.org Claim (alleged) or ClaimReview, serialized and made safe inside <script>."""
    claim = site.claims[cid]
    url_ = (site.options.site_url or "") + site.options.page_url(site.claim_path(cid), public=True)
    item: dict[str, object] = {
        "@type": "Claim",
        "name": claim.title,
        "text": claim.statement,
        "appearance": [
            {"@type": "CreativeWork", "url": s.url} for s in claim.sources if s.relation is SourceRelation.SUPPORTS
        ],
    }
    if claim.date:
        item["datePublished"] = str(claim.date)
    data: dict[str, object]
    if claim.status in RATING:
        data = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": url_,
            "claimReviewed": claim.title,
            "itemReviewed": item,
            "reviewRating": {
                "@type": "Rating",
                "ratingValue": RATING[claim.status],
                "bestRating": 5,
                "worstRating": 1,
                "alternateName": STATUS_LABELS[claim.status],
                "ratingExplanation": claim.status_reason,
            },
        }
    else:
        data = {"@context": "https://schema.org", **item, "url": url_}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    # Inside <script>, '<' could close the element; '&' and '>' are escaped for the same reason.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def render_claim(site: Site, cid: str) -> str:
    """The page of one claim."""
    claim = site.claims[cid]
    page = site.claim_path(cid)
    out = [front_matter(claim.title, description=description(claim.statement))]
    out.append(f"# {md(claim.title)}\n")
    flags = "".join(f' <span class="claim-flag">{FLAG_LABELS[f]}</span>' for f in claim.flags)
    status_link = md_link(f"What “{STATUS_LABELS[claim.status]}” means", rel(page, "methodology.md"))
    out.append(f"{badge(claim.status)}{flags} · confidence: {claim.confidence} · {status_link}\n")
    out.append(f"**Why this status:** {md(claim.status_reason)}\n")
    out.append(f"**Evidence:** {md(site.catalog.evidence[cid].line())}\n")
    if claim.basis:
        out.append(f"**Basis:** {md(', '.join(str(b) for b in claim.basis))}\n")
    successor = site.claims.get(claim.superseded_by or "")
    if successor is not None:
        link = md_link(successor.title, rel(page, site.claim_path(str(claim.superseded_by))))
        out.append(f'!!! warning "Superseded"\n    This claim has been replaced by {link}.\n')
    out.append("## Statement\n")
    out.append(md_paragraphs(claim.statement) + "\n")
    facts = []
    if claim.date:
        facts.append(f"- **Date:** {claim.date}")
    if claim.claimant:
        facts.append(f"- **Claimed by:** {entity_link(site, page, claim.claimant)}")
    if claim.people:
        facts.append("- **People:** " + ", ".join(entity_link(site, page, p) for p in claim.people))
    if claim.organisations:
        facts.append("- **Organisations:** " + ", ".join(entity_link(site, page, o) for o in claim.organisations))
    if claim.places:
        facts.append("- **Places:** " + ", ".join(md(p) for p in claim.places))
    if claim.tags:
        facts.append("- **Tags:** " + ", ".join(md_link(t, rel(page, f"tags/{t}.md")) for t in claim.tags))
    if facts:
        out.append("\n".join(facts) + "\n")
    out.append("## Sources { data-search-exclude }\n")
    out.append("\n\n".join(_source_line(site, page, s) for s in claim.sources) + "\n")
    if claim.responses:
        out.append("## Responses\n")
        for response in claim.responses:
            when = f" ({response.date})" if response.date else ""
            cites = ", ".join(f"[{s}](#{s})" for s in response.sources)
            cites = f" Source: {cites}." if cites else ""
            out.append(f"- **{entity_link(site, page, response.by)}**{md(when)}: {md(response.summary)}{cites}")
        out.append("")
    links = site.catalog.related(cid)
    if links:
        out.append("## Related claims { data-search-exclude }\n")
        for related in links:
            target = site.claims[related.claim_id]
            tail = f" — {md(related.note)}" if related.note else ""
            out.append(
                f"- *{md(related.label)}*: {badge(target.status)} "
                f"{md_link(target.title, rel(page, site.claim_path(related.claim_id)))}{tail}"
            )
        out.append("")
    out.append("## Status history { data-search-exclude }\n")
    out.append("| Date | Status | Note |\n|---|---|---|")
    for entry in claim.history:
        out.append(f"| {entry.date} | {STATUS_LABELS[entry.status]} | {md(entry.note or '')} |")
    out.append("")
    out.append("## Cite this claim { data-search-exclude }\n")
    permalink = (site.options.site_url or "") + site.options.page_url(page, public=True)
    if site.options.site_url:
        out.append(f"Permalink: <{attr(permalink)}> · claim id `{cid}`\n")
    else:
        out.append(f"Permalink: {md_link(permalink, rel(page, page))} · claim id `{cid}`\n")
    out.append(site.edit_link(cid) + "\n")
    out.append(json_ld(site, cid) + "\n")
    return "\n".join(out)


# --------------------------------------------------------------------------- index pages


def _index_meta(title: str) -> str:
    fm = front_matter(title, search={"exclude": True}, hide=["toc"])
    return fm + f"# {md(title)}\n\n"


def render_claims_index(site: Site) -> str:
    page = "claims/index.md"
    text = _index_meta("All claims")
    text += f"{len(site.claims)} claims, by title.\n\n"
    return text + claim_list(site, page, site.catalog.by_title) + "\n"


def render_status_index(site: Site) -> str:
    page = "status/index.md"
    text = _index_meta("Claims by status")
    by_status = site.catalog.by_status
    for status in Status:
        link = md_link(STATUS_LABELS[status], rel(page, f"status/{status}.md"))
        text += f"- {badge(status)} {link}: {len(by_status[status])} claims — {md(STATUS_DEFINITIONS[status])}\n"
    return text


def render_status_page(site: Site, status: Status, ids: list[str]) -> str:
    page = f"status/{status}.md"
    text = _index_meta(f"{STATUS_LABELS[status]} claims")
    text += f"{md(STATUS_DEFINITIONS[status])} {md_link('Methodology', rel(page, 'methodology.md'))}.\n\n"
    return text + claim_list(site, page, site.catalog.newest_first(ids), show_date=True) + "\n"


def render_entities_index(site: Site) -> str:
    page = "entities/index.md"
    text = _index_meta("People and organisations")
    for kind, heading in ((EntityKind.PERSON, "People"), (EntityKind.ORGANISATION, "Organisations")):
        text += f"## {heading}\n\n"
        ids = site.catalog.ids_of_kind(kind)
        for eid in ids:
            count = len(site.catalog.by_entity.get(eid, []))
            text += f"- {entity_link(site, page, eid)} — {md(site.entities[eid].role)} ({count} claims)\n"
        text += "\n" if ids else "*None yet.*\n\n"
    return text


def render_entity(site: Site, eid: str) -> str:
    entity = site.entities[eid]
    page = f"entities/{eid}.md"
    text = front_matter(entity.name, description=entity.role) + f"# {md(entity.name)}\n\n"
    text += f"{md(entity.role)}\n\n"
    if entity.names:
        text += (
            "**Names:** "
            + "; ".join(f"{md(n)} ({md(language_name(lang))})" for lang, n in sorted(entity.names.items()))
            + "\n\n"
        )
    if entity.aliases:
        text += "**Also written as:** " + ", ".join(md(a) for a in entity.aliases) + "\n\n"
    if entity.sources:
        text += "## Sources for this entry { data-search-exclude }\n\n"
        for ref in entity.sources:
            pub = f"**{md(ref.publisher)}** · " if ref.publisher else ""
            when = f" · {ref.published}" if ref.published else ""
            text += f"1. {pub}{md_link(ref.title, ref.url)}{when}\n"
        text += "\n"
    text += "## Claims { data-search-exclude }\n\n"
    return text + claim_list(site, page, site.catalog.by_entity.get(eid, [])) + "\n"


def render_tags_index(site: Site) -> str:
    page = "tags/index.md"
    text = _index_meta("Tags")
    for tag, ids in site.catalog.by_tag.items():
        text += f"- {md_link(tag, rel(page, f'tags/{tag}.md'))} ({len(ids)})\n"
    return text if site.catalog.by_tag else text + "*No tags yet.*\n"


def render_tag(site: Site, tag: str) -> str:
    page = f"tags/{tag}.md"
    return _index_meta(f"Tag: {tag}") + claim_list(site, page, site.catalog.by_tag[tag]) + "\n"


def render_timeline(site: Site) -> str:
    page = "timeline.md"
    text = _index_meta("Timeline")
    for year, ids in site.catalog.by_year.items():
        if year is None:
            text += "\n## Date not stated\n\n" + claim_list(site, page, ids) + "\n"
            continue
        text += f"\n## {year}\n\n" + "".join(claim_item(site, page, cid, show_date=True) + "\n" for cid in ids)
    return text


def _documents_line(documents: int, citations: int) -> str:
    noun = "document" if documents == 1 else "documents"
    return f"{documents} {noun}, cited {'once' if citations == 1 else f'{citations} times'}"


def render_sources_index(site: Site) -> str:
    page = "sources/index.md"
    text = _index_meta("Sources by publisher")
    text += f"{md(site.catalog.counts.sources_line())}, from {len(site.catalog.publishers)} publishers.\n\n"
    for key, publisher in site.catalog.publishers.items():
        counts = _documents_line(len(publisher.documents), publisher.citations)
        text += f"- {md_link(publisher.name, rel(page, site.publisher_pages[key]))} ({counts})\n"
    return text


def render_publisher(site: Site, key: str) -> str:
    publisher = site.catalog.publishers[key]
    page = site.publisher_pages[key]
    text = _index_meta(f"Sources: {publisher.name}")
    if publisher.entity_id:
        entity = site.entities[publisher.entity_id]
        facts = site.catalog.publisher_facts(publisher.documents[0].first)
        about = md_link(entity.name, rel(page, f"entities/{publisher.entity_id}.md"))
        text += f"{about}: {md(entity.role)}" + (f" ({md(facts)})" if facts else "") + "\n\n"
    text += _documents_line(len(publisher.documents), publisher.citations) + ".\n\n"
    for document in publisher.documents:
        source = document.first
        published = format_date(source.published) if source.published else ""
        when = f"{md(published)} · " if published else ""
        cited = ", ".join(
            md_link(site.claims[cid].title, rel(page, site.claim_path(cid))) for cid in document.claim_ids
        )
        text += f"- {when}{md_link(source.title, source.url)} — cited in {cited}\n"
    return text


def render_home_summary(site: Site, latest: int = 10) -> str:
    """Counts by status and the latest status decisions, appended to the hand-written home page."""
    page = "index.md"
    counts = site.catalog.counts
    text = f"\n\n## The claims in numbers\n\n{counts.claims} claims; {md(counts.sources_line())}; "
    text += f"{counts.entities} people and organisations.\n\n| Status | Claims |\n|---|---|\n"
    for status in Status:
        text += f"| [{badge(status)}]({rel(page, f'status/{status}.md')}) | {counts.by_status[status]} |\n"
    recent = site.catalog.recently_changed
    if recent:
        text += "\n## Latest changes\n\n"
        for cid in recent[:latest]:
            entry = site.claims[cid].history[-1]
            text += f"- {entry.date}: {claim_item(site, page, cid)[2:]}\n"
    links = [
        md_link("All claims", "claims/index.md"),
        md_link("Timeline", "timeline.md"),
        md_link("People and organisations", "entities/index.md"),
        md_link("Tags", "tags/index.md"),
        md_link("Sources", "sources/index.md"),
    ]
    if site.options.pdf_path:
        links.append(md_link("PDF edition", site.options.pdf_path))
    if site.options.offline_zip_path:
        links.append(md_link("Offline copy (zip)", site.options.offline_zip_path))
    return text + "\n" + " · ".join(links) + "\n"


def download_line(page: str, pdf_path: str) -> str:
    """The PDF download link appended to every page of a site built with the PDF edition."""
    return f"\n\n{md_link('Download the PDF edition', rel(page, pdf_path))}{{ .claimsite-download }}\n"


def render_redirects(site: Site) -> dict[str, str]:
    """Site-relative HTML files that send a claim's former addresses to its current page."""
    pages: dict[str, str] = {}
    for cid, claim in site.claims.items():
        for old in claim.renamed_from:
            if site.options.use_directory_urls:
                path, target = f"claims/{old}/index.html", f"../{cid}/"
            else:
                path, target = f"claims/{old}.html", f"{cid}.html"
            title = attr(claim.title)
            pages[path] = (
                '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f"<title>Moved: {title}</title>\n"
                f'<meta http-equiv="refresh" content="0; url={target}">\n'
                f'<link rel="canonical" href="{target}">\n<meta name="robots" content="noindex">\n'
                f'</head>\n<body>\n<p>This claim moved to <a href="{target}">{title}</a>.</p>\n</body>\n</html>\n'
            )
    return pages


def render_site(site: Site) -> dict[str, str]:
    """Every generated page, keyed by docs-relative path, in a stable order."""
    pages: dict[str, str] = {}
    renderers: list[tuple[str, Callable[[], str]]] = [
        ("claims/index.md", lambda: render_claims_index(site)),
        ("status/index.md", lambda: render_status_index(site)),
        ("entities/index.md", lambda: render_entities_index(site)),
        ("tags/index.md", lambda: render_tags_index(site)),
        ("timeline.md", lambda: render_timeline(site)),
        ("sources/index.md", lambda: render_sources_index(site)),
    ]
    for path, renderer in renderers:
        pages[path] = renderer()
    for status, ids in site.catalog.by_status.items():
        pages[f"status/{status}.md"] = render_status_page(site, status, ids)
    for eid in site.entities:
        pages[f"entities/{eid}.md"] = render_entity(site, eid)
    for tag in site.catalog.by_tag:
        pages[f"tags/{tag}.md"] = render_tag(site, tag)
    for key, path in site.publisher_pages.items():
        pages[path] = render_publisher(site, key)
    for cid in site.claims:
        pages[site.claim_path(cid)] = render_claim(site, cid)
    return pages


RULES_MARKER = "<!-- claimsite:rules -->"
"""Where the methodology page lists the rules the checker enforces (replaced at build time)."""


def render_rule_list(rules: RuleConfig) -> str:
    """Every rule of the registry as a table: id, what it looks at, severity here, the rule."""
    rows = ["| Rule | Checks | Severity | What it enforces |", "|---|---|---|---|"]
    for rule in RULES.values():
        severity = rules.severity(rule)
        shown = "off in this project" if severity is None else str(severity)
        if severity is not None and severity is not rule.severity:
            shown += f" (default: {rule.severity})"
        rows.append(f"| `{rule.id}` | {SCOPE_LABELS[rule.scope]} | {shown} | {md(rule.doc)} |")
    return "\n".join(rows) + "\n"


CORRECTIONS_MARKER = "<!-- claimsite:corrections -->"
"""Where a page lists the corrections log: history entries marked `correction: true`."""
CONTACT_MARKER = "<!-- claimsite:contact -->"
"""Where a page gives the private address for reporting errors, or says that there is none."""
TAGS_MARKER = "<!-- claimsite:tags -->"
"""Where a page lists the tag vocabulary (`tags.yaml`)."""


def render_corrections(site: Site, page: str) -> str:
    """Every history entry marked as a correction, newest first, with its claim and note."""
    entries = [(entry, cid) for cid, claim in site.claims.items() for entry in claim.history if entry.correction]
    if not entries:
        return "No corrections have been published yet.\n"
    rows = ["| Date | Claim | What was corrected |", "|---|---|---|"]
    for entry, cid in sorted(entries, key=lambda e: (e[0].date.sort_key(), e[1]), reverse=True):
        link = md_link(site.claims[cid].title, rel(page, site.claim_path(cid)))
        rows.append(f"| {entry.date} | {link} | {md(entry.note or '')} |")
    return "\n".join(rows) + "\n"


def render_contact(options: RenderOptions) -> str:
    """The private channel for reporting errors, or an honest statement that none is configured."""
    if options.contact_email:
        address = attr(options.contact_email)
        return (
            f'Write to <a href="mailto:{address}">{md(options.contact_email)}</a>. Reports sent there are not '
            "published, and the name of the person who reports an error is never published without consent.\n"
        )
    return (
        "**This site has no private address for error reports yet** (the `contact_email` option in "
        "`mkdocs.yml` is not set). Until it has one, the only channel is a public GitHub issue or pull request, "
        "which shows the reporter's account name.\n"
    )


def render_tag_vocabulary(tags: dict[str, str]) -> str:
    """The tag vocabulary as a table, or a sentence saying the project has none."""
    if not tags:
        return "This project defines no tag vocabulary (`tags.yaml` in the claims folder); any tag is accepted.\n"
    rows = ["| Tag | What it covers |", "|---|---|"]
    rows += [f"| `{tag}` | {md(definition)} |" for tag, definition in sorted(tags.items())]
    return "\n".join(rows) + "\n"


def fill_markers(markdown: str, page: str, site: Site | None, rules: RuleConfig, options: RenderOptions) -> str:
    """A hand-written page with its generated parts filled in (rules, tags, corrections, contact)."""
    if RULES_MARKER in markdown:
        markdown = markdown.replace(RULES_MARKER, render_rule_list(rules))
    if CONTACT_MARKER in markdown:
        markdown = markdown.replace(CONTACT_MARKER, render_contact(options))
    if site is not None and TAGS_MARKER in markdown:
        markdown = markdown.replace(TAGS_MARKER, render_tag_vocabulary(site.catalog.project.tags))
    if site is not None and CORRECTIONS_MARKER in markdown:
        markdown = markdown.replace(CORRECTIONS_MARKER, render_corrections(site, page))
    return markdown
