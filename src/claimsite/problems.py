"""Problems are values: every stage returns them instead of raising."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What a terminal or a log would act on or hide: C0 and C1 controls (escape sequences start with
ESC or CSI), line breaks (a value could forge a line of its own) and the bidirectional controls
(which reorder what a reader sees)."""
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """Text with every control, line-break and bidirectional character written as an escape
    (`\\x1b`, `\\n`, `\\u202e`): what reaches a terminal or a log from a file name or a value
    shows literally and does nothing."""
    return _INVISIBLE.sub(_escaped, text)


class Severity(StrEnum):
    """Errors fail the check; warnings fail it only under `--strict`."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one file, with the position to fix (1-based line and column) and the
    id of the rule that found it (`claimsite.rules.RULES`)."""

    path: str
    line: int
    col: int
    message: str
    severity: Severity = Severity.ERROR
    rule: str = ""

    def __str__(self) -> str:
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        suffix = f" [{self.rule}]" if self.rule else ""
        return f"{visible(self.path)}:{self.line}:{self.col}: {prefix}{visible(self.message)}{suffix}"
