"""Rules between two versions of one claim file, run by `claimsite diff` on a pull request; for a new
file the old version is None."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from claimsite.evidence import document_key
from claimsite.load import Document, Loc
from claimsite.model import Claim
from claimsite.problems import Problem, Severity
from claimsite.rules import Rule, Scope, rule_of

Finding = tuple[Loc, str]
VersionRule = Callable[[Claim | None, Claim], Iterator[Finding]]
VERSION_RULES: list[tuple[Rule, VersionRule]] = []


def version_rule(rule_id: str, *, severity: Severity = Severity.ERROR) -> Callable[[VersionRule], VersionRule]:
    """Register a rule comparing the old and the new version of a claim."""

    def register(function: VersionRule) -> VersionRule:
        VERSION_RULES.append((rule_of(function, rule_id, Scope.VERSION, severity), function))
        return function

    return register


@version_rule("history-records-status-change")
def history_records_status_change(old: Claim | None, new: Claim) -> Iterator[Finding]:
    """A status change adds a new entry at the end of `history` saying why."""
    if old is not None and old.status != new.status and len(new.history) <= len(old.history):
        entry = f"{{date: YYYY-MM-DD, status: {new.status}, note: why}}"
        yield (
            ("status",),
            (
                f"status changed from '{old.status}' to '{new.status}' without a history "
                f"entry; add one at the end of history: {entry}"
            ),
        )


@version_rule("reason-changes-with-status", severity=Severity.WARNING)
def reason_changes_with_status(old: Claim | None, new: Claim) -> Iterator[Finding]:
    """A status change comes with a new `status_reason`: the same reason for another status is suspicious."""
    if old is not None and old.status != new.status and old.status_reason == new.status_reason:
        yield (
            ("status_reason",),
            (f"status changed to '{new.status}' but status_reason is unchanged; say why the claim now has this status"),
        )


@version_rule("new-source-needs-archive", severity=Severity.WARNING)
def new_source_needs_archive(old: Claim | None, new: Claim) -> Iterator[Finding]:
    """A source a change adds (an address the claim did not cite before) comes with an archived copy
    (`archive_url`) or a capture (`capture`), so that what it showed when it was cited can be seen later."""
    before = {document_key(s.url) for s in old.sources} if old is not None else set()
    for index, source in enumerate(new.sources):
        if document_key(source.url) in before or source.archive_url or source.capture:
            continue
        yield (
            ("sources", index),
            (
                f"sources[{index}] ({source.id}) is new and has no archived copy; add archive_url and "
                "archive_date, or capture it (claimsite sources archive) and apply the patch"
            ),
        )


def check_versions(path: str, old: Claim | None, new: Claim, doc: Document | None) -> list[Problem]:
    """Every version rule on one changed claim (`old` None: a new claim); positions are in the new version."""
    problems = []
    for rule, function in VERSION_RULES:
        for loc, message in function(old, new):
            line, col = doc.mark(loc) if doc else (1, 1)
            problems.append(rule.problem(path, line, col, message))
    return problems
