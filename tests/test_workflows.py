"""GitHub workflows, the issue form and the pre-commit files: linted offline, and held to our rules.

check-jsonschema ships the schemas of GitHub workflows and issue forms inside its wheel
(`--builtin-schema vendor.*`), so the lint needs no network; pre-commit validates its own files.
"""

from __future__ import annotations

import re
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
    assert [p.name for p in WORKFLOWS] == ["deploy.yml", "pr.yml"]


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


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_major_version(path: Path) -> None:
    for step in steps(load(path)):
        if "uses" in step:
            assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_common_rules(path: Path) -> None:
    workflow = load(path)
    assert workflow["env"]["NO_MKDOCS_2_WARNING"] == "1"
    assert workflow["permissions"] == {"contents": "read"}  # jobs ask for more only where needed
    commands = "\n".join(runs(workflow))
    assert "--dirty" not in commands  # a dirty build has a partial search index
    assert "claimsite check --format github" in commands
    assert "claimsite build" in commands
    assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)" claimsite build --pdf --offline' in commands
    python = next(s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"


def test_pull_request_workflow() -> None:
    workflow = load(GITHUB / "workflows" / "pr.yml")
    assert list(workflow["on"]) == ["pull_request"]
    checkout = steps(workflow)[0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    names = [step.get("name", step.get("uses")) for step in steps(workflow)]
    build = "Build the site (strict), the PDF edition and the offline copy"
    assert names.index("Check claims") < names.index("Tests") < names.index(build) < names.index("Keep the built site")
    summary = step_named(workflow, "Summarise the change")
    assert summary["run"] == 'claimsite diff "origin/$BASE_REF" HEAD >> "$GITHUB_STEP_SUMMARY"'
    assert summary["env"]["BASE_REF"] == "${{ github.base_ref }}"  # never pasted into the script itself
    assert "pip install -e '.[test]'" in step_named(workflow, "Install")["run"]
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
