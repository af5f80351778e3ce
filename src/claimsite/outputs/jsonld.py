"""schema.org JSON-LD for a claim page: a `ClaimReview` of the claim when its status is a verdict, else
the `Claim` alone. Pure: catalog and claim id in, a dict out; the page writes it into its `<script>`
(`claimsite.render.json_ld`, which escapes it for that place).

What consumers of fact-check data read (Google's Fact Check Explorer, Duke's Fact-Check Insights, Data
Commons: reviewer, review date, review URL, rating, claim author, claim date) is filled from the data:

- `ClaimReview.datePublished` is the date of the review: the history entry that set the current
  status, not the date of the event the claim is about;
- `author` of the review is the publishing organisation (plugin option `publisher`), else the site
  itself (`site_name`, `site_url`);
- `reviewRating` uses the fixed mapping `vocab.RATING` published on the methodology page
  (`rating_table`), with the status label as `alternateName`;
- `itemReviewed` is the `Claim`: its `author` is the claimant (the entity's page and aliases when the
  claimant is a known person or organisation), `appearance` one `CreativeWork` per supporting source
  (with `archivedAt` for its archived copy), `firstAppearance` the earliest of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from claimsite.catalog import Catalog
from claimsite.model import Claim, PartialDate, Source
from claimsite.text import description
from claimsite.vocab import RATING, STATUS_LABELS, EntityKind, SourceRelation, Status

CONTEXT = "https://schema.org"
BEST_RATING = max(RATING.values())
WORST_RATING = min(RATING.values())

PageUrl = Callable[[str], str]
"""A generated page's docs path (`claims/x.md`, `entities/y.md`) -> its absolute (public) URL."""


@dataclass(frozen=True)
class Organisation:
    """Who publishes the site's reviews (plugin option `publisher: {name, url}`)."""

    name: str
    url: str | None = None

    def as_jsonld(self) -> dict[str, object]:
        node: dict[str, object] = {"@type": "Organization", "name": self.name}
        if self.url:
            node["url"] = self.url
        return node


def review_date(claim: Claim) -> PartialDate:
    """The date of the history entry that set the current status: the first of the last run of entries
    with that status (a later note that keeps the status is not a new review)."""
    entries = claim.history
    i = len(entries) - 1
    while i > 0 and entries[i - 1].status is entries[i].status:
        i -= 1
    return entries[i].date


def claimant_entity(catalog: Catalog, claim: Claim) -> str | None:
    """The entity the claimant names: its id, or an organisation's name or alias written in words (as
    the catalog resolves publishers)."""
    ref = claim.claimant
    if ref is None:
        return None
    if ref in catalog.entities:
        return ref
    found = catalog.links.entity(ref)
    return found if found in catalog.entities else None


def party(catalog: Catalog, ref: str, page_url: PageUrl) -> dict[str, object]:
    """A person or organisation: the entity with its page, other names and aliases; free text as a
    name only (no `@type`: whether free text names a person or an organisation is not known)."""
    entity = catalog.entities.get(ref)
    if entity is None:
        return {"name": ref}
    node: dict[str, object] = {
        "@type": "Person" if entity.kind is EntityKind.PERSON else "Organization",
        "name": entity.name,
        "url": page_url(f"entities/{ref}.md"),
    }
    alternate = list(dict.fromkeys(n for n in [*(entity.names[k] for k in sorted(entity.names)), *entity.aliases]))
    alternate = [n for n in alternate if n != entity.name]
    if alternate:
        node["alternateName"] = alternate
    return node


def _known_date(value: PartialDate | str | None) -> str | None:
    """A source's `published` as an ISO date, or None for `undated` and `unknown`."""
    return str(value) if isinstance(value, PartialDate) else None


def appearance(catalog: Catalog, source: Source, page_url: PageUrl) -> dict[str, object]:
    """A supporting source as a schema.org CreativeWork, identified by its address (`@id`)."""
    work: dict[str, object] = {"@id": source.url, "@type": "CreativeWork", "url": source.url, "name": source.title}
    published = _known_date(source.published)
    if published:
        work["datePublished"] = published
    entity = catalog.publisher_entity(source)
    if entity is not None:
        work["publisher"] = {"@type": "Organization", "name": catalog.entities[entity].name}
    elif source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.author:
        work["author"] = {"name": source.author}
    if source.archive_url:
        work["archivedAt"] = source.archive_url
    return work


def claim_node(catalog: Catalog, cid: str, page_url: PageUrl) -> dict[str, object]:
    """The `Claim` itself: what was claimed, by whom, when, and where it appeared."""
    claim = catalog.claims[cid]
    # `text` is the statement's opening, as in the page's description: the whole statement is on the page
    # and in the data export, and the page budget (40 KB) has no room for it twice.
    node: dict[str, object] = {"@type": "Claim", "name": claim.title, "text": description(claim.statement)}
    if claim.claimant:
        node["author"] = party(catalog, claimant_entity(catalog, claim) or claim.claimant, page_url)
    if claim.date:
        node["datePublished"] = str(claim.date)
    supporting = [s for s in claim.sources if s.relation is SourceRelation.SUPPORTS]
    works = [appearance(catalog, s, page_url) for s in supporting]
    if works:
        node["appearance"] = works
        dated = [(p.sort_key(), i) for i, s in enumerate(supporting) if isinstance(p := s.published, PartialDate)]
        first = works[min(dated)[1] if dated else 0]
        node["firstAppearance"] = {"@id": first["@id"]}  # the same node as in `appearance`
    return node


def claim_jsonld(
    catalog: Catalog,
    cid: str,
    page_url: PageUrl,
    publisher: Organisation | None,
    translate: Callable[[str], str] = str,
) -> dict[str, object]:
    """The JSON-LD of a claim page: a ClaimReview for verdict-like statuses (`vocab.RATING`), else the
    Claim. `publisher` is the review's author; `translate` gives the status label's language."""
    claim = catalog.claims[cid]
    url = page_url(f"claims/{cid}.md")
    item = claim_node(catalog, cid, page_url)
    if claim.status not in RATING:
        return {"@context": CONTEXT, **item, "url": url}
    review: dict[str, object] = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.title,
        "datePublished": str(review_date(claim)),
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING[claim.status],
            "bestRating": BEST_RATING,
            "worstRating": WORST_RATING,
            "alternateName": translate(STATUS_LABELS[claim.status]),
            "ratingExplanation": claim.status_reason,
        },
    }
    if publisher is not None:
        review["author"] = publisher.as_jsonld()
    return review


def rating_rows() -> list[tuple[Status, int]]:
    """The published mapping, best first; `alleged` has no rating (it is not a verdict)."""
    return sorted(RATING.items(), key=lambda item: -item[1])
