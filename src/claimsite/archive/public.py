"""`claimsite sources archive --public`: public copies in the Wayback Machine through Save Page Now 2.

SPN2 is asynchronous: `POST /save` (form `url`, `if_not_archived_within`) answers a `job_id`, and
`GET /save/status/<job_id>` says `pending` until `success` (with the capture's `timestamp` and
`original_url`) or `error` (with `status_ext`, such as `error:too-many-daily-captures`). Keys come
from the environment (`IA_S3_ACCESS`, `IA_S3_SECRET`; https://archive.org/account/s3.php) and go in
`Authorization: LOW access:secret`; anonymous saving is refused.

Pacing stays under the published limits (which keep going down: 12 a minute for logged-in users in
2023-01, 6 in 2023-12): at most `per_minute` submissions in any 60 seconds, at most `concurrent` jobs
open at once, a `Retry-After` (429, 503) pausing every submission, and the first "daily captures"
error stopping the run's submissions. Before each submission the account's quota is asked
(`GET /save/status/user`: `available` capture slots, `processing` jobs, `daily_captures` and
`daily_captures_limit`): while no slot is available the submission waits (the API backoff, `tries`
times at most, then it is sent and SPN2's own answer decides), and a daily count at its limit stops the
run's submissions as the daily-captures error does. An answer without these fields (a service that
lacks the endpoint) changes nothing. A reported success is only the Archive's word: the capture is
then fetched and classified like any archived copy (`claimsite.linkcheck`), and suggested as
`archive_url`/`archive_date` only when it works and holds the source's quote.

Sources with `archive_publicly: false` are never submitted. archive.today is never automated (it has no
API and answers scripts with captchas): a failed source gets a link to submit it there by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import aiohttp

from claimsite import __version__
from claimsite.archive import Cited, cited_sources
from claimsite.custody import LOG_NAME, append
from claimsite.errors import ClaimsiteError
from claimsite.linkcheck.check import WORKING
from claimsite.linkcheck.classify import classify, read_page
from claimsite.linkcheck.fetch import RETRY_STATUSES, Fetcher, FetchSettings, retry_after
from claimsite.linkcheck.patch import Edit
from claimsite.project import load_project

SPN_API = "https://web.archive.org"
"""Where Save Page Now 2 answers (`/save`, `/save/status/<job>`) and where its captures play back (`/web/`)."""
KEY_VARIABLES = ("IA_S3_ACCESS", "IA_S3_SECRET")
USER_AGENT = f"claimsite/{__version__} (sources archive --public; Save Page Now)"
DAILY_LIMIT = "error:too-many-daily-captures"
BUSY = frozenset({"error:user-session-limit", "error:too-many-requests", "error:concurrent-captures-limit"})
"""Refusals that mean "not now": the submission waits and is tried again."""

Outcome = Literal["recorded", "not recorded", "failed", "not submitted", "skipped"]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class SpnSettings:
    """How Save Page Now is asked, and how politely."""

    api: str = SPN_API
    """The SPN2 base URL (`/save` and `/save/status/` under it)."""
    playback: str = ""
    """Where captures play back (`<playback>/web/<timestamp>/<url>`); empty: the same as `api`."""
    per_minute: int = 5
    """Submissions in any 60 seconds, at most (under the 6 a minute last published for logged-in users)."""
    concurrent: int = 2
    """Jobs submitted and not yet finished, at most."""
    if_not_archived_within: str = "30d"
    """A capture this recent is reused instead of made again (SPN2's own option)."""
    poll_first: float = 5.0
    """Seconds before the first status poll; each next wait is 1.5 times longer, up to `poll_max`."""
    poll_max: float = 60.0
    job_timeout: float = 900.0
    """Seconds a job may stay pending before it is given up (queues of hours have been reported)."""
    tries: int = 4
    """Attempts per request when the API answers 429, 5xx or not at all."""
    backoff: float = 10.0
    """Seconds before the second attempt; doubled for each further one, plus up to as much again at random."""
    max_retry_after: float = 600.0
    """The longest `Retry-After` honoured; a longer one ends the run's submissions."""


@dataclass
class Submitted:
    """One source on a `--public` run: what became of it."""

    cited: Cited
    outcome: Outcome = "not submitted"
    message: str = ""
    job_id: str = ""
    timestamp: str = ""
    """The capture's 14-digit Wayback timestamp, on success."""
    archive_url: str = ""

    @property
    def day(self) -> str:
        t = self.timestamp
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]}" if len(t) >= 8 else ""


