#!/usr/bin/env python3
"""Print the claims and entities (people, organisations) that have a source without a capture, one a
line as `claim ID` or `entity ID`, for the archive workflow (.github/workflows/archive.yml) to pass to
`claimsite sources archive --claim ID` or `--entity ID`.

With claim or entity files as arguments (the files a push changed), only those are considered; files
that are neither (deleted files, others) are ignored. Without, every claim and entity.

Example:

    python scripts/uncaptured.py --claims claims $(git diff --name-only HEAD~1 HEAD -- claims/)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from claimsite.project import load_project


def uncaptured(claims_dir: Path, files: list[Path] | None = None) -> list[tuple[str, str]]:
    """`("claim", id)` and `("entity", id)` of the claims and entities (of `files`, when given) with at
    least one source that has no `capture`, claims first."""
    project = load_project([claims_dir])
    wanted = {path.resolve() for path in files} if files is not None else None
    found = []
    for kind, loaded_files in (("claim", project.claims), ("entity", project.entities)):
        for file_id, loaded in sorted(loaded_files.items()):
            if wanted is not None and (claims_dir / loaded.source_path).resolve() not in wanted:
                continue
            if any(source.capture is None for source in loaded.data.sources):
                found.append((kind, file_id))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=Path, default=Path("claims"), help="The claims folder (default: claims).")
    parser.add_argument("files", nargs="*", type=Path, help="Only these files (default: every claim and entity).")
    options = parser.parse_args()
    for kind, file_id in uncaptured(options.claims, options.files or None):
        print(kind, file_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
