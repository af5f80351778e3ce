#!/usr/bin/env python3
"""Print the ids of the claims that have a source without a capture, one a line, for the archive
workflow (.github/workflows/archive.yml) to pass to `claimsite sources archive --claim ID`.

With claim files as arguments (the files a push changed), only those claims are considered; files
that are not claims of the folder (entities, deleted files) are ignored. Without, every claim.

Example:

    python scripts/uncaptured.py --claims claims $(git diff --name-only HEAD~1 HEAD -- claims/)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from claimsite.project import load_project


def uncaptured(claims_dir: Path, files: list[Path] | None = None) -> list[str]:
    """Ids of the claims (of `files`, when given) with at least one source that has no `capture`."""
    project = load_project([claims_dir])
    wanted = {path.resolve() for path in files} if files is not None else None
    ids = []
    for claim_id, loaded in sorted(project.claims.items()):
        if wanted is not None and (claims_dir / loaded.source_path).resolve() not in wanted:
            continue
        if any(source.capture is None for source in loaded.data.sources):
            ids.append(claim_id)
    return ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=Path, default=Path("claims"), help="The claims folder (default: claims).")
    parser.add_argument("files", nargs="*", type=Path, help="Only these claim files (default: every claim).")
    options = parser.parse_args()
    for claim_id in uncaptured(options.claims, options.files or None):
        print(claim_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
