"""GitHub workflows, the issue form and the pre-commit files: linted offline, and held to our rules.

check-jsonschema ships the schemas of GitHub workflows and issue forms inside its wheel
(`--builtin-schema vendor.*`), so the lint needs no network; pre-commit validates its own files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from claimsite.model import Status

GITHUB = ROOT / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ISSUE_FORM = GITHUB / "ISSUE_TEMPLATE" / "propose-claim.yml"


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict[str, Any]) -> list[str]:
    return [step["run"] for step in steps(workflow) if "run" in step]


def step_named(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    return next(step for step in steps(workflow) if step.get("name") == name)


def lint(schema: str, *paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_workflows_exist() -> None:
    assert [p.name for p in WORKFLOWS] == ["archive.yml", "deploy.yml", "links.yml", "pr.yml"]


def test_workflows_pass_the_schema() -> None:
    result = lint("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_lint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (GITHUB / "workflows" / "pr.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on:", "runs_on:"), encoding="utf-8")
    result = lint("vendor.github-workflows", broken)
    assert result.returncode == 1
    assert "'runs-on' is a required property" in result.stdout


# A `uses:` line as written, comment included (YAML drops comments): `owner/name@ref # comment`.
USES_LINE = re.compile(r"^\s*(?:- )?uses: (?P<action>[^@\s]+)@(?P<ref>\S+)(?P<comment>.*)$")


SITE_WORKFLOWS = ("deploy.yml", "pr.yml")
"""The workflows that check and build the site; links.yml and archive.yml look after the sources."""
TOKEN_PUSH_URL = '"https://x-access-token:${GH_TOKEN}@github.com/${GITHUB_REPOSITORY}.git"'


def uses_lines(path: Path) -> list[re.Match[str]]:
    return [m for line in path.read_text(encoding="utf-8").splitlines() if (m := USES_LINE.match(line))]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit(path: Path) -> None:
    """A tag can be moved to other code, a commit cannot; the comment says which release it is."""
    found = uses_lines(path)
    assert [f"{m['action']}@{m['ref']}" for m in found] == [s["uses"] for s in steps(load(path)) if "uses" in s]
    for m in found:
        assert re.fullmatch(r"actions/[a-z-]+(?:/[a-z-]+)?", m["action"]), m.group(0)  # GitHub's own actions only
        assert re.fullmatch(r"[0-9a-f]{40}", m["ref"]), f"{m['action']} must be pinned by a full commit SHA"
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", m["comment"]), f"{m['action']} needs its version: # vX.Y.Z"


def test_an_action_is_pinned_to_the_same_commit_everywhere() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for m in uses_lines(path):
            pins.setdefault(m["action"], set()).add(m["ref"] + m["comment"])
    assert {action: len(refs) for action, refs in pins.items()} == dict.fromkeys(pins, 1)


def test_the_pin_check_catches_a_tag(tmp_path: Path) -> None:
    workflow = tmp_path / "tag.yml"
    workflow.write_text("jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v6\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="full commit SHA"):
        test_actions_are_pinned_to_a_commit(workflow)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_keep_no_token(path: Path) -> None:
    """persist-credentials: false takes the token back out of .git/config once the code is checked out,
    so no later step (a test, a build script, a dependency's install hook) can read it."""
    workflow = load(path)
    checkouts = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for checkout in checkouts:
        assert checkout["with"]["persist-credentials"] is False
    commands = "\n".join(runs(workflow))
    # The one push (links.yml, to open a pull request) names its token in the URL, for that command only.
    commands = commands.replace(f"git push --quiet {TOKEN_PUSH_URL} ", "", 1 if path.name == "links.yml" else 0)
    assert not re.search(r"\bgit (push|fetch|pull)\b", commands)  # nothing else would need it


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_installs_come_from_the_lock(path: Path) -> None:
    workflow = load(path)
    install = step_named(workflow, "Install")["run"]
    first, second = install.splitlines()
    assert first == "python -m pip install --require-hashes -r requirements.lock"
    assert second.startswith("python -m pip install --no-deps --no-build-isolation ")  # nothing fetched
    assert not any("pip install" in run for run in runs(workflow) if run != install)
    python = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache-dependency-path"] == "requirements.lock"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_common_rules(path: Path) -> None:
    workflow = load(path)
    assert workflow["env"]["NO_MKDOCS_2_WARNING"] == "1"
    assert workflow["permissions"] == {"contents": "read"}  # jobs ask for more only where needed
    python = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    if path.name not in SITE_WORKFLOWS:
        return
    commands = "\n".join(runs(workflow))
    assert "--dirty" not in commands  # a dirty build has a partial search index
    assert "claimsite check --format github" in commands
    assert "claimsite build" in commands
    assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" claimsite build --pdf --offline' in commands


def test_pull_request_workflow() -> None:
    workflow = load(GITHUB / "workflows" / "pr.yml")
    assert list(workflow["on"]) == ["pull_request"]
    checkout = steps(workflow)[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    names = [step.get("name", step.get("uses")) for step in steps(workflow)]
    build = "Build the site (strict), the PDF edition and the offline copy"
    assert names.index("Check claims") < names.index("Tests") < names.index(build) < names.index("Keep the built site")
    summary = step_named(workflow, "Summarise the change")
    assert summary["run"] == 'claimsite diff --format github "origin/$BASE_REF" HEAD >> "$GITHUB_STEP_SUMMARY"'
    assert summary["env"]["BASE_REF"] == "${{ github.base_ref }}"  # never pasted into the script itself
    assert step_named(workflow, "Install")["run"].endswith(" -e .\n")  # editable: the tests import the checkout
    assert "pytest" in step_named(workflow, "Tests")["run"]
    upload = step_named(workflow, "Keep the built site")
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["with"]["path"] == "site/"


def test_deploy_workflow() -> None:
    workflow = load(GITHUB / "workflows" / "deploy.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["steps"][-1]["uses"].startswith("actions/upload-pages-artifact@")
    assert build["steps"][-1]["with"]["path"] == "site/"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_link_health_workflow() -> None:
    """Weekly and on demand: the check with the link state kept in the cache, then a pull request."""
    workflow = load(GITHUB / "workflows" / "links.yml")
    assert workflow["on"] == {"schedule": [{"cron": "23 4 * * 1"}], "workflow_dispatch": None}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    names = [step.get("name") for step in job["steps"]]
    order = [
        "Install",
        "Restore the link state",
        "Check the sources",
        "Save the link state",
        "Open a pull request with the suggested edits",
        "Fail when the check found errors",
    ]
    assert [name for name in names if name in order] == order
    restore, save = step_named(workflow, "Restore the link state"), step_named(workflow, "Save the link state")
    assert restore["uses"].startswith("actions/cache/restore@") and save["uses"].startswith("actions/cache/save@")
    assert restore["with"]["path"] == save["with"]["path"] == ".claimsite/link-state.json"
    assert restore["with"]["key"] == save["with"]["key"] == "link-state-${{ github.run_id }}"
    assert restore["with"]["restore-keys"] == "link-state-"  # the newest earlier run's state
    assert "!cancelled()" in save["if"], "the state is saved even when the check found errors"
    check = step_named(workflow, "Check the sources")
    assert "claimsite sources check --format github --patch links.patch" in check["run"]
    assert check["run"].startswith("set +e\n") and 'echo "status=$?" >> "$GITHUB_OUTPUT"' in check["run"]
    opened = step_named(workflow, "Open a pull request with the suggested edits")
    assert opened["env"]["GH_TOKEN"] == "${{ secrets.LINKS_PR_TOKEN || secrets.GITHUB_TOKEN }}"
    script = opened["run"]
    assert script.index("git apply links.patch") < script.index("git push") < script.index("gh pr create")
    assert f"git push --quiet {TOKEN_PUSH_URL} " in script  # the token never reaches .git/config
    assert "${{" not in script, "values reach the script through env, never pasted into it"
    assert step_named(workflow, "Fail when the check found errors")["if"].endswith(
        "steps.check.outputs.status != '0' }}"
    )


def test_archive_workflow() -> None:
    """On a push to main that touches claims/: capture what has no capture into the draft release's
    assets (release:captures), keep the suggested edits as an artifact."""
    workflow = load(GITHUB / "workflows" / "archive.yml")
    assert workflow["on"] == {"push": {"branches": ["main"], "paths": ["claims/**"]}, "workflow_dispatch": None}
    (job,) = workflow["jobs"].values()
    assert workflow["permissions"] == {"contents": "read"}
    assert job["permissions"] == {"contents": "write"}  # release assets; nothing is pushed
    capture = step_named(workflow, "Capture the sources without a capture")
    assert capture["env"]["BEFORE"] == "${{ github.event.before }}"
    assert capture["env"]["GITHUB_TOKEN"] == "${{ github.token }}"
    script = capture["run"]
    assert "${{" not in script
    assert 'git diff --name-only --diff-filter=AM "$BEFORE" "$GITHUB_SHA" -- claims/' in script
    assert "python scripts/uncaptured.py --claims claims" in script
    assert 'claimsite sources archive --local "--$kind" "$id" --store release:captures' in script
    assert '--patch "patches/$kind-$id.patch"' in script
    assert 'done <<< "$files"' in script  # not a pipe: the loop's failures reach the step's exit status
    kept = step_named(workflow, "Keep the suggested edits")
    assert kept["uses"].startswith("actions/upload-artifact@")
    assert kept["with"]["path"].split() == ["patches/"]
    assert not re.search(r"\bgit (add|commit)\b", script), "captures stay out of the git history"


def test_uncaptured_lists_the_claims_and_entities_with_a_source_without_capture(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from uncaptured import uncaptured
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    claims = tmp_path / "claims"
    shutil.copytree(ROOT / "tests" / "fixtures" / "valid", claims)
    everything = uncaptured(claims)
    claim_ids = [file_id for kind, file_id in everything if kind == "claim"]
    assert claim_ids == ["hostile-text", "leaked-order", "voice-attribution"]  # leaked-order: s2
    entity_ids = [file_id for kind, file_id in everything if kind == "entity"]
    assert entity_ids == ["karpyankou"]  # the one entity of the fixtures with sources (none captured)
    changed = [
        claims / "voice-attribution.yaml",
        claims / "entities" / "bypol.yaml",
        claims / "entities" / "karpyankou.yaml",
    ]
    assert uncaptured(claims, changed) == [("claim", "voice-attribution"), ("entity", "karpyankou")]
    leaked = claims / "leaked-order.yaml"
    text = leaked.read_text(encoding="utf-8").replace(
        "    quote: Мы не комментируем фейки\n",
        "    quote: Мы не комментируем фейки\n    capture: sha256:" + "1" * 64 + "\n",
    )
    leaked.write_text(text, encoding="utf-8")
    assert uncaptured(claims, [leaked]) == []
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "uncaptured.py"), "--claims", str(claims), str(leaked)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert result.returncode == 0 and result.stdout == ""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "uncaptured.py"), "--claims", str(claims)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert result.stdout.splitlines()[0] == "claim hostile-text"
    assert "entity karpyankou" in result.stdout.splitlines()


def test_issue_form() -> None:
    result = lint("vendor.github-issue-forms", ISSUE_FORM)
    assert result.returncode == 0, result.stdout + result.stderr
    form = load(ISSUE_FORM)
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert list(fields) == ["title", "statement", "sources", "status", "notes"]
    required = [name for name, item in fields.items() if item.get("validations", {}).get("required")]
    assert required == ["title", "statement", "sources", "status"]
    assert fields["sources"]["type"] == "textarea"
    assert fields["status"]["type"] == "dropdown"
    assert fields["status"]["attributes"]["options"] == [s.value for s in Status]


def test_pull_request_template_has_the_reviewer_checklist() -> None:
    text = (GITHUB / "PULL_REQUEST_TEMPLATE.md").read_text(encoding="utf-8")
    assert "## Checklist (reviewer)" in text
    assert text.count("- [ ]") >= 8
    assert "docs/methodology.md" in text


def test_pre_commit_hook_offered_to_other_repositories() -> None:
    manifest = ROOT / ".pre-commit-hooks.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["entry"], hook["language"]) == ("claimsite-check", "claimsite check", "python")
    assert hook["pass_filenames"] is False  # cross-file rules need the whole claims folder
    assert hook["always_run"] is True  # a commit that only deletes a claim file is checked too
    files = re.compile(hook["files"])
    assert files.search("claims/a.yaml") and files.search("claims/entities/b.yml")
    assert not files.search("docs/a.yaml") and not files.search("claims/readme.md")


def test_pre_commit_config_is_local() -> None:
    path = ROOT / ".pre-commit-config.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing is downloaded at commit time
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert hooks["claimsite-check"]["entry"] == ".venv/bin/claimsite check"
    assert hooks["claimsite-check"]["pass_filenames"] is False
    assert hooks["claimsite-check"]["always_run"] is True
    assert config["default_install_hook_types"] == ["pre-commit", "pre-merge-commit"]


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)


@pytest.fixture
def hooked_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with valid claims, this repository's hook config, and the hooks installed.

    `.venv/bin/claimsite` there runs the claimsite under test; git reads no global or system config.
    """
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "test@example.org")
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "valid", repo / "claims")
    shutil.copy(ROOT / ".pre-commit-config.yaml", repo)
    claimsite = repo / ".venv" / "bin" / "claimsite"
    claimsite.parent.mkdir(parents=True)
    src = ROOT / "src"
    claimsite.write_text(f'#!/bin/sh\nPYTHONPATH="{src}" exec "{sys.executable}" -m claimsite "$@"\n', encoding="utf-8")
    claimsite.chmod(0o755)
    (repo / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    assert git(repo, "init", "--quiet", "--initial-branch=main").returncode == 0
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo, capture_output=True, text=True, check=False
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert "pre-merge-commit" in install.stdout
    git(repo, "add", "--all")
    first = git(repo, "commit", "--quiet", "-m", "valid claims")  # runs the hook: valid claims pass
    assert first.returncode == 0, first.stdout + first.stderr
    return repo


def test_the_hook_fails_a_commit_that_only_deletes_an_entity(hooked_repo: Path) -> None:
    assert "claims/entities/bypol.yaml" in git(hooked_repo, "ls-files").stdout
    git(hooked_repo, "rm", "--quiet", "claims/entities/bypol.yaml")  # leaked-order.yaml still names bypol
    result = git(hooked_repo, "commit", "-m", "remove BYPOL")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "claims/leaked-order.yaml:10:11: unknown entity 'bypol'" in output
    assert git(hooked_repo, "rev-list", "--count", "HEAD").stdout.strip() == "1"  # nothing was committed


def test_the_hook_fails_a_merge_that_deletes_an_entity(hooked_repo: Path) -> None:
    git(hooked_repo, "switch", "--quiet", "-c", "cleanup")
    git(hooked_repo, "rm", "--quiet", "claims/entities/bypol.yaml")
    assert git(hooked_repo, "commit", "--quiet", "--no-verify", "-m", "remove BYPOL").returncode == 0
    git(hooked_repo, "switch", "--quiet", "main")
    result = git(hooked_repo, "merge", "--no-ff", "-m", "merge cleanup", "cleanup")
    assert result.returncode != 0
    assert "unknown entity 'bypol'" in result.stdout + result.stderr


# --------------------------------------------------------------------------- the contributor guides


def headings(path: Path) -> list[str]:
    return re.findall(r"^## (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)


def test_the_site_page_carries_the_guide() -> None:
    guide, page = ROOT / "CONTRIBUTING.md", ROOT / "docs" / "contributing.md"
    assert [h for h in headings(guide) if h != "Working on the code"] == [
        h for h in headings(page) if h != "The full guide"
    ]
    for text in (guide.read_text(encoding="utf-8"), page.read_text(encoding="utf-8")):
        for command in ('claimsite new "', "claimsite diff origin/main", "claimsite check"):
            assert command in text


def test_the_guide_names_every_field() -> None:
    from claimsite.model import Claim, Source

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for name in [*Claim.model_fields, *Source.model_fields]:
        assert f"`{name}`" in text, name


def test_the_filled_example_is_a_valid_claim() -> None:
    from conftest import TODAY

    from claimsite.load import parse_text
    from claimsite.model import Claim
    from claimsite.rules.claim import check_claim
    from claimsite.validate import validate

    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    example = re.search(r"^```yaml\n(title:.*?)^```$", text, re.MULTILINE | re.DOTALL)
    assert example
    doc = parse_text("example.yaml", example.group(1))
    claim, problems = validate(doc, Claim)
    assert claim is not None and problems == []
    assert check_claim(doc, claim, "example", TODAY) == []
