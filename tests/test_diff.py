"""`claimsite diff`: a reviewer's summary of a change, from a real git history made in a temporary folder."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm  # type: ignore[import-untyped]
import markdown
import pytest
from click.testing import CliRunner

from claimsite.cli import main
from claimsite.diff import diff_claims
from claimsite.load import parse_text
from claimsite.text import gfm_text, log_line


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
        ## Claims: c0 → c5

        Claims: 1 added, 1 removed, 1 renamed, 3 changed; 2 status changes.

        ### Added

        - added: Added claim (alleged, 2 sources)

        ### Removed

        - dropped: Dropped claim

        ### Renamed

        - old-name → new-name: Renamed claim
          - fields changed: renamed_from

        ### Status changes

        - flipped: alleged → **disputed**. Reason: Accounts conflict.
        - promoted: alleged → **corroborated**. Reason: A second, independent source.

        ### Changed

        - flipped: Flipped claim
          - fields changed: status_reason, history
        - promoted: Promoted claim
          - fields changed: status_reason, history
        - sourced: Sourced claim
          - sources added: <https://new.example/y>
          - sources removed: <https://old.example/x>
          - fields changed: sources

        ### Entities

        - added: viasna (organisation): Viasna

        ### Problems

        """) + (
        "- claims/flipped.yaml: status changed from 'alleged' to 'disputed' without a history "
        "entry; add one at the end of history: {date: YYYY-MM-DD, status: disputed, note: why}\n"
        + "".join(
            f"- claims/{name}.yaml: warning: sources\\[{n}\\] (s{n + 1}) is new and has no archived copy; "
            f"{NO_ARCHIVE}\n"
            for name, n in (("sourced", 1), ("added", 0), ("added", 1))
        )
    )
    assert code == 1, "warnings alone do not fail the diff"
    assert err == (
        "claims/flipped.yaml:3:9: status changed from 'alleged' to 'disputed' without a history "
        "entry; add one at the end of history: {date: YYYY-MM-DD, status: disputed, note: why} "
        "[history-records-status-change]\n"
    ) + "".join(
        f"claims/{name}.yaml:{line}:5: warning: sources[{n}] (s{n + 1}) is new and has no archived copy; {NO_ARCHIVE} "
        "[new-source-needs-archive]\n"
        for name, n, line in (("sourced", 1, 7), ("added", 0, 6), ("added", 1, 7))
    )


NO_ARCHIVE = "add archive_url and archive_date, or capture it (claimsite sources archive) and apply the patch"


def test_status_change_with_a_history_entry_passes(repo: Repo) -> None:
    code, out, err = run_diff("c0", "c1")
    assert code == 0, err
    assert out == textwrap.dedent("""\
        ## Claims: c0 → c1

        Claims: 1 changed; 1 status change.

        ### Status changes

        - promoted: alleged → **corroborated**. Reason: A second, independent source.

        ### Changed

        - promoted: Promoted claim
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
    assert out == ("## Claims: c3 → c4\n\nClaims: 1 removed.\n\n### Removed\n\n- dropped: Dropped claim\n")


def test_nothing_changed(repo: Repo) -> None:
    assert run_diff("c5", "HEAD") == (0, "## Claims: c5 → HEAD\n\nNo claim or entity changed.\n", "")
    assert run_diff("c5") == (0, "## Claims: c5 → the working tree\n\nNo claim or entity changed.\n", "")


def test_head_defaults_to_the_working_tree_with_new_and_edited_files(repo: Repo) -> None:
    result = CliRunner().invoke(main, ["new", "Not yet committed", "--today", "2026-11-20"])
    assert result.exit_code == 0, result.output
    repo.write("added.yaml", claim("Added claim, title fixed", urls=("https://a.example/1", "https://b.example/2")))
    code, out, _ = run_diff("c5")
    assert code == 0
    assert out == textwrap.dedent("""\
        ## Claims: c5 → the working tree

        Claims: 1 added, 1 changed.

        ### Added

        - not-yet-committed: *cannot be read*

        ### Changed

        - added: Added claim, title fixed
          - fields changed: title

        ### Cannot be read

        - claims/not-yet-committed.yaml (after): line 8: statement is empty; fill it in (and 6 more)
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
    assert unreadable[0].startswith("- claims/added.yaml (after): line 2: YAML syntax error: ")
    assert unreadable[1] == "- claims/binary.yaml (after): file is not UTF-8"
    assert "- added: *cannot be read*\n  - cannot be read (see below)\n" in out


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
    assert "- added: Added claim\n  - formatting or comments only\n" in out


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
        "- x: &lt;img src=x onerror=alert(1)&gt; \\*bold\\* \\[link\\](javascript:x) \\`code\\` (alleged, 1 source)"
    ) in result.markdown


