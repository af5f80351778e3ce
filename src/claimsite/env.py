"""What a build takes from its surroundings: SOURCE_DATE_EPOCH and the git revision of the claims.

SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/) is parsed here and
nowhere else, so the PDF's edition date, the first history entry of `claimsite new`, the zip's
timestamps and MkDocs' build date agree, and a bad value is one clear `ConfigError` everywhere.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from claimsite.errors import ConfigError

SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"

UNKNOWN_REVISION = "unknown"
"""What `source_revision` gives outside a git repository."""


def source_datetime(environ: Mapping[str, str] = os.environ) -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as an aware UTC datetime; None when it is not set.

    Raises ConfigError when it is set to anything but a whole number of seconds (an empty value
    included: MkDocs, which reads the variable too, would fail on it).
    """
    raw = environ.get(SOURCE_DATE_EPOCH)
    if raw is None:
        return None
    problem = f"{SOURCE_DATE_EPOCH} must be a whole number of seconds since 1970-01-01, not '{raw.strip()}'"
    if not raw.strip().isdigit():
        raise ConfigError(problem)
    try:
        return dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (OverflowError, OSError, ValueError):  # beyond the years a date can hold, or digits int() refuses
        raise ConfigError(problem) from None


def source_date(environ: Mapping[str, str] = os.environ) -> dt.date | None:
    """The UTC date of SOURCE_DATE_EPOCH; None when it is not set."""
    when = source_datetime(environ)
    return None if when is None else when.date()


def build_date(environ: Mapping[str, str] = os.environ) -> dt.date:
    """The date a build is of: SOURCE_DATE_EPOCH's when set (reproducible builds), else today."""
    return source_date(environ) or dt.date.today()


def source_revision(folder: Path) -> str:
    """`git rev-parse --short HEAD` of the repository holding `folder`, or 'unknown' outside git.

    `-dirty` is added when files under `folder` have uncommitted changes.
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return UNKNOWN_REVISION
    # A PDF built from edited files must not pass for the commit it started from.
    return commit + ("-dirty" if git("status", "--porcelain", "--", ".") else "")
