"""Problems are values: every stage returns them instead of raising."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from claimsite.text import log_line


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
        # Names and values come from pull requests: shown escaped, they cannot act on a terminal or a log.
        return log_line(f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}{suffix}")
