"""`claimsite sources check`: every address of every source fetched once, judged, reported, and the
edits it suggests collected. Read-only for the claim files; it writes only the link state file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Awaitable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

from claimsite.linkcheck.classify import Page, Verdict, classify, needs_probe, probe_key, read_page, sibling_url
from claimsite.linkcheck.fetch import DEFAULT_SETTINGS, NETWORK_ERRORS, Fetched, Fetcher, FetchSettings
from claimsite.linkcheck.patch import Edit, scalar
from claimsite.linkstate import Entry, LinkState, observe
from claimsite.load import Loc, parse_file
from claimsite.model import PartialDate, Reference, Source
from claimsite.problems import Problem, Severity
from claimsite.project import Project
from claimsite.rules import Rule
from claimsite.rules.links import (
    ARCHIVE_NOT_WORKING,
    LINK_BLOCKED,
    LINK_DEAD,
    LINK_DEAD_ARCHIVED,
    LINK_DRIFTED,
    LINK_FAILING,
    LINK_MOVED_DOMAIN,
    LINK_PAYWALL,
    LINK_REDIRECT,
    LINK_UNREADABLE,
)
from claimsite.vocab import LINK_GONE as GONE
from claimsite.vocab import LinkStatus

WORKING = frozenset({LinkStatus.OK, LinkStatus.REDIRECT_PERMANENT, LinkStatus.MOVED_DOMAIN})
"""Statuses of an archived copy that readers can use (archives redirect as a matter of course)."""
SETTLED = frozenset({LinkStatus.REDIRECT_PERMANENT, LinkStatus.MOVED_DOMAIN, LinkStatus.PAYWALL, LinkStatus.DRIFTED})
"""Statuses a patch records as soon as one run finds them (dead and soft-404 wait for confirmation;
blocked says more about the checker's vantage point than about the source, so it is never recorded)."""
WAYBACK_API = "https://archive.org/wayback/available"
"""The Wayback Machine's availability API: the capture of an address nearest to a date."""
WAYBACK = re.compile(r"^https?://[^/]+/(?:[\w.-]+/)?(\d{4})(\d{2})(\d{2})\d{0,6}(?:[a-z]{2}_)?/(https?://.+)$")
"""An archived copy's address in the Wayback convention (`/web/20210115123456/https://...`), which the
Internet Archive, pywb, OpenWayback and most national web archives share: the capture's date and the
archived address."""


@dataclass(frozen=True)
class Citation:
    """One source (of a claim or an entity) with the addresses it gives and where they stand in its file."""

    path: str
    item: Loc
    """The source's place in the file: `("sources", 2)`."""
    source: Source | Reference
    marks: Mapping[str, tuple[int, int]]
    """Line and column of each field of the source, and of the source itself (key "")."""

    @property
    def label(self) -> str:
        return f"sources[{self.item[1]}]"

    @property
    def quote(self) -> str | None:
        return self.source.quote if isinstance(self.source, Source) else None

    @property
    def quotes(self) -> tuple[str, ...]:
        return (self.quote,) if self.quote else ()

    def has_field(self, name: str) -> bool:
        return name in type(self.source).model_fields

    def at(self, rule: Rule, name: str, message: str) -> Problem:
        line, col = self.marks.get(name) or self.marks[""]
        return rule.problem(self.path, line, col, message)


@dataclass
class Checked:
    """One address on this run: what came back, the sibling probe when one was made, the verdict."""

    fetched: Fetched
    verdict: Verdict
    """With every quote given for the address: what the state records."""
    probe: Fetched | None = None
    page: Page | None = None
    _verdicts: dict[tuple[str, ...], Verdict] = field(default_factory=dict, repr=False)

    def verdict_for(self, quotes: Sequence[str]) -> Verdict:
        """The verdict with one citation's quotes (another citation's quote may be the one missing)."""
        key = tuple(quotes)
        if key not in self._verdicts:
            self._verdicts[key] = classify(self.fetched, quotes, self.probe, self.page)
        return self._verdicts[key]


def _capture_key(source: Source | Reference) -> tuple[str, str]:
    published = getattr(source, "published", None)
    day = published.earliest().strftime("%Y%m%d") if isinstance(published, PartialDate) else ""
    return source.url, day


async def find_captures(
    citations: Sequence[Citation], fetcher: Fetcher, api: str = WAYBACK_API
) -> dict[tuple[str, str], Checked]:
    """For every source without an archived copy, the capture the availability API names nearest to
    its publication date, fetched and judged (only captures that answered 200 are asked for)."""
    wanted = {_capture_key(c.source) for c in citations if not c.source.archive_url}
    quotes: dict[tuple[str, str], list[str]] = defaultdict(list)
    for citation in citations:
        key = _capture_key(citation.source)
        quotes[key].extend(q for q in citation.quotes if not citation.source.archive_url and q not in quotes[key])

    async def one(key: tuple[str, str]) -> tuple[tuple[str, str], Checked | None]:
        url, day = key
        query = urlencode({"url": url, **({"timestamp": day} if day else {})})
        answer = await fetcher.probe(f"{api}?{query}")
        capture = _closest_capture(answer)
        if capture is None:
            return key, None
        fetched = await fetcher.fetch(capture)
        page = await read_page(fetched)
        fetched = replace(fetched, pdf=b"")  # the text is read: the bytes are let go
        return key, Checked(fetched, classify(fetched, quotes[key], None, page), None, page)

    found = await asyncio.gather(*(one(key) for key in sorted(wanted)))
    return {key: checked for key, checked in found if checked is not None}


def _closest_capture(answer: Fetched) -> str | None:
    """The capture's address from an availability API answer (`archived_snapshots.closest`), if any."""
    if answer.status != 200 or not answer.read:
        return None
    try:
        closest = json.loads(answer.html)["archived_snapshots"]["closest"]
    except (ValueError, KeyError, TypeError):
        return None
    if (
        not isinstance(closest, dict)
        or not closest.get("available")
        or not str(closest.get("status", "")).startswith("2")
    ):
        return None
    url = str(closest.get("url", ""))
    url = re.sub(r"^http://web\.archive\.org/", "https://web.archive.org/", url)
    return url if WAYBACK.match(url) else None


@dataclass
class LinkReport:
    """What one run found: problems, every address's result and state entry, the suggested edits."""

    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, Checked] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    captures: dict[tuple[str, str], Checked] = field(default_factory=dict)
    """With `find_archives`: the capture found for sources without an archived copy, by (url, day)."""
    recorded: bool = True
    """False when every address failed with a network error: the run says nothing about the sources."""
    skipped_files: list[str] = field(default_factory=list)
    """Files not checked because `claimsite check` refuses them."""

    def counts(self, archive: bool = False) -> Counter[LinkStatus]:
        """How many distinct addresses (or archived copies) have each status."""
        urls = {c.source.archive_url if archive else c.source.url for c in self.citations}
        return Counter(self.checked[url].verdict.status for url in urls if url and url in self.checked)

    def errors(self, *, strict: bool = False) -> list[Problem]:
        return [p for p in self.problems if strict or p.severity is Severity.ERROR]


