"""Checked model -> Markdown pages. Pure: data in, `{docs-relative path: Markdown}` out, no IO.

Every string from a claim file passes through `claimsite.text` before it reaches a page; front
matter is written by a YAML serializer, JSON-LD by a JSON serializer.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import yaml

from claimsite.model import (
    STATUS_DEFINITIONS,
    STATUS_LABELS,
    Claim,
    Entity,
    EntityKind,
    PartialDate,
    Source,
    Status,
)
from claimsite.project import Project
from claimsite.text import attr, md, md_link, md_paragraphs, slug

LANGUAGE_NAMES = {
    "en": "English",
    "be": "Belarusian",
    "ru": "Russian",
    "uk": "Ukrainian",
    "pl": "Polish",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "et": "Estonian",
    "de": "German",
    "fr": "French",
    "cs": "Czech",
    "sk": "Slovak",
    "it": "Italian",
    "es": "Spanish",
    "sv": "Swedish",
    "nl": "Dutch",
    "ka": "Georgian",
}
"""Display names; any other code is shown as written."""

RELATION_LABELS = {
    "depends-on": "Depends on",
    "supports": "Supports",
    "contradicts": "Contradicts",
    "context": "Context for",
    "same-event": "Same event as",
    "part-of": "Part of",
}
INVERSE_LABELS = {
    "depends-on": "Is a premise of",
    "supports": "Supported by",
    "contradicts": "Contradicted by",
    "context": "Has context in",
    "same-event": "Same event as",
    "part-of": "Includes",
}
"""How a `related` link reads on the page of the claim it points to."""

FLAG_LABELS = {"under_review": "Under review", "superseded": "Superseded", "retracted": "Retracted"}

RATING = {Status.CONFIRMED: 5, Status.CORROBORATED: 4, Status.DISPUTED: 3, Status.MISLEADING: 2, Status.FALSE: 1}
"""ClaimReview ratings; `alleged` gets no rating (a rating would misstate 'not yet verified')."""


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
    """The checked project plus the lookups every page needs, computed once."""

    project: Project
    options: RenderOptions = field(default_factory=RenderOptions)

    @cached_property
    def claims(self) -> dict[str, Claim]:
        return {cid: self.project.claims[cid].data for cid in sorted(self.project.claims)}

    @cached_property
    def entities(self) -> dict[str, Entity]:
        return {eid: self.project.entities[eid].data for eid in sorted(self.project.entities)}

    @cached_property
    def claims_by_entity(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for cid, claim in self.claims.items():
            refs = [*claim.people, *claim.organisations, claim.claimant or "", *(r.by for r in claim.responses)]
            for ref in dict.fromkeys(refs):
                if ref in self.entities:
                    found[ref].append(cid)
        return found

    @cached_property
    def claims_by_tag(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for cid, claim in self.claims.items():
            for tag in dict.fromkeys(claim.tags):
                found[tag].append(cid)
        return dict(sorted(found.items()))

    @cached_property
    def backlinks(self) -> dict[str, list[tuple[str, str]]]:
        """Claim id -> (other claim, relation) for every `related` entry pointing at it."""
        found: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for cid, claim in self.claims.items():
            for related in claim.related:
                found[related.claim].append((cid, str(related.relation)))
        return found

    @cached_property
    def publisher_pages(self) -> dict[str, str]:
        """Publisher name -> page path, with stable unique slugs."""
        pages: dict[str, str] = {}
        used: set[str] = set()
        names = sorted(
            {s.publisher or UNKNOWN_PUBLISHER for c in self.claims.values() for s in c.sources}, key=str.casefold
        )
        for name in names:
            base = slug(name) or "publisher-" + hashlib.sha1(name.encode()).hexdigest()[:8]
            candidate, n = base, 2
            while candidate in used or candidate == "index":
                candidate, n = f"{base}-{n}", n + 1
            used.add(candidate)
            pages[name] = f"sources/{candidate}.md"
        return pages

    def claim_path(self, cid: str) -> str:
        return f"claims/{cid}.md"

    def edit_link(self, cid: str) -> str:
        loaded = self.project.claims[cid]
        if self.options.edit_url:
            return md_link("Edit this claim", self.options.edit_url + loaded.source_path)
        return f"Edit this claim: `{attr(loaded.path)}` in the repository"


UNKNOWN_PUBLISHER = "Publisher not stated"


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
    if value is None:
        return "date not stated"
    return str(value)


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


def _source_line(source: Source) -> str:
    parts = [f'<span id="{source.id}"></span>**{md(source.publisher or UNKNOWN_PUBLISHER)}**']
    if source.author:
        parts.append(md(source.author))
    parts.append(md_link(source.title, source.url))
    parts.append(md(format_date(source.published)))
    language = LANGUAGE_NAMES.get(source.language, source.language)
    parts.append(f"{md(language)}, {md(str(source.kind))}, *{md(str(source.relation))}*")
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
        "appearance": [{"@type": "CreativeWork", "url": s.url} for s in claim.sources if s.relation == "supports"],
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
    out = [front_matter(claim.title, description=claim.statement[:200])]
    out.append(f"# {md(claim.title)}\n")
    flags = "".join(f' <span class="claim-flag">{FLAG_LABELS[str(f)]}</span>' for f in claim.flags)
    status_link = md_link(f"What “{STATUS_LABELS[claim.status]}” means", rel(page, "methodology.md"))
    out.append(f"{badge(claim.status)}{flags} · confidence: {claim.confidence} · {status_link}\n")
    out.append(f"**Why this status:** {md(claim.status_reason)}\n")
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
    out.append("\n\n".join(_source_line(s) for s in claim.sources) + "\n")
    if claim.responses:
        out.append("## Responses\n")
        for response in claim.responses:
            when = f" ({response.date})" if response.date else ""
            cites = ", ".join(f"[{s}](#{s})" for s in response.sources)
            cites = f" Source: {cites}." if cites else ""
            out.append(f"- **{entity_link(site, page, response.by)}**{md(when)}: {md(response.summary)}{cites}")
        out.append("")
    links = [(r.claim, RELATION_LABELS[r.relation], r.note) for r in claim.related]
    links += [(other, INVERSE_LABELS[relation], None) for other, relation in site.backlinks.get(cid, [])]
    links = [link for link in links if link[0] in site.claims]  # a claim that failed its check (serve)
    if links:
        out.append("## Related claims { data-search-exclude }\n")
        for other, relation, note in links:
            target = site.claims[other]
            tail = f" — {md(note)}" if note else ""
            out.append(
                f"- *{md(relation)}*: {badge(target.status)} "
                f"{md_link(target.title, rel(page, site.claim_path(other)))}{tail}"
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
    ordered = sorted(site.claims, key=lambda c: (site.claims[c].title.casefold(), c))
    return text + claim_list(site, page, ordered) + "\n"


def render_status_index(site: Site) -> str:
    page = "status/index.md"
    text = _index_meta("Claims by status")
    by_status = _by_status(site)
    for status in Status:
        link = md_link(STATUS_LABELS[status], rel(page, f"status/{status}.md"))
        text += f"- {badge(status)} {link}: {len(by_status[status])} claims — {md(STATUS_DEFINITIONS[status])}\n"
    return text


def _by_status(site: Site) -> dict[Status, list[str]]:
    groups: dict[Status, list[str]] = {s: [] for s in Status}
    for cid, claim in site.claims.items():
        groups[claim.status].append(cid)
    return groups


def render_status_page(site: Site, status: Status, ids: list[str]) -> str:
    page = f"status/{status}.md"
    text = _index_meta(f"{STATUS_LABELS[status]} claims")
    text += f"{md(STATUS_DEFINITIONS[status])} {md_link('Methodology', rel(page, 'methodology.md'))}.\n\n"
    ordered = sorted(ids, key=lambda c: (_date_key(site.claims[c]), c), reverse=True)
    return text + claim_list(site, page, ordered, show_date=True) + "\n"


def _date_key(claim: Claim) -> tuple[int, int, int]:
    return claim.date.sort_key() if claim.date else (0, 0, 0)


def render_entities_index(site: Site) -> str:
    page = "entities/index.md"
    text = _index_meta("People and organisations")
    for kind, heading in ((EntityKind.PERSON, "People"), (EntityKind.ORGANISATION, "Organisations")):
        text += f"## {heading}\n\n"
        ids = sorted(
            (e for e in site.entities if site.entities[e].kind is kind), key=lambda e: site.entities[e].name.casefold()
        )
        for eid in ids:
            count = len(site.claims_by_entity.get(eid, []))
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
            + "; ".join(f"{md(n)} ({md(LANGUAGE_NAMES.get(lang, lang))})" for lang, n in sorted(entity.names.items()))
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
    return text + claim_list(site, page, site.claims_by_entity.get(eid, [])) + "\n"


def render_tags_index(site: Site) -> str:
    page = "tags/index.md"
    text = _index_meta("Tags")
    for tag, ids in site.claims_by_tag.items():
        text += f"- {md_link(tag, rel(page, f'tags/{tag}.md'))} ({len(ids)})\n"
    return text if site.claims_by_tag else text + "*No tags yet.*\n"


def render_tag(site: Site, tag: str) -> str:
    page = f"tags/{tag}.md"
    return _index_meta(f"Tag: {tag}") + claim_list(site, page, site.claims_by_tag[tag]) + "\n"


def render_timeline(site: Site) -> str:
    page = "timeline.md"
    text = _index_meta("Timeline")
    dated = sorted((c for c in site.claims if site.claims[c].date), key=lambda c: (_date_key(site.claims[c]), c))
    year = None
    for cid in dated:
        claim_year = site.claims[cid].date.year  # type: ignore[union-attr]
        if claim_year != year:
            year = claim_year
            text += f"\n## {year}\n\n"
        text += claim_item(site, page, cid, show_date=True) + "\n"
    undated = [c for c in site.claims if not site.claims[c].date]
    if undated:
        text += "\n## Date not stated\n\n" + claim_list(site, page, undated) + "\n"
    return text


def render_sources_index(site: Site) -> str:
    page = "sources/index.md"
    text = _index_meta("Sources by publisher")
    counts: dict[str, int] = defaultdict(int)
    for claim in site.claims.values():
        for source in claim.sources:
            counts[source.publisher or UNKNOWN_PUBLISHER] += 1
    for name, path in site.publisher_pages.items():
        text += f"- {md_link(name, rel(page, path))} ({counts[name]} sources)\n"
    return text


def render_publisher(site: Site, name: str) -> str:
    page = site.publisher_pages[name]
    text = _index_meta(f"Sources: {name}")
    rows = []
    for cid, claim in site.claims.items():
        for source in claim.sources:
            if (source.publisher or UNKNOWN_PUBLISHER) == name:
                rows.append((str(source.published or ""), cid, source))
    for published, cid, source in sorted(rows, key=lambda r: (r[0], r[1], r[2].id)):
        claim_link = md_link(site.claims[cid].title, rel(page, site.claim_path(cid)))
        when = f"{md(published)} · " if published else ""
        text += f"- {when}{md_link(source.title, source.url)} — cited in {claim_link}\n"
    return text


def render_home_summary(site: Site, latest: int = 10) -> str:
    """Counts by status and the latest status decisions, appended to the hand-written home page."""
    page = "index.md"
    by_status = _by_status(site)
    sources = sum(len(c.sources) for c in site.claims.values())
    text = f"\n\n## The claims in numbers\n\n{len(site.claims)} claims, {sources} sources, "
    text += f"{len(site.entities)} people and organisations.\n\n| Status | Claims |\n|---|---|\n"
    for status in Status:
        text += f"| [{badge(status)}]({rel(page, f'status/{status}.md')}) | {len(by_status[status])} |\n"
    recent = sorted(site.claims, key=lambda c: (site.claims[c].history[-1].date.sort_key(), c), reverse=True)
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
    for status, ids in _by_status(site).items():
        pages[f"status/{status}.md"] = render_status_page(site, status, ids)
    for eid in site.entities:
        pages[f"entities/{eid}.md"] = render_entity(site, eid)
    for tag in site.claims_by_tag:
        pages[f"tags/{tag}.md"] = render_tag(site, tag)
    for name, path in site.publisher_pages.items():
        pages[path] = render_publisher(site, name)
    for cid in site.claims:
        pages[site.claim_path(cid)] = render_claim(site, cid)
    return pages
