"""The link state file: what each address was on earlier runs, so that one flaky run never fails a check.

`claimsite sources check` owns the file (default `.claimsite/link-state.json` in the project) and
rewrites it after every run that reached the network. An address is *dead* only when it failed
(dead or soft-404) on this run and on every run since one at least `CONFIRM_AFTER` earlier; any
run where it worked starts the count again. The file is a cache of observations, not content: it
is not committed (`.gitignore`), and CI keeps it between scheduled runs with its cache.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimsite.errors import ClaimsiteError
from claimsite.vocab import LINK_GONE, LinkStatus

if TYPE_CHECKING:  # the site reads the state too, without the HTTP client the checker imports
    from claimsite.linkcheck.classify import Verdict
    from claimsite.linkcheck.fetch import Fetched

DEFAULT_STATE = Path(".claimsite") / "link-state.json"
STATE_VERSION = 1
CONFIRM_AFTER = dt.timedelta(hours=24)
"""How long an address must keep failing, over two runs at least, before it is reported dead."""


class LinkStateError(ClaimsiteError):
    """The state file exists but cannot be read as one; the message says how to start over."""


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Entry:
    """One address: what the last run found, and since when it has been failing."""

    status: LinkStatus
    detail: str
    checked: dt.datetime
    """When the last run that reached it checked it."""
    failing_since: dt.datetime | None = None
    """The first of the runs in a row on which it failed (dead or soft-404); None when it worked last."""
    failures: int = 0
    """Runs in a row on which it failed."""
    last_ok: dt.datetime | None = None
    """The last run on which it did not fail."""
    http_status: int | None = None
    final_url: str = ""
    redirects: tuple[str, ...] = ()
    """The redirect chain, as `301 https://...` per hop."""
    content_type: str = ""
    length: int | None = None
    etag: str = ""
    last_modified: str = ""
    """The final response's headers, for telling later whether the page changed."""
    unreadable: str = ""
    """Why the PDF there could not be read, so its quote was not checked (empty for a page)."""

    @property
    def failing(self) -> bool:
        return self.status in LINK_GONE

    @property
    def confirmed(self) -> bool:
        """Dead: failed on two runs at least, the first `CONFIRM_AFTER` before the last."""
        return (
            self.failing
            and self.failing_since is not None
            and self.failures >= 2
            and self.checked - self.failing_since >= CONFIRM_AFTER
        )

    @property
    def dead_from(self) -> dt.datetime | None:
        """From when a run that still finds it failing reports it dead."""
        return self.failing_since + CONFIRM_AFTER if self.failing_since is not None else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        for key in ("checked", "failing_since", "last_ok"):
            value = getattr(self, key)
            data[key] = _time(value) if value is not None else None
        data["redirects"] = list(self.redirects)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Entry:
        checked = _parse_time(data["checked"])
        if checked is None:
            raise ValueError("checked is missing")
        return cls(
            status=LinkStatus(data["status"]),
            detail=str(data.get("detail", "")),
            checked=checked,
            failing_since=_parse_time(data.get("failing_since")),
            failures=int(data.get("failures", 0)),
            last_ok=_parse_time(data.get("last_ok")),
            http_status=data.get("http_status") if isinstance(data.get("http_status"), int) else None,
            final_url=str(data.get("final_url", "")),
            redirects=tuple(str(hop) for hop in data.get("redirects", [])),
            content_type=str(data.get("content_type", "")),
            length=data.get("length") if isinstance(data.get("length"), int) else None,
            etag=str(data.get("etag", "")),
            last_modified=str(data.get("last_modified", "")),
            unreadable=str(data.get("unreadable", "")),
        )


def observe(previous: Entry | None, verdict: Verdict, fetched: Fetched, now: dt.datetime) -> Entry:
    """The entry after this run: a failure continues the run of failures, anything else ends it."""
    entry = Entry(
        status=verdict.status,
        detail=verdict.detail,
        checked=now,
        http_status=fetched.status,
        final_url=fetched.final_url,
        redirects=tuple(f"{hop.status} {hop.url}" for hop in fetched.redirects),
        content_type=fetched.content_type,
        length=fetched.length,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        unreadable=verdict.unreadable,
        last_ok=previous.last_ok if previous is not None else None,
    )
    if verdict.status not in LINK_GONE:
        return replace(entry, last_ok=now)
    if previous is not None and previous.failing and previous.failing_since is not None:
        return replace(entry, failing_since=previous.failing_since, failures=previous.failures + 1)
    return replace(entry, failing_since=now, failures=1)


@dataclass
class LinkState:
    """Every address any run checked, by address."""

    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> LinkState:
        """The state in `path`; empty when there is no such file."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except OSError as error:
            raise LinkStateError(f"cannot read the link state {path}: {error.strerror}") from None
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                raise ValueError(f"not a version {STATE_VERSION} link state")
            return cls({str(url): Entry.from_json(entry) for url, entry in data["addresses"].items()})
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise LinkStateError(
                f"{path} is not a link state claimsite can read ({error}); move it away to start over"
            ) from None

    def to_json(self) -> str:
        addresses = {url: self.entries[url].to_json() for url in sorted(self.entries)}
        document = {
            "version": STATE_VERSION,
            "written_by": "claimsite sources check; rewritten after every run, do not edit",
            "addresses": addresses,
        }
        return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=False) + "\n"

    def write(self, path: Path) -> None:
        """Replace the file in one step (a reader never sees half of it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".link-state-", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(self.to_json())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