def citations_of(project: Project) -> tuple[list[Citation], list[str]]:
    """Every source of every claim and entity that loaded, with positions; and the files refused.

    The files are read again (for positions, and later for the patch) at the paths the project shows,
    so it must have been loaded with the working folder as its base (the default)."""
    records: list[tuple[str, Sequence[Source | Reference]]] = [
        *((item.path, item.data.sources) for item in project.claims.values()),
        *((item.path, item.data.sources) for item in project.entities.values()),
    ]
    shown = {path for path, _ in records}
    refused = sorted({p.path for p in project.problems if p.severity is Severity.ERROR} - shown)
    citations = []
    for path, sources in sorted(records, key=lambda record: record[0]):
        doc = parse_file(Path(path), path)
        for index, source in enumerate(sources):
            loc: Loc = ("sources", index)
            marks = {name: doc.mark((*loc, name)) for name in type(source).model_fields if getattr(source, name)}
            marks[""] = doc.mark(loc)
            citations.append(Citation(path, loc, source, marks))
    return citations, refused


def _addresses(citations: Iterable[Citation]) -> dict[str, list[str]]:
    """Every address to fetch (once), with every quote given for it."""
    quotes: dict[str, list[str]] = defaultdict(list)
    for citation in citations:
        for url in (citation.source.url, citation.source.archive_url):
            if url:
                quotes[url].extend(q for q in citation.quotes if q not in quotes[url])
    return quotes