@dataclass
class PublicReport:
    submitted: list[Submitted] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Submitted]:
        return [s for s in self.submitted if s.outcome in ("not recorded", "failed", "not submitted")]

    def edits(self) -> list[Edit]:
        """`archive_url` and `archive_date` of every public capture that holds up."""
        out = []
        for item in self.submitted:
            if item.outcome != "recorded":
                continue
            citation = item.cited.citation
            out.append(Edit(citation.path, citation.item, "archive_url", item.archive_url, ("url_status", "url")))
            out.append(Edit(citation.path, citation.item, "archive_date", item.day, ("archive_url", "url")))
        return out


def keys_from_environment(environ: dict[str, str] | None = None) -> str:
    """The `Authorization` header value, from the Internet Archive S3 keys in the environment."""
    env = os.environ if environ is None else environ
    access, secret = (env.get(name, "").strip() for name in KEY_VARIABLES)
    if not access or not secret:
        raise ClaimsiteError(
            "--public needs Internet Archive keys in IA_S3_ACCESS and IA_S3_SECRET "
            "(https://archive.org/account/s3.php); Save Page Now refuses anonymous captures"
        )
    return f"LOW {access}:{secret}"


def archive_today_link(url: str) -> str:
    """Where a person can submit a page to archive.today by hand (it is never submitted by this tool)."""
    return "https://archive.ph/?url=" + quote(url, safe="")


def _now() -> float:
    return time.monotonic()


async def _sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


class _Stop(Exception):
    """No further submission on this run (the daily limit, or a wait longer than is honoured)."""


class Pacer:
    """At most `per_minute` submissions in any 60 s of the clock, one at a time, and none while a
    `Retry-After` lasts.

    A submission counts from when its answer came, not from when it was sent: the Archive sees it
    somewhere in between, so counting from the answer keeps its count under the limit too.
    """

    def __init__(self, per_minute: int, clock: Clock, sleep: Sleep) -> None:
        self.per_minute, self.clock, self.sleep = per_minute, clock, sleep
        self.answered: deque[float] = deque()
        self.paused_until = 0.0
        self.lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, self.clock() + seconds)

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self.lock:
            while True:
                now = self.clock()
                while self.answered and self.answered[0] <= now - 60.0:
                    self.answered.popleft()
                wait = self.paused_until - now
                if len(self.answered) >= self.per_minute:
                    wait = max(wait, self.answered[0] + 60.0 - now)
                if wait <= 0:
                    break
                await self.sleep(wait)
            try:
                yield
            finally:
                self.answered.append(self.clock())


