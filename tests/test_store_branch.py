"""The `branch:NAME` capture store, with a real git in a temporary repository: the captures go to an
orphan branch through a temporary index, one commit a run, while the checkout, its HEAD, index and
history stay as they were; the log is append-only; `verify` reads the branch's tip."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from test_archive import run, serving, write_claim

from claimsite.archive.store import BranchStore, FolderStore, parse_store
from claimsite.custody import append
from claimsite.errors import ClaimsiteError

pytestmark = pytest.mark.browser

BRANCH = "captures"


def git(repo: Path, *args: str, env: dict[str, str] | None = None, data: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, input=data, env={**os.environ, **(env or {})}, check=True
    )
    return done.stdout.decode().strip()


def new_repo(folder: Path) -> None:
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Tester")
    git(folder, "config", "user.email", "tester@example.org")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "claims")


def checkout_state(repo: Path) -> tuple[str, str, str, str, list[str]]:
    """HEAD's name and commit, main's history, the index's bytes, and what `git status` sees."""
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if ".git" not in p.parts)
    return (
        git(repo, "symbolic-ref", "HEAD"),
        git(repo, "log", "--format=%H", "main"),
        index,
        git(repo, "status", "--porcelain", "--untracked-files=all"),
        files,
    )


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Result], tuple[object, ...]]]:
    folder = tmp_path_factory.mktemp("branch")
    with serving() as base:
        write_claim(folder, base)
        new_repo(folder)
        before = checkout_state(folder)
        results = [
            run(folder, "sources", "archive", "--store", f"branch:{BRANCH}", "--operator", "tester") for _ in range(2)
        ]
        yield folder, results, before


def test_each_run_is_one_commit_on_an_orphan_branch(two_runs: tuple[Path, list[Result], tuple[object, ...]]) -> None:
    repo, results, _ = two_runs
    for result in results:
        assert result.exit_code == 0, result.output
        assert "4 of 4 sources captured into branch:captures" in result.output
        assert "published to branch:captures: commit " in result.output
        assert "git push origin captures" in result.output
    commits = git(repo, "rev-list", BRANCH).split()
    assert len(commits) == 2
    assert git(repo, "rev-list", "--max-parents=0", BRANCH) == commits[-1]
    merge_base = subprocess.run(["git", "-C", str(repo), "merge-base", "main", BRANCH], capture_output=True)
    assert merge_base.returncode == 1  # no common history with main
    message = git(repo, "log", "-1", "--format=%B", BRANCH)
    assert message.startswith("claimsite sources archive: run 20") and "custody line " in message
    tree = git(repo, "ls-tree", "-r", "--name-only", BRANCH).split("\n")
    assert "custody.jsonl" in tree
    assert sum(name.endswith("/record.json") for name in tree) == 8  # 4 sources, twice
    assert sum(name.startswith("_runs/") and name.endswith("manifest.txt") for name in tree) == 2
    log = git(repo, "show", f"{BRANCH}:custody.jsonl").splitlines()
    first = git(repo, "show", f"{commits[-1]}:custody.jsonl").splitlines()
    assert log[: len(first)] == first and len(log) > len(first)
    assert git(repo, "show", f"{BRANCH}~1:custody.jsonl").splitlines() == first


def test_the_checkout_and_main_are_untouched(two_runs: tuple[Path, list[Result], tuple[object, ...]]) -> None:
    repo, _, before = two_runs
    assert checkout_state(repo) == before
    assert not (repo / ".claimsite").exists()


def test_verify_reads_the_branch_tip(two_runs: tuple[Path, list[Result], tuple[object, ...]]) -> None:
    repo, _, _ = two_runs
    tip = git(repo, "rev-parse", BRANCH)
    result = run(repo, "sources", "verify", "--store", f"branch:{BRANCH}")
    assert result.exit_code == 0, result.output
    assert "4 held, 0 did not hold, 0 not captured; the custody chain holds" in result.output
    assert result.output.count("1 earlier capture hold too") == 4
    assert "no verify line was appended" in result.output
    assert git(repo, "rev-parse", BRANCH) == tip  # read-only