def test_rename_needs_the_old_id_removed() -> None:
    """A new claim naming an id that still exists (or never did) is added, not renamed."""
    base = {"kept.yaml": claim("Kept")}
    head = {**base, "new.yaml": claim("New", renamed_from=("kept", "ghost"))}
    result = diff_claims(base, head, base_label="main")
    assert "### Added\n\n- new: New (alleged, 1 source)\n" in result.markdown
    assert "Renamed" not in result.markdown


def test_a_renamed_claim_keeps_its_status_history_policy() -> None:
    base = {"old.yaml": claim("Old")}
    head = {"new.yaml": claim("New", "confirmed", renamed_from=("old",), history=(("2021-01-15", "confirmed"),))}
    result = diff_claims(base, head, base_label="main")
    assert "- old → new: New\n" in result.markdown
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
    assert "- claims/flip.yaml: warning: status changed to 'corroborated'" in result.markdown


# --------------------------------------------------------------------------- hostile names and values
#
# Claim files come from strangers' pull requests. Whatever a file's name or a quoted value holds, the
# summary must render (as GitHub renders it: cmark-gfm) to the elements it has for a plain name, with the
# payload's text visible, and neither the summary nor the log may carry a GitHub workflow command.

HOSTILE = {
    "image": "![x](https:__evil.example_i.png)",  # no "/" in these: each is also a file name
    "raw HTML": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)<\\script>",
    "link": "[link](javascript:alert(1))",
    "reference link": "[x][1] [1]: javascript:alert(1)",
    "entity": "&lt;img src=x onerror=alert(1)&gt; &#60;b&#62;",
    "code span break-out": "x`` <img src=x onerror=alert(1)> ``y` `z",
    "emphasis": "*bold* **strong** _em_ __em__ ~~struck~~ ~x~ $math$",
    "bare links": "www.evil.example a@evil.example xmpp:a@evil.example",
    "table": "a | b\n|---|---|\n| c | d |",
    "heading": "# Heading",
    "indented code": "     code block",
    "heading after a line break": "x\n# Heading\n<b>bold\n===",
    "list and quote after a line break": "x\n- item\n> quote\n1. one",
    "workflow command": "::error file=claims_x.yaml,line=1::pwned",
    "command after a line break": "x\n::add-mask::secret",
    "indented command": "x\n   ::stop-commands::token",
    "command after a carriage return": "x\r::error::pwned",
    "percent-encoded line break": "x%0A::error::pwned%0D%0A::warning::y",
    "legacy command": "##[error]pwned ##[add-mask]secret",
    "terminal escapes": "\x1b[31mred\x1b[0m \x1b]8;;https:__evil.example\x07link\x1b]8;;\x07 \x08\x7f",
    "Unicode line breaks": "x\u2028::error::a\u2029::error::b\x85::error::c\x0b::error::d\x1c::error::e",
    "bidirectional overrides": "\u202egnp.exe\u202c \u2066x\u2069 \u200fy",
    "zero-width characters": "a\u200bb\ufeffc\u2060d",
}
"""Payloads, each a file name (with .yaml added) and the value of each quoted field."""

HOSTILE_TEXT = {
    **HOSTILE,
    "NUL": "x\x00::error::y",
    "bare URL": "see https://evil.example/x and HTTP://evil.example/y",
    "closing tags": "</li></ul><h1>x</h1><ul><li>",
    "image with a path": "![x](https://evil.example/i.png)",
}
"""More payloads for fields only (a file name cannot hold a '/')."""