class SavePageNow:
    """A client of SPN2 for one run: submissions paced, jobs polled, refusals and waits honoured."""

    def __init__(
        self,
        settings: SpnSettings,
        authorization: str,
        session: aiohttp.ClientSession,
        *,
        clock: Clock,
        sleep: Sleep,
        rng: random.Random,
        on_submit: Callable[[Submitted], None] = lambda item: None,
    ) -> None:
        self.settings, self.session, self.on_submit = settings, session, on_submit
        self.headers = {"Accept": "application/json", "Authorization": authorization, "User-Agent": USER_AGENT}
        self.clock, self.sleep, self.rng = clock, sleep, rng
        self.pacer = Pacer(settings.per_minute, clock, sleep)
        self.open_jobs = asyncio.Semaphore(settings.concurrent)
        self.stopped = ""
        """Why no further source is submitted on this run, once that is so."""
        self.submitting = asyncio.Lock()
        self.quota_waits = 0
        """Backoffs waited because the account had no capture slot available."""

    async def _call(self, method: str, path: str, data: dict[str, str] | None = None) -> dict[str, Any]:
        """One API call with its retries: 429 and 5xx wait (`Retry-After`, else backoff) and go again."""
        url = self.settings.api.rstrip("/") + path
        last = ""
        for attempt in range(1, self.settings.tries + 1):
            delay = self.settings.backoff * 2.0 ** (attempt - 1)
            delay += self.rng.uniform(0, delay)
            turn = self.pacer.turn() if method == "POST" else contextlib.nullcontext()
            try:
                async with turn, self.session.request(method, url, data=data, headers=self.headers) as response:
                    body = await response.text()
                    if response.status in RETRY_STATUSES:
                        last = f"HTTP {response.status}"
                        asked = retry_after(response.headers.get("Retry-After"))
                        if asked is not None:
                            if asked > self.settings.max_retry_after:
                                raise _Stop(f"Save Page Now asked to wait {asked:.0f} s")
                            self.pacer.pause(asked)
                            delay = 0.0 if method == "POST" else asked  # the pacer waits for POSTs
                    elif response.status in (401, 403):
                        raise _Stop(f"Save Page Now refused the keys (HTTP {response.status})")
                    else:
                        try:
                            answer = json.loads(body)
                        except ValueError:
                            answer = None
                        if not isinstance(answer, dict):
                            return {"status": "error", "message": f"HTTP {response.status}, not a JSON answer"}
                        return answer
            except (aiohttp.ClientError, TimeoutError) as error:
                last = f"no answer ({type(error).__name__})"
            if attempt < self.settings.tries and delay > 0:
                await self.sleep(delay)
        return {"status": "error", "message": f"{last} after {self.settings.tries} tries"}

    async def quota(self) -> None:
        """Wait while the account has no capture slot `available` (a bounded number of backoffs);
        raise `_Stop` when its `daily_captures` reached `daily_captures_limit`."""
        settings = self.settings
        for attempt in range(settings.tries + 1):
            answer = await self._call("GET", "/save/status/user")
            daily, limit = answer.get("daily_captures"), answer.get("daily_captures_limit")
            if isinstance(daily, int) and isinstance(limit, int) and 0 < limit <= daily:
                raise _Stop(f"the daily capture limit is reached ({daily} of {limit} today); run again tomorrow")
            available = answer.get("available")
            if not isinstance(available, int) or available > 0 or attempt == settings.tries:
                return  # a slot, no answer to go by, or waited long enough: SPN2's answer to the POST decides
            self.quota_waits += 1
            delay = settings.backoff * 2.0**attempt
            await self.sleep(delay + self.rng.uniform(0, delay))

    async def save(self, item: Submitted) -> None:
        """Submit the source, then poll its job until it ends; fill in `item`."""
        async with self.open_jobs:
            busy = 0
            while True:
                if self.stopped:
                    item.outcome, item.message = "not submitted", self.stopped
                    return
                form = {"url": item.cited.source.url, "if_not_archived_within": self.settings.if_not_archived_within}
                try:
                    async with self.submitting:  # the quota and the POST it allows, one source at a time
                        await self.quota()
                        if self.stopped:
                            continue  # another submission found the limit meanwhile
                        answer = await self._call("POST", "/save", form)
                except _Stop as stop:
                    self.stopped = str(stop)
                    continue
                job = answer.get("job_id")
                if isinstance(job, str) and job:
                    break
                status_ext = str(answer.get("status_ext", ""))
                message = str(answer.get("message", "")) or status_ext or "no job_id in the answer"
                if status_ext == DAILY_LIMIT:
                    self.stopped = f"the daily capture limit is reached ({DAILY_LIMIT}); run again tomorrow"
                    continue
                if status_ext in BUSY and busy < self.settings.tries:
                    busy += 1
                    self.pacer.pause(60.0)
                    continue
                item.outcome, item.message = "failed", f"Save Page Now refused it: {message}"
                return
            item.job_id = job
            self.on_submit(item)
            await self._poll(item)

    async def _poll(self, item: Submitted) -> None:
        settings = self.settings
        waited, wait = 0.0, settings.poll_first
        while True:
            await self.sleep(wait)
            waited += wait
            try:
                answer = await self._call("GET", f"/save/status/{quote(item.job_id, safe='')}")
            except _Stop as stop:
                item.outcome, item.message = "failed", f"job {item.job_id}: {stop}"
                return
            status = answer.get("status")
            if status == "success":
                timestamp, original = str(answer.get("timestamp", "")), str(answer.get("original_url", ""))
                if not (timestamp.isdigit() and len(timestamp) == 14 and original):
                    item.outcome, item.message = "failed", f"job {item.job_id}: success without a timestamp"
                    return
                item.timestamp = timestamp
                playback = (settings.playback or settings.api).rstrip("/")
                item.archive_url = f"{playback}/web/{timestamp}/{original}"
                return
            if status != "pending":
                reason = answer.get("message") or answer.get("status_ext") or f"status {status!r}"
                item.outcome, item.message = "failed", f"job {item.job_id} failed: {reason}"
                return
            if waited >= settings.job_timeout:
                item.outcome, item.message = "failed", f"job {item.job_id} still pending after {waited:.0f} s"
                return
            wait = min(wait * 1.5, settings.poll_max)


