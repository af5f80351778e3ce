"""Errors a user can cause and fix: a bad option, a bad environment, a build that cannot finish.

Every one is a `click.ClickException`, so a command only has to let it through: click prints
`Error: <message>` on stderr and exits with the class's `exit_code`, never with a traceback.
Errors in the claim files themselves are not exceptions but `Problem`s (see `claimsite.problems`).
"""

from __future__ import annotations

import click

from claimsite.text import log_line


class ClaimsiteError(click.ClickException):
    """A user error; the message says what is wrong and, where it can, what to do instead."""

    exit_code = 1


class ConfigError(ClaimsiteError):
    """The configuration or the environment is unusable: mkdocs.yml, SOURCE_DATE_EPOCH, ..."""


class BuildError(ClaimsiteError):
    """The site could not be built (MkDocs refused it)."""


class PdfError(ClaimsiteError):
    """The PDF edition could not be made."""


class ScaffoldError(ClaimsiteError):
    """`claimsite new` cannot write the file asked for."""


class GitError(ClaimsiteError):
    """git could not give what `claimsite diff` needs (not a repository, not a commit, ...).

    The message quotes revisions, paths and git's own words; it is made one inert log line
    (`text.log_line`), since `claimsite diff` runs in CI on pull requests.
    """

    exit_code = 2  # a usage error, like a bad option: the revisions are the command's arguments

    def __init__(self, message: str) -> None:
        super().__init__(log_line(message))
