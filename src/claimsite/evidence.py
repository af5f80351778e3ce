"""What the evidence of a claim amounts to, computed the same way for the rules and every output.

- Documents: a URL cited by several claims is one document. `document_key` is the normal form in
  which URLs are compared (the raw URL is still what pages show).
- Independence: `origin_groups` counts the independent origins among a claim's sources. Sources
  that share an `origin`, or whose publishers are the same or linked organisations
  (`successor_of`, `same_owner_as`), are one origin; a source with no `origin` counts as its own.

Pure functions on small records, so the checker can run them on the compact facts its worker
processes send back as well as the catalog on full claims.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from claimsite.vocab import PRIMARY_KINDS, SourceKind, SourceRelation

# --------------------------------------------------------------------------- documents

TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "ref_src"}
)
"""Query parameters that say who sent the reader, not which document it is (with every `utm_*`)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered.startswith("utm_") or lowered in TRACKING_PARAMETERS


def document_key(url: str) -> str:
    """The normal form in which URLs are compared: scheme and host lower-case, default port,
    fragment and tracking parameters dropped, no trailing slash. Not a URL to show or follow."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # an unparsable port: compare the text as written
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        host = f"{userinfo}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)])
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, host, path, query, ""))


# --------------------------------------------------------------------------- publishers


class PublisherLinks:
    """Which publishers are one: the same organisation entity, organisations linked by
    `successor_of` or `same_owner_as`, or the same name written in words."""

    def __init__(self, links: Mapping[str, Iterable[str]], names: Mapping[str, Iterable[str]] | None = None) -> None:
        """`links`: organisation id -> ids it is linked to; `names`: organisation id -> its names and
        aliases (a free-text publisher spelt like one of them is that organisation)."""
        self._parent: dict[str, str] = {}
        for org, others in links.items():
            for other in others:
                self._union(org, other)
        self._by_name: dict[str, str] = {}
        for org, spellings in (names or {}).items():
            for spelling in spellings:
                self._by_name.setdefault(_fold(spelling), org)

    def _find(self, key: str) -> str:
        root = key
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        while key != root:  # path compression
            self._parent[key], key = root, self._parent[key]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def entity(self, publisher: str) -> str | None:
        """The organisation id a publisher names: its id, or a name or alias written in words."""
        if publisher in self._parent or _ID_RE.fullmatch(publisher):
            return publisher
        return self._by_name.get(_fold(publisher))

    def key(self, publisher: str | None) -> str | None:
        """The same key for publishers that are one; None when no publisher is given."""
        if publisher is None:
            return None
        entity = self.entity(publisher)
        return "org:" + self._find(entity) if entity is not None else "name:" + _fold(publisher)


_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NO_LINKS = PublisherLinks({})


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


# --------------------------------------------------------------------------- independence


class SourceFacts(Protocol):
    """What independence depends on; `claimsite.model.Source` has these fields."""

    @property
    def id(self) -> str: ...
    @property
    def relation(self) -> SourceRelation: ...
    @property
    def kind(self) -> SourceKind: ...
    @property
    def origin(self) -> str | None: ...
    @property
    def publisher(self) -> str | None: ...


@dataclass(frozen=True)
class OriginGroup:
    """Sources that are one piece of evidence."""

    origins: tuple[str, ...]
    """The `origin` ids the group's sources name (several when a shared publisher joins them)."""
    source_ids: tuple[str, ...]
    """The sources in the group, in the claim's order."""
    publishers: tuple[str, ...] = ()
    """The publishers of sources without origin (for the label)."""

    @property
    def label(self) -> str:
        """How the group is named on pages: its origins, else its publishers, else its source."""
        if self.origins:
            return " + ".join(self.origins)
        if self.publishers:
            return " + ".join(self.publishers)
        return "source " + ", ".join(self.source_ids)


def origin_groups(sources: Sequence[SourceFacts], links: PublisherLinks = NO_LINKS) -> list[OriginGroup]:
    """The independent origins among `sources`, in order of first appearance."""
    parent = list(range(len(sources)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_by_key: dict[str, int] = {}
    for index, source in enumerate(sources):
        keys = [f"origin:{source.origin}"] if source.origin else []
        publisher = links.key(source.publisher)
        if publisher is not None:
            keys.append(publisher)
        for key in keys:
            if key in first_by_key:
                a, b = find(first_by_key[key]), find(index)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first_by_key[key] = index
    members: dict[int, list[int]] = {}
    for index in range(len(sources)):
        members.setdefault(find(index), []).append(index)
    groups = []
    for indexes in members.values():
        chosen = [sources[i] for i in indexes]
        origins = tuple(dict.fromkeys(s.origin for s in chosen if s.origin))
        publishers = tuple(dict.fromkeys(s.publisher for s in chosen if s.publisher and not s.origin))
        groups.append(OriginGroup(origins, tuple(s.id for s in chosen), publishers if not origins else ()))
    return groups


@dataclass(frozen=True)
class Evidence:
    """The evidence of one claim: its supporting and contradicting origins."""

    supporting: tuple[OriginGroup, ...]
    contradicting: tuple[OriginGroup, ...]
    """Contradicting sources grouped together with the supporting ones: a group listed here
    contains no supporting source (it is independent of every supporting origin)."""
    primary_support: tuple[str, ...]
    """Ids of supporting sources of a primary kind (`PRIMARY_KINDS`)."""
    without_origin: tuple[str, ...]
    """Ids of supporting or contradicting sources that name no `origin`."""
    sources: int
    """How many sources the claim cites (all relations)."""

    @property
    def supporting_sources(self) -> int:
        return sum(len(group.source_ids) for group in self.supporting)

    def line(self) -> str:
        """'6 supporting sources from 2 independent origins: bypol-recording (4), x (2)'."""
        count = self.supporting_sources
        if not count:
            return "No supporting source."
        origins = len(self.supporting)
        noun = "source" if count == 1 else "sources"
        origin_noun = "origin" if origins == 1 else "independent origins"
        listed = ", ".join(f"{group.label} ({len(group.source_ids)})" for group in self.supporting)
        return f"{count} supporting {noun} from {origins} {origin_noun}: {listed}."


def evidence_of(sources: Sequence[SourceFacts], links: PublisherLinks = NO_LINKS) -> Evidence:
    """The evidence of a claim with these sources."""
    weighed = [s for s in sources if s.relation in (SourceRelation.SUPPORTS, SourceRelation.CONTRADICTS)]
    supporting_ids = {s.id for s in weighed if s.relation is SourceRelation.SUPPORTS}
    groups = origin_groups(weighed, links)
    supporting = origin_groups([s for s in weighed if s.relation is SourceRelation.SUPPORTS], links)
    contradicting = tuple(g for g in groups if not supporting_ids.intersection(g.source_ids))
    return Evidence(
        supporting=tuple(supporting),
        contradicting=contradicting,
        primary_support=tuple(s.id for s in weighed if s.id in supporting_ids and s.kind in PRIMARY_KINDS),
        without_origin=tuple(s.id for s in weighed if not s.origin),
        sources=len(sources),
    )