async def _check_capture(item: Submitted, fetcher: Fetcher) -> None:
    """Fetch the capture and record it only when it works and holds the quote."""
    quotes = [item.cited.quote] if item.cited.quote else []
    fetched = await fetcher.fetch(item.archive_url)
    verdict = classify(fetched, quotes, None, await read_page(fetched))  # a PDF's text, read off the loop
    if verdict.status in WORKING and not verdict.missing and not (verdict.unreadable and quotes):
        item.outcome = "recorded"
        held = "holds the quote" if quotes else "works (no quote to look for)"
        item.message = f"{verdict.detail}; {held}"
    else:
        item.outcome = "not recorded"
        what = "does not hold the quote" if verdict.missing else f"is {verdict.status} ({verdict.detail})"
        if verdict.unreadable and not verdict.missing:
            what = f"is a PDF whose text could not be read ({verdict.unreadable}), so the quote was not checked"
        item.message = f"the capture {what}; not suggested"


def _log(log: Path, event: str, item: Submitted, operator: str, **fields: Any) -> None:
    append(
        log,
        event,
        **item.cited.ids(),
        url=item.cited.source.url,
        operator=operator,
        **fields,
    )


async def run_public(
    cited: Sequence[Cited],
    settings: SpnSettings,
    authorization: str,
    log: Path,
    operator: str,
    *,
    clock: Clock = time.monotonic,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    fetch_settings: FetchSettings | None = None,
) -> list[Submitted]:
    """Submit every source that may be archived publicly, check each capture, log each step."""
    rng = rng or random.Random()
    items = [Submitted(c) for c in cited]
    wanted = []
    for item in items:
        source = item.cited.source
        if not source.archive_publicly:
            item.outcome, item.message = "skipped", "archive_publicly: false (never submitted to a public archive)"
        elif source.archive_url:
            item.outcome, item.message = "skipped", "has an archive_url already"
        else:
            wanted.append(item)
    timeout = aiohttp.ClientTimeout(total=120, sock_connect=10, sock_read=60)
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()) as session:
        client = SavePageNow(
            settings,
            authorization,
            session,
            clock=clock,
            sleep=sleep,
            rng=rng,
            on_submit=lambda item: _log(log, "public-submission", item, operator, job_id=item.job_id, api=settings.api),
        )
        await asyncio.gather(*(client.save(item) for item in wanted))
    async with Fetcher(fetch_settings or FetchSettings(), clock=clock, sleep=sleep, rng=rng) as fetcher:
        for item in wanted:
            if item.archive_url:
                await _check_capture(item, fetcher)
    for item in wanted:
        if item.job_id:
            _log(
                log,
                "public-capture",
                item,
                operator,
                archive="Wayback Machine (Save Page Now 2)",
                job_id=item.job_id,
                outcome=item.outcome,
                archive_url=item.archive_url or None,
                timestamp=item.timestamp or None,
                detail=item.message,
            )
    return items


def archive_publicly(
    paths: Sequence[Path],
    store: Path,
    settings: SpnSettings,
    *,
    claim: str | None = None,
    entity: str | None = None,
    operator: str,
    environ: dict[str, str] | None = None,
    clock: Clock | None = None,
    sleep: Sleep | None = None,
) -> PublicReport:
    """Public copies of the sources under `paths` (or of `claim`, or of `entity`), each submission in
    the custody log."""
    authorization = keys_from_environment(environ)
    project = load_project(list(paths))
    cited, refused = cited_sources(project, claim, entity=entity)
    items = asyncio.run(
        run_public(
            cited, settings, authorization, store / LOG_NAME, operator, clock=clock or _now, sleep=sleep or _sleep
        )
    )
    return PublicReport(items, refused)
