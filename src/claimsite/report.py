"""Problems out: text for people, GitHub annotations and JSON for machines."""

from __future__ import annotations

import json
from collections.abc import Sequence

from claimsite.problems import Problem, Severity
from claimsite.text import visible

FORMATS = ("text", "github", "json")


def _escape_github(value: str, *, prop: bool = False) -> str:
    # Workflow commands use %-escapes; property values also escape ':' and ','. Controls are written
    # as visible escapes first, so no value can end the command or start another line.
    value = visible(value).replace("##[", "##\\[").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def summary(problems: Sequence[Problem], claims: int, entities: int) -> str:
    """The closing line: a count of problems, or what was checked."""
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    if not problems:
        return f"ok: {claims} claims, {entities} entities"
    bad_files = len({p.path for p in problems})
    noun = "problem" if len(problems) == 1 else "problems"
    detail = f" ({errors} errors, {warnings} warnings)" if warnings else ""
    return f"{len(problems)} {noun}{detail} in {bad_files} {'file' if bad_files == 1 else 'files'}"


def format_problems(problems: Sequence[Problem], fmt: str) -> str:
    """All problems in one of FORMATS (without the summary line)."""
    if fmt == "json":
        return json.dumps(
            [
                {
                    "path": p.path,
                    "line": p.line,
                    "col": p.col,
                    "severity": str(p.severity),
                    "rule": p.rule,
                    "message": p.message,
                }
                for p in problems
            ],
            ensure_ascii=False,
            indent=2,
        )
    if fmt == "github":
        return "\n".join(
            f"::{p.severity} file={_escape_github(p.path, prop=True)},line={p.line},col={p.col}"
            + (f",title={_escape_github(p.rule, prop=True)}" if p.rule else "")
            + f"::{_escape_github(p.message)}"
            for p in problems
        )
    return "\n".join(str(p) for p in problems)
