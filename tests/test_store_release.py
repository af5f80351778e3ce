"""The `release:TAG` capture store against a fake GitHub REST API on 127.0.0.1 (aiohttp.web) that
behaves like the real one: a token required, drafts listed only to it, 422 for a duplicate asset name,
uploads on another port as `upload_url` names it, downloads redirected to a storage host that refuses
the token, and injected 503/429 answers with Retry-After."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from click.testing import Result
from test_archive import run, serving, write_claim

from claimsite.archive.release import Api, ReleaseStore, run_tar
from claimsite.custody import append
from claimsite.errors import ClaimsiteError

pytestmark = pytest.mark.browser

TOKEN = "ghs_test-token"
REPO = "example/claims"
TAG = "captures"


@dataclass
class FakeGitHub:
    api: str = ""
    uploads: str = ""
    releases: list[dict[str, Any]] = field(default_factory=list)
    blobs: dict[int, bytes] = field(default_factory=dict)
    failures: dict[str, list[int]] = field(default_factory=dict)
    """Method -> statuses to answer first (503 or 429, with Retry-After: 0)."""
    seen: list[tuple[str, str, bool]] = field(default_factory=list)
    """(method, path, whether it carried the token) of every request."""
    next_id: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def release(self, release_id: int) -> dict[str, Any]:
        found = next((r for r in self.releases if r["id"] == release_id), None)
        if found is None:
            raise web.HTTPNotFound(text='{"message": "Not Found"}', content_type="application/json")
        return found

    def asset_view(self, asset: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in asset.items() if k != "release_id"} | {
            "url": f"{self.api}/repos/{REPO}/releases/assets/{asset['id']}"
        }


def fake_app(fake: FakeGitHub, kind: str) -> web.Application:
    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        authorised = request.headers.get("Authorization") == f"Bearer {TOKEN}"
        fake.seen.append((request.method, request.path, authorised))
        if request.path.startswith("/storage/"):
            if "Authorization" in request.headers:  # as S3: a signed URL and a token are refused
                return web.json_response({"message": "Only one auth mechanism allowed"}, status=400)
            return await handler(request)
        queued = fake.failures.get(request.method, [])
        if queued:
            return web.json_response({"message": "busy"}, status=queued.pop(0), headers={"Retry-After": "0"})
        if not authorised:
            return web.json_response({"message": "Requires authentication"}, status=401)
        return await handler(request)

    app = web.Application(middlewares=[guard])
    base = f"/repos/{REPO}"

    async def list_releases(request: web.Request) -> web.Response:
        page = int(request.query.get("page", "1"))
        views = [{k: v for k, v in r.items() if k != "assets"} for r in fake.releases]
        return web.json_response(views[(page - 1) * 100 : page * 100])

    async def by_tag(request: web.Request) -> web.Response:
        found = [r for r in fake.releases if r["tag_name"] == request.match_info["tag"] and not r["draft"]]
        if not found:
            return web.json_response({"message": "Not Found"}, status=404)
        return web.json_response(found[0])

    async def create(request: web.Request) -> web.Response:
        body = await request.json()
        if any(r["tag_name"] == body["tag_name"] for r in fake.releases):
            return web.json_response(
                {"message": "Validation Failed", "errors": [{"code": "already_exists"}]}, status=422
            )
        rid = fake.new_id()
        release = {
            "id": rid,
            "tag_name": body["tag_name"],
            "name": body.get("name"),
            "draft": bool(body.get("draft")),
            "upload_url": f"{fake.uploads}{base}/releases/{rid}/assets{{?name,label}}",
            "assets": [],
        }
        fake.releases.append(release)
        return web.json_response(release, status=201)

    async def assets(request: web.Request) -> web.Response:
        release = fake.release(int(request.match_info["rid"]))
        page = int(request.query.get("page", "1"))
        return web.json_response([fake.asset_view(a) for a in release["assets"]][(page - 1) * 100 : page * 100])

    def asset_by_id(asset_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
        for release in fake.releases:
            for asset in release["assets"]:
                if asset["id"] == asset_id:
                    return release, asset
        raise web.HTTPNotFound(text='{"message": "Not Found"}', content_type="application/json")

    async def asset(request: web.Request) -> web.StreamResponse:
        release, found = asset_by_id(int(request.match_info["aid"]))
        if request.method == "DELETE":
            release["assets"].remove(found)
            return web.Response(status=204)
        if request.method == "PATCH":
            body = await request.json()
            if any(a["name"] == body.get("name") and a is not found for a in release["assets"]):
                return web.json_response({"message": "Validation Failed"}, status=422)
            found.update({k: body[k] for k in ("name", "label") if k in body})
            return web.json_response(fake.asset_view(found))
        if request.headers.get("Accept") == "application/octet-stream":
            raise web.HTTPFound(f"{fake.uploads}/storage/{found['id']}?signature=x")
        return web.json_response(fake.asset_view(found))

    async def upload(request: web.Request) -> web.Response:
        release = fake.release(int(request.match_info["rid"]))
        name = request.query["name"]
        if any(a["name"] == name for a in release["assets"]):
            return web.json_response(
                {"message": "Validation Failed", "errors": [{"resource": "ReleaseAsset", "code": "already_exists"}]},
                status=422,
            )
        data = await request.read()
        aid = fake.new_id()
        fake.blobs[aid] = data
        digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
        found = {"id": aid, "name": name, "label": request.query.get("label", ""), "size": len(data), "digest": digest}
        release["assets"].append(found)
        return web.json_response(fake.asset_view(found), status=201)

    async def storage(request: web.Request) -> web.Response:
        return web.Response(body=fake.blobs[int(request.match_info["aid"])], content_type="application/octet-stream")

    if kind == "api":
        app.router.add_get(f"{base}/releases", list_releases)
        app.router.add_post(f"{base}/releases", create)
        app.router.add_get(f"{base}/releases/tags/{{tag}}", by_tag)
        app.router.add_get(f"{base}/releases/{{rid:[0-9]+}}/assets", assets)
        app.router.add_route("*", f"{base}/releases/assets/{{aid:[0-9]+}}", asset)
    else:
        app.router.add_post(f"{base}/releases/{{rid:[0-9]+}}/assets", upload)
        app.router.add_get("/storage/{aid}", storage)
    return app


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    loop = asyncio.new_event_loop()
    runners: list[web.AppRunner] = []
    started = threading.Event()

    async def start() -> None:
        for kind in ("api", "uploads"):
            app = fake_app(fake, kind)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            setattr(fake, kind, f"http://127.0.0.1:{port}")
            runners.append(runner)
        started.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    started.wait(10)
    yield fake
    for runner in runners:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)


def store_args(fake: FakeGitHub, tag: str = TAG) -> list[str]:
    return ["--store", f"release:{tag}", "--github-api", fake.api]


@pytest.fixture(scope="module")
def two_runs(github: FakeGitHub, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Result]]]:
    folder = tmp_path_factory.mktemp("release")
    patch = pytest.MonkeyPatch()
    env(patch)
    github.failures = {"POST": [503], "GET": [429]}  # the first write and the first read are answered "busy"
    try:
        with serving() as base:
            write_claim(folder, base)
            results = [run(folder, "sources", "archive", *store_args(github), "--operator", "tester") for _ in range(2)]
        yield folder, results
    finally:
        patch.undo()


def release_of(fake: FakeGitHub, tag: str = TAG) -> dict[str, Any]:
    return next(r for r in fake.releases if r["tag_name"] == tag)


def test_each_run_is_one_tar_asset_and_the_log_is_replaced(
    github: FakeGitHub, two_runs: tuple[Path, list[Result]]
) -> None:
    folder, results = two_runs
    for result in results:
        assert result.exit_code == 0, result.output
        assert "4 of 4 sources captured into release:captures" in result.output
        assert "published to release:captures" in result.output
    assert "(a new draft release)" in results[0].output and "(a draft release)" in results[1].output
    release = release_of(github)
    assert release["draft"] is True
    names = sorted(a["name"] for a in release["assets"])
    assert names[0] == "custody.jsonl" and len(names) == 3 and all(n.startswith("run-2") for n in names[1:])
    for asset in release["assets"]:
        assert asset["label"] == f"sha256:{hashlib.sha256(github.blobs[asset['id']]).hexdigest()}"
    with tarfile.open(fileobj=io.BytesIO(github.blobs[release["assets"][0]["id"]])) as first:
        members = first.getnames()
    assert members == sorted(members) and "custody.jsonl" not in members
    assert sum(m.endswith("/record.json") for m in members) == 4
    log = next(github.blobs[a["id"]] for a in release["assets"] if a["name"] == "custody.jsonl")
    assert sum(json.loads(line)["event"] == "capture" for line in log.splitlines()) == 8
    assert not (folder / ".claimsite").exists()
    assert github.failures == {"POST": [], "GET": []}  # the busy answers were retried


def test_the_token_never_reaches_the_storage(github: FakeGitHub, two_runs: tuple[Path, list[Result]]) -> None:
    storage = [seen for seen in github.seen if seen[1].startswith("/storage/")]
    assert storage and not any(authorised for _, _, authorised in storage)


def test_verify_downloads_and_holds(
    github: FakeGitHub, two_runs: tuple[Path, list[Result]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = two_runs
    env(monkeypatch)
    result = run(folder, "sources", "verify", *store_args(github))
    assert result.exit_code == 0, result.output
    assert "4 held, 0 did not hold, 0 not captured; the custody chain holds" in result.output
    assert "verified from a temporary copy" in result.output


def test_verify_catches_an_asset_changed_on_the_server(
    github: FakeGitHub, two_runs: tuple[Path, list[Result]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = two_runs
    env(monkeypatch)
    asset = next(a for a in release_of(github)["assets"] if a["name"].startswith("run-"))
    kept = github.blobs[asset["id"]]
    github.blobs[asset["id"]] = kept[:-10] + b"x" * 10
    try:
        result = run(folder, "sources", "verify", *store_args(github))
    finally:
        github.blobs[asset["id"]] = kept
    assert result.exit_code == 1, result.output
    assert f"release:captures {asset['name']}: does not match the SHA-256 in its label" in result.output


def hostile_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name in ("../escape.txt", "/etc/evil", "a/link"):
            info = tarfile.TarInfo(name)
            if name == "a/link":
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                archive.addfile(info)
            else:
                info.size = 4
                archive.addfile(info, io.BytesIO(b"evil"))
    return buffer.getvalue()


def test_a_hostile_archive_writes_nothing_outside(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(monkeypatch)
    store = ReleaseStore.from_options("hostile", {"api": github.api})
    work = tmp_path / "w"
    work.mkdir()
    append(work / "custody.jsonl", "capture", note="x")
    store.publish(work, "20260101T000000000000Z")
    release = release_of(github, "hostile")
    data = hostile_tar()
    release["assets"].append(
        {"id": 999, "name": "run-20260102T000000000000Z.tar", "label": f"sha256:{hashlib.sha256(data).hexdigest()}"}
    )
    github.blobs[999] = data
    with store.materialised() as copy:
        problems = " ".join(copy.problems)
        written = sorted(p.relative_to(copy.folder).as_posix() for p in copy.folder.rglob("*"))
        outside = (copy.folder.parent / "escape.txt").exists()
    assert "../escape.txt is not a plain file name" in problems and "a/link is not a plain file name" in problems
    assert "/etc/evil is not a plain file name" in problems
    assert written == ["custody.jsonl"] and not outside


def test_a_replaced_log_is_refused_and_a_duplicate_asset_too(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env(monkeypatch)
    store = ReleaseStore.from_options("refusals", {"api": github.api})
    with store.working() as work:
        append(work / "custody.jsonl", "capture", note="first")
        store.publish(work, "20260101T000000000000Z")
    with store.working() as work:
        append(work / "custody.jsonl", "capture", note="second")
        log = next(a for a in release_of(github, "refusals")["assets"] if a["name"] == "custody.jsonl")
        github.blobs[log["id"]] = b'{"other":1}\n'  # someone replaced the published log, and its label
        log["label"] = f"sha256:{hashlib.sha256(github.blobs[log['id']]).hexdigest()}"
        with pytest.raises(ClaimsiteError, match="is not a prefix of this run's"):
            store.publish(work, "20260102T000000000000Z")
    names = [a["name"] for a in release_of(github, "refusals")["assets"]]
    assert "run-20260102T000000000000Z.tar" not in names
    with store.working() as work:
        append(work / "custody.jsonl", "capture", note="third")
        with pytest.raises(ClaimsiteError, match=r"already has an asset named run-20260101T000000000000Z\.tar"):
            store.publish(work, "20260101T000000000000Z")


def test_the_tar_is_deterministic(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a/1.txt", "custody.jsonl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    first = run_tar(tmp_path)
    (tmp_path / "a/1.txt").touch()
    assert run_tar(tmp_path) == first
    with tarfile.open(fileobj=io.BytesIO(first)) as archive:
        assert archive.getnames() == ["a/1.txt", "b/2.txt"]


def test_usage_errors(github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    write_claim(tmp_path, "http://127.0.0.1:9")
    cases = [
        (["--store", "release:captures"], "Error: release:captures needs a GitHub token in GITHUB_TOKEN"),
        (["--store", "release:../x"], "is not a capture store"),
        (["--store", "release:x", "--repo", "no-slash"], "needs the repository as OWNER/NAME"),
    ]
    for args, words in cases:
        result = run(tmp_path, "sources", "verify", *args)
        assert result.exit_code != 0 and words in result.output, (args, result.output)
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")
    result = run(tmp_path, "sources", "verify", *store_args(github))
    assert result.exit_code == 1 and "GitHub answered 401" in result.output and "Traceback" not in result.output


def test_retries_honour_retry_after() -> None:
    waits: list[float] = []
    api = Api("http://127.0.0.1:9", REPO, TOKEN, tries=3, backoff=0.5, sleep=waits.append, timeout=1)
    with pytest.raises(ClaimsiteError, match="no answer"):
        api.request("GET", api.url("/releases"))
    assert waits == [0.5, 1.0]
