"""`release:TAG`: the capture store as the assets of a GitHub release (REST API, `urllib`).

The release is found among the repository's releases by its tag (drafts included), or created as a
**draft**: a draft needs no tag in the repository and its assets are visible only to those with push
access, so captures of pages naming people at risk (`archive_publicly: false`) are not made public by
the store; publishing the release is the maintainers' choice. Each run uploads what it wrote as one
asset, `run-<run>.tar` (members in sorted order, mtime 0, owner 0: the same files give the same
bytes), labelled `sha256:<hex>`; then the new `custody.jsonl` is uploaded as `custody-<run>.jsonl`,
the old one deleted and the new one renamed to `custody.jsonl`, so a failure half-way leaves a log
under one of the two names. A run refuses to publish when the published log is not a prefix of its
own (read again just before). GitHub has no compare-and-swap on assets: runs must not overlap (the
archive workflow's concurrency group sees to that).

`verify` downloads every asset of the release into a temporary folder, checks each against the
SHA-256 in its label (and GitHub's own `digest`, when it gives one), unpacks the run archives with
tarfile's `data` filter (regular files only: no links, no absolute names, no `..`) and verifies that.

The token comes from `GITHUB_TOKEN`, the repository from `--repo` or `GITHUB_REPOSITORY`, the API from
`--github-api` (default https://api.github.com); uploads go to the `upload_url` the release names.
Requests time out, and 429 and 5xx answers are retried with backoff, honouring `Retry-After`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from claimsite import __version__
from claimsite.archive.store import Materialised
from claimsite.custody import LOG_NAME
from claimsite.errors import ClaimsiteError
from claimsite.text import visible

GITHUB_API = "https://api.github.com"
USER_AGENT = f"claimsite/{__version__} (sources archive; release capture store)"
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
RUN_ASSET = re.compile(r"^run-[0-9]{8}T[0-9]{12,}Z\.tar$")
RETRIED = frozenset({429, 500, 502, 503, 504})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # followed by hand, without the token (an asset download goes to another host)


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


class Api:
    """GitHub's REST API for one repository: token, timeouts, retries."""

    def __init__(
        self,
        api: str,
        repo: str,
        token: str,
        *,
        timeout: float = 60.0,
        tries: int = 4,
        backoff: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api, self.repo, self.token = api.rstrip("/"), repo, token
        self.timeout, self.tries, self.backoff, self.sleep = timeout, tries, backoff, sleep

    def url(self, path: str, **query: str | int) -> str:
        return f"{self.api}/repos/{self.repo}{path}" + (f"?{urlencode(query)}" if query else "")

    def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        kind: str = "application/json",
        accept: str = "application/vnd.github+json",
        auth: bool = True,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> Answer:
        headers = {"Accept": accept, "User-Agent": USER_AGENT, "X-GitHub-Api-Version": "2022-11-28"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        if data is not None:
            headers["Content-Type"] = kind
        wait = self.backoff
        for attempt in range(1, self.tries + 1):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with _opener.open(request, timeout=self.timeout) as response:
                    answer = Answer(response.status, response.read(), dict(response.headers))
            except urllib.error.HTTPError as error:
                answer = Answer(error.code, error.read(), dict(error.headers))
            except (urllib.error.URLError, OSError) as error:
                if attempt == self.tries:
                    raise ClaimsiteError(f"{visible(url)}: no answer ({getattr(error, 'reason', error)})") from None
                self.sleep(wait)
                wait *= 2
                continue
            if answer.status in RETRIED and attempt < self.tries:
                after = answer.headers.get("Retry-After", "")
                self.sleep(min(float(after), 600.0) if after.isdigit() else wait)
                wait *= 2
                continue
            if answer.status in ok or 300 <= answer.status < 400:
                return answer
            raise ClaimsiteError(self._refusal(method, url, answer))
        raise AssertionError("unreachable")

    @staticmethod
    def _refusal(method: str, url: str, answer: Answer) -> str:
        try:
            said = str(answer.json().get("message", ""))
        except (ValueError, AttributeError):
            said = ""
        hint = " (is GITHUB_TOKEN allowed to write releases: contents: write?)" if answer.status in (401, 403) else ""
        return f"GitHub answered {answer.status} to {method} {visible(url)}: {visible(said)}{hint}"

    def download(self, asset: Mapping[str, Any]) -> bytes:
        """An asset's bytes: the API answers a redirect to the storage, followed without the token."""
        answer = self.request("GET", str(asset["url"]), accept="application/octet-stream")
        for _ in range(5):
            if not 300 <= answer.status < 400:
                return answer.body
            target = answer.headers.get("Location", "")
            if urlsplit(target).scheme not in ("http", "https"):
                raise ClaimsiteError(f"asset {visible(str(asset.get('name')))}: a redirect to {visible(target)}")
            answer = self.request("GET", target, accept="application/octet-stream", auth=False)
        raise ClaimsiteError(f"asset {visible(str(asset.get('name')))}: too many redirects")


def _paged(api: Api, path: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in range(1, 100):
        items = api.request("GET", api.url(path, per_page=100, page=page)).json()
        if not isinstance(items, list):
            raise ClaimsiteError(f"GitHub answered something else than a list to {visible(path)}")
        out += [item for item in items if isinstance(item, dict)]
        if len(items) < 100:
            break
    return out


def run_tar(work: Path) -> bytes:
    """Every file the run wrote (but the custody log) as a tar: sorted names, no times, no owners."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path in sorted(p for p in work.rglob("*") if p.is_file() and p != work / LOG_NAME):
            info = tarfile.TarInfo(path.relative_to(work).as_posix())
            info.size, info.mode, info.mtime = path.stat().st_size, 0o644, 0
            with path.open("rb") as handle:
                archive.addfile(info, handle)
    return buffer.getvalue()


def _label_hash(asset: Mapping[str, Any]) -> str:
    label = str(asset.get("label") or "")
    return label.removeprefix("sha256:") if label.startswith("sha256:") else ""


class ReleaseStore:
    def __init__(self, tag: str, api: Api) -> None:
        self.tag, self.api = tag, api
        self._base_log = b""

    @classmethod
    def from_options(
        cls, tag: str, options: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> ReleaseStore:
        env = os.environ if environ is None else environ
        if not TAG.match(tag) or ".." in tag:
            raise ClaimsiteError(
                f"release:{visible(tag)} is not a capture store: a tag is letters, digits and . _ - "
                "(up to 100, starting with a letter or digit)"
            )
        repo = options.get("repo") or env.get("GITHUB_REPOSITORY", "")
        if not REPO.match(repo) or ".." in repo:
            raise ClaimsiteError(
                f"release:{tag} needs the repository as OWNER/NAME: --repo, or GITHUB_REPOSITORY "
                f"(got '{visible(repo)}')"
            )
        api = options.get("api") or GITHUB_API
        if urlsplit(api).scheme not in ("http", "https") or not urlsplit(api).hostname:
            raise ClaimsiteError(f"--github-api must be an http(s) URL, not '{visible(api)}'")
        token = env.get("GITHUB_TOKEN", "").strip()
        if not token:
            raise ClaimsiteError(f"release:{tag} needs a GitHub token in GITHUB_TOKEN")
        return cls(tag, Api(api, repo, token))

    @property
    def spec(self) -> str:
        return f"release:{self.tag}"

    def show(self, relative: str) -> str:
        return f"{self.spec} {relative}"

    def find(self) -> dict[str, Any] | None:
        """The release with this tag (drafts too), with its assets; None when there is none."""
        found = next((r for r in _paged(self.api, "/releases") if r.get("tag_name") == self.tag), None)
        if found is not None:
            found["assets"] = _paged(self.api, f"/releases/{int(found['id'])}/assets")
        return found

    def _log_of(self, release: Mapping[str, Any] | None) -> bytes:
        asset = next((a for a in (release or {}).get("assets", []) if a.get("name") == LOG_NAME), None)
        if asset is None:
            return b""
        data = self.api.download(asset)
        if _label_hash(asset) and hashlib.sha256(data).hexdigest() != _label_hash(asset):
            raise ClaimsiteError(f"{self.spec}: the published {LOG_NAME} does not match the SHA-256 in its label")
        return data

    @contextlib.contextmanager
    def working(self) -> Iterator[Path]:
        self._base_log = self._log_of(self.find())
        with tempfile.TemporaryDirectory(prefix="claimsite-store-") as folder:
            work = Path(folder) / "store"
            work.mkdir()
            if self._base_log:
                (work / LOG_NAME).write_bytes(self._base_log)
            yield work

    def _upload(self, release: Mapping[str, Any], name: str, data: bytes, kind: str) -> dict[str, Any]:
        base = str(release["upload_url"]).split("{", 1)[0]
        query = urlencode({"name": name, "label": f"sha256:{hashlib.sha256(data).hexdigest()}"})
        try:
            answer = self.api.request("POST", f"{base}?{query}", data=data, kind=kind, ok=(201,))
        except ClaimsiteError as error:
            if " 422 " in str(error):
                raise ClaimsiteError(f"{self.spec} already has an asset named {name}: not published") from None
            raise
        uploaded: dict[str, Any] = answer.json()
        return uploaded

    def publish(self, work: Path, run: str) -> str:
        log = (work / LOG_NAME).read_bytes() if (work / LOG_NAME).is_file() else b""
        release = self.find()
        published = self._log_of(release)
        if not log.startswith(self._base_log) or not log.startswith(published):
            raise ClaimsiteError(
                f"{self.spec}: the published {LOG_NAME} is not a prefix of this run's (the log is append-only: "
                "was it replaced, or did another run publish first?): not published"
            )
        if log == published:
            return ""
        created = release is None
        if release is None:
            body = {
                "tag_name": self.tag,
                "name": f"Captures ({self.tag})",
                "body": "Evidence captures of `claimsite sources archive`: one tar asset a run and the custody log. "
                "Verify with `claimsite sources verify --store release:" + self.tag + "`.",
                "draft": True,
            }
            release = self.api.request("POST", self.api.url("/releases"), data=json.dumps(body).encode()).json()
            release["assets"] = []
        assert release is not None
        archive = self._upload(release, f"run-{run}.tar", run_tar(work), "application/x-tar")
        fresh = self._upload(release, f"custody-{run}.jsonl", log, "application/x-ndjson")
        for old in release.get("assets", []):
            if old.get("name") == LOG_NAME:
                self.api.request("DELETE", self.api.url(f"/releases/assets/{int(old['id'])}"), ok=(204,))
        rename = json.dumps({"name": LOG_NAME, "label": fresh.get("label", "")}).encode()
        self.api.request("PATCH", self.api.url(f"/releases/assets/{int(fresh['id'])}"), data=rename)
        self._base_log = log
        state = "a new draft release" if created else ("a draft release" if release.get("draft") else "the release")
        return f"published to {self.spec} ({state}): {archive['name']} ({archive.get('label')}) and {LOG_NAME}" + (
            " (publish the draft on GitHub only if the captures may be public)" if release.get("draft") else ""
        )

    @contextlib.contextmanager
    def materialised(self) -> Iterator[Materialised]:
        with tempfile.TemporaryDirectory(prefix="claimsite-verify-") as folder:
            root = Path(folder) / "store"
            root.mkdir()
            result = Materialised(root)
            release = self.find()
            if release is None:
                result.problems.append(f"{self.spec}: no release with this tag (nothing was published to it)")
                yield result
                return
            for asset in sorted(release["assets"], key=lambda a: str(a.get("name"))):
                name = str(asset.get("name"))
                if name != LOG_NAME and not RUN_ASSET.match(name):
                    continue
                data = self.api.download(asset)
                digest = hashlib.sha256(data).hexdigest()
                given = str(asset.get("digest") or "")
                if digest != _label_hash(asset) or (given.startswith("sha256:") and given != f"sha256:{digest}"):
                    result.problems.append(
                        f"{self.spec} {visible(name)}: does not match the SHA-256 in its label: left out"
                    )
                    continue
                if name == LOG_NAME:
                    (root / LOG_NAME).write_bytes(data)
                else:
                    _unpack(data, root, f"{self.spec} {name}", result.problems)
            yield result


def _unpack(data: bytes, root: Path, where: str, problems: list[str]) -> None:
    """A run archive's regular files into `root`, through tarfile's `data` filter; anything else
    (links, devices, absolute or `..` names, a file already there) is a problem, never written."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive.getmembers():
                parts = member.name.split("/")
                if not member.isreg() or member.name.startswith("/") or any(p in ("", ".", "..") for p in parts):
                    problems.append(f"{where}: {visible(member.name)} is not a plain file name: left out")
                    continue
                if (root / member.name).exists():
                    problems.append(f"{where}: {visible(member.name)} is in an earlier run's archive too: left out")
                    continue
                try:
                    archive.extract(member, root, filter="data")
                except tarfile.FilterError as error:
                    problems.append(f"{where}: {visible(member.name)}: {visible(str(error))}: left out")
    except tarfile.TarError as error:
        problems.append(f"{where}: not a tar archive ({visible(str(error))})")