PLAIN = "Plain text"
"""What each payload is compared with: the summary's elements for this are the only ones allowed."""


class Elements(HTMLParser):
    """The start tags (with attributes), comments and declarations of an HTML page, and its text."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.tags.append(("<!--", [("data", data)]))

    def handle_decl(self, decl: str) -> None:
        self.tags.append(("<!", [("data", decl)]))

    def handle_pi(self, data: str) -> None:
        self.tags.append(("<?", [("data", data)]))

    def handle_data(self, data: str) -> None:
        self.text += data


def github_html(markdown_text: str) -> str:
    """The summary as GitHub renders it (cmark-gfm with its extensions; raw HTML kept, to be seen)."""
    return str(cmarkgfm.github_flavored_markdown_to_html(markdown_text, cmarkgfm.Options.CMARK_OPT_UNSAFE))


def python_markdown_html(markdown_text: str) -> str:
    """The summary as Python-Markdown renders it (the site's parser: a second opinion on the structure)."""
    return str(markdown.markdown(markdown_text, extensions=["tables"]))


def visible_parts(payload: str) -> list[str]:
    """The runs of the payload that must be shown: everything but whitespace and unprintable characters."""
    return "".join(ch if ch.isprintable() else " " for ch in payload).split()


def assert_inert(summary: str, plain_summary: str, payload: str) -> None:
    """The summary renders to the same elements as for a plain value, and shows the payload's text."""
    for render in (github_html, python_markdown_html):
        assert Elements(render(summary)).tags == Elements(render(plain_summary)).tags, render.__name__
    # the one invisible character added: a word joiner before '@', without which GitHub links an address
    shown = Elements(github_html(summary)).text.replace("\u2060@", "@")
    for part in visible_parts(payload):
        assert part in shown
    unprintable = {ch for ch in shown if not ch.isprintable() and ch != "\n" and unicodedata.category(ch) != "Zs"}
    assert not unprintable, "line breaks, control and format characters are shown as escapes"
    assert_no_workflow_commands(summary)


def assert_no_workflow_commands(output: str) -> None:
    """No line GitHub's runner would take as a command: `::` leading a line (after spaces), `##[` anywhere.

    `splitlines` breaks at every line separator Python knows, more than the runner does.
    """
    for line in output.splitlines():
        assert not line.lstrip().startswith("::"), line
    assert "##[" not in output
    assert not {ch for ch in output if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\n"}


def quoted(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value` (JSON strings are YAML)."""
    return json.dumps(value)


def field_change(field: str, value: str) -> tuple[dict[str, str], dict[str, str]]:
    """Base and head snapshots in which the summary quotes `value` as `field`."""
    base = {"x.yaml": claim("Old title")}
    if field == "title":
        return base, {"x.yaml": claim(quoted(value))}
    if field == "status_reason":
        history = (("2021-01-15", "alleged"), ("2021-02-01", "disputed"))
        return base, {"x.yaml": claim("Old title", "disputed", reason=quoted(value), history=history)}
    if field == "entity name":
        return {}, {"entities/e.yaml": ENTITY.replace("BYPOL", quoted(value))}
    # a value the schema refuses is quoted in the reason the file cannot be read
    assert field == "refused value"
    return base, {"x.yaml": claim("Old title", renamed_from=(quoted(value),))}


QUOTED_FIELDS = ("title", "status_reason", "entity name", "refused value")


@pytest.mark.parametrize("field", QUOTED_FIELDS)
@pytest.mark.parametrize("payload", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_quoted_values_are_inert(field: str, payload: str) -> None:
    base, head = field_change(field, payload)
    summary = diff_claims(base, head, base_label="main").markdown
    if refused_by_the_loader(head):
        # `claimsite check` refuses the value before anything quotes it (no-control-characters): the
        # summary says the file cannot be read, as it does for a plain refused value, and shows no part of it.
        plain = diff_claims(*field_change(field, "bell\x07"), base_label="main").markdown
        assert "control character" in summary
        assert_inert(summary, plain, "")
        return
    plain = diff_claims(*field_change(field, PLAIN), base_label="main").markdown
    assert_inert(summary, plain, payload)


def refused_by_the_loader(files: dict[str, str]) -> bool:
    return any(
        problem.rule == "no-control-characters" for text in files.values() for problem in parse_text("x", text).problems
    )


def hostile_history(root: Path, name: str) -> Repo:
    """Tag `base`, then a commit in which the claim `name` changes status without a history entry, the
    entity `name` is added and so is the unreadable `name.yml`: the file name in every section and the log."""
    repo = Repo(root)
    repo.write(f"{name}.yaml", claim("Named claim"))
    repo.commit("base")
    repo.git("tag", "base")
    repo.write(f"{name}.yaml", claim("Named claim", "disputed", reason="Accounts conflict."))
    repo.write(f"entities/{name}.yaml", ENTITY)
    repo.write(f"{name}.yml", "title: [unclosed\n")
    repo.commit("head")
    return repo


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_file_names_are_inert(payload: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(hostile_history(tmp_path / "plain", PLAIN).root)
    plain_code, plain_out, plain_err = run_diff("base", "HEAD")
    monkeypatch.chdir(hostile_history(tmp_path / "hostile", payload).root)
    code, out, err = run_diff("base", "HEAD")
    assert (code, plain_code) == (1, 1)
    for section in ("### Changed", "### Status changes", "### Entities", "### Cannot be read", "### Problems"):
        assert section in plain_out
    assert_inert(out, plain_out, payload)
    assert_no_workflow_commands(err)
    assert len(err.splitlines()) == len(plain_err.splitlines()) == 1
    for part in visible_parts(payload):
        assert part.replace("\\", "") in err.replace("\\", "")  # the log's escapes add backslashes


@pytest.mark.parametrize(
    "name", ["::error file=a,line=1::pwned", "  ::add-mask::secret", "\u3000::stop-commands::token", "##[error]x"]
)
def test_a_file_name_leading_a_log_line(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the claims at the top of the repository, a problem's line in the log begins with the file name."""
    repo = Repo(tmp_path / "repo")
    monkeypatch.chdir(repo.root)
    (repo.root / f"{name}.yaml").write_text(claim("Named claim"), encoding="utf-8")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "base")
    (repo.root / f"{name}.yaml").write_text(claim("Named claim", "disputed", reason="Conflict."), encoding="utf-8")
    code, out, err = run_diff("HEAD", "--claims", ".")
    assert code == 1
    assert err.lstrip().removeprefix("\\").lstrip().startswith(name.strip().replace("##[", "##\\["))
    assert_no_workflow_commands(out)
    assert_no_workflow_commands(err)


@pytest.mark.parametrize("revision", ["x\n::error::pwned", "x\r::error::pwned", "##[error]pwned", "x\u2028y"])
def test_a_revision_in_an_error_message_is_inert(revision: str, repo: Repo) -> None:
    result = CliRunner().invoke(main, ["diff", revision])
    assert result.exit_code == 2
    assert result.output.startswith("Error: '") and "is not a commit" in result.output
    assert len(result.output.splitlines()) == 1
    assert_no_workflow_commands(result.output)


def test_source_addresses_are_their_own_links_only() -> None:
    """A source's address is a link to itself; the characters a checked URL may still hold stay in it."""
    odd = "https://a.example/*x*_y_[z](javascript:alert(1))~~s~~$m$@b.example\u200f"
    base = {"x.yaml": claim("X")}
    head = {"x.yaml": claim("X", urls=("https://a.example/1", odd))}
    summary = diff_claims(base, head, base_label="main").markdown
    assert "- sources added: <https://a.example/*x*_y_[z](javascript:alert(1))~~s~~$m$@b.example%E2%80%8F>" in (summary)
    page = Elements(github_html(summary))
    links = [dict(attrs)["href"] for tag, attrs in page.tags if tag == "a"]
    assert links == ["https://a.example/*x*_y_%5Bz%5D(javascript:alert(1))~~s~~$m$@b.example%E2%80%8F"]
    assert [tag for tag, _ in page.tags][:9] == ["h2", "p", "h3", "ul", "li", "ul", "li", "a", "li"]


def test_unprintable_characters_are_shown_as_escapes() -> None:
    # (control characters, line separators and bidi overrides never get this far: the loader refuses them)
    head = {"x.yaml": claim(quoted("a\u200bb\u2066c\u202cd\te\nf  g"))}
    summary = diff_claims({}, head, base_label="main").markdown
    # spaces, tabs and newlines in a value are its YAML layout: one space; the rest is shown as escapes
    assert "- x: a\\\\u200bb\\\\u2066c\\\\u202cd e f g (alleged, 1 source)\n" in summary
    assert "a\\u200bb\\u2066c\\u202cd e f g (alleged, 1 source)" in Elements(github_html(summary)).text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("old-name", "old-name"),  # what ids and paths are made of stays as it is
        ("claims/entities/a_b.yaml", "claims/entities/a_b.yaml"),
        ("A claim, (it said): 'yes'! #1", "A claim, (it said): 'yes'! #1"),
        (
            "*a* _b_ __c__ `d` [e] |f| ~g~ $h$ \\i",
            "\\*a\\* \\_b\\_ \\_\\_c\\_\\_ \\`d\\` \\[e\\] \\|f\\| \\~g\\~ \\$h\\$ \\\\i",
        ),
        ("<b>&amp;</b>", "&lt;b&gt;&amp;amp;&lt;/b&gt;"),
        ("# x", "\\# x"),  # the text may begin a list item, where `# x` is a heading
        ("- x", "\\- x"),
        ("12. x", "12\\. x"),
        ("    x", "&#32;   x"),  # four spaces more would make a code block
        ("::error::x", "\\::error::x"),
        ("https://e.example www.e.example a@e.example", "https\\://e.example www\\.e.example a&#x2060;@e.example"),
        ("a\nb\u2028c\x1bd\u202ee", "a\\\\nb\\\\u2028c\\\\x1bd\\\\u202ee"),
    ],
)
def test_gfm_text(text: str, escaped: str) -> None:
    assert gfm_text(text) == escaped


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("claims/a.yaml:3:9: message", "claims/a.yaml:3:9: message"),
        ("::error::x", "\\::error::x"),
        (" \u3000::error::x", "\\ \u3000::error::x"),
        ("a ##[error]x", "a ##\\[error]x"),
        ("a\nb\r::c\x1b[0m\u2028", "a\\nb\\r::c\\x1b[0m\\u2028"),
    ],
)
def test_log_line(text: str, line: str) -> None:
    assert log_line(text) == line


def test_problems_are_github_annotations_with_format_github(repo: Repo) -> None:
    code, _out, err = run_diff("--format", "github", "c0", "c5")
    assert code == 1
    assert "::error file=claims/flipped.yaml,line=3,col=9,title=history-records-status-change::" in err
    assert "::warning file=claims/added.yaml,line=6,col=5,title=new-source-needs-archive::sources[0] (s1)" in err


def test_the_rule_settings_of_mkdocs_yml_apply(repo: Repo) -> None:
    """A rule the project turns off reports nothing; a rule it raises to an error fails the diff."""
    settings = "plugins:\n  - claimsite:\n      rules:\n        new-source-needs-archive: {}\n"
    (repo.root / "mkdocs.yml").write_text(settings.format("off"), encoding="utf-8")
    code, out, err = run_diff("c4", "c5")
    assert code == 0
    assert "no archived copy" not in out + err
    assert "rules turned off in mkdocs.yml: new-source-needs-archive" in err
    (repo.root / "mkdocs.yml").write_text(settings.format("error"), encoding="utf-8")
    code, out, err = run_diff("c4", "c5")
    assert code == 1
    assert "claims/added.yaml:6:5: sources[0] (s1) is new and has no archived copy" in err
    assert "warning" not in err
