"""`claimsite diff`: a reviewer's summary of a change, from a real git history made in a temporary folder."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimsite.cli import main
from claimsite.diff import diff_claims


def claim(
    title: str,
    status: str = "alleged",
    *,
    urls: tuple[str, ...] = ("https://a.example/1",),
    history: tuple[tuple[str, str], ...] = (("2021-01-15", "alleged"),),
    reason: str = "One source.",
    renamed_from: tuple[str, ...] = (),
) -> str:
    """A valid claim file with the given title, status, source addresses and history."""
    sources = "".join(
        f"  - {{id: s{i}, url: '{url}', title: Source {i}, publisher: P, published: 2021, language: en, "
        f"kind: news, relation: supports}}\n"
        for i, url in enumerate(urls, 1)
    )
    entries = "".join(f"  - {{date: {date}, status: {s}}}\n" for date, s in history)
    renamed = f"renamed_from: [{', '.join(renamed_from)}]\n" if renamed_from else ""
    return (
        f"title: {title}\nstatement: Someone said something.\nstatus: {status}\n"
        f"status_reason: {reason}\n{renamed}sources:\n{sources}history:\n{entries}"
    )


ENTITY = "kind: organisation\nname: BYPOL\nrole: An initiative of former security officers.\n"


class Repo:
    """A git repository in a temporary folder, with helpers to write files and commit."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir()
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        result = subprocess.run(
            ["git", "-c", "commit.gpgsign=false", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def write(self, path: str, text: str) -> None:
        target = self.root / "claims" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def remove(self, path: str) -> None:
        (self.root / "claims" / path).unlink()

    def commit(self, message: str) -> str:
        self.git("add", "-A", "claims")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "--short", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """A history of small changes, one per commit, tagged c0 to c5."""
    repo = Repo(tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    repo.write("promoted.yaml", claim("Promoted claim"))
    repo.write("flipped.yaml", claim("Flipped claim"))
    repo.write("sourced.yaml", claim("Sourced claim", urls=("https://a.example/1", "https://old.example/x")))
    repo.write("dropped.yaml", claim("Dropped claim"))
    repo.write("old-name.yaml", claim("Renamed claim"))
    repo.write("entities/bypol.yaml", ENTITY)
    repo.commit("c0: first claims")
    repo.git("tag", "c0")

    repo.write(
        "promoted.yaml",
        claim(
            "Promoted claim",
            "corroborated",
            reason="A second, independent source.",
            history=(("2021-01-15", "alleged"), ("2021-02-01", "corroborated")),
        ),
    )
    repo.commit("c1: status change with a history entry")
    repo.git("tag", "c1")

    # the status changed and the last history entry was edited instead of a new one being added
    repo.write(
        "flipped.yaml",
        claim("Flipped claim", "disputed", reason="Accounts conflict.", history=(("2021-01-15", "disputed"),)),
    )
    repo.commit("c2: status change without a history entry")
    repo.git("tag", "c2")

    repo.write("sourced.yaml", claim("Sourced claim", urls=("https://a.example/1", "https://new.example/y")))
    repo.commit("c3: a source replaced")
    repo.git("tag", "c3")

    repo.remove("dropped.yaml")
    repo.commit("c4: a claim removed")
    repo.git("tag", "c4")

    repo.remove("old-name.yaml")
    repo.write("new-name.yaml", claim("Renamed claim", renamed_from=("old-name",)))
    repo.write("added.yaml", claim("Added claim", urls=("https://a.example/1", "https://b.example/2")))
    repo.write("entities/viasna.yaml", ENTITY.replace("BYPOL", "Viasna"))
    repo.commit("c5: a claim renamed, one added")
    repo.git("tag", "c5")
    return repo


def run_diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["diff", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_whole_history(repo: Repo) -> None:
    code, out, err = run_diff("c0", "c5")
    assert out == textwrap.dedent("""\
        ## Claims: `c0` → `c5`

        Claims: 1 added, 1 removed, 1 renamed, 3 changed; 2 status changes.

        ### Added

        - `added`: Added claim (alleged, 2 sources)

        ### Removed

        - `dropped`: Dropped claim

        ### Renamed

        - `old-name` → `new-name`: Renamed claim
          - fields changed: renamed_from

        ### Status changes

        - `flipped`: alleged → **disputed**. Reason: Accounts conflict.
        - `promoted`: alleged → **corroborated**. Reason: A second, independent source.

        ### Changed

        - `flipped`: Flipped claim
          - fields changed: status_reason, history
        - `promoted`: Promoted claim
          - fields changed: status_reason, history
        - `sourced`: Sourced claim
          - sources added: <https://new.example/y>
          - sources removed: <https://old.example/x>
          - fields changed: sources

        ### Entities

        - added: `viasna` (organisation): Viasna

        ### Problems

        """) + (
        "- `claims/flipped.yaml`: status changed from 'alleged' to 'disputed' without a history "
        "entry; add one at the end of history: {date: YYYY-MM-DD, status: disputed, note: why}\n"
    )
    assert code == 1
    assert err == (
        "claims/flipped.yaml:3:9: status changed from 'alleged' to 'disputed' without a history "
        "entry; add one at the end of history: {date: YYYY-MM-DD, status: disputed, note: why} "
        "[history-records-status-change]\n"
    )


def test_status_change_with_a_history_entry_passes(repo: Repo) -> None:
    code, out, err = run_diff("c0", "c1")
    assert code == 0, err
    assert out == textwrap.dedent("""\
        ## Claims: `c0` → `c1`

        Claims: 1 changed; 1 status change.

        ### Status changes

        - `promoted`: alleged → **corroborated**. Reason: A second, independent source.

        ### Changed

        - `promoted`: Promoted claim
          - fields changed: status_reason, history
        """)


def test_status_change_without_a_history_entry_fails(repo: Repo) -> None:
    code, out, err = run_diff("c1", "c2")
    assert code == 1
    assert "### Problems" in out
    assert err.startswith("claims/flipped.yaml:3:9: status changed from 'alleged' to 'disputed' without")


def test_a_removed_claim(repo: Repo) -> None:
    code, out, _ = run_diff("c3", "c4")
    assert code == 0
    assert out == ("## Claims: `c3` → `c4`\n\nClaims: 1 removed.\n\n### Removed\n\n- `dropped`: Dropped claim\n")


def test_nothing_changed(repo: Repo) -> None:
    assert run_diff("c5", "HEAD") == (0, "## Claims: `c5` → `HEAD`\n\nNo claim or entity changed.\n", "")
    assert run_diff("c5") == (0, "## Claims: `c5` → the working tree\n\nNo claim or entity changed.\n", "")


def test_head_defaults_to_the_working_tree_with_new_and_edited_files(repo: Repo) -> None:
    result = CliRunner().invoke(main, ["new", "Not yet committed", "--today", "2026-11-20"])
    assert result.exit_code == 0, result.output
    repo.write("added.yaml", claim("Added claim, title fixed", urls=("https://a.example/1", "https://b.example/2")))
    code, out, _ = run_diff("c5")
    assert code == 0
    assert out == textwrap.dedent("""\
        ## Claims: `c5` → the working tree

        Claims: 1 added, 1 changed.

        ### Added

        - `not-yet-committed`: *cannot be read*

        ### Changed

        - `added`: Added claim, title fixed
          - fields changed: title

        ### Cannot be read

        - `claims/not-yet-committed.yaml` (after): line 8: statement is empty; fill it in (and 6 more)
        """)


def test_unreadable_files_are_listed_not_raised(repo: Repo) -> None:
    repo.write("added.yaml", "title: [unclosed\n")
    repo.write("binary.yaml", "")
    (repo.root / "claims" / "binary.yaml").write_bytes(b"title: \xff\xfe\n")
    code, out, err = run_diff("c5")
    assert code == 0
    assert "Traceback" not in out + err
    unreadable = out.split("### Cannot be read\n\n")[1].splitlines()
    assert len(unreadable) == 2
    # the rest of the message is the loader's wording
    assert unreadable[0].startswith("- `claims/added.yaml` (after): line 2: YAML syntax error: ")
    assert unreadable[1] == "- `claims/binary.yaml` (after): file is not UTF-8"
    assert "- `added`: *cannot be read*\n  - cannot be read (see below)\n" in out


def test_special_files_in_the_working_tree_are_not_opened(repo: Repo) -> None:
    os.mkfifo(repo.root / "claims" / "pipe.yaml")  # reading it would wait for a writer forever
    (repo.root / "claims" / "folder.yaml").mkdir()
    code, out, err = run_diff("c5")
    assert code == 0 and "Traceback" not in out + err
    assert "pipe" not in out and "folder" not in out  # `claimsite check` reports them, the diff skips them


def test_formatting_only(repo: Repo) -> None:
    repo.write(
        "added.yaml", "# a comment\n" + claim("Added claim", urls=("https://a.example/1", "https://b.example/2"))
    )
    code, out, _ = run_diff("c5")
    assert code == 0
    assert "- `added`: Added claim\n  - formatting or comments only\n" in out


def test_unknown_revision_is_a_usage_error(repo: Repo) -> None:
    result = CliRunner().invoke(main, ["diff", "origin/main"])
    assert result.exit_code == 2
    assert result.output == (
        "Error: 'origin/main' is not a commit in this repository (fetch it first: git fetch origin main)\n"
    )


def test_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "claims").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = CliRunner().invoke(main, ["diff", "HEAD"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "git repository" in result.output


def test_titles_are_inert_markdown() -> None:
    head = {"x.yaml": claim("'<img src=x onerror=alert(1)> *bold* [link](javascript:x) `code`'")}
    result = diff_claims({}, head, base_label="main")
    assert (
        "- `x`: &lt;img src=x onerror=alert(1)&gt; \\*bold\\* \\[link\\](javascript:x) \\`code\\` (alleged, 1 source)"
    ) in result.markdown


def test_rename_needs_the_old_id_removed() -> None:
    """A new claim naming an id that still exists (or never did) is added, not renamed."""
    base = {"kept.yaml": claim("Kept")}
    head = {**base, "new.yaml": claim("New", renamed_from=("kept", "ghost"))}
    result = diff_claims(base, head, base_label="main")
    assert "### Added\n\n- `new`: New (alleged, 1 source)\n" in result.markdown
    assert "Renamed" not in result.markdown


def test_a_renamed_claim_keeps_its_status_history_policy() -> None:
    base = {"old.yaml": claim("Old")}
    head = {"new.yaml": claim("New", "confirmed", renamed_from=("old",), history=(("2021-01-15", "confirmed"),))}
    result = diff_claims(base, head, base_label="main")
    assert "- `old` → `new`: New\n" in result.markdown
    assert [p.message.split(";")[0] for p in result.problems] == [
        "status changed from 'alleged' to 'confirmed' without a history entry",
        "status changed to 'confirmed' but status_reason is unchanged",
    ]


def test_a_status_change_with_the_old_reason_is_a_warning() -> None:
    base = {"flip.yaml": claim("Flip")}
    history = (("2021-01-15", "alleged"), ("2021-02-01", "corroborated"))
    head = {"flip.yaml": claim("Flip", "corroborated", history=history)}
    result = diff_claims(base, head, base_label="main")
    assert [str(p) for p in result.problems] == [
        "claims/flip.yaml:4:16: warning: status changed to 'corroborated' but status_reason is unchanged; "
        "say why the claim now has this status [reason-changes-with-status]"
    ]
    assert "- `claims/flip.yaml`: warning: status changed to 'corroborated'" in result.markdown
