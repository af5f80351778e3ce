"""The rules of `claimsite sources check`: what the addresses of sources must still hold.

They are declared here, apart from the checker (`claimsite.linkcheck`), so that the methodology page
lists them without importing the HTTP client. A failure seen on one run only is never an error: an
address is dead when it failed on two runs at least a day apart (`claimsite.linkcheck.state`).
"""

from __future__ import annotations

from claimsite.problems import Severity
from claimsite.rules import Rule, Scope, declare


def _link_rule(rule_id: str, doc: str, severity: Severity = Severity.WARNING) -> Rule:
    return declare(rule_id, Scope.LINK, doc, severity=severity)


LINK_DEAD = _link_rule(
    "link-dead",
    "An address that failed on two runs of `claimsite sources check` at least a day apart (dead or "
    "soft-404) is dead; a dead source needs a working archived copy (`archive_url`) or another source.",
    Severity.ERROR,
)
LINK_DEAD_ARCHIVED = _link_rule(
    "link-dead-archived",
    "A dead address whose archived copy works is recorded as dead (`url_status`), so readers are sent to "
    "the archived copy.",
)
LINK_FAILING = _link_rule(
    "link-failing",
    "An address (or archived copy) that fails on one run is not yet dead: it is reported as dead only when "
    "it still fails on a run at least a day later, so one flaky run never fails a check.",
)
LINK_REDIRECT = _link_rule(
    "link-redirect",
    "An address that redirects permanently (301, 308) to another address on the same site is recorded as "
    "`redirect-permanent`; the new address is named so an editor can decide which to cite.",
)
LINK_MOVED_DOMAIN = _link_rule(
    "link-moved-domain",
    "An address that now lands on another site may have been taken over by someone else: an editor "
    "looks at it before readers are sent there.",
)
LINK_BLOCKED = _link_rule(
    "link-blocked",
    "An address that refuses the checker (401, 403, 429, 451, or a bot challenge) cannot be verified "
    "automatically; check it in a browser.",
)
LINK_PAYWALL = _link_rule(
    "link-paywall",
    "An address behind a paywall cannot be verified automatically; an archived copy lets readers see it.",
)
LINK_DRIFTED = _link_rule(
    "link-drifted",
    "A source's `quote` is on the page at its address; when the page no longer holds it, the page "
    "changed, and the archived copy is what supports the claim.",
)
LINK_UNREADABLE = _link_rule(
    "link-unreadable",
    "An address (or archived copy) that answers a PDF whose text cannot be read (encrypted with a password, "
    "malformed, too large, no text layer, or read only in part without the quote) works, but its `quote` "
    "was not checked: open the PDF and check it by hand.",
)
ARCHIVE_NOT_WORKING = _link_rule(
    "archive-not-working",
    "An archived copy (`archive_url`) is checked like the address itself: it opens, is not an error or "
    "challenge page, and holds the source's quote.",
)
