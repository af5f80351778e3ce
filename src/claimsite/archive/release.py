"""`release:TAG`: the capture store as a GitHub release's assets (not written yet)."""

from __future__ import annotations

from collections.abc import Mapping

from claimsite.archive.store import CaptureStore
from claimsite.errors import ClaimsiteError


class ReleaseStore:
    @staticmethod
    def from_options(tag: str, options: Mapping[str, str]) -> CaptureStore:
        raise ClaimsiteError("release:TAG stores are not written yet")
