"""Progress for people watching a terminal; silent in CI logs and when output goes to a file."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TextIO


class Progress:
    """Prints progress lines on stderr when it is a terminal and CI is not set."""

    def __init__(self, stream: TextIO | None = None, environ: Mapping[str, str] = os.environ) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not environ.get("CI")

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(message, file=self.stream, flush=True)

    def count(self, done: int, total: int, what: str, *, every: int = 250) -> None:
        """'what: done of total' every `every` items and at the end, on one rewritten line."""
        if self.enabled and (done % every == 0 or done == total):
            end = "\n" if done == total else ""
            print(f"\r{what}: {done} of {total}", end=end, file=self.stream, flush=True)