async def _bare(fetching: Awaitable[Fetched]) -> Fetched:
    """A probe's answer without its PDF bytes (a PDF is compared by its SHA-256)."""
    return replace(await fetching, pdf=b"")


async def check_addresses(
    addresses: Mapping[str, Sequence[str]], fetcher: Fetcher, rng: random.Random | None = None
) -> dict[str, Checked]:
    """Fetch every address (within the fetcher's limits) and judge it; one sibling probe per folder."""
    rng = rng or random.Random()
    probes: dict[str, asyncio.Task[Fetched]] = {}

    async def probe_for(url: str) -> Fetched | None:
        sibling = sibling_url(url, f"{rng.getrandbits(48):012x}")
        if sibling is None:
            return None
        key = probe_key(url)
        if key not in probes:
            probes[key] = asyncio.ensure_future(_bare(fetcher.probe(sibling)))
        return await probes[key]

    async def one(url: str, quotes: Sequence[str]) -> tuple[str, Checked]:
        fetched = await fetcher.fetch(url)
        page = await read_page(fetched)
        fetched = replace(fetched, pdf=b"")  # the text is read: the bytes are let go
        probe = await probe_for(url) if needs_probe(fetched, quotes, page) else None
        return url, Checked(fetched, classify(fetched, quotes, probe, page), probe, page)

    results = await asyncio.gather(*(one(url, quotes) for url, quotes in addresses.items()))
    return dict(results)