def tampered_commit(repo: Path, change: dict[str, bytes], tmp: Path) -> None:
    """A commit on the branch with some files replaced (someone rewrote the store)."""
    env = {"GIT_INDEX_FILE": str(tmp / "tamper-index")}
    git(repo, "read-tree", BRANCH, env=env)
    for name, data in change.items():
        blob = git(repo, "hash-object", "-w", "--stdin", data=data)
        git(repo, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
    tree = git(repo, "write-tree", env=env)
    commit = git(repo, "commit-tree", tree, "-p", BRANCH, "-m", "tamper")
    git(repo, "update-ref", f"refs/heads/{BRANCH}", commit)


def test_verify_detects_a_tampered_blob(
    two_runs: tuple[Path, list[Result], tuple[object, ...]], tmp_path: Path
) -> None:
    repo, _, _ = two_runs
    tip = git(repo, "rev-parse", BRANCH)
    name = next(n for n in git(repo, "ls-tree", "-r", "--name-only", BRANCH).split("\n") if n.endswith("text.txt"))
    try:
        tampered_commit(repo, {name: b"something else\n"}, tmp_path)
        result = run(repo, "sources", "verify", "--store", f"branch:{BRANCH}")
        assert result.exit_code == 1, result.output
        assert "text.txt does not match its SHA-256 in record.json" in result.output
    finally:
        git(repo, "update-ref", f"refs/heads/{BRANCH}", tip)


def test_a_rewritten_log_is_refused(two_runs: tuple[Path, list[Result], tuple[object, ...]], tmp_path: Path) -> None:
    repo, _, _ = two_runs
    tip = git(repo, "rev-parse", BRANCH)
    store = BranchStore(BRANCH, repo)
    try:
        with store.working() as work:
            append(work / "custody.jsonl", "capture", note="this run's")
            (work / "new.txt").write_text("new\n")
            log = git(repo, "show", f"{BRANCH}:custody.jsonl").encode()
            tampered_commit(repo, {"custody.jsonl": log.split(b"\n", 1)[1]}, tmp_path)  # the first line gone
            with pytest.raises(ClaimsiteError, match="is not a prefix of this run's"):
                store.publish(work, "20990101T000000000000Z")
        assert git(repo, "rev-parse", BRANCH) != tip  # the tampering commit stays; nothing was added on top
        assert "new.txt" not in git(repo, "ls-tree", "--name-only", BRANCH)
    finally:
        git(repo, "update-ref", f"refs/heads/{BRANCH}", tip)


def test_a_run_may_not_change_a_kept_file(two_runs: tuple[Path, list[Result], tuple[object, ...]]) -> None:
    repo, _, _ = two_runs
    store = BranchStore(BRANCH, repo)
    name = next(n for n in git(repo, "ls-tree", "-r", "--name-only", BRANCH).split("\n") if n.endswith("dom.html"))
    with store.working() as work:
        append(work / "custody.jsonl", "capture", note="x")
        (work / name).parent.mkdir(parents=True)
        (work / name).write_text("changed")
        with pytest.raises(ClaimsiteError, match="would change"):
            store.publish(work, "20990101T000000000000Z")


def test_bad_spellings_are_user_errors(two_runs: tuple[Path, list[Result], tuple[object, ...]]) -> None:
    repo, _, _ = two_runs
    for spec, words in [
        ("s3:bucket", "Error: unknown capture store 's3:bucket'"),
        ("branch:", "no name after branch:"),
        ("branch:--upload-pack=x", "is not a capture store"),
        ("branch:a..b", "is not a capture store"),
        ("branch:main", "is the branch checked out"),
    ]:
        result = run(repo, "sources", "verify", "--store", spec)
        assert result.exit_code != 0 and words in result.output, (spec, result.output)
        assert "Traceback" not in result.output
    git(repo, "branch", "not-a-store", "main")
    result = run(repo, "sources", "verify", "--store", "branch:not-a-store")
    assert "exists and is not a capture store" in result.output
    assert isinstance(parse_store("./a:b"), FolderStore)


def test_the_plugin_option_names_a_branch(two_runs: tuple[Path, list[Result], tuple[object, ...]]) -> None:
    repo, _, _ = two_runs
    (repo / "mkdocs.yml").write_text(f"site_name: x\nplugins:\n  - claimsite:\n      captures: branch:{BRANCH}\n")
    try:
        result = run(repo, "sources", "verify")
        assert result.exit_code == 0, result.output
        assert "verified from a temporary copy" in result.output
    finally:
        (repo / "mkdocs.yml").unlink()
    data = json.loads(
        git(
            repo,
            "show",
            f"{BRANCH}:"
            + next(
                n for n in git(repo, "ls-tree", "-r", "--name-only", BRANCH).split("\n") if n.endswith("record.json")
            ),
        )
    )
    assert data["operator"] == "tester"


def test_the_site_reads_the_records_of_a_branch_store(two_runs: tuple[Path, list[Result], tuple[object, ...]]) -> None:
    from claimsite.provenance import CaptureIndex

    repo, _, _ = two_runs
    names = [n for n in git(repo, "ls-tree", "-r", "--name-only", BRANCH).split("\n") if n.endswith("/record.json")]
    hashes = {hashlib.sha256(git(repo, "show", f"{BRANCH}:{n}").encode() + b"\n").hexdigest(): n for n in names}
    index = CaptureIndex.of_store(f"branch:{BRANCH}", repo)
    assert index is not None and set(index.records) == set(hashes)  # every record of the tip, by its hash
    for digest, name in hashes.items():
        held = index.holds(f"sha256:{digest}")
        assert held is not None and (held.claim, held.source) == tuple(name.split("/")[:2])
        assert held.captured_at is not None
    assert CaptureIndex.of_store("branch:no-such-branch", repo) is None  # not checked, rather than "not held"
    assert CaptureIndex.of_store("release:captures", repo) is None  # a build fetches no release assets
    with pytest.raises(ClaimsiteError, match="is not a capture store"):
        CaptureIndex.of_store("branch:-x", repo)
