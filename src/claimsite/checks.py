"""Editorial rules for one claim; every problem is collected, none stops the others.

Each rule is one small generator: its docstring states the rule, it yields `(loc, message)` pairs
(or `(loc, message, severity)`), and `check_claim` turns the locations into file positions.
Rules across files (ids, links) live in `claimsite.project`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from claimsite.load import Document, Loc
from claimsite.model import PRIMARY_KINDS, UNDATED, Claim, Flag, PartialDate, Status
from claimsite.problems import Problem, Severity
from claimsite.validate import field_name

MAX_QUOTE_WORDS = 25
"""Quotes longer than this are refused: short quotations only (copyright)."""

RuleResult = Iterator[tuple[Loc, str] | tuple[Loc, str, Severity]]


def rule_confirmed_needs_basis(claim: Claim) -> RuleResult:
    """A confirmed claim names what the confirmation rests on (`basis`)."""
    if claim.status is Status.CONFIRMED and not claim.basis:
        yield ("status",), "a confirmed claim needs 'basis' (for example: basis: [independent-sources])"


def rule_confirmed_needs_independent_evidence(claim: Claim) -> RuleResult:
    """A confirmed claim has a supporting primary source or supporting sources of two distinct origins."""
    if claim.status is not Status.CONFIRMED:
        return
    supporting = [s for s in claim.sources if s.relation == "supports"]
    if any(s.kind in PRIMARY_KINDS for s in supporting):
        return
    origins = {s.origin or f"source:{s.id}" for s in supporting}
    if len(origins) < 2:
        yield (
            ("status",),
            (
                "a confirmed claim needs a supporting primary source or supporting sources from at least two "
                "distinct origins; add a source or lower the status to corroborated or alleged"
            ),
        )


def rule_superseded_needs_successor(claim: Claim) -> RuleResult:
    """The `superseded` flag and `superseded_by` go together."""
    if Flag.SUPERSEDED in claim.flags and claim.superseded_by is None:
        yield ("flags",), "the superseded flag needs 'superseded_by: <claim-id>'"
    if claim.superseded_by is not None and Flag.SUPERSEDED not in claim.flags:
        yield ("superseded_by",), "superseded_by is set; add 'superseded' to flags as well"


def rule_history_matches_status(claim: Claim) -> RuleResult:
    """The last history entry records the current status."""
    last = claim.history[-1]
    if last.status is not claim.status:
        index = len(claim.history) - 1
        yield (
            ("history", index, "status"),
            f"the last history entry says '{last.status}' but status is "
            f"'{claim.status}'; add a history entry for the change",
        )


def rule_history_in_order(claim: Claim) -> RuleResult:
    """History entries are oldest first: dates never go backwards."""
    for index in range(1, len(claim.history)):
        before, after = claim.history[index - 1].date, claim.history[index].date
        if after.sort_key() < before.sort_key():
            yield (
                ("history", index, "date"),
                f"history dates go backwards ({before} then {after}); list entries oldest first",
            )


def rule_source_ids_unique(claim: Claim) -> RuleResult:
    """Source ids are unique within a claim."""
    seen: set[str] = set()
    for index, source in enumerate(claim.sources):
        if source.id in seen:
            yield ("sources", index, "id"), f"source id '{source.id}' is used twice; give each source its own id"
        seen.add(source.id)


def rule_response_sources_exist(claim: Claim) -> RuleResult:
    """Responses cite sources of the same claim by id."""
    ids = {s.id for s in claim.sources}
    for index, response in enumerate(claim.responses):
        for position, ref in enumerate(response.sources):
            if ref not in ids:
                yield (
                    ("responses", index, "sources", position),
                    f"responses[{index}] cites source '{ref}', which this claim does not have; "
                    f"known: {', '.join(sorted(ids))}",
                )


def rule_quotes_short(claim: Claim) -> RuleResult:
    """Quotes are short: at most MAX_QUOTE_WORDS words (copyright)."""
    for index, source in enumerate(claim.sources):
        for name in ("quote", "quote_en"):
            text = getattr(source, name)
            if text and len(text.split()) > MAX_QUOTE_WORDS:
                yield (
                    ("sources", index, name),
                    f"sources[{index}].{name} has {len(text.split())} words; "
                    f"quote at most {MAX_QUOTE_WORDS} and paraphrase the rest in 'note'",
                )


def rule_sources_have_publisher_and_date(claim: Claim) -> RuleResult:
    """Every source names its publisher and a date, or says `published: undated`."""
    for index, source in enumerate(claim.sources):
        if source.publisher is None:
            yield ("sources", index), f"sources[{index}] has no publisher; add 'publisher:'", Severity.WARNING
        if source.published is None:
            yield (
                ("sources", index),
                f"sources[{index}] has no date; add 'published:' or 'published: {UNDATED}'",
                Severity.WARNING,
            )


def rule_related_not_self(claim: Claim, claim_id: str) -> RuleResult:
    """A claim does not relate to or supersede itself."""
    for index, related in enumerate(claim.related):
        if related.claim == claim_id:
            yield ("related", index, "claim"), "a claim cannot be related to itself"
    if claim.superseded_by == claim_id:
        yield ("superseded_by",), "a claim cannot supersede itself"


def _dates(claim: Claim) -> Iterator[tuple[Loc, PartialDate]]:
    if claim.date:
        yield ("date",), claim.date
    for index, source in enumerate(claim.sources):
        for name in ("published", "accessed", "archive_date"):
            value = getattr(source, name)
            if isinstance(value, PartialDate):
                yield ("sources", index, name), value
    for index, response in enumerate(claim.responses):
        if response.date:
            yield ("responses", index, "date"), response.date
    for index, entry in enumerate(claim.history):
        yield ("history", index, "date"), entry.date


def rule_no_future_dates(claim: Claim, today: dt.date) -> RuleResult:
    """No date lies in the future."""
    for loc, value in _dates(claim):
        if value.earliest() > today:
            yield loc, f"{field_name(loc)}: {value} is in the future (today is {today.isoformat()})"


def _apply(doc: Document, results: Iterable[tuple[Any, ...]]) -> list[Problem]:
    problems = []
    for result in results:
        loc, message = result[0], result[1]
        severity = result[2] if len(result) > 2 else Severity.ERROR
        line, col = doc.mark(loc)
        problems.append(Problem(doc.path, line, col, message, severity))
    return problems


def check_claim(doc: Document, claim: Claim, claim_id: str, today: dt.date) -> list[Problem]:
    """Run every single-claim rule."""
    rules: list[Callable[[], RuleResult]] = [
        lambda: rule_confirmed_needs_basis(claim),
        lambda: rule_confirmed_needs_independent_evidence(claim),
        lambda: rule_superseded_needs_successor(claim),
        lambda: rule_history_matches_status(claim),
        lambda: rule_history_in_order(claim),
        lambda: rule_source_ids_unique(claim),
        lambda: rule_response_sources_exist(claim),
        lambda: rule_quotes_short(claim),
        lambda: rule_sources_have_publisher_and_date(claim),
        lambda: rule_related_not_self(claim, claim_id),
        lambda: rule_no_future_dates(claim, today),
    ]
    problems: list[Problem] = []
    for rule in rules:
        problems.extend(_apply(doc, rule()))
    return problems