def _date(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if value is not None else "?"


def judge(citation: Citation, checked: Mapping[str, Checked], entries: Mapping[str, Entry]) -> list[Problem]:
    """The problems of one source: its address, then its archived copy."""
    source = citation.source
    url_result = checked.get(source.url)
    archive_result = checked.get(source.archive_url) if source.archive_url else None
    archive_verdict = archive_result.verdict_for(citation.quotes) if archive_result else None
    archive_works = (
        archive_verdict is not None
        and archive_verdict.status in WORKING
        and not archive_verdict.missing
        and not (archive_verdict.unreadable and citation.quotes)
    )
    problems: list[Problem | None] = []
    if url_result is not None:
        verdict = url_result.verdict_for(citation.quotes)
        problems.append(_address_problem(citation, verdict, url_result, entries.get(source.url), archive_works))
    if archive_verdict is not None:
        problems.append(_archive_problem(citation, archive_verdict, entries.get(source.archive_url or "")))
    return [problem for problem in problems if problem is not None]


def _archive_problem(citation: Citation, verdict: Verdict, entry: Entry | None) -> Problem | None:
    field_name = f"{citation.label}.archive_url"
    status, detail = verdict.status, verdict.detail
    if status in GONE and entry is not None and entry.confirmed:
        message = f"{field_name} is dead ({detail}; failing since {_date(entry.failing_since)}); archive the page again"
        return citation.at(ARCHIVE_NOT_WORKING, "archive_url", message)
    if status in GONE:
        return citation.at(LINK_FAILING, "archive_url", _failing(field_name, verdict, entry))
    if status is LinkStatus.BLOCKED:
        message = f"{field_name} refused the checker ({detail}); open it in a browser to verify it"
        return citation.at(LINK_BLOCKED, "archive_url", message)
    if verdict.unreadable and citation.quotes and status in WORKING:
        return citation.at(LINK_UNREADABLE, "archive_url", _unreadable(field_name, verdict))
    if status is LinkStatus.PAYWALL or verdict.missing:
        what = "shows a paywall" if status is LinkStatus.PAYWALL else "does not hold the quote"
        message = (
            f"the archived copy at {field_name} {what} (an error page or a bot shell?); "
            "archive the page again while it holds the quote"
        )
        return citation.at(ARCHIVE_NOT_WORKING, "archive_url", message)
    return None


def _unreadable(field_name: str, verdict: Verdict) -> str:
    return (
        f"{field_name} answers a PDF whose text could not be read ({verdict.unreadable}), so the quote was not "
        "checked; open the PDF and check the quote by hand"
    )


def _failing(field_name: str, verdict: Verdict, entry: Entry | None) -> str:
    when = f"a run from {_date(entry.dead_from)} on" if entry is not None else "a run a day later"
    failed = f"{field_name} failed on this run ({verdict.status}: {verdict.detail})"
    return f"{failed}; it is reported dead if {when} finds it failing too"


def _address_problem(
    citation: Citation, verdict: Verdict, result: Checked, entry: Entry | None, archive_works: bool
) -> Problem | None:
    source, field_name = citation.source, f"{citation.label}.url"
    status, detail, final = verdict.status, verdict.detail, result.fetched.final_url
    recorded = source.url_status
    if status in GONE:
        if entry is None or not entry.confirmed:
            return citation.at(LINK_FAILING, "url", _failing(field_name, verdict, entry))
        since = _date(entry.failing_since)
        if archive_works:
            if recorded in GONE:
                return None
            message = (
                f"{field_name} is dead ({detail}; failing on every run since {since}) and its archived copy "
                f"works; record url_status: {status} (the patch does)"
            )
            return citation.at(LINK_DEAD_ARCHIVED, "url", message)
        message = (
            f"{field_name} is dead ({detail}; failing on every run since {since}) and has no working archived "
            "copy; add archive_url with a copy that holds the quote, or cite another source"
        )
        return citation.at(LINK_DEAD, "url", message)
    if verdict.unreadable and citation.quotes and status is LinkStatus.OK:
        return citation.at(
            LINK_UNREADABLE, "quote" if "quote" in citation.marks else "url", _unreadable(field_name, verdict)
        )
    if status is recorded and status is not LinkStatus.BLOCKED:
        return None  # already recorded in the file
    if status is LinkStatus.REDIRECT_PERMANENT:
        message = (
            f"{field_name} redirects permanently to {final}; cite the new address, or keep this one and "
            "record url_status: redirect-permanent"
        )
        return citation.at(LINK_REDIRECT, "url", message)
    if status is LinkStatus.MOVED_DOMAIN:
        lost = "; the quote is not there" if verdict.missing else ""
        message = (
            f"{field_name} now lands on another site, {final}{lost}; if the domain changed hands, "
            "send readers to the archived copy (url_status: moved-domain)"
        )
        return citation.at(LINK_MOVED_DOMAIN, "url", message)
    if status is LinkStatus.BLOCKED:
        return citation.at(LINK_BLOCKED, "url", f"{field_name} refused the checker ({detail}); open it in a browser")
    if status is LinkStatus.PAYWALL:
        hint = "" if archive_works else "; add an archived copy (archive_url) readers can open"
        return citation.at(LINK_PAYWALL, "url", f"{field_name} is behind a paywall ({detail}){hint}")
    if status is LinkStatus.DRIFTED:
        where = "quote" if "quote" in citation.marks else "url"
        message = (
            f"{citation.label}.quote is no longer on the page at {field_name}; compare it with the archived "
            "copy, then correct the quote or record url_status: drifted"
        )
        return citation.at(LINK_DRIFTED, where, message)
    return None


def suggest(
    citation: Citation,
    checked: Mapping[str, Checked],
    entries: Mapping[str, Entry],
    today: str,
    captures: Mapping[tuple[str, str], Checked] | None = None,
) -> list[Edit]:
    """The edits that record what this run found in the source (never applied here: see the patch)."""
    source = citation.source
    edits: list[Edit] = []
    result = checked.get(source.url)
    if result is not None:
        verdict = result.verdict_for(citation.quotes)
        entry = entries.get(source.url)
        settled: LinkStatus | None = None
        if verdict.status in GONE:
            settled = entry.status if entry is not None and entry.confirmed else None
        elif verdict.status in SETTLED:
            settled = verdict.status
        elif verdict.status is LinkStatus.OK and source.url_status not in (None, LinkStatus.OK):
            settled = LinkStatus.OK
        if settled is not None and settled != source.url_status and citation.has_field("url_status"):
            edits.append(_edit(citation, "url_status", str(settled), ("url",), verdict.detail))
        works = verdict.status in (LinkStatus.OK, LinkStatus.REDIRECT_PERMANENT)
        if works and verdict.quotes_checked and not verdict.missing and str(source.last_verified or "") != today:
            edits.append(_edit(citation, "last_verified", today, ("accessed", "url_status", "url"), "verified"))
    capture = (captures or {}).get(_capture_key(source)) if not source.archive_url else None
    if capture is not None:
        verdict = capture.verdict_for(citation.quotes)
        found = WAYBACK.match(capture.fetched.final_url)
        if verdict.status in WORKING and not verdict.missing and found is not None:
            edits.append(_edit(citation, "archive_url", capture.fetched.final_url, ("url_status", "url"), "a capture"))
            if citation.has_field("archive_date"):
                day = f"{found.group(1)}-{found.group(2)}-{found.group(3)}"
                edits.append(_edit(citation, "archive_date", day, ("archive_url", "url_status", "url"), "its date"))
    archive = checked.get(source.archive_url) if source.archive_url else None
    if archive is not None and citation.has_field("archive_date"):
        verdict = archive.verdict_for(citation.quotes)
        final = WAYBACK.match(archive.fetched.final_url)
        cited = WAYBACK.match(source.archive_url or "")
        if verdict.status in WORKING and not verdict.missing and final is not None:
            day = f"{final.group(1)}-{final.group(2)}-{final.group(3)}"
            if (
                cited is not None
                and cited.group(4) == final.group(4)
                and archive.fetched.final_url != source.archive_url
            ):
                edits.append(
                    _edit(citation, "archive_url", archive.fetched.final_url, ("url",), "the capture it opens")
                )
                edits.append(_edit(citation, "archive_date", day, ("archive_url",), "the capture's date"))
            elif getattr(source, "archive_date", None) is None:
                edits.append(_edit(citation, "archive_date", day, ("archive_url",), "the capture's date"))
    return edits


def _edit(citation: Citation, key: str, value: str, after: tuple[str, ...], reason: str) -> Edit:
    return Edit(citation.path, citation.item, key, scalar(value), after, reason)


async def run_check(
    project: Project,
    state: LinkState,
    settings: FetchSettings = DEFAULT_SETTINGS,
    *,
    now: dt.datetime | None = None,
    fetcher: Fetcher | None = None,
    rng: random.Random | None = None,
    find_archives: str | None = None,
) -> LinkReport:
    """Check every address of the project's sources; `state` is updated in place (unless offline).

    With `find_archives` (the URL of a Wayback availability API), sources without an archived copy get
    the capture nearest to their publication date suggested, when it holds their quote. `now`, `fetcher`
    (with its clock and sleep) and `rng` (sibling names, jitter) are for tests.
    """
    now = now or dt.datetime.now(dt.UTC)
    citations, refused = citations_of(project)
    report = LinkReport(citations=citations, skipped_files=refused)
    addresses = _addresses(citations)
    async with fetcher or Fetcher(settings, rng=rng) as session:
        report.checked = await check_addresses(addresses, session, rng)
        if find_archives:
            report.captures = await find_captures(citations, session, find_archives)
    report.recorded = not report.checked or any(
        c.fetched.error_kind not in NETWORK_ERRORS for c in report.checked.values()
    )
    for url, result in report.checked.items():
        previous = state.entries.get(url) if report.recorded else None
        report.entries[url] = observe(previous, result.verdict, result.fetched, now)
    if report.recorded:
        state.entries.update(report.entries)
    today = now.astimezone(dt.UTC).date().isoformat()
    for citation in citations:
        report.problems.extend(judge(citation, report.checked, report.entries))
        report.edits.extend(suggest(citation, report.checked, report.entries, today, report.captures))
    report.problems.sort()
    return report
